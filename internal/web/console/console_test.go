package console_test

import (
	"context"
	"database/sql"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/xinyong/xinyong/internal/auth"
	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/web"
	"github.com/xinyong/xinyong/internal/web/console"
	_ "modernc.org/sqlite"
)

const (
	adminPassword   = "the admin's own long password"
	handlerPassword = "a handler's password of length"
	auditorPassword = "an auditor reads, never writes"
)

// want checks a page's status and that it contains every string of has
// and none of hasNot.
func want(t *testing.T, name string, p Page, status int, has, hasNot []string) {
	t.Helper()
	if p.Status != status {
		t.Errorf("%s: status %d, want %d (location %q); body:\n%.600s", name, p.Status, status, p.Location(), p.Body)
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
}

// wantRedirect checks that p redirects to location.
func wantRedirect(t *testing.T, name string, p Page, location string) {
	t.Helper()
	if p.Status != http.StatusSeeOther || p.Location() != location {
		t.Errorf("%s: status %d to %q, want 303 to %q; body:\n%.400s", name, p.Status, p.Location(), location, p.Body)
	}
}

func TestLogin(t *testing.T) {
	e := MustEnv(t)
	e.MustStaff(t, "wang", credit.RoleAdmin, adminPassword, false)
	disabled := e.MustStaff(t, "zhao", credit.RoleHandler, handlerPassword, false)
	if err := e.Store.SetStaffDisabled(context.Background(), disabled.ID, true, "test"); err != nil {
		t.Fatal(err)
	}

	t.Run("OK", func(t *testing.T) {
		b := e.Browser()
		wantRedirect(t, "home without a session", b.Get(t, "/console/"), "/console/login?next=%2Fconsole%2F")
		form := b.Get(t, "/console/login")
		want(t, "login form", form, 200, []string{"登录", `autocomplete="current-password"`, "English"}, nil)
		if c := form.Cookie("xy_login"); c == nil || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/console/login" {
			t.Errorf("login form's cookie = %+v", c)
		}
		p := b.Login(t, " Wang ", adminPassword) // names are trimmed and lower-cased
		wantRedirect(t, "login", p, "/console/")
		c := p.Cookie(console.SessionCookie)
		if c == nil || len(c.Value) != 43 || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/console" || c.Secure || c.MaxAge != 0 {
			t.Errorf("session cookie = %+v; want 43 characters, HttpOnly, SameSite=Strict, Path=/console, not Secure over http, no Max-Age", c)
		}
		home := b.Get(t, "/console/")
		want(t, "home", home, 200, []string{"工作台", "wang", "管理员", "账户管理", "/console/staff", "修改密码"}, nil)
		if cc := home.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control = %q", cc)
		}
		if csp := home.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'none'") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("Content-Security-Policy = %q", csp)
		}
		// Signed in, the login page sends the visitor on.
		wantRedirect(t, "login page when signed in", b.Get(t, "/console/login?next=/console/staff"), "/console/staff")
	})
	t.Run("OKNext", func(t *testing.T) {
		for _, tt := range []struct{ next, want string }{
			{"/console/staff", "/console/staff"},
			{"/console/staff?x=1", "/console/staff?x=1"},
			{"//evil.example/console", "/console/"},
			{"https://evil.example/console/", "/console/"},
			{"/elsewhere", "/console/"},
			{"/console/../admin", "/console/"},
			{"/consolex", "/console/"},
			{`/\evil.example`, "/console/"},
		} {
			b := e.Browser()
			p := b.Submit(t, "/console/login?next="+url.QueryEscape(tt.next), "/console/login",
				url.Values{"name": {"wang"}, "password": {adminPassword}, "next": {tt.next}})
			wantRedirect(t, "next="+tt.next, p, tt.want)
		}
	})
	t.Run("ErrSameMessage", func(t *testing.T) {
		// Wrong password, unknown name, disabled account: one answer.
		var bodies []string
		for _, tt := range []struct{ name, password string }{
			{"wang", "not the password at all"},
			{"nobody", adminPassword},
			{"zhao", handlerPassword},
			{"", ""},
		} {
			p := e.Browser().Login(t, tt.name, tt.password)
			want(t, "login as "+tt.name, p, http.StatusUnauthorized, []string{"用户名或密码错误"}, []string{"锁定", "停用", "不存在"})
			if p.Cookie(console.SessionCookie) != nil {
				t.Errorf("login as %s set a session", tt.name)
			}
			if tt.name != "" { // an empty name moves the focus
				bodies = append(bodies, strings.Replace(p.Body, `value="`+tt.name+`"`, `value=""`, 1))
			}
		}
		for i := 1; i < len(bodies); i++ {
			if stripTokens(bodies[i]) != stripTokens(bodies[0]) {
				t.Errorf("failure %d reads differently from the first", i)
			}
		}
	})
	t.Run("OKEnglish", func(t *testing.T) {
		b := e.Browser()
		p := b.Get(t, "/console/lang?to=en&next=/console/login")
		wantRedirect(t, "language switch", p, "/console/login")
		if c := p.Cookie(web.LangCookie); c == nil || c.Value != "en" || c.Path != "/" {
			t.Errorf("language cookie = %+v; want the portal's, en, on /", c)
		}
		p = b.Login(t, "wang", "wrong password, surely")
		want(t, "English failure", p, http.StatusUnauthorized, []string{"Wrong name or password", `lang="en"`}, []string{"用户名或密码错误"})
		wantRedirect(t, "switch to a page elsewhere", b.Get(t, "/console/lang?to=zh&next=//evil.example/"), "/console/")
		want(t, "bad language", b.Get(t, "/console/lang?to=fr"), http.StatusBadRequest, nil, nil)
	})
	t.Run("OKSecureOverTLS", func(t *testing.T) {
		te := mustEnv(t, true)
		te.MustStaff(t, "wang", credit.RoleAdmin, adminPassword, false)
		p := te.Browser().Login(t, "wang", adminPassword)
		if c := p.Cookie(console.SessionCookie); c == nil || !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode {
			t.Errorf("session cookie over TLS = %+v; want Secure", c)
		}
	})
	t.Run("ErrRateLimit", func(t *testing.T) {
		le := MustEnv(t, func(h *console.Handler) { h.LoginLimit = web.RateLimit{Rate: 1, Burst: 2} })
		b := le.Browser()
		for i := 0; i < 2; i++ {
			want(t, "attempt", b.Login(t, "x", "y"), http.StatusUnauthorized, nil, nil)
		}
		p := b.Login(t, "x", "y")
		want(t, "third attempt at once", p, http.StatusTooManyRequests, []string{"尝试过于频繁"}, nil)
		if p.Header.Get("Retry-After") == "" {
			t.Error("no Retry-After")
		}
	})
}

// stripTokens removes the CSRF tokens from a page, which differ by visit.
func stripTokens(body string) string {
	return csrfRE.ReplaceAllString(body, "")
}

func TestLockout(t *testing.T) {
	e := MustEnv(t)
	st := e.MustStaff(t, "li", credit.RoleHandler, handlerPassword, false)
	b := e.Browser()
	fail := func(n int) Page {
		t.Helper()
		var p Page
		for i := 0; i < n; i++ {
			p = b.Login(t, "li", "wrong password number x")
		}
		return p
	}
	// Four failures cost nothing.
	want(t, "fourth failure", fail(4), http.StatusUnauthorized, []string{"用户名或密码错误"}, []string{"锁定"})
	// The fifth locks for a minute.
	p := fail(1)
	want(t, "fifth failure", p, http.StatusTooManyRequests, []string{"用户名或密码错误", "账户已暂时锁定", "请 1 分钟后再试"}, nil)
	if p.Header.Get("Retry-After") != "60" {
		t.Errorf("Retry-After = %q, want 60", p.Header.Get("Retry-After"))
	}
	// Locked, the right password does not help, and the attempt costs nothing.
	e.Advance(15 * time.Second)
	p = b.Login(t, "li", handlerPassword)
	want(t, "right password while locked", p, http.StatusTooManyRequests, []string{"请 45 秒后再试"}, []string{"用户名或密码错误"})
	if p.Cookie(console.SessionCookie) != nil {
		t.Error("a locked account signed in")
	}
	// Each failure after the lock ends doubles it.
	for _, tt := range []struct {
		wait time.Duration
		says string
	}{
		{45 * time.Second, "请 2 分钟后再试"},
		{2 * time.Minute, "请 4 分钟后再试"},
		{4 * time.Minute, "请 8 分钟后再试"},
	} {
		e.Advance(tt.wait)
		want(t, "failure after the lock", fail(1), http.StatusTooManyRequests, []string{tt.says}, nil)
	}
	s, _ := e.Store.StaffByID(context.Background(), st.ID)
	if s.FailedLogins != 8 || !s.LockedUntil.Equal(e.Clock().Add(8*time.Minute)) {
		t.Errorf("stored: %d failures, locked until %v", s.FailedLogins, s.LockedUntil)
	}
	// In English, with the time left.
	b.Header.Set("Cookie", "lang=en")
	e.Advance(3 * time.Minute)
	want(t, "locked, English", b.Login(t, "li", handlerPassword), http.StatusTooManyRequests, []string{"try again in 5 minutes"}, nil)
	b.Header.Del("Cookie")
	// When the lock has passed, the right password signs in and clears the count.
	e.Advance(5 * time.Minute)
	wantRedirect(t, "after the lock", b.Login(t, "li", handlerPassword), "/console/")
	if s, _ := e.Store.StaffByID(context.Background(), st.ID); s.FailedLogins != 0 || s.LastLoginAt == nil {
		t.Errorf("after a success: %+v", s)
	}
	// The default back-off is the one the console uses.
	if auth.DefaultLockout.Duration(5) != time.Minute || auth.DefaultLockout.Duration(100) != time.Hour {
		t.Error("the default lock-out is not 1 minute after 5 failures, up to an hour")
	}
	checkAuditLog(t, e, handlerPassword, "wrong password number x")
}

// checkAuditLog checks the audit chain and, on SQLite, that no password
// went into it while every login attempt did.
func checkAuditLog(t *testing.T, e *Env, passwords ...string) {
	t.Helper()
	if _, err := e.Store.VerifyAudit(context.Background()); err != nil {
		t.Fatal(err)
	}
	if e.DBPath == "" {
		return
	}
	db, err := sql.Open("sqlite", "file:"+e.DBPath+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT actor, action, object, detail FROM audit_log ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	actions := map[string]int{}
	for rows.Next() {
		var actor, action, object, detail string
		if err := rows.Scan(&actor, &action, &object, &detail); err != nil {
			t.Fatal(err)
		}
		for _, pw := range passwords {
			if strings.Contains(actor+action+object+detail, pw) {
				t.Errorf("the audit log holds a password: %s %s %s %s", actor, action, object, detail)
			}
		}
		if strings.HasPrefix(action, "staff.login") && (actor != "staff:li" || !strings.Contains(detail, `"client":"127.0.0.1"`)) {
			t.Errorf("login entry %s by %s: %s", action, actor, detail)
		}
		actions[action]++
	}
	// 9 failures (4 + 1 + 1 locked + 3) + 1 locked in English, 1 success.
	if actions["staff.login_failed"] != 10 || actions["staff.login"] != 1 || actions["session.create"] != 1 {
		t.Errorf("audit actions = %v", actions)
	}
}

func TestOneTimePassword(t *testing.T) {
	e := MustEnv(t)
	const otp = "abcd-efgh-jkmn-pqrs"
	st := e.MustStaff(t, "chen", credit.RoleHandler, otp, true)
	other := e.Browser()
	other.MustLogin(t, "chen", otp) // a second session, which the change ends

	b := e.Browser()
	wantRedirect(t, "login with a one-time password", b.Login(t, "chen", otp), "/console/password")
	first := b.Session()
	// Nothing else before the password is changed.
	for _, path := range []string{"/console/", "/console/staff"} {
		wantRedirect(t, path, b.Get(t, path), "/console/password")
	}
	form := b.Get(t, "/console/password")
	want(t, "password form", form, 200, []string{"您正在使用一次性密码", "一次性密码", `minlength="12"`, "退出"}, []string{`href="/console/staff"`})
	for _, tt := range []struct {
		name          string
		current, a, b string
		says          string
	}{
		{"ErrWrongCurrent", "not-the-otp", "a new long password", "a new long password", "当前密码不正确"},
		{"ErrDiffer", otp, "a new long password", "a new long passwore", "两次输入的新密码不一致"},
		{"ErrShort", otp, "short one", "short one", "新密码至少 12 个字符，实为 9 个"},
		{"ErrSame", otp, otp, otp, "新密码不能与当前密码相同"},
	} {
		p := b.Submit(t, "/console/password", "/console/password", url.Values{"current": {tt.current}, "new": {tt.a}, "again": {tt.b}})
		want(t, tt.name, p, http.StatusBadRequest, []string{tt.says}, nil)
	}
	// The wrong current password counted as a failed login.
	if s, _ := e.Store.StaffByID(context.Background(), st.ID); s.FailedLogins != 1 || !s.MustChangePassword {
		t.Errorf("after the refusals: %+v", s)
	}
	p := b.Submit(t, "/console/password", "/console/password", url.Values{"current": {otp}, "new": {"chen's own new password"}, "again": {"chen's own new password"}})
	wantRedirect(t, "change", p, "/console/?changed=1")
	if b.Session() == first || b.Session() == "" {
		t.Error("the session was not renewed after the password change")
	}
	want(t, "home after the change", b.Get(t, "/console/?changed=1"), 200, []string{"密码已修改", "经办人"}, nil)
	// Every earlier session has ended.
	for name, token := range map[string]string{"the changing one": first, "the other one": other.Session()} {
		x := e.Browser()
		x.SetSession(token)
		wantRedirect(t, name, x.Get(t, "/console/"), "/console/login?next=%2Fconsole%2F")
	}
	// The one-time password is gone; the new one works.
	want(t, "old password", e.Browser().Login(t, "chen", otp), http.StatusUnauthorized, nil, nil)
	wantRedirect(t, "new password", e.Browser().Login(t, "chen", "chen's own new password"), "/console/")
}

func TestCSRF(t *testing.T) {
	e := MustEnv(t)
	e.MustStaff(t, "wang", credit.RoleAdmin, adminPassword, false)
	b := e.Browser()
	b.MustLogin(t, "wang", adminPassword)
	home := b.Get(t, "/console/")
	token := home.CSRF("/console/logout")
	if token == "" {
		t.Fatal("the home page has no logout form")
	}
	passwordToken := b.Get(t, "/console/password").CSRF("/console/password")
	other := e.Browser()
	other.MustLogin(t, "wang", adminPassword)
	otherToken := other.Get(t, "/console/").CSRF("/console/logout")

	send := func(path string, form url.Values, header ...string) Page {
		t.Helper()
		req, _ := http.NewRequest("POST", e.URL+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		return b.do(t, req)
	}
	for _, tt := range []struct {
		name   string
		form   url.Values
		header []string
	}{
		{"ErrNoToken", url.Values{}, nil},
		{"ErrEmptyToken", url.Values{"csrf": {""}}, nil},
		{"ErrOtherFormsToken", url.Values{"csrf": {passwordToken}}, nil},
		{"ErrOtherSessionsToken", url.Values{"csrf": {otherToken}}, nil},
		{"ErrTokenInQuery", url.Values{}, nil},
		{"ErrOrigin", url.Values{"csrf": {token}}, []string{"Origin", "https://evil.example"}},
		{"ErrOriginNull", url.Values{"csrf": {token}}, []string{"Origin", "null"}},
		{"ErrOriginPort", url.Values{"csrf": {token}}, []string{"Origin", strings.Replace(e.URL, "127.0.0.1:", "127.0.0.1:1", 1)}},
		{"ErrCrossSite", url.Values{"csrf": {token}}, []string{"Sec-Fetch-Site", "cross-site"}},
		{"ErrSameSite", url.Values{"csrf": {token}}, []string{"Sec-Fetch-Site", "same-site"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := "/console/logout"
			if tt.name == "ErrTokenInQuery" {
				path += "?csrf=" + url.QueryEscape(token)
			}
			want(t, tt.name, send(path, tt.form, tt.header...), http.StatusForbidden, []string{"无权操作", "不是从本站提交的"}, nil)
		})
	}
	// Still signed in after every refusal.
	want(t, "home", b.Get(t, "/console/"), 200, []string{"工作台"}, nil)
	t.Run("ErrLoginWithoutToken", func(t *testing.T) {
		x := e.Browser()
		x.Get(t, "/console/login")
		p := x.Post(t, "/console/login", url.Values{"name": {"wang"}, "password": {adminPassword}})
		want(t, "login without a token", p, http.StatusForbidden, nil, nil)
		if p.Cookie(console.SessionCookie) != nil {
			t.Error("signed in without a token")
		}
		// Nor with the token of another visitor's login form.
		y := e.Browser()
		foreign := y.Get(t, "/console/login").CSRF("/console/login")
		want(t, "login with another's token", x.Post(t, "/console/login", url.Values{"csrf": {foreign}, "name": {"wang"}, "password": {adminPassword}}),
			http.StatusForbidden, nil, nil)
	})
	t.Run("OK", func(t *testing.T) {
		// Same origin and same-origin fetch: accepted.
		p := send("/console/logout", url.Values{"csrf": {token}}, "Origin", e.URL, "Sec-Fetch-Site", "same-origin")
		wantRedirect(t, "logout", p, "/console/login")
	})
}

func TestRoles(t *testing.T) {
	e := MustEnv(t)
	e.MustStaff(t, "wang", credit.RoleAdmin, adminPassword, false)
	e.MustStaff(t, "li", credit.RoleHandler, handlerPassword, false)
	e.MustStaff(t, "sun", credit.RoleAuditor, auditorPassword, false)
	for _, tt := range []struct {
		name, password string
		staff          int // status of /console/staff
		home           []string
		homeNot        []string
	}{
		{"wang", adminPassword, 200, []string{"管理员", `href="/console/staff"`}, nil},
		{"li", handlerPassword, 403, []string{"经办人", `href="/console/password"`}, []string{`href="/console/staff"`}},
		{"sun", auditorPassword, 403, []string{"审计员"}, []string{`href="/console/staff"`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := e.Browser()
			b.MustLogin(t, tt.name, tt.password)
			want(t, "home", b.Get(t, "/console/"), 200, tt.home, tt.homeNot)
			p := b.Get(t, "/console/staff")
			if tt.staff == 200 {
				want(t, "staff list", p, 200, []string{"账户管理", "wang", "li", "sun", "审计员", "经办人"}, nil)
			} else {
				want(t, "staff list", p, tt.staff, []string{"无权", "您的角色无权打开此页面"}, []string{"sun</td>"})
			}
		})
	}
	if !credit.RoleCan(credit.RoleAuditor, credit.ActAuditView) || credit.RoleCan(credit.RoleAuditor, credit.ActCaseAct) ||
		!credit.RoleCan(credit.RoleHandler, credit.ActCaseAct) || credit.RoleCan(credit.RoleHandler, credit.ActStaffManage) ||
		!credit.RoleCan(credit.RoleAdmin, "anything.later") || credit.RoleCan("root", credit.ActCaseView) {
		t.Error("the permission table is not as documented")
	}
}

func TestLogout(t *testing.T) {
	e := MustEnv(t)
	e.MustStaff(t, "wang", credit.RoleAdmin, adminPassword, false)
	b := e.Browser()
	b.MustLogin(t, "wang", adminPassword)
	token := b.Session()
	p := b.Submit(t, "/console/", "/console/logout", nil)
	wantRedirect(t, "logout", p, "/console/login")
	if c := p.Cookie(console.SessionCookie); c == nil || c.MaxAge >= 0 {
		t.Errorf("logout's cookie = %+v; want it removed", c)
	}
	// The old cookie no longer works, even sent again by hand.
	x := e.Browser()
	x.SetSession(token)
	p = x.Get(t, "/console/staff")
	wantRedirect(t, "old cookie", p, "/console/login?next=%2Fconsole%2Fstaff")
	if c := p.Cookie(console.SessionCookie); c == nil || c.MaxAge >= 0 {
		t.Errorf("a stale cookie was not removed: %+v", c)
	}
	wantRedirect(t, "logout with the old cookie", x.Post(t, "/console/logout", url.Values{}), "/console/login?next=%2Fconsole%2F")
	if _, err := e.Store.SessionByTokenHash(context.Background(), auth.TokenHash(token)); !credit.IsNotFound(err) {
		t.Errorf("the session is still stored: %v", err)
	}
	if _, err := e.Store.VerifyAudit(context.Background()); err != nil {
		t.Error(err)
	}
}

func TestSessionExpiry(t *testing.T) {
	e := MustEnv(t)
	st := e.MustStaff(t, "wang", credit.RoleAdmin, adminPassword, false)
	t.Run("ErrIdle", func(t *testing.T) {
		b := e.Browser()
		b.MustLogin(t, "wang", adminPassword)
		e.Advance(8 * time.Hour)
		wantRedirect(t, "8 hours idle", b.Get(t, "/console/staff"), "/console/login?next=%2Fconsole%2Fstaff")
	})
	t.Run("ErrAbsolute", func(t *testing.T) {
		b := e.Browser()
		b.MustLogin(t, "wang", adminPassword)
		for i := 0; i < 5; i++ { // used every 2 hours 20 minutes: never idle
			e.Advance(2*time.Hour + 20*time.Minute)
			want(t, "in use", b.Get(t, "/console/"), 200, nil, nil)
		}
		e.Advance(20 * time.Minute) // 12 hours after the login
		wantRedirect(t, "12 hours", b.Get(t, "/console/"), "/console/login?next=%2Fconsole%2F")
	})
	t.Run("OKCleanup", func(t *testing.T) {
		b := e.Browser()
		b.MustLogin(t, "wang", adminPassword)
		n, err := e.Store.DeleteExpiredSessions(context.Background(), e.Clock())
		if err != nil || n != 2 { // the two above
			t.Errorf("DeleteExpiredSessions = %d, %v; want 2", n, err)
		}
		want(t, "the live one", b.Get(t, "/console/"), 200, nil, nil)
	})
	t.Run("ErrDisabled", func(t *testing.T) {
		b := e.Browser()
		b.MustLogin(t, "wang", adminPassword)
		if err := e.Store.SetStaffDisabled(context.Background(), st.ID, true, "test"); err != nil {
			t.Fatal(err)
		}
		wantRedirect(t, "disabled", b.Get(t, "/console/"), "/console/login?next=%2Fconsole%2F")
	})
}

func TestPages(t *testing.T) {
	e := MustEnv(t)
	b := e.Browser()
	p := b.Get(t, "/console/static/console.css")
	if p.Status != 200 || !strings.HasPrefix(p.Header.Get("Content-Type"), "text/css") {
		t.Errorf("stylesheet: %d %s", p.Status, p.Header.Get("Content-Type"))
	}
	want(t, "unknown page", b.Get(t, "/console/nothing/here"), http.StatusNotFound, []string{"控制台没有这个页面"}, nil)
	if p := b.Get(t, "/console"); p.Status/100 != 3 || p.Location() != "/console/" {
		t.Errorf("/console: %d to %q", p.Status, p.Location())
	}
	want(t, "English 404", b.Get(t, "/console/nothing?lang=en"), http.StatusNotFound, []string{"The console has no such page", `lang="en"`}, nil)
}
