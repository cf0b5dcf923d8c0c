package main_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestRightsBrowser files an objection through the portal and decides it
// in the console, in headless Chromium against `xinyong serve --demo`: the
// applicant's form with an evidence file, the private tracking page, the
// handler's first login with a one-time password, the queue, acceptance
// (the record marked on the portal), the decision, and the result on the
// tracking page. Screenshots go to test-artifacts/rights/.
func TestRightsBrowser(t *testing.T) {
	chromium, skip := findChromium()
	if skip != "" {
		t.Skip(skip)
	}
	data := filepath.Join(t.TempDir(), "data")
	base, _ := serve(t, "--demo", "--data", data)
	out, errOut, code := xinyong(t, "user", "add", "--data", data, "--name", "handler1", "--role", "handler")
	if code != 0 {
		t.Fatalf("user add: %d %s", code, errOut)
	}
	otp := strings.TrimSpace(out[strings.LastIndex(strings.TrimSpace(out), "\n")+1:])

	// A public penalty of the demo.
	status, found := request(t, "GET", base+"/api/v1/subjects?q=有限公司&per_page=50", "", nil)
	if status != 200 {
		t.Fatalf("demo search: %d", status)
	}
	var record string
	for _, hit := range found["results"].([]any) {
		uscc := hit.(map[string]any)["uscc"].(string)
		_, subject := request(t, "GET", base+"/api/v1/subjects/"+uscc, "", nil)
		for _, it := range subject["items"].([]any) {
			item := it.(map[string]any)
			if item["item"] == "admin_penalty" && len(item["records"].([]any)) > 0 {
				record = fmt.Sprint(int64(item["records"].([]any)[0].(map[string]any)["record_id"].(float64)))
			}
		}
		if record != "" {
			break
		}
	}
	if record == "" {
		t.Fatal("no public penalty in the demo")
	}
	proof := filepath.Join(t.TempDir(), "复议决定书.pdf")
	if err := os.WriteFile(proof, []byte("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	b := startBrowser(t, chromium, base, "rights")
	b.open("record", "section.rights", 200, b.navigate("/records/"+record))
	b.open("objection-form", "form[enctype]", 200, b.click(`section.rights a[href$="/objection"]`))
	b.do(
		chromedp.Click(chromedp.CSS(`input[name=ground][value=error]`)),
		chromedp.SendKeys(chromedp.CSS("#statement"), "处罚决定书载明的罚款金额与实际不符。"),
		chromedp.SendKeys(chromedp.CSS("#a-name"), "王五"),
		chromedp.SetValue(chromedp.CSS("#a-role"), "委托代理人"),
		chromedp.SendKeys(chromedp.CSS("#a-phone"), "13800000000"),
		chromedp.SetUploadFiles(chromedp.CSS("#files"), []string{proof}),
	)
	html := b.open("objection-filed", "#case-number", 201, b.click("button.primary"))
	number := regexp.MustCompile(`YY\d{8}-\d{6}`).FindString(html)
	if number == "" {
		t.Fatalf("no case number on the confirmation")
	}
	b.open("tracking-filed", "article.track", 200, b.click("#track-link"))
	b.want("state filed", b.run(chromedp.Text(chromedp.CSS("dd.state"))), "待受理")
	track := b.eval(`location.pathname + location.search`)

	// The handler's first login: the one-time password must be replaced.
	b.open("console-login", "#password", 200, b.navigate("/console/login"))
	b.do(chromedp.SendKeys(chromedp.CSS("#name"), "handler1"), chromedp.SendKeys(chromedp.CSS("#password"), otp))
	b.open("console-password", "#new", 200, b.click(`form[action="/console/login"] button[type=submit]`))
	b.do(chromedp.SendKeys(chromedp.CSS("#current"), otp), chromedp.SendKeys(chromedp.CSS("#new"), "a long new password 2026"),
		chromedp.SendKeys(chromedp.CSS("#again"), "a long new password 2026"))
	b.open("console-home", "main", 200, b.click(`form[action="/console/password"] button[type=submit]`))
	html = b.open("console-queue", "table.list", 200, b.navigate("/console/objections"))
	if !strings.Contains(html, number) {
		t.Fatalf("the queue lacks %s", number)
	}
	b.open("console-case", "#accept", 200, b.click(fmt.Sprintf(`a[href^="/console/objections/"]:not([href$="objections"])`)))
	b.want("case number", b.run(chromedp.Text(chromedp.CSS("h1"))), "异议 "+number+" 待受理")
	casePath := b.eval(`location.pathname`)
	b.open("console-accepted", "#decide", 200, b.click("#accept"))

	// Accepted: the record is marked on the portal.
	b.open("record-marked", "h1 .tag.objection", 200, b.navigate("/records/"+record))
	b.open("console-case-again", "#decide", 200, b.navigate(casePath))
	b.do(chromedp.SetValue(chromedp.CSS("#outcome"), "maintain"), chromedp.SendKeys(chromedp.CSS("#decide-reason"), "经核实，罚款金额无误。"))
	b.open("console-decided", "p.notice", 200, b.click("#decide"))

	b.open("tracking-decided", "dd.outcome", 200, b.navigate(track))
	b.want("state decided", b.run(chromedp.Text(chromedp.CSS("dd.state"))), "已办结")
	b.want("outcome", b.run(chromedp.Text(chromedp.CSS("dd.outcome"))), "维持")
	b.want("reasons", b.run(chromedp.Text(chromedp.CSS("dd.reasons"))), "经核实，罚款金额无误。")
	if n := get(b, chromedp.Evaluate[int](`document.querySelectorAll('h1 .tag.objection').length`)); n != 0 {
		t.Error("the tracking page shows a mark")
	}
	b.open("record-unmarked", "section.rights", 200, b.navigate("/records/"+record))
	if n := get(b, chromedp.Evaluate[int](`document.querySelectorAll('h1 .tag.objection').length`)); n != 0 {
		t.Error("the record is still marked after the decision")
	}
}
