package api

import (
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/xinyong/xinyong/internal/casework"
	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/rights"
	"github.com/xinyong/xinyong/internal/web"
	"github.com/xinyong/xinyong/internal/workday"
)

// decodeBody reads a JSON object of at most max bytes with only the
// top-level keys given into v, with a message that says what to fix.
func decodeBody(w http.ResponseWriter, r *http.Request, max int64, v any, example string, keys ...string) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return credit.Errorf(credit.ETOOLARGE, "请求体超过 %d MiB 上限", "the request body is over the %d MiB limit", max>>20)
	}
	if err != nil {
		return credit.Errorf(credit.EINVALID, "读取请求体失败，请重试", "could not read the request body; please retry")
	}
	if !utf8.Valid(body) {
		return credit.Errorf(credit.EINVALID, "请求体不是有效的 UTF-8 文本", "the body is not valid UTF-8")
	}
	return decodeObject(body, v, example, keys...)
}

func pathID(r *http.Request, what string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		return 0, credit.Errorf(credit.EINVALID, "%s编号应为正整数，实为“%s”", "the %s id must be a positive whole number, got %q", what, r.PathValue("id"))
	}
	return id, nil
}

type applicantJSON struct {
	Name  string `json:"name"`
	Role  string `json:"role"`
	USCC  string `json:"uscc"`
	Phone string `json:"phone,omitempty"`
	Email string `json:"email,omitempty"`
}

type fileJSON struct {
	Name string `json:"name"`
	Data string `json:"data"` // base64
}

type objectionRequest struct {
	Ground    string        `json:"ground"`
	Statement string        `json:"statement"`
	Applicant applicantJSON `json:"applicant"`
	Files     []fileJSON    `json:"files"`
}

type filedResponse struct {
	Number      string `json:"number"`
	State       string `json:"state"`
	TrackingURL string `json:"tracking_url"`
}

// fileObjection takes an applicant's objection to a public record:
// POST /api/v1/records/{id}/objections (no API key: anyone may object).
func (h *Handler) fileObjection(w http.ResponseWriter, r *http.Request) {
	h.objectionsOnce.Do(func() {
		l := h.ObjectionLimit
		if l.Rate == 0 {
			l = DefaultObjectionLimit
		}
		h.objections = web.NewLimiter(l, h.Now)
	})
	if ok, wait := h.objections.Allow(web.ClientID(r)); !ok {
		w.Header().Set("Retry-After", strconv.Itoa(int(wait/time.Second)+1))
		web.Error(w, r, credit.Errorf(credit.ETOOMANY, "提交过于频繁，请 %d 秒后再试", "too many objections from your address; try again in %d seconds", int(wait/time.Second)+1))
		return
	}
	id, err := pathID(r, "记录")
	var req objectionRequest
	if err == nil {
		err = decodeBody(w, r, h.objectionBody(), &req, `{"ground": "error", "statement": "…", "applicant": {…}, "files": [{"name": "…", "data": "…"}]}`,
			"ground", "statement", "applicant", "files")
	}
	var files []casework.File
	for i, f := range req.Files {
		if err != nil {
			break
		}
		data, derr := base64.StdEncoding.DecodeString(f.Data)
		if derr != nil {
			err = credit.Errorf(credit.EINVALID, "第 %d 个文件的 data 不是有效的 Base64", "files[%d].data is not valid base64", i)
		}
		files = append(files, casework.File{Name: f.Name, Data: data})
	}
	var o *credit.Objection
	var tok string
	if err == nil {
		a := req.Applicant
		o, tok, err = h.Cases.FileObjection(r.Context(), casework.ObjectionInput{RecordID: id, Ground: req.Ground, Statement: req.Statement, Files: files,
			Applicant: credit.Applicant{Name: a.Name, Role: a.Role, USCC: a.USCC, Phone: a.Phone, Email: a.Email}})
	}
	if err != nil {
		web.Error(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	web.JSON(w, http.StatusCreated, filedResponse{Number: o.Number, State: o.State, TrackingURL: "/track/objection?t=" + tok})
}

// caseView is a case as its provider sees it.
// objectionBody bounds an objection's body: its files in base64 and the
// rest.
func (h *Handler) objectionBody() int64 {
	l := h.Cases.Limits
	if l.MaxFiles == 0 {
		l = casework.DefaultLimits
	}
	return int64(l.MaxFiles)*l.MaxFileBytes*4/3 + 1<<20
}

// caseView is a case as its provider sees it.
type caseView struct {
	ID          int64         `json:"id"`
	Number      string        `json:"number"`
	RecordID    int64         `json:"record_id"`
	Item        string        `json:"item"`
	SubjectUSCC string        `json:"subject_uscc"`
	SubjectName string        `json:"subject_name"`
	State       string        `json:"state"`
	Version     int           `json:"version"`
	Ground      string        `json:"ground,omitempty"`
	Statement   string        `json:"statement,omitempty"`
	Performed   string        `json:"performed,omitempty"`
	Applicant   applicantJSON `json:"applicant"`
	FiledAt     time.Time     `json:"filed_at"`
	DueBy       *string       `json:"due_by"`
	Overdue     bool          `json:"overdue"`
	Files       []fileMeta    `json:"files"`
}

type fileMeta struct {
	Name   string `json:"name"`
	Type   string `json:"type"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

func filesOf(fs []credit.EvidenceFile) []fileMeta {
	out := []fileMeta{}
	for _, f := range fs {
		out = append(out, fileMeta{Name: f.Name, Type: f.Type, Size: f.Size, SHA256: hexOf(f.SHA256)})
	}
	return out
}

func hexOf(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 2*len(b))
	for i, c := range b {
		out[2*i], out[2*i+1] = digits[c>>4], digits[c&15]
	}
	return string(out)
}

func applicantOut(a credit.Applicant) applicantJSON {
	return applicantJSON{Name: a.Name, Role: a.Role, USCC: a.USCC, Phone: a.Phone, Email: a.Email}
}

// providerObjections lists the objections forwarded to the provider and
// not yet answered: GET /api/v1/objections.
func (h *Handler) providerObjections(w http.ResponseWriter, r *http.Request, p *credit.Provider) {
	list, err := h.Store.Objections(r.Context(), credit.CaseFilter{States: []string{rights.ObjForwarded}, ProviderCode: p.Code})
	if err != nil {
		web.Error(w, r, err)
		return
	}
	out := struct {
		Objections []caseView `json:"objections"`
	}{[]caseView{}}
	now := h.now()
	for _, o := range list {
		full, err := h.Store.Objection(r.Context(), o.ID)
		if err != nil {
			web.Error(w, r, err)
			return
		}
		v := caseView{ID: o.ID, Number: o.Number, RecordID: o.RecordID, Item: o.Item, SubjectUSCC: o.SubjectUSCC, SubjectName: o.SubjectName,
			State: o.State, Version: o.Version, Ground: o.Ground, Statement: o.Statement, Applicant: applicantOut(o.Applicant), FiledAt: o.FiledAt,
			Files: filesOf(full.Files)}
		if d, ok := h.Cases.Deadline(o); ok {
			by := d.By.Format(time.DateOnly)
			v.DueBy, v.Overdue = &by, d.Overdue(now)
		}
		out.Objections = append(out.Objections, v)
	}
	web.JSON(w, http.StatusOK, out)
}

type answerRequest struct {
	Outcome string `json:"outcome"`
	Reasons string `json:"reasons"`
	Version int    `json:"version"`
}

// answerObjection is the provider's answer to an objection forwarded to
// it: POST /api/v1/objections/{id}/answer. A correction or supplement is
// submitted first as a new version of the record (POST /api/v1/records).
func (h *Handler) answerObjection(w http.ResponseWriter, r *http.Request, p *credit.Provider) {
	id, err := pathID(r, "异议")
	var req answerRequest
	if err == nil {
		err = decodeBody(w, r, 1<<20, &req, `{"outcome": "maintain", "reasons": "…", "version": 3}`, "outcome", "reasons", "version")
	}
	var o *credit.Objection
	if err == nil {
		o, err = h.Cases.ObjectionStep(r.Context(), id, req.Version, p.Code,
			rights.Step{Kind: rights.StepAnswer, Actor: "provider:" + p.Code, Outcome: req.Outcome, Reason: req.Reasons})
	}
	if err != nil {
		web.Error(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, map[string]any{"number": o.Number, "state": o.State, "outcome": o.Outcome, "version": o.Version})
}

// providerRepairs lists open repair applications about the provider's
// records: GET /api/v1/repairs.
func (h *Handler) providerRepairs(w http.ResponseWriter, r *http.Request, p *credit.Provider) {
	list, err := h.Store.Repairs(r.Context(), credit.CaseFilter{States: []string{rights.RepairApplied}, ProviderCode: p.Code})
	if err != nil {
		web.Error(w, r, err)
		return
	}
	out := struct {
		Repairs []caseView `json:"repairs"`
	}{[]caseView{}}
	now := h.now()
	for _, x := range list {
		full, err := h.Store.Repair(r.Context(), x.ID)
		if err != nil {
			web.Error(w, r, err)
			return
		}
		v := caseView{ID: x.ID, Number: x.Number, RecordID: x.RecordID, Item: x.Item, SubjectUSCC: x.SubjectUSCC, SubjectName: x.SubjectName,
			State: x.State, Version: x.Version, Performed: x.Performed, Applicant: applicantOut(x.Applicant), FiledAt: x.AppliedAt, Files: filesOf(full.Files)}
		if by, ok := h.Cases.RepairDeadline(x); ok {
			s := by.Format(time.DateOnly)
			v.DueBy, v.Overdue = &s, now.In(workday.CST).Format(time.DateOnly) > s
		}
		out.Repairs = append(out.Repairs, v)
	}
	web.JSON(w, http.StatusOK, out)
}

type decisionRequest struct {
	Decision string `json:"decision"` // approve, refuse, extend
	Reasons  string `json:"reasons"`
	Version  int    `json:"version"`
}

// decideRepair is the provider's decision on a repair application:
// POST /api/v1/repairs/{id}/decision.
func (h *Handler) decideRepair(w http.ResponseWriter, r *http.Request, p *credit.Provider) {
	id, err := pathID(r, "修复申请")
	var req decisionRequest
	if err == nil {
		err = decodeBody(w, r, 1<<20, &req, `{"decision": "approve", "reasons": "…", "version": 2}`, "decision", "reasons", "version")
	}
	if err == nil && req.Decision != rights.StepApprove && req.Decision != rights.StepRefuse && req.Decision != rights.StepExtend {
		err = credit.Errorf(credit.EINVALID, "decision 应为 approve（准予修复）、refuse（不予修复）或 extend（延期 3 个工作日）",
			"decision must be approve, refuse or extend (3 more working days)")
	}
	var x *credit.Repair
	if err == nil {
		x, err = h.Cases.RepairStep(r.Context(), id, req.Version, p.Code, rights.Step{Kind: req.Decision, Actor: "provider:" + p.Code, Reason: req.Reasons})
	}
	if err != nil {
		web.Error(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, map[string]any{"number": x.Number, "state": x.State, "version": x.Version})
}

// revokeRecord withdraws the provider's record whose decision was
// revoked: POST /api/v1/records/{id}/revoke.
func (h *Handler) revokeRecord(w http.ResponseWriter, r *http.Request, p *credit.Provider) {
	id, err := pathID(r, "记录")
	var req struct {
		Reason string `json:"reason"`
	}
	if err == nil {
		err = decodeBody(w, r, 1<<20, &req, `{"reason": "…"}`, "reason")
	}
	if err == nil {
		err = h.Cases.Revoke(r.Context(), p, id, req.Reason)
	}
	if err != nil {
		web.Error(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, map[string]any{"record_id": id, "status": credit.RecordRevoked})
}
