package api

import (
	"errors"
	"net/http"
	"time"

	"github.com/xinyong/xinyong/internal/catalog"
	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/disclose"
	"github.com/xinyong/xinyong/internal/ident"
	"github.com/xinyong/xinyong/internal/web"
	"github.com/xinyong/xinyong/internal/workday"
)

// Search paging bounds.
const (
	defaultPerPage = 20
	maxPerPage     = 50
	maxResults     = 5000 // deepest record of an item a subject view pages to
	// searchDepth is the deepest result a search pages to: stores count
	// and order matches up to 1,000; beyond, a narrower query finds them.
	searchDepth = 1000
)

type searchResponse struct {
	Query       string      `json:"q"`
	Page        int         `json:"page"`
	PerPage     int         `json:"per_page"`
	Total       int         `json:"total"`
	TotalCapped bool        `json:"total_capped"`
	Results     []subjectID `json:"results"`
}

type subjectID struct {
	USCC        string `json:"uscc"`
	Name        string `json:"name"`
	MatchedName string `json:"matched_name"`
	MatchedCode string `json:"matched_code"`
	Type        string `json:"type"`
	Division    string `json:"division"`
}

// searchSubjects finds organisations by name, code prefix or registration
// number (exact numbers first, saying which in matched_code):
// GET /api/v1/subjects?q=&page=&per_page=. Natural persons are never found.
func (h *Handler) searchSubjects(w http.ResponseWriter, r *http.Request) {
	qs := r.URL.Query()
	q, err := web.SearchQuery(qs.Get("q"))
	if err != nil {
		web.Error(w, r, err)
		return
	}
	page, err := web.IntParam(qs.Get("page"), "page", 1)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	perPage, err := web.IntParam(qs.Get("per_page"), "per_page", defaultPerPage)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	if perPage > maxPerPage {
		web.Error(w, r, credit.Errorf(credit.EINVALID, "每页最多 %d 条（per_page=%d）", "per_page may be at most %d, got %d", maxPerPage, perPage))
		return
	}
	if (page-1)*perPage >= searchDepth {
		web.Error(w, r, credit.Errorf(credit.EINVALID, "只能翻阅前 %d 条结果，请使用更精确的查询词",
			"only the first %d results can be paged through; refine the query", searchDepth))
		return
	}
	res, err := h.Store.SearchSubjects(r.Context(), credit.SubjectFilter{Query: q, Page: page, PerPage: perPage})
	if err != nil {
		web.Error(w, r, err)
		return
	}
	out := searchResponse{Query: q, Page: page, PerPage: perPage, Total: res.Total, TotalCapped: res.TotalCapped, Results: []subjectID{}}
	for _, hit := range res.Hits {
		out.Results = append(out.Results, subjectID{USCC: hit.USCC, Name: hit.Name, MatchedName: hit.MatchedName, MatchedCode: hit.MatchedCode, Type: hit.Type,
			Division: ident.DivisionName(hit.USCC[2:8])})
	}
	web.JSON(w, http.StatusOK, out)
}

type subjectView struct {
	USCC        string        `json:"uscc"`
	Name        string        `json:"name"`
	Type        string        `json:"type"`
	FormerNames []formerName  `json:"former_names"`
	Identifiers identifiers   `json:"identifiers"`
	AsOf        string        `json:"as_of"`
	Items       []itemRecords `json:"items"`
}

type formerName struct {
	Name string  `json:"name"`
	AsOf *string `json:"as_of"` // decision date of the latest record under that name
}

type identifiers struct {
	USCC                  string `json:"uscc"`
	OrganisationCode      string `json:"organisation_code"`
	DivisionCode          string `json:"division_code"`
	DivisionName          string `json:"division_name"`
	RegistrationAuthority string `json:"registration_authority"`
	EntityType            string `json:"entity_type"`
}

type itemRecords struct {
	Item     string         `json:"item"`
	NameZH   string         `json:"name_zh"`
	NameEN   string         `json:"name_en"`
	Category string         `json:"category"`
	Nature   string         `json:"nature"`
	Total    int            `json:"total"`
	Page     int            `json:"page"`
	PerPage  int            `json:"per_page"`
	Records  []publicRecord `json:"records"`
}

type publicRecord struct {
	RecordID       int64             `json:"record_id"`
	Version        int               `json:"version"`
	CatalogVersion int               `json:"catalog_version"`
	Provider       providerRef       `json:"provider"`
	DecisionDate   *string           `json:"decision_date"`
	Severity       string            `json:"severity,omitempty"`
	PublishedFrom  *string           `json:"published_from"`
	PublishedUntil *string           `json:"published_until"`
	UnderObjection bool              `json:"under_objection"`
	Fields         map[string]string `json:"fields"`
}

// Paging of a subject's records per item.
const (
	defaultPerItem = 20
	maxPerItem     = 100
)

// getSubject is the public view of an organisation: GET /api/v1/subjects/{uscc}.
// Each public catalogue item lists its newest records (per_item, default
// 20) with the total; item=CODE&page=N pages through one item. Natural
// persons have no public view: their lookups end as not found, the same as
// an unknown code.
func (h *Handler) getSubject(w http.ResponseWriter, r *http.Request) {
	code := ident.NormalizeUSCC(r.PathValue("uscc"))
	if err := ident.CheckUSCC(code); err != nil {
		var ie *ident.Error
		if errors.As(err, &ie) {
			err = &credit.Error{Code: credit.EINVALID, MessageZH: ie.MessageZH, MessageEN: ie.MessageEN}
		}
		web.Error(w, r, err)
		return
	}
	qs := r.URL.Query()
	perItem, err := web.IntParam(qs.Get("per_item"), "per_item", defaultPerItem)
	if err == nil && perItem > maxPerItem {
		err = credit.Errorf(credit.EINVALID, "每个条目每页最多 %d 条（per_item=%d）", "per_item may be at most %d, got %d", maxPerItem, perItem)
	}
	page := 1
	if err == nil {
		page, err = web.IntParam(qs.Get("page"), "page", 1)
	}
	if err == nil && (page-1)*perItem >= maxResults {
		err = credit.Errorf(credit.EINVALID, "只能翻阅每个条目的前 %d 条记录", "only the first %d records of an item can be paged through", maxResults)
	}
	onlyItem := qs.Get("item")
	if err == nil && onlyItem != "" {
		if it, ok := h.Catalog.Item(onlyItem); !ok || !disclose.OnPortal(it) {
			err = credit.Errorf(credit.EINVALID, "“%s”不是可公开的目录条目，可用条目见 /api/v1/catalog",
				"%q is not a public catalogue item; see /api/v1/catalog", onlyItem)
		}
	} else if err == nil && page > 1 {
		err = credit.Errorf(credit.EINVALID, "翻页时请用 item 指定目录条目", "give item=CODE to page through one item's records")
	}
	if err != nil {
		web.Error(w, r, err)
		return
	}
	s, err := h.Store.SubjectByUSCC(r.Context(), code)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	today := h.now().In(workday.CST)
	counts, err := h.Store.PublicCounts(r.Context(), s.ID, today)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	auth, typ := ident.USCCAuthority(s.USCC)
	v := subjectView{USCC: s.USCC, Name: s.Name, Type: s.Type, FormerNames: []formerName{}, Items: []itemRecords{}, AsOf: today.Format(time.DateOnly),
		Identifiers: identifiers{USCC: s.USCC, OrganisationCode: s.USCC[8:16] + "-" + s.USCC[16:17], DivisionCode: s.USCC[2:8],
			DivisionName: ident.DivisionName(s.USCC[2:8]), RegistrationAuthority: auth, EntityType: typ}}
	for _, n := range s.Names {
		if n.Name == s.Name {
			continue
		}
		fn := formerName{Name: n.Name}
		if !n.AsOf.IsZero() {
			d := n.AsOf.Format(time.DateOnly)
			fn.AsOf = &d
		}
		v.FormerNames = append(v.FormerNames, fn)
	}
	for _, it := range h.Catalog.Items() {
		if !disclose.OnPortal(it) || onlyItem != "" && it.Code != onlyItem {
			continue
		}
		ir := itemRecords{Item: it.Code, NameZH: it.NameZH, NameEN: it.NameEN, Category: it.Category, Nature: it.Nature,
			Total: counts[it.Code], Page: page, PerPage: perItem, Records: []publicRecord{}}
		if ir.Total > 0 {
			recs, err := h.Store.PublicRecords(r.Context(), s.ID, it.Code, today, perItem, (page-1)*perItem)
			if err != nil {
				web.Error(w, r, err)
				return
			}
			for _, rec := range recs {
				ir.Records = append(ir.Records, publicView(it, rec, today)...)
			}
		}
		v.Items = append(v.Items, ir)
	}
	web.JSON(w, http.StatusOK, v)
}

// publicView returns the record as the public sees it: public fields only,
// and nothing at all if its window does not include today (checked again
// at read time, so nothing is shown a day past its end).
func publicView(it *catalog.Item, rec *credit.Record, today time.Time) []publicRecord {
	if !disclose.RecordShown(rec, today) {
		return nil
	}
	cur := rec.Current
	fields := map[string]string{}
	for _, fv := range disclose.PublicFields(it, cur.Fields) {
		fields[fv.Field.Code] = fv.Value
	}
	return []publicRecord{{RecordID: rec.ID, Version: cur.Version, CatalogVersion: cur.CatalogVersion,
		Provider: providerRef{rec.ProviderCode, rec.ProviderName}, DecisionDate: dateStr(cur.DecisionDate), Severity: cur.Severity,
		PublishedFrom: dateStr(cur.PublishedFrom), PublishedUntil: dateStr(cur.PublishedUntil), UnderObjection: rec.UnderObjection, Fields: fields}}
}
