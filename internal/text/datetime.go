package text

import "time"

// DateTime reads a date and time at the start of s without time.Parse —
// backups read and write millions of them: "2006-01-02", the separator
// sep, "15:04:05", then an optional fraction of up to nine digits. Fields
// must be in range, as time.Parse checks them. It returns the time as UTC
// and what follows it; ok is false for any other form.
func DateTime[S string | []byte](s S, sep byte) (t time.Time, rest S, ok bool) {
	if len(s) < 19 || s[4] != '-' || s[7] != '-' || s[10] != sep || s[13] != ':' || s[16] != ':' {
		return t, rest, false
	}
	num := func(from, to int) (int, bool) {
		n := 0
		for i := from; i < to; i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	year, ok1 := num(0, 4)
	month, ok2 := num(5, 7)
	day, ok3 := num(8, 10)
	hour, ok4 := num(11, 13)
	minute, ok5 := num(14, 16)
	sec, ok6 := num(17, 19)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || sec > 59 ||
		day > time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day() {
		return t, rest, false
	}
	rest, nsec := s[19:], 0
	if len(rest) > 0 && rest[0] == '.' {
		digits := 1 // the dot
		for digits < len(rest) && rest[digits] >= '0' && rest[digits] <= '9' {
			digits++
		}
		if digits == 1 || digits > 10 {
			return t, rest, false
		}
		nsec, _ = num(20, 19+digits)
		for range 10 - digits {
			nsec *= 10
		}
		rest = rest[digits:]
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC), rest, true
}
