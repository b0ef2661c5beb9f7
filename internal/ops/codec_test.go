package ops

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

var codecTypes = []string{"int", "text", "bool", "time", "text"}

// FuzzRowCodec: a row written by hand reads back the same, by hand and
// through encoding/json, and its strings are written as encoding/json
// reads them.
func FuzzRowCodec(f *testing.F) {
	f.Add(int64(42), "OC Pizza République", true, int64(1764748800123456000), "")
	f.Add(int64(-1), "quote \" backslash \\ tab \t nl \n nul \x00 bad \xff\xfe end", false, int64(0), "\u2028\U0001F355<>&")
	f.Fuzz(func(t *testing.T, n int64, s string, b bool, nanos int64, s2 string) {
		at := time.Unix(0, nanos).UTC()
		row := []any{n, s, b, at, s2}
		line, err := appendRow(nil, row)
		if err != nil {
			t.Fatal(err)
		}
		var viaJSON []any
		if err := json.Unmarshal(line, &viaJSON); err != nil {
			t.Fatalf("not JSON: %s: %v", line, err)
		}
		var want string
		if err := json.Unmarshal(mustMarshal(t, s), &want); err != nil || viaJSON[1] != want {
			t.Fatalf("string %q written as %s", s, line)
		}
		slow, _, slowErr := decodeRowJSON(line, codecTypes)
		fast, _, err := decodeRow(line, codecTypes)
		if err != nil || slowErr != nil {
			t.Fatalf("%s: fast %v, slow %v", line, err, slowErr)
		}
		if !reflect.DeepEqual(fast, slow) {
			t.Fatalf("%s:\nfast %#v\nslow %#v", line, fast, slow)
		}
		if fast[0] != n || fast[2] != b || !fast[3].(time.Time).Equal(at) {
			t.Fatalf("%s read back as %#v", line, fast)
		}
	})
}

func mustMarshal(t *testing.T, v any) []byte {
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// FuzzFastRow: whatever the line, a row the hand-written reader accepts
// is the row encoding/json reads.
func FuzzFastRow(f *testing.F) {
	for _, s := range []string{`[1,"a",true,"2026-12-03T08:00:00.5Z",null]`, `[-0,"",false,"2024-02-29T23:59:59Z","x"]`,
		`[01,"a",true,"2026-12-03T08:00:00Z",null]`, `[1,"a",true,"2023-02-29T08:00:00Z",null]`, `[1, "a",true,"2026-12-03T08:00:00.123456789Z",null] `,
		`[9223372036854775808,"a",true,null,null]`, `[1,"\u00e9",true,null,null]`, `[1,"a",1,null,null]`, `[1e3,"a",true,null,null]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		fast, replaced, ok := fastRow(line, codecTypes, nil)
		if !ok {
			return
		}
		slow, slowReplaced, err := decodeRowJSON(line, codecTypes)
		if err != nil {
			t.Fatalf("%s: accepted by hand, refused by encoding/json: %v", line, err)
		}
		if !reflect.DeepEqual(fast, slow) || replaced != slowReplaced {
			t.Fatalf("%s:\nfast %#v (%d)\nslow %#v (%d)", line, fast, replaced, slow, slowReplaced)
		}
	})
}
