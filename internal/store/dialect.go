package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

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

// rebind turns ? placeholders into $1, $2… for PostgreSQL. Queries in
// this package never contain a literal question mark.
func (d dialect) rebind(q string) string {
	if d.engine != Postgres || !strings.Contains(q, "?") {
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
