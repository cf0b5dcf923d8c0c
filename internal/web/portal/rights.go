package portal

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/xinyong/xinyong/internal/casework"
	"github.com/xinyong/xinyong/internal/catalog"
	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/rights"
	"github.com/xinyong/xinyong/internal/web"
	"github.com/xinyong/xinyong/internal/workday"
)

// formCookie holds the token every form of the portal carries back
// (double submit): a page of another site cannot read it to forge a form.
const formCookie = "xy_form"

// formToken returns the visitor's form token, setting the cookie when
// there is none.
func (h *Handler) formToken(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(formCookie); err == nil && len(c.Value) >= 32 {
		return c.Value
	}
	b := make([]byte, 24)
	rand.Read(b)
	tok := base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{Name: formCookie, Value: tok, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
	return tok
}

// checkForm refuses a form that does not carry the visitor's token, or
// comes from another site.
func checkForm(r *http.Request) error {
	bad := credit.Errorf(credit.EFORBIDDEN, "表单已过期或来源不明，请返回上一页刷新后重新提交", "the form has expired or did not come from this site; go back, reload the page and send it again")
	if o := r.Header.Get("Origin"); o != "" {
		if u, err := url.Parse(o); err != nil || u.Host != r.Host {
			return bad
		}
	}
	c, err := r.Cookie(formCookie)
	if err != nil || c.Value == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.FormValue("csrf"))) != 1 {
		return bad
	}
	return nil
}

// maxForm bounds a form with its evidence files.
func (h *Handler) maxForm() int64 {
	l := casework.DefaultLimits
	if h.Cases != nil && h.Cases.Limits.MaxFiles > 0 {
		l = h.Cases.Limits
	}
	return int64(l.MaxFiles)*l.MaxFileBytes + 1<<20
}

// readForm parses a multipart form with its files.
func (h *Handler) readForm(w http.ResponseWriter, r *http.Request) ([]casework.File, error) {
	r.Body = http.MaxBytesReader(w, r.Body, h.maxForm())
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, credit.Errorf(credit.ETOOLARGE, "提交的内容过大：材料合计不得超过 %d MB", "the form is too large: files may add up to %d MB at most", h.maxForm()>>20)
		}
		return nil, credit.Errorf(credit.EINVALID, "表单无法读取，请重新提交", "the form could not be read; send it again")
	}
	if err := checkForm(r); err != nil {
		return nil, err
	}
	var files []casework.File
	for _, fh := range r.MultipartForm.File["files"] {
		f, err := fh.Open()
		if err != nil {
			return nil, err
		}
		data, err := io.ReadAll(f)
		f.Close()
		if err != nil {
			return nil, err
		}
		files = append(files, casework.File{Name: fh.Filename, Data: data})
	}
	return files, nil
}

// caseForm is the data of the objection and repair forms.
type caseForm struct {
	page
	R          *credit.Record
	Item       *catalog.Item
	CSRF       string
	Kind       string // "objection" or "repair"
	Grounds    []option
	Values     map[string]string
	Problem    string
	Fields     map[string]string // field → message
	Commitment string
	MaxFiles   int
	MaxMB      int64
}

type option struct{ Code, Name string }

// caseRecord loads the public record of a form's path.
func (h *Handler) caseRecord(w http.ResponseWriter, r *http.Request, p *caseForm) bool {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err == nil && id > 0 {
		p.R, err = h.Store.Record(r.Context(), id)
	}
	var it *catalog.Item
	if err == nil {
		var ok bool
		it, ok = h.Catalog.Item(p.R.Item)
		if !ok || !publicOn(p.R, it, h.today()) {
			err = credit.Errorf(credit.ENOTFOUND, "没有这条公示记录，或其公示期已结束", "there is no such public record, or its publication period has ended")
		}
	}
	if err != nil {
		if credit.ErrorCode(err) == credit.EINTERNAL {
			h.fail(w, r, err)
		} else {
			h.errorPage(w, r, http.StatusNotFound, "没有这条公示记录，或其公示期已结束。", "There is no such public record, or its publication period has ended.")
		}
		return false
	}
	p.Item = it
	l := casework.DefaultLimits
	if h.Cases.Limits.MaxFiles > 0 {
		l = h.Cases.Limits
	}
	p.MaxFiles, p.MaxMB = l.MaxFiles, l.MaxFileBytes>>20
	return true
}

func (h *Handler) objectionForm(w http.ResponseWriter, r *http.Request) {
	p := caseForm{page: h.newPage(r, "", ""), Kind: "objection", Values: map[string]string{}, Fields: map[string]string{}}
	if !h.caseRecord(w, r, &p) {
		return
	}
	p.Title = web.Tr(p.EN, "异议申请", "Object to a record")
	for _, g := range rights.Grounds {
		p.Grounds = append(p.Grounds, option{g.Code, web.Tr(p.EN, g.ZH, g.EN)})
	}
	p.Values["applicant.uscc"] = p.R.SubjectUSCC
	if r.Method == http.MethodGet {
		p.CSRF = h.formToken(w, r)
		h.render(w, r, http.StatusOK, "caseform", p)
		return
	}
	files, err := h.readForm(w, r)
	if err == nil {
		var o *credit.Objection
		var tok string
		o, tok, err = h.Cases.FileObjection(r.Context(), casework.ObjectionInput{RecordID: p.R.ID, Ground: r.FormValue("ground"),
			Statement: r.FormValue("statement"), Applicant: applicantOf(r), Files: files})
		if err == nil {
			h.filed(w, r, "objection", o.Number, tok)
			return
		}
	}
	h.formProblem(w, r, &p, err)
}

func (h *Handler) repairForm(w http.ResponseWriter, r *http.Request) {
	p := caseForm{page: h.newPage(r, "", ""), Kind: "repair", Values: map[string]string{}, Fields: map[string]string{}}
	if !h.caseRecord(w, r, &p) {
		return
	}
	p.Title = web.Tr(p.EN, "信用修复申请", "Apply for credit repair")
	p.Values["applicant.uscc"] = p.R.SubjectUSCC
	p.Commitment = casework.CommitmentText(p.R.SubjectName, p.R.SubjectUSCC, p.R.Current.Fields[summaryFirst(p.Item)], h.now())
	if err := h.Cases.Repairability(p.R, p.Item).CheckApplication(h.now()); err != nil {
		zh, en := credit.ErrorMessages(err)
		h.errorPage(w, r, http.StatusBadRequest, zh, en)
		return
	}
	if r.Method == http.MethodGet {
		p.CSRF = h.formToken(w, r)
		h.render(w, r, http.StatusOK, "caseform", p)
		return
	}
	files, err := h.readForm(w, r)
	if err == nil {
		var rep *credit.Repair
		var tok string
		rep, tok, err = h.Cases.ApplyRepair(r.Context(), casework.RepairInput{RecordID: p.R.ID, Applicant: applicantOf(r),
			Performed: r.FormValue("performed"), Commitment: r.FormValue("commitment") == "yes", Files: files})
		if err == nil {
			h.filed(w, r, "repair", rep.Number, tok)
			return
		}
	}
	h.formProblem(w, r, &p, err)
}

func summaryFirst(it *catalog.Item) string {
	if len(it.Summary) > 0 {
		return it.Summary[0]
	}
	return it.BusinessKey[0]
}

func applicantOf(r *http.Request) credit.Applicant {
	return credit.Applicant{Name: r.FormValue("applicant.name"), Role: r.FormValue("applicant.role"), USCC: r.FormValue("applicant.uscc"),
		Phone: r.FormValue("applicant.phone"), Email: r.FormValue("applicant.email")}
}

// formProblem shows the form again with what was typed and what is wrong.
func (h *Handler) formProblem(w http.ResponseWriter, r *http.Request, p *caseForm, err error) {
	code := credit.ErrorCode(err)
	if code == credit.EINTERNAL {
		h.fail(w, r, err)
		return
	}
	zh, en := credit.ErrorMessages(err)
	p.Problem = web.Tr(p.EN, zh, en)
	var e *credit.Error
	if errors.As(err, &e) {
		for _, f := range e.Fields {
			p.Fields[f.Field] = web.Tr(p.EN, f.MessageZH, f.MessageEN)
		}
	}
	if r.MultipartForm != nil {
		for k, v := range r.MultipartForm.Value {
			if k != "csrf" && len(v) > 0 {
				p.Values[k] = v[0]
			}
		}
	}
	p.CSRF = h.formToken(w, r)
	h.render(w, r, web.Status(code), "caseform", *p)
}

type filedPage struct {
	page
	Kind   string
	Number string
	Link   string
}

// filed confirms a case and gives its private tracking link, once.
func (h *Handler) filed(w http.ResponseWriter, r *http.Request, kind, number, token string) {
	p := filedPage{page: h.newPage(r, "", ""), Kind: kind, Number: number, Link: "/track/" + kind + "?t=" + url.QueryEscape(token)}
	p.Title = web.Tr(p.EN, "已提交", "Received")
	w.Header().Set("Cache-Control", "no-store")
	h.render(w, r, http.StatusCreated, "filed", p)
}

type trackPage struct {
	page
	Kind      string
	Number    string
	StateName string
	Final     bool
	Record    int64
	Subject   string
	Filed     time.Time
	DueBy     string
	Paused    bool
	Outcome   string
	Reasons   string
	Returned  bool
	Steps     []trackStep
}

type trackStep struct {
	At   time.Time
	What string
	Why  string
}

// track shows a case to whoever holds its private link:
// GET /track/{kind}?t=TOKEN.
func (h *Handler) track(w http.ResponseWriter, r *http.Request) {
	p := trackPage{page: h.newPage(r, "", ""), Kind: r.PathValue("kind")}
	p.Title = web.Tr(p.EN, "办理进度", "Progress")
	tok := r.URL.Query().Get("t")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	notFound := func() {
		h.errorPage(w, r, http.StatusNotFound, "查询链接无效。请使用提交后得到的完整链接。", "The tracking link is not valid: use the whole link you were given when you applied.")
	}
	if tok == "" || len(tok) > 100 {
		notFound()
		return
	}
	var steps []credit.CaseStep
	switch p.Kind {
	case "objection":
		o, err := h.Store.ObjectionByToken(r.Context(), casework.TokenHash(tok))
		if credit.IsNotFound(err) {
			notFound()
			return
		} else if err != nil {
			h.fail(w, r, err)
			return
		}
		p.Number, p.StateName, p.Record, p.Subject, p.Filed = o.Number, rights.StateName(p.EN, o.State), o.RecordID, o.SubjectName, o.FiledAt
		p.Final, p.Returned, p.Reasons = o.State == rights.ObjDecided || o.State == rights.ObjReturned, o.State == rights.ObjReturned, o.Reasons
		if o.Outcome != "" {
			p.Outcome = rights.OutcomeName(p.EN, o.Outcome)
		}
		if d, ok := h.Cases.Deadline(o); ok {
			p.DueBy, p.Paused = d.By.Format(time.DateOnly), d.Paused
		}
		steps = o.Steps
	case "repair":
		rep, err := h.Store.RepairByToken(r.Context(), casework.TokenHash(tok))
		if credit.IsNotFound(err) {
			notFound()
			return
		} else if err != nil {
			h.fail(w, r, err)
			return
		}
		p.Number, p.Record, p.Subject, p.Filed, p.Reasons = rep.Number, rep.RecordID, rep.SubjectName, rep.AppliedAt, rep.Reasons
		p.StateName = map[string]string{rights.RepairApplied: web.Tr(p.EN, "审核中", "under review"), rights.RepairApproved: web.Tr(p.EN, "已准予修复，停止公示", "approved: no longer published"),
			rights.RepairRefused: web.Tr(p.EN, "不予修复", "refused")}[rep.State]
		p.Final = rep.State != rights.RepairApplied
		if by, ok := h.Cases.RepairDeadline(rep); ok {
			p.DueBy = by.Format(time.DateOnly)
		}
		steps = rep.Steps
	default:
		notFound()
		return
	}
	for _, s := range steps {
		ts := trackStep{At: s.At.In(workday.CST), What: rights.StepName(p.EN, s.Kind)}
		if s.Kind == rights.StepReturn || s.Kind == rights.StepExtend || s.Kind == rights.StepPause || s.Kind == rights.StepRefuse ||
			s.Kind == rights.StepDecide || s.Kind == rights.StepAnswer {
			ts.Why = s.Reason
		}
		if s.Outcome != "" {
			ts.What += web.Tr(p.EN, "：", ": ") + rights.OutcomeName(p.EN, s.Outcome)
		}
		p.Steps = append(p.Steps, ts)
	}
	h.render(w, r, http.StatusOK, "track", p)
}
