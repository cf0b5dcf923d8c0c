package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xinyong/xinyong/internal/catalog"
	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/web"
)

type submitRequest struct {
	Item    string            `json:"item"`
	Records []json.RawMessage `json:"records"`
}

type submitResponse struct {
	Item           string         `json:"item"`
	CatalogVersion int            `json:"catalog_version"`
	Atomic         bool           `json:"atomic"`
	Stored         bool           `json:"stored"`
	RequestID      string         `json:"request_id"`
	Summary        map[string]int `json:"summary"`
	Results        []recordResult `json:"results"`
}

type recordResult struct {
	Index     int                 `json:"index"`
	Status    string              `json:"status"`
	RecordID  int64               `json:"record_id,omitempty"`
	Subject   string              `json:"subject,omitempty"`
	SubjectID int64               `json:"subject_id,omitempty"`
	Version   int                 `json:"version,omitempty"`
	Errors    []credit.FieldError `json:"errors,omitempty"`
	// Normalised lists what was changed to make values canonical.
	Normalised []catalog.Normalisation `json:"normalised,omitempty"`
}

// duplicateInBatch is the error of a record whose business key an earlier
// record of the same batch already has: which one to keep is the
// provider's to say.
func duplicateInBatch(it *catalog.Item, index, first int) credit.FieldError {
	var zh, en []string
	for _, k := range it.BusinessKey {
		f, _ := it.Field(k)
		zh, en = append(zh, "“"+f.LabelZH+"”"), append(en, f.LabelEN)
	}
	return credit.FieldError{Field: it.BusinessKey[0], Code: "duplicate_in_batch",
		MessageZH: fmt.Sprintf("第 %d 条记录与同批第 %d 条的%s相同；同一记录在一批中只能出现一次，请删除重复项", index, first, strings.Join(zh, "、")),
		MessageEN: fmt.Sprintf("record %d has the same %s as record %d of this batch; a record may appear once per batch, remove the duplicate", index, strings.Join(en, ", "), first)}
}

// submit stores a batch of records of one item: POST /api/v1/records.
func (h *Handler) submit(w http.ResponseWriter, r *http.Request, p *credit.Provider) {
	atomic, err := boolParam(r, "atomic")
	if err != nil {
		web.Error(w, r, err)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.Limits.MaxBodyBytes))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		web.Error(w, r, credit.Errorf(credit.ETOOLARGE, "请求体超过 %d MiB 上限，请分批提交（每批最多 %d 条）",
			"the request body is over the %d MiB limit; submit in smaller batches (at most %d records each)", h.Limits.MaxBodyBytes>>20, h.Limits.MaxRecords))
		return
	}
	if err != nil {
		web.Error(w, r, credit.Errorf(credit.EINVALID, "读取请求体失败，请重试", "could not read the request body; please retry"))
		return
	}
	if !utf8.Valid(body) {
		web.Error(w, r, credit.Errorf(credit.EINVALID, "请求体不是有效的 UTF-8 文本，请以 UTF-8 编码提交 JSON",
			"the body is not valid UTF-8; send the JSON encoded as UTF-8"))
		return
	}
	var req submitRequest
	if err := decodeStrict(body, &req); err != nil {
		web.Error(w, r, err)
		return
	}
	it, err := h.itemFor(p, req.Item)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	if len(req.Records) == 0 {
		web.Error(w, r, credit.Errorf(credit.EINVALID, "records 为空：请至少提交一条记录", "records is empty: submit at least one record"))
		return
	}
	if len(req.Records) > h.Limits.MaxRecords {
		web.Error(w, r, credit.Errorf(credit.ETOOLARGE, "一次最多提交 %d 条记录，本次 %d 条，请分批提交",
			"at most %d records per request, got %d; split the batch", h.Limits.MaxRecords, len(req.Records)))
		return
	}

	now := h.now()
	resp := submitResponse{Item: it.Code, CatalogVersion: it.Version, Atomic: atomic, RequestID: web.RequestID(r),
		Summary: map[string]int{credit.StatusCreated: 0, credit.StatusUpdated: 0, credit.StatusUnchanged: 0, credit.StatusRejected: 0},
		Results: make([]recordResult, len(req.Records))}
	sub := &credit.Submission{Provider: p, Item: it.Code, CatalogVersion: it.Version, RequestID: resp.RequestID}
	seen := make(map[string]int, len(req.Records)) // business key -> first index
	for i, raw := range req.Records {
		resp.Results[i].Index = i
		fields, err := decodeRecord(raw)
		if err != nil {
			resp.Results[i].Status, resp.Results[i].Errors = credit.StatusRejected, []credit.FieldError{*err}
			continue
		}
		d, errs, notes := h.Preparer.Prepare(it, i, fields, now)
		resp.Results[i].Normalised = notes
		if len(errs) > 0 {
			resp.Results[i].Status, resp.Results[i].Errors = credit.StatusRejected, errs
			continue
		}
		if first, dup := seen[d.BusinessKey]; dup {
			resp.Results[i].Status = credit.StatusRejected
			resp.Results[i].Errors = []credit.FieldError{duplicateInBatch(it, i, first)}
			continue
		}
		seen[d.BusinessKey] = i
		sub.Drafts = append(sub.Drafts, d)
	}
	rejected := len(req.Records) - len(sub.Drafts)
	if atomic && rejected > 0 {
		for i := range resp.Results {
			if resp.Results[i].Status == "" {
				resp.Results[i].Status = credit.StatusRejected
				resp.Results[i].Errors = []credit.FieldError{credit.FieldErrorf("", "atomic_batch",
					"本记录无误，但同批次有 %d 条记录有误；原子模式下整批未保存，请改正后重新提交",
					"this record is valid, but %d records of the batch are not; in atomic mode nothing was stored: fix them and resubmit", rejected)}
			}
		}
		resp.Summary[credit.StatusRejected] = len(req.Records)
		web.JSON(w, http.StatusUnprocessableEntity, resp)
		return
	}
	if len(sub.Drafts) > 0 {
		outs, err := h.Store.Submit(r.Context(), sub)
		if err != nil {
			web.Error(w, r, err)
			return
		}
		for _, o := range outs {
			res := recordResult{Index: o.Index, Status: o.Status, RecordID: o.RecordID,
				Subject: o.Subject, SubjectID: o.SubjectID, Version: o.Version, Normalised: resp.Results[o.Index].Normalised}
			if o.Error != nil {
				res.Errors = []credit.FieldError{*o.Error}
			}
			resp.Results[o.Index] = res
		}
		resp.Stored = true
	}
	for _, res := range resp.Results {
		resp.Summary[res.Status]++
	}
	web.JSON(w, http.StatusOK, resp)
}

// decodeStrict decodes a submission: a JSON object of item and records.
func decodeStrict(body []byte, v any) error {
	return decodeObject(body, v, `{"item": "admin_penalty", "records": [...]}`, "item", "records")
}

// decodeObject decodes body, one JSON object whose top-level keys are
// among keys (matched exactly, not ignoring case as encoding/json does),
// into v, and says what to fix when it cannot: where a syntax error is,
// which field is unknown or of the wrong type. example shows a good body.
func decodeObject(body []byte, v any, example string, keys ...string) error {
	zhKeys, enKeys := listKeys(keys, "、", " 和 "), listKeys(keys, ", ", " and ")
	if trimmed := bytes.TrimSpace(body); len(trimmed) > 0 && trimmed[0] != '{' && json.Valid(trimmed) {
		return credit.Errorf(credit.EINVALID, "请求体应为 JSON 对象，如 %s", "the body must be a JSON object such as %s", example)
	}
	unknown := func(field string) error {
		return &credit.Error{Code: credit.EINVALID, MessageZH: fmt.Sprintf("不认识的字段 %s：请求体只接受 %s", field, zhKeys),
			MessageEN: fmt.Sprintf("unknown field %s: the body takes only %s", field, enKeys)}
	}
	var got map[string]json.RawMessage
	if json.Unmarshal(body, &got) == nil {
		for k := range got {
			if !slices.Contains(keys, k) {
				return unknown(strconv.Quote(k))
			}
		}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, err := dec.Token(); !errors.Is(err, io.EOF) {
			return credit.Errorf(credit.EINVALID, "请求体在 JSON 对象之后还有多余内容，请只提交一个对象", "the body has content after the JSON object; send one object only")
		}
		return nil
	}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return credit.Errorf(credit.EINVALID, "请求体为空：请提交 JSON，如 %s", "the body is empty: send JSON such as %s", example)
	case errors.As(err, &syn):
		line, col := position(body, syn.Offset)
		return credit.Errorf(credit.EINVALID, "JSON 格式错误（第 %d 行第 %d 列）：请检查引号、逗号和括号",
			"malformed JSON at line %d, column %d: check quotes, commas and brackets", line, col)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return credit.Errorf(credit.EINVALID, "JSON 不完整：请求体在对象结束前就结束了", "incomplete JSON: the body ends before the object does")
	case errors.As(err, &typ):
		return credit.Errorf(credit.EINVALID, "JSON 字段“%s”类型错误：应为 %s", "JSON field %q has the wrong type: expected %s",
			typ.Field, jsonType(typ.Type.String()))
	}
	if field, ok := unknownField(err); ok {
		return unknown(field)
	}
	return credit.Errorf(credit.EINVALID, "无法解析请求体 JSON", "the body is not valid JSON")
}

// listKeys writes keys as a list: a, b and c.
func listKeys(keys []string, sep, last string) string {
	if len(keys) < 2 {
		return strings.Join(keys, sep)
	}
	return strings.Join(keys[:len(keys)-1], sep) + last + keys[len(keys)-1]
}

func unknownField(err error) (string, bool) {
	const prefix = "json: unknown field "
	if s := err.Error(); len(s) > len(prefix) && s[:len(prefix)] == prefix {
		return s[len(prefix):], true
	}
	return "", false
}

func jsonType(goType string) string {
	switch goType {
	case "string":
		return "string"
	case "[]json.RawMessage":
		return "array"
	}
	return goType
}

// decodeRecord decodes one record, keeping numbers exact.
func decodeRecord(raw json.RawMessage) (map[string]any, *credit.FieldError) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil {
		fe := credit.FieldErrorf("", "record_type", "每条记录应为 JSON 对象（字段代码或中文名称: 值）",
			"each record must be a JSON object of field code or Chinese label to value")
		return nil, &fe
	}
	return m, nil
}

// position returns the line and column (in characters, from 1) of the
// byte that made a syntax error; offset counts the bytes read up to and
// including it.
func position(body []byte, offset int64) (line, col int) {
	end := min(max(offset-1, 0), int64(len(body)))
	before := body[:end]
	line = bytes.Count(before, []byte("\n")) + 1
	lineStart := bytes.LastIndexByte(before, '\n') + 1
	return line, utf8.RuneCount(before[lineStart:]) + 1
}

func boolParam(r *http.Request, name string) (bool, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, credit.Errorf(credit.EINVALID, "参数 %s 应为 true 或 false，实为“%s”", "parameter %s must be true or false, got %q", name, v)
	}
	return b, nil
}

// recordView is a record as its provider reads it: whole, with history.
type recordView struct {
	RecordID           int64         `json:"record_id"`
	Item               string        `json:"item"`
	BusinessKey        string        `json:"business_key"`
	Provider           providerRef   `json:"provider"`
	Subject            string        `json:"subject"`
	SubjectID          int64         `json:"subject_id"`
	SubjectName        string        `json:"subject_name"`
	Status             string        `json:"status"`
	Version            int           `json:"version"`
	SubmissionDeadline *string       `json:"submission_deadline"`
	DeadlineEstimated  bool          `json:"deadline_estimated"`
	OnTime             *bool         `json:"on_time"`
	PublishedUntil     *string       `json:"published_until"`
	FirstSubmittedAt   time.Time     `json:"first_submitted_at"`
	UpdatedAt          time.Time     `json:"updated_at"`
	Versions           []versionView `json:"versions"`
}

type providerRef struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

type versionView struct {
	Version            int               `json:"version"`
	CatalogVersion     int               `json:"catalog_version"`
	SubmittedAt        time.Time         `json:"submitted_at"`
	RequestID          string            `json:"request_id"`
	Fields             map[string]string `json:"fields"`
	DecisionDate       *string           `json:"decision_date"`
	SubmissionDeadline *string           `json:"submission_deadline"`
	DeadlineEstimated  bool              `json:"deadline_estimated"`
	OnTime             *bool             `json:"on_time"`
	Severity           string            `json:"severity,omitempty"`
	Public             bool              `json:"public"`
	PublishedFrom      *string           `json:"published_from"`
	PublishedUntil     *string           `json:"published_until"`
}

// getRecord returns one of the provider's records whole, personal values
// included, with its version history: GET /api/v1/records/{id}. Another
// provider's record is not found, so its existence is not revealed.
func (h *Handler) getRecord(w http.ResponseWriter, r *http.Request, p *credit.Provider) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		web.Error(w, r, credit.Errorf(credit.EINVALID, "记录编号应为正整数，实为“%s”", "the record id must be a positive integer, got %q", r.PathValue("id")))
		return
	}
	rec, err := h.Store.Record(r.Context(), id)
	if credit.IsNotFound(err) || err == nil && rec.ProviderCode != p.Code {
		// One answer for both, so that other providers' ids cannot be probed.
		err = credit.Errorf(credit.ENOTFOUND, "本单位没有编号为 %d 的记录", "this provider has no record %d", id)
	}
	if err != nil {
		web.Error(w, r, err)
		return
	}
	v := recordView{RecordID: rec.ID, Item: rec.Item, BusinessKey: rec.BusinessKey, Provider: providerRef{rec.ProviderCode, rec.ProviderName},
		Subject: rec.SubjectUSCC, SubjectID: rec.SubjectID, SubjectName: rec.SubjectName, Status: rec.Status, Version: rec.Current.Version,
		SubmissionDeadline: dateStr(rec.Current.SubmissionDeadline), DeadlineEstimated: rec.Current.DeadlineEstimated,
		OnTime: rec.Current.OnTime, PublishedUntil: dateStr(rec.Current.PublishedUntil),
		FirstSubmittedAt: rec.FirstSubmittedAt, UpdatedAt: rec.UpdatedAt}
	if v.Subject == "" {
		v.Subject = strconv.FormatInt(rec.SubjectID, 10)
	}
	personal := false
	for _, ver := range rec.Versions {
		fields := ver.Fields
		if len(ver.Sealed) > 0 {
			plain, err := h.Keys.Open(ver.Sealed)
			if err != nil {
				web.Error(w, r, fmt.Errorf("record %d version %d: %w", rec.ID, ver.Version, err))
				return
			}
			var vals map[string]string
			if err := json.Unmarshal(plain, &vals); err != nil {
				web.Error(w, r, fmt.Errorf("record %d version %d: sealed values: %w", rec.ID, ver.Version, err))
				return
			}
			for k, val := range vals {
				fields[k] = val
			}
			personal = true
		}
		v.Versions = append(v.Versions, versionView{Version: ver.Version, CatalogVersion: ver.CatalogVersion, SubmittedAt: ver.SubmittedAt,
			RequestID: ver.RequestID, Fields: fields, DecisionDate: dateStr(ver.DecisionDate), SubmissionDeadline: dateStr(ver.SubmissionDeadline),
			DeadlineEstimated: ver.DeadlineEstimated, OnTime: ver.OnTime, Severity: ver.Severity, Public: ver.Public,
			PublishedFrom: dateStr(ver.PublishedFrom), PublishedUntil: dateStr(ver.PublishedUntil)})
	}
	if personal {
		// Reading personal values is an access to non-public data.
		if err := h.Store.LogAccess(r.Context(), "provider:"+p.Code, "record.read_personal", "record:"+strconv.FormatInt(rec.ID, 10),
			`{"request":"`+web.RequestID(r)+`"}`); err != nil {
			web.Error(w, r, err)
			return
		}
	}
	web.JSON(w, http.StatusOK, v)
}

func dateStr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.Format(time.DateOnly)
	return &s
}

// itemOrError returns the catalogue item or an ENOTFOUND error.
func (h *Handler) itemOrError(code string) (*catalog.Item, error) {
	it, ok := h.Catalog.Item(code)
	if !ok {
		return nil, credit.Errorf(credit.ENOTFOUND, "目录中没有条目“%s”", "the catalogue has no item %q", code)
	}
	return it, nil
}
