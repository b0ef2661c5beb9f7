package store_test

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"syscall"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/oc-pizza/ocpizza/internal/store"
)

// TestUnreachable: what a database restart gives the store is told from a
// bug, so the API answers 503 and clients retry.
func TestUnreachable(t *testing.T) {
	t.Parallel()
	for _, err := range []error{
		driver.ErrBadConn, mysql.ErrInvalidConn, &pgconn.PgError{Code: "57P01"}, &pgconn.PgError{Code: "08006"},
		&mysql.MySQLError{Number: 1053}, &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED},
		fmt.Errorf("place order: %w", syscall.ECONNRESET),
	} {
		if !store.Unreachable(err) {
			t.Errorf("%v is not seen as an outage", err)
		}
	}
	for _, err := range []error{nil, errors.New("syntax error"), &pgconn.PgError{Code: "23505"}, &mysql.MySQLError{Number: 1062}} {
		if store.Unreachable(err) {
			t.Errorf("%v is seen as an outage", err)
		}
	}
}
