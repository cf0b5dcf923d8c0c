package main_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/xinyong/xinyong/internal/catalog"
)

// findChromium returns the browser the browser tests run: XINYONG_CHROMIUM,
// else the first of chromium, chromium-browser and google-chrome on PATH.
// Without one, skip says why they do not run.
func findChromium() (path, skip string) {
	if p := os.Getenv("XINYONG_CHROMIUM"); p != "" {
		return p, ""
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, ""
		}
	}
	return "", "browser tests skipped: no chromium, chromium-browser or google-chrome on PATH. `make test` installs " +
		"Debian's chromium (scripts/with-chromium); or set XINYONG_CHROMIUM to a Chromium or Chrome binary"
}

// idNumber is an 18-character identity number in full: the portal must
// never show one.
var idNumber = regexp.MustCompile(`[1-9]\d{5}(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}[\dXx]`)

// TestPortalBrowser walks the public portal in headless Chromium against
// `xinyong serve --demo`, as a visitor would: the home page, a search, an
// organisation, one of its penalties, a penalty whose publication has
// ended, the English pages, the catalogue and the statistics. Every page
// is checked for identity numbers in full and saved as a screenshot under
// test-artifacts/portal/ at the repository's root.
func TestPortalBrowser(t *testing.T) {
	chromium, skip := findChromium()
	if skip != "" {
		t.Skip(skip)
	}
	base, printed := serve(t, "--demo", "--data", filepath.Join(t.TempDir(), "data"))
	key := demoKey(t, printed)

	// An organisation of the demo, and two penalties about it: one
	// published now, one whose publication ended long ago.
	status, found := request(t, "GET", base+"/api/v1/subjects?q="+url.QueryEscape("有限公司"), "", nil)
	if status != 200 || len(found["results"].([]any)) == 0 {
		t.Fatalf("demo search: %d %v", status, found)
	}
	subject := found["results"].([]any)[0].(map[string]any)
	uscc, name := subject["uscc"].(string), subject["name"].(string)
	decided := time.Now().In(time.FixedZone("CST", 8*3600)).AddDate(0, 0, -5).Format(time.DateOnly)
	const currentNo, expiredNo = "鄂市监罚〔2026〕E2E-1号", "鄂市监罚〔2022〕E2E-2号"
	penalty := func(kv ...string) map[string]any {
		r := map[string]any{
			"xdr_mc": name, "xdr_lb": "法人及非法人组织", "xdr_shxym": uscc,
			"fddbr": "张三", "fddbr_zjlx": "身份证", "fddbr_zjhm": "11010519491231002X",
			"cf_wfxw": "虚假宣传", "cf_sy": "当事人在其网站发布虚假宣传内容。", "cf_yj": "《中华人民共和国反不正当竞争法》第八条第一款",
			"cf_cfjg": "湖北省市场监督管理局", "cf_cfjgdm": "9144030071526726XG",
			"cf_sjly": "湖北省市场监督管理局", "cf_sjlydm": "9144030071526726XG",
		}
		for i := 0; i+1 < len(kv); i += 2 {
			r[kv[i]] = kv[i+1]
		}
		return r
	}
	status, body := request(t, "POST", base+"/api/v1/records", key, map[string]any{"item": "admin_penalty", "records": []any{
		penalty("cf_wsh", currentNo, "cf_cflb", "罚款", "cf_nr", "罚款人民币伍万元整", "cf_nr_fk", "5", "cf_jdrq", decided, "cf_yxq", "2029-12-31"),
		penalty("cf_wsh", expiredNo, "cf_cflb", "警告", "cf_nr", "警告", "cf_jdrq", "2022-03-01", "cf_yxq", "2022-06-01"),
	}})
	if status != 200 {
		t.Fatalf("submit: %d %v", status, body)
	}
	var ids [2]int64
	for i, r := range body["results"].([]any) {
		r := r.(map[string]any)
		if r["status"] != "created" || r["subject"] != uscc {
			t.Fatalf("submit result %d = %v, want created about %s", i, r, uscc)
		}
		ids[i] = int64(r["record_id"].(float64))
	}
	current, expired := ids[0], ids[1]

	b := startBrowser(t, chromium, base, "portal")
	penaltyItem, _ := catalog.Default().Item("admin_penalty")

	// The home page, in Chinese.
	b.open("home", "section.hero form", 200, b.navigate("/"))
	b.want("title", b.eval(`document.title`), "社会信用信息服务平台")
	b.want("html lang", b.eval(`document.documentElement.lang`), "zh-CN")
	b.want("search box label", b.eval(`document.querySelector('label[for="q"]').textContent.trim()`), "名称、统一社会信用代码或注册号")

	// A search by three characters from the middle of the name.
	core := []rune(name)
	for _, suffix := range []string{"股份有限公司", "有限责任公司", "有限公司"} {
		if s := strings.TrimSuffix(name, suffix); s != name && len([]rune(s)) >= 3 {
			core = []rune(s)
			break
		}
	}
	start := (len(core) - 3) / 2
	q := string(core[start : start+3])
	b.do(chromedp.SendKeys(chromedp.CSS("input#q"), q))
	b.want("search box value", b.eval(`document.querySelector('input#q').value`), q)
	b.open("search", "ol.hits", 200, b.click("section.hero button[type=submit]"))
	hit := fmt.Sprintf(`ol.hits a[href="/subjects/%s"]`, uscc)
	if html := b.run(chromedp.InnerHTML(chromedp.CSS(hit))); !strings.Contains(html, "<mark>"+q+"</mark>") {
		t.Errorf("search %q: the hit's name is %s, want <mark>%s</mark> in it", q, html, q)
	}
	b.want("hit's name", b.run(chromedp.Text(chromedp.CSS(hit))), name)

	// One character is enough, from the search box in the header.
	one := string(core[start+1])
	b.do(chromedp.Clear(chromedp.CSS("input#q-top")), chromedp.SendKeys(chromedp.CSS("input#q-top"), one))
	b.want("header's search box value", b.eval(`document.querySelector('input#q-top').value`), one)
	b.open("search-one-character", "ol.hits", 200, b.click("form.search.small button[type=submit]"))
	if n := get(b, chromedp.Evaluate[int](`document.querySelectorAll('ol.hits > li').length`)); n == 0 {
		t.Errorf("search %q: no hits", one)
	}
	b.want("searched for", b.eval(`new URL(location.href).searchParams.get('q')`), one)

	// The organisation's page: the current penalty with the end of its
	// publication, and nothing of the expired one.
	b.do(chromedp.NavigateBack(), chromedp.WaitVisible(chromedp.CSS(hit)))
	html := b.open("subject", "article.subject", 200, b.click(hit))
	b.want("subject's name", b.run(chromedp.Text(chromedp.CSS("article.subject h1"))), name)
	row := fmt.Sprintf(`#admin_penalty tr:has(a[href="/records/%d"])`, current)
	b.want("penalty's decision number", b.run(chromedp.Text(chromedp.CSS(row+" td.lead"))), currentNo)
	dates := b.eval(`[...document.querySelectorAll('` + row + ` td.date')].map(td => td.textContent.trim()).join("|")`)
	dateCells := strings.Split(dates, "|")
	until := ""
	if len(dateCells) != 2 || dateCells[0] != decided || !regexp.MustCompile(`^\d{4}-\d{2}-\d{2}\b`).MatchString(dateCells[1]) {
		t.Errorf("penalty's dates = %q, want the decision date %s and a publication end date", dates, decided)
	} else if until = dateCells[1][:10]; until <= decided {
		t.Errorf("publication ends on %s, before the decision of %s", until, decided)
	}
	if strings.Contains(html, expiredNo) {
		t.Errorf("the subject's page shows the expired penalty %s", expiredNo)
	}

	// The penalty's own page: the identity number masked, the end of the
	// publication shown.
	html = b.open("record", "article.record", 200, b.click(row+" a"))
	text := b.eval(`document.body.innerText`)
	if !regexp.MustCompile(`110105\*+002X`).MatchString(text) {
		t.Errorf("the record's page does not show the identity number masked (110105****…002X):\n%s", text)
	}
	if strings.Contains(html, "11010519491231002X") {
		t.Error("the record's page holds the identity number in full")
	}
	b.want("publication end's label", b.eval(`document.querySelector('dd.until').previousElementSibling.textContent`), "公示截止日期")
	b.want("publication end", b.run(chromedp.Text(chromedp.CSS("dd.until"))), until)

	// The expired penalty is not found.
	b.open("record-expired", "section.error", 404, b.navigate(fmt.Sprintf("/records/%d", expired)))
	if text := b.eval(`document.body.innerText`); !strings.Contains(text, "没有这条公示记录") {
		t.Errorf("the expired record's page says:\n%s", text)
	}

	// English, chosen on the record's page, stays for the next pages.
	b.do(chromedp.NavigateBack(), chromedp.WaitVisible(chromedp.CSS("article.record")))
	b.want("language link", b.run(chromedp.Text(chromedp.CSS("header.site a.lang"))), "English")
	b.open("record-en", "article.record", 200, b.click("header.site a.lang"))
	b.want("html lang", b.eval(`document.documentElement.lang`), "en")
	b.want("record's heading", b.run(chromedp.Text(chromedp.CSS("article.record h1"))), penaltyItem.NameEN)
	b.want("publication end's label", b.eval(`document.querySelector('dd.until').previousElementSibling.textContent`), "Published until")
	b.want("language link", b.run(chromedp.Text(chromedp.CSS("header.site a.lang"))), "中文")

	b.open("subject-en", "article.subject", 200, b.click("p.crumbs a"))
	b.want("html lang", b.eval(`document.documentElement.lang`), "en")
	b.want("penalties' heading", b.eval(`document.querySelector('#h-admin_penalty').firstChild.textContent.trim()`), penaltyItem.NameEN)
	if !strings.Contains(b.eval(`document.querySelector('#admin_penalty thead').textContent`), "Published until") {
		t.Error(`the English subject's page has no "Published until" column`)
	}
	b.open("catalog-en", "article.catalog", 200, b.click(`header.site nav a[href="/catalog"]`))
	b.want("html lang", b.eval(`document.documentElement.lang`), "en")
	b.want("catalogue's heading", b.run(chromedp.Text(chromedp.CSS("article.catalog h1"))), "Credit information catalogue")
	b.open("statistics-en", "article.stats", 200, b.click(`header.site nav a[href="/statistics"]`))
	b.want("html lang", b.eval(`document.documentElement.lang`), "en")
	b.want("statistics' heading", b.run(chromedp.Text(chromedp.CSS("article.stats h1"))), "Statistics")
	if n := get(b, chromedp.Evaluate[int](`document.querySelectorAll('svg[role="img"]').length`)); n < 3 {
		t.Errorf("the statistics page has %d charts (svg role=img), want at least 3", n)
	}
	if loc := b.eval(`location.href`); strings.Contains(loc, "lang=") {
		t.Errorf("English came from the address %s, not the cookie", loc)
	}

	// And back to Chinese.
	b.open("statistics-zh", "article.stats", 200, b.click("header.site a.lang"))
	b.want("html lang", b.eval(`document.documentElement.lang`), "zh-CN")
	b.want("statistics' heading", b.run(chromedp.Text(chromedp.CSS("article.stats h1"))), "统计")
}

// demoKey is the API key `serve --demo` printed for 420000-SCJG: the line
// after the one that announces it.
func demoKey(t *testing.T, printed string) string {
	t.Helper()
	lines := strings.Split(printed, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "demo: API key of 420000-SCJG") && i+1 < len(lines) {
			if k := strings.TrimSpace(lines[i+1]); k != "" {
				return k
			}
		}
	}
	t.Fatalf("serve --demo printed no API key of 420000-SCJG:\n%s", printed)
	return ""
}

// browser is one headless Chromium tab on the portal at base. Its methods
// fail the test on any error of the browser.
type browser struct {
	t    *testing.T
	ctx  context.Context
	base string
	dir  string // where the screenshots go
	n    int    // pages opened so far
}

// startBrowser starts chromium for the rest of the test, with 60 seconds
// for everything it does, and empties the screenshot directory
// test-artifacts/ARTIFACTS.
func startBrowser(t *testing.T, chromium, base, artifacts string) *browser {
	t.Helper()
	dir := filepath.Join(repoRoot(t), "test-artifacts", artifacts)
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(t.TempDir(), "chromium.log")
	log, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancelTimeout := context.WithTimeout(context.Background(), 60*time.Second)
	// The background-networking flags keep the browser from calling out:
	// on a machine without a network, those calls are refused.
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox, // the tests may run as root
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(filepath.Join(t.TempDir(), "profile")),
		chromedp.WindowSize(1280, 900),
		// Back loads the page again, as NavigateBack waits for a load:
		// the back-forward cache would show it without one.
		chromedp.Flag("disable-features", "Translate,BlinkGenPropertyTrees,BackForwardCache"),
		chromedp.CombinedOutput(log),
	)
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	ctx, cancelTab := chromedp.NewContext(ctx)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc() // waits for the browser to exit
		cancelTimeout()
		log.Close()
		if t.Failed() {
			if out, _ := os.ReadFile(logPath); len(out) > 0 {
				t.Logf("chromium's output:\n%s", out[max(0, len(out)-4000):])
			}
		}
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", chromium, err)
	}
	return &browser{t: t, ctx: ctx, base: base, dir: dir}
}

// repoRoot is the directory of go.mod above the test's.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}

// navigate loads path on the portal.
func (b *browser) navigate(path string) func() (*network.Response, error) {
	return func() (*network.Response, error) {
		return chromedp.Run(b.ctx, chromedp.NavigateResponse(b.base+path))
	}
}

// click clicks the first element sel matches and waits for the page it
// leads to.
func (b *browser) click(sel string) func() (*network.Response, error) {
	return func() (*network.Response, error) {
		return chromedp.RunResponse(b.ctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
	}
}

// open loads a page with load, expects the HTTP status and the element
// sel visible, checks that the page shows no identity number in full,
// saves a screenshot named after the page and returns the page's HTML.
func (b *browser) open(name, sel string, status int, load func() (*network.Response, error)) string {
	b.t.Helper()
	b.n++
	resp, err := load()
	if err != nil {
		b.t.Fatalf("%02d-%s: %v", b.n, name, err)
	}
	if resp == nil || resp.Status != int64(status) {
		got := "no response"
		if resp != nil {
			got = fmt.Sprintf("%d (%s)", resp.Status, resp.URL)
		}
		b.t.Errorf("%02d-%s: HTTP status %s, want %d", b.n, name, got, status)
		if text, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.body.innerText`)); err == nil {
			b.t.Logf("the page says:\n%s", text)
		}
	}
	if err := chromedp.Do(b.ctx, chromedp.WaitVisible(chromedp.CSS(sel))); err != nil {
		b.t.Fatalf("%02d-%s: waiting for %s: %v", b.n, name, sel, err)
	}
	html := b.run(chromedp.OuterHTML(chromedp.CSS("html")))
	if m := idNumber.FindString(html); m != "" {
		b.t.Errorf("%02d-%s (%s) shows the identity number %s in full", b.n, name, b.eval(`location.href`), m)
	}
	png := get(b, chromedp.FullScreenshot(100))
	if err := os.WriteFile(filepath.Join(b.dir, fmt.Sprintf("%02d-%s.png", b.n, name)), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	return html
}

// do runs actions, failing the test on an error.
func (b *browser) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatalf("page %02d: %v", b.n, err)
	}
}

// get runs an action that reads the page and returns what it read.
func get[T any](b *browser, a chromedp.Action[T]) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, a)
	if err != nil {
		b.t.Fatalf("page %02d: %v", b.n, err)
	}
	return v
}

// run is get for text.
func (b *browser) run(a chromedp.Action[string]) string {
	b.t.Helper()
	return get(b, a)
}

// eval evaluates a JavaScript expression of a string in the page.
func (b *browser) eval(js string) string {
	b.t.Helper()
	return b.run(chromedp.Evaluate[string](js))
}

// want reports a difference between what the page shows and what it
// should.
func (b *browser) want(what, got, want string) {
	b.t.Helper()
	if got != want {
		b.t.Errorf("page %02d: %s = %q, want %q", b.n, what, got, want)
	}
}
