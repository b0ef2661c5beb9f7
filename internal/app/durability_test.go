package app_test

import (
	"database/sql"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/oc-pizza/ocpizza/internal/store"
	"github.com/oc-pizza/ocpizza/internal/store/storetest"
)

// TestCheckReportsDurability: `ocpizza check` says, on every engine, the
// settings that decide whether an answered order survives a crash or a
// power cut, and warns on those that do not guarantee it.
func TestCheckReportsDurability(t *testing.T) {
	t.Parallel()
	line := func(status, setting string) *regexp.Regexp {
		return regexp.MustCompile(`(?m)^` + status + `\s+durability\s+` + setting + ` = `)
	}
	checkOut := func(t *testing.T, dbURL string) string {
		t.Helper()
		env := map[string]string{"OCPIZZA_DATABASE_URL": dbURL, "OCPIZZA_DATA_DIR": t.TempDir()}
		if code, _, errOut := run(t, env, "", "migrate"); code != 0 {
			t.Fatal(errOut)
		}
		_, out, _ := run(t, env, "", "check")
		return out
	}
	expect := func(t *testing.T, out string, lines ...*regexp.Regexp) {
		t.Helper()
		for _, re := range lines {
			if !re.MatchString(out) {
				t.Errorf("check lacks %s:\n%s", re, out)
			}
		}
	}
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "d.db")
		expect(t, checkOut(t, "sqlite:"+path), line("ok", "synchronous"), line("ok", "journal_mode"))
		expect(t, checkOut(t, "sqlite:"+path+"?synchronous=normal"), line("warn", "synchronous"))
	})
	t.Run("postgres", func(t *testing.T) {
		u := storetest.NewDatabase(t, store.Postgres)
		expect(t, checkOut(t, u), line("ok", "synchronous_commit"), line("ok", "fsync"), line("ok", "full_page_writes"))
		db, err := sql.Open("pgx", u)
		check(t, err)
		defer db.Close()
		if _, err := db.Exec("DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET synchronous_commit = off', current_database()); END $$"); err != nil {
			t.Fatal(err)
		}
		expect(t, checkOut(t, u), line("warn", "synchronous_commit"))
	})
	t.Run("mysql", func(t *testing.T) {
		expect(t, checkOut(t, storetest.NewDatabase(t, store.MySQL)), line("(ok|warn)", "innodb_flush_log_at_trx_commit"), line("(ok|warn)", "sync_binlog"))
	})
}

// TestJudgeDurability: the settings that lose answered orders are warned
// about, those that corrupt fail.
func TestJudgeDurability(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		engine store.Engine
		values map[string]string
		want   map[string]string
	}{
		{store.SQLite, map[string]string{"synchronous": "2", "journal_mode": "wal"}, map[string]string{"synchronous": "ok", "journal_mode": "ok"}},
		{store.SQLite, map[string]string{"synchronous": "1", "journal_mode": "wal"}, map[string]string{"synchronous": "warn"}},
		{store.SQLite, map[string]string{"synchronous": "0", "journal_mode": "memory"}, map[string]string{"synchronous": "FAIL", "journal_mode": "FAIL"}},
		{store.Postgres, map[string]string{"synchronous_commit": "off", "fsync": "off", "full_page_writes": "on"}, map[string]string{"synchronous_commit": "warn", "fsync": "FAIL", "full_page_writes": "ok"}},
		{store.MySQL, map[string]string{"innodb_flush_log_at_trx_commit": "1", "sync_binlog": "0", "log_bin": "0", "innodb_doublewrite": "1"},
			map[string]string{"innodb_flush_log_at_trx_commit": "ok", "sync_binlog": "ok", "innodb_doublewrite": "ok"}},
		{store.MySQL, map[string]string{"innodb_flush_log_at_trx_commit": "2", "sync_binlog": "0", "log_bin": "1", "innodb_doublewrite": "0"},
			map[string]string{"innodb_flush_log_at_trx_commit": "warn", "sync_binlog": "warn", "innodb_doublewrite": "FAIL"}},
	} {
		got := map[string]string{}
		for _, s := range store.JudgeDurability(tc.engine, tc.values) {
			got[s.Name] = s.Status
		}
		for name, status := range tc.want {
			if got[name] != status {
				t.Errorf("%s %v: %s is %q, want %q", tc.engine, tc.values, name, got[name], status)
			}
		}
	}
}
