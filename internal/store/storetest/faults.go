package storetest

import (
	"context"
	"database/sql"
	"net/url"
	"strings"
	"testing"

	"github.com/oc-pizza/ocpizza/internal/store"
)

// FailWrites makes every INSERT or UPDATE (op) on a table of the database
// at databaseURL fail, through a trigger, as a full disk or a lost
// connection would fail it at that moment: a test sees what a failure in
// the middle of a use case leaves behind. The returned function heals it.
func FailWrites(t testing.TB, databaseURL, table, op string) (heal func()) {
	t.Helper()
	db, engine := rawDB(t, databaseURL)
	name := "fail_" + strings.ToLower(op) + "_" + table
	var create, drop []string
	switch engine {
	case store.SQLite:
		create = []string{"CREATE TRIGGER " + name + " BEFORE " + op + " ON " + table + " BEGIN SELECT RAISE(ABORT, 'injected failure'); END"}
		drop = []string{"DROP TRIGGER " + name}
	case store.Postgres:
		create = []string{"CREATE FUNCTION " + name + "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$",
			"CREATE TRIGGER " + name + " BEFORE " + op + " ON " + table + " FOR EACH ROW EXECUTE FUNCTION " + name + "()"}
		drop = []string{"DROP TRIGGER " + name + " ON " + table, "DROP FUNCTION " + name + "()"}
	case store.MySQL:
		create = []string{"CREATE TRIGGER " + name + " BEFORE " + op + " ON " + table + " FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'injected failure'"}
		drop = []string{"DROP TRIGGER " + name}
	}
	for _, q := range create {
		if _, err := db.ExecContext(context.Background(), q); err != nil {
			db.Close()
			t.Fatalf("inject a failure: %v", err)
		}
	}
	healed := false
	heal = func() {
		if healed {
			return
		}
		healed = true
		defer db.Close()
		for _, q := range drop {
			if _, err := db.ExecContext(context.Background(), q); err != nil {
				t.Fatalf("heal an injected failure: %v", err)
			}
		}
	}
	t.Cleanup(heal)
	return heal
}

// rawDB opens a plain connection to a test database, beside the store's.
func rawDB(t testing.TB, databaseURL string) (*sql.DB, store.Engine) {
	t.Helper()
	if path, ok := store.SQLiteFile(databaseURL); ok {
		db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
		if err != nil {
			t.Fatal(err)
		}
		return db, store.SQLite
	}
	u, err := url.Parse(databaseURL)
	if err != nil {
		t.Fatal(err)
	}
	if u.Scheme == "mysql" {
		pass, _ := u.User.Password()
		db, err := sql.Open("mysql", u.User.Username()+":"+pass+"@tcp("+u.Host+")"+u.Path)
		if err != nil {
			t.Fatal(err)
		}
		return db, store.MySQL
	}
	db, err := sql.Open("pgx", databaseURL)
	if err != nil {
		t.Fatal(err)
	}
	return db, store.Postgres
}
