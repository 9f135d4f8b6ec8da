package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"peerpress/internal/db"
)

// restart is mode restart: while people register and sign through -lb
// and visitors read the home page, it runs the command that restarts the
// database, and checks that no answer was a 500 (a form or page met while
// the database was away answers 503), that readiness went 503 and came
// back, that every acknowledged submission is stored, that submissions
// are acknowledged again after the restart, and that the job queue drains
// (the instances were not restarted).
func (c *check) restart(dbURL, command string) error {
	start := time.Now()
	if command == "" {
		return errors.New("mode restart needs -restart")
	}
	ctx := context.Background()
	d, err := db.Open(ctx, dbURL)
	if err != nil {
		return err
	}
	defer d.Close()
	stored := func() (int64, error) {
		var n int64
		err := d.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM registrations) + (SELECT COUNT(*) FROM signatures)`).Scan(&n)
		return n, err
	}
	before, err := stored()
	if err != nil {
		return err
	}
	var acked, unavailable, refused, broken, reads, readFails atomic.Int64
	var readyDown, readyBack atomic.Bool
	var seq atomic.Int64
	stop := make(chan struct{})
	stopped := func() bool {
		select {
		case <-stop:
			return true
		default:
			return false
		}
	}
	var wg sync.WaitGroup
	for w := range 12 {
		wg.Go(func() {
			for !stopped() {
				n := seq.Add(1)
				person := fmt.Sprintf("10.%d.%d.%d", n>>16&255, n>>8&255, n&255)
				email := fmt.Sprintf("restart%d-%d@example.org", start.UnixNano(), n) // new in each run: a second registration is answered alike, and not stored
				path, form := event, url.Values{"name": {"Restart " + strconv.FormatInt(n, 10)}, "email": {email},
					"q0": {"Coastal Harm Reduction Trust"}, "q1": {"ru"}, "q2": {"Africa"}, "q3": {""}, "q4": {"yes"}, "consent": {"yes"}}
				if w%2 == 1 {
					path, form = statement, url.Values{"kind": {"individual"}, "name": {"Restart " + strconv.FormatInt(n, 10)},
						"country": {"UG"}, "email": {email}, "consent": {"yes"}}
				}
				switch code := submit(c.lb, path, person, form); {
				case code == http.StatusSeeOther || code == http.StatusOK:
					acked.Add(1)
				case code == http.StatusServiceUnavailable:
					unavailable.Add(1)
				case code >= 400 && code < 500:
					refused.Add(1)
				default:
					broken.Add(1)
				}
			}
		})
	}
	wg.Go(func() {
		for !stopped() {
			r, err := get(http.DefaultClient, c.lb+"/en/")
			reads.Add(1)
			if err != nil || r.status != http.StatusOK {
				readFails.Add(1)
			}
		}
	})
	wg.Go(func() {
		for !stopped() {
			r, err := get(http.DefaultClient, c.lb+"/readyz")
			switch {
			case err == nil && r.status == http.StatusServiceUnavailable:
				readyDown.Store(true)
			case err == nil && r.status == http.StatusOK && readyDown.Load():
				readyBack.Store(true)
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
	time.Sleep(c.dur)
	ackedBefore := acked.Load()
	began := time.Now()
	cmd := exec.Command("sh", "-c", command) // #nosec G204 -- the script's own command
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		close(stop)
		wg.Wait()
		return fmt.Errorf("restart the database: %w", err)
	}
	fmt.Printf("...  the database restarted (%s) after %d acknowledged submissions\n", time.Since(began).Round(10*time.Millisecond), ackedBefore)
	ackedAtRestart := acked.Load()
	time.Sleep(2 * c.dur)
	close(stop)
	wg.Wait()
	after, err := stored()
	if err != nil {
		return err
	}
	fmt.Printf("     %d submissions acknowledged (%d after the restart), %d answered 503 (try again), %d refused, %d failed otherwise; %d stored\n",
		acked.Load(), acked.Load()-ackedAtRestart, unavailable.Load(), refused.Load(), broken.Load(), after-before)
	fmt.Printf("     home page (cached): %d loads, %d not 200\n", reads.Load(), readFails.Load())
	switch {
	case broken.Load() > 0:
		return fmt.Errorf("%d submissions got a 500 or no answer", broken.Load())
	case after-before < acked.Load():
		return fmt.Errorf("%d acknowledged submissions are not in the database", acked.Load()-(after-before))
	case acked.Load() == ackedAtRestart:
		return errors.New("no submission was acknowledged after the restart")
	case readFails.Load() > 0:
		return fmt.Errorf("%d loads of the cached home page failed", readFails.Load())
	case !readyDown.Load() || !readyBack.Load():
		return fmt.Errorf("/readyz: went 503 %v, came back %v", readyDown.Load(), readyBack.Load())
	}
	fmt.Println("ok   no 500, no acknowledged submission lost, /readyz 503 then 200, the cached home page served throughout")
	// The queue (confirmation mail) drains without a restart of peerpress:
	// the jobs the submissions made, that is (the demo's own kinds wait
	// for a demo process).
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		var pending int
		if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM jobs WHERE state = 'pending' AND run_at <= ? AND created_at >= ?`, time.Now().Unix(), start.Unix()).Scan(&pending); err != nil {
			return err
		}
		if pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			rows, err := d.QueryContext(ctx, `SELECT kind, attempts, locked_until - ?, last_error FROM jobs WHERE state = 'pending' AND run_at <= ? AND created_at >= ?`, time.Now().Unix(), time.Now().Unix(), start.Unix())
			if err == nil {
				for rows.Next() {
					var kind, last string
					var attempts, lockedFor int64
					if rows.Scan(&kind, &attempts, &lockedFor, &last) == nil {
						fmt.Printf("     pending: %s, %d attempts, locked for %d s more, last error %.80q\n", kind, attempts, lockedFor, last)
					}
				}
				rows.Close()
			}
			return fmt.Errorf("%d due jobs still pending a minute after the restart", pending)
		}
	}
	fmt.Println("ok   the job queue drained after the restart")
	return nil
}
