package guard

import (
	"context"
	"net/url"
	"testing"
	"time"

	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
)

// Two instances of the site on one database: a challenge used on one is
// refused on the other, either way round, and the database keeps only
// the challenge's hash.
func TestSingleUseAcrossInstances(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		const form = "letter.sign"
		clk := &clock{t: time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)}
		key := []byte("the key every instance derives from the site key")
		opt := Options{Rate: 100, Burst: 100, Now: clk.Now}
		one := New(key, NewDBStore(d), opt)
		two := New(key, NewDBStore(dbtest.OpenSecond(t, d)), opt)
		for _, order := range [][2]*Guard{{one, two}, {two, one}} {
			first, second := order[0], order[1]
			c := challengeOf(t, string(first.Fields(form)))
			clk.Add(5 * time.Second)
			v := url.Values{ChallengeField: {c}}
			if _, err := first.Check(post("192.0.2.1:5000", v), form); err != nil {
				t.Fatalf("first use: %v", err)
			}
			_, err := second.Check(post("192.0.2.1:5000", v), form)
			if got := refusal(t, err); got != KeyUsed {
				t.Fatalf("replayed on the other instance: refusal %q, want %q", got, KeyUsed)
			}
			var stored int
			if err := d.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM guard_used WHERE challenge_hash = ?`, c).Scan(&stored); err != nil || stored != 0 {
				t.Fatalf("the challenge itself is stored (%d rows, %v)", stored, err)
			}
		}
	})
}

// Expired challenges are purged, a few minutes after their expiry so that
// an instance whose clock is behind cannot take one again; fresh ones stay.
func TestPurgeUsed(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := NewDBStore(d)
		now := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
		for i, exp := range []time.Time{now.Add(-time.Hour), now.Add(-time.Minute), now.Add(time.Hour)} {
			if ok, err := s.Use(ctx, challengeHash(string(rune('a'+i))), exp); !ok || err != nil {
				t.Fatalf("use %d: %v %v", i, ok, err)
			}
		}
		if n, err := s.Purge(ctx, now); n != 1 || err != nil {
			t.Fatalf("purged %d (%v), want the one expired an hour ago", n, err)
		}
		if ok, _ := s.Use(ctx, challengeHash("b"), now.Add(time.Hour)); ok {
			t.Fatal("a challenge expired a minute ago was forgotten")
		}
		if ok, _ := s.Use(ctx, challengeHash("a"), now.Add(time.Hour)); !ok {
			t.Fatal("the purged challenge is still held")
		}
	})
}
