package store

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
)

// On MySQL and MariaDB a restore loads each table with one LOAD DATA LOCAL
// INFILE, the rows streamed from memory as tab-separated text (the driver's
// "Reader::" handlers; no file is written): no statement of a thousand
// rows to build, escape and parse per batch. It needs the server's
// local_infile (MariaDB's default; MySQL 8's is off): without it, the
// multi-row INSERTs are used.
//
// With LOCAL, the server cannot stop the client's stream, so it turns
// what would be errors (a duplicate key, a value that does not fit) into
// warnings and carries on. A restore must be exact: each table's load is
// refused unless it reports every row inserted and no warning.

// localInfile reports whether the server accepts LOAD DATA LOCAL.
func localInfile(ctx context.Context, c conn) bool {
	var on int
	err := c.queryRow(ctx, "SELECT @@local_infile").Scan(&on)
	return err == nil && on == 1
}

// loadDataSink loads the batches with one LOAD DATA LOCAL per table, in
// the restore's transaction c.
func (s *Store) loadDataSink(ctx context.Context, c conn) sink {
	return func(batches <-chan loadBatch) error {
		ctx := c.context(ctx)
		var cur *tableLoad
		for b := range batches {
			if cur != nil && (cur.table != b.table || len(cur.columns) != len(b.columns)) {
				err := cur.finish(ctx, c)
				cur = nil
				if err != nil {
					return err
				}
			}
			if cur == nil {
				cur = startTableLoad(ctx, c, b.table, b.columns)
			}
			if err := cur.write(b.rows); err != nil {
				// The load's own error says why its stream closed.
				if ferr := cur.finish(ctx, c); ferr != nil {
					return ferr
				}
				return fmt.Errorf("restore %s: %w", b.table, err)
			}
		}
		if cur != nil {
			return cur.finish(ctx, c)
		}
		return nil
	}
}

// tableLoad is one table's LOAD DATA, running while its rows are written
// to the pipe it reads.
type tableLoad struct {
	table   string
	columns []string
	handler string
	pw      *io.PipeWriter
	buf     *bufio.Writer
	sent    int64
	done    chan loadResult
}

type loadResult struct {
	rows int64
	err  error
}

func startTableLoad(ctx context.Context, c conn, table string, columns []string) *tableLoad {
	pr, pw := io.Pipe()
	id := make([]byte, 8)
	rand.Read(id)
	t := &tableLoad{table: table, columns: columns, handler: "ocpizza-restore-" + hex.EncodeToString(id),
		pw: pw, buf: bufio.NewWriterSize(pw, 256<<10), done: make(chan loadResult, 1)}
	mysql.RegisterReaderHandler(t.handler, func() io.Reader { return pr })
	go func() {
		res, err := c.x.ExecContext(ctx, "LOAD DATA LOCAL INFILE 'Reader::"+t.handler+"' INTO TABLE "+table+
			` CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\t' ESCAPED BY '\\' LINES TERMINATED BY '\n' (`+strings.Join(columns, ", ")+")")
		var n int64
		if err == nil {
			n, err = res.RowsAffected()
		}
		// A load that ended early must not leave the rows' writer blocked.
		pr.CloseWithError(fmt.Errorf("the load ended: %v", err))
		t.done <- loadResult{n, err}
	}()
	return t
}

// write sends rows as LOAD DATA's text: tab between fields, a newline
// after each row, \N for NULL, and backslash escapes for what would
// end a field or a row.
func (t *tableLoad) write(rows [][]any) error {
	var scratch []byte
	for _, row := range rows {
		for i, v := range row {
			if i > 0 {
				t.buf.WriteByte('\t')
			}
			var err error
			if scratch, err = appendField(scratch[:0], v); err != nil {
				return err
			}
			if _, err := t.buf.Write(scratch); err != nil {
				return err
			}
		}
		if err := t.buf.WriteByte('\n'); err != nil {
			return err
		}
		t.sent++
	}
	return nil
}

// finish ends the table's stream, waits for its load and checks that
// every row went in, exactly.
func (t *tableLoad) finish(ctx context.Context, c conn) error {
	err := t.buf.Flush()
	t.pw.CloseWithError(err) // nil: the end of the rows
	res := <-t.done
	mysql.DeregisterReaderHandler(t.handler)
	switch {
	case res.err != nil:
		return fmt.Errorf("restore %s: %w", t.table, res.err)
	case err != nil:
		return fmt.Errorf("restore %s: %w", t.table, err)
	}
	var warnings int
	if err := c.queryRow(ctx, "SELECT @@warning_count").Scan(&warnings); err != nil {
		return fmt.Errorf("restore %s: %w", t.table, err)
	}
	if warnings > 0 || res.rows != t.sent {
		detail := ""
		var level, message string
		var code int
		if err := c.queryRow(ctx, "SHOW WARNINGS LIMIT 1").Scan(&level, &code, &message); err == nil {
			detail = fmt.Sprintf(": %s %d %s", level, code, message)
		}
		return fmt.Errorf("restore %s: %d rows sent, %d inserted, %d warnings%s", t.table, t.sent, res.rows, warnings, detail)
	}
	return nil
}

// appendField appends one value as a LOAD DATA field.
func appendField(b []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, `\N`...), nil
	case bool:
		if x {
			return append(b, '1'), nil
		}
		return append(b, '0'), nil
	case int64:
		return strconv.AppendInt(b, x, 10), nil
	case int:
		return strconv.AppendInt(b, int64(x), 10), nil
	case float64:
		return strconv.AppendFloat(b, x, 'g', -1, 64), nil
	case time.Time:
		// As the driver writes a time parameter in the connection's
		// location, UTC (mysqlDSN).
		return x.UTC().AppendFormat(b, "2006-01-02 15:04:05.999999"), nil
	case string:
		return appendEscaped(b, x), nil
	case []byte:
		return appendEscaped(b, string(x)), nil
	}
	return b, fmt.Errorf("unexpected %T in a restored row", v)
}

func appendEscaped(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			b = append(b, '\\', '\\')
		case '\t':
			b = append(b, '\\', 't')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case 0:
			b = append(b, '\\', '0')
		default:
			b = append(b, c)
		}
	}
	return b
}
