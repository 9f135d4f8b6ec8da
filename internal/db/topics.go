package db

// Topics carry a word from one process to every process on the database:
// "the settings changed, load them again". They ride on the watcher that
// counts other processes' changes (changes_watch.go): a NOTIFY on
// PostgreSQL, and on SQLite a row per topic whose version the watcher
// reads again when PRAGMA data_version moves.

import (
	"context"
	"fmt"
	"strings"
	"sync"
)

// topics are the subscriptions of a DB and what it has seen of each topic.
type topics struct {
	sync.Mutex
	subs   map[string][]chan struct{}
	seen   map[string]int64 // SQLite: each topic's version when last read
	closed bool
}

// Notify announces, inside tx, that topic changed. Once tx commits, every
// process on the database that subscribed to topic — this one included —
// hears of it: at once on PostgreSQL, within a second on SQLite. Nothing
// is heard if tx rolls back. A topic is a short word without spaces.
func (d *DB) Notify(ctx context.Context, tx *Tx, topic string) error {
	if topic == "" || len(topic) > 100 || strings.ContainsAny(topic, " \t\r\n") {
		return fmt.Errorf("db: notify: topic %q: want a short word without spaces", topic)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO topics (name, version) VALUES (?, 1)
		ON CONFLICT (name) DO UPDATE SET version = topics.version + 1`, topic); err != nil {
		return fmt.Errorf("db: notify %s: %w", topic, err)
	}
	if d.Engine == Postgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_notify(?, ?)`, d.channel, d.instance+" "+topic); err != nil {
			return fmt.Errorf("db: notify %s: %w", topic, err)
		}
		return nil
	}
	// This process's own commits do not move the data_version its watcher
	// reads: tell it to read the topics once this one is committed.
	tx.afterCommit = append(tx.afterCommit, func() { d.topicsDirty.Store(true) })
	return nil
}

// Subscribe returns a channel that receives a value after a transaction
// that notified topic commits, in any process on the database. Several
// notifications while the value waits unread make one. The channel is
// closed when d is.
func (d *DB) Subscribe(topic string) <-chan struct{} {
	ch := make(chan struct{}, 1)
	d.topics.Lock()
	defer d.topics.Unlock()
	if d.topics.closed {
		close(ch)
		return ch
	}
	if d.topics.subs == nil {
		d.topics.subs = map[string][]chan struct{}{}
	}
	d.topics.subs[topic] = append(d.topics.subs[topic], ch)
	return ch
}

// deliver tells topic's subscribers; "" tells every subscriber, when
// notifications may have been lost.
func (d *DB) deliver(topic string) {
	d.topics.Lock()
	defer d.topics.Unlock()
	for name, subs := range d.topics.subs {
		if topic != "" && name != topic {
			continue
		}
		for _, ch := range subs {
			select {
			case ch <- struct{}{}:
			default:
			}
		}
	}
}

// closeTopics closes every subscriber's channel, once the watcher that
// sends on them has stopped.
func (d *DB) closeTopics() {
	d.topics.Lock()
	defer d.topics.Unlock()
	for _, subs := range d.topics.subs {
		for _, ch := range subs {
			close(ch)
		}
	}
	d.topics.subs, d.topics.closed = nil, true
}

// readTopics (SQLite) reads every topic's version and tells the
// subscribers of those that moved. The first read only takes note, so
// what was notified before this process opened is not heard again. A
// database not migrated yet has no topics table: that reads as none.
func (d *DB) readTopics(ctx context.Context, first bool) error {
	rows, err := d.read.QueryContext(ctx, `SELECT name, version FROM topics`)
	if err != nil {
		if first {
			d.topics.Lock()
			d.topics.seen = map[string]int64{}
			d.topics.Unlock()
		}
		return err
	}
	defer rows.Close()
	now := map[string]int64{}
	for rows.Next() {
		var name string
		var v int64
		if err := rows.Scan(&name, &v); err != nil {
			return err
		}
		now[name] = v
	}
	if err := rows.Err(); err != nil {
		return err
	}
	d.topics.Lock()
	var moved []string
	for name, v := range now {
		if !first && v != d.topics.seen[name] {
			moved = append(moved, name)
		}
	}
	d.topics.seen = now
	d.topics.Unlock()
	for _, name := range moved {
		d.deliver(name)
	}
	return nil
}
