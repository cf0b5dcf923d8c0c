package console

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/xinyong/xinyong/internal/auth"
	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/web"
)

// Cookies of the console. Both are HttpOnly and SameSite=Strict, Secure
// over TLS, and last until the browser closes; the server ends sessions
// on its own clock.
const (
	// SessionCookie holds the session's token.
	SessionCookie = "xy_session"
	// loginCookie holds the secret of the login form's CSRF token, before
	// there is a session.
	loginCookie = "xy_login"
)

// touchEvery is how often a session in use has its idle end slid
// forward: more often would write on every page.
const touchEvery = time.Minute

type ctxKey int

const sessionKey ctxKey = 0

// sessionOf returns the session require let r in with, nil on pages
// without one.
func sessionOf(r *http.Request) *credit.Session {
	s, _ := r.Context().Value(sessionKey).(*credit.Session)
	return s
}

// require wraps a page that needs a signed-in account whose role allows
// action ("" for any account). In order: the session must be live (else
// a redirect to the login page, which comes back here); a POST must
// carry the form's CSRF token and come from this site (else 403); an
// account with a one-time password may only change it or sign out (else
// a redirect to /console/password); the role must allow action (else
// 403). The handler gets the account; the page's data (h.page) gets the
// session from the request.
func (h *Handler) require(action string, next func(http.ResponseWriter, *http.Request, *credit.Staff)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, ok := h.session(w, r)
		if !ok {
			return
		}
		r = r.WithContext(context.WithValue(r.Context(), sessionKey, s))
		if r.Method == http.MethodPost && !h.checkForm(w, r, s.CSRFSecret) {
			return
		}
		st := s.Staff
		if st.MustChangePassword && r.URL.Path != Prefix+"/password" && r.URL.Path != Prefix+"/logout" {
			http.Redirect(w, r, Prefix+"/password", http.StatusSeeOther)
			return
		}
		if action != "" && !st.Can(action) {
			h.forbidden(w, r)
			return
		}
		next(w, r, st)
	}
}

// session returns the live session of r's cookie, sliding its idle end.
// Without one it redirects to the login page (clearing a stale cookie)
// and returns false.
func (h *Handler) session(w http.ResponseWriter, r *http.Request) (*credit.Session, bool) {
	s, err := h.lookup(r)
	if err != nil && !credit.IsNotFound(err) {
		h.fail(w, r, err)
		return nil, false
	}
	if s == nil {
		if _, err := r.Cookie(SessionCookie); err == nil {
			h.clearCookie(w, r, SessionCookie, Prefix)
		}
		next := Prefix + "/"
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			next = r.URL.RequestURI()
		}
		http.Redirect(w, r, Prefix+"/login?next="+url.QueryEscape(next), http.StatusSeeOther)
		return nil, false
	}
	now := h.now()
	if idle := now.Add(h.idleTimeout()); idle.Sub(s.IdleUntil) >= touchEvery && s.IdleUntil.Before(s.AbsoluteUntil) {
		if err := h.Store.TouchSession(r.Context(), s.TokenHash, now, idle); err != nil {
			web.Logger(r).WarnContext(r.Context(), "console: touch session", "err", err, "request_id", web.RequestID(r))
		}
	}
	return s, true
}

// lookup returns the live session of r's cookie: nil (and no error) when
// there is no cookie, no such session, or it has ended, or its account is
// disabled.
func (h *Handler) lookup(r *http.Request) (*credit.Session, error) {
	c, err := r.Cookie(SessionCookie)
	if err != nil || len(c.Value) != base64.RawURLEncoding.EncodedLen(auth.TokenBytes) {
		return nil, nil
	}
	s, err := h.Store.SessionByTokenHash(r.Context(), auth.TokenHash(c.Value))
	if credit.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !s.Live(h.now()) || s.Staff == nil || s.Staff.Disabled {
		return nil, nil
	}
	return s, nil
}

// startSession opens a session for st and sets its cookie.
func (h *Handler) startSession(w http.ResponseWriter, r *http.Request, st *credit.Staff) error {
	token, hash, err := auth.NewToken()
	if err != nil {
		return err
	}
	secret, err := auth.NewSecret()
	if err != nil {
		return err
	}
	now := h.now()
	s := &credit.Session{TokenHash: hash, StaffID: st.ID, CSRFSecret: secret, IdleUntil: now.Add(h.idleTimeout()), AbsoluteUntil: now.Add(h.maxAge())}
	if err := h.Store.CreateSession(r.Context(), s); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: token, Path: Prefix, HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
	return nil
}

// clearCookie tells the browser to forget a cookie.
func (h *Handler) clearCookie(w http.ResponseWriter, r *http.Request, name, path string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: path, MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
}

// maxFormBytes bounds a console form's body (not a file upload's).
const maxFormBytes = 1 << 20

// checkForm checks a POST against cross-site requests: it must come from
// this site by its Origin header (when the browser sends one) and its
// Sec-Fetch-Site header (likewise), and carry in its csrf field the token
// of its path under secret. Otherwise it shows a 403 page and returns
// false.
func (h *Handler) checkForm(w http.ResponseWriter, r *http.Request, secret []byte) bool {
	if ct := r.Header.Get("Content-Type"); strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	}
	if !sameOrigin(r) {
		web.Logger(r).WarnContext(r.Context(), "console: cross-origin form refused", "path", r.URL.Path, "request_id", web.RequestID(r))
		h.errorPage(w, r, http.StatusForbidden, "此表单不是从本站提交的，已拒绝。", "This form was not sent from this site; it was refused.")
		return false
	}
	if !auth.CheckCSRF(secret, r.URL.Path, r.PostFormValue("csrf")) {
		h.errorPage(w, r, http.StatusForbidden, "表单已失效或不是从本站提交的：请返回，刷新页面后重新提交。",
			"The form has expired or was not sent from this site: go back, reload the page and send it again.")
		return false
	}
	return true
}

// sameOrigin reports whether r comes from a page of this site, as far as
// the browser says: an Origin header, when present, must name this host
// ("null" does not), and Sec-Fetch-Site, when present, must be
// same-origin or none (typed by the user). The scheme is not compared: a
// proxy in front may end TLS.
func sameOrigin(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return false
	}
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	u, err := url.Parse(o)
	return err == nil && u.Host != "" && strings.EqualFold(u.Host, r.Host)
}
