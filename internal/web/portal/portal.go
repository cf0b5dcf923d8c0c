// Package portal is the platform's public face: server-rendered pages
// where anyone finds an organisation, sees its public credit records and
// checks what the platform collects. Pages are Chinese by default with an
// English switch, work without JavaScript, and show only what the
// disclosure rules let the public see, checked on every request.
//
// Handlers call the domain and the store interface; never SQL.
package portal

import (
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/xinyong/xinyong/internal/casework"
	"github.com/xinyong/xinyong/internal/catalog"
	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/web"
	"github.com/xinyong/xinyong/internal/workday"
)

// Limits are the per-client budgets of the portal. A zero Rate turns a
// limit off.
type Limits struct {
	Pages  web.RateLimit // every page
	Search web.RateLimit // searches, on top of Pages
}

// DefaultLimits are generous for a person with a browser and stop a
// crawler from walking the whole register.
var DefaultLimits = Limits{
	Pages:  web.RateLimit{Rate: 10, Burst: 60},
	Search: web.RateLimit{Rate: 1, Burst: 20},
}

// Handler serves the portal. Its exported fields are its dependencies;
// Register prepares the rest.
type Handler struct {
	Store   credit.Store
	Catalog *catalog.Catalog
	Log     *slog.Logger
	Now     func() time.Time
	Limits  Limits
	// Cases takes objections and repair applications; nil leaves the
	// portal read-only.
	Cases *casework.Service
	// StatsEvery is how long computed statistics are served before they
	// are computed again (in the background); 10 minutes when zero.
	StatsEvery time.Duration

	pages         *web.Pages
	pageLimiter   *web.Limiter
	searchLimiter *web.Limiter
	stats         statsCache
}

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Register parses the templates, failing on any error, and adds the
// portal's routes to mux. The portal answers every path no other route
// takes, with a 404 page.
func (h *Handler) Register(mux *http.ServeMux) error {
	if err := h.parse(); err != nil {
		return err
	}
	h.pageLimiter = web.NewLimiter(h.Limits.Pages, h.Now)
	h.searchLimiter = web.NewLimiter(h.Limits.Search, h.Now)
	type route struct {
		route   string
		handler http.HandlerFunc
		search  bool // limited as searches are: forms too
	}
	routes := []route{
		{"GET /{$}", h.home, false},
		{"GET /search", h.search, true},
		{"GET /subjects/{uscc}", h.subject, false},
		{"GET /subjects/{uscc}/{item}", h.subjectItem, false},
		{"GET /records/{id}", h.record, false},
		{"GET /catalog", h.catalog, false},
		{"GET /statistics", h.statistics, false},
		{"GET /announcements/{id}", h.announcement, false},
		{"GET /lang", h.switchLang, false},
		{"/", h.notFound, false},
	}
	if h.Cases != nil {
		routes = append(routes,
			route{"GET /records/{id}/objection", h.objectionForm, false},
			route{"POST /records/{id}/objection", h.objectionForm, true},
			route{"GET /records/{id}/repair", h.repairForm, false},
			route{"POST /records/{id}/repair", h.repairForm, true},
			route{"GET /track/{kind}", h.track, false})
	}
	for _, r := range routes {
		mux.Handle(r.route, h.limit(r.handler, r.search))
	}
	static, _ := fs.Sub(staticFS, "static")
	files := http.FileServerFS(static)
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		files.ServeHTTP(w, r)
	})))
	return nil
}

// limit applies the per-client budgets: every page, and searches on top.
func (h *Handler) limit(next http.HandlerFunc, search bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		client := web.ClientID(r)
		ok, wait := h.pageLimiter.Allow(client)
		if ok && search {
			ok, wait = h.searchLimiter.Allow(client)
		}
		if !ok {
			secs := int(wait/time.Second) + 1
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			h.errorPage(w, r, http.StatusTooManyRequests,
				fmt.Sprintf("访问过于频繁，请 %d 秒后再试。", secs),
				fmt.Sprintf("Too many requests from your address; please try again in %d seconds.", secs))
			return
		}
		next(w, r)
	})
}

func (h *Handler) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

// today is the current date in China.
func (h *Handler) today() time.Time { return h.now().In(workday.CST) }

func (h *Handler) parse() error {
	funcs := template.FuncMap{
		"tr":  web.Tr,
		"num": num,
		"cat": categoryName,
		"add": func(a, b int) int { return a + b },
		"sev": severityName,
		"rowsOf": func(en bool, r itemRecords) any {
			return struct {
				EN bool
				R  itemRecords
			}{en, r}
		},
		"lang": func(en bool) string { return map[bool]string{false: "zh-CN", true: "en"}[en] },
	}
	pages, err := web.ParsePages(templateFS, "templates", []string{"layout.html", "partials.html"}, funcs)
	if err != nil {
		return fmt.Errorf("portal: %w", err)
	}
	h.pages = pages
	return nil
}

// csp is the Content-Security-Policy of the portal's pages: web.WriteHTML's
// without form-action.
const csp = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; frame-ancestors 'none'"

// render writes page name with data, whole or not at all: a template that
// fails midway shows an error page, not half a page.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	en := false
	if p, ok := data.(interface{ english() bool }); ok {
		en = p.english()
	}
	w.Header().Set("Content-Security-Policy", csp)
	if err := h.pages.Render(w, r, status, name, en, data); err != nil {
		if name == "error" {
			web.Logger(r).ErrorContext(r.Context(), "portal error page", "err", err)
			http.Error(w, "服务器内部错误 / internal error", http.StatusInternalServerError)
			return
		}
		h.fail(w, r, err)
	}
}

// errorPage is a page explaining what went wrong, in both languages, with
// the chosen one first.
type errorPage struct {
	page
	Status    int
	MessageZH string
	MessageEN string
}

func (h *Handler) errorPage(w http.ResponseWriter, r *http.Request, status int, zh, en string) {
	p := errorPage{page: h.newPage(r, "", ""), Status: status, MessageZH: zh, MessageEN: en}
	p.Title = web.Tr(p.EN, "出错了", "Something is wrong")
	switch status {
	case http.StatusNotFound:
		p.Title = web.Tr(p.EN, "未找到", "Not found")
	case http.StatusTooManyRequests:
		p.Title = web.Tr(p.EN, "访问过于频繁", "Too many requests")
	case http.StatusBadRequest:
		p.Title = web.Tr(p.EN, "请求有误", "Bad request")
	}
	h.render(w, r, status, "error", p)
}

// fail shows err as a page: its safe message for domain errors, a
// generic one (and a log line) for anything else.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := web.Status(credit.ErrorCode(err))
	if status == http.StatusInternalServerError {
		web.Logger(r).ErrorContext(r.Context(), "portal internal error", "err", web.Masked(err.Error()), "path", web.Masked(r.URL.Path), "request_id", web.RequestID(r))
	}
	zh, en := credit.ErrorMessages(err)
	h.errorPage(w, r, status, zh, en)
}

func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		h.errorPage(w, r, http.StatusMethodNotAllowed, "公众门户只提供浏览，不接受 "+r.Method+" 请求。", "The portal is read-only; it does not take "+r.Method+" requests.")
		return
	}
	h.errorPage(w, r, http.StatusNotFound, "没有这个页面。可以从首页搜索主体名称或统一社会信用代码。",
		"There is no such page. Search for a name or a unified social credit code from the home page.")
}
