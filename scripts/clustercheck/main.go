// Command clustercheck checks that several peerpress instances on one
// database and one bucket behave as one site, through the load balancer
// in front of them and through each instance directly, and measures them.
// scripts/cluster starts what it needs and runs it; it is not meant to be
// run by hand.
//
//	clustercheck -lb URL -instances URL,URL,URL -pids PID,PID,PID -password PW -database URL [-mode checks|bench]
//
// Mode checks: a session made on one instance works on the others; an
// upload through one is served by the others; a write through one shows
// on every instance (the time it takes, its p50/p99/max); then, while
// people register for an event and sign a statement through the load
// balancer, one instance is killed with SIGKILL: every acknowledged
// submission must be in the database, and the others keep serving.
// Mode bench: throughput and p99 of the home, an entry and an archive
// page through the load balancer.
//
// The load balancer must set the header the instances read as the
// visitor's address (--client-ip-header) from X-Cluster-Client, so that
// each simulated person has an address of their own for the forms' rate
// limit: a test rig's setting, never a site's.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"peerpress/internal/db"
	"peerpress/internal/guard"
)

const (
	event     = "/en/events/register/webinar-naloxone-in-the-hands-of-peers"
	statement = "/en/statements/joint-statement-hepatitis-c-cure-not-a-luxury/sign"
	// difficulty is the guard's proof of work (internal/app: 13 bits).
	difficulty = 13
	// formWait is how long a person takes to fill in a form: the guard
	// refuses forms sent sooner (3 s).
	formWait = 3100 * time.Millisecond
)

func main() {
	lb := flag.String("lb", "", "the load balancer's address")
	insts := flag.String("instances", "", "the instances' addresses, comma-separated")
	pids := flag.String("pids", "", "the instances' process ids, in the same order")
	password := flag.String("password", "", "the demo administrator's password")
	dbURL := flag.String("database", "", "the database the instances share")
	mode := flag.String("mode", "checks", "checks, bench or restart")
	restart := flag.String("restart", "", "mode restart: the shell command that restarts the database")
	label := flag.String("label", "", "a label for the bench rows (cold, warm)")
	dur := flag.Duration("duration", 5*time.Second, "how long each measurement runs")
	flag.Parse()
	c := &check{lb: *lb, instances: strings.Split(*insts, ","), password: *password, dur: *dur}
	var err error
	switch *mode {
	case "checks":
		err = c.run(*dbURL, *pids)
	case "bench":
		err = c.bench(*label)
	case "restart":
		err = c.restart(*dbURL, *restart)
	default:
		err = fmt.Errorf("unknown mode %q", *mode)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "FAIL:", err)
		os.Exit(1)
	}
}

type check struct {
	lb        string
	instances []string
	password  string
	dur       time.Duration
}

var client = &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func (c *check) run(dbURL, pidList string) error {
	ctx := context.Background()
	jar, admin, csrf, err := c.signIn(c.instances[0])
	if err != nil {
		return err
	}
	// 1. A session made on one instance works on every other.
	for _, inst := range c.instances[1:] {
		res, err := get(admin, inst+"/admin/")
		if err != nil {
			return err
		}
		if res.status != http.StatusOK || !strings.Contains(res.body, "csrf") {
			return fmt.Errorf("the session made on %s is not known on %s: %d", c.instances[0], inst, res.status)
		}
	}
	fmt.Printf("ok   a session made on %s works on the %d others\n", c.instances[0], len(c.instances)-1)
	_ = jar

	// 2. An upload through one instance is served by every other.
	id, entryPath, err := firstEntry(c.lb)
	if err != nil {
		return err
	}
	mediaPath, err := uploadImage(admin, c.instances[1], id, csrf)
	if err != nil {
		return err
	}
	for _, inst := range c.instances {
		res, err := get(http.DefaultClient, inst+mediaPath)
		if err != nil {
			return err
		}
		if res.status != http.StatusOK || !strings.HasPrefix(res.header.Get("Content-Type"), "image/") {
			return fmt.Errorf("the image uploaded through %s: %s answers %d", c.instances[1], inst, res.status)
		}
	}
	fmt.Printf("ok   an image uploaded through %s is served by every instance (%s)\n", c.instances[1], mediaPath)

	// 3. A write through one instance shows on every instance's page.
	token, err := apiToken(admin, c.instances[0], csrf)
	if err != nil {
		return err
	}
	var lags []time.Duration
	for i := range 30 {
		through := c.instances[i%len(c.instances)]
		title := fmt.Sprintf("Cluster check %d %d", time.Now().UnixNano(), i)
		body, _ := json.Marshal(map[string]string{"title": title})
		req, _ := http.NewRequest(http.MethodPatch, through+"/api/v1/entries/"+strconv.FormatInt(id, 10), bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		res, err := client.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return fmt.Errorf("PATCH the entry through %s: %d", through, res.StatusCode)
		}
		written := time.Now()
		var wg sync.WaitGroup
		var mu sync.Mutex
		var failed error
		for _, inst := range c.instances {
			wg.Go(func() {
				for {
					r, err := get(http.DefaultClient, inst+entryPath)
					if err == nil && strings.Contains(r.body, title) {
						mu.Lock()
						lags = append(lags, time.Since(written))
						mu.Unlock()
						return
					}
					if time.Since(written) > 5*time.Second {
						mu.Lock()
						failed = fmt.Errorf("%s did not show a write through %s within 5 s", inst, through)
						mu.Unlock()
						return
					}
					time.Sleep(2 * time.Millisecond)
				}
			})
		}
		wg.Wait()
		if failed != nil {
			return failed
		}
	}
	slices.Sort(lags)
	p50, p99 := pct(lags, 50), pct(lags, 99)
	fmt.Printf("ok   a write shows on every instance: p50 %s, p99 %s, max %s (%d page loads after 30 writes)\n",
		ms(p50), ms(p99), ms(lags[len(lags)-1]), len(lags))
	if p99 > time.Second {
		return fmt.Errorf("write visibility p99 %s is over 1 s", ms(p99))
	}

	// 4. kill -9 under load.
	d, err := db.Open(ctx, dbURL)
	if err != nil {
		return err
	}
	defer d.Close()
	return c.killUnderLoad(ctx, d, strings.Split(pidList, ","))
}

// killUnderLoad sends registrations and signatures through the load
// balancer, kills the second instance with SIGKILL halfway through, and
// checks that every acknowledged one is stored and that the site kept
// answering.
func (c *check) killUnderLoad(ctx context.Context, d *db.DB, pids []string) error {
	count := func(table string) (int, error) {
		var n int
		err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table).Scan(&n)
		return n, err
	}
	regs0, err := count("registrations")
	if err != nil {
		return err
	}
	sigs0, err := count("signatures")
	if err != nil {
		return err
	}
	var acked, refused, failed, reads, readFails atomic.Int64
	var seq atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 24 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				n := seq.Add(1)
				person := fmt.Sprintf("10.%d.%d.%d", n>>16&255, n>>8&255, n&255)
				email := fmt.Sprintf("load%d@example.org", n)
				var path string
				var form url.Values
				if w%2 == 0 {
					path, form = event, url.Values{"name": {"Load " + strconv.FormatInt(n, 10)}, "email": {email},
						"q0": {"Coastal Harm Reduction Trust"}, "q1": {"ru"}, "q2": {"Africa"}, "q3": {""}, "q4": {"yes"}, "consent": {"yes"}}
				} else {
					path, form = statement, url.Values{"kind": {"individual"}, "name": {"Load " + strconv.FormatInt(n, 10)},
						"country": {"UG"}, "email": {email}, "consent": {"yes"}}
				}
				switch code := submit(c.lb, path, person, form); {
				case code == http.StatusSeeOther || code == http.StatusOK:
					acked.Add(1)
				case code >= 400 && code < 500:
					refused.Add(1)
				default:
					failed.Add(1)
				}
			}
		})
	}
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				r, err := get(http.DefaultClient, c.lb+"/en/")
				reads.Add(1)
				if err != nil || r.status != http.StatusOK {
					readFails.Add(1)
				}
			}
		})
	}
	time.Sleep(c.dur)
	pid, err := strconv.Atoi(pids[1])
	if err != nil {
		return fmt.Errorf("pid %q: %w", pids[1], err)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		return fmt.Errorf("kill -9 %d: %w", pid, err)
	}
	killedAt := acked.Load()
	readsAtKill, readFailsAtKill := reads.Load(), readFails.Load()
	fmt.Printf("...  killed %s (pid %d) with SIGKILL after %d acknowledged submissions\n", c.instances[1], pid, killedAt)
	time.Sleep(2 * c.dur)
	close(stop)
	wg.Wait()
	regs, err := count("registrations")
	if err != nil {
		return err
	}
	sigs, err := count("signatures")
	if err != nil {
		return err
	}
	stored := int64(regs - regs0 + sigs - sigs0)
	fmt.Printf("     %d submissions acknowledged (%d after the kill), %d refused, %d failed; %d stored\n",
		acked.Load(), acked.Load()-killedAt, refused.Load(), failed.Load(), stored)
	fmt.Printf("     home page through the load balancer: %d loads, %d failed (%d of them after the kill)\n",
		reads.Load(), readFails.Load(), readFails.Load()-readFailsAtKill)
	if stored < acked.Load() {
		return fmt.Errorf("%d acknowledged submissions are not in the database", acked.Load()-stored)
	}
	if acked.Load() == killedAt {
		return errors.New("no submission was acknowledged after the kill: the others did not keep serving")
	}
	if after := reads.Load() - readsAtKill; after == 0 || readFails.Load()-readFailsAtKill > after/100 {
		return fmt.Errorf("after the kill %d of %d page loads failed", readFails.Load()-readFailsAtKill, after)
	}
	fmt.Println("ok   no acknowledged submission lost; the others kept serving")
	for i, inst := range c.instances {
		if i == 1 {
			continue
		}
		if r, err := get(http.DefaultClient, inst+"/en/"); err != nil || r.status != http.StatusOK {
			return fmt.Errorf("%s after the kill: %v", inst, err)
		}
	}
	return nil
}

var challengeRe = regexp.MustCompile(`name="guard_challenge" value="([^"]+)"`)

// submit fills in a public form as a person at address person would: it
// loads the form, waits, solves the guard's proof of work and sends it;
// it returns the answer's status (the form page's, when that was not
// 200), 0 when there was none.
func submit(base, path, person string, form url.Values) int {
	page, err := getAs(base+path, person)
	if err != nil {
		return 0
	}
	if page.status != http.StatusOK {
		return page.status
	}
	m := challengeRe.FindStringSubmatch(page.body)
	if m == nil {
		return 0
	}
	form.Set("guard_challenge", m[1])
	form.Set("guard_note", "")
	for n := 0; ; n++ {
		if guard.ValidProof(m[1], strconv.Itoa(n), difficulty) {
			form.Set("guard_proof", strconv.Itoa(n))
			break
		}
	}
	time.Sleep(formWait)
	req, _ := http.NewRequest(http.MethodPost, base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Cluster-Client", person)
	req.Header.Set("Origin", base)
	res, err := client.Do(req)
	if err != nil {
		return 0
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

type page struct {
	status int
	header http.Header
	body   string
}

func get(c *http.Client, u string) (page, error) {
	res, err := c.Get(u)
	if err != nil {
		return page{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return page{res.StatusCode, res.Header, string(b)}, err
}

func getAs(u, person string) (page, error) {
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("X-Cluster-Client", person)
	res, err := client.Do(req)
	if err != nil {
		return page{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return page{res.StatusCode, res.Header, string(b)}, err
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// signIn signs the demo administrator in through inst.
func (c *check) signIn(inst string) (http.CookieJar, *http.Client, string, error) {
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	res, err := hc.PostForm(inst+"/admin/login", url.Values{"email": {"admin@example.org"}, "password": {c.password}})
	if err != nil {
		return nil, nil, "", err
	}
	res.Body.Close()
	p, err := get(hc, inst+"/admin/tokens")
	if err != nil {
		return nil, nil, "", err
	}
	m := csrfRe.FindStringSubmatch(p.body)
	if p.status != http.StatusOK || m == nil {
		return nil, nil, "", fmt.Errorf("signing in through %s: %d", inst, p.status)
	}
	return jar, hc, m[1], nil
}

// firstEntry is the newest English entry's id and path.
func firstEntry(base string) (int64, string, error) {
	p, err := get(http.DefaultClient, base+"/api/v1/entries?lang=en&limit=1")
	if err != nil {
		return 0, "", err
	}
	var list struct {
		Entries []struct {
			ID  int64  `json:"id"`
			URL string `json:"url"`
		} `json:"entries"`
	}
	if err := json.Unmarshal([]byte(p.body), &list); err != nil || len(list.Entries) == 0 {
		return 0, "", fmt.Errorf("no entry in the API's list: %v", err)
	}
	u, err := url.Parse(list.Entries[0].URL)
	if err != nil {
		return 0, "", err
	}
	return list.Entries[0].ID, u.Path, nil
}

// uploadImage uploads a small PNG into entry id's text through inst and
// returns its /media/ path.
func uploadImage(hc *http.Client, inst string, id int64, csrf string) (string, error) {
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for x := range 40 {
		img.Set(x, x%30, color.RGBA{20, 90, 200, 255})
	}
	var pngBuf, body bytes.Buffer
	if err := png.Encode(&pngBuf, img); err != nil {
		return "", err
	}
	mw := multipart.NewWriter(&body)
	for k, v := range map[string]string{"csrf": csrf, "upload": "inline", "inline_alt": "A blue line"} {
		mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("inline_image", "line.png")
	fw.Write(pngBuf.Bytes())
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, inst+"/admin/entries/"+strconv.FormatInt(id, 10)+"/uploads", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Origin", inst)
	res, err := hc.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	var ans struct{ Markdown, Error string }
	if err := json.NewDecoder(res.Body).Decode(&ans); err != nil || res.StatusCode != http.StatusOK {
		return "", fmt.Errorf("upload through %s: %d %s %v", inst, res.StatusCode, ans.Error, err)
	}
	m := regexp.MustCompile(`\((/media/[^)\s]+)`).FindStringSubmatch(ans.Markdown)
	if m == nil {
		return "", fmt.Errorf("upload through %s: no media path in %q", inst, ans.Markdown)
	}
	return m[1], nil
}

var secretRe = regexp.MustCompile(`id="secret" readonly value="([^"]+)"`)

// apiToken makes a personal API token through inst.
func apiToken(hc *http.Client, inst, csrf string) (string, error) {
	req, _ := http.NewRequest(http.MethodPost, inst+"/admin/tokens", strings.NewReader(url.Values{"csrf": {csrf}, "name": {"cluster"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", inst)
	res, err := hc.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	m := secretRe.FindSubmatch(b)
	if m == nil {
		return "", fmt.Errorf("no API token made through %s: %d", inst, res.StatusCode)
	}
	return string(m[1]), nil
}

// bench measures pages through the load balancer.
func (c *check) bench(label string) error {
	_, entryPath, err := firstEntry(c.lb)
	if err != nil {
		return err
	}
	for _, p := range []struct{ name, path string }{{"home", "/en/"}, {"entry", entryPath}, {"archive", "/en/articles"}} {
		rps, p99, bad := load(c.lb+p.path, 32, c.dur)
		fmt.Printf("| %s | %s | %.0f | %s | %d |\n", p.name, label, rps, ms(p99), bad)
	}
	return nil
}

// load requests u from conns connections for d and returns requests per
// second, the p99 latency and the answers that were not 200.
func load(u string, conns int, d time.Duration) (float64, time.Duration, int) {
	tr := &http.Transport{MaxIdleConnsPerHost: conns}
	hc := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	var mu sync.Mutex
	var lat []time.Duration
	bad := 0
	end := time.Now().Add(d)
	var wg sync.WaitGroup
	for range conns {
		wg.Go(func() {
			var mine []time.Duration
			nbad := 0
			for time.Now().Before(end) {
				req, _ := http.NewRequest(http.MethodGet, u, nil)
				req.Header.Set("Accept-Encoding", "gzip")
				t0 := time.Now()
				res, err := hc.Do(req)
				if err == nil {
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
				}
				mine = append(mine, time.Since(t0))
				if err != nil || res.StatusCode != http.StatusOK {
					nbad++
				}
			}
			mu.Lock()
			lat = append(lat, mine...)
			bad += nbad
			mu.Unlock()
		})
	}
	wg.Wait()
	slices.Sort(lat)
	return float64(len(lat)) / d.Seconds(), pct(lat, 99), bad
}

func pct(s []time.Duration, p int) time.Duration {
	if len(s) == 0 {
		return 0
	}
	return s[min(len(s)-1, len(s)*p/100)]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
