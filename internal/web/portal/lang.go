package portal

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/xinyong/xinyong/internal/catalog"
	"github.com/xinyong/xinyong/internal/web"
)

// page is what every page's data starts with: the language, the title,
// and what the layout needs to draw the header.
type page struct {
	EN    bool   // English; Chinese when false
	Title string // the page's own title, without the site's
	// Here is the current path and query, for the language switch to
	// come back to.
	Here string
	// Q fills the header's search box.
	Q string
	// Nav is the header entry to mark as current: home, catalog, statistics.
	Nav string
}

func (p page) english() bool { return p.EN }

// newPage starts a page's data for r, in the language r asks for
// (web.English).
func (h *Handler) newPage(r *http.Request, title, nav string) page {
	return page{EN: web.English(r), Title: title, Here: r.URL.RequestURI(), Nav: nav}
}

// switchLang sets the language cookie and goes back to where the visitor
// was: GET /lang?to=en&next=/subjects/…. Only paths on this site are
// followed.
func (h *Handler) switchLang(w http.ResponseWriter, r *http.Request) {
	to := r.URL.Query().Get("to")
	if to != "en" && to != "zh" {
		h.errorPage(w, r, http.StatusBadRequest, "语言只能是 zh（中文）或 en（英文）。", "The language must be zh (Chinese) or en (English).")
		return
	}
	next := r.URL.Query().Get("next")
	if u, err := url.Parse(next); err != nil || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") || u.Host != "" {
		next = "/"
	}
	// The chosen language replaces any ?lang= the page was opened with.
	if u, err := url.Parse(next); err == nil && u.Query().Has("lang") {
		q := u.Query()
		q.Del("lang")
		u.RawQuery = q.Encode()
		next = u.RequestURI()
	}
	web.SetLang(w, r, to)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// num writes n with thousands separators: 1,234,567.
func num(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + num(-n)
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// day writes a date as YYYY-MM-DD, "" for none.
func day(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

// categoryName is the name of a catalogue category in the language.
func categoryName(en bool, code string) string {
	n, ok := catalog.Categories[code]
	if !ok {
		return code
	}
	return web.Tr(en, n[0], n[1])
}

// severityName names a negative record's severity.
func severityName(en bool, s string) string {
	switch s {
	case catalog.SeverityMinor:
		return web.Tr(en, "轻微", "minor")
	case catalog.SeverityGeneral:
		return web.Tr(en, "一般", "general")
	case catalog.SeveritySerious:
		return web.Tr(en, "严重", "serious")
	}
	return ""
}
