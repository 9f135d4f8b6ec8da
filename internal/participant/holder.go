package participant

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Sealed is anything that keeps values sealed with the site key. Reseal
// seals every one of them again with the current key through reseal, in
// batches, each in a transaction, so that an interrupted rotation starts
// again where it stopped; it returns how many values it changed.
type Sealed interface {
	Name() string // "events/registrations", "mail/queue"
	Reseal(ctx context.Context, reseal Resealer) (int, error)
}

// Resealer opens a sealed value of the column context names and seals it
// with the current key — the organisation's key for a staff column
// (Column.Staff) when the site has one; changed is false when the value
// is where it belongs already.
type Resealer func(sealed, context string, staff bool) (out string, changed bool, err error)

// Holder is a feature that holds personal data about people it knows by
// their email. Each implements it for its own tables.
type Holder interface {
	Sealed
	// Find opens everything held about the person, for staff to see or
	// export.
	Find(ctx context.Context, who Subject) ([]Record, error)
	// Erase deletes (or anonymises, keeping counts) everything held
	// about the person and returns how many records went.
	Erase(ctx context.Context, who Subject) (int, error)
	// Purge applies the holder's retention rule at now and returns how
	// many records it deleted.
	Purge(ctx context.Context, now time.Time) (int, error)
}

// Record is one thing a holder keeps about a person, opened.
type Record struct {
	Holder  string    `json:"holder"`
	ID      int64     `json:"id"`
	About   string    `json:"about"` // what it belongs to: "event 12: Harm reduction in prisons"
	Created time.Time `json:"created"`
	Fields  []Field   `json:"fields"`
}

// Field is one named value of a record, in the holder's order.
type Field struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Locked reports whether the value is still sealed to the organisation's
// key (the request had not unlocked it): a page shows a placeholder, an
// export carries it for `peerpress unseal`.
func (f Field) Locked() bool { return IsSealedForStaff(f.Value) }

// Registry is the site's personal data: the vault it is sealed with, the
// features that hold it, and the log of staff access to it.
type Registry struct {
	Vault *Vault
	Audit *Audit
	// Keys holds the organisation's key unlocked by staff sessions; nil
	// where no session can unlock (the command line).
	Keys  *Keyring
	items []Sealed
}

// NewRegistry returns a registry over the vault and the audit log; Add
// registers what holds data.
func NewRegistry(v *Vault, audit *Audit) *Registry {
	return &Registry{Vault: v, Audit: audit}
}

// Add registers things that keep sealed values. Those that are Holders
// also take part in look-ups, erasure and purges.
func (r *Registry) Add(items ...Sealed) {
	r.items = append(r.items, items...)
}

// Holders lists the registered holders, in the order they were added.
func (r *Registry) Holders() []Holder {
	var out []Holder
	for _, it := range r.items {
		if h, ok := it.(Holder); ok {
			out = append(out, h)
		}
	}
	return out
}

// Subject normalises an email into the person to look up.
func (r *Registry) Subject(email string) (Subject, error) { return r.Vault.Subject(email) }

// Find collects what every holder has about the person, each record
// marked with its holder's name.
func (r *Registry) Find(ctx context.Context, who Subject) ([]Record, error) {
	var out []Record
	for _, h := range r.Holders() {
		recs, err := h.Find(ctx, who)
		if err != nil {
			return nil, fmt.Errorf("participant: find in %s: %w", h.Name(), err)
		}
		for i := range recs {
			recs[i].Holder = h.Name()
		}
		out = append(out, recs...)
	}
	return out, nil
}

// Count is how many records one holder had.
type Count struct {
	Holder string `json:"holder"`
	N      int    `json:"records"`
}

// Erase erases the person from every holder and says how many records
// each had. It goes on past a holder that fails, so that one broken
// feature does not keep the others' data; running it again is harmless.
func (r *Registry) Erase(ctx context.Context, who Subject) ([]Count, error) {
	var out []Count
	var errs []error
	for _, h := range r.Holders() {
		n, err := h.Erase(ctx, who)
		if err != nil {
			errs = append(errs, fmt.Errorf("participant: erase in %s: %w", h.Name(), err))
		}
		out = append(out, Count{Holder: h.Name(), N: n})
	}
	return out, errors.Join(errs...)
}

// PurgeAll applies every holder's retention rule at now, and returns how
// many records went in all. A holder that fails does not stop the others.
func (r *Registry) PurgeAll(ctx context.Context, now time.Time) ([]Count, error) {
	var out []Count
	var errs []error
	for _, h := range r.Holders() {
		n, err := h.Purge(ctx, now)
		if err != nil {
			errs = append(errs, fmt.Errorf("participant: purge %s: %w", h.Name(), err))
		}
		if n > 0 {
			out = append(out, Count{Holder: h.Name(), N: n})
		}
	}
	return out, errors.Join(errs...)
}

// Reseal seals every value of everything registered again with the
// vault's current key, and says how many values each changed. It stops
// at the first failure: a value no key opens must be looked at before
// the old key is thrown away.
func (r *Registry) Reseal(ctx context.Context) ([]Count, error) {
	var out []Count
	for _, it := range r.items {
		n, err := it.Reseal(ctx, r.Vault.resealFor)
		out = append(out, Count{Holder: it.Name(), N: n})
		if err != nil {
			return out, fmt.Errorf("participant: reseal %s: %w", it.Name(), err)
		}
	}
	return out, nil
}

// SealForStaff moves what staff need and the server does not (the
// columns marked Staff) from the site key to the organisation's key, and
// says how many values each holder moved; nothing else is touched, so it
// is safe on any instance at any time, even in the middle of a site key
// rotation. Without an organisation key it does nothing. It catches what
// was sealed before the key was set, or by an instance that still ran
// without it.
func (r *Registry) SealForStaff(ctx context.Context) ([]Count, error) {
	if r.Vault.org == nil {
		return nil, nil
	}
	var out []Count
	for _, it := range r.items {
		n, err := it.Reseal(ctx, r.Vault.toOrgKey)
		out = append(out, Count{Holder: it.Name(), N: n})
		if err != nil {
			return out, fmt.Errorf("participant: seal for staff %s: %w", it.Name(), err)
		}
	}
	return out, nil
}

// Export is what the site holds about one person, as staff hand it to
// them: JSON, one record per thing held.
type Export struct {
	Email      string    `json:"email"`
	ExportedAt time.Time `json:"exported_at"`
	Records    []Record  `json:"records"`
}

// Disclose finds what every holder has about who for a staff member
// (userID; 0 for the command line) and records the access (action: view
// or export) in the audit log, before anything is shown: an access that
// cannot be recorded does not happen.
func (r *Registry) Disclose(ctx context.Context, userID int64, action string, who Subject) (Export, error) {
	recs, err := r.Find(ctx, who)
	if err != nil {
		return Export{}, err
	}
	if err := r.Audit.RecordLookup(ctx, userID, action, who, CountRecords(recs)); err != nil {
		return Export{}, err
	}
	return Export{Email: who.Email(), ExportedAt: time.Now().UTC().Truncate(time.Second), Records: recs}, nil
}

// EraseRecorded erases who from every holder for a staff member and
// records what went in the audit log.
func (r *Registry) EraseRecorded(ctx context.Context, userID int64, who Subject) ([]Count, error) {
	counts, err := r.Erase(ctx, who)
	if aerr := r.Audit.RecordLookup(ctx, userID, ActionErase, who, counts); aerr != nil {
		err = errors.Join(err, aerr)
	}
	return counts, err
}
