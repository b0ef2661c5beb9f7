package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
)

// TestBatchIsolatesFailures: transactions that share a group commit do
// not see each other fail. Each writes a row; the odd ones then fail, and
// only their rows disappear.
func TestBatchIsolatesFailures(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "batch.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	var wg sync.WaitGroup
	errs := make([]error, 100)
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.write(ctx, func(c conn) error {
				if _, err := c.exec(ctx, s.d.upsertSetting(), fmt.Sprintf("k%03d", i), "v", s.Now()); err != nil {
					return err
				}
				if i%2 == 1 {
					return boom
				}
				return nil
			})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if (i%2 == 1) != errors.Is(err, boom) || (i%2 == 0 && err != nil) {
			t.Fatalf("job %d: %v", i, err)
		}
	}
	for i := 0; i < 100; i++ {
		_, _, ok, err := s.Setting(ctx, fmt.Sprintf("k%03d", i))
		if err != nil || ok != (i%2 == 0) {
			t.Fatalf("row of job %d present=%v (%v)", i, ok, err)
		}
	}
}
