package search

import "testing"

func TestHasWord(t *testing.T) {
	for _, tc := range []struct {
		list, w string
		want    bool
	}{
		{"en_drug en_polici", "en_drug", true},
		{"en_drug en_polici", "en_polici", true},
		{"en_drugs en_polici", "en_drug", false},
		{"xen_drug", "en_drug", false},
		{"'en_drug' 'en_polici'", "en_polici", true},
		{"'en_drugs'", "en_drug", false},
		{"", "en_drug", false},
	} {
		if got := hasWord([]byte(tc.list), []byte(tc.w)); got != tc.want {
			t.Errorf("hasWord(%q, %q) = %v", tc.list, tc.w, got)
		}
	}
}

// Words are analysed the same way in a document and in a query, whatever
// accents or case the reader typed.
func TestNormalise(t *testing.T) {
	for _, tc := range []struct{ lang, a, b string }{
		{"ru", "наркотики", "наркотиков"},
		{"ru", "Ёлка", "елки"},
		{"fr", "drogues", "drogue"},
		{"fr", "Santé", "sante"},
		{"es", "prevención", "PREVENCION"},
		{"en", "services", "service"},
		{"ar", "الأَضْرار", "الاضرار"},
		// Arabic light stemming: the article and common affixes.
		{"ar", "نالوكسون", "النالوكسون"},
		{"ar", "المخدرات", "مخدرات"},
		{"ar", "والحد", "الحد"},
		{"ar", "الشبكات", "شبكات"},
		// Hindi: a word's inflected forms, and spellings readers mix.
		{"hi", "दवाओं", "दवाएं"},
		{"hi", "लड़कियों", "लड़कियाँ"},
		{"hi", "नीतियों", "नीतियां"},
		{"hi", "सेवाएँ", "सेवाएं"},
	} {
		if x, y := normalise(tc.lang, tc.a), normalise(tc.lang, tc.b); x != y {
			t.Errorf("%s: %q → %q but %q → %q", tc.lang, tc.a, x, tc.b, y)
		}
	}
	if termPrefix("pt-BR") != "ptbr_" {
		t.Errorf("prefix %q", termPrefix("pt-BR"))
	}
}

// Stemming joins forms of a word, but not different words.
func TestStemmingKeepsWordsApart(t *testing.T) {
	for _, tc := range []struct{ lang, a, b string }{
		{"ar", "نالوكسون", "ميثادون"},
		{"ar", "الشبكة", "الشرطة"},
		{"hi", "दवा", "दावा"},
		{"hi", "नीति", "नेता"},
	} {
		if x, y := normalise(tc.lang, tc.a), normalise(tc.lang, tc.b); x == y {
			t.Errorf("%s: %q and %q both → %q", tc.lang, tc.a, tc.b, x)
		}
	}
}
