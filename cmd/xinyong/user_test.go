package main_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/store/postgres/pgtest"
	"github.com/xinyong/xinyong/internal/store/sqlite"
)

// TestUser manages console accounts on the embedded database and, when a
// test server is configured, on PostgreSQL.
func TestUser(t *testing.T) {
	t.Run("SQLite", func(t *testing.T) {
		users(t, "--data", filepath.Join(t.TempDir(), "data"))
	})
	t.Run("PostgreSQL", func(t *testing.T) {
		url := pgtest.Database(t)
		data := filepath.Join(t.TempDir(), "data")
		if out, stderr, code := xinyong(t, "migrate", "--data", data, "--db", url); code != 0 {
			t.Fatalf("migrate: exit %d: %s%s", code, out, stderr)
		}
		users(t, "--data", data, "--db", url)
	})
}

// otpRE finds the one-time password a command printed.
var otpRE = regexp.MustCompile(`(?m)^([a-z2-9]{4}(?:-[a-z2-9]{4}){3})$`)

func users(t *testing.T, dataFlags ...string) {
	with := func(args ...string) []string { return append(append([]string{"user"}, args...), dataFlags...) }
	run := func(args ...string) string {
		t.Helper()
		out, stderr, code := xinyong(t, with(args...)...)
		if code != 0 {
			t.Fatalf("user %v: exit %d\n%s%s", args, code, out, stderr)
		}
		return out
	}
	out := run("add", "--name", "Wang.Admin", "--role", "admin", "--display", "王管理")
	first := otpRE.FindString(out)
	if !strings.Contains(out, "created account wang.admin (admin)") || !strings.Contains(out, "已创建账户") || first == "" {
		t.Errorf("user add printed:\n%s", out)
	}
	run("add", "--name", "li", "--role", "auditor")
	if out := run("list"); out != "li\tauditor\t-\tone-time-password\t-\nwang.admin\tadmin\t王管理\tone-time-password\t-\n" {
		t.Errorf("user list printed %q", out)
	}
	if out := run("list", "--json"); !strings.Contains(out, `{"name":"wang.admin","role":"admin","display":"王管理","state":"one-time-password","last_login":null}`) {
		t.Errorf("user list --json printed %s", out)
	}
	out = run("passwd", "--name", "wang.admin")
	if second := otpRE.FindString(out); second == "" || second == first || !strings.Contains(out, "sessions have ended") {
		t.Errorf("user passwd printed:\n%s", out)
	}
	if out := run("disable", "--name", "li"); !strings.Contains(out, "disabled li") {
		t.Errorf("user disable printed %q", out)
	}
	if out := run("list"); !strings.Contains(out, "li\tauditor\t-\tdisabled,one-time-password\t-\n") {
		t.Errorf("after disable, user list printed %q", out)
	}
	if out := run("enable", "--name", "li"); !strings.Contains(out, "enabled li") {
		t.Errorf("user enable printed %q", out)
	}

	tests := []struct {
		name string
		args []string
		want []string // in the error, Chinese and English
	}{
		{"ErrNoName", []string{"add", "--role", "admin"}, []string{"--name", "请用 --name 给出登录名", "give the login name with --name"}},
		{"ErrBadName", []string{"add", "--name", "王五", "--role", "admin"}, []string{"--name", "登录名", "login name"}},
		{"ErrNoRole", []string{"add", "--name", "zhao"}, []string{"--role", "admin, handler or auditor"}},
		{"ErrBadRole", []string{"add", "--name", "zhao", "--role", "root"}, []string{"--role", "角色“root”无效", `the role "root" is not valid`}},
		{"ErrLongDisplay", []string{"add", "--name", "zhao", "--role", "admin", "--display", strings.Repeat("长", 65)}, []string{"--display", "at most 64"}},
		{"ErrTaken", []string{"add", "--name", "li", "--role", "handler"}, []string{"--name", "登录名 li 已被使用", "the login name li is taken"}},
		{"ErrUnknown", []string{"passwd", "--name", "nobody"}, []string{"--name", "没有登录名为 nobody 的账户", "no account is named nobody"}},
		{"ErrUnknownDisable", []string{"disable", "--name", "nobody"}, []string{"--name", "no account is named nobody"}},
		{"ErrPasswdNoName", []string{"passwd"}, []string{"--name"}},
		{"ErrArgument", []string{"disable", "--name", "li", "extra"}, []string{"unexpected argument", "多余的参数"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := xinyong(t, with(tt.args...)...)
			if code == 0 || !strings.Contains(stderr, "错误") || !strings.Contains(stderr, "error:") {
				t.Fatalf("exit %d, stderr %q; want a bilingual error", code, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q lacks %q", stderr, w)
				}
			}
		})
	}
	if _, stderr, code := xinyong(t, "user", "remove"); code == 0 || !strings.Contains(stderr, "usage:") {
		t.Errorf("user remove: exit %d, %s", code, stderr)
	}
	if out := run("list"); strings.Count(out, "\n") != 2 {
		t.Errorf("after the refusals, user list printed %q", out)
	}
	// staff.create twice, staff.password, staff.disable, staff.enable.
	if out, _, code := xinyong(t, append([]string{"audit", "verify"}, dataFlags...)...); code != 0 || !strings.Contains(out, "intact: 5 entries") {
		t.Errorf("audit verify: exit %d: %s", code, out)
	}
}

// TestUserRefusedCreatesNothing: a command refused for its flags opens no
// database.
func TestUserRefusedCreatesNothing(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	for _, args := range [][]string{{"add", "--name", "x", "--role", "admin"}, {"add", "--name", "zhao"}, {"passwd"}} {
		if _, _, code := xinyong(t, append(append([]string{"user"}, args...), "--data", data)...); code == 0 {
			t.Fatalf("user %v succeeded", args)
		}
	}
	if _, err := os.Stat(data); !os.IsNotExist(err) {
		t.Errorf("a refused command created %s (%v)", data, err)
	}
}

// TestConsoleServe signs in to the console of `xinyong serve` with the
// one-time password `xinyong user add` printed, and is sent to change it.
func TestConsoleServe(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	out, stderr, code := xinyong(t, "user", "add", "--data", data, "--name", "wang", "--role", "admin")
	otp := otpRE.FindString(out)
	if code != 0 || otp == "" {
		t.Fatalf("user add: exit %d: %s%s", code, out, stderr)
	}
	base, _ := serve(t, "--data", data)
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path string) (*http.Response, string) {
		t.Helper()
		resp, err := client.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	if resp, _ := get("/console/"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/console/login") {
		t.Fatalf("/console/ without a session: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, form := get("/console/login")
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(form)
	if m == nil {
		t.Fatalf("the login page has no CSRF token:\n%.600s", form)
	}
	resp, err := client.PostForm(base+"/console/login", url.Values{"csrf": {m[1]}, "name": {"wang"}, "password": {otp}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/password" {
		t.Fatalf("login with the one-time password: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, body := get("/console/password"); resp.StatusCode != 200 || !strings.Contains(body, "一次性密码") {
		t.Errorf("password page: %d\n%.600s", resp.StatusCode, body)
	}
	// The portal still answers everything else.
	if resp, _ := get("/catalog"); resp.StatusCode != 200 {
		t.Errorf("/catalog: %d", resp.StatusCode)
	}
	if resp, body := get("/console/static/console.css"); resp.StatusCode != 200 || !strings.Contains(body, "console") {
		t.Errorf("console stylesheet: %d", resp.StatusCode)
	}
}

// addSession opens a console session of the account name in the
// embedded database of data, as a login would.
func addSession(t *testing.T, data, name string) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(data, "xinyong.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st, err := db.StaffByName(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	s := &credit.Session{TokenHash: []byte("0123456789abcdef0123456789abcdef"), StaffID: st.ID, CSRFSecret: []byte("secret"),
		IdleUntil: now.Add(8 * time.Hour), AbsoluteUntil: now.Add(12 * time.Hour)}
	if err := db.CreateSession(ctx, s); err != nil {
		t.Fatal(err)
	}
}
