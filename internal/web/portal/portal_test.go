package portal_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/web"
	"github.com/xinyong/xinyong/internal/web/portal"
	"github.com/xinyong/xinyong/internal/workday"
)

// idNumber matches an unmasked resident identity number.
var idNumber = regexp.MustCompile(`[1-9]\d{5}(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}[\dXx]`)

// want checks that a page has the status and contains every string of has
// and none of hasNot.
func want(t *testing.T, name string, p Page, status int, has []string, hasNot []string) {
	t.Helper()
	if p.Status != status {
		t.Errorf("%s: status %d, want %d; body:\n%.600s", name, p.Status, status, p.Body)
	}
	if ct := p.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("%s: Content-Type %q, want text/html", name, ct)
	}
	for _, s := range has {
		if !strings.Contains(p.Body, s) {
			t.Errorf("%s: page lacks %q", name, s)
		}
	}
	for _, s := range hasNot {
		if strings.Contains(p.Body, s) {
			t.Errorf("%s: page shows %q", name, s)
		}
	}
	if m := idNumber.FindString(p.Body); m != "" {
		t.Errorf("%s: page shows an unmasked identity number %s", name, m)
	}
}

// seed stores two organisations with registrations, licences and
// penalties (one current, one whose window has ended), a penalty on a
// natural person and an announcement.
func seed(t *testing.T, e *Env) (current, expired, person int64) {
	t.Helper()
	e.MustSubmit(t, "registration_basic", Registration(Chutian), Registration(Guanggu, "mc", "武汉光谷科技有限公司"))
	e.MustSubmit(t, "admin_licensing", catalogLicence(Chutian, "2026-03-02"))
	ids := e.MustSubmit(t, "admin_penalty",
		Penalty(Chutian, "2026-11-20", "cf_wsh", "鄂市监罚〔2026〕88号", "xdr_gszc", "420100000123456"),
		Penalty(Chutian, "2022-03-01", "cf_wsh", "鄂市监罚〔2022〕7号", "cf_cflb", "警告", "cf_nr", "警告", "cf_nr_fk", "", "cf_yxq", "2022-06-01"),
		Penalty(Org{}, "2026-11-02", "xdr_mc", "李四", "xdr_lb", "自然人", "xdr_shxym", "", "fddbr", "", "fddbr_zjlx", "", "fddbr_zjhm", "",
			"zjlx", "身份证", "zjhm", "420106198807150017", "cf_wsh", "鄂市监罚〔2026〕99号"),
	)
	if err := e.Store.CreateAnnouncement(context.Background(), &credit.Announcement{TitleZH: "平台上线公告", TitleEN: "The platform is open",
		BodyZH: "第一段。\n\n第二段。", BodyEN: "First.\n\nSecond.", Author: "test"}); err != nil {
		t.Fatal(err)
	}
	return ids[0], ids[1], ids[2]
}

func catalogLicence(o Org, decided string) map[string]any {
	return map[string]any{
		"xdr_mc": o.Name, "xdr_lb": "法人及非法人组织", "xdr_shxym": o.USCC, "fddbr": "张三",
		"xk_wsmc": "食品经营许可决定书", "xk_wsh": "JY14201060001", "xk_xklb": "普通", "xk_nr": "预包装食品销售",
		"xk_jdrq": decided, "xk_yxqz": decided, "xk_yxqzi": "2031-06-30",
		"xk_xkjg": "武汉市武昌区市场监督管理局", "xk_xkjgdm": "9144030071526726XG", "xk_zt": "1",
		"xk_lydw": "武汉市武昌区市场监督管理局", "xk_lydwdm": "9144030071526726XG",
	}
}

func TestPages(t *testing.T) {
	e := MustEnv(t)
	current, expired, person := seed(t, e)
	rec := func(id int64) string { return fmt.Sprintf("/records/%d", id) }
	for _, tc := range []struct {
		name    string
		path    string
		cookies []string
		status  int
		has     []string
		hasNot  []string
	}{
		{"OK home", "/", nil, 200, []string{`<html lang="zh-CN">`, "数据概况", "平台上线公告", "<dd>2</dd>", "行政处罚"}, []string{"李四"}},
		{"OK home in English", "/?lang=en", nil, 200, []string{`<html lang="en">`, "At a glance", "The platform is open"}, nil},
		{"OK home by cookie", "/", []string{"lang=en"}, 200, []string{`<html lang="en">`}, nil},
		{"OK announcement", "/announcements/1", nil, 200, []string{"平台上线公告", "<p>第一段。</p><p>第二段。</p>"}, nil},
		{"ErrAnnouncement not found", "/announcements/99", nil, 404, []string{"没有编号为 99 的公告"}, nil},
		{"ErrAnnouncement bad id", "/announcements/x", nil, 404, []string{"公告编号应为正整数"}, nil},

		{"OK search fragment", "/search?q=楚天建筑", nil, 200, []string{"武汉<mark>楚天建筑</mark>工程有限公司", "/subjects/" + Chutian.USCC, "<dd>110000</dd>"}, nil},
		{"OK search one character", "/search?q=楚", nil, 200, []string{"武汉<mark>楚</mark>天建筑工程有限公司"}, []string{"光谷"}},
		{"OK search two characters", "/search?q=光谷", nil, 200, []string{"武汉<mark>光谷</mark>科技有限公司"}, nil},
		{"OK search full-width code prefix", "/search?q=９１１１", nil, 200, []string{"<mark>" + Chutian.USCC + "</mark>"}, nil},
		{"OK search organisation code", "/search?q=60003734-1", nil, 200, []string{"/subjects/" + Chutian.USCC, "武汉楚天建筑工程有限公司", `<mark class="code">600037341</mark>`},
			[]string{"<mark>" + Chutian.USCC, "光谷"}},
		{"OK search business registration number", "/search?q=420100000123456", nil, 200, []string{"武汉楚天建筑工程有限公司", `<mark class="code">420100000123456</mark>`}, []string{"光谷"}},
		{"OK search registration number and prefix", "/search?q=91110000600", nil, 200, []string{"<mark>" + Chutian.USCC + "</mark>"}, nil},
		{"OK search pages", "/search?q=公司&per_page=1", nil, 200, []string{`href="/search?q=%e5%85%ac%e5%8f%b8&amp;page=2&amp;per_page=1"`, "第 1 / 2 页"}, []string{"%25"}},
		{"OK search second page", "/search?q=公司&per_page=1&page=2", nil, 200, []string{"第 2 / 2 页", "<mark>公司</mark>", `rel="prev"`}, nil},
		{"OK search no hit", "/search?q=不存在的公司", nil, 200, []string{"没有找到与“不存在的公司”相关的主体", "检查是否有错别字"}, nil},
		{"OK search never finds persons", "/search?q=李四", nil, 200, []string{"没有找到"}, []string{"<mark>李四"}},
		{"OK search empty", "/search?q=", nil, 200, []string{"请提供查询词"}, nil},
		{"ErrSearch page", "/search?q=公司&page=0", nil, 400, []string{"参数 page 应为 1 到 1000000 之间的整数"}, nil},
		{"ErrSearch deep page", "/search?q=公司&page=51", nil, 400, []string{"只能翻阅前 1000 条结果"}, nil},
		{"ErrSearch per_page", "/search?q=公司&per_page=51", nil, 400, []string{"每页最多显示 50 条"}, nil},
		{"ErrSearch long", "/search?q=" + strings.Repeat("长", 101), nil, 400, []string{"查询词最多 100 个字符"}, nil},
		{"ErrSearch escapes", "/search?q=%3Cscript%3Ealert(1)%3C/script%3E", nil, 200, []string{"&lt;script&gt;"}, []string{"<script>"}},

		{"OK subject", "/subjects/" + Chutian.USCC, nil, 200, []string{"<h1>武汉楚天建筑工程有限公司</h1>", "鄂市监罚〔2026〕88号", "食品经营许可决定书",
			"湖北省", "110105********002X", "公示截止", "<td class=\"date\">2027-11-19", rec(current)}, []string{"鄂市监罚〔2022〕7号", rec(expired)}},
		{"OK subject lower case code", "/subjects/" + strings.ToLower(Chutian.USCC), nil, 200, []string{"武汉楚天建筑工程有限公司"}, nil},
		{"OK subject in English", "/subjects/" + Chutian.USCC + "?lang=en", nil, 200, []string{"Administrative penalty", "Published until", "Basic information"}, nil},
		{"OK subject item", "/subjects/" + Chutian.USCC + "/admin_penalty", nil, 200, []string{"鄂市监罚〔2026〕88号"}, []string{"鄂市监罚〔2022〕7号"}},
		{"ErrSubject item unknown", "/subjects/" + Chutian.USCC + "/nope", nil, 404, []string{"没有这个公开的目录条目"}, nil},
		{"ErrSubject item deep page", "/subjects/" + Chutian.USCC + "/admin_penalty?page=101", nil, 400, []string{"只能翻阅前 5000 条记录"}, nil},
		{"ErrSubject bad code", "/subjects/91110000600037341X", nil, 404, []string{"校验"}, nil},
		{"ErrSubject unknown", "/subjects/" + "91420100MA4KXXXX0A", nil, 404, nil, nil},

		{"OK record", rec(current), nil, 200, []string{"鄂市监罚〔2026〕88号", "决定书文号", "湖北省市场监督管理局", "公示截止日期", "2027-11-19",
			"admin_penalty v", "110105********002X", "法定代表人证件号码"}, []string{"证件号码</dt><dd>11010519491231002X"}},
		{"OK record in English", rec(current) + "?lang=en", nil, 200, []string{"Published until", "Provided by", "Legal representative"}, nil},
		{"ErrRecord expired", rec(expired), nil, 404, []string{"没有这条公示记录，或其公示期已结束"}, []string{"鄂市监罚〔2022〕7号"}},
		{"ErrRecord of a person", rec(person), nil, 404, []string{"没有这条公示记录"}, []string{"李四"}},
		{"ErrRecord unknown", "/records/999999", nil, 404, []string{"没有这条公示记录"}, nil},
		{"ErrRecord bad id", "/records/abc", nil, 404, []string{"记录编号应为正整数"}, nil},

		{"OK catalog", "/catalog", nil, 200, []string{"信用信息目录", "行政处罚", "湖北省市场监督管理局", "仅政务共享", "公开（脱敏）", "最短 12 个月，最长 36 个月"}, nil},
		{"OK statistics", "/statistics", nil, 200, []string{`role="img"`, "每月归集量", "各部门归集量", "湖北省市场监督管理局", "2026-11"}, nil},
		{"ErrNo page", "/no/such/page", nil, 404, []string{"没有这个页面"}, nil},
		{"ErrLang", "/lang?to=fr", nil, 400, []string{"语言只能是"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want(t, tc.name, e.Get(t, tc.path, tc.cookies...), tc.status, tc.has, tc.hasNot)
		})
	}
}

func TestSwitchLanguage(t *testing.T) {
	e := MustEnv(t)
	for _, tc := range []struct{ query, location string }{
		{"to=en&next=/catalog", "/catalog"},
		{"to=en&next=" + "%2Fsearch%3Fq%3D%E5%85%89%26lang%3Dzh", "/search?q=%E5%85%89"},
		{"to=zh&next=//evil.example/", "/"},
		{"to=en&next=https://evil.example/", "/"},
		{"to=en&next=/%5Cevil.example", "/"},
		{"to=en", "/"},
	} {
		p := e.Get(t, "/lang?"+tc.query)
		if p.Status != http.StatusSeeOther || p.Header.Get("Location") != tc.location {
			t.Errorf("/lang?%s: %d to %q, want 303 to %q", tc.query, p.Status, p.Header.Get("Location"), tc.location)
		}
		c := p.Header.Get("Set-Cookie")
		if !strings.HasPrefix(c, "lang=") || !strings.Contains(c, "HttpOnly") || !strings.Contains(c, "SameSite=Lax") {
			t.Errorf("/lang?%s: cookie %q", tc.query, c)
		}
	}
}

// TestExpiresAtMidnight shows a penalty on its last day and not the next
// day, whatever any scheduled work has done: the window is checked on
// every read.
func TestExpiresAtMidnight(t *testing.T) {
	e := MustEnv(t)
	// A minor penalty decided 2026-09-01: published for 3 months, to 2026-11-30.
	ids := e.MustSubmit(t, "admin_penalty", Penalty(Chutian, "2026-09-01", "cf_cflb", "警告", "cf_nr", "警告", "cf_nr_fk", "", "cf_wsh", "鄂市监罚〔2026〕5号"))
	path := fmt.Sprintf("/records/%d", ids[0])
	e.SetNow(time.Date(2026, 11, 30, 23, 59, 0, 0, workday.CST))
	want(t, "last day", e.Get(t, path), 200, []string{"2026-11-30"}, nil)
	want(t, "last day, subject", e.Get(t, "/subjects/"+Chutian.USCC), 200, []string{"鄂市监罚〔2026〕5号"}, nil)
	e.SetNow(time.Date(2026, 12, 1, 0, 0, 1, 0, workday.CST))
	want(t, "next day", e.Get(t, path), 404, nil, []string{"鄂市监罚〔2026〕5号"})
	want(t, "next day, subject", e.Get(t, "/subjects/"+Chutian.USCC), 200, nil, []string{"鄂市监罚〔2026〕5号"})
}

func TestRateLimit(t *testing.T) {
	e := MustEnv(t, func(h *portal.Handler) {
		h.Limits = portal.Limits{Pages: web.RateLimit{Rate: 0.001, Burst: 5}, Search: web.RateLimit{Rate: 0.001, Burst: 2}}
	})
	for i := range 2 {
		if p := e.Get(t, "/search?q=光谷"); p.Status != 200 {
			t.Fatalf("search %d: status %d", i+1, p.Status)
		}
	}
	p := e.Get(t, "/search?q=光谷")
	want(t, "third search", p, http.StatusTooManyRequests, []string{"访问过于频繁"}, nil)
	if p.Header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	for i := range 2 {
		if p := e.Get(t, "/catalog"); p.Status != 200 {
			t.Fatalf("page %d: status %d", i+1, p.Status)
		}
	}
	want(t, "sixth page", e.Get(t, "/catalog"), http.StatusTooManyRequests, []string{"Too many requests"}, nil)
	if p := e.Get(t, "/static/portal.css"); p.Status != 200 {
		t.Errorf("the stylesheet is limited: status %d", p.Status)
	}
}

func TestMethods(t *testing.T) {
	e := MustEnv(t)
	resp, err := http.Post(e.URL+"/search", "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") == "" {
		t.Errorf("POST /search: %d, Allow %q; want 405 with Allow", resp.StatusCode, resp.Header.Get("Allow"))
	}
	resp, err = http.Head(e.URL + "/catalog")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("HEAD /catalog: %d", resp.StatusCode)
	}
}

// TestStatsRefresh shows statistics computed once and served until they
// are older than StatsEvery, then refreshed in the background.
func TestStatsRefresh(t *testing.T) {
	e := MustEnv(t, func(h *portal.Handler) { h.StatsEvery = time.Minute })
	e.MustSubmit(t, "registration_basic", Registration(Chutian))
	want(t, "first", e.Get(t, "/"), 200, []string{"<dd>1</dd>"}, nil)
	e.MustSubmit(t, "registration_basic", Registration(Guanggu))
	want(t, "cached", e.Get(t, "/"), 200, []string{"<dd>1</dd>"}, []string{"<dd>2</dd>"})
	e.SetNow(e.Clock().Add(2 * time.Minute))
	deadline := time.Now().Add(10 * time.Second)
	for {
		p := e.Get(t, "/")
		if strings.Contains(p.Body, "<dd>2</dd>") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the statistics were not refreshed in 10 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
