package auth

import "fmt"

// Role is what a user may do. The set is closed: the database only accepts
// these values.
type Role string

// The roles, from most to least powerful.
const (
	RoleAdmin  Role = "admin"
	RoleEditor Role = "editor"
	RoleAuthor Role = "author"
	// RoleTranslator translates entries into the languages assigned to
	// them, and changes nothing else.
	RoleTranslator Role = "translator"
	// RoleModerator approves and rejects what the public submits
	// (tributes, signatures), and writes or edits no entry.
	RoleModerator Role = "moderator"
	// RoleReviewer sits on the review boards of calls for applications
	// (internal/calls) and sees nothing else of the admin: no entry, no
	// draft, no person.
	RoleReviewer Role = "reviewer"
)

// Roles lists every role, from most to least powerful.
var Roles = []Role{RoleAdmin, RoleEditor, RoleAuthor, RoleTranslator, RoleModerator, RoleReviewer}

// ParseRole turns a stored or submitted role name into a Role, refusing
// anything that is not exactly one of the known roles.
func ParseRole(s string) (Role, error) {
	switch r := Role(s); r {
	case RoleAdmin, RoleEditor, RoleAuthor, RoleTranslator, RoleModerator, RoleReviewer:
		return r, nil
	}
	return "", fmt.Errorf("auth: unknown role %q", s)
}

// CanEditAll reports whether the role may edit every entry; authors may
// only edit their own.
func (r Role) CanEditAll() bool { return r == RoleAdmin || r == RoleEditor }

// CanManageUsers reports whether the role may create, change and disable
// users.
func (r Role) CanManageUsers() bool { return r == RoleAdmin }

// CanManageTaxonomy reports whether the role may manage sections, tags and
// organisations.
func (r Role) CanManageTaxonomy() bool { return r == RoleAdmin || r == RoleEditor }

// CanWrite reports whether the role may create entries and change their
// source text; translators and moderators may not.
func (r Role) CanWrite() bool { return r != RoleTranslator && r != RoleModerator && r != RoleReviewer }

// CanModerate reports whether the role may approve and reject what the
// public submits (tributes, signatures).
func (r Role) CanModerate() bool { return r == RoleAdmin || r == RoleEditor || r == RoleModerator }

// Capability is something a route of the admin needs its user to be able
// to do. The route table checks it before the handler runs; handlers still
// check what depends on the object (an author edits only their own
// entries).
type Capability string

// The capabilities routes ask for.
const (
	// SignedIn is any signed-in member of staff: every role but the
	// reviewer, who sees only their boards and their own account.
	SignedIn Capability = "signed-in"
	// Account is any signed-in user, a reviewer included: their own
	// account, password, second factor and signing out.
	Account Capability = "account"
	// Review is scoring applications to the calls whose board the user
	// sits on (the calls area checks the membership).
	Review Capability = "review"
	// Write is creating entries and changing their source text.
	Write Capability = "write"
	// Moderate is approving and rejecting what the public submits.
	Moderate Capability = "moderate"
	// ManageTaxonomy is managing sections, tags and organisations.
	ManageTaxonomy Capability = "taxonomy"
	// ManageSite is managing users and settings, and reading the site's
	// outgoing mail and personal data: the admin's alone.
	ManageSite Capability = "site"
)

// Can reports whether the role has the capability. An unknown capability
// is never granted.
func (r Role) Can(c Capability) bool {
	switch c {
	case SignedIn:
		_, err := ParseRole(string(r))
		return err == nil && r != RoleReviewer
	case Account:
		_, err := ParseRole(string(r))
		return err == nil
	case Review:
		return r == RoleReviewer || r == RoleAdmin || r == RoleEditor
	case Write:
		return r.CanWrite() && r != ""
	case Moderate:
		return r.CanModerate()
	case ManageTaxonomy:
		return r.CanManageTaxonomy()
	case ManageSite:
		return r.CanManageUsers()
	}
	return false
}

// IsReviewer reports whether the role is the review boards' alone.
func (r Role) IsReviewer() bool { return r == RoleReviewer }

// CanReview reports whether the role may score applications to the calls
// whose board the user sits on.
func (r Role) CanReview() bool { return r.Can(Review) }

// Home is where the user lands after signing in: a reviewer on their
// boards' submissions, everyone else on the entries.
func (r Role) Home() string {
	if r == RoleReviewer {
		return "/admin/reviews"
	}
	return "/admin/entries"
}
