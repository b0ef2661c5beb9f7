package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/oc-pizza/ocpizza/internal/errs"
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
	"pizzerias", "order_counters", "pizzeria_postcodes", "ingredients", "products", "recipe_lines", "stock_levels",
	"users", "user_roles", "customer_addresses", "sessions",
	"orders", "order_lines", "order_history", "stock_movements", "idempotency_keys", "settings", "events", "webhook_events", "outbox", "payments",
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
	opts := &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead}
	if s.d.engine == SQLite {
		opts = nil // a SQLite read transaction is a snapshot already
	}
	tx, err := s.db.BeginTx(ctx, opts)
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
	rows, err := tx.QueryContext(ctx, "SELECT * FROM "+table+" ORDER BY 1, 2")
	if err != nil {
		return err
	}
	defer rows.Close()
	types, err := rows.ColumnTypes()
	if err != nil {
		return err
	}
	cols := make([]Column, len(types))
	for i, ct := range types {
		cols[i] = Column{Name: strings.ToLower(ct.Name()), Type: logicalType(ct.DatabaseTypeName())}
	}
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

func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999", "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("unreadable time %q", s)
}

// Loader inserts restored rows inside the restore's transaction.
type Loader struct {
	s       *Store
	c       conn
	ctx     context.Context
	table   string
	columns []string
	pending [][]any
	known   map[string]bool
	Rows    int64
}

const loadBatch = 100

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
	}
	l.pending = append(l.pending, row)
	l.Rows++
	if len(l.pending) >= loadBatch {
		return l.flush()
	}
	return nil
}

func (l *Loader) flush() error {
	if len(l.pending) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString("INSERT INTO " + l.table + " (" + strings.Join(l.columns, ", ") + ") VALUES ")
	row := "(" + placeholders(len(l.columns)) + ")"
	args := make([]any, 0, len(l.pending)*len(l.columns))
	for i, r := range l.pending {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
		args = append(args, r...)
	}
	l.pending = l.pending[:0]
	if _, err := l.c.exec(l.ctx, b.String(), args...); err != nil {
		return fmt.Errorf("restore %s: %w", l.table, err)
	}
	return nil
}

// Restore loads a dump into the database in one transaction: all of it
// or, on any error, nothing. The database must be migrated to the dump's
// schema version and hold no data, unless force, which empties it first.
func (s *Store) Restore(ctx context.Context, force bool, feed func(l *Loader) error) (int64, error) {
	var loaded int64
	err := s.write(ctx, func(c conn) error {
		for _, table := range tableOrder {
			var n int64
			if err := c.queryRow(ctx, "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
				return err
			}
			if n > 0 && !force {
				return errs.E(errs.Conflict, "the target database is not empty (%s has %d rows): restore into an empty database, or use --force to replace its data", table, n)
			}
		}
		if force {
			for i := len(tableOrder) - 1; i >= 0; i-- {
				if _, err := c.exec(ctx, "DELETE FROM "+tableOrder[i]); err != nil {
					return err
				}
			}
		}
		known := map[string]bool{}
		for _, t := range tableOrder {
			known[t] = true
		}
		l := &Loader{s: s, c: c, ctx: ctx, known: known}
		if err := feed(l); err != nil {
			return err
		}
		if err := l.flush(); err != nil {
			return err
		}
		loaded = l.Rows
		return s.d.resetIdentities(ctx, c)
	})
	return loaded, err
}

// identityTables have an id column generated by the database.
var identityTables = []string{"pizzerias", "ingredients", "products", "users", "customer_addresses", "orders", "order_history", "stock_movements", "events", "outbox", "payments"}

// resetIdentities moves PostgreSQL's identity sequences past the restored
// ids; MySQL and SQLite follow the largest id by themselves.
func (d dialect) resetIdentities(ctx context.Context, c conn) error {
	if d.engine != Postgres {
		return nil
	}
	for _, t := range identityTables {
		if _, err := c.exec(ctx, "SELECT setval(pg_get_serial_sequence('"+t+"', 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM "+t); err != nil {
			return fmt.Errorf("reset %s ids: %w", t, err)
		}
	}
	return nil
}
