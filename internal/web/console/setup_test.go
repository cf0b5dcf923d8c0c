package console_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xinyong/xinyong/internal/auth"
	"github.com/xinyong/xinyong/internal/casework"
	"github.com/xinyong/xinyong/internal/catalog"
	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/store/postgres/pgtest"
	"github.com/xinyong/xinyong/internal/store/sqlite"
	"github.com/xinyong/xinyong/internal/web"
	"github.com/xinyong/xinyong/internal/web/console"
	"github.com/xinyong/xinyong/internal/workday"
)

// cheap are hashing costs that keep the tests quick; the hashes are
// argon2id all the same.
var cheap = auth.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// Env is the console served by a real server over a real database
// (SQLite, or PostgreSQL with XINYONG_TEST_BACKEND=postgres), with a
// settable clock.
type Env struct {
	URL   string
	Store credit.Store
	// DBPath is the SQLite file; "" on PostgreSQL.
	DBPath string
	srv    *httptest.Server
	mu     sync.Mutex
	now    time.Time
}

// MustEnv starts a console on a fresh database; the clock starts at
// 2026-11-30 10:00 CST. Options adjust the handler, or with tls serve
// over TLS.
func MustEnv(tb testing.TB, options ...func(*console.Handler)) *Env {
	return mustEnv(tb, false, options...)
}

func mustEnv(tb testing.TB, tls bool, options ...func(*console.Handler)) *Env {
	tb.Helper()
	ctx := context.Background()
	env := &Env{now: time.Date(2026, 11, 30, 10, 0, 0, 0, workday.CST)}
	clock := func() time.Time { return env.Clock() }
	if os.Getenv("XINYONG_TEST_BACKEND") == "postgres" {
		env.Store = pgtest.Open(tb, clock)
	} else {
		env.DBPath = filepath.Join(tb.TempDir(), "xinyong.db")
		s, err := sqlite.Open(ctx, env.DBPath)
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
	h := &console.Handler{Store: env.Store, Now: clock, Params: cheap, Log: slog.New(slog.NewTextHandler(testLog(), nil)),
		Cases: &casework.Service{Store: env.Store, Catalog: catalog.Default(), Calendar: workday.Default(), Now: clock}}
	for _, o := range options {
		o(h)
	}
	mux := http.NewServeMux()
	if err := h.Register(mux); err != nil {
		tb.Fatal(err)
	}
	// What the server adds around the doors, as in serve.
	handler := web.Middleware(h.Log, mux)
	if tls {
		env.srv = httptest.NewTLSServer(handler)
	} else {
		env.srv = httptest.NewServer(handler)
	}
	tb.Cleanup(env.srv.Close)
	env.URL = env.srv.URL
	return env
}

// Clock returns the time the server sees.
func (e *Env) Clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now
}

// Advance moves the server's clock forward by d.
func (e *Env) Advance(d time.Duration) {
	e.mu.Lock()
	e.now = e.now.Add(d)
	e.mu.Unlock()
}

// MustStaff creates an account with the password; oneTime makes it a
// one-time password.
func (e *Env) MustStaff(tb testing.TB, name, role, password string, oneTime bool) *credit.Staff {
	tb.Helper()
	hash, err := cheap.Hash(password)
	if err != nil {
		tb.Fatal(err)
	}
	s := &credit.Staff{Name: name, Role: role, PasswordHash: hash, MustChangePassword: oneTime}
	if err := e.Store.CreateStaff(context.Background(), s, "test"); err != nil {
		tb.Fatal(err)
	}
	return s
}

// Browser is one visitor: its cookies, and the requests it makes.
// Redirects are not followed, so that tests see them.
type Browser struct {
	env    *Env
	client *http.Client
	jar    *cookiejar.Jar
	// Header is added to every request.
	Header http.Header
}

// Browser returns a new visitor without cookies.
func (e *Env) Browser() *Browser {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if tr, ok := e.srv.Client().Transport.(*http.Transport); ok {
		c.Transport = tr
	}
	return &Browser{env: e, client: c, jar: jar, Header: http.Header{}}
}

// Page is a fetched page.
type Page struct {
	Status int
	Header http.Header
	Body   string
	// Cookies are those the response set.
	Cookies []*http.Cookie
}

// Location is where a redirect leads, "" when it is none.
func (p Page) Location() string { return p.Header.Get("Location") }

// Cookie returns the cookie the response set with the name, nil if none.
func (p Page) Cookie(name string) *http.Cookie {
	for _, c := range p.Cookies {
		if c.Name == name {
			return c
		}
	}
	return nil
}

var csrfRE = regexp.MustCompile(`<form[^>]* action="([^"]+)"[^>]*>\s*<input type="hidden" name="csrf" value="([^"]+)">`)

// CSRF returns the CSRF token of the page's form posting to action, ""
// when it has none.
func (p Page) CSRF(action string) string {
	for _, m := range csrfRE.FindAllStringSubmatch(p.Body, -1) {
		if m[1] == action {
			return m[2]
		}
	}
	return ""
}

// Get fetches path.
func (b *Browser) Get(tb testing.TB, path string) Page {
	tb.Helper()
	req, err := http.NewRequest("GET", b.env.URL+path, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return b.do(tb, req)
}

// Post sends a form to path, as is.
func (b *Browser) Post(tb testing.TB, path string, form url.Values) Page {
	tb.Helper()
	req, err := http.NewRequest("POST", b.env.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.env.URL)
	return b.do(tb, req)
}

// Submit fetches the page at from and posts form to action with the CSRF
// token that page's form carries, as a browser would.
func (b *Browser) Submit(tb testing.TB, from, action string, form url.Values) Page {
	tb.Helper()
	p := b.Get(tb, from)
	token := p.CSRF(action)
	if token == "" {
		tb.Fatalf("%s (status %d) has no form posting to %s:\n%.800s", from, p.Status, action, p.Body)
	}
	f := url.Values{"csrf": {token}}
	for k, v := range form {
		f[k] = v
	}
	return b.Post(tb, action, f)
}

// Login signs in through the login form and returns the response.
func (b *Browser) Login(tb testing.TB, name, password string) Page {
	tb.Helper()
	return b.Submit(tb, "/console/login", "/console/login", url.Values{"name": {name}, "password": {password}})
}

// MustLogin signs in and fails the test unless it worked.
func (b *Browser) MustLogin(tb testing.TB, name, password string) {
	tb.Helper()
	if p := b.Login(tb, name, password); p.Status != http.StatusSeeOther || p.Cookie(console.SessionCookie) == nil {
		tb.Fatalf("login as %s: status %d, location %q:\n%.600s", name, p.Status, p.Location(), p.Body)
	}
}

// Session returns the browser's session token, "" when it has none.
func (b *Browser) Session() string {
	u, _ := url.Parse(b.env.URL + "/console/")
	for _, c := range b.jar.Cookies(u) {
		if c.Name == console.SessionCookie {
			return c.Value
		}
	}
	return ""
}

// SetSession replaces the browser's session cookie.
func (b *Browser) SetSession(token string) {
	u, _ := url.Parse(b.env.URL + "/console/")
	b.jar.SetCookies(u, []*http.Cookie{{Name: console.SessionCookie, Value: token, Path: "/console"}})
}

func (b *Browser) do(tb testing.TB, req *http.Request) Page {
	tb.Helper()
	for k, v := range b.Header {
		req.Header[k] = v
	}
	resp, err := b.client.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return Page{Status: resp.StatusCode, Header: resp.Header, Body: string(body), Cookies: resp.Cookies()}
}

// testLog is where the server's log goes: stderr with -v, else nowhere.
func testLog() io.Writer {
	if testing.Verbose() {
		return os.Stderr
	}
	return io.Discard
}
