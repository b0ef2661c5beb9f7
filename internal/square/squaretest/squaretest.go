// Package squaretest is an in-process fake of Square's Payments and
// Refunds APIs, following their published contract, for tests over real
// HTTP: sandbox card nonces, bearer authentication, idempotency keys,
// scripted failures, and signed webhooks.
package squaretest

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"
)

// Sandbox nonces and the outcome Square gives them.
var declines = map[string]string{
	"cnon:card-nonce-declined":            "GENERIC_DECLINE",
	"cnon:card-nonce-rejected-cvv":        "CVV_FAILURE",
	"cnon:card-nonce-rejected-postalcode": "ADDRESS_VERIFICATION_FAILURE",
	"cnon:card-nonce-rejected-expiration": "INVALID_EXPIRATION",
}

// OK is the nonce of a card that pays.
const OK = "cnon:card-nonce-ok"

// Server is a running fake.
type Server struct {
	*httptest.Server
	Token string

	mu        sync.Mutex
	payments  map[string]map[string]any // id → payment
	refunds   map[string]map[string]any
	idem      map[string]idemEntry // path + key → first answer
	failNext  []int                // statuses to answer before handling, in order
	delayNext []time.Duration
	lose      map[string]int // path → how many answers to lose after handling
	onPayment func(body []byte)
	calls     map[string]int
	seq       int
}

type idemEntry struct {
	body   string
	status int
	answer []byte
}

// Start runs a fake until the test ends.
func Start(t testing.TB) *Server {
	s := &Server{Token: "sandbox-token", payments: map[string]map[string]any{}, refunds: map[string]map[string]any{},
		idem: map[string]idemEntry{}, calls: map[string]int{}, lose: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v2/payments", s.createPayment)
	mux.HandleFunc("GET /v2/payments", s.listPayments)
	mux.HandleFunc("GET /v2/payments/{id}", s.getPayment)
	mux.HandleFunc("POST /v2/payments/cancel", s.cancelByKey)
	mux.HandleFunc("POST /v2/refunds", s.createRefund)
	mux.HandleFunc("GET /v2/refunds/{id}", s.getRefund)
	s.Server = httptest.NewServer(s.auth(mux))
	t.Cleanup(s.Close)
	return s
}

// FailNext makes the next requests answer these statuses (e.g. 500, 503)
// before any is handled.
func (s *Server) FailNext(statuses ...int) {
	s.mu.Lock()
	s.failNext = append(s.failNext, statuses...)
	s.mu.Unlock()
}

// DelayNext makes the next requests wait this long before answering.
func (s *Server) DelayNext(d ...time.Duration) {
	s.mu.Lock()
	s.delayNext = append(s.delayNext, d...)
	s.mu.Unlock()
}

// LoseAnswers makes the next n requests to path be handled (a payment is
// made, a refund asked) but their answer lost: the connection drops, as
// when the network fails after Square acted.
func (s *Server) LoseAnswers(path string, n int) {
	s.mu.Lock()
	s.lose[path] += n
	s.mu.Unlock()
}

// OnPayment calls fn with the body of each payment request, before it is
// handled: a test sees what the server had stored at that moment.
func (s *Server) OnPayment(fn func(body []byte)) {
	s.mu.Lock()
	s.onPayment = fn
	s.mu.Unlock()
}

// Refunds returns the refunds asked.
func (s *Server) Refunds() []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	for _, r := range s.refunds {
		out = append(out, maps.Clone(r))
	}
	return out
}

// ForgetRefund makes Square answer NOT_FOUND about a refund, as it does
// for one asked with another account's or environment's keys.
func (s *Server) ForgetRefund(id string) {
	s.mu.Lock()
	delete(s.refunds, id)
	s.mu.Unlock()
}

// Calls returns how many requests reached a path.
func (s *Server) Calls(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[path]
}

// Payments returns the payments taken, completed or not.
func (s *Server) Payments() []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	for _, p := range s.payments {
		out = append(out, p)
	}
	return out
}

func writeJSON(w http.ResponseWriter, status int, v any) []byte {
	data, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(data)
	return data
}

func errorsBody(category, code, detail string) map[string]any {
	return map[string]any{"errors": []map[string]string{{"category": category, "code": code, "detail": detail}}}
}

func (s *Server) auth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.calls[r.URL.Path]++
		var status int
		if len(s.failNext) > 0 {
			status, s.failNext = s.failNext[0], s.failNext[1:]
		}
		var delay time.Duration
		if len(s.delayNext) > 0 {
			delay, s.delayNext = s.delayNext[0], s.delayNext[1:]
		}
		s.mu.Unlock()
		time.Sleep(delay)
		if status != 0 {
			writeJSON(w, status, errorsBody("API_ERROR", "INTERNAL_SERVER_ERROR", "scripted failure"))
			return
		}
		if r.Header.Get("Authorization") != "Bearer "+s.Token {
			writeJSON(w, http.StatusUnauthorized, errorsBody("AUTHENTICATION_ERROR", "UNAUTHORIZED", "This request could not be authorized."))
			return
		}
		s.mu.Lock()
		lose := s.lose[r.URL.Path] > 0 && r.Method == "POST"
		if lose {
			s.lose[r.URL.Path]--
		}
		s.mu.Unlock()
		if lose {
			next.ServeHTTP(httptest.NewRecorder(), r)
			if c, _, err := http.NewResponseController(w).Hijack(); err == nil {
				c.Close()
			}
			return
		}
		next.ServeHTTP(w, r)
	})
}

// idempotent answers a repeated key with the first answer, and refuses a
// key reused for another body.
func (s *Server) idempotent(w http.ResponseWriter, path string, key string, body []byte, handle func() (int, any)) {
	s.mu.Lock()
	entry, seen := s.idem[path+"|"+key]
	s.mu.Unlock()
	if seen {
		if entry.body != string(body) {
			writeJSON(w, http.StatusBadRequest, errorsBody("INVALID_REQUEST_ERROR", "IDEMPOTENCY_KEY_REUSED", "The idempotency key can only be retried with the same request data."))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(entry.status)
		w.Write(entry.answer)
		return
	}
	status, v := handle()
	answer := writeJSON(w, status, v)
	s.mu.Lock()
	s.idem[path+"|"+key] = idemEntry{body: string(body), status: status, answer: answer}
	s.mu.Unlock()
}

func (s *Server) createPayment(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	hook := s.onPayment
	s.mu.Unlock()
	if hook != nil {
		hook(raw)
	}
	var in struct {
		SourceID       string `json:"source_id"`
		IdempotencyKey string `json:"idempotency_key"`
		AmountMoney    struct {
			Amount   int64  `json:"amount"`
			Currency string `json:"currency"`
		} `json:"amount_money"`
		LocationID   string `json:"location_id"`
		ReferenceID  string `json:"reference_id"`
		Autocomplete bool   `json:"autocomplete"`
	}
	if err := json.Unmarshal(raw, &in); err != nil || in.IdempotencyKey == "" || len(in.IdempotencyKey) > 45 || in.SourceID == "" || in.AmountMoney.Amount <= 0 {
		writeJSON(w, http.StatusBadRequest, errorsBody("INVALID_REQUEST_ERROR", "BAD_REQUEST", "source_id, idempotency_key (≤ 45) and a positive amount are required"))
		return
	}
	s.idempotent(w, "/v2/payments", in.IdempotencyKey, raw, func() (int, any) {
		s.mu.Lock()
		s.seq++
		id := fmt.Sprintf("pay_%04d", s.seq)
		s.mu.Unlock()
		p := map[string]any{"id": id, "amount_money": in.AmountMoney, "reference_id": in.ReferenceID, "location_id": in.LocationID,
			"source_type": "CARD", "idempotency_key": in.IdempotencyKey, "created_at": time.Now().UTC().Format(time.RFC3339Nano)}
		if code, declined := declines[in.SourceID]; declined {
			p["status"] = "FAILED"
			s.store(id, p)
			body := errorsBody("PAYMENT_METHOD_ERROR", code, "Card declined.")
			body["payment"] = p
			return http.StatusPaymentRequired, body
		}
		if in.SourceID != OK {
			return http.StatusBadRequest, errorsBody("INVALID_REQUEST_ERROR", "INVALID_CARD_DATA", "Unknown sandbox nonce.")
		}
		p["status"] = "COMPLETED"
		if !in.Autocomplete {
			p["status"] = "APPROVED"
		}
		s.store(id, p)
		return http.StatusOK, map[string]any{"payment": p}
	})
}

func (s *Server) store(id string, p map[string]any) {
	s.mu.Lock()
	s.payments[id] = p
	s.mu.Unlock()
}

func (s *Server) getPayment(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	p, ok := s.payments[r.PathValue("id")]
	s.mu.Unlock()
	if !ok {
		writeJSON(w, http.StatusNotFound, errorsBody("INVALID_REQUEST_ERROR", "NOT_FOUND", "Payment not found."))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"payment": p})
}

// listPayments lists the location's payments created in [begin_time,
// end_time), oldest first, a page of limit at a time (the cursor is the
// offset).
func (s *Server) listPayments(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	begin, err1 := time.Parse(time.RFC3339, q.Get("begin_time"))
	end, err2 := time.Parse(time.RFC3339, q.Get("end_time"))
	if err1 != nil || err2 != nil {
		writeJSON(w, http.StatusBadRequest, errorsBody("INVALID_REQUEST_ERROR", "BAD_REQUEST", "begin_time and end_time are RFC 3339 times"))
		return
	}
	limit, _ := strconv.Atoi(q.Get("limit"))
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	offset, _ := strconv.Atoi(q.Get("cursor"))
	s.mu.Lock()
	var all []map[string]any
	for _, p := range s.payments {
		at, _ := time.Parse(time.RFC3339Nano, p["created_at"].(string))
		if p["location_id"] == q.Get("location_id") && !at.Before(begin) && at.Before(end) {
			all = append(all, p)
		}
	}
	s.mu.Unlock()
	sort.Slice(all, func(i, j int) bool { return all[i]["created_at"].(string) < all[j]["created_at"].(string) })
	out := map[string]any{"payments": []map[string]any{}}
	if offset < len(all) {
		next := min(offset+limit, len(all))
		out["payments"] = all[offset:next]
		if next < len(all) {
			out["cursor"] = strconv.Itoa(next)
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// cancelByKey voids the payment made with an idempotency key if it is only
// approved; a completed payment stays (Square's contract: it needs a
// refund).
func (s *Server) cancelByKey(w http.ResponseWriter, r *http.Request) {
	var in struct {
		IdempotencyKey string `json:"idempotency_key"`
	}
	json.NewDecoder(r.Body).Decode(&in)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.payments {
		if p["idempotency_key"] == in.IdempotencyKey && p["status"] == "APPROVED" {
			p["status"] = "CANCELED"
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{})
}

func (s *Server) createRefund(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	var in struct {
		IdempotencyKey string `json:"idempotency_key"`
		PaymentID      string `json:"payment_id"`
		AmountMoney    struct {
			Amount   int64  `json:"amount"`
			Currency string `json:"currency"`
		} `json:"amount_money"`
	}
	if err := json.Unmarshal(raw, &in); err != nil || in.IdempotencyKey == "" {
		writeJSON(w, http.StatusBadRequest, errorsBody("INVALID_REQUEST_ERROR", "BAD_REQUEST", "idempotency_key is required"))
		return
	}
	s.idempotent(w, "/v2/refunds", in.IdempotencyKey, raw, func() (int, any) {
		s.mu.Lock()
		defer s.mu.Unlock()
		p, ok := s.payments[in.PaymentID]
		if !ok || p["status"] != "COMPLETED" {
			return http.StatusBadRequest, errorsBody("INVALID_REQUEST_ERROR", "NOT_FOUND", "No completed payment to refund.")
		}
		s.seq++
		ref := map[string]any{"id": fmt.Sprintf("ref_%04d", s.seq), "status": "PENDING", "payment_id": in.PaymentID, "amount_money": in.AmountMoney}
		s.refunds[ref["id"].(string)] = ref
		return http.StatusOK, map[string]any{"refund": maps.Clone(ref)} // encoded after the lock
	})
}

func (s *Server) getRefund(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	ref, ok := s.refunds[r.PathValue("id")]
	ref = maps.Clone(ref) // SettleRefund may change it meanwhile
	s.mu.Unlock()
	if !ok {
		writeJSON(w, http.StatusNotFound, errorsBody("INVALID_REQUEST_ERROR", "NOT_FOUND", "Refund not found."))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"refund": ref})
}

// SettleRefund gives a refund its final status (COMPLETED, REJECTED,
// FAILED), as Square does some time after it was asked.
func (s *Server) SettleRefund(id, status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ref, ok := s.refunds[id]; ok {
		ref["status"] = status
	}
}

// Sign computes Square's webhook signature of a body for a notification URL.
func Sign(key, notificationURL string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(notificationURL))
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// SendWebhook posts a signed notification to target, as Square does.
func SendWebhook(target, notificationURL, key string, body []byte) (*http.Response, error) {
	req, err := http.NewRequest("POST", target, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("x-square-hmacsha256-signature", Sign(key, notificationURL, body))
	return http.DefaultClient.Do(req)
}
