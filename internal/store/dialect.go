package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"syscall"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Engine names one of the supported database engines.
type Engine string

const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
	MySQL    Engine = "mysql"
)

// dialect isolates everything that differs between engines. Queries are
// written once with ? placeholders; the rest of the package never asks
// which engine it is talking to except through these methods.
type dialect struct {
	engine Engine
}

// server is true for engines reached over the network, whose pool is
// ours to size; SQLite's connections are set up by Open.
func (d dialect) server() bool { return d.engine != SQLite }

// numbered is true when placeholders are $1, $2… rather than ?.
func (d dialect) numbered() bool { return d.engine == Postgres }

// returning is true when an INSERT reports the new id with RETURNING
// (elsewhere the driver's LastInsertId does).
func (d dialect) returning() bool { return d.engine == Postgres }

// pipelines is true when a transaction's statements can go to the server
// in one round trip (pgx batches): orders are then written that way.
func (d dialect) pipelines() bool { return d.engine == Postgres }

// listens is true when the engine wakes listeners on a write (LISTEN and
// NOTIFY); elsewhere the event journal is polled.
func (d dialect) listens() bool { return d.engine == Postgres }

// notifying returns an INSERT into the event journal that also wakes the
// listeners, where the engine has them.
func (d dialect) notifying(insert string) string {
	if !d.listens() {
		return insert
	}
	return "WITH e AS (" + insert + " RETURNING id) SELECT pg_notify('" + eventsChannel + "', '') FROM (SELECT 1 FROM e LIMIT 1) AS one"
}

// copies is true when a restore loads rows with COPY (pgx's CopyFrom)
// rather than multi-row INSERTs.
func (d dialect) copies() bool { return d.engine == Postgres }

// loadsLocalData is true when a restore streams rows with LOAD DATA LOCAL
// (if the server's local_infile allows it) rather than multi-row INSERTs.
func (d dialect) loadsLocalData() bool { return d.engine == MySQL }

// cachesStatements is true when we keep prepared statements ourselves:
// SQLite's driver prepares each query anew, pgx and MySQL's driver are
// left to their own.
func (d dialect) cachesStatements() bool { return d.engine == SQLite }

// sequences is true when identity columns draw from sequences that a
// restore must move past the restored ids; MySQL and SQLite follow the
// largest id by themselves.
func (d dialect) sequences() bool { return d.engine == Postgres }

// snapshot is the options of a read-only transaction that sees one
// committed state: SQLite's read transactions are snapshots already.
func (d dialect) snapshot() *sql.TxOptions {
	if d.engine == SQLite {
		return nil
	}
	return &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead}
}

// resetIdentities moves PostgreSQL's identity sequences past the restored
// ids; MySQL and SQLite follow the largest id by themselves.
func (d dialect) resetIdentities(ctx context.Context, c conn) error {
	if !d.sequences() {
		return nil
	}
	for _, t := range identityTables {
		if _, err := c.exec(ctx, "SELECT setval(pg_get_serial_sequence('"+t+"', 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM "+t); err != nil {
			return fmt.Errorf("reset %s ids: %w", t, err)
		}
	}
	return nil
}

// rebind turns ? placeholders into $1, $2… for PostgreSQL. Queries in
// this package never contain a literal question mark.
func (d dialect) rebind(q string) string {
	if !d.numbered() || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 8)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// isUnique reports whether err is a unique-constraint violation.
func (d dialect) isUnique(err error) bool {
	var pg *pgconn.PgError
	var my *mysql.MySQLError
	var lite *sqlite.Error
	switch {
	case errors.As(err, &pg):
		return pg.Code == "23505"
	case errors.As(err, &my):
		return my.Number == 1062
	case errors.As(err, &lite):
		return lite.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || lite.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// isRetryable reports whether a transaction failed only because another
// one got in its way (deadlock, serialization failure, busy database), so
// running it again is safe and may succeed.
func (d dialect) isRetryable(err error) bool {
	var pg *pgconn.PgError
	var my *mysql.MySQLError
	var lite *sqlite.Error
	switch {
	case errors.As(err, &pg):
		return pg.Code == "40001" || pg.Code == "40P01"
	case errors.As(err, &my):
		return my.Number == 1213 || my.Number == 1205
	case errors.As(err, &lite):
		return lite.Code()&0xff == sqlite3.SQLITE_BUSY || lite.Code()&0xff == sqlite3.SQLITE_LOCKED
	}
	return false
}

// lockMigrations serializes concurrent migrators (two instances starting
// at once) on the engines that allow several writers.
func (d dialect) lockMigrations(ctx context.Context, conn *sql.Conn) (unlock func(), err error) {
	switch d.engine {
	case Postgres:
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(7363616)"); err != nil {
			return nil, err
		}
		return func() { conn.ExecContext(context.Background(), "SELECT pg_advisory_unlock(7363616)") }, nil
	case MySQL:
		var got sql.NullInt64
		if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK('ocpizza_migrate', 60)").Scan(&got); err != nil {
			return nil, err
		}
		if got.Int64 != 1 {
			return nil, errors.New("another process holds the migration lock")
		}
		return func() { conn.ExecContext(context.Background(), "SELECT RELEASE_LOCK('ocpizza_migrate')") }, nil
	}
	return func() {}, nil
}

// execer is what both *sql.DB and *sql.Tx offer.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// forUpdate locks the rows a SELECT reads until the transaction ends.
// SQLite has one writer at a time, so its write transactions need none.
func (d dialect) forUpdate() string {
	if d.engine == SQLite {
		return ""
	}
	return " FOR UPDATE"
}

// nextOrderSeq increments a pizzeria's order counter and returns it with
// the number prefix (the pizzeria's code), in one round trip where the engine allows.
func (d dialect) nextOrderSeq(ctx context.Context, c conn, pizzeriaID int64) (seq int64, code string, err error) {
	if d.engine == MySQL {
		if _, err := c.exec(ctx, "UPDATE order_counters SET seq = seq + 1 WHERE pizzeria_id = ?", pizzeriaID); err != nil {
			return 0, "", err
		}
		err = c.queryRow(ctx, "SELECT seq, prefix FROM order_counters WHERE pizzeria_id = ?", pizzeriaID).Scan(&seq, &code)
		return seq, code, err
	}
	err = c.queryRow(ctx, nextOrderSeqReturning, pizzeriaID).Scan(&seq, &code)
	return seq, code, err
}

// nextOrderSeqReturning takes a pizzeria's next order number where the
// engine can return the updated row (not MySQL).
const nextOrderSeqReturning = "UPDATE order_counters SET seq = seq + 1 WHERE pizzeria_id = ? RETURNING seq, prefix"

// intParam is a placeholder PostgreSQL can type where nothing else tells
// it the type (a CASE result); other engines infer it from the value.
func (d dialect) intParam() string {
	if d.engine == Postgres {
		return "CAST(? AS BIGINT)"
	}
	return "?"
}

// upsertSetting inserts or replaces a setting (name, value, updated_at).
func (d dialect) upsertSetting() string {
	if d.engine == MySQL {
		return "INSERT INTO settings (name, value, updated_at) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE value = VALUES(value), updated_at = VALUES(updated_at)"
	}
	return "INSERT INTO settings (name, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at"
}

// insertIgnore inserts a row unless its key exists, without an error (an
// error would abort a PostgreSQL transaction).
func (d dialect) insertIgnore(table, key, columns, values string) string {
	if d.engine == MySQL {
		return "INSERT IGNORE INTO " + table + " (" + columns + ") VALUES (" + values + ")"
	}
	return "INSERT INTO " + table + " (" + columns + ") VALUES (" + values + ") ON CONFLICT (" + key + ") DO NOTHING"
}

// Unreachable reports whether err says the database could not be reached
// or dropped the connection (it restarts, fails over, refuses more
// connections): a moment's outage, worth a 503 and a retry, not a bug.
func Unreachable(err error) bool {
	if err == nil {
		return false
	}
	var pg *pgconn.PgError
	var my *mysql.MySQLError
	var connect *pgconn.ConnectError
	var netErr *net.OpError
	switch {
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, mysql.ErrInvalidConn), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.As(err, &connect), errors.As(err, &netErr):
		return true
	case errors.As(err, &pg):
		// Class 08: connection exception; 57P01-03: shut down or
		// starting; 53300: too many connections.
		return strings.HasPrefix(pg.Code, "08") || pg.Code == "57P01" || pg.Code == "57P02" || pg.Code == "57P03" || pg.Code == "53300"
	case errors.As(err, &my):
		// Server shutting down, too many connections.
		return my.Number == 1053 || my.Number == 1040 || my.Number == 1927
	}
	return pgconn.SafeToRetry(err) || strings.Contains(err.Error(), "conn closed") || strings.Contains(err.Error(), "connection refused")
}

// dumpList is the select list that dumps cols. SQLite's driver guesses
// the format of each time it reads (two time.Parse calls a value, a fifth
// of a backup's time): read as the text it is stored as, a time is parsed
// once, by parseTime.
func (d dialect) dumpList(cols []Column) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
		if d.engine == SQLite && c.Type == "time" {
			names[i] = "CAST(" + c.Name + " AS TEXT) AS " + c.Name
		}
	}
	return strings.Join(names, ", ")
}

// primaryKey returns a table's primary key columns, in key order: a dump
// reads each table in that order, which every engine serves from the key
// itself (ordering by column positions made MariaDB sort millions of
// rows).
func (d dialect) primaryKey(ctx context.Context, tx *sql.Tx, table string) ([]string, error) {
	var q string
	switch d.engine {
	case SQLite:
		q = "SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk"
	case Postgres:
		q = `SELECT a.attname FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, n)
			JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
			WHERE i.indrelid = to_regclass($1) AND i.indisprimary ORDER BY k.n`
	case MySQL:
		q = `SELECT column_name FROM information_schema.key_column_usage
			WHERE table_schema = DATABASE() AND table_name = ? AND constraint_name = 'PRIMARY' ORDER BY ordinal_position`
	}
	rows, err := tx.QueryContext(ctx, q, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cols []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		cols = append(cols, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(cols) == 0 {
		return nil, fmt.Errorf("table %s has no primary key to read it in a stable order", table)
	}
	return cols, nil
}

// timestamp is the column type of a point in time, kept to the
// microsecond.
func (d dialect) timestamp() string {
	return map[Engine]string{SQLite: "TIMESTAMP", Postgres: "TIMESTAMPTZ", MySQL: "DATETIME(6)"}[d.engine]
}

// columnsQuery lists the (table, column) pairs of the application's
// database.
func (d dialect) columnsQuery() string {
	switch d.engine {
	case SQLite:
		return `SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p
			WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'`
	case Postgres:
		return `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()`
	}
	return `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = DATABASE()`
}

// analyze returns the statements that refresh the planner's statistics
// of tables; SQLite's planner runs without them here.
func (d dialect) analyze(tables ...string) []string {
	switch d.engine {
	case Postgres:
		return []string{"ANALYZE " + strings.Join(tables, ", ")}
	case MySQL:
		return []string{"ANALYZE TABLE " + strings.Join(tables, ", ")}
	}
	return nil
}

// durabilitySettings names the settings that decide whether a commit
// survives a crash or a power cut, and the query that reads them in that
// order.
func (d dialect) durabilitySettings() (names []string, query string) {
	switch d.engine {
	case SQLite:
		return []string{"synchronous", "journal_mode"},
			"SELECT (SELECT synchronous FROM pragma_synchronous), (SELECT journal_mode FROM pragma_journal_mode)"
	case Postgres:
		return []string{"synchronous_commit", "fsync", "full_page_writes"},
			"SELECT current_setting('synchronous_commit'), current_setting('fsync'), current_setting('full_page_writes')"
	}
	return []string{"innodb_flush_log_at_trx_commit", "sync_binlog", "log_bin", "innodb_doublewrite"},
		"SELECT @@innodb_flush_log_at_trx_commit, @@sync_binlog, @@log_bin, @@innodb_doublewrite"
}

// loadBatch is how many rows a restore sends at once: one multi-row
// INSERT on SQLite and MySQL (SQLite prepares it once per table), a unit
// of the COPY stream on PostgreSQL.
func (d dialect) loadBatch() int {
	if d.engine == SQLite {
		return 256
	}
	return 1000
}

// beginLoad sets what makes a restore's load faster, inside its
// transaction; end sets it back, and is called whether the load failed or
// not. PostgreSQL takes its foreign keys and plain indexes off and puts
// them back (restore_pg.go). SQLite's page cache grows from 2 MB to
// 256 MB for the load, which writes the indexes of millions of rows (a
// setting of the connection, not of what reaches the disk: the commit is
// as durable as any).
func (d dialect) beginLoad(ctx context.Context, c conn) (end func() error, err error) {
	switch d.engine {
	case Postgres:
		return pgBeginLoad(ctx, c)
	case MySQL:
		return func() error { return nil }, nil
	}
	ctx = c.context(ctx)
	var size int64
	if err := c.x.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&size); err != nil {
		return nil, err
	}
	if _, err := c.x.ExecContext(ctx, "PRAGMA cache_size = -262144"); err != nil {
		return nil, err
	}
	return func() error {
		_, err := c.x.ExecContext(context.WithoutCancel(ctx), "PRAGMA cache_size = "+strconv.FormatInt(size, 10))
		return err
	}, nil
}
