package portal

import (
	"net/http"

	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/ident"
	"github.com/xinyong/xinyong/internal/names"
	"github.com/xinyong/xinyong/internal/web"
)

// Search paging. Results beyond searchDepth are not paged to: a narrower
// query finds them, a crawler does not.
const (
	searchPerPage    = 20
	searchMaxPerPage = 50
	searchDepth      = 1000
)

type searchPage struct {
	page
	Hits        []searchHit
	Total       int
	TotalCapped bool
	PageNo      int
	PerPage     int
	Start       int // the number of the page's first result
	Pages       int // pages that may be visited
	// Problem is what is wrong with the query, in both languages.
	ProblemZH, ProblemEN string
	// Code is true when the query was read as the start of a code (a
	// registration number is one too).
	Code bool
}

// searchHit is one result with its name cut into marked and unmarked
// pieces.
type searchHit struct {
	USCC        string
	Name        []piece
	FormerName  []piece // the former name that matched, when not the current one
	Type        string
	Region      string
	Authority   string
	EntityType  string
	CodeMatched bool
	// MatchedCode is the registration number the query found, when it
	// was one.
	MatchedCode string
}

// piece is a part of a name; Mark is true for the part that matched.
type piece struct {
	Text string
	Mark bool
}

// pieces cuts name at the spans where q matches it.
func pieces(name, q string) []piece {
	var out []piece
	last := 0
	for _, s := range names.Spans(name, q) {
		if s.Start > last {
			out = append(out, piece{name[last:s.Start], false})
		}
		out = append(out, piece{name[s.Start:s.End], true})
		last = s.End
	}
	if last < len(name) {
		out = append(out, piece{name[last:], false})
	}
	return out
}

func (h *Handler) search(w http.ResponseWriter, r *http.Request) {
	p := searchPage{page: h.newPage(r, "", ""), PageNo: 1, PerPage: searchPerPage}
	qs := r.URL.Query()
	p.Q = qs.Get("q")
	p.Title = web.Tr(p.EN, "搜索", "Search")
	q, err := web.SearchQuery(p.Q)
	if err == nil {
		p.Q = q
		p.Title = web.Tr(p.EN, "搜索：", "Search: ") + q
		p.PageNo, err = web.IntParam(qs.Get("page"), "page", 1)
	}
	if err == nil {
		p.PerPage, err = web.IntParam(qs.Get("per_page"), "per_page", searchPerPage)
		if err == nil && p.PerPage > searchMaxPerPage {
			err = credit.Errorf(credit.EINVALID, "每页最多显示 %d 条", "at most %d results a page", searchMaxPerPage)
		}
	}
	if err == nil && (p.PageNo-1)*p.PerPage >= searchDepth {
		err = credit.Errorf(credit.EINVALID, "只能翻阅前 %d 条结果，请输入更完整的名称或代码以缩小范围",
			"only the first %d results can be paged through; type more of the name or code to narrow the search", searchDepth)
	}
	if err != nil {
		p.ProblemZH, p.ProblemEN = credit.ErrorMessages(err)
		status := http.StatusBadRequest
		if p.Q == "" && qs.Get("page") == "" && qs.Get("per_page") == "" {
			status = http.StatusOK // an empty search box: ask for a query
		}
		h.render(w, r, status, "search", p)
		return
	}
	kind, _ := names.Parse(q)
	p.Code = kind == names.CodePrefix || kind == names.Registration
	res, err := h.Store.SearchSubjects(r.Context(), credit.SubjectFilter{Query: q, Page: p.PageNo, PerPage: p.PerPage})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p.Total, p.TotalCapped = res.Total, res.TotalCapped
	p.Pages = (min(p.Total, searchDepth) + p.PerPage - 1) / p.PerPage
	p.Start = (p.PageNo-1)*p.PerPage + 1
	for _, hit := range res.Hits {
		sh := searchHit{USCC: hit.USCC, Name: pieces(hit.Name, q), Type: hit.Type, Region: region(hit.USCC), CodeMatched: p.Code && hit.MatchedCode == "",
			MatchedCode: hit.MatchedCode}
		sh.Authority, sh.EntityType = ident.USCCAuthority(hit.USCC)
		if hit.MatchedName != "" && hit.MatchedName != hit.Name {
			sh.FormerName = pieces(hit.MatchedName, q)
		}
		p.Hits = append(p.Hits, sh)
	}
	h.render(w, r, http.StatusOK, "search", p)
}

// region names the division of an organisation's code, or gives the code
// when it is outside the divisions the platform knows.
func region(uscc string) string {
	if n := ident.DivisionName(uscc[2:8]); n != "" {
		return n
	}
	return uscc[2:8]
}
