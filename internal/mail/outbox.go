package mail

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"time"

	"peerpress/internal/auth"
	"peerpress/internal/db"
	"peerpress/internal/participant"
	"peerpress/internal/web"
)

// OutboxRetention is how long the outbox keeps a message: long enough to
// follow a confirmation link in a demo, short enough not to become a list
// of people.
const OutboxRetention = 7 * 24 * time.Hour

// toOutbox keeps a message, still sealed, where admins can read it.
func (m *Mailer) toOutbox(ctx context.Context, raw string, msg Message) error {
	return m.db.InTx(ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO outbox (message, created_at) VALUES (?, ?)`,
			m.box.SealString(raw, sealContext), time.Now().Unix())
		if err != nil {
			return fmt.Errorf("mail: outbox: %w", err)
		}
		return nil
	})
}

// Stored is a message in the outbox.
type Stored struct {
	ID        int64
	CreatedAt time.Time
	Message
}

// Outbox lists the newest messages in the outbox, opened.
func (m *Mailer) Outbox(ctx context.Context, limit int) ([]Stored, error) {
	rows, err := m.db.QueryContext(ctx, `SELECT id, message, created_at FROM outbox ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("mail: outbox: %w", err)
	}
	defer rows.Close()
	var out []Stored
	for rows.Next() {
		var s Stored
		var sealed string
		var created int64
		if err := rows.Scan(&s.ID, &sealed, &created); err != nil {
			return nil, err
		}
		raw, err := m.box.OpenString(sealed, sealContext)
		if err != nil {
			return nil, fmt.Errorf("mail: outbox message %d: %w", s.ID, err)
		}
		if err := json.Unmarshal([]byte(raw), &s.Message); err != nil {
			return nil, fmt.Errorf("mail: outbox message %d: %w", s.ID, err)
		}
		s.CreatedAt = time.Unix(created, 0).UTC()
		out = append(out, s)
	}
	return out, rows.Err()
}

// PurgeOutbox deletes messages older than the retention period.
func (m *Mailer) PurgeOutbox(ctx context.Context, now time.Time) (int64, error) {
	res, err := m.db.ExecContext(ctx, `DELETE FROM outbox WHERE created_at < ?`, now.Add(-OutboxRetention).Unix())
	if err != nil {
		return 0, fmt.Errorf("mail: purge outbox: %w", err)
	}
	return res.RowsAffected()
}

//go:embed templates/*.html
var templates embed.FS

// OutboxPage serves the admin's view of the outbox.
type OutboxPage struct {
	mailer *Mailer
	rd     *web.Renderer
	tmpl   map[string]*template.Template
}

// NewOutboxPage parses the outbox template.
func NewOutboxPage(m *Mailer, rd *web.Renderer) (*OutboxPage, error) {
	tmpl, err := rd.Templates(templates, "templates/*.html")
	if err != nil {
		return nil, err
	}
	return &OutboxPage{mailer: m, rd: rd, tmpl: tmpl}, nil
}

type outboxData struct {
	web.Page
	Messages  []Stored
	UsesSMTP  bool
	Retention int // days
}

// Routes declares the outbox page, for admins only: it holds addresses
// and private links.
func (o *OutboxPage) Routes(rs *web.Routes) {
	rs.Admin("GET /admin/outbox", o.Show, web.Need(auth.ManageSite))
}

// Show serves GET /admin/outbox.
func (o *OutboxPage) Show(w http.ResponseWriter, r *http.Request) error {
	msgs, err := o.mailer.Outbox(r.Context(), 200)
	if err != nil {
		return err
	}
	// The messages are opened personal data: in the audit log first.
	u, _ := auth.UserFrom(r.Context())
	if err := participant.NewAudit(o.mailer.db.DB).Record(r.Context(), participant.Access{UserID: u.ID, Action: "mail/outbox", Holder: "mail/queue", Records: len(msgs)}); err != nil {
		return err
	}
	p := o.rd.AdminPage(r)
	p.Title = p.L.T("admin.outbox")
	p.NoIndex = true
	return o.rd.Render(w, http.StatusOK, o.tmpl["outbox"], outboxData{Page: p, Messages: msgs, UsesSMTP: !o.mailer.UsesOutbox(), Retention: int(OutboxRetention / (24 * time.Hour))})
}
