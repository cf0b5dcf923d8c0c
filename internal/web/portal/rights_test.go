package portal_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xinyong/xinyong/internal/casework"
	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/rights"
	"github.com/xinyong/xinyong/internal/workday"
)

// form is a form page's token and cookie, as a browser holds them.
type form struct{ token, cookie string }

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// openForm fetches a form page and keeps its token.
func openForm(t *testing.T, e *Env, path string) (form, Page) {
	t.Helper()
	resp, err := http.Get(e.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	p := Page{resp.StatusCode, resp.Header, string(b)}
	m := csrfRE.FindStringSubmatch(p.Body)
	var f form
	for _, c := range resp.Cookies() {
		if c.Name == "xy_form" {
			f.cookie = c.Value
		}
	}
	if m != nil {
		f.token = m[1]
	}
	return f, p
}

// post sends a multipart form with fields and files (name → content).
func post(t *testing.T, e *Env, path string, f form, fields map[string]string, files map[string][]byte) Page {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if f.token != "" {
		mw.WriteField("csrf", f.token)
	}
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	for name, data := range files {
		fw, _ := mw.CreateFormFile("files", name)
		fw.Write(data)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", e.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if f.cookie != "" {
		req.AddCookie(&http.Cookie{Name: "xy_form", Value: f.cookie})
	}
	resp, err := e.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return Page{resp.StatusCode, resp.Header, string(b)}
}

var pdf = []byte("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")

func objectionFields() map[string]string {
	return map[string]string{"ground": "error", "statement": "处罚决定已被行政复议撤销。", "applicant.uscc": Chutian.USCC,
		"applicant.name": "王五", "applicant.role": "委托代理人", "applicant.phone": "13800000000"}
}

func TestObjectionForm(t *testing.T) {
	e := MustEnv(t)
	current, expired, _ := seed(t, e)
	path := fmt.Sprintf("/records/%d/objection", current)

	f, p := openForm(t, e, path)
	want(t, "form", p, 200, []string{"异议理由", "信息错误", `name="applicant.name"`, `enctype="multipart/form-data"`}, nil)
	if f.token == "" || f.cookie != f.token {
		t.Fatalf("form token %q, cookie %q", f.token, f.cookie)
	}
	for _, tc := range []struct {
		name   string
		f      form
		fields map[string]string
		files  map[string][]byte
		status int
		has    []string
	}{
		{"ErrNo token", form{}, objectionFields(), nil, 403, []string{"表单已过期或来源不明"}},
		{"ErrWrong token", form{token: "x" + f.token, cookie: f.cookie}, objectionFields(), nil, 403, []string{"表单已过期"}},
		{"ErrMissing fields", f, map[string]string{"statement": "", "applicant.uscc": Chutian.USCC}, nil, 400,
			[]string{"请选择异议理由", "请填写异议内容", "请填写申请人姓名", "请留下电话或电子邮箱"}},
		{"ErrOther organisation", f, func() map[string]string { m := objectionFields(); m["applicant.uscc"] = Guanggu.USCC; return m }(), nil, 400,
			[]string{"请填写该记录所涉主体的统一社会信用代码", "处罚决定已被行政复议撤销。"}},
		{"ErrNot a PDF", f, objectionFields(), map[string][]byte{"证明.pdf": []byte("MZ\x90\x00 not a pdf")}, 400, []string{"不是 PDF、JPEG 或 PNG 文件"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want(t, tc.name, post(t, e, path, tc.f, tc.fields, tc.files), tc.status, tc.has, nil)
		})
	}
	if list, _ := e.Store.Objections(context.Background(), credit.CaseFilter{}); len(list) != 0 {
		t.Fatalf("refused forms stored %d objections", len(list))
	}

	p = post(t, e, path, f, objectionFields(), map[string][]byte{"复议决定书.pdf": pdf})
	want(t, "filed", p, 201, []string{"异议申请已提交", "YY20261130-"}, nil)
	link := regexp.MustCompile(`href="(/track/objection\?t=[^"]+)"`).FindStringSubmatch(p.Body)
	if link == nil {
		t.Fatalf("no tracking link in %s", p.Body)
	}
	track := strings.ReplaceAll(link[1], "&amp;", "&")
	want(t, "tracking", e.Get(t, track), 200, []string{"待受理", "办理时限", "2026-12-01", "提交异议申请"}, nil)
	want(t, "tracking, bad token", e.Get(t, "/track/objection?t=nope"), 404, []string{"查询链接无效"}, nil)

	// Staff accept it: the record is marked wherever it shows.
	cases := &casework.Service{Store: e.Store, Catalog: e.Catalog, Calendar: workday.Default(), Now: e.Clock}
	list, _ := e.Store.Objections(context.Background(), credit.CaseFilter{})
	o, err := cases.ObjectionStep(context.Background(), list[0].ID, list[0].Version, "", rights.Step{Kind: rights.StepAccept, Actor: "handler1"})
	if err != nil {
		t.Fatal(err)
	}
	want(t, "record marked", e.Get(t, fmt.Sprintf("/records/%d", current)), 200, []string{"异议处理中"}, nil)
	want(t, "subject marked", e.Get(t, "/subjects/"+Chutian.USCC), 200, []string{"异议处理中"}, nil)
	want(t, "tracking accepted", e.Get(t, track), 200, []string{"已受理，核查中", "2026-12-07"}, nil)

	e.SetNow(e.Clock().Add(24 * time.Hour))
	if _, err := cases.ObjectionStep(context.Background(), o.ID, o.Version, "", rights.Step{Kind: rights.StepDecide, Actor: "handler1",
		Outcome: rights.OutcomeDelete, Reason: "经核实，原处罚决定已被撤销"}); err != nil {
		t.Fatal(err)
	}
	want(t, "tracking decided", e.Get(t, track), 200, []string{"已办结", "删除", "经核实，原处罚决定已被撤销"}, nil)
	want(t, "deleted record", e.Get(t, fmt.Sprintf("/records/%d", current)), 404, nil, nil)
	want(t, "subject without it", e.Get(t, "/subjects/"+Chutian.USCC), 200, nil, []string{"鄂市监罚〔2026〕88号", "异议处理中"})

	want(t, "form of an ended record", e.Get(t, fmt.Sprintf("/records/%d/objection", expired)), 404, nil, nil)
}

func TestRepairForm(t *testing.T) {
	e := MustEnv(t)
	current, _, _ := seed(t, e) // a general penalty decided 2026-11-20: minimum 3 months
	path := fmt.Sprintf("/records/%d/repair", current)
	want(t, "record before the minimum", e.Get(t, fmt.Sprintf("/records/%d", current)), 200, []string{"2027-02-20 起可以申请信用修复"}, []string{path})
	want(t, "form before the minimum", e.Get(t, path), 400, []string{"最短公示期尚未届满，2027-02-20 起可以申请信用修复"}, nil)

	e.SetNow(time.Date(2027, 2, 22, 9, 0, 0, 0, workday.CST))
	want(t, "record after the minimum", e.Get(t, fmt.Sprintf("/records/%d", current)), 200, []string{path}, nil)
	f, p := openForm(t, e, path)
	want(t, "form", p, 200, []string{"信用承诺书", Chutian.Name, "鄂市监罚〔2026〕88号"}, nil)
	fields := map[string]string{"performed": "罚款已缴清，整改完成", "applicant.uscc": Chutian.USCC, "applicant.name": "张三",
		"applicant.role": "法定代表人", "applicant.email": "a@example.com"}
	want(t, "without commitment", post(t, e, path, f, fields, map[string][]byte{"缴款凭证.png": {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0}}), 400,
		[]string{"请阅读并签署信用承诺书"}, nil)
	fields["commitment"] = "yes"
	want(t, "without proof", post(t, e, path, f, fields, nil), 400, []string{"请上传已履行处罚的证明"}, nil)
	p = post(t, e, path, f, fields, map[string][]byte{"缴款凭证.png": {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0}})
	want(t, "applied", p, 201, []string{"信用修复申请已提交", "XF20270222-"}, nil)
	want(t, "twice", post(t, e, path, f, fields, map[string][]byte{"a.png": {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0}}), 409, []string{"已有正在办理的修复申请"}, nil)
}
