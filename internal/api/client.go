package api

import (
	"net"
	"net/http"
)

// ClientIP is the address the request came from, which the shop throttles
// sign-ins and sign-ups by. Behind a reverse proxy the server's middleware
// has already put the client's address in RemoteAddr (only for proxies
// the configuration trusts); otherwise every request shares the proxy's
// address, and the per-account limits still hold.
func ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
