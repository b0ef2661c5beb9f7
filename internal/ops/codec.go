package ops

import (
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/oc-pizza/ocpizza/internal/text"
)

// The rows of a backup are JSON arrays of null, booleans, integers,
// strings and RFC 3339 times. encoding/json costs more than the database
// on a year of orders (reflection, an allocation per value), so rows are
// written by hand here, and read by hand when they are in the form this
// writer produces; anything else (escapes, spaces, a value of the wrong
// type) goes through encoding/json as before, which accepts or refuses it
// exactly as it always did.

// appendRow appends a row as a JSON array. Values are nil, bool, int64,
// string or time.Time (UTC), as store.Dump gives them; anything else goes
// through encoding/json.
func appendRow(b []byte, values []any) ([]byte, error) {
	b = append(b, '[')
	for i, v := range values {
		if i > 0 {
			b = append(b, ',')
		}
		switch x := v.(type) {
		case nil:
			b = append(b, "null"...)
		case bool:
			b = strconv.AppendBool(b, x)
		case int64:
			b = strconv.AppendInt(b, x, 10)
		case string:
			b = appendString(b, x)
		case time.Time:
			b = append(b, '"')
			b = x.AppendFormat(b, time.RFC3339Nano)
			b = append(b, '"')
		default:
			data, err := json.Marshal(v)
			if err != nil {
				return b, err
			}
			b = append(b, data...)
		}
	}
	return append(b, ']'), nil
}

// appendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD,
// as encoding/json writes it.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start, i := 0, 0
	for i < len(s) {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r != utf8.RuneError || size != 1 {
				i += size
				continue
			}
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			const hex = "0123456789abcdef"
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// fastRow decodes a row line written by appendRow, checking each value
// against its column's type as decodeRow does. ok is false for anything
// it does not handle (escapes, spaces, numbers that are not plain
// integers, a type that does not match, a malformed line): decodeRow then
// decides. values is reused when it has room.
func fastRow(line []byte, types []string, values []any) (_ []any, replaced int, ok bool) {
	values = values[:0]
	p := 0
	if len(line) < 2 || line[0] != '[' || line[len(line)-1] != ']' {
		return nil, 0, false
	}
	p = 1
	end := len(line) - 1
	if p == end {
		return values, 0, len(types) == 0
	}
	for col := 0; ; col++ {
		if col >= len(types) || p >= end {
			return nil, 0, false
		}
		var v any
		switch c := line[p]; {
		case c == 'n':
			if !hasWord(line[p:end], "null") {
				return nil, 0, false
			}
			p += 4
		case c == 't' || c == 'f':
			if types[col] != "bool" {
				return nil, 0, false
			}
			switch {
			case hasWord(line[p:end], "true"):
				v, p = true, p+4
			case hasWord(line[p:end], "false"):
				v, p = false, p+5
			default:
				return nil, 0, false
			}
		case c == '"':
			q := p + 1
			for q < end && line[q] != '"' {
				if line[q] == '\\' || line[q] < 0x20 {
					return nil, 0, false
				}
				q++
			}
			if q >= end {
				return nil, 0, false
			}
			raw := line[p+1 : q]
			p = q + 1
			switch types[col] {
			case "text":
				if !utf8.Valid(raw) {
					return nil, 0, false
				}
				s, n := replaceNUL(string(raw))
				v, replaced = s, replaced+n
			case "time":
				t, ok := parseUTC(raw)
				if !ok {
					return nil, 0, false
				}
				v = t
			default:
				return nil, 0, false
			}
		case c == '-' || c >= '0' && c <= '9':
			q := p
			if line[q] == '-' {
				q++
			}
			digits := q
			for q < end && line[q] >= '0' && line[q] <= '9' {
				q++
			}
			if q == digits || line[digits] == '0' && q-digits > 1 || types[col] != "int" {
				return nil, 0, false
			}
			n, err := strconv.ParseInt(string(line[p:q]), 10, 64)
			if err != nil {
				return nil, 0, false
			}
			v, p = n, q
		default:
			return nil, 0, false
		}
		values = append(values, v)
		if p == end {
			return values, replaced, col+1 == len(types)
		}
		if line[p] != ',' {
			return nil, 0, false
		}
		p++
	}
}

func hasWord(b []byte, w string) bool {
	return len(b) >= len(w) && string(b[:len(w)]) == w
}

// parseUTC reads the times appendRow writes, 2006-01-02T15:04:05Z with 1
// to 9 digits of fractions or none, the way time.Parse(time.RFC3339Nano)
// would (fields in range); ok is false for any other form.
func parseUTC(b []byte) (time.Time, bool) {
	t, rest, ok := text.DateTime(b, 'T')
	if !ok || len(rest) != 1 || rest[0] != 'Z' {
		return time.Time{}, false
	}
	return t, true
}
