package store

import (
	"context"
	"sort"
	"strings"
)

// Tables returns the application's tables and their columns (lowercase,
// sorted), as the engine reports them. Backups and the test that all
// engines share one schema read it.
func (s *Store) Tables(ctx context.Context) (map[string][]string, error) {
	var q string
	switch s.d.engine {
	case SQLite:
		q = `SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p
			WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'`
	case Postgres:
		q = `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()`
	case MySQL:
		q = `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = DATABASE()`
	}
	rows, err := s.db.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var table, column string
		if err := rows.Scan(&table, &column); err != nil {
			return nil, err
		}
		table = strings.ToLower(table)
		out[table] = append(out[table], strings.ToLower(column))
	}
	for _, cols := range out {
		sort.Strings(cols)
	}
	return out, rows.Err()
}
