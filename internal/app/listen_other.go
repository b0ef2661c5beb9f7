//go:build !linux

package app

import (
	"context"
	"net"
)

// listen opens a plain TCP listener where SO_REUSEPORT is not available.
func listen(ctx context.Context, addr string) (net.Listener, error) {
	var lc net.ListenConfig
	return lc.Listen(ctx, "tcp", addr)
}
