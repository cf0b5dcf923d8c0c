package portal

import (
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/xinyong/xinyong/internal/catalog"
	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/disclose"
	"github.com/xinyong/xinyong/internal/ident"
	"github.com/xinyong/xinyong/internal/web"
)

// Records of an item shown on the subject page, and a page of them on the
// item's own listing. Listings go no deeper than itemDepth records.
const (
	subjectPerItem = 20
	itemPerPage    = 50
	itemDepth      = 5000
)

type subjectPage struct {
	page
	S           *credit.Subject
	Former      []credit.SubjectName
	Division    string
	OrgCode     string
	Authority   string
	EntityType  string
	Today       string
	Basic       []fieldView // from the registration record, when there is one
	BasicRecord int64
	Sections    []section
	Total       int
}

// section is the items of one catalogue category.
type section struct {
	Category string
	Name     string // in the page's language
	Items    []itemRecords
}

// fieldView is a value with its label in the page's language.
type fieldView struct {
	Label  string
	Value  string
	Masked bool // a personal value, shown masked
}

// fieldViews labels the values in the language, leaving out the fields
// named in skip.
func fieldViews(en bool, vals []disclose.FieldValue, skip ...string) []fieldView {
	out := make([]fieldView, 0, len(vals))
	for _, v := range vals {
		if !slices.Contains(skip, v.Field.Code) {
			out = append(out, fieldView{Label: web.Tr(en, v.Field.LabelZH, v.Field.LabelEN), Value: v.Value, Masked: v.Field.Personal})
		}
	}
	return out
}

// itemRecords is a listing of a subject's public records of one item.
type itemRecords struct {
	Item *catalog.Item
	Name string // the item's name in the page's language
	// Heads are the labels of the summary fields in the page's language.
	Heads []string
	// Negative items show how long each record stays published.
	Negative bool
	Summary  []*catalog.Field
	Total    int
	Rows     []recordRow
	// More is true when there are more than Rows.
	More bool
}

// recordRow is one record in a listing.
type recordRow struct {
	ID int64
	// Lead is the first summary field's value, Values the others'.
	Lead     string
	Values   []string
	Decision string
	Until    string // last day published; "" without end
	Severity string
	// SeverityText names the severity in the page's language.
	SeverityText string
	Provider     string
	// Objection is true while the record is under objection.
	Objection bool
}

// subjectCode reads the code in the path, or shows why it is not one.
func (h *Handler) subjectCode(w http.ResponseWriter, r *http.Request) (string, bool) {
	code := ident.NormalizeUSCC(r.PathValue("uscc"))
	if err := ident.CheckUSCC(code); err != nil {
		var ie *ident.Error
		if errors.As(err, &ie) {
			h.errorPage(w, r, http.StatusNotFound, ie.MessageZH, ie.MessageEN)
			return "", false
		}
		h.fail(w, r, err)
		return "", false
	}
	return code, true
}

// loadSubject fills the subject's identity into p. Natural persons have no
// public page: the store finds organisations only.
func (h *Handler) loadSubject(w http.ResponseWriter, r *http.Request, p *subjectPage) (map[string]int, bool) {
	code, ok := h.subjectCode(w, r)
	if !ok {
		return nil, false
	}
	s, err := h.Store.SubjectByUSCC(r.Context(), code)
	if err != nil {
		h.fail(w, r, err)
		return nil, false
	}
	today := h.today()
	counts, err := h.Store.PublicCounts(r.Context(), s.ID, today)
	if err != nil {
		h.fail(w, r, err)
		return nil, false
	}
	p.S, p.Title, p.Today = s, s.Name, today.Format(time.DateOnly)
	p.Division = region(s.USCC)
	p.OrgCode = s.USCC[8:16] + "-" + s.USCC[16:17]
	p.Authority, p.EntityType = ident.USCCAuthority(s.USCC)
	for _, n := range s.Names {
		if n.Name != s.Name {
			p.Former = append(p.Former, n)
		}
	}
	return counts, true
}

// subject is an organisation's public page: GET /subjects/{uscc}.
func (h *Handler) subject(w http.ResponseWriter, r *http.Request) {
	p := subjectPage{page: h.newPage(r, "", "")}
	counts, ok := h.loadSubject(w, r, &p)
	if !ok {
		return
	}
	today := h.today()
	for _, it := range h.Catalog.Items() {
		if !disclose.OnPortal(it) {
			continue
		}
		ir := newItemRecords(p.EN, it, counts[it.Code])
		p.Total += ir.Total
		if ir.Total > 0 {
			recs, err := h.Store.PublicRecords(r.Context(), p.S.ID, it.Code, today, subjectPerItem, 0)
			if err != nil {
				h.fail(w, r, err)
				return
			}
			ir.Rows = rows(p.EN, ir.Summary, recs, today)
			ir.More = ir.Total > len(recs)
			if it.Category == "registration" && len(ir.Rows) > 0 {
				// The newest registration record is the subject's basic
				// information, shown whole at the top.
				for _, rec := range recs {
					if rec.ID == ir.Rows[0].ID {
						p.BasicRecord = rec.ID
						p.Basic = fieldViews(p.EN, disclose.PublicFields(it, rec.Current.Fields), it.Subject.NameField, it.Subject.USCCField, it.Subject.TypeField)
					}
				}
			}
		}
		if n := len(p.Sections); n == 0 || p.Sections[n-1].Category != it.Category {
			p.Sections = append(p.Sections, section{Category: it.Category, Name: categoryName(p.EN, it.Category)})
		}
		p.Sections[len(p.Sections)-1].Items = append(p.Sections[len(p.Sections)-1].Items, ir)
	}
	h.render(w, r, http.StatusOK, "subject", p)
}

type itemPage struct {
	subjectPage
	Records itemRecords
	PageNo  int
	Pages   int
}

// subjectItem lists one item's public records of a subject, a page at a
// time: GET /subjects/{uscc}/{item}?page=N.
func (h *Handler) subjectItem(w http.ResponseWriter, r *http.Request) {
	p := itemPage{subjectPage: subjectPage{page: h.newPage(r, "", "")}}
	it, ok := h.Catalog.Item(r.PathValue("item"))
	if !ok || !disclose.OnPortal(it) {
		h.errorPage(w, r, http.StatusNotFound, "没有这个公开的目录条目。", "There is no such public catalogue item.")
		return
	}
	pageNo, err := web.IntParam(r.URL.Query().Get("page"), "page", 1)
	if err == nil && (pageNo-1)*itemPerPage >= itemDepth {
		err = credit.Errorf(credit.EINVALID, "只能翻阅前 %d 条记录", "only the first %d records can be paged through", itemDepth)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	counts, ok := h.loadSubject(w, r, &p.subjectPage)
	if !ok {
		return
	}
	today := h.today()
	p.PageNo = pageNo
	p.Records = newItemRecords(p.EN, it, counts[it.Code])
	p.Pages = (min(p.Records.Total, itemDepth) + itemPerPage - 1) / itemPerPage
	if p.Records.Total > 0 {
		recs, err := h.Store.PublicRecords(r.Context(), p.S.ID, it.Code, today, itemPerPage, (pageNo-1)*itemPerPage)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		p.Records.Rows = rows(p.EN, p.Records.Summary, recs, today)
	}
	p.Title = p.S.Name + " · " + web.Tr(p.EN, it.NameZH, it.NameEN)
	h.render(w, r, http.StatusOK, "item", p)
}

func newItemRecords(en bool, it *catalog.Item, total int) itemRecords {
	ir := itemRecords{Item: it, Name: web.Tr(en, it.NameZH, it.NameEN), Summary: summaryFields(it), Total: total, Negative: it.Nature == catalog.NatureNegative}
	for _, f := range ir.Summary {
		ir.Heads = append(ir.Heads, web.Tr(en, f.LabelZH, f.LabelEN))
	}
	return ir
}

// summaryFields are the fields a listing of the item shows: its summary,
// or its first four public fields.
func summaryFields(it *catalog.Item) []*catalog.Field {
	var out []*catalog.Field
	for _, code := range it.Summary {
		for _, f := range it.Fields {
			if f.Code == code {
				out = append(out, f)
			}
		}
	}
	if len(out) > 0 {
		return out
	}
	for _, f := range it.Fields {
		if f.Sensitivity == catalog.Public && !f.Personal && len(out) < 4 {
			out = append(out, f)
		}
	}
	return out
}

// rows are the records shown on day, with the summary fields' values.
func rows(en bool, summary []*catalog.Field, recs []*credit.Record, today time.Time) []recordRow {
	out := make([]recordRow, 0, len(recs))
	for _, rec := range recs {
		if !disclose.RecordShown(rec, today) {
			continue
		}
		cur := rec.Current
		row := recordRow{ID: rec.ID, Decision: day(cur.DecisionDate), Until: day(cur.PublishedUntil), Severity: cur.Severity,
			SeverityText: severityName(en, cur.Severity), Provider: rec.ProviderName, Objection: rec.UnderObjection}
		for i, f := range summary {
			if i == 0 {
				row.Lead = cur.Fields[f.Code]
			} else {
				row.Values = append(row.Values, cur.Fields[f.Code])
			}
		}
		out = append(out, row)
	}
	return out
}
