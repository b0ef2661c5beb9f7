package ops

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"
)

// FuzzBackupReader: a backup file comes from a disk, a copy, a person: the
// reader never panics on it, and refuses anything that is not a whole,
// intact backup as damaged or untrusted. The fuzzer writes the
// uncompressed lines (the gzip layer is added here), so that it explores
// the header, table and row parsing rather than gzip's checksums.
func FuzzBackupReader(f *testing.F) {
	// A whole, intact backup of one table and one row.
	body := `{"format":"ocpizza-backup","version":1,"schema_version":10,"engine":"sqlite","created_at":"2026-12-03T08:00:00Z"}
{"table":"settings","columns":[{"name":"name","type":"text"},{"name":"value","type":"text"},{"name":"updated_at","type":"time"}]}
["maintenance","{}","2026-12-03T08:00:00Z"]
`
	sum := sha256.Sum256([]byte(body))
	seed := []byte(body + `{"end":true,"tables":1,"rows":1,"sha256":"` + hex.EncodeToString(sum[:]) + `"}`)
	f.Add(seed, false)
	f.Add(seed, true)
	f.Add([]byte("not a backup"), true)
	f.Fuzz(func(t *testing.T, content []byte, keyed bool) {
		var gz bytes.Buffer
		w, _ := gzip.NewWriterLevel(&gz, gzip.NoCompression)
		w.Write(content)
		w.Close()
		trust := Trust{}
		if keyed {
			trust.Key = []byte("a key of thirty-two bytes or more!!")
		}
		rows := 0
		info, err := walk(&gz, trust, nil, func(values []any) error { rows++; return nil })
		if bytes.Equal(content, seed) {
			// Unsigned, it is accepted only when no key is configured:
			// with a key, an unsigned file must be refused as untrusted.
			if !keyed && err != nil {
				t.Fatalf("the intact seed was refused: %v", err)
			}
			if keyed && !errors.Is(err, ErrUntrusted) {
				t.Fatalf("the unsigned seed was not refused as untrusted with a key set: %v", err)
			}
		}
		if err == nil {
			if info.Rows != int64(rows) {
				t.Fatalf("accepted with %d rows read, %d counted", rows, info.Rows)
			}
			return
		}
		if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrUntrusted) && info.Version == unsignedFormat {
			t.Fatalf("refused without saying damaged or untrusted: %v", err)
		}
	})
}
