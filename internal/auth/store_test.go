package auth_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"peerpress/internal/auth"
	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
)

const testPassword = "a good long password"

func mustCreate(t *testing.T, s *auth.Store, email string, role auth.Role) auth.User {
	t.Helper()
	u, err := s.CreateUser(context.Background(), email, "Name of "+email, role, testPassword)
	if err != nil {
		t.Fatalf("CreateUser(%q): %v", email, err)
	}
	return u
}

func TestCreateUser(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := auth.NewStore(d)

		before := time.Now().Add(-time.Second)
		u, err := s.CreateUser(ctx, "  Ada@Example.ORG ", " Ada Lovelace ", auth.RoleEditor, testPassword)
		if err != nil {
			t.Fatal(err)
		}
		if u.ID == 0 || u.Email != "ada@example.org" || u.Name != "Ada Lovelace" || u.Role != auth.RoleEditor || u.Disabled {
			t.Errorf("created %+v", u)
		}
		if u.CreatedAt.Before(before) || u.CreatedAt.After(time.Now()) || u.CreatedAt.Location() != time.UTC {
			t.Errorf("CreatedAt %v, want now in UTC", u.CreatedAt)
		}

		got, err := s.UserByID(ctx, u.ID)
		if err != nil || !reflect.DeepEqual(got, u) {
			t.Errorf("UserByID = %+v, %v; want %+v", got, err, u)
		}
		got, err = s.UserByEmail(ctx, "ADA@example.org")
		if err != nil || !reflect.DeepEqual(got, u) {
			t.Errorf("UserByEmail = %+v, %v; want %+v", got, err, u)
		}

		// The password is stored hashed, never as given.
		var stored string
		if err := d.QueryRowContext(ctx, `SELECT password_hash FROM users WHERE id = ?`, u.ID).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if ok, err := auth.CheckPassword(stored, testPassword); err != nil || !ok || strings.Contains(stored, testPassword) {
			t.Errorf("stored hash %q: check %v, %v", stored, ok, err)
		}

		for _, tc := range []struct {
			email, password string
			role            auth.Role
			want            error
		}{
			{"ADA@example.org", testPassword, auth.RoleAuthor, auth.ErrEmailTaken},
			{" ada@EXAMPLE.org", testPassword, auth.RoleAuthor, auth.ErrEmailTaken},
			{"not an email", testPassword, auth.RoleAuthor, auth.ErrInvalidEmail},
			{"", testPassword, auth.RoleAuthor, auth.ErrInvalidEmail},
			{"no-at-sign.example.org", testPassword, auth.RoleAuthor, auth.ErrInvalidEmail},
			{"Bob <bob@example.org>", testPassword, auth.RoleAuthor, auth.ErrInvalidEmail},
			{"a@example.org, b@example.org", testPassword, auth.RoleAuthor, auth.ErrInvalidEmail},
			{strings.Repeat("a", 250) + "@x.org", testPassword, auth.RoleAuthor, auth.ErrInvalidEmail},
			{"bob@example.org", "short", auth.RoleAuthor, auth.ErrWeakPassword},
			{"bob@example.org", "123456789", auth.RoleAuthor, auth.ErrWeakPassword},
			{"bob@example.org", "ééééééééé", auth.RoleAuthor, auth.ErrWeakPassword}, // 18 bytes, 9 characters
			{"bob@example.org", strings.Repeat("x", 1025), auth.RoleAuthor, auth.ErrWeakPassword},
		} {
			_, err := s.CreateUser(ctx, tc.email, "Bob", tc.role, tc.password)
			if !errors.Is(err, tc.want) {
				t.Errorf("CreateUser(%q, %d-byte password) = %v; want %v", tc.email, len(tc.password), err, tc.want)
			}
		}
		if _, err := s.CreateUser(ctx, "bob@example.org", "Bob", auth.Role("root"), testPassword); err == nil {
			t.Error("CreateUser with role root succeeded")
		}
		// Limits are inclusive: exactly 10 characters and exactly 1024 bytes pass.
		if _, err := s.CreateUser(ctx, "ten@example.org", "", auth.RoleAuthor, "ééééééééé1"); err != nil {
			t.Errorf("10-character password: %v", err)
		}
		if _, err := s.CreateUser(ctx, "long@example.org", "", auth.RoleAuthor, strings.Repeat("x", 1024)); err != nil {
			t.Errorf("1024-byte password: %v", err)
		}
		if n, err := s.CountUsers(ctx); err != nil || n != 3 {
			t.Errorf("CountUsers = %d, %v; want 3", n, err)
		}
	})
}

func TestUserLookupsAndChanges(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := auth.NewStore(d)

		if n, err := s.CountUsers(ctx); err != nil || n != 0 {
			t.Fatalf("CountUsers on empty db = %d, %v", n, err)
		}
		if users, err := s.ListUsers(ctx); err != nil || len(users) != 0 {
			t.Fatalf("ListUsers on empty db = %v, %v", users, err)
		}
		if _, err := s.UserByID(ctx, 42); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("UserByID(unknown) = %v; want db.ErrNotFound", err)
		}
		if _, err := s.UserByEmail(ctx, "nobody@example.org"); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("UserByEmail(unknown) = %v; want db.ErrNotFound", err)
		}

		c := mustCreate(t, s, "carol@example.org", auth.RoleAuthor)
		a := mustCreate(t, s, "alice@example.org", auth.RoleAdmin)
		b := mustCreate(t, s, "bob@example.org", auth.RoleEditor)

		users, err := s.ListUsers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var emails []string
		for _, u := range users {
			emails = append(emails, u.Email)
		}
		if strings.Join(emails, " ") != "alice@example.org bob@example.org carol@example.org" {
			t.Errorf("ListUsers order: %v", emails)
		}
		if !reflect.DeepEqual(users, []auth.User{a, b, c}) {
			t.Errorf("ListUsers = %+v", users)
		}
		if n, err := s.CountUsers(ctx); err != nil || n != 3 {
			t.Errorf("CountUsers = %d, %v; want 3", n, err)
		}

		if err := s.SetRole(ctx, c.ID, auth.RoleEditor); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.UserByID(ctx, c.ID); got.Role != auth.RoleEditor {
			t.Errorf("after SetRole: role %q", got.Role)
		}
		if err := s.SetRole(ctx, c.ID, auth.Role("root")); err == nil {
			t.Error("SetRole(root) succeeded")
		}
		if err := s.SetRole(ctx, 9999, auth.RoleAdmin); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("SetRole(unknown user) = %v; want db.ErrNotFound", err)
		}

		if err := s.SetDisabled(ctx, b.ID, true); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.UserByID(ctx, b.ID); !got.Disabled {
			t.Error("after SetDisabled(true): not disabled")
		}
		if err := s.SetDisabled(ctx, b.ID, false); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.UserByID(ctx, b.ID); got.Disabled {
			t.Error("after SetDisabled(false): still disabled")
		}
		if err := s.SetDisabled(ctx, 9999, true); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("SetDisabled(unknown user) = %v; want db.ErrNotFound", err)
		}

		if err := s.SetPassword(ctx, a.ID, "short"); !errors.Is(err, auth.ErrWeakPassword) {
			t.Errorf("SetPassword(short) = %v; want ErrWeakPassword", err)
		}
		if err := s.SetPassword(ctx, 9999, "a brand new password"); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("SetPassword(unknown user) = %v; want db.ErrNotFound", err)
		}
		if err := s.SetPassword(ctx, a.ID, "a brand new password"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, a.Email, testPassword); !errors.Is(err, auth.ErrBadCredentials) {
			t.Errorf("old password after SetPassword: %v; want ErrBadCredentials", err)
		}
		if got, err := s.Authenticate(ctx, a.Email, "a brand new password"); err != nil || got.ID != a.ID {
			t.Errorf("new password after SetPassword: %+v, %v", got, err)
		}
	})
}

func TestAuthenticate(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := auth.NewStore(d)
		u := mustCreate(t, s, "dora@example.org", auth.RoleAuthor)

		got, err := s.Authenticate(ctx, " DORA@example.org ", testPassword)
		if err != nil || !reflect.DeepEqual(got, u) {
			t.Errorf("right password: %+v, %v; want %+v", got, err, u)
		}
		for name, tc := range map[string][2]string{
			"wrong password": {"dora@example.org", testPassword + "x"},
			"empty password": {"dora@example.org", ""},
			"unknown email":  {"nobody@example.org", testPassword},
			"empty email":    {"", testPassword},
			"huge password":  {"dora@example.org", strings.Repeat("x", 5000)},
		} {
			if got, err := s.Authenticate(ctx, tc[0], tc[1]); !errors.Is(err, auth.ErrBadCredentials) || !reflect.DeepEqual(got, auth.User{}) {
				t.Errorf("%s: %+v, %v; want ErrBadCredentials and no user", name, got, err)
			}
		}

		if err := s.SetDisabled(ctx, u.ID, true); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, u.Email, testPassword); !errors.Is(err, auth.ErrBadCredentials) {
			t.Errorf("disabled user: %v; want ErrBadCredentials", err)
		}
		if err := s.SetDisabled(ctx, u.ID, false); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, u.Email, testPassword); err != nil {
			t.Errorf("re-enabled user: %v", err)
		}

		// A corrupt stored hash is a server error, not a silent "wrong password".
		if _, err := d.ExecContext(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, "garbage", u.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, u.Email, testPassword); err == nil || errors.Is(err, auth.ErrBadCredentials) {
			t.Errorf("corrupt hash: %v; want another error", err)
		}
	})
}

func TestTranslatorLanguages(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := auth.NewStore(d)
		u, err := s.CreateUser(ctx, "tr@example.org", "Translator", auth.RoleTranslator, "translator-pw-1")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetLanguages(ctx, u.ID, []string{"ru", "fr", "ru"}); err != nil {
			t.Fatal(err)
		}
		token, _, err := s.CreateSession(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		_, got, err := s.SessionByToken(ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.Languages, []string{"fr", "ru"}) {
			t.Fatalf("languages %v", got.Languages)
		}
		if !got.CanTranslate("ru") || got.CanTranslate("es") || got.Role.CanWrite() {
			t.Fatalf("translator permissions wrong: %+v", got)
		}
		editor := auth.User{Role: auth.RoleEditor}
		if !editor.CanTranslate("es") || !editor.Role.CanWrite() {
			t.Fatal("editor may translate and write anything")
		}
		if err := s.SetLanguages(ctx, 999999, []string{"ru"}); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("unknown user: %v", err)
		}
	})
}
