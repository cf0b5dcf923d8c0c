package main_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xinyong/xinyong/internal/store/postgres/pgtest"
)

// binary is the xinyong executable built once for the end-to-end tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "xinyong-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "xinyong")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// xinyong runs the binary to completion and returns stdout, stderr and the exit code.
func xinyong(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return stdout.String(), stderr.String(), code
}

// serve starts `xinyong serve` on a free port and returns its base URL and
// everything it printed before listening.
func serve(t *testing.T, args ...string) (string, string) {
	t.Helper()
	_, url, printed := startServer(t, args...)
	return url, printed
}

// startServer is serve that also returns the process, for tests that kill it.
func startServer(t *testing.T, args ...string) (*exec.Cmd, string, string) {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	logs := &logTail{}
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			t.Error("server did not stop on interrupt within 10s")
		}
		if t.Failed() {
			t.Logf("the server's log, last lines:\n%s", logs)
		}
	})
	re := regexp.MustCompile(`listening on (http://\S+)`)
	sc := bufio.NewScanner(out)
	var printed strings.Builder
	urlc := make(chan string, 1)
	go func() {
		for sc.Scan() {
			printed.WriteString(sc.Text() + "\n")
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				urlc <- m[1]
				io.Copy(io.Discard, out)
				return
			}
		}
		close(urlc)
	}()
	select {
	case u, ok := <-urlc:
		if !ok {
			t.Fatalf("server exited before listening; printed:\n%s", printed.String())
		}
		return cmd, u, printed.String()
	case <-time.After(60 * time.Second):
		t.Fatal("server did not start within 60s")
	}
	return nil, "", ""
}

// logTail keeps the end of what is written to it, 32 to 64 KiB: a server's
// log, shown when a test fails.
type logTail struct {
	mu  sync.Mutex
	buf []byte
}

func (l *logTail) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	if len(l.buf) > 64<<10 {
		l.buf = l.buf[len(l.buf)-32<<10:]
	}
	return len(p), nil
}

func (l *logTail) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return string(l.buf)
}

func request(t *testing.T, method, url, key string, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url, rd)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	return resp.StatusCode, out
}

// TestEndToEnd adds a provider, starts the server, submits a record and
// reads it back, publicly and as the provider.
// TestEndToEnd runs the provider's path on the embedded database and, when
// a test server is configured, on PostgreSQL.
func TestEndToEnd(t *testing.T) {
	t.Run("SQLite", func(t *testing.T) {
		data := filepath.Join(t.TempDir(), "data")
		endToEnd(t, filepath.Join(data, "xinyong.db"), "--data", data)
	})
	t.Run("PostgreSQL", func(t *testing.T) {
		url := pgtest.Database(t)
		data := filepath.Join(t.TempDir(), "data")
		// A server refuses a schema that is behind, and says what to run.
		if _, stderr, code := xinyong(t, "provider", "list", "--data", data, "--db", url); code == 0 || !strings.Contains(stderr, "xinyong migrate") {
			t.Errorf("provider list before migrate: exit %d: %s", code, stderr)
		}
		if out, stderr, code := xinyong(t, "migrate", "--data", data, "--db", url); code != 0 {
			t.Fatalf("migrate: exit %d: %s%s", code, out, stderr)
		}
		endToEnd(t, "", "--data", data, "--db", url)
	})
}

// endToEnd registers a provider, serves, submits, reads back and verifies
// the audit chain, with the data flags given; dbFile, when not empty, is the
// embedded database file, checked for the API key in clear.
func endToEnd(t *testing.T, dbFile string, dataFlags ...string) {
	with := func(args ...string) []string { return append(args, dataFlags...) }
	stdout, stderr, code := xinyong(t, with("provider", "add", "--code", "420000-SCJG", "--name", "湖北省市场监督管理局",
		"--items", "admin_licensing,admin_penalty", "--json")...)
	if code != 0 {
		t.Fatalf("provider add: exit %d\n%s%s", code, stdout, stderr)
	}
	var added struct {
		Code   string `json:"code"`
		APIKey string `json:"api_key"`
	}
	if err := json.Unmarshal([]byte(stdout), &added); err != nil || added.Code != "420000-SCJG" || len(added.APIKey) < 32 {
		t.Fatalf("provider add printed %q (%v)", stdout, err)
	}
	// The key is stored only as a hash.
	if dbFile != "" {
		db, err := os.ReadFile(dbFile)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(db, []byte(added.APIKey)) {
			t.Error("the API key is stored in clear in the database")
		}
	}
	if _, _, code := xinyong(t, with("provider", "add", "--code", "420000-SCJG", "--name", "x", "--items", "admin_penalty")...); code == 0 {
		t.Error("adding the same provider code twice succeeded")
	}

	base, _ := serve(t, dataFlags...)
	record := map[string]any{
		"xdr_mc": "武汉楚天建筑工程有限公司", "xdr_lb": "法人及非法人组织", "xdr_shxym": "91110000600037341L",
		"fddbr": "张三", "fddbr_zjlx": "身份证", "fddbr_zjhm": "11010519491231002X",
		"行政处罚决定书文号": "鄂市监罚〔2026〕8号", "cf_wfxw": "虚假宣传", "cf_sy": "发布虚假广告", "cf_yj": "《中华人民共和国广告法》第五十五条",
		"cf_cflb": "罚款", "cf_nr": "罚款五万元", "cf_nr_fk": 5, "cf_jdrq": time.Now().AddDate(0, 0, -3).Format(time.DateOnly),
		"cf_yxq": "2030-01-01", "cf_cfjg": "湖北省市场监督管理局", "cf_cfjgdm": "9144030071526726XG",
		"cf_sjly": "湖北省市场监督管理局", "cf_sjlydm": "9144030071526726XG",
	}
	status, body := request(t, "POST", base+"/api/v1/records", added.APIKey, map[string]any{"item": "admin_penalty", "records": []any{record}})
	if status != 200 {
		t.Fatalf("submit: %d %v", status, body)
	}
	res := body["results"].([]any)[0].(map[string]any)
	if res["status"] != "created" || res["subject"] != "91110000600037341L" {
		t.Fatalf("submit result = %v", res)
	}
	id := int64(res["record_id"].(float64))

	status, rec := request(t, "GET", fmt.Sprintf("%s/api/v1/records/%d", base, id), added.APIKey, nil)
	if status != 200 || rec["on_time"] != true || rec["submission_deadline"] == nil {
		t.Fatalf("record: %d %v", status, rec)
	}
	fields := rec["versions"].([]any)[0].(map[string]any)["fields"].(map[string]any)
	if fields["fddbr_zjhm"] != "11010519491231002X" || fields["cf_wsh"] != "鄂市监罚〔2026〕8号" {
		t.Errorf("provider's view of the record: %v", fields)
	}

	status, subj := request(t, "GET", base+"/api/v1/subjects/91110000600037341L", "", nil)
	if status != 200 || subj["name"] != "武汉楚天建筑工程有限公司" {
		t.Fatalf("subject: %d %v", status, subj)
	}
	found := false
	for _, it := range subj["items"].([]any) {
		it := it.(map[string]any)
		if it["item"] != "admin_penalty" {
			continue
		}
		for _, r := range it["records"].([]any) {
			f := r.(map[string]any)["fields"].(map[string]any)
			found = true
			if f["fddbr_zjhm"] != "110105********002X" {
				t.Errorf("public identity number = %v, want masked", f["fddbr_zjhm"])
			}
		}
	}
	if !found {
		t.Errorf("the penalty is not in the public view: %v", subj)
	}

	status, _ = request(t, "GET", base+"/api/openapi.json", "", nil)
	if status != 200 {
		t.Errorf("openapi: %d", status)
	}
	if out, _, code := xinyong(t, with("audit", "verify")...); code != 0 || !strings.Contains(out, "intact") {
		t.Errorf("audit verify: exit %d: %s", code, out)
	}
}

// TestServeDemo starts the README's first command on a fresh directory.
func TestServeDemo(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	base, printed := serve(t, "--demo", "--data", data)
	m := regexp.MustCompile(`try /api/v1/subjects/(\w+)`).FindStringSubmatch(printed)
	if m == nil || !strings.Contains(printed, "API key") {
		t.Fatalf("serve --demo printed:\n%s", printed)
	}
	status, subj := request(t, "GET", base+"/api/v1/subjects/"+m[1], "", nil)
	if status != 200 || subj["uscc"] != m[1] {
		t.Fatalf("demo subject: %d %v", status, subj)
	}
	status, search := request(t, "GET", base+"/api/v1/subjects?q=有限公司", "", nil)
	if status != 200 || search["total"].(float64) == 0 {
		t.Errorf("demo search: %d %v", status, search)
	}
}

func TestCatalogCheck(t *testing.T) {
	dir := t.TempDir()
	if out, _, code := xinyong(t, "catalog", "export", dir); code != 0 {
		t.Fatalf("catalog export: exit %d: %s", code, out)
	}
	if out, _, code := xinyong(t, "catalog", "check", dir); code != 0 || !strings.Contains(out, "catalogue OK") {
		t.Fatalf("catalog check of the exported catalogue: exit %d: %s", code, out)
	}
	path := filepath.Join(dir, "admin_penalty.yaml")
	b, _ := os.ReadFile(path)
	broken := strings.Replace(string(b), "nature: negative", "nature: awful", 1)
	broken = strings.Replace(broken, "working_days: 7", "working_days: 0", 1)
	os.WriteFile(path, []byte(broken), 0o644)
	out, _, code := xinyong(t, "catalog", "check", dir)
	if code == 0 {
		t.Fatalf("catalog check passed a broken catalogue: %s", out)
	}
	for _, want := range []string{path + ":", "nature", "working_days", "2 problem(s)"} {
		if !strings.Contains(out, want) {
			t.Errorf("catalog check output lacks %q:\n%s", want, out)
		}
	}
}

func TestProviderAddErrors(t *testing.T) {
	data := t.TempDir()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"ErrCode", []string{"--code", "SCJG", "--name", "x", "--items", "admin_penalty"}, "420000-SCJG"},
		{"ErrDivision", []string{"--code", "999999-SCJG", "--name", "x", "--items", "admin_penalty"}, "division"},
		{"ErrItem", []string{"--code", "420000-SCJG", "--name", "x", "--items", "nope"}, "nope"},
		{"ErrNoItems", []string{"--code", "420000-SCJG", "--name", "x"}, "--items"},
		{"ErrNoName", []string{"--code", "420000-SCJG", "--items", "admin_penalty"}, "--name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := xinyong(t, append([]string{"provider", "add", "--data", data}, tt.args...)...)
			if code == 0 || !strings.Contains(stderr, tt.want) || !strings.Contains(stderr, "错误") {
				t.Errorf("exit %d, stderr %q; want a bilingual error mentioning %q", code, stderr, tt.want)
			}
		})
	}
}

// TestOtherKeyRefused: a data directory whose key file no longer matches
// its database is refused before anything is written.
func TestOtherKeyRefused(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	if out, stderr, code := xinyong(t, "provider", "add", "--data", data, "--code", "420000-SCJG", "--name", "x", "--items", "admin_penalty"); code != 0 {
		t.Fatalf("provider add: exit %d: %s%s", code, out, stderr)
	}
	other := strings.Repeat("ab", 32) + "\n"
	if err := os.WriteFile(filepath.Join(data, "keys", "master.key"), []byte(other), 0o600); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := xinyong(t, "provider", "list", "--data", data)
	if code == 0 || !strings.Contains(stderr, "another master key") || !strings.Contains(stderr, "主密钥") {
		t.Errorf("provider list with another key: exit %d: %s", code, stderr)
	}
}
