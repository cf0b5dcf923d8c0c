package portal

import (
	"net/http"
	"strconv"
	"time"

	"github.com/xinyong/xinyong/internal/catalog"
	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/disclose"
	"github.com/xinyong/xinyong/internal/rights"
	"github.com/xinyong/xinyong/internal/web"
)

type recordPage struct {
	page
	R        *credit.Record
	Item     *catalog.Item
	Fields   []fieldView
	From     string
	Until    string // "" without end
	Decision string
	Severity string
	// Rights is true when objections and repair applications are taken.
	Rights bool
	// Repair says whether and from when a negative record can be
	// repaired; RepairNow that an application is taken today.
	Repair    *rights.Eligibility
	RepairNow bool
}

// publicOn reports whether the public may see rec of item it on day: an
// organisation's record of a public item within its window.
func publicOn(rec *credit.Record, it *catalog.Item, day time.Time) bool {
	return disclose.OnPortal(it) && rec.SubjectUSCC != "" && disclose.RecordShown(rec, day)
}

// record shows every public field of one record: GET /records/{id}. A
// record the public may not see today (a natural person's, out of its
// window, of a non-public item) is not found, the same as one that does
// not exist.
func (h *Handler) record(w http.ResponseWriter, r *http.Request) {
	p := recordPage{page: h.newPage(r, "", "")}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		h.errorPage(w, r, http.StatusNotFound, "记录编号应为正整数。", "A record number is a positive whole number.")
		return
	}
	notFound := func() {
		h.errorPage(w, r, http.StatusNotFound, "没有这条公示记录，或其公示期已结束。", "There is no such public record, or its publication period has ended.")
	}
	rec, err := h.Store.Record(r.Context(), id)
	if credit.IsNotFound(err) {
		notFound()
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	it, ok := h.Catalog.Item(rec.Item)
	if !ok || !publicOn(rec, it, h.today()) {
		notFound()
		return
	}
	cur := rec.Current
	p.R, p.Item = rec, it
	p.Fields = fieldViews(p.EN, disclose.PublicFields(it, cur.Fields))
	p.From, p.Until, p.Decision = day(cur.PublishedFrom), day(cur.PublishedUntil), day(cur.DecisionDate)
	p.Severity = cur.Severity
	if h.Cases != nil {
		p.Rights = true
		if it.Nature == catalog.NatureNegative {
			e := h.Cases.Repairability(rec, it)
			p.Repair = &e
			p.RepairNow = e.Possible && e.CheckApplication(h.now()) == nil
		}
	}
	p.Title = web.Tr(p.EN, it.NameZH, it.NameEN) + " · " + rec.SubjectName
	h.render(w, r, http.StatusOK, "record", p)
}

type catalogPage struct {
	page
	Items []catalogItem
}

type catalogItem struct {
	Item *catalog.Item
	// OnPortal is true when the item's records of organisations are public.
	OnPortal bool
	Fields   []*catalog.Field
	// Providers are the registered departments that submit the item.
	Providers []*credit.Provider
	Periods   []periodText
}

// periodText is one publication period in words.
type periodText struct {
	Severity string
	ZH, EN   string
}

// catalog is the public catalogue: what is collected about whom, from
// whom, and how long it is disclosed: GET /catalog.
func (h *Handler) catalog(w http.ResponseWriter, r *http.Request) {
	p := catalogPage{page: h.newPage(r, "", "catalog")}
	p.Title = web.Tr(p.EN, "信用信息目录", "Credit information catalogue")
	providers, err := h.Store.Providers(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, it := range h.Catalog.Items() {
		ci := catalogItem{Item: it, OnPortal: disclose.OnPortal(it), Fields: it.Fields}
		for _, pr := range providers {
			if pr.MayProvide(it.Code) && it.AllowsProvider(pr.Code) {
				ci.Providers = append(ci.Providers, pr)
			}
		}
		d := it.Disclosure
		if d.Period != nil {
			ci.Periods = append(ci.Periods, periodWords("", *d.Period))
		}
		for _, sev := range []string{catalog.SeverityMinor, catalog.SeverityGeneral, catalog.SeveritySerious} {
			if per, ok := d.Periods[sev]; ok {
				ci.Periods = append(ci.Periods, periodWords(sev, per))
			}
		}
		p.Items = append(p.Items, ci)
	}
	h.render(w, r, http.StatusOK, "catalog", p)
}

func periodWords(sev string, p catalog.Period) periodText {
	t := periodText{Severity: sev}
	switch {
	case p.NotPublished:
		t.ZH, t.EN = "不公示", "not published"
	case p.Indefinite:
		t.ZH, t.EN = "长期公示", "published without end"
	case p.MinMonths > 0:
		t.ZH = "最短 " + strconv.Itoa(p.MinMonths) + " 个月，最长 " + strconv.Itoa(p.MaxMonths) + " 个月"
		t.EN = "at least " + strconv.Itoa(p.MinMonths) + " and at most " + strconv.Itoa(p.MaxMonths) + " months"
	default:
		t.ZH = strconv.Itoa(p.MaxMonths) + " 个月"
		t.EN = strconv.Itoa(p.MaxMonths) + " months"
	}
	return t
}
