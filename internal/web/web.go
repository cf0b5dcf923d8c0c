// Package web holds what every door of the platform's HTTP server shares:
// RFC 9457 problem responses mapped from the domain's error codes, JSON
// writing, request ids, access logging and panic recovery, and for the
// doors that serve pages their templates per language and page headers
// (pages.go). Each audience has its own subpackage (web/api, web/portal,
// web/console) whose handlers call the domain and the store, never SQL.
package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"regexp"
	"time"

	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/ident"
)

// Problem is an RFC 9457 problem detail with the platform's extensions: a
// machine code, bilingual messages, and per-field errors.
type Problem struct {
	Type      string              `json:"type"`
	Title     string              `json:"title"`
	Status    int                 `json:"status"`
	Detail    string              `json:"detail"`
	Code      string              `json:"code"`
	MessageZH string              `json:"message_zh"`
	MessageEN string              `json:"message_en"`
	RequestID string              `json:"request_id,omitempty"`
	Errors    []credit.FieldError `json:"errors,omitempty"`
}

// Status returns the HTTP status for a domain error code. It is the one
// place codes become statuses.
func Status(code string) int {
	switch code {
	case credit.EINVALID:
		return http.StatusBadRequest
	case credit.ENOTFOUND:
		return http.StatusNotFound
	case credit.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case credit.EFORBIDDEN:
		return http.StatusForbidden
	case credit.EMETHOD:
		return http.StatusMethodNotAllowed
	case credit.ECONFLICT:
		return http.StatusConflict
	case credit.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case credit.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	case credit.ETOOMANY:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// Error writes err as problem+json. Internal errors are logged with the
// request id and shown only as a generic message.
func Error(w http.ResponseWriter, r *http.Request, err error) {
	code := credit.ErrorCode(err)
	status := Status(code)
	if status == http.StatusInternalServerError {
		Logger(r).ErrorContext(r.Context(), "internal error", "err", Masked(err.Error()), "method", r.Method, "path", Masked(r.URL.Path), "request_id", RequestID(r))
	}
	zh, en := credit.ErrorMessages(err)
	p := Problem{Status: status, Code: code, MessageZH: zh, MessageEN: en, Detail: en}
	var e *credit.Error
	if errors.As(err, &e) {
		p.Errors = e.Fields
	}
	WriteProblem(w, r, p)
}

// WriteProblem writes p, filling in its type, title and request id.
func WriteProblem(w http.ResponseWriter, r *http.Request, p Problem) {
	if p.Type == "" {
		p.Type = "https://xinyong.invalid/problems/" + p.Code
	}
	if p.Title == "" {
		p.Title = http.StatusText(p.Status)
	}
	if p.Detail == "" {
		p.Detail = p.MessageEN
	}
	p.RequestID = RequestID(r)
	switch p.Status {
	case http.StatusUnauthorized:
		w.Header().Set("WWW-Authenticate", `Bearer realm="xinyong"`)
	case http.StatusServiceUnavailable:
		w.Header().Set("Retry-After", "30")
	case http.StatusTooManyRequests:
		if w.Header().Get("Retry-After") == "" {
			w.Header().Set("Retry-After", "60")
		}
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(p)
}

// JSON writes v as JSON with the given status.
func JSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

type ctxKey int

const (
	requestIDKey ctxKey = iota
	loggerKey
)

// Logger returns the logger the middleware gave the request.
func Logger(r *http.Request) *slog.Logger {
	if l, ok := r.Context().Value(loggerKey).(*slog.Logger); ok {
		return l
	}
	return slog.Default()
}

// idLike matches what could be a resident identity number in a path.
var idLike = regexp.MustCompile(`[0-9]{14}[0-9Xx]{1,4}`)

// Masked returns s fit for logs: anything shaped like an identity number is
// masked, since a path or an error text may carry one by mistake.
func Masked(s string) string {
	return idLike.ReplaceAllStringFunc(s, ident.MaskIDCard)
}

// RequestID returns the id the middleware gave the request.
func RequestID(r *http.Request) string {
	id, _ := r.Context().Value(requestIDKey).(string)
	return id
}

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Middleware wraps h with a request id (X-Request-ID), panic recovery (a
// problem response, never a stack trace) and an access log line. The log
// carries the route and the path with identity-like numbers masked, never
// the query or body, which may hold personal data.
func Middleware(log *slog.Logger, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		b := make([]byte, 8)
		rand.Read(b)
		id := hex.EncodeToString(b)
		ctx := context.WithValue(r.Context(), requestIDKey, id)
		r = r.WithContext(context.WithValue(ctx, loggerKey, log))
		w.Header().Set("X-Request-ID", id)
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.ErrorContext(r.Context(), "panic", "panic", v, "path", Masked(r.URL.Path), "request_id", id)
				if sw.status == 0 {
					Error(sw, r, errors.New("panic"))
				}
			}
			log.Info("http", "method", r.Method, "route", r.Pattern, "path", Masked(r.URL.Path), "status", sw.status, "bytes", sw.bytes,
				"ms", float64(time.Since(start).Microseconds())/1000, "request_id", id)
		}()
		h.ServeHTTP(sw, r)
	})
}
