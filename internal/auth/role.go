package auth

import "fmt"

// Role is what a user may do. The set is closed: the database only accepts
// these three values.
type Role string

// The roles, from most to least powerful.
const (
	RoleAdmin  Role = "admin"
	RoleEditor Role = "editor"
	RoleAuthor Role = "author"
)

// ParseRole turns a stored or submitted role name into a Role, refusing
// anything that is not exactly one of the known roles.
func ParseRole(s string) (Role, error) {
	switch r := Role(s); r {
	case RoleAdmin, RoleEditor, RoleAuthor:
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
