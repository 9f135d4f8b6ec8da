package updates

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"peerpress/internal/participant"
)

// PersonalData is what the list holds about people, as the site's
// registry of personal data sees it (participant.Holder): staff find,
// export and erase one subscriber, unconfirmed subscriptions are undone
// on schedule, and `keys rotate` reseals the addresses.
func (s *Store) PersonalData() participant.Holder { return subscribers{s} }

type subscribers struct{ s *Store }

func (subscribers) Name() string { return "updates/subscribers" }

// Find opens the person's subscription, if any is left.
func (h subscribers) Find(ctx context.Context, who participant.Subject) ([]participant.Record, error) {
	sub, err := h.s.scanSubscriber(h.s.db.QueryRowContext(ctx, `SELECT `+subCols+` FROM subscribers WHERE email_hash = ?`, who.Hash(hashEmail)))
	if err != nil {
		if errors.Is(err, errNoRows) {
			return nil, nil
		}
		return nil, fmt.Errorf("updates: find: %w", err)
	}
	if sub.Status == Erased {
		return nil, nil // a keyed hash is all there is: nothing to show
	}
	rec := participant.Record{Holder: h.Name(), ID: sub.ID, About: "members' updates", Created: sub.CreatedAt, Fields: []participant.Field{
		{Name: "email", Value: sub.Email}, {Name: "status", Value: sub.Status}, {Name: "language", Value: sub.Lang},
		{Name: "second language", Value: sub.Lang2}, {Name: "topics", Value: strings.Join(sub.Topics, ", ")},
		{Name: "consent source", Value: sub.ConsentSource}}}
	if !sub.ConsentAt.IsZero() {
		rec.Fields = append(rec.Fields, participant.Field{Name: "consent", Value: sub.ConsentAt.Format(time.RFC3339)})
	}
	return []participant.Record{rec}, nil
}

// Erase leaves only the keyed hash of the person's address.
func (h subscribers) Erase(ctx context.Context, who participant.Subject) (int, error) {
	var id int64
	var status string
	err := h.s.db.QueryRowContext(ctx, `SELECT id, status FROM subscribers WHERE email_hash = ?`, who.Hash(hashEmail)).Scan(&id, &status)
	if errors.Is(err, errNoRows) || err == nil && status == Erased {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("updates: erase: %w", err)
	}
	return 1, h.s.Erase(ctx, id)
}

// Purge undoes the subscriptions never confirmed.
func (h subscribers) Purge(ctx context.Context, _ time.Time) (int, error) {
	return h.s.DropUnconfirmed(ctx)
}

// Reseal seals every address again with the current key.
func (h subscribers) Reseal(ctx context.Context, reseal participant.Resealer) (int, error) {
	return participant.ResealTable(ctx, h.s.db, participant.Table{Name: "subscribers", Key: "id",
		Columns: []participant.Column{{Name: "email", Context: sealEmail}}}, reseal)
}
