package text

import (
	"net/url"
	"strings"
)

// RedactURL shows a URL with its password hidden, for messages and the
// configuration's dump. One that does not parse is not shown at all: it
// may hold a password url.Parse could not find.
func RedactURL(raw string) string {
	if raw == "" {
		return "(not set)"
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "(not a URL)"
	}
	q := u.Query()
	for k := range q {
		switch strings.ToLower(k) {
		case "password", "pass", "passwd", "pwd", "sslpassword":
			q.Set(k, "xxxxx")
			u.RawQuery = q.Encode()
		}
	}
	return u.Redacted()
}
