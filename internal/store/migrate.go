package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/oc-pizza/ocpizza/internal/errs"
)

//go:embed migrations
var migrationFS embed.FS

// Migration is one numbered schema change.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations lists the engine's migrations in order.
func (s *Store) Migrations() ([]Migration, error) { return loadMigrations(s.d.engine) }

func loadMigrations(engine Engine) ([]Migration, error) {
	dir := path.Join("migrations", string(engine))
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, e := range entries {
		name := e.Name()
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(name, ".sql") {
			return nil, fmt.Errorf("migration %s: name must be NNN_what.sql", name)
		}
		body, err := fs.ReadFile(migrationFS, path.Join(dir, name))
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: strings.TrimSuffix(name, ".sql"), SQL: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	// Numbers may skip: branches developed side by side take separate
	// ranges, and each migration is applied by its own number, not by
	// its rank.
	for i, m := range out {
		if m.Version < 1 || i > 0 && m.Version == out[i-1].Version {
			return nil, fmt.Errorf("migrations of %s: %s repeats or is not a positive number", engine, m.Name)
		}
	}
	return out, nil
}

// appliedVersions reads which migrations a database has.
func appliedVersions(ctx context.Context, q interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}) (map[int]bool, error) {
	rows, err := q.QueryContext(ctx, "SELECT version FROM schema_migrations")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int]bool{}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out[v] = true
	}
	return out, rows.Err()
}

// schemaState compares the applied migrations with the binary's: how
// many are missing, and the highest applied one the binary does not know.
func schemaState(applied map[int]bool, known []Migration) (missing, unknown int) {
	have := map[int]bool{}
	for _, m := range known {
		have[m.Version] = true
		if !applied[m.Version] {
			missing++
		}
	}
	for v := range applied {
		if !have[v] && v > unknown {
			unknown = v
		}
	}
	return missing, unknown
}

// SchemaVersion returns the applied version (0 for an empty database) and
// the version this binary knows: the highest migration numbers. With a
// migration missing below the highest applied, applied is reported as
// one less than the first missing, so applied != known still means "run
// ocpizza migrate".
func (s *Store) SchemaVersion(ctx context.Context) (applied, known int, err error) {
	ms, err := s.Migrations()
	if err != nil {
		return 0, 0, err
	}
	if len(ms) > 0 {
		known = ms[len(ms)-1].Version
	}
	if err := s.ensureVersionTable(ctx); err != nil {
		return 0, known, err
	}
	have, err := appliedVersions(ctx, s.db)
	if err != nil {
		return 0, known, err
	}
	for v := range have {
		applied = max(applied, v)
	}
	for _, m := range ms {
		if !have[m.Version] && m.Version < applied {
			return m.Version - 1, known, nil
		}
	}
	return applied, known, nil
}

func (s *Store) ensureVersionTable(ctx context.Context) error {
	_, err := s.wdb.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR(255) NOT NULL, applied_at "+s.d.timestamp()+" NOT NULL)")
	return err
}

// Migrate applies the migrations not yet applied, each in its own
// transaction (MySQL commits DDL implicitly: there a failed migration can
// leave part of its statements applied, so keep one change per file). It
// returns the names applied; running it again applies nothing.
func (s *Store) Migrate(ctx context.Context) ([]string, error) {
	return s.MigrateTo(ctx, 0)
}

// MigrateTo applies migrations up to version (0: all). A restore uses it
// to rebuild the schema a backup was taken with, then migrates the rest.
func (s *Store) MigrateTo(ctx context.Context, version int) ([]string, error) {
	ms, err := s.Migrations()
	if err != nil {
		return nil, err
	}
	last := 0
	if len(ms) > 0 {
		last = ms[len(ms)-1].Version
	}
	if version > last {
		return nil, errs.E(errs.Conflict, "schema version %d is newer than this binary knows (%d): use a newer ocpizza", version, last)
	}
	if version > 0 {
		for i, m := range ms {
			if m.Version > version {
				ms = ms[:i]
				break
			}
		}
	}
	if err := s.ensureVersionTable(ctx); err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	c, err := s.wdb.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	unlock, err := s.d.lockMigrations(ctx, c)
	if err != nil {
		return nil, fmt.Errorf("lock migrations: %w", err)
	}
	defer unlock()

	applied, err := appliedVersions(ctx, c)
	if err != nil {
		return nil, err
	}
	known, _ := s.Migrations()
	if _, unknown := schemaState(applied, known); unknown > 0 {
		return nil, errs.E(errs.Conflict, "the database is at schema version %d but this binary knows only %d: run a newer ocpizza", unknown, last)
	}
	for v := range applied {
		if version > 0 && v > version {
			return nil, errs.E(errs.Conflict, "the database is already at schema version %d, past %d", v, version)
		}
	}
	var done []string
	for _, m := range ms {
		if applied[m.Version] {
			continue
		}
		tx, err := c.BeginTx(ctx, nil)
		if err != nil {
			return done, err
		}
		for _, stmt := range splitStatements(m.SQL) {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				tx.Rollback()
				return done, fmt.Errorf("migration %s: %w\n%s", m.Name, err, stmt)
			}
		}
		if _, err := tx.ExecContext(ctx, s.q("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)"), m.Version, m.Name, time.Now().UTC()); err != nil {
			tx.Rollback()
			return done, fmt.Errorf("record migration %s: %w", m.Name, err)
		}
		if err := tx.Commit(); err != nil {
			return done, fmt.Errorf("commit migration %s: %w", m.Name, err)
		}
		done = append(done, m.Name)
	}
	return done, nil
}

// CheckSchema refuses to run on a database whose schema is older or newer
// than this binary, and says what to do.
func (s *Store) CheckSchema(ctx context.Context) error {
	applied, known, err := s.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	ms, err := s.Migrations()
	if err != nil {
		return err
	}
	have, err := appliedVersions(ctx, s.db)
	if err != nil {
		return err
	}
	switch missing, unknown := schemaState(have, ms); {
	case unknown > 0:
		return errs.E(errs.Conflict, "the database schema is at version %d, newer than this binary (%d): run the newer ocpizza", unknown, known)
	case missing > 0:
		return errs.E(errs.Conflict, "the database schema is at version %d, this binary needs %d: run `ocpizza migrate`", applied, known)
	}
	return nil
}

// splitStatements cuts a migration file at semicolons that end a line.
// Migration files hold no procedures, so this is enough.
func splitStatements(sql string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(sql, "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "--") || trimmed == "" {
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
		if strings.HasSuffix(trimmed, ";") {
			out = append(out, strings.TrimSuffix(strings.TrimSpace(cur.String()), ";"))
			cur.Reset()
		}
	}
	if strings.TrimSpace(cur.String()) != "" {
		out = append(out, strings.TrimSpace(cur.String()))
	}
	return out
}
