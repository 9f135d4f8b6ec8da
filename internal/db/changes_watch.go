package db

// Writes made by another process on the same database — a second server
// behind a load balancer, a command run while the server is up — must make
// this process's page caches stale too, or they serve old pages until they
// expire. Each DB watches for such writes in one goroutine, stopped by Close.

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// listenerAppName starts the application_name of the PostgreSQL connection
// that listens for changes, so that an operator can tell it in pg_stat_activity.
const listenerAppName = "peerpress listener "

// startWatch runs watch in a goroutine until Close.
func (d *DB) startWatch(watch func(ctx context.Context)) {
	ctx, cancel := context.WithCancel(context.Background())
	d.stopWatch = cancel
	d.watchDone = make(chan struct{})
	go func() {
		defer close(d.watchDone)
		watch(ctx)
	}()
}

// watchSQLite polls PRAGMA data_version, which changes when a connection
// other than the one asking has committed. It asks on the writer
// connection: this process's own writes go through it and so do not count
// twice, and its quiet writes stay quiet. Another process's quiet writes
// (its sessions, its job bookkeeping) cannot be told apart and make caches
// stale anyway; that costs a re-render, not a wrong page.
func (d *DB) watchSQLite(ctx context.Context) error {
	version := func(ctx context.Context) (v int64, err error) {
		err = d.write.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&v)
		return v, err
	}
	last, err := version(ctx)
	if err != nil {
		return fmt.Errorf("db: sqlite: data_version: %w", err)
	}
	_ = d.readTopics(ctx, true)
	d.startWatch(func(ctx context.Context) {
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			// An error (the database busy, or closing) is retried on the next tick.
			v, err := version(ctx)
			if err != nil {
				continue
			}
			// Topics move with another process's commit, or with a Notify
			// this process committed.
			read := d.topicsDirty.Swap(false)
			if v != last {
				last = v
				d.changes.Add(1)
				read = true
			}
			if read && d.readTopics(ctx, false) != nil {
				d.topicsDirty.Store(true)
			}
		}
	})
	return nil
}

// watchPostgres listens on a channel that every non-quiet write notifies
// (see notify) and counts the notifications other instances sent.
func (d *DB) watchPostgres(ctx context.Context, rawURL string) error {
	var id [8]byte
	rand.Read(id[:])
	d.instance = hex.EncodeToString(id[:])
	var schema string
	if err := d.read.QueryRowContext(ctx, `SELECT COALESCE(current_schema(), '')`).Scan(&schema); err != nil {
		return fmt.Errorf("db: postgres: current schema: %w", err)
	}
	d.channel = changesChannel(schema)
	cfg, err := pgx.ParseConfig(rawURL)
	if err != nil {
		return fmt.Errorf("db: postgres: %w", err)
	}
	cfg.RuntimeParams["application_name"] = listenerAppName + d.instance
	// Listen before Open returns, so that no write after it is missed.
	conn, err := d.listen(ctx, cfg)
	if err != nil {
		// Serve anyway: the watcher keeps trying, and cached pages expire.
		slog.Warn("db: listen for changes by other instances", "err", err)
	}
	d.startWatch(func(ctx context.Context) { d.receive(ctx, cfg, conn) })
	return nil
}

// changesChannel names the channel of the schema peerpress's tables are in,
// so that sites (and tests) sharing a database in separate schemas do not
// wake each other.
func changesChannel(schema string) string {
	ch := "peerpress_changes_" + schema
	if len(ch) > 63 { // PostgreSQL's longest name; pg_notify refuses longer ones
		ch = strings.ToValidUTF8(ch[:63], "")
	}
	return ch
}

// listen opens the listening connection.
func (d *DB) listen(ctx context.Context, cfg *pgx.ConnConfig) (*pgx.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if _, err := conn.Exec(ctx, `LISTEN `+pgx.Identifier{d.channel}.Sanitize()); err != nil {
		conn.Close(ctx)
		return nil, err
	}
	return conn, nil
}

// receive counts other instances' notifications on conn, reconnecting
// whenever the connection is lost, until ctx ends. conn may be nil.
func (d *DB) receive(ctx context.Context, cfg *pgx.ConnConfig, conn *pgx.Conn) {
	const firstBackoff = 100 * time.Millisecond
	backoff := firstBackoff
	for {
		if conn == nil {
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			var err error
			if conn, err = d.listen(ctx, cfg); err != nil {
				if ctx.Err() == nil {
					slog.Warn("db: reconnect to listen for changes", "err", err, "retry_in", backoff)
				}
				backoff = min(2*backoff, 10*time.Second)
				continue
			}
			backoff = firstBackoff
			// Notifications sent while no one listened are lost.
			d.changes.Add(1)
			d.deliver("")
		}
		err := d.waitNotifications(ctx, conn)
		closeCtx, cancel := context.WithTimeout(context.Background(), time.Second)
		conn.Close(closeCtx)
		cancel()
		conn = nil
		if ctx.Err() != nil {
			return
		}
		slog.Warn("db: lost the connection that listens for changes", "err", err)
	}
}

// waitNotifications counts notifications until the connection fails or
// ctx ends.
func (d *DB) waitNotifications(ctx context.Context, conn *pgx.Conn) error {
	for {
		waitCtx, cancel := context.WithTimeout(ctx, time.Minute)
		n, err := conn.WaitForNotification(waitCtx)
		cancel()
		switch {
		case err == nil && n != nil:
			// "instance" for a change, "instance topic" for Notify, which
			// this instance hears too.
			if instance, topic, ok := strings.Cut(n.Payload, " "); ok {
				d.deliver(topic)
			} else if instance != d.instance {
				d.changes.Add(1)
			}
		case err == nil:
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.Is(err, context.DeadlineExceeded):
			// A quiet minute. A connection dropped without a word (a
			// firewall forgetting it) would wait forever: check it.
			pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
			err = conn.Ping(pingCtx)
			cancel()
			if err != nil {
				return err
			}
		default:
			return err
		}
	}
}

// notify tells other instances that this one is committing a non-quiet
// write. Sent inside a transaction, it reaches them only if that commits.
func (d *DB) notify(ctx context.Context, x interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}) error {
	if d.Engine != Postgres {
		return nil
	}
	_, err := x.ExecContext(ctx, `SELECT pg_notify($1, $2)`, d.channel, d.instance)
	return err
}
