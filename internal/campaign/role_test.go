package campaign_test

import (
	"context"
	"slices"
	"testing"

	"peerpress/internal/auth"
	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
)

// Migration 0007 lets the database keep moderators on both engines; the
// rest of users' rows and the tables that refer to them survive it.
func TestModeratorCanBeStored(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		users := auth.NewStore(d)
		m, err := users.CreateUser(ctx, "mod@example.org", "Mo", auth.RoleModerator, "a long enough passphrase")
		if err != nil {
			t.Fatalf("create moderator: %v", err)
		}
		got, err := users.UserByEmail(ctx, "mod@example.org")
		if err != nil || got.Role != auth.RoleModerator || got.ID != m.ID {
			t.Fatalf("read back: %+v, %v", got, err)
		}
		if _, err := d.ExecContext(ctx, `UPDATE users SET role = 'overlord' WHERE id = ?`, m.ID); err == nil {
			t.Fatal("the CHECK constraint no longer refuses unknown roles")
		}
	})
}

// A moderator moderates and may do nothing else of the editors' work.
func TestModeratorRole(t *testing.T) {
	r, err := auth.ParseRole("moderator")
	if err != nil || r != auth.RoleModerator {
		t.Fatalf("ParseRole(moderator) = %q, %v", r, err)
	}
	if !slices.Contains(auth.Roles, auth.RoleModerator) {
		t.Fatal("moderator missing from auth.Roles (the users page offers auth.Roles)")
	}
	m := auth.User{ID: 7, Role: auth.RoleModerator}
	if !m.Role.CanModerate() || m.Role.CanWrite() || m.Role.CanEditAll() || m.Role.CanManageUsers() || m.Role.CanManageTaxonomy() || m.CanTranslate("en") {
		t.Fatalf("moderator rights: moderate %v write %v edit all %v users %v taxonomy %v translate %v", m.Role.CanModerate(), m.Role.CanWrite(),
			m.Role.CanEditAll(), m.Role.CanManageUsers(), m.Role.CanManageTaxonomy(), m.CanTranslate("en"))
	}
	if content.CanEdit(m, &content.Entry{AuthorID: 7}) {
		t.Fatal("a moderator may edit an entry")
	}
	for _, role := range []auth.Role{auth.RoleAuthor, auth.RoleTranslator} {
		if role.CanModerate() {
			t.Errorf("%s may moderate", role)
		}
	}
	for _, role := range []auth.Role{auth.RoleAdmin, auth.RoleEditor} {
		if !role.CanModerate() {
			t.Errorf("%s may not moderate", role)
		}
	}
}
