package web_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/web"
)

func TestMiddleware(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /panic", func(w http.ResponseWriter, r *http.Request) { panic("secret internal detail") })
	mux.HandleFunc("GET /internal", func(w http.ResponseWriter, r *http.Request) {
		web.Error(w, r, errors.New("sql: database is locked at row 110105195001010039"))
	})
	mux.HandleFunc("GET /subjects/{id}", func(w http.ResponseWriter, r *http.Request) {
		web.Error(w, r, credit.Errorf(credit.ENOTFOUND, "未找到", "not found"))
	})
	h := web.Middleware(log, mux)

	tests := []struct {
		name   string
		path   string
		status int
		code   string
	}{
		{"ErrPanic", "/panic", 500, credit.EINTERNAL},
		{"ErrInternal", "/internal", 500, credit.EINTERNAL},
		{"ErrNotFound", "/subjects/110105195001010039?q=110105195001010039", 404, credit.ENOTFOUND},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", tt.path, nil))
			if rec.Code != tt.status || rec.Header().Get("Content-Type") != "application/problem+json" || rec.Header().Get("X-Request-ID") == "" {
				t.Fatalf("status %d, headers %v", rec.Code, rec.Header())
			}
			var p web.Problem
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
				t.Fatal(err)
			}
			if p.Code != tt.code || p.MessageZH == "" || p.MessageEN == "" || p.Status != tt.status || p.RequestID == "" {
				t.Errorf("problem = %+v", p)
			}
			body := rec.Body.String()
			for _, secret := range []string{"secret internal detail", "sql:", "110105195001010039"} {
				if strings.Contains(body, secret) {
					t.Errorf("response shows %q: %s", secret, body)
				}
			}
		})
	}
	out := logs.String()
	if strings.Contains(out, "110105195001010039") {
		t.Errorf("log shows an identity number:\n%s", out)
	}
	if !strings.Contains(out, "110105********0039") || !strings.Contains(out, "secret internal detail") || !strings.Contains(out, "database is locked") {
		t.Errorf("log lacks the masked path or the internal details:\n%s", out)
	}
}

func TestStatus(t *testing.T) {
	for code, want := range map[string]int{credit.EINVALID: 400, credit.EUNAUTHORIZED: 401, credit.EFORBIDDEN: 403, credit.ENOTFOUND: 404,
		credit.EMETHOD: 405, credit.ECONFLICT: 409, credit.ETOOLARGE: 413, credit.EUNAVAILABLE: 503, credit.EINTERNAL: 500, "other": 500} {
		if got := web.Status(code); got != want {
			t.Errorf("Status(%q) = %d, want %d", code, got, want)
		}
	}
}
