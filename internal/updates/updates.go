// Package updates sends members' updates by email: people subscribe
// without an account (double opt-in, a private page to change their
// language and topics, pause, unsubscribe or erase), an update is an
// entry of kind update written and translated like any other, with a
// list of chosen entries, and each subscriber gets the edition in their
// language, else their second choice, else the site's default. Mail goes
// out through the durable queue, one delivery row per subscriber and
// update, at the rate the operator sets, with one-click unsubscription
// (RFC 8058) and nothing that tells the site who opened or clicked.
//
// Subscribers' addresses are sealed with the site key (the server must
// read them to send) and found by a keyed hash; an erased subscriber
// leaves only that hash, so that an import cannot add the address back.
package updates

import (
	"strings"
	"time"

	"peerpress/internal/content"
)

// Kind is the kind of entry an update is.
const Kind content.Kind = "update"

// A subscriber's status.
const (
	Pending      = "pending"      // subscribed, not yet confirmed
	Active       = "active"       // confirmed: gets every update
	Paused       = "paused"       // confirmed, gets nothing for now
	Unsubscribed = "unsubscribed" // gone; the address stays sealed until erased or purged
	Bouncing     = "bouncing"     // the mail server refused it too often
	Erased       = "erased"       // only the keyed hash is left
)

// Subscriber is one person on the list, opened.
type Subscriber struct {
	ID       int64
	Email    string // "" once erased
	Lang     string // the language they read
	Lang2    string // a second choice, or ""
	Topics   []string
	TextOnly bool // plain text only: no HTML part
	Status   string
	// ConsentAt is when they confirmed (or, imported, when they gave
	// their consent elsewhere); ConsentSource says where.
	ConsentAt     time.Time
	ConsentSource string
	Bounces       int
	CreatedAt     time.Time

	linkSalt string // drawn at each confirmation: the private links' salt
}

// Sealing contexts and hash purposes of the subscribers' table.
const (
	sealEmail       = "updates:subscriber-email:sealed"
	hashEmail       = "updates:subscriber-email"
	hashManage      = "updates:manage-link"
	hashUnsubscribe = "updates:unsubscribe-link"
)

// confirmWithin is how long a confirmation link works.
const confirmWithin = 48 * time.Hour

// Topics are the kinds of entry a subscriber may ask for: every kind an
// editor can create, but pages and updates themselves.
func Topics() []content.Kind {
	var out []content.Kind
	for _, k := range content.Kinds() {
		if k != content.Page && k != Kind {
			out = append(out, k)
		}
	}
	return out
}

// joinTopics and splitTopics store topics as a comma-separated list.
func joinTopics(t []string) string { return strings.Join(t, ",") }

func splitTopics(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// Wants reports whether the subscriber asked for entries of kind k: no
// topics chosen means everything.
func (s Subscriber) Wants(k content.Kind) bool {
	if len(s.Topics) == 0 {
		return true
	}
	for _, t := range s.Topics {
		if t == string(k) {
			return true
		}
	}
	return false
}
