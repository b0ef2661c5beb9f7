package store

import (
	"context"
	"strings"
)

// Setting is one durability setting of the database, as the server
// reports it, judged: "ok", "warn" (a crash or power cut may lose the last
// commits, never corrupt) or "FAIL" (it may corrupt the database, or lose
// commits at any crash).
type Setting struct {
	Name   string
	Value  string
	Status string
	Why    string
}

// Durability reads the settings that decide whether a committed order
// survives a crash of the database server or a power cut.
func (s *Store) Durability(ctx context.Context) ([]Setting, error) {
	names, query := s.d.durabilitySettings()
	vals := make([]string, len(names))
	ptrs := make([]any, len(names))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	// SQLite's pragmas are per connection: ask the writer's, the one
	// that commits (elsewhere wdb is the pool).
	if err := s.wdb.QueryRowContext(ctx, query).Scan(ptrs...); err != nil {
		return nil, err
	}
	m := map[string]string{}
	for i, n := range names {
		m[n] = vals[i]
	}
	return JudgeDurability(s.d.engine, m), nil
}

// JudgeDurability judges an engine's settings, given by name.
func JudgeDurability(e Engine, v map[string]string) []Setting {
	var out []Setting
	add := func(name, status, why string) {
		out = append(out, Setting{Name: name, Value: v[name], Status: status, Why: why})
	}
	lower := func(name string) string { return strings.ToLower(strings.TrimSpace(v[name])) }
	switch e {
	case SQLite:
		// PRAGMA synchronous answers 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA.
		names := map[string]string{"0": "OFF", "1": "NORMAL", "2": "FULL", "3": "EXTRA"}
		if n, ok := names[v["synchronous"]]; ok {
			v["synchronous"] = n
		}
		switch v["synchronous"] {
		case "FULL", "EXTRA":
			add("synchronous", "ok", "every commit is on the disk before it is answered")
		case "NORMAL":
			add("synchronous", "warn", "a power cut may lose the last commits (orders already answered): use ?synchronous=full")
		default:
			add("synchronous", "FAIL", "a crash may corrupt the database")
		}
		switch lower("journal_mode") {
		case "wal":
			add("journal_mode", "ok", "write-ahead log")
		case "delete", "truncate", "persist":
			add("journal_mode", "warn", "rollback journal: durable, but readers wait for the writer")
		default:
			add("journal_mode", "FAIL", "no journal on the disk: a crash may corrupt the database")
		}
	case Postgres:
		switch lower("synchronous_commit") {
		case "on", "remote_apply", "remote_write", "local":
			add("synchronous_commit", "ok", "a commit is flushed before it is answered")
		default:
			add("synchronous_commit", "warn", "a crash of the server may lose the commits of its last moments (orders already answered)")
		}
		if lower("fsync") == "on" {
			add("fsync", "ok", "the server syncs its writes")
		} else {
			add("fsync", "FAIL", "a crash of the server may corrupt the database")
		}
		if lower("full_page_writes") == "on" {
			add("full_page_writes", "ok", "torn pages are repaired after a crash")
		} else {
			add("full_page_writes", "FAIL", "a crash of the server may leave torn pages")
		}
	case MySQL:
		if v["innodb_flush_log_at_trx_commit"] == "1" {
			add("innodb_flush_log_at_trx_commit", "ok", "the redo log is flushed at every commit")
		} else {
			add("innodb_flush_log_at_trx_commit", "warn", "a crash or power cut may lose about a second of commits (orders already answered): set it to 1")
		}
		binlog := v["log_bin"] == "1" || lower("log_bin") == "on"
		switch {
		case !binlog:
			add("sync_binlog", "ok", "no binary log")
		case v["sync_binlog"] == "1":
			add("sync_binlog", "ok", "the binary log is synced at every commit")
		default:
			add("sync_binlog", "warn", "a power cut may lose commits from the binary log (replicas, point-in-time recovery): set it to 1")
		}
		if v["innodb_doublewrite"] == "0" || lower("innodb_doublewrite") == "off" {
			add("innodb_doublewrite", "FAIL", "a crash may leave torn pages")
		} else {
			add("innodb_doublewrite", "ok", "torn pages are repaired after a crash")
		}
	}
	return out
}
