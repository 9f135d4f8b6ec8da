// Package letter opens statements for signatures: organisations and, when
// allowed, individuals sign an open letter with their name, country and
// type; the contact email is verified by a link, sealed with the site key
// and never shown. The public sees the count, progress to a goal and the
// list grouped by country; staff moderate (approve, reject, merge
// duplicates) and export CSV. Every signatory has a private link to
// withdraw at any time.
package letter

import (
	"net/url"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Letter is a statement's signing settings.
type Letter struct {
	EntryID int64
	Open    bool // taking signatures (until ClosesAt, when set)
	// Organisations and Individuals say who may sign.
	Organisations bool
	Individuals   bool
	Goal          int       // signatures hoped for; 0: none shown
	ClosesAt      time.Time // zero: no closing time
	// Moderated holds every verified signature for a moderator before it
	// is public.
	Moderated bool
}

// Closed reports whether the closing time has passed at now.
func (l Letter) Closed(now time.Time) bool { return !l.ClosesAt.IsZero() && !now.Before(l.ClosesAt) }

// Accepting reports whether the letter takes signatures at now.
func (l Letter) Accepting(now time.Time) bool {
	return l.Open && !l.Closed(now) && (l.Organisations || l.Individuals)
}

// Signer kinds.
const (
	Organisation = "organisation"
	Individual   = "individual"
)

// Signature statuses: a signature counts only once approved.
const (
	Unverified = "unverified" // the email link not yet followed
	Waiting    = "waiting"    // verified, waiting for a moderator
	Approved   = "approved"
	Rejected   = "rejected"
)

// Statuses lists the statuses in the order staff filter them.
var Statuses = []string{Waiting, Approved, Unverified, Rejected}

// Option is a choice of a form with the catalog key of its label.
type Option struct {
	Value, Key string
}

// OrgTypes are the kinds of organisation a signatory can choose.
var OrgTypes = []Option{
	{"community", "letter.org_type.community"},
	{"network", "letter.org_type.network"},
	{"ngo", "letter.org_type.ngo"},
	{"service", "letter.org_type.service"},
	{"research", "letter.org_type.research"},
	{"faith", "letter.org_type.faith"},
	{"union", "letter.org_type.union"},
	{"other", "letter.org_type.other"},
}

// keys of the statuses' and kinds' labels.
var labelKeys = map[string]string{
	Unverified:   "letter.status.unverified",
	Waiting:      "letter.status.waiting",
	Approved:     "letter.status.approved",
	Rejected:     "letter.status.rejected",
	Organisation: "letter.kind.organisation",
	Individual:   "letter.kind.individual",
}

// StatusKey is the catalog key of a status's label.
func StatusKey(status string) string { return labelKeys[status] }

// Signature is one signatory, its sealed fields opened.
type Signature struct {
	ID         int64
	EntryID    int64
	Kind       string
	Name       string
	OrgType    string // organisations only
	Country    string // ISO 3166-1 alpha-2
	Website    string
	Email      string // private: confirmation and withdrawal only
	Lang       string // the language the signatory used, for their mail
	Status     string
	Flagged    bool // came without proof of work: look closer
	CreatedAt  time.Time
	VerifiedAt time.Time
	// Locked: not yet published, its name and website are sealed to the
	// organisation's key, which this request has not unlocked; Name and
	// Website are empty, sealed holds them as stored (for exports that
	// `peerpress unseal` opens).
	Locked bool
	sealed struct{ name, website string }
}

// KindKey is the catalog key of the signer kind's label.
func (s Signature) KindKey() string { return labelKeys[s.Kind] }

// OrgTypeKey is the catalog key of the organisation type's label, "" for
// individuals.
func (s Signature) OrgTypeKey() string {
	for _, o := range OrgTypes {
		if o.Value == s.OrgType {
			return o.Key
		}
	}
	return ""
}

// StatusKey is the catalog key of the signature's status label.
func (s Signature) StatusKey() string { return labelKeys[s.Status] }

// normalName folds a name for finding duplicates: case, accents,
// punctuation and spacing do not matter ("Harm-Reduction  Kenya" is
// "harm reduction kenya").
func normalName(s string) string {
	var b strings.Builder
	space := false
	for _, r := range norm.NFKD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(unicode.ToLower(r))
		default:
			space = true
		}
	}
	return b.String()
}

// websiteKey is a website address folded for spotting duplicates: no
// scheme, "www.", query or trailing slash; "" when there is none.
func websiteKey(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Hostname() == "" {
		return ""
	}
	return strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.") + strings.TrimSuffix(u.EscapedPath(), "/")
}
