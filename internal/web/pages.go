package web

import (
	"bytes"
	"fmt"
	"html"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// What the doors that serve HTML pages (web/portal, web/console) share:
// templates parsed once per language with their fixed words translated at
// parse time, pages written whole or not at all with the same security
// headers, and the visitor's choice of language.

// Pages are a door's page templates, parsed once for Chinese and once for
// English.
type Pages struct {
	byLang [2]map[string]*template.Template // Chinese, English
}

// ParsePages parses the page templates of fsys: every *.html file in dir
// but the shared ones is a page, parsed together with the shared files
// (its layout and partials) under funcs. Each literal {{tr .EN "中文"
// "English"}} becomes the text of one language (Translate), so that a page
// runs no function for its fixed words. A page is named by its file name
// without .html.
func ParsePages(fsys fs.FS, dir string, shared []string, funcs template.FuncMap) (*Pages, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.html"))
	if err != nil {
		return nil, err
	}
	src := map[string]string{}
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		src[path.Base(name)] = string(b)
	}
	isShared := map[string]bool{}
	for _, f := range shared {
		if _, ok := src[f]; !ok {
			return nil, fmt.Errorf("template %s: not found in %s", f, dir)
		}
		isShared[f] = true
	}
	p := &Pages{}
	for i, en := range []bool{false, true} {
		p.byLang[i] = map[string]*template.Template{}
		for base := range src {
			if isShared[base] {
				continue
			}
			t := template.New(base).Funcs(funcs)
			for _, f := range append([]string{base}, shared...) {
				text, err := Translate(src[f], en)
				if err == nil && f == base {
					_, err = t.Parse(text)
				} else if err == nil {
					_, err = t.New(f).Parse(text)
				}
				if err != nil {
					return nil, fmt.Errorf("template %s: %w", f, err)
				}
			}
			p.byLang[i][strings.TrimSuffix(base, ".html")] = t
		}
	}
	return p, nil
}

// Has reports whether there is a page named name.
func (p *Pages) Has(name string) bool {
	_, ok := p.byLang[0][name]
	return ok
}

// Execute runs the template named layout of page name, in English when
// en, into buf. On an error buf holds part of a page: callers show
// something else.
func (p *Pages) Execute(buf *bytes.Buffer, name string, en bool, layout string, data any) error {
	lang := 0
	if en {
		lang = 1
	}
	t, ok := p.byLang[lang][name]
	if !ok {
		return fmt.Errorf("no page %q", name)
	}
	return t.ExecuteTemplate(buf, layout, data)
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// Render writes page name with data, in English when en, whole or not at
// all: when its template fails it writes nothing and returns the error,
// so that the caller shows an error page instead of half a page.
func (p *Pages) Render(w http.ResponseWriter, r *http.Request, status int, name string, en bool, data any) error {
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)
	if err := p.Execute(buf, name, en, "layout", data); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	WriteHTML(w, r, status, buf.Bytes())
	return nil
}

// literalTr matches a translation of two literal strings in a template.
var literalTr = regexp.MustCompile(`\{\{tr (?:\$?\.EN|\$en) ("(?:[^"\\]|\\.)*") ("(?:[^"\\]|\\.)*")\}\}`)

// Translate replaces each {{tr .EN "中文" "English"}} (or $.EN, $en) of
// two literals in a template's text by the text of one language, escaped
// as HTML.
func Translate(text string, en bool) (string, error) {
	var err error
	out := literalTr.ReplaceAllStringFunc(text, func(m string) string {
		parts := literalTr.FindStringSubmatch(m)
		pick := parts[1]
		if en {
			pick = parts[2]
		}
		s, uerr := strconv.Unquote(pick)
		if uerr != nil {
			err = fmt.Errorf("%s: %w", m, uerr)
		}
		return html.EscapeString(s)
	})
	return out, err
}

// Tr returns the text for the language: english when en, else zh.
func Tr(en bool, zh, english string) string {
	if en {
		return english
	}
	return zh
}

// WriteHTML writes body, a whole page, with status and the headers every
// page carries: no scripts, nothing framed, forms sent only to this site,
// no sniffing, referrers kept on this site. A door whose pages need
// another Content-Security-Policy sets it on w first; WriteHTML keeps it.
// A HEAD request gets the headers only.
func WriteHTML(w http.ResponseWriter, r *http.Request, status int, body []byte) {
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Content-Length", strconv.Itoa(len(body)))
	hd.Set("Vary", "Cookie")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "same-origin")
	if hd.Get("Content-Security-Policy") == "" {
		hd.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; form-action 'self'; frame-ancestors 'none'")
	}
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// LangCookie holds a visitor's choice of language for every door: "en"
// for English; anything else, or none, is Chinese.
const LangCookie = "lang"

// English reports whether r asks for English: ?lang=en or ?lang=zh when
// given (so that a link can choose), else the language cookie.
func English(r *http.Request) bool {
	switch r.URL.Query().Get("lang") {
	case "en":
		return true
	case "zh":
		return false
	}
	c, err := r.Cookie(LangCookie)
	return err == nil && c.Value == "en"
}

// SetLang remembers the language to (en or zh) in the cookie, for the
// whole site and a year.
func SetLang(w http.ResponseWriter, r *http.Request, to string) {
	http.SetCookie(w, &http.Cookie{Name: LangCookie, Value: to, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
}

// LocalPath returns next when it is a path on this site under prefix
// (e.g. "/console"), with any query, and def otherwise: a redirect
// target taken from a request never leads elsewhere.
func LocalPath(next, prefix, def string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n\t") {
		return def
	}
	p, _, _ := strings.Cut(next, "?")
	p, _, _ = strings.Cut(p, "#")
	if clean := path.Clean(p); clean != p && clean+"/" != p || clean != prefix && !strings.HasPrefix(clean, prefix+"/") {
		return def
	}
	return next
}
