package console

import (
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/xinyong/xinyong/internal/auth"
	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/web"
)

// loginPage is the login form.
type loginPage struct {
	Page
	Name string // as typed, kept after a failure
	Next string
	// ErrorZH and ErrorEN say why the last attempt failed.
	ErrorZH, ErrorEN string
}

// wrongZH and wrongEN are what every failed login says, whatever was
// wrong: the name, the password, or the account.
const (
	wrongZH = "用户名或密码错误。"
	wrongEN = "Wrong name or password."
)

// loginSecret returns the secret of the login form's CSRF token from its
// cookie, making one (and setting the cookie) when there is none.
func (h *Handler) loginSecret(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if c, err := r.Cookie(loginCookie); err == nil {
		if b, err := base64.RawURLEncoding.DecodeString(c.Value); err == nil && len(b) == 32 {
			return b, nil
		}
	}
	b, err := auth.NewSecret()
	if err != nil {
		return nil, err
	}
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: base64.RawURLEncoding.EncodeToString(b), Path: Prefix + "/login",
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
	return b, nil
}

// loginForm shows the login form, or sends an account already signed in
// on to where it was going.
func (h *Handler) loginForm(w http.ResponseWriter, r *http.Request) {
	next := web.LocalPath(r.URL.Query().Get("next"), Prefix, Prefix+"/")
	if s, err := h.lookup(r); err == nil && s != nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	h.showLogin(w, r, http.StatusOK, "", next, "", "")
}

func (h *Handler) showLogin(w http.ResponseWriter, r *http.Request, status int, name, next, zh, en string) {
	secret, err := h.loginSecret(w, r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := loginPage{Page: h.page(r, "登录", "Sign in", "login"), Name: name, Next: next, ErrorZH: zh, ErrorEN: en}
	p.csrf = secret
	h.render(w, r, status, "login", p)
}

// login checks a name and password. Whatever was wrong, the answer is the
// same; only a locked account is told when to try again (its password is
// then not checked). Every attempt is in the audit log.
func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	secret, err := h.loginSecret(w, r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !h.checkForm(w, r, secret) {
		return
	}
	if ok, wait := h.loginLimiter.Allow(web.ClientID(r)); !ok {
		h.tooMany(w, r, wait)
		return
	}
	ctx := r.Context()
	name := credit.CleanStaffName(r.PostFormValue("name"))
	password := r.PostFormValue("password")
	next := web.LocalPath(r.PostFormValue("next"), Prefix, Prefix+"/")
	attempt := &credit.LoginAttempt{Name: name, Client: clientAddr(r)}
	wrong := func() { h.showLogin(w, r, http.StatusUnauthorized, name, next, wrongZH, wrongEN) }
	record := func(outcome string) bool {
		attempt.Outcome = outcome
		if err := h.Store.RecordLogin(ctx, attempt); err != nil {
			h.fail(w, r, err)
			return false
		}
		return true
	}

	st, err := h.Store.StaffByName(ctx, name)
	if credit.IsNotFound(err) || err == nil && st.Disabled {
		// As long as a wrong password takes: the answer's time does not
		// tell whether the name exists.
		h.verify(h.dummyHash(), password)
		outcome := credit.LoginUnknown
		if st != nil {
			attempt.StaffID, outcome = st.ID, credit.LoginDisabled
		}
		if record(outcome) {
			wrong()
		}
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	attempt.StaffID = st.ID
	now := h.now()
	if st.Locked(now) {
		if record(credit.LoginLocked) {
			h.showLocked(w, r, name, next, st.LockedUntil.Sub(now), "", "")
		}
		return
	}
	ok, err := h.verify(st.PasswordHash, password)
	if err != nil {
		web.Logger(r).ErrorContext(ctx, "console: stored password hash unreadable", "staff", st.Name, "err", err, "request_id", web.RequestID(r))
	}
	if !ok {
		attempt.Lock = h.lockout().Until
		if !record(credit.LoginFailed) {
			return
		}
		if attempt.LockedUntil.After(now) {
			h.showLocked(w, r, name, next, attempt.LockedUntil.Sub(now), wrongZH, wrongEN)
			return
		}
		wrong()
		return
	}
	if !record(credit.LoginOK) {
		return
	}
	if err := h.startSession(w, r, st); err != nil {
		h.fail(w, r, err)
		return
	}
	h.clearCookie(w, r, loginCookie, Prefix+"/login")
	if st.MustChangePassword {
		next = Prefix + "/password"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// showLocked shows the login form saying how long the account stays
// locked, after what went wrong first (zh, en) if anything.
func (h *Handler) showLocked(w http.ResponseWriter, r *http.Request, name, next string, left time.Duration, zh, en string) {
	var lzh, lEN string
	if secs := int((left + time.Second - 1) / time.Second); left < time.Minute {
		lzh, lEN = fmt.Sprintf("%d 秒", secs), fmt.Sprintf("%d seconds", secs)
	} else {
		mins := int((left + time.Minute - 1) / time.Minute)
		lzh, lEN = fmt.Sprintf("%d 分钟", mins), fmt.Sprintf("%d minutes", mins)
		if mins == 1 {
			lEN = "1 minute"
		}
	}
	w.Header().Set("Retry-After", fmt.Sprint(int((left+time.Second-1)/time.Second)))
	h.showLogin(w, r, http.StatusTooManyRequests, name, next,
		zh+"登录失败次数过多，账户已暂时锁定，请 "+lzh+"后再试。",
		joinEN(en, "Too many failed logins: the account is locked; try again in "+lEN+"."))
}

func joinEN(a, b string) string {
	if a == "" {
		return b
	}
	return a + " " + b
}

// dummyHash is checked against the password given for an unknown or
// disabled name, so that refusing it takes as long as a wrong password.
// It is made on first use: hashing costs what the parameters say.
func (h *Handler) dummyHash() string {
	h.dummyOnce.Do(func() { h.dummy, _ = h.params().Hash("no account has this password") })
	return h.dummy
}

// verify checks password against a stored hash, a few at a time: each
// check takes the memory its parameters say.
func (h *Handler) verify(hash, password string) (bool, error) {
	h.hashing <- struct{}{}
	defer func() { <-h.hashing }()
	return auth.Verify(hash, password)
}

// hash hashes a new password, a few at a time.
func (h *Handler) hash(password string) (string, error) {
	h.hashing <- struct{}{}
	defer func() { <-h.hashing }()
	return h.params().Hash(password)
}

// clientAddr is the address a request came from, for the audit log.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// logout ends the session and forgets its cookie.
func (h *Handler) logout(w http.ResponseWriter, r *http.Request, st *credit.Staff) {
	if err := h.Store.DeleteSession(r.Context(), sessionOf(r).TokenHash); err != nil && !credit.IsNotFound(err) {
		h.fail(w, r, err)
		return
	}
	h.clearCookie(w, r, SessionCookie, Prefix)
	http.Redirect(w, r, Prefix+"/login", http.StatusSeeOther)
}

// passwordPage is the form to change one's own password.
type passwordPage struct {
	Page
	// OneTime says the account signed in with a one-time password and must
	// choose its own before anything else.
	OneTime          bool
	MinRunes         int
	ErrorZH, ErrorEN string
}

func (h *Handler) passwordForm(w http.ResponseWriter, r *http.Request, st *credit.Staff) {
	h.showPassword(w, r, st, http.StatusOK, "", "")
}

func (h *Handler) showPassword(w http.ResponseWriter, r *http.Request, st *credit.Staff, status int, zh, en string) {
	p := passwordPage{Page: h.page(r, "修改密码", "Change password", "password"), OneTime: st.MustChangePassword, MinRunes: auth.MinPasswordRunes, ErrorZH: zh, ErrorEN: en}
	h.render(w, r, status, "password", p)
}

// changePassword replaces the account's password after checking the
// current one. Every session of the account ends; this one goes on in a
// new session.
func (h *Handler) changePassword(w http.ResponseWriter, r *http.Request, st *credit.Staff) {
	ctx := r.Context()
	current, next, again := r.PostFormValue("current"), r.PostFormValue("new"), r.PostFormValue("again")
	now := h.now()
	if st.Locked(now) {
		left := int(st.LockedUntil.Sub(now)/time.Minute) + 1
		h.showPassword(w, r, st, http.StatusTooManyRequests, fmt.Sprintf("密码错误次数过多，请 %d 分钟后再试。", left),
			fmt.Sprintf("Too many wrong passwords; try again in %d minutes.", left))
		return
	}
	ok, err := h.verify(st.PasswordHash, current)
	if err != nil {
		web.Logger(r).ErrorContext(ctx, "console: stored password hash unreadable", "staff", st.Name, "err", err, "request_id", web.RequestID(r))
	}
	if !ok {
		// A wrong current password counts as a failed login: a session
		// left open is no way round the lock-out.
		a := &credit.LoginAttempt{StaffID: st.ID, Outcome: credit.LoginFailed, Client: clientAddr(r), Lock: h.lockout().Until}
		if err := h.Store.RecordLogin(ctx, a); err != nil {
			h.fail(w, r, err)
			return
		}
		h.showPassword(w, r, st, http.StatusBadRequest, "当前密码不正确。", "The current password is wrong.")
		return
	}
	if next != again {
		h.showPassword(w, r, st, http.StatusBadRequest, "两次输入的新密码不一致。", "The two new passwords differ.")
		return
	}
	if err := auth.CheckNewPassword(st.Name, next); err != nil {
		zh, en := credit.ErrorMessages(err)
		h.showPassword(w, r, st, http.StatusBadRequest, zh+"。", en+".")
		return
	}
	if next == current {
		h.showPassword(w, r, st, http.StatusBadRequest, "新密码不能与当前密码相同。", "The new password must differ from the current one.")
		return
	}
	hash, err := h.hash(next)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.Store.SetPassword(ctx, st.ID, hash, false, st.Actor()); err != nil {
		h.fail(w, r, err)
		return
	}
	st.MustChangePassword = false
	if err := h.startSession(w, r, st); err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, Prefix+"/?changed=1", http.StatusSeeOther)
}

// switchLang sets the language cookie the portal uses too and goes back
// to the console page the visitor was on: GET /console/lang?to=en&next=….
func (h *Handler) switchLang(w http.ResponseWriter, r *http.Request) {
	to := r.URL.Query().Get("to")
	if to != "en" && to != "zh" {
		h.errorPage(w, r, http.StatusBadRequest, "语言只能是 zh（中文）或 en（英文）。", "The language must be zh (Chinese) or en (English).")
		return
	}
	web.SetLang(w, r, to)
	http.Redirect(w, r, web.LocalPath(r.URL.Query().Get("next"), Prefix, Prefix+"/"), http.StatusSeeOther)
}
