package calls

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"peerpress/internal/auth"
	"peerpress/internal/db"
	"peerpress/internal/jobs"
	"peerpress/internal/participant"
)

// SeedKind is the job that stores a demo's board, applications, scores
// and decisions with the site's key and files (the demo writes the
// database alone, without them).
const SeedKind = "calls/seed"

// Seed is a closed call's review as the demo has it.
type Seed struct {
	EntryID      int64
	Board        Board
	Reviewers    []SeedReviewer
	Applications []SeedApplication
}

// SeedReviewer is a member of the demo's board: an account that cannot
// sign in until an admin invites it.
type SeedReviewer struct{ Email, Name string }

// SeedApplication is one confirmed application, with the scores of each
// reviewer (by index in Reviewers; nil: not scored) and its decision.
type SeedApplication struct {
	Email, Lang string
	Answers     map[string][]string
	// Video asks for a tiny generated film as the file field Field's.
	Video                  bool
	Field                  string
	Scores                 []map[string]int
	Decision, Category     string
	PublicName, PublicWork string
}

// EnqueueSeed has the calls area store seed in a job, in tx.
func EnqueueSeed(ctx context.Context, tx *db.Tx, seed Seed) error {
	payload, err := json.Marshal(seed)
	if err != nil {
		return fmt.Errorf("calls: seed: %w", err)
	}
	return jobs.Enqueue(ctx, tx, SeedKind, payload, time.Now())
}

// Register makes q run the demo's seed with this module's store.
func (m *Module) Register(q *jobs.Queue) {
	q.HandleWith(SeedKind, m.Store.runSeed, jobs.Options{MaxAttempts: 3, Concurrency: 1})
}

// runSeed stores a seed, once: a call with applications already is left
// alone.
func (s *Store) runSeed(ctx context.Context, payload []byte) error {
	var seed Seed
	if err := json.Unmarshal(payload, &seed); err != nil {
		return jobs.Permanent(fmt.Errorf("calls: seed payload: %w", err))
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM applications WHERE entry_id = ?`, seed.EntryID).Scan(&n); err != nil || n > 0 {
		return err
	}
	// One film, made once and kept under a key per application.
	files := make([]StoredFile, len(seed.Applications))
	var film StoredFile
	for i, a := range seed.Applications {
		if !a.Video {
			continue
		}
		if film.Key == "" {
			f, err := s.tinyVideo(ctx)
			if err != nil {
				slog.Warn("calls: demo film not made, the applications keep their links", "err", err)
				break
			}
			film = f
			defer s.Discard(film)
		}
		key, err := newFileKey("mp4")
		if err != nil {
			return err
		}
		if err := s.blobs.Copy(ctx, film.Key, key); err != nil {
			return err
		}
		files[i] = film
		files[i].Key, files[i].Field, files[i].Name = key, a.Field, fmt.Sprintf("film-%02d.mp4", i+1)
	}
	kept := false
	defer func() {
		if kept {
			return
		}
		for _, f := range files {
			if f.Key != "" {
				s.Discard(f)
			}
		}
	}()
	now := s.Now()
	err := s.quiet.InTx(ctx, func(tx *db.Tx) error {
		users := make([]int64, len(seed.Reviewers))
		for i, r := range seed.Reviewers {
			id, _, err := auth.AddWithoutPassword(ctx, tx, r.Email, r.Name, auth.RoleReviewer)
			if err != nil {
				return err
			}
			users[i] = id
			if err := AddReviewer(ctx, tx, seed.EntryID, id, now); err != nil {
				return err
			}
		}
		b := seed.Board
		if _, err := tx.ExecContext(ctx, `INSERT INTO call_boards (entry_id, blind, show_scores, per_submission, normalise, identity_days)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (entry_id) DO NOTHING`, seed.EntryID, b.Blind, b.ShowScores, b.PerSubmission, b.Normalise, b.IdentityDays); err != nil {
			return err
		}
		for i, a := range seed.Applications {
			email, err := participant.Normalize(a.Email)
			if err != nil {
				return jobs.Permanent(err)
			}
			_, manageHash := participant.NewLink()
			var id int64
			if err := tx.QueryRowContext(ctx, `INSERT INTO applications (entry_id, email_hash, email, answers, lang, status, manage_hash, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, seed.EntryID, s.vault.Hash(hashEmail, email), s.vault.Seal(email, sealEmail),
				s.sealAnswers(a.Answers), a.Lang, Confirmed, manageHash, now.Unix(), now.Unix()).Scan(&id); err != nil {
				return err
			}
			if files[i].Key != "" {
				if _, err := s.insertFile(ctx, tx, id, files[i]); err != nil {
					return err
				}
			}
			for r, scores := range a.Scores {
				if r >= len(users) {
					break
				}
				if scores == nil {
					continue
				}
				raw, _ := json.Marshal(scores)
				if _, err := tx.ExecContext(ctx, `INSERT INTO reviews (application_id, user_id, assigned_at, scores, comments, submitted_at)
					VALUES (?, ?, ?, ?, '', ?)`, id, users[r], now.Unix(), string(raw), now.Unix()); err != nil {
					return err
				}
			}
			if a.Decision != "" {
				if _, err := tx.ExecContext(ctx, `INSERT INTO application_decisions (entry_id, application_id, decision, category, decided_at, notified_at,
					public_name, public_work, published) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, seed.EntryID, id, a.Decision, a.Category, now.Unix(), now.Unix(),
					a.PublicName, a.PublicWork, a.PublicName != ""); err != nil {
					return err
				}
			}
		}
		kept = true
		return nil
	})
	if err != nil {
		kept = false
		return fmt.Errorf("calls: seed: %w", err)
	}
	return nil
}

// tinyVideo makes a two-second film of a test pattern, 160 × 90 at ten
// frames a second (some 20 kB), and keeps it as an uploaded film would
// be kept.
func (s *Store) tinyVideo(ctx context.Context) (StoredFile, error) {
	dir, err := s.stagingDir()
	if err != nil {
		return StoredFile{}, err
	}
	path := filepath.Join(dir, "demo-film.mp4")
	defer os.Remove(path)
	cmd := exec.CommandContext(ctx, "ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=duration=2:size=160x90:rate=10", // #nosec G204 -- fixed program and flags; a path the store named
		"-c:v", "mpeg4", "-pix_fmt", "yuv420p", "-an", "-movflags", "+faststart", "-map_metadata", "-1", "--", path)
	if out, err := cmd.CombinedOutput(); err != nil {
		return StoredFile{}, fmt.Errorf("calls: demo film: %v: %s", err, out)
	}
	f, err := os.Open(path) // #nosec G304 -- a file the store named in its staging folder
	if err != nil {
		return StoredFile{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return StoredFile{}, err
	}
	key, err := newFileKey("mp4")
	if err != nil {
		return StoredFile{}, err
	}
	if err := s.blobs.Put(ctx, key, f, st.Size(), videoTypes["mp4"]); err != nil {
		return StoredFile{}, err
	}
	return StoredFile{Key: key, Type: videoTypes["mp4"], Size: st.Size(), Duration: 2}, nil
}

// newFileKey names a new kept file of an application.
func newFileKey(ext string) (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return "applications/" + hex.EncodeToString(b[:]) + "." + ext, nil
}
