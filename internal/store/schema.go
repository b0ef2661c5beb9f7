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
	rows, err := s.db.QueryContext(ctx, s.d.columnsQuery())
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
