package auth

import (
	"context"
	"fmt"
	"strings"
	"time"

	"peerpress/internal/db"
	"peerpress/internal/participant"
)

// SessionInfo is one of a user's sessions as they see it in their list.
type SessionInfo struct {
	ID        string
	Device    string    // "Firefox on Linux"; "" when the browser said nothing
	CreatedAt time.Time // UTC
	LastSeen  time.Time // UTC
	ExpiresAt time.Time // UTC
}

// Sessions lists the user's live sessions, the most recently used first.
func (s *Store) Sessions(ctx context.Context, userID int64) ([]SessionInfo, error) {
	now := s.now()
	idleSince := int64(0)
	if idle := s.idleTimeout(); idle > 0 {
		idleSince = now.Add(-idle).Unix()
	}
	rows, err := s.db.QueryContext(ctx, `SELECT token_hash, agent, created_at, last_seen, expires_at FROM sessions
		WHERE user_id = ? AND expires_at > ? AND last_seen > ? AND stage <> 1 ORDER BY last_seen DESC, created_at DESC`, userID, now.Unix(), idleSince)
	if err != nil {
		return nil, fmt.Errorf("auth: sessions: %w", err)
	}
	defer rows.Close()
	var out []SessionInfo
	for rows.Next() {
		var hash string
		var created, seen, expires int64
		var si SessionInfo
		if err := rows.Scan(&hash, &si.Device, &created, &seen, &expires); err != nil {
			return nil, fmt.Errorf("auth: sessions: %w", err)
		}
		si.ID = sessionID(hash)
		si.CreatedAt, si.LastSeen, si.ExpiresAt = time.Unix(created, 0).UTC(), time.Unix(seen, 0).UTC(), time.Unix(expires, 0).UTC()
		out = append(out, si)
	}
	return out, rows.Err()
}

// RevokeSession ends the user's session with that public id, or returns
// db.ErrNotFound: a user revokes only their own.
func (s *Store) RevokeSession(ctx context.Context, userID int64, id string) error {
	if len(id) != 16 || strings.Trim(id, "0123456789abcdef") != "" {
		return fmt.Errorf("auth: revoke session: %w", db.ErrNotFound)
	}
	// token_hash is hex: the range of hashes starting with id.
	res, err := s.quiet.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ? AND token_hash >= ? AND token_hash < ?`, userID, id, id+"g")
	if err != nil {
		return fmt.Errorf("auth: revoke session: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("auth: revoke session: %w", db.ErrNotFound)
	}
	s.Record(ctx, participant.Access{UserID: userID, Action: ActionSessionRevoke})
	return nil
}

// DeviceSummary names a browser and its system from a User-Agent header
// ("Firefox on Linux"), so that a person can tell their sessions apart;
// nothing finer (versions, models) is kept.
func DeviceSummary(userAgent string) string {
	ua := userAgent
	if len(ua) > 512 {
		ua = ua[:512]
	}
	browser := ""
	for _, b := range []struct{ token, name string }{
		{"Edg/", "Edge"}, {"OPR/", "Opera"}, {"Firefox/", "Firefox"}, {"Chromium/", "Chromium"},
		{"Chrome/", "Chrome"}, {"Safari/", "Safari"}, {"curl/", "curl"},
	} {
		if strings.Contains(ua, b.token) {
			browser = b.name
			break
		}
	}
	system := ""
	for _, o := range []struct{ token, name string }{
		{"Android", "Android"}, {"iPhone", "iOS"}, {"iPad", "iPadOS"}, {"Windows", "Windows"},
		{"Mac OS X", "macOS"}, {"CrOS", "ChromeOS"}, {"Linux", "Linux"},
	} {
		if strings.Contains(ua, o.token) {
			system = o.name
			break
		}
	}
	switch {
	case browser != "" && system != "":
		return browser + " · " + system
	case browser != "":
		return browser
	default:
		return system
	}
}
