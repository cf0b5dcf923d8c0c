// Package api is the platform's JSON API under /api/v1: submission of
// records by provider departments (API key), their read-back with history,
// the catalogue, and the public view of subjects. It is described by the
// OpenAPI 3.1 document served at /api/openapi.json.
//
// Handlers call the domain and the store interface; never SQL.
package api

import (
	"crypto/sha256"
	_ "embed"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/xinyong/xinyong/internal/casework"
	"github.com/xinyong/xinyong/internal/catalog"
	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/intake"
	"github.com/xinyong/xinyong/internal/pii"
	"github.com/xinyong/xinyong/internal/web"
)

// Limits bound what one request may carry.
type Limits struct {
	MaxBodyBytes int64 // body of a submission
	MaxRecords   int   // records in one submission
}

// DefaultLimits are the limits when none are configured.
var DefaultLimits = Limits{MaxBodyBytes: 32 << 20, MaxRecords: 10000}

// Handler serves the API. Its fields are its dependencies.
type Handler struct {
	Store    credit.Store
	Catalog  *catalog.Catalog
	Preparer *intake.Preparer
	Keys     *pii.Keys
	Limits   Limits
	Uploads  Uploads
	// Cases takes objections and the providers' answers and decisions.
	Cases *casework.Service
	// ObjectionLimit is each client's budget of objections filed through
	// the API (no key is needed to file one); DefaultObjectionLimit when
	// zero.
	ObjectionLimit web.RateLimit
	Log            *slog.Logger
	Now            func() time.Time

	objections     *web.Limiter
	objectionsOnce sync.Once
}

// DefaultObjectionLimit lets an applicant file a few objections and stops
// a client from flooding the credit center: bursts of 5, then one a
// minute.
var DefaultObjectionLimit = web.RateLimit{Rate: 1.0 / 60, Burst: 5}

//go:embed openapi.json
var openapiDoc []byte

// routes pairs every route with its handler: the one list Register,
// Routes and the 405 answers are made from.
func (h *Handler) routes() []struct {
	route   string
	handler http.HandlerFunc
} {
	return []struct {
		route   string
		handler http.HandlerFunc
	}{
		{"GET /api/openapi.json", h.openapi},
		{"GET /api/v1/catalog", h.listCatalog},
		{"GET /api/v1/catalog/{item}", h.getCatalogItem},
		{"POST /api/v1/records", h.provider(h.submit)},
		{"GET /api/v1/records/{id}", h.provider(h.getRecord)},
		{"POST /api/v1/batches", h.provider(h.createBatch)},
		{"GET /api/v1/batches", h.provider(h.listBatches)},
		{"GET /api/v1/batches/{id}", h.provider(h.getBatch)},
		{"GET /api/v1/batches/{id}/errors.csv", h.provider(h.batchErrors("csv"))},
		{"GET /api/v1/batches/{id}/errors.xlsx", h.provider(h.batchErrors("xlsx"))},
		{"GET /api/v1/subjects", h.searchSubjects},
		{"GET /api/v1/subjects/{uscc}", h.getSubject},
		{"POST /api/v1/records/{id}/objections", h.fileObjection},
		{"POST /api/v1/records/{id}/revoke", h.provider(h.revokeRecord)},
		{"GET /api/v1/objections", h.provider(h.providerObjections)},
		{"POST /api/v1/objections/{id}/answer", h.provider(h.answerObjection)},
		{"GET /api/v1/repairs", h.provider(h.providerRepairs)},
		{"POST /api/v1/repairs/{id}/decision", h.provider(h.decideRepair)},
	}
}

// Register adds the API's routes to mux; any other path under /api/ is
// answered 404, or 405 with Allow when it exists with other methods.
func (h *Handler) Register(mux *http.ServeMux) {
	byPath := http.NewServeMux() // each path once, to find its methods
	allow := map[string][]string{}
	for _, r := range h.routes() {
		mux.HandleFunc(r.route, r.handler)
		method, pattern, _ := strings.Cut(r.route, " ")
		if allow[pattern] == nil {
			byPath.HandleFunc(pattern, func(http.ResponseWriter, *http.Request) {})
		}
		allow[pattern] = append(allow[pattern], method)
		if method == http.MethodGet {
			allow[pattern] = append(allow[pattern], http.MethodHead) // ServeMux serves HEAD for GET routes
		}
	}
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		_, pattern := byPath.Handler(r)
		h.notFound(w, r, allow[pattern])
	})
}

// Routes lists the method and pattern of every route, for the test that
// keeps the OpenAPI document and the server in step.
func Routes() []string {
	var out []string
	for _, r := range (&Handler{}).routes() {
		out = append(out, r.route)
	}
	return out
}

func (h *Handler) openapi(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write(openapiDoc)
}

// notFound answers a path under /api/ that no route takes: 405 with Allow
// when the path exists with other methods (allow), else 404.
func (h *Handler) notFound(w http.ResponseWriter, r *http.Request, allow []string) {
	if len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		web.Error(w, r, credit.Errorf(credit.EMETHOD, "%s 不支持 %s 方法，可用：%s",
			"%s does not take %s; allowed: %s", r.URL.Path, r.Method, strings.Join(allow, ", ")))
		return
	}
	web.Error(w, r, credit.Errorf(credit.ENOTFOUND, "没有这个接口：%s %s，接口说明见 /api/openapi.json",
		"no such endpoint: %s %s; see /api/openapi.json", r.Method, r.URL.Path))
}

// providerFunc is a handler for an authenticated provider.
type providerFunc func(w http.ResponseWriter, r *http.Request, p *credit.Provider)

// provider authenticates the request's bearer API key.
func (h *Handler) provider(next providerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		scheme, key, ok := strings.Cut(auth, " ")
		if auth == "" {
			web.Error(w, r, credit.Errorf(credit.EUNAUTHORIZED, "缺少 API 密钥：请在请求头中加入 Authorization: Bearer <密钥>",
				"missing API key: send the header Authorization: Bearer <key>"))
			return
		}
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(key) == "" {
			web.Error(w, r, credit.Errorf(credit.EUNAUTHORIZED, "Authorization 请求头格式应为 Bearer <密钥>",
				"the Authorization header must be Bearer <key>"))
			return
		}
		p, err := h.Store.ProviderByKeyHash(r.Context(), HashKey(strings.TrimSpace(key)))
		if err != nil {
			web.Error(w, r, err)
			return
		}
		next(w, r, p)
	}
}

// HashKey returns the stored form of an API key.
func HashKey(key string) []byte {
	sum := sha256.Sum256([]byte(key))
	return sum[:]
}

func (h *Handler) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}
