package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/store"
)

// statusOf maps error codes to HTTP statuses: the one place where the
// domain's vocabulary meets HTTP's.
var statusOf = map[errs.Code]int{
	errs.Invalid:            http.StatusUnprocessableEntity,
	errs.Malformed:          http.StatusBadRequest,
	errs.TooLarge:           http.StatusRequestEntityTooLarge,
	errs.NotFound:           http.StatusNotFound,
	errs.Conflict:           http.StatusConflict,
	errs.Forbidden:          http.StatusForbidden,
	errs.Unauthorized:       http.StatusUnauthorized,
	errs.OutOfStock:         http.StatusConflict,
	errs.EmailTaken:         http.StatusConflict,
	errs.NotModifiable:      http.StatusConflict,
	errs.NotCancellable:     http.StatusConflict,
	errs.InvalidTransition:  http.StatusConflict,
	errs.PaymentUnavailable: http.StatusUnprocessableEntity,
	errs.PaymentDeclined:    http.StatusPaymentRequired,
	errs.IdempotencyReused:  http.StatusUnprocessableEntity,
	errs.RateLimited:        http.StatusTooManyRequests,
	errs.AddressNotFound:    http.StatusUnprocessableEntity,
	errs.Maintenance:        http.StatusServiceUnavailable,
	errs.Unavailable:        http.StatusServiceUnavailable,
	errs.MethodNotAllowed:   http.StatusMethodNotAllowed,
	errs.Closed:             http.StatusConflict,
	errs.HoldLimit:          http.StatusConflict,
}

// StatusOf is the HTTP status of an error: its code's, 500 for an
// internal error. The web pages answer with the same statuses.
func StatusOf(err error) int {
	var e *errs.Error
	if !errors.As(err, &e) {
		return http.StatusInternalServerError
	}
	if status, ok := statusOf[e.Code]; ok {
		return status
	}
	return http.StatusBadRequest
}

// writeJSON encodes v into a buffer first, so an encoding failure becomes
// a clean 500 instead of half a body after a 200.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		http.Error(w, `{"error":{"code":"internal","message":"encoding failed"}}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// reply answers with v as JSON, or with err when there is one.
func reply(w http.ResponseWriter, r *http.Request, status int, v any, err error) {
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, status, v)
}

// WriteError answers with the API's error shape; for middleware outside
// the API that must speak its language.
func WriteError(w http.ResponseWriter, r *http.Request, err error) { writeError(w, r, err) }

// Outage reports whether err says the database could not be reached (it
// restarts or fails over): a moment's outage, which the client waits out
// — a retry with the same Idempotency-Key never places an order twice. It
// returns the 503 to answer instead, with its Retry-After.
func Outage(err error) (error, bool) {
	var e *errs.Error
	if errors.As(err, &e) || !store.Unreachable(err) {
		return err, false
	}
	return errs.E(errs.Unavailable, "the service is briefly unavailable: try again in a moment").Later(2 * time.Second), true
}

// SetRetryAfter says in whole seconds, rounded up, when to come back: "0"
// would invite an immediate retry.
func SetRetryAfter(h http.Header, d time.Duration) {
	h.Set("Retry-After", strconv.FormatInt(int64((d+time.Second-1)/time.Second), 10))
}

// writeError answers with the error shape {"error":{"code","message",…}}.
// Expected errors show their message; anything else is logged and the
// client sees only that something went wrong on our side.
func writeError(w http.ResponseWriter, r *http.Request, err error) {
	if outage, ok := Outage(err); ok {
		logger(r).Warn("database unreachable", "err", err)
		err = outage
	}
	var e *errs.Error
	if !errors.As(err, &e) {
		if errors.Is(err, context.Canceled) {
			return // the client went away; nobody is listening
		}
		logger(r).Error("internal error", "err", err)
		writeJSON(w, http.StatusInternalServerError, map[string]any{"error": map[string]any{
			"code": "internal", "message": "something went wrong on our side; it has been logged"}})
		return
	}
	status := StatusOf(err)
	if e.RetryAfter > 0 {
		SetRetryAfter(w.Header(), e.RetryAfter)
	}
	body := map[string]any{"code": e.Code, "message": e.Message}
	for k, v := range e.Fields {
		body[k] = v
	}
	writeJSON(w, status, map[string]any{"error": body})
}

// maxJSONBody bounds request bodies: the largest legitimate one, an order
// of 30 lines, is under 4 KiB.
const maxJSONBody = 64 << 10

// decode reads a JSON body into dst, refusing unknown fields, trailing
// data, wrong types and bodies over the limit.
func decode(w http.ResponseWriter, r *http.Request, dst any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return errs.E(errs.Malformed, "send the body as application/json")
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxJSONBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return decodeError(err)
		}
		return errs.E(errs.Malformed, "the body holds more than one JSON value")
	}
	return nil
}

func decodeError(err error) error {
	var tooLarge *http.MaxBytesError
	var syntax *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &tooLarge):
		return errs.E(errs.TooLarge, "the body is larger than %d KiB", maxJSONBody>>10)
	case errors.Is(err, io.EOF):
		return errs.E(errs.Malformed, "the body is empty")
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return errs.E(errs.Malformed, "the body is not valid JSON")
	case errors.As(err, &typeErr):
		return errs.E(errs.Malformed, "field %q has the wrong type (expected %s)", typeErr.Field, typeErr.Type)
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		return errs.E(errs.Malformed, "unknown field %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	return errs.E(errs.Malformed, "the body could not be read: %v", err)
}

// LoggerKey is the context key of the request's RequestLog, set by the
// server.
type LoggerKey struct{}

// RequestLog is what a request logs with: the server's logger and the
// request's id, joined only when something is logged (most requests log
// nothing but their one line, and joining costs an allocation or two).
type RequestLog struct {
	Log *slog.Logger
	ID  string
}

// logger returns the request's logger (carrying its request id).
func logger(r *http.Request) *slog.Logger {
	if l, ok := r.Context().Value(LoggerKey{}).(*RequestLog); ok {
		return l.Log.With("request_id", l.ID)
	}
	return slog.Default()
}

func pathID(r *http.Request, name string) (int64, error) {
	v := r.PathValue(name)
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.E(errs.NotFound, "no %s %q", name, v)
	}
	return id, nil
}
