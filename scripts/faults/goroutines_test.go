package main

import (
	"maps"
	"testing"
)

// A goroutine profile as the server gives it (trimmed: three stacks, the last a goroutine on its way out).
const profile = "goroutine profile: total 6\n" +
	"3 @ 0x48fc4e 0x450fb7 0xc1c3f3 0x497661\n" +
	"#\t0x48ee24\tinternal/poll.runtime_pollWait+0x84\t\t/usr/local/go/src/runtime/netpoll.go:351\n" +
	"#\t0xc1c3f2\tnet/http.(*connReader).backgroundRead+0x32\t/usr/local/go/src/net/http/server.go:702\n" +
	"\n" +
	"2 @ 0x48fc4e 0x46bd05 0x763429 0x497661\n" +
	"#\t0x763428\tdatabase/sql.(*DB).connectionOpener+0x88\t/usr/local/go/src/database/sql/sql.go:1261\n" +
	"\n" +
	"1 @ 0x497661\n" +
	"\n"

func TestParseGoroutineProfile(t *testing.T) {
	got := parseGoroutineProfile(profile)
	want := map[string]int{
		"internal/poll.runtime_pollWait ← net/http.(*connReader).backgroundRead": 3,
		"database/sql.(*DB).connectionOpener":                                    2,
		"(starting or ending: no frame but runtime.goexit)":                      1,
	}
	if !maps.Equal(got, want) {
		t.Errorf("parsed %v, want %v", got, want)
	}
	if n := total(got); n != 6 {
		t.Errorf("total %d, want the profile's 6", n)
	}
}

func TestMoreGoroutines(t *testing.T) {
	start := map[string]int{"a": 2, "b": 1}
	end := map[string]int{"a": 3, "b": 1, "c": 1}
	got := moreGoroutines(start, end)
	want := map[string]int{"a": 1, "c": 1}
	if !maps.Equal(got, want) {
		t.Errorf("more: %v, want %v", got, want)
	}
}
