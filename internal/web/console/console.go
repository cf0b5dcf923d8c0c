package console

import (
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/xinyong/xinyong/internal/auth"
	"github.com/xinyong/xinyong/internal/casework"
	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/web"
	"github.com/xinyong/xinyong/internal/workday"
)

// Prefix is where the console lives.
const Prefix = "/console"

// Handler serves the console. Its exported fields are its dependencies
// and settings; Register prepares the rest.
type Handler struct {
	Store credit.Store
	// Cases runs the steps of objection and repair cases.
	Cases *casework.Service
	Log   *slog.Logger
	// Now is the clock of sessions and lock-outs; time.Now when nil.
	Now func() time.Time
	// Lockout is the back-off after failed logins; auth.DefaultLockout
	// when zero.
	Lockout auth.Lockout
	// Params are the costs of new password hashes; auth.DefaultParams
	// when zero.
	Params auth.Params
	// IdleTimeout ends a session not used for that long (8 hours when
	// zero); MaxAge ends any session that long after login (12 hours).
	IdleTimeout time.Duration
	MaxAge      time.Duration
	// LoginLimit is each client's budget of login attempts, on top of the
	// lock-out of each account; a zero Rate is no limit.
	LoginLimit web.RateLimit

	pages        *web.Pages
	loginLimiter *web.Limiter
	// hashing bounds the argon2 computations running at once: each takes
	// the memory its parameters say (64 MiB by default).
	hashing   chan struct{}
	dummyOnce sync.Once
	dummy     string
}

// DefaultLoginLimit lets a person mistype a few times and stops a client
// from trying passwords on many accounts: bursts of 10, then one attempt
// every 5 seconds.
var DefaultLoginLimit = web.RateLimit{Rate: 0.2, Burst: 10}

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Register parses the templates, failing on any error, and adds the
// console's routes to mux, under /console/ (every path there is the
// console's, unknown ones a 404 page).
func (h *Handler) Register(mux *http.ServeMux) error {
	pages, err := web.ParsePages(templateFS, "templates", []string{"layout.html"}, funcs)
	if err != nil {
		return fmt.Errorf("console: %w", err)
	}
	h.pages = pages
	h.loginLimiter = web.NewLimiter(h.LoginLimit, h.Now)
	h.hashing = make(chan struct{}, 2)
	for _, rt := range h.routes() {
		if rt.open != nil {
			mux.HandleFunc(rt.pattern, rt.open)
		} else {
			mux.HandleFunc(rt.pattern, h.require(rt.action, rt.handler))
		}
	}
	static, _ := fs.Sub(staticFS, "static")
	files := http.FileServerFS(static)
	mux.Handle("GET "+Prefix+"/static/", http.StripPrefix(Prefix+"/static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		files.ServeHTTP(w, r)
	})))
	mux.HandleFunc(Prefix+"/", h.notFound)
	return nil
}

func (h *Handler) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

func (h *Handler) lockout() auth.Lockout {
	if h.Lockout == (auth.Lockout{}) {
		return auth.DefaultLockout
	}
	return h.Lockout
}

func (h *Handler) params() auth.Params {
	if h.Params == (auth.Params{}) {
		return auth.DefaultParams
	}
	return h.Params
}

func (h *Handler) idleTimeout() time.Duration {
	if h.IdleTimeout > 0 {
		return h.IdleTimeout
	}
	return 8 * time.Hour
}

func (h *Handler) maxAge() time.Duration {
	if h.MaxAge > 0 {
		return h.MaxAge
	}
	return 12 * time.Hour
}

// Page is what every console page's data starts with: embed it in the
// page's own struct. The layout reads it to draw the header, the
// navigation and the language switch.
type Page struct {
	EN    bool   // English; Chinese when false
	Title string // the page's own title, in the page's language
	// Here is the current path and query, for the language switch.
	Here string
	// Nav is the navigation entry to mark as current.
	Nav string
	// Staff is the signed-in account; nil on the login page.
	Staff *credit.Staff
	// Menu lists the pages the account may open, for the navigation.
	Menu []MenuItem
	// csrf is the secret the page's form tokens are made with: the
	// session's, or on the login page the pre-login cookie's.
	csrf []byte
}

func (p Page) english() bool { return p.EN }

// CSRF returns the token a form posting to action (a path, without the
// query) must carry in a field named csrf.
func (p Page) CSRF(action string) string { return auth.CSRFToken(p.csrf, action) }

// CSRFField returns the hidden field carrying the token of a form posting
// to action: {{.CSRFField "/console/logout"}}.
func (p Page) CSRFField(action string) template.HTML {
	return template.HTML(`<input type="hidden" name="csrf" value="` + template.HTMLEscapeString(p.CSRF(action)) + `">`)
}

// May reports whether the signed-in account may take action: for
// templates, {{if .May "case.act"}}.
func (p Page) May(action string) bool { return p.Staff.Can(action) }

// page starts a page's data for r: the language, the title in it, and
// the signed-in account and menu when require let the request in.
func (h *Handler) page(r *http.Request, zh, en, nav string) Page {
	p := Page{EN: web.English(r), Here: r.URL.RequestURI(), Nav: nav}
	p.Title = web.Tr(p.EN, zh, en)
	if s := sessionOf(r); s != nil {
		p.Staff, p.csrf = s.Staff, s.CSRFSecret
		for _, m := range menu {
			if m.Action == "" || p.Staff.Can(m.Action) {
				p.Menu = append(p.Menu, m)
			}
		}
	}
	return p
}

var funcs = template.FuncMap{
	"tr":   web.Tr,
	"lang": func(en bool) string { return map[bool]string{false: "zh-CN", true: "en"}[en] },
	"when": when,
	"role": roleName,
}

// when writes a time in China Standard Time to the minute, "—" for none.
func when(t any) string {
	var v time.Time
	switch x := t.(type) {
	case time.Time:
		v = x
	case *time.Time:
		if x != nil {
			v = *x
		}
	}
	if v.IsZero() {
		return "—"
	}
	return v.In(workday.CST).Format("2006-01-02 15:04")
}

// roleName names a role in the language.
func roleName(en bool, role string) string {
	switch role {
	case credit.RoleAdmin:
		return web.Tr(en, "管理员", "administrator")
	case credit.RoleHandler:
		return web.Tr(en, "经办人", "case handler")
	case credit.RoleAuditor:
		return web.Tr(en, "审计员", "auditor")
	}
	return role
}

// render writes page name with data (a struct embedding Page), whole or
// not at all: a template that fails midway shows an error page, not half
// a page. Console pages are never cached.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	en := false
	if p, ok := data.(interface{ english() bool }); ok {
		en = p.english()
	}
	w.Header().Set("Cache-Control", "no-store")
	if err := h.pages.Render(w, r, status, name, en, data); err != nil {
		if name == "error" {
			web.Logger(r).ErrorContext(r.Context(), "console error page", "err", err)
			http.Error(w, "服务器内部错误 / internal error", http.StatusInternalServerError)
			return
		}
		h.fail(w, r, err)
	}
}

// errorPage is a page explaining what went wrong, in both languages, with
// the chosen one first.
type errorPage struct {
	Page
	Status    int
	MessageZH string
	MessageEN string
}

// errorPage shows a bilingual message with status.
func (h *Handler) errorPage(w http.ResponseWriter, r *http.Request, status int, zh, en string) {
	var p errorPage
	switch status {
	case http.StatusNotFound:
		p.Page = h.page(r, "未找到", "Not found", "")
	case http.StatusForbidden:
		p.Page = h.page(r, "无权操作", "Not allowed", "")
	case http.StatusTooManyRequests:
		p.Page = h.page(r, "请稍后再试", "Please wait", "")
	case http.StatusBadRequest:
		p.Page = h.page(r, "请求有误", "Bad request", "")
	default:
		p.Page = h.page(r, "出错了", "Something is wrong", "")
	}
	p.Status, p.MessageZH, p.MessageEN = status, zh, en
	h.render(w, r, status, "error", p)
}

// fail shows err as a page: its safe message for domain errors, a generic
// one (and a log line) for anything else.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := web.Status(credit.ErrorCode(err))
	if status == http.StatusInternalServerError {
		web.Logger(r).ErrorContext(r.Context(), "console internal error", "err", web.Masked(err.Error()), "path", web.Masked(r.URL.Path), "request_id", web.RequestID(r))
	}
	zh, en := credit.ErrorMessages(err)
	h.errorPage(w, r, status, zh, en)
}

// forbidden is the 403 page of a role without the action.
func (h *Handler) forbidden(w http.ResponseWriter, r *http.Request) {
	h.errorPage(w, r, http.StatusForbidden, "您的角色无权打开此页面。如需此权限，请联系管理员。",
		"Your role may not open this page. Ask an administrator if you need to.")
}

func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	h.errorPage(w, r, http.StatusNotFound, "控制台没有这个页面。", "The console has no such page.")
}

// tooMany is the 429 page, with when to try again.
func (h *Handler) tooMany(w http.ResponseWriter, r *http.Request, wait time.Duration) {
	secs := int(wait/time.Second) + 1
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	h.errorPage(w, r, http.StatusTooManyRequests, fmt.Sprintf("尝试过于频繁，请 %d 秒后再试。", secs),
		fmt.Sprintf("Too many attempts from your address; please try again in %d seconds.", secs))
}
