package participant

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/secret"
)

func newVault(t *testing.T) *Vault {
	t.Helper()
	box, err := secret.Open(secret.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	return NewVault(box)
}

// The normaliser folds what every copy before it folded, in the same way,
// so hashes stored by events, letters and campaigns still match; and it
// refuses what is not one address.
func TestNormalize(t *testing.T) {
	old := func(s string) string { return strings.ToLower(strings.TrimSpace(s)) } // the four copies it replaces
	for _, in := range []string{"ana@example.org", "  Ana.Lopez@Example.ORG \n", "KIN+wall@example.org", "x@localhost", "ÉLODIE@exemple.fr"} {
		got, err := Normalize(in)
		if err != nil {
			t.Errorf("Normalize(%q): %v", in, err)
			continue
		}
		if got != old(in) {
			t.Errorf("Normalize(%q) = %q; the stored hashes were made from %q", in, got, old(in))
		}
	}
	for _, in := range []string{"", "   ", "ana", "Ana <ana@example.org>", "<ana@example.org>", "a@example.org, b@example.org",
		strings.Repeat("a", 250) + "@example.org"} {
		if got, err := Normalize(in); !errors.Is(err, ErrInvalidEmail) {
			t.Errorf("Normalize(%q) = %q, %v; want ErrInvalidEmail", in, got, err)
		}
	}
}

func TestVaultAndSubject(t *testing.T) {
	v := newVault(t)
	sealed := v.Seal("Ana", "test.name")
	if strings.Contains(sealed, "Ana") {
		t.Fatal("sealed value holds the plaintext")
	}
	if got, err := v.Open(sealed, "test.name"); err != nil || got != "Ana" {
		t.Fatalf("open: %q %v", got, err)
	}
	if v.SealOptional("", "c") != "" {
		t.Fatal("nothing sealed into something")
	}
	if got, err := v.Open("", "c"); err != nil || got != "" {
		t.Fatal("nothing does not open to nothing")
	}
	a, err := v.Subject("  Ana@Example.org")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := v.Subject("ana@example.org")
	if a.Hash("p") != b.Hash("p") || a.Hash("p") != v.Hash("p", "ana@example.org") || a.Hash("p") == a.Hash("q") {
		t.Fatal("a subject's hashes do not follow the vault's")
	}
	if !a.Is("ANA@example.org ") || a.Is("anna@example.org") || a.Is("junk") {
		t.Fatal("Subject.Is compares wrongly")
	}
	if a.AuditKey() == a.Hash("events:registration-email") || strings.Contains(a.AuditKey(), "ana") {
		t.Fatal("the audit key is another purpose's hash, or shows the address")
	}
	if _, err := v.Subject("not an address"); !errors.Is(err, ErrInvalidEmail) {
		t.Fatal("a subject from junk")
	}
}

func TestLinks(t *testing.T) {
	tok, hash := NewLink()
	other, _ := NewLink()
	if tok == other || len(tok) != 43 || !ValidToken(tok) {
		t.Fatalf("token %q", tok)
	}
	if hash == tok || strings.Contains(hash, tok) || LinkHash(tok) != hash {
		t.Fatal("the stored hash is not the token's hash")
	}
	hs := LookupHashes(tok)
	if len(hs) != 2 || hs[0] != hash || len(hs[1]) != 64 {
		t.Fatalf("lookup hashes %v", hs)
	}
	for _, junk := range []string{"", "short", tok + "A", strings.Repeat("!", 43)} {
		if ValidToken(junk) || LookupHashes(junk) != nil {
			t.Errorf("%q passes as a token", junk)
		}
	}
}

// fakeHolder is a holder of a few names, which may fail.
type fakeHolder struct {
	name   string
	held   map[string]int
	fail   error
	purged int
}

func (f *fakeHolder) Name() string { return f.name }
func (f *fakeHolder) Find(_ context.Context, who Subject) ([]Record, error) {
	var out []Record
	for i := 0; i < f.held[who.Hash(f.name)]; i++ {
		out = append(out, Record{ID: int64(i + 1), Fields: []Field{{"n", fmt.Sprint(i)}}})
	}
	return out, f.fail
}
func (f *fakeHolder) Erase(_ context.Context, who Subject) (int, error) {
	if f.fail != nil {
		return 0, f.fail
	}
	n := f.held[who.Hash(f.name)]
	delete(f.held, who.Hash(f.name))
	return n, nil
}
func (f *fakeHolder) Purge(context.Context, time.Time) (int, error) {
	if f.fail != nil {
		return 0, f.fail
	}
	f.purged++
	return 1, nil
}
func (f *fakeHolder) Reseal(context.Context, Resealer) (int, error) { return 0, nil }

type sealedOnly struct{ resealed bool }

func (s *sealedOnly) Name() string { return "mail/queue" }
func (s *sealedOnly) Reseal(context.Context, Resealer) (int, error) {
	s.resealed = true
	return 3, nil
}

// The registry finds and erases across holders, purges every holder even
// when one fails, and reseals what is only sealed as well.
func TestRegistry(t *testing.T) {
	v := newVault(t)
	ctx := context.Background()
	who, _ := v.Subject("ana@example.org")
	a := &fakeHolder{name: "a.things", held: map[string]int{who.Hash("a.things"): 2}}
	b := &fakeHolder{name: "b.things", held: map[string]int{who.Hash("b.things"): 1}}
	broken := &fakeHolder{name: "c.broken", fail: errors.New("boom")}
	mailq := &sealedOnly{}
	r := NewRegistry(v, nil)
	r.Add(a, mailq, b)
	if len(r.Holders()) != 2 {
		t.Fatalf("holders: %d", len(r.Holders()))
	}
	recs, err := r.Find(ctx, who)
	if err != nil || len(recs) != 3 || recs[0].Holder != "a.things" || recs[2].Holder != "b.things" {
		t.Fatalf("find: %+v %v", recs, err)
	}
	if c := CountRecords(recs); len(c) != 2 || c[0] != (Count{"a.things", 2}) || c[1] != (Count{"b.things", 1}) {
		t.Fatalf("counts %v", c)
	}
	counts, err := r.Erase(ctx, who)
	if err != nil || len(counts) != 2 || counts[0].N != 2 || counts[1].N != 1 {
		t.Fatalf("erase: %v %v", counts, err)
	}
	if recs, _ := r.Find(ctx, who); len(recs) != 0 {
		t.Fatalf("found after erasure: %v", recs)
	}
	r.Add(broken)
	purged, err := r.PurgeAll(ctx, time.Now())
	if err == nil || !strings.Contains(err.Error(), "c.broken") || a.purged != 1 || b.purged != 1 || len(purged) != 2 {
		t.Fatalf("purge: %v %v", purged, err)
	}
	if _, err := r.Reseal(ctx); err != nil || !mailq.resealed {
		t.Fatalf("reseal: %v", err)
	}
}

// ResealTable moves every value to the current key in batches, leaves
// empty values empty, and a second run changes nothing.
func TestResealTable(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if _, err := d.ExecContext(ctx, `CREATE TABLE reseal_test (id INTEGER PRIMARY KEY, a TEXT NOT NULL, b TEXT NOT NULL, kind TEXT NOT NULL)`); err != nil {
			t.Fatal(err)
		}
		oldKey, newKey := secret.NewKey(), secret.NewKey()
		old, _ := secret.Open(oldKey)
		const rows = resealBatch*2 + 7
		for i := 1; i <= rows; i++ {
			b := ""
			if i%2 == 0 {
				b = old.SealString(fmt.Sprint("b", i), "t.b")
			}
			kind := "x"
			if i == rows {
				kind = "other" // left alone by the Where
			}
			if _, err := d.ExecContext(ctx, `INSERT INTO reseal_test (id, a, b, kind) VALUES (?, ?, ?, ?)`, i, old.SealString(fmt.Sprint("a", i), "t.a"), b, kind); err != nil {
				t.Fatal(err)
			}
		}
		ring, _ := secret.OpenRing(newKey, oldKey)
		table := Table{Name: "reseal_test", Key: "id", Where: "kind = 'x'", Columns: []Column{{Name: "a", Context: "t.a"}, {Name: "b", Context: "t.b"}}}
		n, err := ResealTable(ctx, d, table, func(s, c string, _ bool) (string, bool, error) { return ring.Reseal(s, c) })
		if want := (rows - 1) + (rows-1)/2; err != nil || n != want {
			t.Fatalf("resealed %d, %v; want %d", n, err, want)
		}
		if n, err := ResealTable(ctx, d, table, func(s, c string, _ bool) (string, bool, error) { return ring.Reseal(s, c) }); err != nil || n != 0 {
			t.Fatalf("second run resealed %d, %v", n, err)
		}
		fresh, _ := secret.Open(newKey)
		rs, err := d.QueryContext(ctx, `SELECT id, a, b, kind FROM reseal_test ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rs.Close()
		for rs.Next() {
			var id int
			var a, b, kind string
			rs.Scan(&id, &a, &b, &kind)
			if kind == "other" {
				if secret.SealedWith(a) != old.KeyID() {
					t.Error("a row outside Where was resealed")
				}
				continue
			}
			if got, err := fresh.OpenString(a, "t.a"); err != nil || got != fmt.Sprint("a", id) {
				t.Errorf("row %d a: %q %v", id, got, err)
			}
			if id%2 == 1 && b != "" {
				t.Errorf("row %d: an empty value was sealed", id)
			}
			if _, err := old.OpenString(a, "t.a"); err == nil {
				t.Errorf("row %d still opens with the old key", id)
			}
		}
		// A value no key opens stops the run and says where.
		d.ExecContext(ctx, `UPDATE reseal_test SET a = ? WHERE id = 3`, "$zzzzzzzz$AAAA")
		d.ExecContext(ctx, `UPDATE reseal_test SET a = ? WHERE id = 4`, old.SealString("again", "t.a"))
		if _, err := ResealTable(ctx, d, table, func(s, c string, _ bool) (string, bool, error) { return ring.Reseal(s, c) }); err == nil || !strings.Contains(err.Error(), "id 3 a") {
			t.Fatalf("a value no key opens: %v", err)
		}
	})
}

// The audit log records who opened what without the data, and pages
// newest first.
func TestAudit(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		v := newVault(t)
		a := NewAudit(d)
		who, _ := v.Subject("canary.zq7@example.org")
		if err := a.RecordLookup(ctx, 7, ActionExport, who, []Count{{"events/registrations", 2}, {"letter/signatures", 0}}); err != nil {
			t.Fatal(err)
		}
		if err := a.RecordLookup(ctx, 0, ActionView, who, nil); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 3; i++ {
			if err := a.Record(ctx, Access{UserID: 7, Action: "events/registrants_csv", Holder: "events/registrations", Target: "entry 4", Records: 12}); err != nil {
				t.Fatal(err)
			}
		}
		page, total, err := a.Page(ctx, 1, 4)
		if err != nil || total != 5 || len(page) != 4 {
			t.Fatalf("page 1: %d of %d, %v", len(page), total, err)
		}
		if page[0].Action != "events/registrants_csv" || page[0].Records != 12 || page[0].Target != "entry 4" {
			t.Fatalf("newest: %+v", page[0])
		}
		if page[3].Action != ActionView || !page[3].ByCLI() || page[3].Subject != who.AuditKey() || page[3].Holder != "" {
			t.Fatalf("cli look-up: %+v", page[3])
		}
		last, _, _ := a.Page(ctx, 2, 4)
		if len(last) != 1 || last[0].Holder != "events/registrations" || last[0].Records != 2 || last[0].UserID != 7 {
			t.Fatalf("page 2: %+v", last)
		}
		var dump strings.Builder
		rows, _ := d.QueryContext(ctx, `SELECT action, holder, target, subject FROM audit_log`)
		for rows.Next() {
			var x [4]string
			rows.Scan(&x[0], &x[1], &x[2], &x[3])
			dump.WriteString(strings.Join(x[:], " "))
		}
		rows.Close()
		if strings.Contains(strings.ToLower(dump.String()), "canary") {
			t.Fatal("the audit log holds the email looked up")
		}
	})
}
