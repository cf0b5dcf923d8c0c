package api

import (
	"net/http"

	"github.com/xinyong/xinyong/internal/catalog"
	"github.com/xinyong/xinyong/internal/web"
)

type catalogResponse struct {
	Items []*catalog.Item `json:"items"`
}

// listCatalog lists the catalogue items with their fields: GET /api/v1/catalog.
// The catalogue is public, so citizens can see what is collected about whom.
func (h *Handler) listCatalog(w http.ResponseWriter, r *http.Request) {
	web.JSON(w, http.StatusOK, catalogResponse{Items: h.Catalog.Items()})
}

// getCatalogItem returns one item: GET /api/v1/catalog/{item}.
func (h *Handler) getCatalogItem(w http.ResponseWriter, r *http.Request) {
	it, err := h.itemOrError(r.PathValue("item"))
	if err != nil {
		web.Error(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, it)
}
