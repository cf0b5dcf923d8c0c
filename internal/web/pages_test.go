package web_test

import (
	"bytes"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/xinyong/xinyong/internal/web"
)

func TestTranslate(t *testing.T) {
	for _, tt := range []struct {
		name, in, zh, en string
	}{
		{"OK", `<p>{{tr .EN "首页" "Home"}}</p>`, `<p>首页</p>`, `<p>Home</p>`},
		{"OKDollar", `{{range .X}}{{tr $.EN "记录" "records"}}{{end}}`, `{{range .X}}记录{{end}}`, `{{range .X}}records{{end}}`},
		{"OKEscaped", `{{tr .EN "甲<乙>" "A & \"B\""}}`, `甲&lt;乙&gt;`, `A &amp; &#34;B&#34;`},
		{"OKNotLiteral", `{{tr .EN .ZH .EN}}`, `{{tr .EN .ZH .EN}}`, `{{tr .EN .ZH .EN}}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for en, want := range map[bool]string{false: tt.zh, true: tt.en} {
				got, err := web.Translate(tt.in, en)
				if err != nil || got != want {
					t.Errorf("Translate(%q, %v) = %q, %v; want %q", tt.in, en, got, err, want)
				}
			}
		})
	}
}

func TestParsePages(t *testing.T) {
	fsys := fstest.MapFS{
		"t/layout.html": {Data: []byte(`{{define "layout"}}<h1>{{tr .EN "标题" "Title"}}</h1>{{template "content" .}}{{end}}`)},
		"t/home.html":   {Data: []byte(`{{define "content"}}{{.N}} {{tr .EN "条" "items"}}{{end}}`)},
	}
	p, err := web.ParsePages(fsys, "t", []string{"layout.html"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Has("home") || p.Has("layout") {
		t.Error("pages are the files that are not shared")
	}
	for en, want := range map[bool]string{false: "<h1>标题</h1>3 条", true: "<h1>Title</h1>3 items"} {
		var buf bytes.Buffer
		if err := p.Execute(&buf, "home", en, "layout", struct{ N int }{3}); err != nil || buf.String() != want {
			t.Errorf("Execute(en=%v) = %q, %v; want %q", en, buf.String(), err, want)
		}
	}
	if err := p.Execute(&bytes.Buffer{}, "nothing", false, "layout", nil); err == nil {
		t.Error("a missing page executed")
	}
	t.Run("ErrMissingShared", func(t *testing.T) {
		if _, err := web.ParsePages(fsys, "t", []string{"partials.html"}, nil); err == nil {
			t.Error("parsed without a shared file")
		}
	})
	t.Run("ErrBroken", func(t *testing.T) {
		broken := fstest.MapFS{"t/layout.html": fsys["t/layout.html"], "t/bad.html": {Data: []byte(`{{define "content"}}{{if}}{{end}}`)}}
		if _, err := web.ParsePages(broken, "t", []string{"layout.html"}, nil); err == nil || !strings.Contains(err.Error(), "bad.html") {
			t.Errorf("a broken template: %v", err)
		}
	})
}

func TestLocalPath(t *testing.T) {
	for _, tt := range []struct{ next, want string }{
		{"/console", "/console"},
		{"/console/", "/console/"},
		{"/console/staff?page=2#top", "/console/staff?page=2#top"},
		{"", "/console/"},
		{"console/staff", "/console/"},
		{"//evil.example/console", "/console/"},
		{"https://evil.example/console", "/console/"},
		{`/\evil.example`, "/console/"},
		{"/console/../search", "/console/"},
		{"/console/./staff", "/console/"},
		{"/console//staff", "/console/"},
		{"/consoles", "/console/"},
		{"/", "/console/"},
		{"/console/\r\nSet-Cookie: x", "/console/"},
	} {
		if got := web.LocalPath(tt.next, "/console", "/console/"); got != tt.want {
			t.Errorf("LocalPath(%q) = %q, want %q", tt.next, got, tt.want)
		}
	}
}

func TestEnglish(t *testing.T) {
	for _, tt := range []struct {
		url, cookie string
		want        bool
	}{
		{"/", "", false},
		{"/?lang=en", "", true},
		{"/", "lang=en", true},
		{"/?lang=zh", "lang=en", false},
		{"/", "lang=fr", false},
	} {
		r := httptest.NewRequest("GET", tt.url, nil)
		if tt.cookie != "" {
			r.Header.Set("Cookie", tt.cookie)
		}
		if got := web.English(r); got != tt.want {
			t.Errorf("English(%s, cookie %q) = %v, want %v", tt.url, tt.cookie, got, tt.want)
		}
	}
}

func TestWriteHTML(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		w := httptest.NewRecorder()
		web.WriteHTML(w, httptest.NewRequest("GET", "/", nil), 201, []byte("<p>x</p>"))
		if w.Code != 201 || w.Body.String() != "<p>x</p>" || w.Header().Get("Content-Length") != "8" {
			t.Errorf("%d %q, Content-Length %q", w.Code, w.Body.String(), w.Header().Get("Content-Length"))
		}
		if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'none'") || !strings.Contains(csp, "form-action 'self'") {
			t.Errorf("Content-Security-Policy = %q", csp)
		}
	})
	t.Run("OKOwnPolicy", func(t *testing.T) {
		w := httptest.NewRecorder()
		w.Header().Set("Content-Security-Policy", "default-src 'none'")
		web.WriteHTML(w, httptest.NewRequest("GET", "/", nil), 200, nil)
		if csp := w.Header().Values("Content-Security-Policy"); len(csp) != 1 || csp[0] != "default-src 'none'" {
			t.Errorf("Content-Security-Policy = %q", csp)
		}
	})
	t.Run("OKHead", func(t *testing.T) {
		w := httptest.NewRecorder()
		web.WriteHTML(w, httptest.NewRequest("HEAD", "/", nil), 200, []byte("<p>x</p>"))
		if w.Body.Len() != 0 || w.Header().Get("Content-Length") != "8" {
			t.Errorf("HEAD: body %q, Content-Length %q", w.Body.String(), w.Header().Get("Content-Length"))
		}
	})
}

func TestRender(t *testing.T) {
	fsys := fstest.MapFS{
		"t/layout.html": {Data: []byte(`{{define "layout"}}<h1>{{tr .EN "标题" "Title"}}</h1>{{template "content" .}}{{end}}`)},
		"t/ok.html":     {Data: []byte(`{{define "content"}}<p>{{.N}}</p>{{end}}`)},
		"t/half.html":   {Data: []byte(`{{define "content"}}<p>written</p>{{.Missing.Field}}{{end}}`)},
	}
	p, err := web.ParsePages(fsys, "t", []string{"layout.html"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	type data struct {
		EN bool
		N  int
	}
	w := httptest.NewRecorder()
	if err := p.Render(w, httptest.NewRequest("GET", "/", nil), 201, "ok", true, data{EN: true, N: 7}); err != nil {
		t.Fatal(err)
	}
	if w.Code != 201 || w.Body.String() != "<h1>Title</h1><p>7</p>" {
		t.Errorf("ok: %d %q", w.Code, w.Body.String())
	}
	w = httptest.NewRecorder()
	err = p.Render(w, httptest.NewRequest("GET", "/", nil), 200, "half", false, data{})
	if err == nil || !strings.Contains(err.Error(), "render half") {
		t.Errorf("half: err = %v", err)
	}
	if w.Body.Len() != 0 || w.Header().Get("Content-Type") != "" {
		t.Errorf("a failed page wrote %q with headers %v", w.Body.String(), w.Header())
	}
	if err := p.Render(w, httptest.NewRequest("GET", "/", nil), 200, "none", false, data{}); err == nil {
		t.Error("no error for a page that does not exist")
	}
}
