package mail

import (
	"context"

	"peerpress/internal/participant"
)

// Name names the mail's sealed store for `peerpress keys rotate`.
func (m *Mailer) Name() string { return "mail/queue" }

// Reseal seals the queued messages and the outbox's again with the current
// key (participant.Sealed), so that mail waiting to go still goes once the
// old key is thrown away.
func (m *Mailer) Reseal(ctx context.Context, reseal participant.Resealer) (int, error) {
	queued, err := participant.ResealTable(ctx, m.db.DB, participant.Table{Name: "jobs", Key: "id", Where: "kind = '" + jobKind + "'",
		Columns: []participant.Column{{Name: "payload", Context: sealContext}}}, reseal)
	if err != nil {
		return queued, err
	}
	kept, err := participant.ResealTable(ctx, m.db.DB, participant.Table{Name: "outbox", Key: "id",
		Columns: []participant.Column{{Name: "message", Context: sealContext}}}, reseal)
	return queued + kept, err
}
