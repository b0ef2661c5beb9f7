// Package storetest gives tests a fresh, migrated database on each engine.
// Each test gets its own database, dropped when the test passes and left
// behind (with its name logged) when it fails, to look at.
//
// PostgreSQL and MariaDB are reached at OCPIZZA_TEST_POSTGRES_URL and
// OCPIZZA_TEST_MYSQL_URL (defaults: the local servers, trust/root auth).
// When a server does not answer the engine's tests are skipped with a loud
// message, except under CI=true, where they fail.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"

	"github.com/oc-pizza/ocpizza/internal/store"
)

// Engines lists the engines every store and API suite runs on.
var Engines = []store.Engine{store.SQLite, store.Postgres, store.MySQL}

func postgresAdminURL() string {
	if u := os.Getenv("OCPIZZA_TEST_POSTGRES_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

func mysqlAdminURL() string {
	if u := os.Getenv("OCPIZZA_TEST_MYSQL_URL"); u != "" {
		return u
	}
	return "mysql://root@127.0.0.1:3306/mysql"
}

// ForEach runs fn as a subtest per engine, each with a fresh database URL
// (not yet migrated).
func ForEach(t *testing.T, fn func(t *testing.T, databaseURL string)) {
	t.Helper()
	for _, e := range Engines {
		t.Run(string(e), func(t *testing.T) {
			fn(t, NewDatabase(t, e))
		})
	}
}

// Open returns a migrated store on a fresh database of the engine.
func Open(t testing.TB, e store.Engine) *store.Store {
	t.Helper()
	s, _ := OpenURL(t, e)
	return s
}

// OpenURL is Open, also giving the database's URL (for a second
// connection that breaks something on purpose).
func OpenURL(t testing.TB, e store.Engine) (*store.Store, string) {
	t.Helper()
	u := NewDatabase(t, e)
	s, err := store.Open(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s, u
}

var reachable sync.Map // engine → error (nil when reachable)

// Available reports whether the engine's server answers (SQLite, being
// embedded, always does).
func Available(e store.Engine) bool {
	if e == store.SQLite {
		return true
	}
	if prev, ok := reachable.Load(e); ok {
		return prev == nil
	}
	admin, _, err := adminDB(e)
	if err == nil {
		defer admin.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err = admin.PingContext(ctx)
	}
	reachable.Store(e, err)
	return err == nil
}

func unavailable(t testing.TB, e store.Engine, err error) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is required under CI=true but does not answer: %v", e, err)
	}
	t.Skipf("SKIPPING %s TESTS: the server does not answer (%v). They run for real in CI.", strings.ToUpper(string(e)), err)
}

// NewDatabase creates an empty database on the engine and returns its URL.
func NewDatabase(t testing.TB, e store.Engine) string {
	t.Helper()
	if e == store.SQLite {
		return "sqlite:" + filepath.Join(t.TempDir(), "ocpizza.db")
	}
	name := "ocpizza_test_" + randomSuffix()
	admin, adminURL, err := adminDB(e)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	adminURL.Path = "/" + name
	dbURL := adminURL.String()
	if prev, ok := reachable.Load(e); ok && prev != nil {
		unavailable(t, e, prev.(error))
	}
	// A server that answers at all creates a database in well under a
	// second; on a machine saturated by browsers and the race detector it
	// has taken over 5 s, which is no reason to fail a test.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := admin.PingContext(ctx); err != nil {
		reachable.Store(e, err)
		unavailable(t, e, err)
	}
	reachable.Store(e, nil)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("test database %s left for inspection: %s", name, dbURL)
			return
		}
		db, _, err := adminDB(e)
		if err != nil {
			t.Logf("drop test database %s: %v", name, err)
			return
		}
		defer db.Close()
		drop := "DROP DATABASE IF EXISTS " + name
		if e == store.Postgres {
			drop += " WITH (FORCE)"
		}
		if _, err := db.Exec(drop); err != nil {
			t.Logf("drop test database %s: %v", name, err)
		}
	})
	return dbURL
}

func randomSuffix() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// adminDB connects to the engine's server as an administrator and returns
// the admin URL, whose path the caller may change to name a database.
func adminDB(e store.Engine) (*sql.DB, *url.URL, error) {
	if e == store.Postgres {
		u, err := url.Parse(postgresAdminURL())
		if err != nil {
			return nil, nil, err
		}
		db, err := sql.Open("pgx", u.String())
		return db, u, err
	}
	u, err := url.Parse(mysqlAdminURL())
	if err != nil {
		return nil, nil, err
	}
	pass, _ := u.User.Password()
	db, err := sql.Open("mysql", u.User.Username()+":"+pass+"@tcp("+u.Host+")/")
	return db, u, err
}
