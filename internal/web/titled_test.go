package web

import "testing"

// A title reads with one colon between label and title, whatever the
// translation of the label ends with.
func TestTitledHasOneColon(t *testing.T) {
	cases := []struct{ label, title, want string }{
		{"Registrants", "Webinar: naloxone", "Registrants: Webinar: naloxone"},
		{"Webinar:", "naloxone", "Webinar: naloxone"},
		{"Webinar: ", ": naloxone", "Webinar: naloxone"},
		{"इनके साथ संयुक्त वक्तव्य:", "PVN", "इनके साथ संयुक्त वक्तव्य: PVN"},
		{"Inscription\u00a0:", "Webinaire", "Inscription\u00a0: Webinaire"},
		{"Webinar", "", "Webinar"},
		{"Webinar:", " ", "Webinar"},
		{"", "Naloxone", "Naloxone"},
	}
	for _, c := range cases {
		if got := Titled(c.label, c.title); got != c.want {
			t.Errorf("Titled(%q, %q) = %q, want %q", c.label, c.title, got, c.want)
		}
	}
}
