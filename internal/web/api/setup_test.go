package api_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/xinyong/xinyong/internal/casework"
	"github.com/xinyong/xinyong/internal/catalog"
	"github.com/xinyong/xinyong/internal/catalog/catalogtest"
	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/intake"
	"github.com/xinyong/xinyong/internal/pii"
	"github.com/xinyong/xinyong/internal/store/postgres/pgtest"
	"github.com/xinyong/xinyong/internal/store/sqlite"
	"github.com/xinyong/xinyong/internal/web"
	"github.com/xinyong/xinyong/internal/web/api"
	"github.com/xinyong/xinyong/internal/workday"
)

// Env is a real server over a real database, with a settable clock: a
// SQLite file, or with XINYONG_TEST_BACKEND=postgres a PostgreSQL schema
// of its own on the test server (make test runs the suite both ways).
type Env struct {
	URL   string
	Store credit.Store
	mu    sync.Mutex
	now   time.Time // read by the server and its batch worker: use Clock and SetNow
	// UploadDir is where the server keeps uploads until their batch ends.
	UploadDir string
	// Keys of the registered providers by code.
	Keys map[string]string
	// Cases is the casework the server runs, for setting up cases.
	Cases *casework.Service
}

// MustEnv starts a server on a fresh database in a temp dir with two
// providers: 420000-SCJG (licensing and penalty) and 420100-SWJ (licensing
// only). The clock starts at 2026-11-30 10:00 CST.
func MustEnv(tb testing.TB) *Env {
	tb.Helper()
	dir := tb.TempDir()
	ctx := context.Background()
	env := &Env{now: time.Date(2026, 11, 30, 10, 0, 0, 0, workday.CST), Keys: map[string]string{}}
	clock := func() time.Time { return env.Clock() }
	var db credit.Store
	if os.Getenv("XINYONG_TEST_BACKEND") == "postgres" {
		db = pgtest.Open(tb, clock)
	} else {
		s, err := sqlite.Open(ctx, filepath.Join(dir, "xinyong.db"))
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { s.Close() })
		if err := s.Migrate(ctx); err != nil {
			tb.Fatal(err)
		}
		s.Now = clock
		db = s
	}
	env.Store = db
	keys, err := pii.LoadOrCreate(dir)
	if err != nil {
		tb.Fatal(err)
	}
	prep := &intake.Preparer{Calendar: workday.Default(), Keys: keys}
	wake := make(chan struct{}, 1)
	cases := &casework.Service{Store: db, Catalog: catalog.Default(), Calendar: workday.Default(), Now: func() time.Time { return env.Clock() },
		Limits: casework.Limits{MaxFiles: 3, MaxFileBytes: 64 << 10, MaxText: 5000}}
	env.Cases = cases
	h := &api.Handler{Store: db, Catalog: catalog.Default(), Keys: keys, Limits: api.DefaultLimits, Preparer: prep, Cases: cases,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return env.Clock() },
		Uploads: api.Uploads{Dir: filepath.Join(dir, "uploads"), MaxBytes: 8 << 20, Wake: wake}}
	// The batch worker, as serve runs it.
	runner := &intake.Runner{Store: db, Catalog: h.Catalog, Preparer: prep, Owner: intake.DefaultOwner(), Now: func() time.Time { return env.Clock() },
		UploadDir: h.Uploads.Dir}
	env.UploadDir = h.Uploads.Dir
	workCtx, stopWork := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { runner.Work(workCtx, wake, 50*time.Millisecond, h.Log); close(done) }()
	tb.Cleanup(func() { stopWork(); <-done })
	mux := http.NewServeMux()
	h.Register(mux)
	srv := httptest.NewServer(web.Middleware(h.Log, mux))
	tb.Cleanup(srv.Close)
	env.URL = srv.URL
	for _, p := range []*credit.Provider{
		{Code: "420000-SCJG", Name: "湖北省市场监督管理局", Items: []string{"admin_licensing", "admin_penalty"}},
		{Code: "420100-SWJ", Name: "武汉市税务局", Items: []string{"admin_licensing"}},
	} {
		key := "test-key-" + p.Code
		if err := db.CreateProvider(ctx, p, api.HashKey(key)); err != nil {
			tb.Fatal(err)
		}
		env.Keys[p.Code] = key
	}
	return env
}

// Clock returns the time the server sees.
func (e *Env) Clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now
}

// SetNow sets the time the server sees.
func (e *Env) SetNow(t time.Time) {
	e.mu.Lock()
	e.now = t
	e.mu.Unlock()
}

// Do sends a request and returns the status and the decoded JSON body.
// body is nil, a string or []byte sent as it is, or a value sent as JSON.
func (e *Env) Do(tb testing.TB, method, path, key string, body any) (int, map[string]any) {
	tb.Helper()
	var data []byte
	switch b := body.(type) {
	case nil:
	case string:
		data = []byte(b)
	case []byte:
		data = b
	default:
		var err error
		if data, err = json.Marshal(b); err != nil {
			tb.Fatal(err)
		}
	}
	ctype := ""
	if body != nil {
		ctype = "application/json"
	}
	resp := e.send(tb, method, path, key, ctype, data)
	var out map[string]any
	if len(resp.Body) > 0 {
		if err := json.Unmarshal(resp.Body, &out); err != nil {
			tb.Fatalf("%s %s: status %d, body not a JSON object: %q", method, path, resp.Status, resp.Body)
		}
	}
	if resp.Status >= 400 && resp.Header.Get("Content-Type") != "application/problem+json" && resp.Status != http.StatusUnprocessableEntity {
		tb.Errorf("%s %s: error status %d with Content-Type %q, want application/problem+json", method, path, resp.Status, resp.Header.Get("Content-Type"))
	}
	return resp.Status, out
}

// Penalty returns a valid administrative penalty record about an enterprise,
// decided on the given date; override fields with kv pairs.
func Penalty(decided string, kv ...string) map[string]any {
	return catalogtest.Penalty(append([]string{"cf_jdrq", decided}, kv...)...)
}

// Licence returns a valid administrative licensing record; override fields with kv pairs.
func Licence(decided string, kv ...string) map[string]any {
	return catalogtest.Licence(append([]string{"xk_jdrq", decided, "xk_yxqz", decided}, kv...)...)
}

// Submit posts records of item as provider code and returns status and body.
func (e *Env) Submit(tb testing.TB, code, item string, atomic bool, records ...map[string]any) (int, map[string]any) {
	tb.Helper()
	path := "/api/v1/records"
	if atomic {
		path += "?atomic=true"
	}
	return e.Do(tb, "POST", path, e.Keys[code], map[string]any{"item": item, "records": records})
}

// Results returns the results array of a submission response.
func Results(tb testing.TB, body map[string]any) []map[string]any {
	tb.Helper()
	raw, ok := body["results"].([]any)
	if !ok {
		tb.Fatalf("no results in %v", body)
	}
	out := make([]map[string]any, len(raw))
	for i, r := range raw {
		out[i] = r.(map[string]any)
	}
	return out
}
