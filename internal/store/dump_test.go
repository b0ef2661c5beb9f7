package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/loadtest"
	"github.com/oc-pizza/ocpizza/internal/store"
	"github.com/oc-pizza/ocpizza/internal/store/storetest"
)

// dumped is a dump held in memory: the columns and rows of each table.
type dumped struct {
	order   []string
	columns map[string][]store.Column
	rows    map[string][][]any
}

func (d *dumped) Table(name string, columns []store.Column) error {
	d.order = append(d.order, name)
	d.columns[name] = columns
	return nil
}

func (d *dumped) Row(values []any) error {
	t := d.order[len(d.order)-1]
	d.rows[t] = append(d.rows[t], values)
	return nil
}

func dump(t *testing.T, s *store.Store) *dumped {
	t.Helper()
	d := &dumped{columns: map[string][]store.Column{}, rows: map[string][][]any{}}
	must(t, s.Dump(context.Background(), d))
	return d
}

// feed gives a dump to Restore, as ops.Restore gives a file; edit may
// change a row.
func (d *dumped) feed(edit func(table string, i int, row []any) []any) func(l *store.Loader) error {
	return func(l *store.Loader) error {
		for _, table := range d.order {
			var names []string
			for _, c := range d.columns[table] {
				names = append(names, c.Name)
			}
			for i, r := range d.rows[table] {
				if edit != nil {
					r = edit(table, i, append([]any(nil), r...))
				}
				if err := l.Insert(table, names, r); err != nil {
					return err
				}
			}
		}
		return nil
	}
}

// sorted lists a table's rows in a fixed order whatever the engine's
// collation.
func sorted(rows [][]any) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = fmt.Sprintf("%#v", r)
	}
	sort.Strings(out)
	return out
}

// TestRestoreLoadsWhatDumpWrote: a few weeks of orders, with every column
// type (text, int, bool, time, NULLs) and tables of thousands of rows (many
// batches, COPY on PostgreSQL), dumped from SQLite and restored into each
// engine, dump back the same, row for row. A row that breaks a foreign
// key, or a NOT NULL, fails the restore and leaves the target empty, its
// schema whole.
func TestRestoreLoadsWhatDumpWrote(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src := storetest.Open(t, store.SQLite)
	_, err := loadtest.GenerateYear(ctx, src, loadtest.YearOptions{Orders: 1500, Days: 10, Seed: 7}, io.Discard)
	must(t, err)
	_, err = src.CreateUser(ctx, account.User{Email: "zoe@example.test", Name: "Zoé \"l'Ânesse\"\\\t\u00e9\U0001F355", PasswordHash: "x", Grants: []account.Grant{{Role: account.Customer}}})
	must(t, err)
	want := dump(t, src)
	if n := len(want.rows["stock_movements"]); n < 3000 {
		t.Fatalf("the source has %d stock movements, want thousands", n)
	}
	types := map[string]bool{}
	nulls := 0
	for _, table := range want.order {
		for _, c := range want.columns[table] {
			types[c.Type] = true
		}
		for _, r := range want.rows[table] {
			for _, v := range r {
				if v == nil {
					nulls++
				}
			}
		}
	}
	if len(types) != 4 || nulls == 0 {
		t.Fatalf("the source lacks a type or NULLs: %v, %d NULLs", types, nulls)
	}

	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel() // want is only read
			dst, url := storetest.OpenURL(t, e)
			schema := catalogOf(t, url)

			// An order line of an order that is not there.
			orphan := func(table string, i int, r []any) []any {
				if table == "order_lines" && i == 500 {
					r[0] = int64(999_999_999)
				}
				return r
			}
			// A NULL where none is allowed, early in a table of many
			// batches: the load stops while rows keep coming.
			null := func(table string, i int, r []any) []any {
				if table == "stock_movements" && i == 10 {
					for j := range r {
						r[j] = nil
					}
				}
				return r
			}
			// A key twice (MySQL's LOAD DATA LOCAL would only warn).
			var firstID any
			twice := func(table string, i int, r []any) []any {
				if table == "stock_movements" && i == 20 {
					firstID = r[0]
				}
				if table == "stock_movements" && i == 21 {
					r[0] = firstID
				}
				return r
			}
			for name, edit := range map[string]func(string, int, []any) []any{"orphan": orphan, "null": null, "twice": twice} {
				if _, err := dst.Restore(ctx, false, want.feed(edit)); err == nil {
					t.Fatalf("%s: the restore of a broken dump succeeded", name)
				}
				if empty, err := dst.Empty(ctx); err != nil || !empty {
					t.Fatalf("%s: a failed restore left data (empty %v, %v)", name, empty, err)
				}
				if got := catalogOf(t, url); !reflect.DeepEqual(got, schema) {
					t.Fatalf("%s: a failed restore changed the schema:\n got %v\nwant %v", name, got, schema)
				}
			}

			n, err := dst.Restore(ctx, false, want.feed(nil))
			must(t, err)
			if total := countRows(want); n != total {
				t.Errorf("restored %d rows of %d", n, total)
			}
			got := dump(t, dst)
			if !reflect.DeepEqual(got.columns, want.columns) {
				t.Errorf("columns differ:\n got %v\nwant %v", got.columns, want.columns)
			}
			for _, table := range want.order {
				if g, w := sorted(got.rows[table]), sorted(want.rows[table]); !reflect.DeepEqual(g, w) {
					t.Errorf("%s differs after restore into %s: %d rows, want %d", table, e, len(g), len(w))
					for i := range min(len(g), len(w)) {
						if g[i] != w[i] {
							t.Errorf("first difference:\n got %s\nwant %s", g[i], w[i])
							break
						}
					}
				}
			}
			if got := catalogOf(t, url); !reflect.DeepEqual(got, schema) {
				t.Errorf("the restore changed the schema:\n got %v\nwant %v", got, schema)
			}
			// Forced, over itself.
			if _, err := dst.Restore(ctx, true, want.feed(nil)); err != nil {
				t.Fatalf("forced restore: %v", err)
			}
		})
	}
}

func countRows(d *dumped) int64 {
	var n int64
	for _, r := range d.rows {
		n += int64(len(r))
	}
	return n
}

// catalogOf lists the indexes and foreign keys of a database: what a
// restore on PostgreSQL takes off and puts back.
func catalogOf(t *testing.T, url string) []string {
	t.Helper()
	if !strings.HasPrefix(url, "postgres") {
		return nil
	}
	db, err := sql.Open("pgx", url)
	must(t, err)
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rows, err := db.QueryContext(ctx, "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() "+
		"UNION ALL SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'f' ORDER BY 1")
	must(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		must(t, rows.Scan(&s))
		out = append(out, s)
	}
	must(t, rows.Err())
	if len(out) < 20 {
		t.Fatalf("only %d indexes and keys", len(out))
	}
	return out
}
