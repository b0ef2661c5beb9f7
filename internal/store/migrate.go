package store

import (
	"context"
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
	for i, m := range out {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migrations of %s: expected version %d, found %s", engine, i+1, m.Name)
		}
	}
	return out, nil
}

// SchemaVersion returns the applied version (0 for an empty database) and
// the version this binary knows.
func (s *Store) SchemaVersion(ctx context.Context) (applied, known int, err error) {
	ms, err := s.Migrations()
	if err != nil {
		return 0, 0, err
	}
	known = len(ms)
	if err := s.ensureVersionTable(ctx); err != nil {
		return 0, known, err
	}
	err = s.read().queryRow(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&applied)
	return applied, known, err
}

func (s *Store) ensureVersionTable(ctx context.Context) error {
	ts := map[Engine]string{SQLite: "TIMESTAMP", Postgres: "TIMESTAMPTZ", MySQL: "DATETIME(6)"}[s.d.engine]
	_, err := s.wdb.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR(255) NOT NULL, applied_at "+ts+" NOT NULL)")
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
	if version > len(ms) {
		return nil, errs.E(errs.Conflict, "schema version %d is newer than this binary knows (%d): use a newer ocpizza", version, len(ms))
	}
	if version > 0 {
		ms = ms[:version]
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

	var applied int
	if err := c.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&applied); err != nil {
		return nil, err
	}
	if known, _ := s.Migrations(); applied > len(known) {
		return nil, errs.E(errs.Conflict, "the database is at schema version %d but this binary knows only %d: run a newer ocpizza", applied, len(known))
	}
	if applied > len(ms) {
		return nil, errs.E(errs.Conflict, "the database is already at schema version %d, past %d", applied, len(ms))
	}
	var done []string
	for _, m := range ms[applied:] {
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
	switch {
	case applied < known:
		return errs.E(errs.Conflict, "the database schema is at version %d, this binary needs %d: run `ocpizza migrate`", applied, known)
	case applied > known:
		return errs.E(errs.Conflict, "the database schema is at version %d, newer than this binary (%d): run the newer ocpizza", applied, known)
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
