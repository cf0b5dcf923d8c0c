package console

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"time"

	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/rights"
	"github.com/xinyong/xinyong/internal/web"
	"github.com/xinyong/xinyong/internal/workday"
)

// queueRow is one case in a queue with its deadline.
type queueRow struct {
	ID        int64
	Number    string
	Subject   string
	USCC      string
	Item      string
	Provider  string
	State     string
	StateName string
	Party     string
	DueBy     string
	DueToday  bool
	Overdue   bool
	Paused    bool
	Escalated bool
	Filed     time.Time
	due       time.Time
}

type queuePage struct {
	Page
	Kind      string // objection or repair
	Rows      []queueRow
	Open      bool // only open cases
	Provider  string
	Providers []string
	Today     int
	Overdue   int
}

// objectionQueue lists objections with their deadlines, what is due today
// and what is overdue first: GET /console/objections?all=1&provider=CODE.
func (h *Handler) objectionQueue(w http.ResponseWriter, r *http.Request, st *credit.Staff) {
	p := queuePage{Page: h.page(r, "异议处理", "Objections", "objections"), Kind: "objection", Open: r.URL.Query().Get("all") == "", Provider: r.URL.Query().Get("provider")}
	f := credit.CaseFilter{Limit: queueLimit, ProviderCode: p.Provider}
	if p.Open {
		f.States = []string{rights.ObjFiled, rights.ObjAccepted, rights.ObjForwarded}
	}
	list, err := h.Store.Objections(r.Context(), f)
	if err == nil {
		p.Providers, err = h.providerCodes(r)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	now := h.now()
	for _, o := range list {
		row := queueRow{ID: o.ID, Number: o.Number, Subject: o.SubjectName, USCC: o.SubjectUSCC, Item: o.Item, Provider: o.ProviderName,
			State: o.State, StateName: rights.StateName(p.EN, o.State), Escalated: !o.EscalatedAt.IsZero(), Filed: o.FiledAt}
		if d, ok := h.Cases.Deadline(o); ok {
			row.due, row.DueBy, row.Paused = d.By, d.By.Format(time.DateOnly), d.Paused
			row.DueToday, row.Overdue = d.DueToday(now), d.Overdue(now)
			row.Party = map[string]string{"center": web.Tr(p.EN, "信用中心", "credit center"), "provider": web.Tr(p.EN, "提供单位", "provider")}[d.Party]
		}
		p.count(row)
		p.Rows = append(p.Rows, row)
	}
	p.sort()
	h.render(w, r, http.StatusOK, "queue", p)
}

// queueLimit is the most cases a queue lists.
const queueLimit = 2000

// providerCodes lists the registered providers' codes, for the queues'
// filter.
func (h *Handler) providerCodes(r *http.Request) ([]string, error) {
	ps, err := h.Store.Providers(r.Context())
	var codes []string
	for _, p := range ps {
		codes = append(codes, p.Code)
	}
	return codes, err
}

func (p *queuePage) count(row queueRow) {
	if row.DueToday {
		p.Today++
	}
	if row.Overdue {
		p.Overdue++
	}
}

// sort puts open cases by deadline first, overdue before due today, and
// finished ones after, newest first.
func (p *queuePage) sort() {
	sort.SliceStable(p.Rows, func(i, j int) bool {
		a, b := p.Rows[i], p.Rows[j]
		if (a.DueBy == "") != (b.DueBy == "") {
			return a.DueBy != ""
		}
		if a.DueBy == "" {
			return a.ID > b.ID
		}
		return a.due.Before(b.due) || a.due.Equal(b.due) && a.ID < b.ID
	})
}

// repairQueue lists repair applications: GET /console/repairs.
func (h *Handler) repairQueue(w http.ResponseWriter, r *http.Request, st *credit.Staff) {
	p := queuePage{Page: h.page(r, "信用修复", "Credit repair", "repairs"), Kind: "repair", Open: r.URL.Query().Get("all") == "", Provider: r.URL.Query().Get("provider")}
	f := credit.CaseFilter{Limit: queueLimit, ProviderCode: p.Provider}
	if p.Open {
		f.States = []string{rights.RepairApplied}
	}
	list, err := h.Store.Repairs(r.Context(), f)
	if err == nil {
		p.Providers, err = h.providerCodes(r)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	now := h.now().In(workday.CST).Format(time.DateOnly)
	for _, x := range list {
		row := queueRow{ID: x.ID, Number: x.Number, Subject: x.SubjectName, USCC: x.SubjectUSCC, Item: x.Item, Provider: x.ProviderName,
			State: x.State, StateName: repairState(p.EN, x.State), Filed: x.AppliedAt, Party: web.Tr(p.EN, "提供单位", "provider")}
		if by, ok := h.Cases.RepairDeadline(x); ok {
			row.due, row.DueBy = by, by.Format(time.DateOnly)
			row.DueToday, row.Overdue = row.DueBy == now, now > row.DueBy
		}
		p.count(row)
		p.Rows = append(p.Rows, row)
	}
	p.sort()
	h.render(w, r, http.StatusOK, "queue", p)
}

func repairState(en bool, s string) string {
	switch s {
	case rights.RepairApplied:
		return web.Tr(en, "待决定", "awaiting a decision")
	case rights.RepairApproved:
		return web.Tr(en, "准予修复", "approved")
	case rights.RepairRefused:
		return web.Tr(en, "不予修复", "refused")
	}
	return s
}

type casePage struct {
	Page
	Kind      string
	O         *credit.Objection
	X         *credit.Repair
	Record    *credit.Record
	StateName string
	Deadline  *rights.Deadline
	DueBy     string
	Overdue   bool
	Problem   string
	Outcomes  []struct{ Code, ZH, EN string }
	Grounds   string
	Steps     []caseStep
	Done      string
}

type caseStep struct {
	At    time.Time
	Kind  string
	Actor string
	Why   string
	Days  int
	Out   string
}

func caseID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id, err == nil && id > 0
}

// objectionCase shows a case with the steps its state allows:
// GET /console/objections/{id}.
func (h *Handler) objectionCase(w http.ResponseWriter, r *http.Request, st *credit.Staff) {
	h.showObjection(w, r, http.StatusOK, "")
}

func (h *Handler) showObjection(w http.ResponseWriter, r *http.Request, status int, problem string) {
	id, ok := caseID(r)
	if !ok {
		h.notFound(w, r)
		return
	}
	o, err := h.Store.Objection(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	rec, err := h.Store.Record(r.Context(), o.RecordID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := casePage{Page: h.page(r, "异议 "+o.Number, "Objection "+o.Number, "objections"), Kind: "objection", O: o, Record: rec,
		StateName: rights.StateName(false, o.State), Problem: problem, Outcomes: rights.Outcomes, Grounds: rights.GroundName(false, o.Ground),
		Done: r.URL.Query().Get("done")}
	if p.EN {
		p.StateName, p.Grounds = rights.StateName(true, o.State), rights.GroundName(true, o.Ground)
	}
	if d, ok := h.Cases.Deadline(o); ok {
		p.Deadline, p.DueBy, p.Overdue = &d, d.By.Format(time.DateOnly), d.Overdue(h.now())
	}
	p.Steps = steps(p.EN, o.Steps)
	h.render(w, r, status, "case", p)
}

func steps(en bool, ss []credit.CaseStep) []caseStep {
	var out []caseStep
	for _, s := range ss {
		cs := caseStep{At: s.At.In(workday.CST), Kind: rights.StepName(en, s.Kind), Actor: s.Actor, Why: s.Reason, Days: s.Days}
		if s.Kind == rights.StepFile {
			cs.Why = rights.GroundName(en, s.Reason)
		}
		if s.Outcome != "" {
			cs.Out = rights.OutcomeName(en, s.Outcome)
		}
		out = append(out, cs)
	}
	return out
}

// objectionStep takes a step on a case: POST /console/objections/{id}/step
// with step, version, reason, outcome and days. A case someone else moved
// meanwhile is shown again with the conflict explained.
func (h *Handler) objectionStep(w http.ResponseWriter, r *http.Request, st *credit.Staff) {
	id, ok := caseID(r)
	if !ok {
		h.notFound(w, r)
		return
	}
	version, _ := strconv.Atoi(r.FormValue("version"))
	days, _ := strconv.Atoi(r.FormValue("days"))
	step := rights.Step{Kind: r.FormValue("step"), Actor: st.Actor(), Reason: r.FormValue("reason"), Outcome: r.FormValue("outcome"), Days: days}
	if version < 1 {
		h.errorPage(w, r, http.StatusBadRequest, "表单缺少案件版本，请刷新后重试", "the form lacks the case's version; reload and try again")
		return
	}
	if _, err := h.Cases.ObjectionStep(r.Context(), id, version, "", step); err != nil {
		code := credit.ErrorCode(err)
		if code == credit.EINTERNAL || code == credit.ENOTFOUND {
			h.fail(w, r, err)
			return
		}
		zh, en := credit.ErrorMessages(err)
		h.showObjection(w, r, statusOf(code), web.Tr(web.English(r), zh, en))
		return
	}
	http.Redirect(w, r, fmt.Sprintf("%s/objections/%d?done=%s", Prefix, id, url.QueryEscape(step.Kind)), http.StatusSeeOther)
}

func statusOf(code string) int {
	if code == credit.ECONFLICT {
		return http.StatusConflict
	}
	return http.StatusBadRequest
}

// repairCase shows a repair application: GET /console/repairs/{id}.
func (h *Handler) repairCase(w http.ResponseWriter, r *http.Request, st *credit.Staff) {
	h.showRepair(w, r, http.StatusOK, "")
}

func (h *Handler) showRepair(w http.ResponseWriter, r *http.Request, status int, problem string) {
	id, ok := caseID(r)
	if !ok {
		h.notFound(w, r)
		return
	}
	x, err := h.Store.Repair(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	rec, err := h.Store.Record(r.Context(), x.RecordID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := casePage{Page: h.page(r, "信用修复 "+x.Number, "Repair "+x.Number, "repairs"), Kind: "repair", X: x, Record: rec, Problem: problem,
		Done: r.URL.Query().Get("done")}
	p.StateName = repairState(p.EN, x.State)
	if by, ok := h.Cases.RepairDeadline(x); ok {
		p.DueBy = by.Format(time.DateOnly)
		p.Overdue = h.now().In(workday.CST).Format(time.DateOnly) > p.DueBy
	}
	p.Steps = steps(p.EN, x.Steps)
	h.render(w, r, status, "case", p)
}

// repairStep decides an application where its provider delegated the
// decision to the credit center: POST /console/repairs/{id}/step.
func (h *Handler) repairStep(w http.ResponseWriter, r *http.Request, st *credit.Staff) {
	id, ok := caseID(r)
	if !ok {
		h.notFound(w, r)
		return
	}
	version, _ := strconv.Atoi(r.FormValue("version"))
	step := rights.Step{Kind: r.FormValue("step"), Actor: st.Actor(), Reason: r.FormValue("reason")}
	if version < 1 {
		h.errorPage(w, r, http.StatusBadRequest, "表单缺少案件版本，请刷新后重试", "the form lacks the case's version; reload and try again")
		return
	}
	if _, err := h.Cases.RepairStep(r.Context(), id, version, "", step); err != nil {
		code := credit.ErrorCode(err)
		if code == credit.EINTERNAL || code == credit.ENOTFOUND {
			h.fail(w, r, err)
			return
		}
		zh, en := credit.ErrorMessages(err)
		h.showRepair(w, r, statusOf(code), web.Tr(web.English(r), zh, en))
		return
	}
	http.Redirect(w, r, fmt.Sprintf("%s/repairs/%d?done=%s", Prefix, id, url.QueryEscape(step.Kind)), http.StatusSeeOther)
}

// evidence sends a case's file as an attachment and records the access:
// GET /console/{kind}/{id}/files/{file}.
func (h *Handler) evidence(kind string) func(http.ResponseWriter, *http.Request, *credit.Staff) {
	return func(w http.ResponseWriter, r *http.Request, st *credit.Staff) {
		id, ok := caseID(r)
		fileID, err := strconv.ParseInt(r.PathValue("file"), 10, 64)
		if !ok || err != nil {
			h.notFound(w, r)
			return
		}
		f, err := h.Store.EvidenceFile(r.Context(), kind, id, fileID)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if err := h.Store.LogAccess(r.Context(), st.Actor(), "evidence.read", fmt.Sprintf("%s:%d", kind, id), fmt.Sprintf(`{"file":%d}`, fileID)); err != nil {
			h.fail(w, r, err)
			return
		}
		w.Header().Set("Content-Type", f.Type)
		w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(f.Name))
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Cache-Control", "no-store")
		w.Write(f.Data)
	}
}
