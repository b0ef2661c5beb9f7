// Package loadtest drives a running server with a realistic mix.
package loadtest

import (
	"context"
	"errors"
	"io"
)

// Main runs the load tool.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	return errors.New("not written yet")
}
