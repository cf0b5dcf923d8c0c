package portal_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
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
	"github.com/xinyong/xinyong/internal/web/portal"
	"github.com/xinyong/xinyong/internal/workday"
)

// Env is the portal served by a real server over a real database (SQLite,
// or PostgreSQL with XINYONG_TEST_BACKEND=postgres), with a settable clock.
type Env struct {
	URL     string
	Store   credit.Store
	Catalog *catalog.Catalog
	prep    *intake.Preparer
	mu      sync.Mutex
	now     time.Time
	// Provider submits every record.
	Provider *credit.Provider
	client   *http.Client
}

// MustEnv starts a portal on a fresh database with one provider; the clock
// starts at 2026-11-30 10:00 CST. Limits are off unless an option sets them.
func MustEnv(tb testing.TB, options ...func(*portal.Handler)) *Env {
	tb.Helper()
	dir := tb.TempDir()
	ctx := context.Background()
	env := &Env{now: time.Date(2026, 11, 30, 10, 0, 0, 0, workday.CST), Catalog: catalog.Default(),
		client: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	clock := func() time.Time { return env.Clock() }
	if os.Getenv("XINYONG_TEST_BACKEND") == "postgres" {
		env.Store = pgtest.Open(tb, clock)
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
		env.Store = s
	}
	keys, err := pii.LoadOrCreate(dir)
	if err != nil {
		tb.Fatal(err)
	}
	env.prep = &intake.Preparer{Calendar: workday.Default(), Keys: keys}
	h := &portal.Handler{Store: env.Store, Catalog: env.Catalog, Now: clock, Log: slog.New(slog.NewTextHandler(testLog(), nil)),
		Cases: &casework.Service{Store: env.Store, Catalog: env.Catalog, Calendar: workday.Default(), Now: clock}}
	for _, o := range options {
		o(h)
	}
	mux := http.NewServeMux()
	if err := h.Register(mux); err != nil {
		tb.Fatal(err)
	}
	srv := httptest.NewServer(web.Middleware(h.Log, mux))
	tb.Cleanup(srv.Close)
	env.URL = srv.URL
	env.Provider = &credit.Provider{Code: "420000-SCJG", Name: "湖北省市场监督管理局", Items: []string{"registration_basic", "admin_licensing", "admin_penalty", "commendation"}}
	if err := env.Store.CreateProvider(ctx, env.Provider, []byte("test-key-hash-0123456789abcdef01")); err != nil {
		tb.Fatal(err)
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

// MustSubmit stores records of item through the same preparation as the
// API and returns their record ids.
func (e *Env) MustSubmit(tb testing.TB, item string, records ...map[string]any) []int64 {
	tb.Helper()
	it, ok := e.Catalog.Item(item)
	if !ok {
		tb.Fatalf("no item %s", item)
	}
	s := &credit.Submission{Provider: e.Provider, Item: item, CatalogVersion: it.Version, RequestID: "test-" + item}
	for i, raw := range records {
		d, errs, _ := e.prep.Prepare(it, i, raw, e.Clock())
		if len(errs) > 0 {
			tb.Fatalf("record %d of %s does not validate: %v", i, item, errs)
		}
		s.Drafts = append(s.Drafts, d)
	}
	outs, err := e.Store.Submit(context.Background(), s)
	if err != nil {
		tb.Fatal(err)
	}
	var ids []int64
	for _, o := range outs {
		if o.Error != nil {
			tb.Fatalf("record %d refused: %v", o.Index, o.Error)
		}
		ids = append(ids, o.RecordID)
	}
	return ids
}

// Page is a fetched page.
type Page struct {
	Status int
	Header http.Header
	Body   string
}

// Get fetches path, with the cookies given as name=value pairs.
func (e *Env) Get(tb testing.TB, path string, cookies ...string) Page {
	tb.Helper()
	req, err := http.NewRequest("GET", e.URL+path, nil)
	if err != nil {
		tb.Fatal(err)
	}
	for _, c := range cookies {
		name, value, _ := strings.Cut(c, "=")
		req.AddCookie(&http.Cookie{Name: name, Value: value})
	}
	resp, err := e.client.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return Page{resp.StatusCode, resp.Header, string(b)}
}

// Org is a test organisation.
type Org struct{ USCC, Name string }

// Orgs used by the tests; their codes are valid.
var (
	Chutian = Org{"91110000600037341L", "武汉楚天建筑工程有限公司"}
	Guanggu = Org{"9144030071526726XG", "武汉光谷科技有限公司"}
)

// Registration is a valid registration record of o.
func Registration(o Org, kv ...string) map[string]any {
	r := map[string]any{"mc": o.Name, "tyshxydm": o.USCC, "ztlb": "法人及非法人组织", "zzlx": "有限责任公司（自然人投资或控股）",
		"fddbr": "张三", "fddbr_zjlx": "身份证", "fddbr_zjhm": "11010519491231002X", "zczb": "500", "clrq": "2020-05-06", "djrq": "2020-05-06",
		"djjg": "武汉市市场监督管理局", "xzqh": "420100", "zs": "湖北省武汉市洪山区珞喻路1号", "jyfw": "建筑工程施工", "djzt": "在业"}
	for i := 0; i+1 < len(kv); i += 2 {
		r[kv[i]] = kv[i+1]
	}
	return r
}

// Penalty is a valid penalty of o decided on decided.
func Penalty(o Org, decided string, kv ...string) map[string]any {
	return catalogtest.Penalty(append([]string{"xdr_mc", o.Name, "xdr_shxym", o.USCC, "cf_jdrq", decided}, kv...)...)
}

// testLog is where the server's log goes: stderr with -v, else nowhere.
func testLog() io.Writer {
	if testing.Verbose() {
		return os.Stderr
	}
	return io.Discard
}
