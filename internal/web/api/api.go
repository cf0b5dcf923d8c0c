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
	"time"

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
	Log      *slog.Logger
	Now      func() time.Time
}

//go:embed openapi.json
var openapiDoc []byte

// Register adds the API's routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/openapi.json", h.openapi)
	mux.HandleFunc("GET /api/v1/catalog", h.listCatalog)
	mux.HandleFunc("GET /api/v1/catalog/{item}", h.getCatalogItem)
	mux.HandleFunc("POST /api/v1/records", h.provider(h.submit))
	mux.HandleFunc("GET /api/v1/records/{id}", h.provider(h.getRecord))
	mux.HandleFunc("POST /api/v1/batches", h.provider(h.createBatch))
	mux.HandleFunc("GET /api/v1/batches", h.provider(h.listBatches))
	mux.HandleFunc("GET /api/v1/batches/{id}", h.provider(h.getBatch))
	mux.HandleFunc("GET /api/v1/batches/{id}/errors.csv", h.provider(h.batchErrors("csv")))
	mux.HandleFunc("GET /api/v1/batches/{id}/errors.xlsx", h.provider(h.batchErrors("xlsx")))
	mux.HandleFunc("GET /api/v1/subjects", h.searchSubjects)
	mux.HandleFunc("GET /api/v1/subjects/{uscc}", h.getSubject)
	mux.HandleFunc("/api/", h.notFound)
}

// Routes lists the method and pattern of every documented route, for the
// test that keeps the OpenAPI document and the server in step.
func Routes() []string {
	return []string{
		"GET /api/openapi.json",
		"GET /api/v1/catalog",
		"GET /api/v1/catalog/{item}",
		"POST /api/v1/records",
		"GET /api/v1/records/{id}",
		"POST /api/v1/batches",
		"GET /api/v1/batches",
		"GET /api/v1/batches/{id}",
		"GET /api/v1/batches/{id}/errors.csv",
		"GET /api/v1/batches/{id}/errors.xlsx",
		"GET /api/v1/subjects",
		"GET /api/v1/subjects/{uscc}",
	}
}

func (h *Handler) openapi(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write(openapiDoc)
}

// notFound answers paths under /api/ that no route takes: 405 with Allow
// when the path exists with other methods, else 404.
func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, route := range Routes() {
		method, pattern, _ := strings.Cut(route, " ")
		probe := http.NewServeMux()
		probe.HandleFunc(pattern, func(http.ResponseWriter, *http.Request) {})
		if _, matched := probe.Handler(r); matched == pattern {
			allow = append(allow, method)
			if method == http.MethodGet {
				allow = append(allow, http.MethodHead) // ServeMux serves HEAD for GET routes
			}
		}
	}
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
