package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/oc-pizza/ocpizza/internal/store"
)

// TestOpenNeverShowsThePassword: whatever is wrong with a database URL,
// the error names it without its password.
func TestOpenNeverShowsThePassword(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{
		"mysql://oc:s3cr%t@db/ocpizza",
		"mysql://oc:s3cret@127.0.0.1:1/ocpizza",
		"postgres://oc:s3cret@127.0.0.1:1/ocpizza?connect_timeout=1",
		"oracle://oc:s3cret@db/ocpizza",
	} {
		st, err := store.Open(context.Background(), raw)
		if err == nil {
			st.Close()
			t.Fatalf("%s: opened", raw)
		}
		if strings.Contains(err.Error(), "s3cr") {
			t.Errorf("%s: the error shows the password: %v", raw, err)
		}
	}
}
