package content

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSlugify(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"english", "Hello, World!", "hello-world"},
		{"english sentence", "Why Harm Reduction Works", "why-harm-reduction-works"},
		{"digits kept", "Covid-19 in 2024", "covid-19-in-2024"},
		{"french accents", "Réduction des risques", "reduction-des-risques"},
		{"french apostrophes dropped", "C'est l'été à Montréal", "cest-lete-a-montreal"},
		{"typographic apostrophe dropped", "L’Europe", "leurope"},
		{"upper-case accents", "ÀÉÎÕÜ Ç", "aeiou-c"},
		{"german eszett kept", "Straße", "straße"},
		{"russian", "Снижение вреда", "снижение-вреда"},
		{"russian upper case", "СНИЖЕНИЕ ВРЕДА", "снижение-вреда"},
		{"arabic kept", "الحد من الضرر", "الحد-من-الضرر"},
		{"arabic with latin digits", "تقرير 2024", "تقرير-2024"},
		{"greek keeps its marks", "Μείωση βλάβης", "μείωση-βλάβης"}, // only Latin letters lose accents
		{"chinese", "减少伤害", "减少伤害"},
		{"punctuation folded", "a -- b __ c ... d", "a-b-c-d"},
		{"slashes and quotes", `"quoted" / 'single' \ back`, "quoted-single-back"},
		{"emoji folded", "Rock 🎸 & Roll 🎉!", "rock-roll"},
		{"emoji between words", "love🎉peace", "love-peace"},
		{"leading and trailing trimmed", "  --Hello--  ", "hello"},
		{"leading punctuation and emoji", "🎉 ¡Hola! 🎉", "hola"},
		{"tabs and newlines", "one\ttwo\nthree\r\nfour", "one-two-three-four"},
		{"only punctuation", "!!! --- ???", ""},
		{"only emoji", "🎉🎸", ""},
		{"empty", "", ""},
		{"already a slug", "already-a-slug", "already-a-slug"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Slugify(tc.in); got != tc.want {
				t.Errorf("Slugify(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// Marks that make a different letter outside Latin stay: й is not и, ガ is
// not カ, and Devanagari vowel signs are part of the word.
func TestSlugifyKeepsNonLatinLetters(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"russian short i", "Новый закон", "новый-закон"},
		{"ukrainian yi", "Київ", "київ"},
		{"japanese dakuten", "ガイド", "ガイド"},
		{"hindi vowel signs", "हिन्दी", "हिन्दी"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Slugify(tc.in); got != tc.want {
				t.Errorf("Slugify(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if !ValidSlug(tc.want) {
				t.Errorf("ValidSlug(%q) = false, want true", tc.want)
			}
		})
	}
}

// Regression (fixed; was a bug in slug.go, Slugify, the case that accepts unicode.Mn and unicode.Mc):
// a combining mark is kept wherever it stands, not only after a letter it
// belongs to. The emoji variation selector U+FE0F is a Mn mark, so
// "love❤️peace" gives "love-\ufe0fpeace" (an invisible character in the
// URL) and an emoji-only title "🎉🎸❤️" gives the invisible slug "\ufe0f"
// instead of "" — which ValidSlug then accepts, so the editor's
// "slug_invalid" check never fires. A mark after a separator, a symbol or at
// the start should be dropped like the symbol it follows.
func TestSlugifyDropsStrayMarks(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"variation selector between words", "love❤️peace", "love-peace"},
		{"variation selector after spaced emoji", "I ❤️ harm reduction", "i-harm-reduction"},
		{"emoji only with variation selector", "🎉🎸❤️", ""},
		{"combining mark at the start", "\u0301abc", "abc"},
		{"combining mark after a space", "abc \u0308def", "abc-def"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Slugify(tc.in); got != tc.want {
				t.Errorf("Slugify(%+q) = %+q, want %+q", tc.in, got, tc.want)
			}
		})
	}
	for _, s := range []string{"\ufe0f", "a-\ufe0fb", "\u0301"} {
		if ValidSlug(s) {
			t.Errorf("ValidSlug(%+q) = true, want false", s)
		}
	}
}

// Regression (fixed; was a bug in slug.go, Slugify, the loop over norm.NFC.String(s)): the rewrite from
// NFKD to NFC stopped folding compatibility forms, so a title pasted from a
// PDF ("ﬁnance" with the ﬁ ligature) or typed with a CJK input method in
// full-width letters ("ＷＨＯ") gives a slug that looks exactly like
// "finance" or "who" but is a different URL: two entries can then have
// visually identical addresses, and a reader typing the address gets a 404.
// Latin compatibility forms should be folded (NFKC/NFKD) like accents are.
func TestSlugifyFoldsCompatibilityForms(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"fi ligature", "ﬁnance", "finance"},
		{"full-width latin", "ＷＨＯ report", "who-report"},
		{"full-width digits", "Report ２０２４", "report-2024"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Slugify(tc.in); got != tc.want {
				t.Errorf("Slugify(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestSlugifyMaxLength(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"ascii cut at 120", strings.Repeat("a", 200), strings.Repeat("a", MaxSlugLen)},
		{"exactly 120 kept", strings.Repeat("b", MaxSlugLen), strings.Repeat("b", MaxSlugLen)},
		{"cyrillic counted in runes", strings.Repeat("я", 130), strings.Repeat("я", MaxSlugLen)},
		{"arabic counted in runes", strings.Repeat("ب", 300), strings.Repeat("ب", MaxSlugLen)},
		{"accents do not count", strings.Repeat("é", 130), strings.Repeat("e", MaxSlugLen)},
		// The cut falls on the hyphen before "bbbb": no trailing hyphen.
		{"cut on a hyphen", strings.Repeat("a", MaxSlugLen-1) + " bbbb", strings.Repeat("a", MaxSlugLen-1)},
		{"cut between words", strings.Repeat("word ", 40), strings.TrimSuffix(strings.Repeat("word-", 24), "-")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Slugify(tc.in)
			if got != tc.want {
				t.Errorf("Slugify(%d runes) = %q (%d runes), want %q (%d runes)", utf8.RuneCountInString(tc.in),
					got, utf8.RuneCountInString(got), tc.want, utf8.RuneCountInString(tc.want))
			}
			if n := utf8.RuneCountInString(got); n > MaxSlugLen {
				t.Errorf("Slugify gave %d runes, more than %d", n, MaxSlugLen)
			}
			if !utf8.ValidString(got) {
				t.Errorf("Slugify gave invalid UTF-8 %q", got)
			}
			if strings.HasSuffix(got, "-") || strings.HasPrefix(got, "-") {
				t.Errorf("Slugify gave %q with an edge hyphen", got)
			}
		})
	}
}

// Whatever the input, a non-empty result is a valid slug, and slugifying
// again changes nothing.
func TestSlugifyIdempotent(t *testing.T) {
	for _, in := range []string{
		"Hello, World!", "Réduction des risques", "Снижение вреда", "الحد من الضرر",
		"  --x--  ", "ﬁ ½ ² Ⅻ", "ǅemal", "İstanbul", strings.Repeat("Ωmega ", 50), "a\u0301b\u0308c",
	} {
		got := Slugify(in)
		if got == "" {
			t.Errorf("Slugify(%q) is empty", in)
			continue
		}
		if again := Slugify(got); again != got {
			t.Errorf("Slugify(Slugify(%q)) = %q, want %q", in, again, got)
		}
		if !ValidSlug(got) {
			t.Errorf("ValidSlug(Slugify(%q) = %q) = false", in, got)
		}
	}
}

func TestValidSlug(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"hello-world", true},
		{"covid-19", true},
		{"2024", true},
		{"снижение-вреда", true},
		{"الحد-من-الضرر", true},
		{"reduction-des-risques", true},
		{strings.Repeat("a", MaxSlugLen), true},
		{"", false},
		{"Hello-World", false},
		{"-hello", false},
		{"hello-", false},
		{"hello--world", false},
		{"hello world", false},
		{"hello_world", false},
		{"héllo", false},
		{"hello/world", false},
		{"../etc", false},
		{"hello.html", false},
		{"Снижение", false},
		{"hello🎉", false},
		{strings.Repeat("a", MaxSlugLen+1), false},
	} {
		if got := ValidSlug(tc.in); got != tc.want {
			t.Errorf("ValidSlug(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
