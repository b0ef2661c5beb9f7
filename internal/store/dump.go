package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/text"
)

// Column is a column of a dumped table with its engine-independent type:
// "int", "text", "bool" or "time".
type Column struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// tableOrder lists every application table parents first, the order a
// restore inserts in (and the reverse of the order a forced restore
// empties them in). A test checks it against the schema.
var tableOrder = []string{
	"pizzerias", "order_counters", "pizzeria_postcodes", "pizzeria_closures", "ingredients", "products", "recipe_lines", "menu_withdrawals", "stock_levels",
	"users", "user_roles", "customer_addresses", "sessions", "password_tokens",
	"orders", "order_lines", "order_history", "stock_movements", "idempotency_keys", "settings", "events", "webhook_events", "outbox", "payments",
	"payment_attempts",
	"report_days", "report_hours", "report_products", "report_built",
}

// TableOrder returns the application's tables, parents first.
func TableOrder() []string { return append([]string(nil), tableOrder...) }

// Dumper receives a consistent snapshot of the database, table by table.
type Dumper interface {
	Table(name string, columns []Column) error
	Row(values []any) error
}

// Dump reads every table inside one read-only transaction, so the
// snapshot is consistent while the site keeps taking orders. Values are
// normalized: int64, string, bool, time.Time (UTC) or nil.
func (s *Store) Dump(ctx context.Context, d Dumper) error {
	tx, err := s.db.BeginTx(ctx, s.d.snapshot())
	if err != nil {
		return fmt.Errorf("begin snapshot: %w", err)
	}
	defer tx.Rollback()
	for _, table := range tableOrder {
		if err := s.dumpTable(ctx, tx, table, d); err != nil {
			return fmt.Errorf("dump %s: %w", table, err)
		}
	}
	return tx.Commit()
}

func (s *Store) dumpTable(ctx context.Context, tx *sql.Tx, table string, d Dumper) error {
	cols, err := dumpColumns(ctx, tx, table)
	if err != nil {
		return err
	}
	key, err := s.d.primaryKey(ctx, tx, table)
	if err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, "SELECT "+s.d.dumpList(cols)+" FROM "+table+dataOnly(table)+" ORDER BY "+strings.Join(key, ", "))
	if err != nil {
		return err
	}
	defer rows.Close()
	if err := d.Table(table, cols); err != nil {
		return err
	}
	raw := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		values := make([]any, len(cols))
		for i, v := range raw {
			if values[i], err = normalize(v, cols[i].Type); err != nil {
				return fmt.Errorf("column %s: %w", cols[i].Name, err)
			}
		}
		if err := d.Row(values); err != nil {
			return err
		}
	}
	return rows.Err()
}

// dumpColumns returns a table's columns with their backup types.
func dumpColumns(ctx context.Context, tx *sql.Tx, table string) ([]Column, error) {
	rows, err := tx.QueryContext(ctx, "SELECT * FROM "+table+" LIMIT 0")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	types, err := rows.ColumnTypes()
	if err != nil {
		return nil, err
	}
	cols := make([]Column, len(types))
	for i, ct := range types {
		cols[i] = Column{Name: strings.ToLower(ct.Name()), Type: logicalType(ct.DatabaseTypeName())}
	}
	return cols, rows.Err()
}

// logicalType maps an engine's column type to the backup's four types.
// BOOLEAN is TINYINT on MySQL, which this schema uses for nothing else.
func logicalType(dbType string) string {
	t := strings.ToUpper(dbType)
	switch {
	case strings.Contains(t, "BOOL"), t == "TINYINT":
		return "bool"
	case strings.Contains(t, "INT"):
		return "int"
	case strings.Contains(t, "TIME"), strings.Contains(t, "DATE"):
		return "time"
	}
	return "text"
}

func normalize(v any, typ string) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case []byte:
		v = string(x)
	case time.Time:
		return x.UTC(), nil
	}
	switch typ {
	case "bool":
		switch x := v.(type) {
		case bool:
			return x, nil
		case int64:
			return x != 0, nil
		}
	case "int":
		switch x := v.(type) {
		case int64:
			return x, nil
		case int32:
			return int64(x), nil
		}
	case "time":
		if x, ok := v.(string); ok {
			return parseTime(x)
		}
	case "text":
		if x, ok := v.(string); ok {
			return x, nil
		}
	}
	return nil, fmt.Errorf("unexpected %T for a %s column", v, typ)
}

// parseTime reads a time SQLite stored as text: as this program writes
// them (_time_format=sqlite, read without time.Parse, a few million times
// in a backup), else in any form the driver would have read.
func parseTime(s string) (time.Time, error) {
	if t, ok := parseSQLiteTime(s); ok {
		return t, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999", "2006-01-02 15:04:05",
		"2006-01-02T15:04:05.999999999", "2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02", "2006-01-02 15:04:05.999999999 -0700 MST"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("unreadable time %q", s)
}

// parseSQLiteTime reads 2006-01-02 15:04:05.999999999-07:00 (fractions
// and offset optional) as time.Parse would, fields in range; ok is false
// for any other form.
func parseSQLiteTime(s string) (time.Time, bool) {
	t, rest, ok := text.DateTime(s, ' ')
	switch {
	case !ok:
		return time.Time{}, false
	case rest == "":
		return t, true
	case len(rest) != 6 || rest[0] != '+' && rest[0] != '-' || rest[3] != ':':
		return time.Time{}, false
	}
	oh, err1 := strconv.Atoi(rest[1:3])
	om, err2 := strconv.Atoi(rest[4:6])
	if err1 != nil || err2 != nil || oh > 24 || om > 59 || rest[1] == '+' || rest[1] == '-' || rest[4] == '+' || rest[4] == '-' {
		return time.Time{}, false
	}
	offset := time.Duration(oh*60+om) * time.Minute
	if rest[0] == '-' {
		offset = -offset
	}
	return t.Add(-offset), true
}

// Loader inserts restored rows inside the restore's transaction. Rows
// are handed over in batches to a goroutine that writes them (a sink), so
// that reading the backup and writing the database overlap: multi-row
// INSERTs on SQLite, COPY on PostgreSQL (restore_pg.go), LOAD DATA LOCAL
// on MySQL when the server allows it (restore_mysql.go).
type Loader struct {
	ctx     context.Context
	known   map[string]bool
	table   string
	columns []string
	pending [][]any
	size    int // bytes of text pending, roughly
	limit   int // rows per batch for the current table
	maxRows int // rows per batch, at most
	out     chan loadBatch
	closed  bool // out is
	done    chan struct{}
	err     error // the sink's, set before done closes
	Rows    int64
}

// loadBatch is a batch of rows of one table.
type loadBatch struct {
	table   string
	columns []string
	rows    [][]any
}

// sink writes the batches it receives until the channel closes or an
// error; it runs in a goroutine of its own.
type sink func(batches <-chan loadBatch) error

// maxBatchBytes bounds the text of one multi-row INSERT, well below
// MySQL's smallest max_allowed_packet (4 MB).
const maxBatchBytes = 1 << 20

func newLoader(ctx context.Context, maxRows int, write sink) *Loader {
	known := map[string]bool{}
	for _, t := range tableOrder {
		known[t] = true
	}
	l := &Loader{ctx: ctx, known: known, maxRows: maxRows, out: make(chan loadBatch, 4), done: make(chan struct{})}
	go func() {
		defer close(l.done)
		if err := write(l.out); err != nil {
			l.err = err
		}
	}()
	return l
}

// Insert adds one row of a table; rows are sent in batches.
func (l *Loader) Insert(table string, columns []string, row []any) error {
	if !l.known[table] {
		return errs.E(errs.Invalid, "the backup holds an unknown table %q", table)
	}
	if table != l.table || len(columns) != len(l.columns) {
		if err := l.flush(); err != nil {
			return err
		}
		l.table, l.columns = table, columns
		// SQLite takes at most 32766 parameters a statement.
		l.limit = max(1, min(l.maxRows, 32766/max(1, len(columns))))
	}
	l.pending = append(l.pending, row)
	l.Rows++
	for _, v := range row {
		if s, ok := v.(string); ok {
			l.size += len(s)
		}
	}
	if len(l.pending) >= l.limit || l.size >= maxBatchBytes {
		return l.flush()
	}
	return nil
}

func (l *Loader) flush() error {
	if len(l.pending) == 0 {
		return nil
	}
	b := loadBatch{table: l.table, columns: l.columns, rows: l.pending}
	l.pending, l.size = make([][]any, 0, l.limit), 0
	select {
	case l.out <- b:
		return nil
	case <-l.done:
		return l.sinkErr()
	case <-l.ctx.Done():
		return l.ctx.Err()
	}
}

func (l *Loader) sinkErr() error {
	if l.err != nil {
		return l.err
	}
	return errors.New("restore: the loader stopped")
}

// finish sends the last batch and waits for the sink.
func (l *Loader) finish() error {
	err := l.flush()
	l.stop()
	if err != nil {
		return err
	}
	return l.err
}

// stop tells the sink there is nothing more and waits for it to end.
func (l *Loader) stop() {
	if !l.closed {
		l.closed = true
		close(l.out)
	}
	<-l.done
}

// insertSink writes each batch as one multi-row INSERT. On SQLite the
// statement of a full batch is prepared once per table: compiling a
// statement of hundreds of rows costs as much as running it.
func (s *Store) insertSink(ctx context.Context, c conn) sink {
	return func(batches <-chan loadBatch) error {
		ctx := c.context(ctx)
		var stmt *sql.Stmt
		var stmtKey string
		defer func() {
			if stmt != nil {
				stmt.Close()
			}
		}()
		var args []any
		for b := range batches {
			query := insertRows("INSERT INTO "+b.table+" ("+strings.Join(b.columns, ", ")+")", len(b.columns), len(b.rows))
			args = args[:0]
			for _, r := range b.rows {
				args = append(args, r...)
			}
			var err error
			switch {
			case !s.d.cachesStatements():
				_, err = c.x.ExecContext(ctx, c.s.q(query), args...)
			case query == stmtKey:
				_, err = stmt.ExecContext(ctx, args...)
			default:
				if stmt != nil {
					stmt.Close()
					stmt = nil
				}
				if stmt, err = c.tx.PrepareContext(ctx, query); err == nil {
					stmtKey = query
					_, err = stmt.ExecContext(ctx, args...)
				}
			}
			if err != nil {
				return fmt.Errorf("restore %s: %w", b.table, err)
			}
		}
		return nil
	}
}

// Restore loads a dump into the database in one transaction: all of it
// or, on any error, nothing. The database must be migrated to the dump's
// schema version and hold no data, unless force, which empties it first.
func (s *Store) Restore(ctx context.Context, force bool, feed func(l *Loader) error) (int64, error) {
	if !s.d.server() {
		var loaded int64
		err := s.write(ctx, func(c conn) error {
			var err error
			loaded, err = s.restoreIn(ctx, c, force, feed, s.insertSink(ctx, c))
			return err
		})
		return loaded, err
	}
	// A connection of its own: COPY needs the driver's connection under
	// the transaction, and the session settings of a load (dialect's
	// beginLoad) must not go back to the pool. It is closed after.
	sc, err := s.db.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer func() {
		sc.Raw(func(any) error { return driver.ErrBadConn }) // discarded, not pooled
		sc.Close()
	}()
	tx, err := sc.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("begin: %w", err)
	}
	c := conn{s: s, x: tx, tx: tx}
	write := s.insertSink(ctx, c)
	switch {
	case s.d.copies():
		write = s.copySink(ctx, sc)
	case s.d.loadsLocalData() && localInfile(ctx, c):
		write = s.loadDataSink(ctx, c)
	}
	loaded, err := s.restoreIn(ctx, c, force, feed, write)
	if err != nil {
		tx.Rollback()
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("commit: %w", err)
	}
	return loaded, nil
}

// restoreIn is Restore within its transaction c.
func (s *Store) restoreIn(ctx context.Context, c conn, force bool, feed func(l *Loader) error, write sink) (int64, error) {
	for _, table := range tableOrder {
		var n int64
		if err := c.queryRow(ctx, "SELECT COUNT(*) FROM "+table+dataOnly(table)).Scan(&n); err != nil {
			return 0, err
		}
		if n > 0 && !force {
			return 0, errs.E(errs.Conflict, "the target database is not empty (%s has %d rows): restore into an empty database, or use --force to replace its data", table, n)
		}
	}
	end, err := s.d.beginLoad(ctx, c)
	if err != nil {
		return 0, err
	}
	if force {
		for i := len(tableOrder) - 1; i >= 0 && err == nil; i-- {
			_, err = c.exec(ctx, "DELETE FROM "+tableOrder[i]+dataOnly(tableOrder[i]))
		}
	}
	l := newLoader(ctx, s.d.loadBatch(), write)
	if err == nil {
		err = feed(l)
	}
	if err == nil {
		err = l.finish()
	} else {
		l.stop()
	}
	if endErr := end(); err == nil {
		err = endErr
	}
	if err != nil {
		return 0, err
	}
	return l.Rows, s.d.resetIdentities(ctx, c)
}

// dataOnly is the WHERE clause that leaves the database's identity out of
// what is dumped, counted and replaced.
func dataOnly(table string) string {
	if table == "settings" {
		return " WHERE " + notIdentity
	}
	return ""
}

// identityTables have an id column generated by the database.
var identityTables = []string{"pizzerias", "ingredients", "products", "users", "customer_addresses", "orders", "order_history", "stock_movements", "events", "outbox", "payments"}
