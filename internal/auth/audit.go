package auth

import (
	"context"
	"log/slog"

	"peerpress/internal/participant"
)

// Staff actions auth writes to the audit log (participant.Audit, read at
// /admin/audit). Other areas name theirs "<area>/<what>" the same way.
const (
	ActionSignIn         = "auth/sign_in"
	ActionSignInFailures = "auth/sign_in_failures" // a burst: the backoff started
	ActionPasswordChange = "auth/password_change"
	ActionPasswordReset  = "auth/password_reset"
	ActionSessionRevoke  = "auth/session_revoke"
	ActionRoleChange     = "auth/role_change"
	ActionUserDisable    = "auth/user_disable"
	ActionUserEnable     = "auth/user_enable"
	ActionUserLanguages  = "auth/user_languages"
	ActionUserInvite     = "auth/user_invite"
	ActionLanguageChoice = "auth/admin_language"
)

// Record writes staff actions to the audit log. The action has happened
// already, so a failure to record it is logged, not returned: refusing
// the sign-in because the log is unwritable would lock staff out.
func (s *Store) Record(ctx context.Context, actions ...participant.Access) {
	if err := s.audit.Record(ctx, actions...); err != nil {
		slog.ErrorContext(ctx, "auth: audit log", "err", err)
	}
}
