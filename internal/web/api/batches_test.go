package api_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/xinyong/xinyong/internal/catalog"
)

// The tests here follow a department's data clerk through file batches:
// export the month's penalties from the department's system, upload the
// file, wait for it to be collected, download the rejected rows, fix them
// and send them back.

const (
	scjgCode = "420000-SCJG" // may submit penalties
	swjCode  = "420100-SWJ"  // may not
	uscc     = "91110000600037341L"
)

// batchResponse is a raw response.
type batchResponse struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body as a JSON object.
func (r batchResponse) JSON(tb testing.TB) map[string]any {
	tb.Helper()
	var out map[string]any
	if err := json.Unmarshal(r.Body, &out); err != nil {
		tb.Fatalf("status %d, body not a JSON object: %q", r.Status, r.Body)
	}
	return out
}

// send sends a request with a provider key (if any), a raw body and its
// Content-Type (if any).
func (e *Env) send(tb testing.TB, method, path, key, ctype string, body []byte) batchResponse {
	tb.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, e.URL+path, rd)
	if err != nil {
		tb.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return batchResponse{Status: resp.StatusCode, Header: resp.Header, Body: data}
}

// get sends a GET as provider code.
func (e *Env) get(tb testing.TB, code, path string) batchResponse {
	tb.Helper()
	return e.send(tb, "GET", path, e.Keys[code], "", nil)
}

// upload posts a file as the body of POST /api/v1/batches?query.
func (e *Env) upload(tb testing.TB, code, query string, file []byte) batchResponse {
	tb.Helper()
	return e.send(tb, "POST", "/api/v1/batches?"+query, e.Keys[code], "application/octet-stream", file)
}

// uploadForm posts a file as the field "file" of a multipart form, as a
// browser form does.
func (e *Env) uploadForm(tb testing.TB, code, query, name string, file []byte) batchResponse {
	tb.Helper()
	body, ctype := multipartFile(tb, "file", name, file)
	return e.send(tb, "POST", "/api/v1/batches?"+query, e.Keys[code], ctype, body)
}

// multipartFile builds a multipart form with a text field and a file in
// the named field.
func multipartFile(tb testing.TB, field, name string, file []byte) ([]byte, string) {
	tb.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if err := mw.WriteField("note", "十一月行政处罚"); err != nil {
		tb.Fatal(err)
	}
	fw, err := mw.CreateFormFile(field, name)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := fw.Write(file); err != nil {
		tb.Fatal(err)
	}
	if err := mw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes(), mw.FormDataContentType()
}

// accepted checks that an upload was taken, 202 with the batch queued and
// its address in Location, and returns the batch id.
func accepted(tb testing.TB, r batchResponse) int64 {
	tb.Helper()
	if r.Status != http.StatusAccepted {
		tb.Fatalf("upload: status %d, want 202: %s", r.Status, r.Body)
	}
	v := r.JSON(tb)
	id := int64(num(v["batch_id"]))
	if id < 1 {
		tb.Fatalf("upload: batch_id %v", v["batch_id"])
	}
	if loc := r.Header.Get("Location"); loc != fmt.Sprintf("/api/v1/batches/%d", id) {
		tb.Errorf("upload: Location %q, want /api/v1/batches/%d", loc, id)
	}
	if v["status"] != "queued" || v["duplicate_of"] != nil {
		tb.Errorf("upload: status %v, duplicate_of %v; want queued, none", v["status"], v["duplicate_of"])
	}
	return id
}

// wait polls the batch until it is done or failed, for at most 10 seconds.
func (e *Env) wait(tb testing.TB, code string, id int64) map[string]any {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		r := e.get(tb, code, fmt.Sprintf("/api/v1/batches/%d", id))
		if r.Status != http.StatusOK {
			tb.Fatalf("GET batch %d: status %d: %s", id, r.Status, r.Body)
		}
		v := r.JSON(tb)
		if s := v["status"]; s == "done" || s == "failed" {
			return v
		}
		if time.Now().After(deadline) {
			tb.Fatalf("batch %d still %v after 10 s: %s", id, v["status"], r.Body)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// collect uploads a file as the body and waits for the batch to finish.
func (e *Env) collect(tb testing.TB, code, query string, file []byte) map[string]any {
	tb.Helper()
	return e.wait(tb, code, accepted(tb, e.upload(tb, code, query, file)))
}

func num(v any) float64 {
	f, _ := v.(float64)
	return f
}

// wantCounts checks a finished batch's status and counters.
func wantCounts(tb testing.TB, b map[string]any, status string, read, created, unchanged, rejected int) {
	tb.Helper()
	got := fmt.Sprintf("%v: read %v, created %v, updated %v, unchanged %v, rejected %v, accepted %v",
		b["status"], b["rows_read"], b["created"], b["updated"], b["unchanged"], b["rejected"], b["accepted"])
	want := fmt.Sprintf("%s: read %d, created %d, updated 0, unchanged %d, rejected %d, accepted %d",
		status, read, created, unchanged, rejected, created+unchanged)
	if got != want {
		tb.Errorf("batch %v: %s\nwant %s\n(reason: %v / %v)", b["batch_id"], got, want, b["reason_zh"], b["reason_en"])
	}
	if b["finished_at"] == nil || b["started_at"] == nil {
		tb.Errorf("batch %v: started_at %v, finished_at %v; want both set", b["batch_id"], b["started_at"], b["finished_at"])
	}
	if status == "done" && (b["progress"] != 1.0 || b["reason_zh"] != nil || b["reason_en"] != nil) {
		tb.Errorf("batch %v: progress %v, reason %v / %v; want 1 and no reason", b["batch_id"], b["progress"], b["reason_zh"], b["reason_en"])
	}
}

// wantFailed checks that a batch failed with a reason in both languages
// that contains zh and en.
func wantFailed(tb testing.TB, b map[string]any, zh, en string) {
	tb.Helper()
	rzh, _ := b["reason_zh"].(string)
	ren, _ := b["reason_en"].(string)
	if b["status"] != "failed" || !strings.Contains(rzh, zh) || !strings.Contains(ren, en) {
		tb.Errorf("batch %v: status %v, reason %q / %q; want failed, with %q / %q", b["batch_id"], b["status"], rzh, ren, zh, en)
	}
	if b["finished_at"] == nil {
		tb.Errorf("batch %v: failed without finished_at", b["batch_id"])
	}
}

// noteList renders a batch's notes as "code column field kind count",
// leaving out what a note does not have, and checks that every note has
// both messages.
func noteList(tb testing.TB, b map[string]any) []string {
	tb.Helper()
	var out []string
	for _, n := range b["notes"].([]any) {
		m := n.(map[string]any)
		var parts []string
		for _, k := range []string{"code", "column", "field", "kind", "count"} {
			if v, ok := m[k]; ok {
				parts = append(parts, fmt.Sprint(v))
			}
		}
		if m["message_zh"] == "" || m["message_en"] == "" {
			tb.Errorf("note %v lacks a message", m)
		}
		out = append(out, strings.Join(parts, " "))
	}
	return out
}

func wantNotes(tb testing.TB, b map[string]any, want ...string) {
	tb.Helper()
	if got := noteList(tb, b); !slices.Equal(got, want) {
		tb.Errorf("batch %v notes:\n%s\nwant:\n%s", b["batch_id"], strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func penaltyItem(tb testing.TB) *catalog.Item {
	tb.Helper()
	it, ok := catalog.Default().Item("admin_penalty")
	if !ok {
		tb.Fatal("no admin_penalty in the catalogue")
	}
	return it
}

// label is the Chinese label of a penalty field, as a department's export
// heads its column.
func label(tb testing.TB, code string) string {
	tb.Helper()
	f, ok := penaltyItem(tb).Field(code)
	if !ok {
		tb.Fatalf("no field %s", code)
	}
	return f.LabelZH
}

// penaltyColumns are the field codes of a penalty record in catalogue
// order and their Chinese labels.
func penaltyColumns(tb testing.TB) (codes, labels []string) {
	tb.Helper()
	rec := Penalty("2026-11-02")
	for _, f := range penaltyItem(tb).Fields {
		if _, ok := rec[f.Code]; ok {
			codes = append(codes, f.Code)
			labels = append(labels, f.LabelZH)
		}
	}
	return codes, labels
}

// row returns the values of record rec in the order of codes.
func row(rec map[string]any, codes []string) []string {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = fmt.Sprint(rec[c])
		if rec[c] == nil {
			out[i] = ""
		}
	}
	return out
}

// column is the index of name in header.
func column(tb testing.TB, header []string, name string) int {
	tb.Helper()
	i := slices.Index(header, name)
	if i < 0 {
		tb.Fatalf("no column %s in %q", name, header)
	}
	return i
}

func writeCSV(tb testing.TB, rows [][]string) []byte {
	tb.Helper()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.WriteAll(rows); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// gbk encodes UTF-8 text in GB18030, of which GBK is a part, as Excel on
// a Chinese Windows saves CSV.
func gbk(tb testing.TB, s []byte) []byte {
	tb.Helper()
	out, err := simplifiedchinese.GB18030.NewEncoder().Bytes(s)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// wsh is a penalty decision number, the business key.
func wsh(n int) string { return fmt.Sprintf("鄂市监罚〔2026〕%d号", n) }

// publicPenalties returns the public fields of the subject's penalties by
// decision number, failing on a decision number shown twice.
func (e *Env) publicPenalties(tb testing.TB) map[string]map[string]any {
	tb.Helper()
	out := map[string]map[string]any{}
	status, body := e.Do(tb, "GET", "/api/v1/subjects/"+uscc+"?item=admin_penalty&per_item=100", "", nil)
	if status == http.StatusNotFound {
		return out // nothing stored about the subject yet
	}
	if status != http.StatusOK {
		tb.Fatalf("GET subject: %d %v", status, body)
	}
	for _, it := range body["items"].([]any) {
		m := it.(map[string]any)
		if m["item"] != "admin_penalty" {
			continue
		}
		recs := m["records"].([]any)
		if int(num(m["total"])) != len(recs) {
			tb.Fatalf("admin_penalty: total %v but %d records", m["total"], len(recs))
		}
		for _, r := range recs {
			fields := r.(map[string]any)["fields"].(map[string]any)
			key := fields["cf_wsh"].(string)
			if out[key] != nil {
				tb.Errorf("penalty %s is stored twice", key)
			}
			out[key] = fields
		}
	}
	return out
}

// wantPenalties checks that the subject has exactly the penalties numbered ns.
func (e *Env) wantPenalties(tb testing.TB, ns ...int) map[string]map[string]any {
	tb.Helper()
	got := e.publicPenalties(tb)
	var have, want []string
	for k := range got {
		have = append(have, k)
	}
	for _, n := range ns {
		want = append(want, wsh(n))
	}
	slices.Sort(have)
	slices.Sort(want)
	if !slices.Equal(have, want) {
		tb.Errorf("the subject's penalties are %q, want %q", have, want)
	}
	return got
}

// download fetches a batch's error file in format ext, checking the
// status, the media type and the file name.
func (e *Env) download(tb testing.TB, code string, id int64, ext, ctype string) batchResponse {
	tb.Helper()
	r := e.get(tb, code, fmt.Sprintf("/api/v1/batches/%d/errors.%s", id, ext))
	if r.Status != http.StatusOK {
		tb.Fatalf("errors.%s: status %d: %s", ext, r.Status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != ctype {
		tb.Errorf("errors.%s: Content-Type %q, want %q", ext, ct, ctype)
	}
	if cd, want := r.Header.Get("Content-Disposition"), fmt.Sprintf("attachment; filename=batch-%d-errors.%s", id, ext); cd != want {
		tb.Errorf("errors.%s: Content-Disposition %q, want %q", ext, cd, want)
	}
	return r
}

// errorFile downloads a batch's error file as CSV and returns its rows,
// checking the media type, the file name and the byte-order mark.
func (e *Env) errorFile(tb testing.TB, code string, id int64) [][]string {
	tb.Helper()
	r := e.download(tb, code, id, "csv", "text/csv; charset=utf-8")
	body, ok := bytes.CutPrefix(r.Body, []byte("\uFEFF"))
	if !ok {
		tb.Errorf("errors.csv does not start with a UTF-8 byte-order mark: %q", r.Body[:min(len(r.Body), 10)])
	}
	rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		tb.Fatalf("errors.csv: %v", err)
	}
	return rows
}

// errorWorkbook downloads a batch's error file as XLSX and returns the
// rows of its sheet.
func (e *Env) errorWorkbook(tb testing.TB, code string, id int64) [][]string {
	tb.Helper()
	r := e.download(tb, code, id, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	f, err := excelize.OpenReader(bytes.NewReader(r.Body))
	if err != nil {
		tb.Fatalf("errors.xlsx: %v", err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil {
		tb.Fatalf("errors.xlsx: %v", err)
	}
	return rows
}

// clerkExport is the month's penalties as a department's system exports
// them: a GBK CSV under Chinese headers, with a column of the system's
// own, a fine in full-width digits, a date written 2026/11/5, and two rows
// with mistakes: a wrong check character in the code; no facts and a
// month 13.
func clerkExport(tb testing.TB) (file []byte, header []string, rows [][]string) {
	tb.Helper()
	codes, labels := penaltyColumns(tb)
	header = append(append([]string{}, labels...), "内部编号")
	rows = [][]string{
		append(row(Penalty("2026-11-02", "cf_wsh", wsh(101)), codes), "A-101"),
		append(row(Penalty("2026-11-03", "cf_wsh", wsh(102), "cf_nr_fk", "１２"), codes), "A-102"),
		append(row(Penalty("2026/11/5", "cf_wsh", wsh(103)), codes), "A-103"),
		append(row(Penalty("2026-11-06", "cf_wsh", wsh(104), "xdr_shxym", "91110000600037341A"), codes), "A-104"),
		append(row(Penalty("2026-13-01", "cf_wsh", wsh(105), "cf_sy", ""), codes), "A-105"),
		append(row(Penalty("2026-11-09", "cf_wsh", wsh(106)), codes), "A-106"),
	}
	return gbk(tb, writeCSV(tb, append([][]string{header}, rows...))), header, rows
}

func TestBatchClerkWorkflow(t *testing.T) {
	env := MustEnv(t)
	file, header, rows := clerkExport(t)

	// The clerk uploads the export.
	r := env.upload(t, scjgCode, "item=admin_penalty&name="+url.QueryEscape("十一月处罚.csv"), file)
	first := accepted(t, r)
	b := env.wait(t, scjgCode, first)
	wantCounts(t, b, "done", 6, 4, 0, 2)
	sum := sha256.Sum256(file)
	f := b["file"].(map[string]any)
	if got, want := fmt.Sprint(f["name"], " ", f["format"], " ", f["encoding"], " ", f["size"], " ", f["sha256"]),
		fmt.Sprint("十一月处罚.csv csv gb18030 ", len(file), " ", hex.EncodeToString(sum[:])); got != want {
		t.Errorf("file: %s, want %s", got, want)
	}
	if b["mode"] != "partial" || b["item"] != "admin_penalty" || b["checkpoint"] != 7.0 {
		t.Errorf("mode %v, item %v, checkpoint %v; want partial, admin_penalty, 7 (the last line)", b["mode"], b["item"], b["checkpoint"])
	}
	wantNotes(t, b, "unknown_column 内部编号", "normalised cf_jdrq date_format 1", "normalised cf_nr_fk full_width 1")
	if zh := notesOf(b, "unknown_column")[0]["message_zh"].(string); !strings.Contains(zh, "内部编号") || !strings.Contains(zh, "未导入") {
		t.Errorf("unknown column note: %s", zh)
	}
	links := b["links"].(map[string]any)
	if links["self"] != r.Header.Get("Location") || links["errors_csv"] != fmt.Sprintf("/api/v1/batches/%d/errors.csv", first) ||
		links["errors_xlsx"] != fmt.Sprintf("/api/v1/batches/%d/errors.xlsx", first) {
		t.Errorf("links %v", links)
	}

	// The valid rows are stored as normalised.
	got := env.wantPenalties(t, 101, 102, 103, 106)
	if p := got[wsh(102)]; p != nil && p["cf_nr_fk"] != "12" {
		t.Errorf("the full-width fine is stored as %q, want 12", p["cf_nr_fk"])
	}
	if p := got[wsh(103)]; p != nil && p["cf_jdrq"] != "2026-11-05" {
		t.Errorf("the date 2026/11/5 is stored as %q, want 2026-11-05", p["cf_jdrq"])
	}

	// The rejected rows come back as they were sent, with the row number
	// and the reasons in Chinese.
	wantHeader := append(append([]string{"行号"}, header...), "错误字段", "错误原因")
	errRows := env.errorFile(t, scjgCode, first)
	if len(errRows) != 3 {
		t.Fatalf("errors.csv has %d lines, want the header and 2 rows: %q", len(errRows), errRows)
	}
	if !slices.Equal(errRows[0], wantHeader) {
		t.Errorf("errors.csv header %q\nwant %q", errRows[0], wantHeader)
	}
	reasons := len(wantHeader) - 1
	for i, want := range []struct {
		line      string
		cells     []string
		fields    string
		reasonHas []string
	}{
		{"5", rows[3], label(t, "xdr_shxym"), []string{"统一社会信用代码", "校验码", "应为 L，实为 A"}},
		{"6", rows[4], label(t, "cf_sy") + "；" + label(t, "cf_jdrq"), []string{"“违法事实”必填", "“处罚决定日期”不是真实存在的日期", "2026-13-01"}},
	} {
		got := errRows[i+1]
		if len(got) != len(wantHeader) {
			t.Errorf("errors.csv row %d: %d cells, want %d", i+1, len(got), len(wantHeader))
			continue
		}
		if got[0] != want.line || !slices.Equal(got[1:reasons-1], want.cells) || got[reasons-1] != want.fields {
			t.Errorf("errors.csv row %d:\n%q\nwant line %s, cells %q, fields %s", i+1, got, want.line, want.cells, want.fields)
		}
		for _, s := range want.reasonHas {
			if !strings.Contains(got[reasons], s) {
				t.Errorf("errors.csv row %d: reason %q lacks %q", i+1, got[reasons], s)
			}
		}
		if strings.ContainsAny(got[reasons], "abcdefghijklmnopqrstuvwxyz") {
			t.Errorf("errors.csv row %d: reason %q is not all in Chinese", i+1, got[reasons])
		}
	}
	// The workbook holds the same table.
	if xl := env.errorWorkbook(t, scjgCode, first); !slices.EqualFunc(xl, errRows, slices.Equal) {
		t.Errorf("errors.xlsx differs from errors.csv:\n%q\n%q", xl, errRows)
	}

	// The clerk fixes the two rows in the error file, adds back a row that
	// was stored already, and uploads the file as it is, error columns and
	// all.
	fixed := [][]string{errRows[0], errRows[1], errRows[2], append(append([]string{"2"}, rows[0]...), "", "")}
	fixed[1][column(t, fixed[0], label(t, "xdr_shxym"))] = uscc
	fixed[2][column(t, fixed[0], label(t, "cf_sy"))] = "当事人在其网站发布虚假宣传内容。"
	fixed[2][column(t, fixed[0], label(t, "cf_jdrq"))] = "2026-11-07"
	again := append([]byte("\uFEFF"), writeCSV(t, fixed)...)
	r = env.uploadForm(t, scjgCode, "item=admin_penalty", fmt.Sprintf("batch-%d-errors.csv", first), again)
	second := accepted(t, r)
	b = env.wait(t, scjgCode, second)
	wantCounts(t, b, "done", 3, 2, 1, 0)
	if f := b["file"].(map[string]any); f["encoding"] != "utf-8-bom" || f["name"] != fmt.Sprintf("batch-%d-errors.csv", first) {
		t.Errorf("file %v", f)
	}
	wantNotes(t, b, "ignored_column 行号", "unknown_column 内部编号", "ignored_column 错误字段", "ignored_column 错误原因")
	if rows := env.errorFile(t, scjgCode, second); len(rows) != 1 {
		t.Errorf("errors.csv of a batch without rejected rows: %q, want only the header", rows)
	}
	// Only the missing rows were added; nothing is stored twice.
	got = env.wantPenalties(t, 101, 102, 103, 104, 105, 106)
	if p := got[wsh(105)]; p != nil && p["cf_jdrq"] != "2026-11-07" {
		t.Errorf("the fixed date is stored as %q", p["cf_jdrq"])
	}

	// The same export uploaded again is recognised and not collected twice.
	r = env.upload(t, scjgCode, "item=admin_penalty&name=again.csv", file)
	if r.Status != http.StatusOK {
		t.Fatalf("same file again: status %d, want 200: %s", r.Status, r.Body)
	}
	if v := r.JSON(t); v["duplicate_of"] != float64(first) || v["batch_id"] != float64(first) || v["status"] != "done" || v["created"] != 4.0 {
		t.Errorf("same file again: batch_id %v, duplicate_of %v, status %v, created %v; want the first batch, done, 4 created",
			v["batch_id"], v["duplicate_of"], v["status"], v["created"])
	}
	env.wantPenalties(t, 101, 102, 103, 104, 105, 106)

	// The list has the two batches, newest first, and no third.
	r = env.get(t, scjgCode, "/api/v1/batches")
	var list struct {
		Batches []struct {
			BatchID int64  `json:"batch_id"`
			Status  string `json:"status"`
			Created int    `json:"created"`
		} `json:"batches"`
	}
	if err := json.Unmarshal(r.Body, &list); err != nil || r.Status != http.StatusOK {
		t.Fatalf("list: %d %v %s", r.Status, err, r.Body)
	}
	if got := fmt.Sprint(list.Batches); got != fmt.Sprintf("[{%d done 2} {%d done 4}]", second, first) {
		t.Errorf("list: %s, want the second batch then the first", got)
	}

	// Another department sees none of it.
	for _, path := range []string{"", "/errors.csv", "/errors.xlsx"} {
		r := env.get(t, swjCode, fmt.Sprintf("/api/v1/batches/%d%s", first, path))
		if r.Status != http.StatusNotFound || r.JSON(t)["code"] != "not_found" || bytes.Contains(r.Body, []byte("内部编号")) {
			t.Errorf("another provider's GET batch%s: %d %s, want 404", path, r.Status, r.Body)
		}
	}
	if r := env.get(t, swjCode, "/api/v1/batches"); r.Status != http.StatusOK || string(bytes.TrimSpace(r.Body)) != `{"batches":[]}` {
		t.Errorf("another provider's list: %d %s, want empty", r.Status, r.Body)
	}
	// Nor may it upload penalties.
	if r := env.upload(t, swjCode, "item=admin_penalty", file); r.Status != http.StatusForbidden || r.JSON(t)["code"] != "forbidden" {
		t.Errorf("another provider's upload: %d %s, want 403", r.Status, r.Body)
	}
}

// notesOf returns the batch's notes of the given code.
func notesOf(b map[string]any, code string) []map[string]any {
	var out []map[string]any
	for _, n := range b["notes"].([]any) {
		if m := n.(map[string]any); m["code"] == code {
			out = append(out, m)
		}
	}
	if out == nil {
		out = []map[string]any{{"message_zh": "", "message_en": ""}}
	}
	return out
}

// penaltyWorkbook is an XLSX workbook as a department fills it in by hand:
// a sheet of instructions first, then a sheet per month with a title row
// above the header, dates as date cells and fines as numbers.
func penaltyWorkbook(tb testing.TB, sheets map[string][]map[string]any) []byte {
	tb.Helper()
	codes, labels := penaltyColumns(tb)
	f := excelize.NewFile()
	defer f.Close()
	f.SetSheetName("Sheet1", "填报说明")
	f.SetCellValue("填报说明", "A1", "请在各月工作表中填写，日期请使用日期格式。")
	names := make([]string, 0, len(sheets))
	for name := range sheets {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if _, err := f.NewSheet(name); err != nil {
			tb.Fatal(err)
		}
		f.SetCellValue(name, "A1", "湖北省市场监督管理局行政处罚信息（"+name+"）")
		f.MergeCell(name, "A1", "D1")
		head := make([]any, len(labels))
		for i, l := range labels {
			head[i] = l
		}
		f.SetSheetRow(name, "A3", &head)
		for i, rec := range sheets[name] {
			cells := make([]any, len(codes))
			for j, c := range codes {
				v := rec[c].(string)
				switch c {
				case "cf_jdrq", "cf_yxq":
					d, err := time.Parse(time.DateOnly, v)
					if err != nil {
						tb.Fatal(err)
					}
					cells[j] = d
				case "cf_nr_fk":
					var x float64
					fmt.Sscan(v, &x)
					cells[j] = x
				default:
					cells[j] = v
				}
			}
			f.SetSheetRow(name, fmt.Sprintf("A%d", 4+i), &cells)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func TestBatchXLSXForm(t *testing.T) {
	env := MustEnv(t)
	book := penaltyWorkbook(t, map[string][]map[string]any{
		"十一月": {Penalty("2026-11-10", "cf_wsh", wsh(201)), Penalty("2026-11-11", "cf_wsh", wsh(202), "cf_nr_fk", "0.5", "cf_yxq", "2027-05-11")},
	})

	// Without naming the sheet, the instructions are read: no header.
	r := env.uploadForm(t, scjgCode, "item=admin_penalty", "十一月处罚.xlsx", book)
	b := env.wait(t, scjgCode, accepted(t, r))
	wantFailed(t, b, "表头", "header")
	wantCounts(t, b, "failed", 0, 0, 0, 0)
	if f := b["file"].(map[string]any); f["name"] != "十一月处罚.xlsx" || f["format"] != "" && f["format"] != "xlsx" {
		t.Errorf("file %v", f)
	}

	// Naming it: the failed batch does not make this a duplicate.
	r = env.uploadForm(t, scjgCode, "item=admin_penalty&sheet="+url.QueryEscape("十一月"), "十一月处罚.xlsx", book)
	b = env.wait(t, scjgCode, accepted(t, r))
	wantCounts(t, b, "done", 2, 2, 0, 0)
	if f := b["file"].(map[string]any); f["format"] != "xlsx" || f["encoding"] != "" || f["sheet"] != "十一月" {
		t.Errorf("file %v, want xlsx, no encoding, sheet 十一月", f)
	}
	// Date cells are spreadsheet serial numbers, read as dates.
	wantNotes(t, b, "normalised cf_jdrq date_format 2", "normalised cf_yxq date_format 2")
	got := env.wantPenalties(t, 201, 202)
	if p := got[wsh(202)]; p != nil && (p["cf_jdrq"] != "2026-11-11" || p["cf_yxq"] != "2027-05-11" || p["cf_nr_fk"] != "0.5") {
		t.Errorf("penalty 202 stored as %v", p)
	}
	if p := got[wsh(201)]; p != nil && (p["cf_jdrq"] != "2026-11-10" || p["xdr_mc"] != "武汉楚天建筑工程有限公司") {
		t.Errorf("penalty 201 stored as %v", p)
	}
	// The title row is not a data row, and the error file is empty.
	if rows := env.errorWorkbook(t, scjgCode, int64(num(b["batch_id"]))); len(rows) != 1 || rows[0][0] != "行号" {
		t.Errorf("errors.xlsx: %q, want only the header", rows)
	}
	// The uploaded files, which may hold personal data, are gone once
	// their batches have ended.
	deadline := time.Now().Add(5 * time.Second)
	for {
		left, _ := filepath.Glob(filepath.Join(env.UploadDir, "*"))
		if len(left) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("uploads kept after their batches ended: %v", left)
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A workbook holds a sheet per month; each month is uploaded as its own
// batch, naming its sheet. The second month is a different batch even
// though the file is the same.
func TestBatchXLSXSheetsOfOneWorkbook(t *testing.T) {
	env := MustEnv(t)
	book := penaltyWorkbook(t, map[string][]map[string]any{
		"十月":  {Penalty("2026-10-20", "cf_wsh", wsh(211))},
		"十一月": {Penalty("2026-11-20", "cf_wsh", wsh(212))},
	})
	b := env.wait(t, scjgCode, accepted(t, env.uploadForm(t, scjgCode, "item=admin_penalty&sheet="+url.QueryEscape("十月"), "2026.xlsx", book)))
	wantCounts(t, b, "done", 1, 1, 0, 0)
	r := env.uploadForm(t, scjgCode, "item=admin_penalty&sheet="+url.QueryEscape("十一月"), "2026.xlsx", book)
	if r.Status != http.StatusAccepted {
		t.Fatalf("the same workbook with another sheet: status %d, want 202 (a new batch): %s", r.Status, r.Body)
	}
	b = env.wait(t, scjgCode, accepted(t, r))
	wantCounts(t, b, "done", 1, 1, 0, 0)
	env.wantPenalties(t, 211, 212)
}

func TestBatchAtomic(t *testing.T) {
	env := MustEnv(t)
	codes, labels := penaltyColumns(t)
	good := func(n int) []string { return row(Penalty("2026-11-1"+fmt.Sprint(n%10), "cf_wsh", wsh(n)), codes) }
	bad := row(Penalty("2026-11-12", "cf_wsh", wsh(302), "cf_nr_fk", "五万"), codes)
	file := writeCSV(t, [][]string{labels, good(301), bad, good(303)})

	// One bad row: nothing is stored, and the batch says why.
	b := env.collect(t, scjgCode, "item=admin_penalty&mode=atomic", file)
	wantFailed(t, b, "原子模式：1 行有误，整批未保存", "atomic mode: 1 rows are invalid and nothing was stored")
	wantCounts(t, b, "failed", 3, 0, 0, 1)
	if b["mode"] != "atomic" {
		t.Errorf("mode %v", b["mode"])
	}
	env.wantPenalties(t)
	errRows := env.errorFile(t, scjgCode, int64(num(b["batch_id"])))
	if len(errRows) != 2 || errRows[1][0] != "3" || !slices.Equal(errRows[1][1:len(labels)+1], bad) ||
		errRows[1][len(labels)+1] != label(t, "cf_nr_fk") || !strings.Contains(errRows[1][len(labels)+2], "五万") {
		t.Errorf("errors.csv: %q, want the header and line 3 with its error", errRows)
	}

	// Fixed, all of it is stored.
	bad[column(t, labels, label(t, "cf_nr_fk"))] = "5"
	b = env.collect(t, scjgCode, "item=admin_penalty&mode=atomic", writeCSV(t, [][]string{labels, good(301), bad, good(303)}))
	wantCounts(t, b, "done", 3, 3, 0, 0)
	env.wantPenalties(t, 301, 302, 303)

	// Two rows with the same decision number: each is valid alone, but
	// not together.
	b = env.collect(t, scjgCode, "item=admin_penalty&mode=atomic", writeCSV(t, [][]string{labels, good(304), good(305), good(305)}))
	wantFailed(t, b, "业务主键重复，整批未保存", "repeat the business key")
	if b["created"] != 0.0 {
		t.Errorf("created %v, want 0", b["created"])
	}
	env.wantPenalties(t, 301, 302, 303)
	errRows = env.errorFile(t, scjgCode, int64(num(b["batch_id"])))
	if len(errRows) != 2 || errRows[1][0] != "4" || errRows[1][column(t, errRows[0], label(t, "cf_wsh"))] != wsh(305) {
		t.Errorf("errors.csv: %q, want the header and line 4, the repeated decision", errRows)
	}
}

// jsonLines writes values one per line.
func jsonLines(tb testing.TB, lines ...any) []byte {
	tb.Helper()
	var buf bytes.Buffer
	for _, l := range lines {
		if s, ok := l.(string); ok {
			buf.WriteString(s + "\n")
			continue
		}
		b, err := json.Marshal(l)
		if err != nil {
			tb.Fatal(err)
		}
		buf.Write(append(b, '\n'))
	}
	return buf.Bytes()
}

func TestBatchJSONLines(t *testing.T) {
	env := MustEnv(t)
	numeric := Penalty("2026-11-13", "cf_wsh", wsh(402))
	numeric["cf_nr_fk"] = 0.8 // a JSON number
	file := jsonLines(t,
		Penalty("2026-11-12", "cf_wsh", wsh(401)),
		numeric,
		`{"cf_wsh": "鄂市监罚〔2026〕403号", "xdr_mc": `,
		Penalty("2026-11-14", "cf_wsh", wsh(404), "cf_cflb", "罚金"),
		"",
		Penalty("2026年11月15日", "cf_wsh", wsh(405)),
	)
	b := env.collect(t, scjgCode, "item=admin_penalty", file)
	wantCounts(t, b, "done", 5, 3, 0, 2)
	if f := b["file"].(map[string]any); f["format"] != "jsonl" || f["encoding"] != "utf-8" {
		t.Errorf("file %v, want jsonl in utf-8", f)
	}
	wantNotes(t, b, "normalised cf_jdrq date_format 1")
	got := env.wantPenalties(t, 401, 402, 405)
	if p := got[wsh(402)]; p != nil && p["cf_nr_fk"] != "0.8" {
		t.Errorf("the numeric fine is stored as %q", p["cf_nr_fk"])
	}
	if p := got[wsh(405)]; p != nil && p["cf_jdrq"] != "2026-11-15" {
		t.Errorf("the date 2026年11月15日 is stored as %q", p["cf_jdrq"])
	}

	errRows := env.errorFile(t, scjgCode, int64(num(b["batch_id"])))
	if len(errRows) != 3 {
		t.Fatalf("errors.csv: %q, want the header and lines 3 and 4", errRows)
	}
	head := errRows[0]
	fields, reasons := len(head)-2, len(head)-1
	if head[0] != "行号" || head[fields] != "错误字段" || head[reasons] != "错误原因" {
		t.Errorf("errors.csv header %q", head)
	}
	if l := errRows[1]; l[0] != "3" || l[fields] != "" || !strings.Contains(l[reasons], "第3行不是有效的JSON") {
		t.Errorf("errors.csv, the broken line: %q", l)
	}
	if l := errRows[2]; l[0] != "4" || l[fields] != label(t, "cf_cflb") || !strings.Contains(l[reasons], "罚金") ||
		l[column(t, head, "cf_wsh")] != wsh(404) || l[column(t, head, "cf_cflb")] != "罚金" {
		t.Errorf("errors.csv, the line with a wrong category: %q", l)
	}
}

// A JSON Lines file holds records as POST /api/v1/records takes them, each
// line on its own: one line may name the fields by code, the next by
// Chinese label.
func TestBatchJSONLinesKeyedByLabels(t *testing.T) {
	env := MustEnv(t)
	byLabel := map[string]any{}
	for k, v := range Penalty("2026-11-16", "cf_wsh", wsh(412)) {
		byLabel[label(t, k)] = v
	}
	b := env.collect(t, scjgCode, "item=admin_penalty", jsonLines(t, Penalty("2026-11-15", "cf_wsh", wsh(411)), byLabel))
	wantCounts(t, b, "done", 2, 2, 0, 0)
	for _, n := range noteList(t, b) {
		if strings.HasPrefix(n, "duplicate_column") {
			t.Errorf("note %q: line 2 names each field once", n)
		}
	}
	env.wantPenalties(t, 411, 412)
}

// A multiple choice may be a JSON array in a JSON Lines file, as in a
// record sent to POST /api/v1/records.
func TestBatchJSONLinesArrayValue(t *testing.T) {
	env := MustEnv(t)
	array := func(n int) map[string]any {
		p := Penalty("2026-11-17", "cf_wsh", wsh(n))
		p["cf_cflb"] = []string{"警告", "罚款"}
		return p
	}
	if status, body := env.Submit(t, scjgCode, "admin_penalty", true, array(413)); status != http.StatusOK {
		t.Fatalf("the record through the API: %d %v", status, body)
	}
	b := env.collect(t, scjgCode, "item=admin_penalty", jsonLines(t, array(414)))
	wantCounts(t, b, "done", 1, 1, 0, 0)
	got := env.wantPenalties(t, 413, 414)
	if api, file := got[wsh(413)], got[wsh(414)]; api != nil && file != nil && api["cf_cflb"] != file["cf_cflb"] {
		t.Errorf("categories stored as %q from the file, %q from the API", file["cf_cflb"], api["cf_cflb"])
	}
}

// The error file of a JSON Lines batch keeps every key of a rejected line,
// also one no earlier line had.
func TestBatchJSONLinesErrorFileKeepsLaterKeys(t *testing.T) {
	env := MustEnv(t)
	b := env.collect(t, scjgCode, "item=admin_penalty", jsonLines(t,
		Penalty("2026-11-15", "cf_wsh", wsh(421)),
		Penalty("2026-11-18", "cf_wsh", wsh(422), "xdr_shxym", "91110000600037341A", "bz", "整改已完成"),
	))
	wantCounts(t, b, "done", 2, 1, 0, 1)
	errRows := env.errorFile(t, scjgCode, int64(num(b["batch_id"])))
	if len(errRows) != 2 {
		t.Fatalf("errors.csv: %q, want the header and line 2", errRows)
	}
	if i := slices.Index(errRows[0], "bz"); i < 0 || errRows[1][i] != "整改已完成" {
		t.Errorf("errors.csv lost the key bz of line 2: %q", errRows)
	}
}

// A form field named file without a file name (as curl -F 'file=<a.csv'
// sends) is the file, and the name parameter names it.
func TestBatchFormFieldWithoutFileName(t *testing.T) {
	env := MustEnv(t)
	codes, labels := penaltyColumns(t)
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("file", string(writeCSV(t, [][]string{labels, row(Penalty("2026-11-19", "cf_wsh", wsh(431)), codes)})))
	mw.Close()
	r := env.send(t, "POST", "/api/v1/batches?item=admin_penalty&name=nov.csv", env.Keys[scjgCode], mw.FormDataContentType(), buf.Bytes())
	b := env.wait(t, scjgCode, accepted(t, r))
	wantCounts(t, b, "done", 1, 1, 0, 0)
	if name := b["file"].(map[string]any)["name"]; name != "nov.csv" {
		t.Errorf("file name %q, want nov.csv", name)
	}
}

func TestBatchMalformedFiles(t *testing.T) {
	env := MustEnv(t)
	codes, labels := penaltyColumns(t)
	lines := strings.SplitAfter(string(writeCSV(t, [][]string{labels,
		row(Penalty("2026-11-02", "cf_wsh", wsh(501)), codes), row(Penalty("2026-11-03", "cf_wsh", wsh(502)), codes)})), "\n")
	unbalanced := lines[0] + strings.Replace(lines[1], "虚假宣传,", "\"虚假宣传,", 1) + lines[2]
	garbage := make([]byte, 4096)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range garbage {
		garbage[i] = byte(rng.UintN(256))
	}
	book := penaltyWorkbook(t, map[string][]map[string]any{"十一月": {Penalty("2026-11-04", "cf_wsh", wsh(503))}})

	for _, tc := range []struct {
		name   string
		file   []byte
		zh, en string
	}{
		{"unbalanced quote", []byte(unbalanced), "从第2行开始的带引号单元格没有正确结束", "the quoted cell that starts on line 2 is not closed properly"},
		{"binary garbage", garbage, "重新上传", "upload it again"},
		{"truncated workbook", book[:len(book)/2], "Excel文件已损坏或不完整", "the Excel file is damaged or incomplete"},
		{"old Excel workbook", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, garbage...), "旧版Excel", "old Excel 97-2003"},
		{"blank lines", []byte("\r\n \r\n\r\n"), "文件是空的", "the file is empty"},
		{"no header", []byte("甲,乙,丙\n1,2,3\n"), "没有找到表头行", "no header row"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := env.collect(t, scjgCode, "item=admin_penalty", tc.file)
			wantFailed(t, b, tc.zh, tc.en)
			wantCounts(t, b, "failed", 0, 0, 0, 0)
			// A failed batch is no duplicate: the file may be sent again.
			r := env.upload(t, scjgCode, "item=admin_penalty", tc.file)
			env.wait(t, scjgCode, accepted(t, r))
		})
	}
	env.wantPenalties(t)

	// The server keeps serving: a valid file is collected.
	b := env.collect(t, scjgCode, "item=admin_penalty&sheet="+url.QueryEscape("十一月"), book)
	wantCounts(t, b, "done", 1, 1, 0, 0)
	env.wantPenalties(t, 503)
	if status, _ := env.Do(t, "GET", "/api/v1/catalog", "", nil); status != http.StatusOK {
		t.Errorf("GET /api/v1/catalog: %d", status)
	}
}

// An upload the server refuses leaves no batch behind.
func TestBatchRefusedUploads(t *testing.T) {
	env := MustEnv(t)
	_, labels := penaltyColumns(t)
	file := writeCSV(t, [][]string{labels})
	noFile, noFileType := multipartFile(t, "attachment", "a.csv", file)
	key := env.Keys[scjgCode]
	for _, tc := range []struct {
		name, query, ctype string
		body               []byte
		status             int
		zh                 string
	}{
		{"bad mode", "item=admin_penalty&mode=all", "text/csv", file, 400, "mode 应为 partial"},
		{"no item", "", "text/csv", file, 400, "缺少 item"},
		{"unknown item", "item=penalty", "text/csv", file, 400, "目录中没有条目“penalty”"},
		{"empty file", "item=admin_penalty", "text/csv", []byte{}, 400, "上传的文件为空"},
		{"malformed multipart", "item=admin_penalty", "multipart/form-data", file, 400, "multipart 表单格式错误"},
		{"no file field", "item=admin_penalty", noFileType, noFile, 400, "没有名为 file 的文件字段"},
		{"over the limit", "item=admin_penalty", "application/octet-stream", bytes.Repeat([]byte("a"), 8<<20+1), 413, "超过 8 MiB 上限"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := env.send(t, "POST", "/api/v1/batches?"+tc.query, key, tc.ctype, tc.body)
			v := r.JSON(t)
			if zh, _ := v["message_zh"].(string); r.Status != tc.status || !strings.Contains(zh, tc.zh) || v["message_en"] == "" {
				t.Errorf("status %d, %s; want %d with %q", r.Status, r.Body, tc.status, tc.zh)
			}
		})
	}
	if r := env.get(t, scjgCode, "/api/v1/batches"); string(bytes.TrimSpace(r.Body)) != `{"batches":[]}` {
		t.Errorf("batches after refused uploads: %s, want none", r.Body)
	}
}
