// Package store keeps OC Pizza's data in SQLite, PostgreSQL or
// MySQL/MariaDB. It is the only package that speaks SQL. Each exported
// method is one transaction; business rules stay in the domain packages and
// arrive here already decided.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver

	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/order"
	"github.com/oc-pizza/ocpizza/internal/text"
)

// Store is a handle on the database.
type Store struct {
	db  *sql.DB // reads; also writes on PostgreSQL and MySQL
	wdb *sql.DB // writes: one connection on SQLite, which allows one writer
	d   dialect
	url string // kept for connections outside the pool (LISTEN)
	// clock gives every stored time; tests and the demo's back-dated
	// orders set it (SetClock) while background work may read it.
	clock atomic.Pointer[func() time.Time]
	hold  atomic.Pointer[order.HoldLimit] // SetHoldLimit

	rebound sync.Map // query text → rebound text, for PostgreSQL
	// stmts caches statements prepared on SQLite's single writer
	// connection: compiling SQL costs more there than running it.
	stmts     sync.Map // query text → *sql.Stmt
	stmtCount atomic.Int64
	readStmts sync.Map // query text → *sql.Stmt on the read pool (SQLite)
	readCount atomic.Int64
	batch     *batcher // SQLite's group commit (batch.go)
	// orderLanes queue PostgreSQL's orders by pizzeria (orders_pg.go); a
	// fixed number, whatever the pizzeria ids.
	orderLanes [32]orderLane
}

// Engine reports which engine the store talks to.
func (s *Store) Engine() Engine { return s.d.engine }

// DB exposes the read pool, for metrics and health checks.
func (s *Store) DB() *sql.DB { return s.db }

// Open connects to the database named by rawURL:
//
//	sqlite:PATH                     an embedded database file
//	postgres://user:pass@host/db    PostgreSQL
//	mysql://user:pass@host:port/db  MySQL or MariaDB
//
// It checks that the server answers; it does not migrate.
func Open(ctx context.Context, rawURL string) (*Store, error) {
	// Microseconds: the finest precision all three engines store, so a
	// time reads back the same whatever the engine (and after a restore).
	s := &Store{}
	s.SetClock(func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) })
	var err error
	switch {
	case strings.HasPrefix(rawURL, "sqlite:"):
		s.d = dialect{SQLite}
		path, _ := SQLiteFile(rawURL)
		var sync string
		if sync, err = sqliteSynchronous(rawURL); err == nil {
			err = s.openSQLite(path, sync)
		}
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		s.d = dialect{Postgres}
		s.url = rawURL
		s.db, err = sql.Open("pgx", rawURL)
		s.wdb = s.db
	case strings.HasPrefix(rawURL, "mysql://"):
		s.d = dialect{MySQL}
		var dsn string
		if dsn, err = mysqlDSN(rawURL); err == nil {
			s.db, err = sql.Open("mysql", dsn)
			s.wdb = s.db
		}
	default:
		return nil, errs.E(errs.Invalid, "database URL %q: expected sqlite:PATH, postgres://… or mysql://…", text.RedactURL(rawURL))
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", text.RedactURL(rawURL), err)
	}
	if s.d.server() {
		s.db.SetMaxOpenConns(16)
		s.db.SetMaxIdleConns(16)
		s.db.SetConnMaxIdleTime(5 * time.Minute)
	}
	if s.d.pipelines() {
		for i := range s.orderLanes {
			s.orderLanes[i].turn = make(chan struct{}, 1)
		}
	}
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := s.db.PingContext(pingCtx); err != nil {
		s.Close()
		return nil, fmt.Errorf("connect to %s: %w", text.RedactURL(rawURL), err)
	}
	return s, nil
}

// SQLiteFile returns the file of a sqlite: URL; ok is false for the other
// engines.
func SQLiteFile(rawURL string) (path string, ok bool) {
	if !strings.HasPrefix(rawURL, "sqlite:") {
		return "", false
	}
	path, _, _ = strings.Cut(strings.TrimPrefix(strings.TrimPrefix(rawURL, "sqlite:"), "//"), "?")
	return path, true
}

// SQLiteSynchronous is SQLite's default durability: FULL syncs the WAL to
// the disk at every commit, so an order answered 201 survives a power cut.
// NORMAL syncs only at checkpoints: faster, and never corrupt, but a power
// cut (not a crash of the process) loses the last commits. A shop can lose
// power, and group commit (batch.go) shares one sync among the orders
// committed together, which keeps FULL's cost small (docs/reliability.md).
const SQLiteSynchronous = "FULL"

// sqliteSynchronous reads the synchronous setting of a sqlite: URL
// (sqlite:PATH?synchronous=normal), FULL by default.
func sqliteSynchronous(rawURL string) (string, error) {
	_, query, _ := strings.Cut(rawURL, "?")
	q, err := url.ParseQuery(query)
	if err != nil {
		return "", errs.E(errs.Invalid, "database URL %q: %v", rawURL, err)
	}
	for k := range q {
		if k != "synchronous" {
			return "", errs.E(errs.Invalid, "database URL %q: sqlite: takes only ?synchronous=full|normal|extra", rawURL)
		}
	}
	switch v := strings.ToUpper(q.Get("synchronous")); v {
	case "":
		return SQLiteSynchronous, nil
	case "FULL", "NORMAL", "EXTRA":
		return v, nil
	default:
		return "", errs.E(errs.Invalid, "database URL %q: synchronous is full, normal or extra", rawURL)
	}
}

func (s *Store) openSQLite(path, synchronous string) error {
	if path == "" {
		return errs.E(errs.Invalid, "sqlite: needs a file path, e.g. sqlite:data/ocpizza.db")
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return err
		}
	}
	// WAL lets readers run beside the single writer; synchronous says
	// when commits reach the disk (SQLiteSynchronous). Temporary storage
	// in memory keeps the savepoints of group commit (batch.go) from
	// writing a sub-journal file.
	common := "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=synchronous(" + synchronous + ")&_pragma=temp_store(MEMORY)&_time_format=sqlite"
	u := "file:" + (&url.URL{Path: path}).EscapedPath()
	var err error
	if s.wdb, err = sql.Open("sqlite", u+"?"+common+"&_txlock=immediate"); err != nil {
		return err
	}
	s.wdb.SetMaxOpenConns(1)
	s.wdb.SetConnMaxIdleTime(0)
	if s.db, err = sql.Open("sqlite", u+"?"+common+"&_pragma=query_only(1)"); err != nil {
		return err
	}
	s.db.SetMaxOpenConns(8)
	s.db.SetMaxIdleConns(8)
	// A reader idle for a minute is closed, giving back its page cache (up
	// to 2 MB each). SQLite keeps its file open for the next connection it
	// opens, as other connections hold locks on it: the files stay bounded
	// by the pool, not released.
	s.db.SetConnMaxIdleTime(time.Minute)
	// The writer must create the file (and switch it to WAL) before
	// readers open it read-only.
	if err := s.wdb.Ping(); err != nil {
		return err
	}
	s.batch = newBatcher(s)
	return nil
}

// mysqlDSN turns mysql://user:pass@host:port/db?opts into the driver's DSN.
func mysqlDSN(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// url.Parse's error quotes the URL, password and all.
		return "", errs.E(errs.Invalid, "bad MySQL URL: it does not parse (a password with %%, # or ? must be percent-encoded)")
	}
	db := strings.TrimPrefix(u.Path, "/")
	if db == "" || u.Host == "" {
		return "", errs.E(errs.Invalid, "MySQL URL needs a host and a database: mysql://user:pass@host:3306/ocpizza")
	}
	cfg := mysql.NewConfig()
	cfg.User = u.User.Username()
	cfg.Passwd, _ = u.User.Password()
	cfg.Net = "tcp"
	cfg.Addr = u.Host
	if u.Port() == "" {
		cfg.Addr = u.Host + ":3306"
	}
	cfg.DBName = db
	cfg.ParseTime = true
	cfg.Loc = time.UTC
	// One round trip per statement instead of prepare/execute/close.
	cfg.InterpolateParams = true
	cfg.Params = map[string]string{"time_zone": "'+00:00'"}
	for k, v := range u.Query() {
		cfg.Params[k] = v[0]
	}
	return cfg.FormatDSN(), nil
}

// Now is the time stored for what is written now.
func (s *Store) Now() time.Time { return (*s.clock.Load())() }

// Clock returns the clock that Now reads.
func (s *Store) Clock() func() time.Time { return *s.clock.Load() }

// SetClock replaces the clock (tests; the demo's back-dated orders). Its
// times are stored in UTC, whatever their location: SQLite compares the
// text it stores, and "23:17+01:00" sorts after "22:30+00:00".
func (s *Store) SetClock(now func() time.Time) {
	utc := func() time.Time { return now().UTC() }
	s.clock.Store(&utc)
}

// Close releases the connections.
func (s *Store) Close() error {
	var err error
	if s.batch != nil {
		s.batch.close()
	}
	for _, m := range []*sync.Map{&s.stmts, &s.readStmts} {
		m.Range(func(_, v any) bool {
			v.(*sql.Stmt).Close()
			return true
		})
	}
	if s.db != nil {
		err = s.db.Close()
	}
	if s.wdb != nil && s.wdb != s.db {
		err = errors.Join(err, s.wdb.Close())
	}
	return err
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// conn runs queries written with ? placeholders on a pool or transaction.
type conn struct {
	s  *Store
	x  execer
	tx *sql.Tx // set inside write transactions
	// unprepared collects queries to add to the statement cache.
	unprepared *[]string
	// detached statements ignore their context's cancellation (see batch.go).
	detached bool
}

// maxCachedStmts bounds the statement cache: queries built for a number of
// lines or ingredients come in a few hundred shapes at most.
const maxCachedStmts = 1000

// prepared returns a cached statement bound to the transaction, or nil
// where caching does not apply. A query seen for the first time runs
// plainly and is noted, to be prepared once the transaction has given the
// single writer connection back.
func (c conn) prepared(ctx context.Context, query string) *sql.Stmt {
	if !c.s.d.cachesStatements() {
		return nil
	}
	if c.tx == nil {
		return c.s.readStmt(ctx, query)
	}
	if v, ok := c.s.stmts.Load(query); ok {
		return c.tx.StmtContext(ctx, v.(*sql.Stmt))
	}
	if c.unprepared != nil && c.s.stmtCount.Load() < maxCachedStmts {
		*c.unprepared = append(*c.unprepared, query)
	}
	return nil
}

// readStmt returns a statement prepared on SQLite's read pool; database/sql
// prepares it again on each connection of the pool as they use it.
func (s *Store) readStmt(ctx context.Context, query string) *sql.Stmt {
	if v, ok := s.readStmts.Load(query); ok {
		return v.(*sql.Stmt)
	}
	if s.readCount.Load() >= maxCachedStmts {
		return nil
	}
	st, err := s.db.PrepareContext(ctx, query)
	if err != nil {
		return nil // let the plain path report the error
	}
	if prev, loaded := s.readStmts.LoadOrStore(query, st); loaded {
		st.Close()
		return prev.(*sql.Stmt)
	}
	s.readCount.Add(1)
	return st
}

// prepare caches statements for the queries a transaction ran unprepared.
func (s *Store) prepare(ctx context.Context, queries []string) {
	for _, q := range queries {
		if _, ok := s.stmts.Load(q); ok || s.stmtCount.Load() >= maxCachedStmts {
			continue
		}
		st, err := s.wdb.PrepareContext(ctx, q)
		if err != nil {
			continue // the plain path reports errors
		}
		if _, loaded := s.stmts.LoadOrStore(q, st); loaded {
			st.Close()
			continue
		}
		s.stmtCount.Add(1)
	}
}

// q rebinds a query's placeholders for the engine, once per query text.
func (s *Store) q(query string) string {
	if !s.d.numbered() {
		return query
	}
	if v, ok := s.rebound.Load(query); ok {
		return v.(string)
	}
	r := s.d.rebind(query)
	s.rebound.Store(query, r)
	return r
}

func (c conn) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ctx = c.context(ctx)
	if st := c.prepared(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return c.x.ExecContext(ctx, c.s.q(query), args...)
}

func (c conn) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	ctx = c.context(ctx)
	if st := c.prepared(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return c.x.QueryContext(ctx, c.s.q(query), args...)
}

func (c conn) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	ctx = c.context(ctx)
	if st := c.prepared(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return c.x.QueryRowContext(ctx, c.s.q(query), args...)
}

// insertID runs an INSERT … and returns the new row's id.
// PostgreSQL's driver has no LastInsertId: the row returns its id there.
func (c conn) insertID(ctx context.Context, query string, args ...any) (int64, error) {
	if c.s.d.returning() {
		var id int64
		err := c.queryRow(ctx, query+" RETURNING id", args...).Scan(&id)
		return id, err
	}
	res, err := c.exec(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

func (c conn) context(ctx context.Context) context.Context {
	if c.detached {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

// read gives a connection on the read pool.
func (s *Store) read() conn { return conn{s: s, x: s.db} }

// write runs fn in one transaction, again if it failed only because of a
// concurrent transaction (deadlock, serialization, busy), at most 5 times.
func (s *Store) write(ctx context.Context, fn func(c conn) error) error {
	return s.retry(ctx, func() error { return s.tryWrite(ctx, fn) })
}

// retry runs a transaction again if it failed only because of a concurrent
// one, at most 5 times in all.
func (s *Store) retry(ctx context.Context, try func() error) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Duration(attempt*attempt) * 5 * time.Millisecond):
			}
		}
		err = try()
		if err == nil || !s.d.isRetryable(err) {
			return err
		}
	}
	return err
}

func (s *Store) tryWrite(ctx context.Context, fn func(c conn) error) error {
	if s.batch != nil {
		return s.batch.run(ctx, fn)
	}
	return s.writeAlone(ctx, fn)
}

// writeAlone runs fn in a transaction of its own on the writer: no group
// commit, no retry (the load tool's bare transactions use it as such).
func (s *Store) writeAlone(ctx context.Context, fn func(c conn) error) error {
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	var unprepared []string
	if err := fn(conn{s: s, x: tx, tx: tx, unprepared: &unprepared}); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	if len(unprepared) > 0 {
		s.prepare(ctx, unprepared)
	}
	return nil
}

// notFound maps sql.ErrNoRows to a domain not-found error.
func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return errs.E(errs.NotFound, "no such %s", what)
	}
	return err
}

// nullInt turns 0 into NULL for optional references.
func nullInt(v int64) sql.NullInt64 { return sql.NullInt64{Int64: v, Valid: v != 0} }
