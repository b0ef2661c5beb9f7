package store

import (
	"testing"
	"time"
)

// FuzzParseSQLiteTime: the hand-written reader of SQLite's times reads
// what time.Parse reads, and refuses what it refuses (parseTime then asks
// time.Parse).
func FuzzParseSQLiteTime(f *testing.F) {
	for _, s := range []string{"2026-12-03 08:00:00.123456+00:00", "2026-12-03 08:00:00-05:30", "2026-12-03 08:00:00", "2024-02-29 23:59:59.5+01:00",
		"2023-02-29 08:00:00+00:00", "2026-12-03 24:00:00+00:00", "2026-12-03 08:00:00.+00:00", "2026-12-03 08:00:00.1234567891+00:00", "2026-13-03 08:00:00Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseSQLiteTime(s)
		if !ok {
			return
		}
		layout := "2006-01-02 15:04:05.999999999-07:00"
		if len(s) == 19 || s[len(s)-6] != '+' && s[len(s)-6] != '-' {
			layout = "2006-01-02 15:04:05.999999999"
		}
		want, err := time.Parse(layout, s)
		if err != nil {
			t.Fatalf("%q read as %v, time.Parse refuses it: %v", s, got, err)
		}
		if !got.Equal(want) || got.Location() != time.UTC {
			t.Fatalf("%q read as %v, time.Parse reads %v", s, got, want)
		}
	})
}
