package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// On PostgreSQL a restore loads each table with COPY … FROM STDIN (binary),
// through the driver's connection under the restore's transaction: the
// rows stream to the server without a statement to parse or plan, a
// third of the time of multi-row INSERTs.

// copySink loads the batches with one COPY per table, on sc, the
// connection the restore's transaction runs on.
func (s *Store) copySink(ctx context.Context, sc *sql.Conn) sink {
	return func(batches <-chan loadBatch) error {
		next, ok := <-batches
		for ok {
			src := &batchSource{in: batches, cur: next, idx: -1}
			err := sc.Raw(func(dc any) error {
				_, err := dc.(*stdlib.Conn).Conn().CopyFrom(ctx, pgx.Identifier{next.table}, next.columns, src)
				return err
			})
			if err != nil {
				return fmt.Errorf("restore %s: %w", next.table, err)
			}
			next, ok = src.next, src.more
		}
		return nil
	}
}

// batchSource gives COPY the rows of one table as the batches arrive; it
// ends at the first batch of another table, kept in next.
type batchSource struct {
	in   <-chan loadBatch
	cur  loadBatch
	idx  int
	next loadBatch
	more bool // next holds a batch
}

func (b *batchSource) Next() bool {
	b.idx++
	for b.idx >= len(b.cur.rows) {
		batch, ok := <-b.in
		if !ok {
			return false
		}
		if batch.table != b.cur.table || len(batch.columns) != len(b.cur.columns) {
			b.next, b.more = batch, true
			return false
		}
		b.cur, b.idx = batch, 0
	}
	return true
}

func (b *batchSource) Values() ([]any, error) { return b.cur.rows[b.idx], nil }

func (b *batchSource) Err() error { return nil }

// pgBeginLoad takes the foreign keys and the plain (not unique) indexes of
// the application's tables off for the load, and puts them back at the
// end, as pg_restore does: checking a key a row, and growing an index a
// row, cost most of a load; adding a foreign key back checks every row at
// once, and an index is built from sorted rows. All of it happens within
// the restore's transaction (PostgreSQL's DDL is transactional): a row
// that breaks a key fails the restore as it did before, and a failed
// restore leaves the schema as it was. The definitions are read from the
// catalog, so whatever the migrations made is put back as it was.
func pgBeginLoad(ctx context.Context, c conn) (end func() error, err error) {
	app := map[string]bool{}
	for _, t := range tableOrder {
		app[t] = true
	}
	type object struct{ table, name, def string }
	read := func(query string) ([]object, error) {
		rows, err := c.query(ctx, query)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []object
		for rows.Next() {
			var o object
			if err := rows.Scan(&o.table, &o.name, &o.def); err != nil {
				return nil, err
			}
			if app[o.table] {
				out = append(out, o)
			}
		}
		return out, rows.Err()
	}
	const schema = "(SELECT oid FROM pg_namespace WHERE nspname = current_schema())"
	keys, err := read("SELECT t.relname, k.conname, pg_get_constraintdef(k.oid) FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid " +
		"WHERE k.contype = 'f' AND t.relnamespace = " + schema + " ORDER BY 1, 2")
	if err != nil {
		return nil, err
	}
	indexes, err := read("SELECT t.relname, i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid " +
		"JOIN pg_class t ON t.oid = x.indrelid WHERE t.relnamespace = " + schema + " AND NOT x.indisunique AND NOT x.indisprimary " +
		"AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid) ORDER BY 1, 2")
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		if _, err := c.exec(ctx, "ALTER TABLE "+pgIdent(k.table)+" DROP CONSTRAINT "+pgIdent(k.name)); err != nil {
			return nil, err
		}
	}
	for _, i := range indexes {
		if _, err := c.exec(ctx, "DROP INDEX "+pgIdent(i.name)); err != nil {
			return nil, err
		}
	}
	return func() error {
		// Sorting for the indexes in memory rather than in files; for
		// this transaction only.
		if _, err := c.exec(ctx, "SET LOCAL maintenance_work_mem = '256MB'"); err != nil {
			return err
		}
		for _, i := range indexes {
			if _, err := c.exec(ctx, i.def); err != nil {
				return fmt.Errorf("rebuild index %s: %w", i.name, err)
			}
		}
		for _, k := range keys {
			if _, err := c.exec(ctx, "ALTER TABLE "+pgIdent(k.table)+" ADD CONSTRAINT "+pgIdent(k.name)+" "+k.def); err != nil {
				return fmt.Errorf("restore %s: %w", k.table, err)
			}
		}
		return nil
	}, nil
}

// pgIdent quotes a name for PostgreSQL.
func pgIdent(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }
