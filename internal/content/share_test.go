package content

import (
	"strings"
	"testing"
)

func TestHashtags(t *testing.T) {
	for _, tc := range []struct {
		text []string
		want string
	}{
		{[]string{"Post #RememberEveryName today. **#CareNotCells** and #rememberEveryName again"}, "RememberEveryName CareNotCells"},
		{[]string{"## A heading\n\n[link](#anchor) https://example.org/page#frag &#35;x issue#12 #2026 #100days"}, "100days"},
		{[]string{"#Начало строки и #ПомнитьКаждоеИмя", "#وسم_عربي", "#एक"}, "Начало ПомнитьКаждоеИмя وسم_عربي एक"},
		{[]string{"#a #b #c #d #e #f"}, "a b c d e"},
	} {
		if got := strings.Join(Hashtags(tc.text...), " "); got != tc.want {
			t.Errorf("Hashtags(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}
