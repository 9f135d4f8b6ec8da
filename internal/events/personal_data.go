package events

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"time"

	"peerpress/internal/db"
	"peerpress/internal/participant"
)

// PersonalData is what registrations hold about people, as the site's
// registry of personal data sees it (participant.Holder): staff find,
// export and erase one registrant's data, every event's registrations
// are purged days after it ends (the number of days retention gives,
// read at each purge since staff change it in the settings), and `keys
// rotate` reseals them.
func (s *Store) PersonalData(retention func(context.Context) (int, error)) participant.Holder {
	return &registrations{s: s, retention: retention}
}

type registrations struct {
	s         *Store
	retention func(context.Context) (int, error)
}

func (r *registrations) Name() string { return "events/registrations" }

// Find opens every registration of the person, with the event it is for
// and its questions' labels.
func (r *registrations) Find(ctx context.Context, who participant.Subject) ([]participant.Record, error) {
	s := r.s
	rows, err := s.db.QueryContext(ctx, `SELECT `+regCols+`, pending_update, name, answers FROM registrations WHERE email_hash = ? ORDER BY created_at, id`,
		who.Hash(hashEmail))
	if err != nil {
		return nil, fmt.Errorf("events: find registrations: %w", err)
	}
	type found struct {
		reg                    Registration
		pending, name, answers string
	}
	var list []found
	for rows.Next() {
		var f found
		reg, err := s.scanRegistration(ctx, scanWith(rows, &f.pending, &f.name, &f.answers))
		if err != nil {
			rows.Close()
			return nil, err
		}
		f.reg = reg
		list = append(list, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []participant.Record
	loaded := map[int64]*event{}
	for _, f := range list {
		reg := f.reg
		rec := participant.Record{ID: reg.ID, About: "event " + strconv.FormatInt(reg.EntryID, 10), Created: reg.CreatedAt.UTC()}
		ev, ok := loaded[reg.EntryID]
		if !ok {
			ev, _ = s.load(ctx, reg.EntryID) // nil: the record says which entry without its title
			loaded[reg.EntryID] = ev
		}
		var questions []Question
		if ev != nil {
			rec.About += ": " + ev.Entry.Source().Title
			questions = ev.Details.Questions
		}
		name := reg.Name
		if reg.Locked {
			name = f.name // sealed to the organisation's key: `peerpress unseal` opens it
		}
		rec.Fields = []participant.Field{{Name: "email", Value: reg.Email}, {Name: "name", Value: name},
			{Name: "status", Value: reg.Status}, {Name: "attended", Value: strconv.FormatBool(reg.Attended)},
			{Name: "language", Value: reg.Lang}, {Name: "registered_at", Value: reg.CreatedAt.UTC().Format(time.RFC3339)}}
		if reg.Locked {
			rec.Fields = append(rec.Fields, participant.Field{Name: "answers", Value: f.answers})
		} else {
			rec.Fields = append(rec.Fields, answerFields(reg.Answers, questions, "answer: ")...)
		}
		if f.pending != "" {
			raw, err := s.vault.Open(f.pending, sealUpdate)
			if err != nil {
				return nil, fmt.Errorf("events: open registration %d: %w", reg.ID, err)
			}
			var up update
			if err := json.Unmarshal([]byte(raw), &up); err == nil {
				if up.SealedName != "" {
					if up.Name, err = s.vault.Reveal(ctx, up.SealedName, sealName); err != nil {
						return nil, fmt.Errorf("events: open registration %d: %w", reg.ID, err)
					}
					answers, err := s.vault.Reveal(ctx, up.SealedAnswers, sealAnswers)
					if err != nil {
						return nil, fmt.Errorf("events: open registration %d: %w", reg.ID, err)
					}
					if participant.IsSealedForStaff(answers) || json.Unmarshal([]byte(answers), &up.Answers) != nil {
						up.Answers = map[string]string{"": answers}
					}
				}
				rec.Fields = append(rec.Fields, participant.Field{Name: "change waiting for confirmation: name", Value: up.Name})
				rec.Fields = append(rec.Fields, answerFields(up.Answers, questions, "change waiting for confirmation: answer: ")...)
			}
		}
		out = append(out, rec)
	}
	return out, nil
}

// answerFields names answers by their question's label, in question order.
func answerFields(answers map[string]string, questions []Question, prefix string) []participant.Field {
	keys := make([]string, 0, len(answers))
	for k := range answers {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, _ := strconv.Atoi(keys[i])
		b, _ := strconv.Atoi(keys[j])
		return a < b
	})
	var out []participant.Field
	for _, k := range keys {
		label := "question " + k
		if i, err := strconv.Atoi(k); err == nil && i >= 0 && i < len(questions) {
			label = questions[i].Label
		}
		out = append(out, participant.Field{Name: prefix + label, Value: answers[k]})
	}
	return out
}

// scanWith scans the registration's columns, then extra.
func scanWith(row interface{ Scan(...any) error }, extra ...any) interface{ Scan(...any) error } {
	return scanFunc(func(dest ...any) error { return row.Scan(append(dest, extra...)...) })
}

type scanFunc func(...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

// Erase deletes the person's registrations, event by event, and keeps
// what they counted, as the purge does: the event's figures stay, and a
// place they held stays taken (nobody is moved in from the waiting list
// or told anything).
func (r *registrations) Erase(ctx context.Context, who participant.Subject) (int, error) {
	s := r.s
	hash := who.Hash(hashEmail)
	entries, err := queryInt64s(ctx, s.db, `SELECT DISTINCT entry_id FROM registrations WHERE email_hash = ?`, hash)
	if err != nil {
		return 0, fmt.Errorf("events: erase: %w", err)
	}
	total := 0
	for _, id := range entries {
		err := s.db.InTx(ctx, func(tx *db.Tx) error {
			if err := lockEvent(ctx, tx, id); err != nil {
				return err
			}
			n, err := keepCounts(ctx, tx, id, `entry_id = ? AND email_hash = ?`, id, hash)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM registrations WHERE entry_id = ? AND email_hash = ?`, id, hash); err != nil {
				return err
			}
			total += n
			return nil
		})
		if err != nil {
			return total, fmt.Errorf("events: erase from %d: %w", id, err)
		}
	}
	return total, nil
}

// Purge deletes the registrations of events that ended more than the
// retention's days before now.
func (r *registrations) Purge(ctx context.Context, now time.Time) (int, error) {
	days, err := r.retention(ctx)
	if err != nil {
		return 0, fmt.Errorf("events: retention: %w", err)
	}
	return r.s.purge(ctx, now, days)
}

// Reseal reseals every sealed column of registrations.
func (r *registrations) Reseal(ctx context.Context, reseal participant.Resealer) (int, error) {
	return participant.ResealTable(ctx, r.s.db, participant.Table{Name: "registrations", Key: "id", Columns: []participant.Column{
		{Name: "email", Context: sealEmail}, {Name: "name", Context: sealName, Staff: true}, {Name: "answers", Context: sealAnswers, Staff: true},
		{Name: "pending_update", Context: sealUpdate}, {Name: "manage_sealed", Context: sealManage}}}, reseal)
}
