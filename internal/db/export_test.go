package db

// Hooks for the tests in package db_test.

// InstanceID is the id d's PostgreSQL change notifications carry.
func InstanceID(d *DB) string { return d.instance }

// ChangesChannel is the PostgreSQL channel d's non-quiet writes notify.
func ChangesChannel(d *DB) string { return d.channel }

// ListenerApplicationName is the application_name of d's listening connection.
func ListenerApplicationName(d *DB) string { return listenerAppName + d.instance }

// WatchStopped reports whether d's watcher for other processes' changes
// has stopped.
func WatchStopped(d *DB) bool {
	select {
	case <-d.watchDone:
		return true
	default:
		return false
	}
}
