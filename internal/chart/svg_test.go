package chart_test

import (
	"encoding/xml"
	"io"
	"slices"
	"strings"
	"testing"
)

// node is a parsed XML element.
type node struct {
	name  string
	attrs map[string]string
	text  string // character data directly inside
	kids  []*node
}

// MustParse parses an SVG document into a tree, failing the test on any
// XML error.
func MustParse(tb testing.TB, svg string) *node {
	tb.Helper()
	d := xml.NewDecoder(strings.NewReader(svg))
	var stack []*node
	var root *node
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			tb.Fatalf("not well-formed XML: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &node{name: tok.Name.Local, attrs: map[string]string{}}
			for _, a := range tok.Attr {
				n.attrs[a.Name.Local] = a.Value
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.kids = append(p.kids, n)
			} else if root != nil {
				tb.Fatal("more than one root element")
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(tok)
			}
		case xml.ProcInst, xml.Directive:
			tb.Fatalf("unexpected %T", tok)
		}
	}
	if root == nil {
		tb.Fatal("no root element")
	}
	return root
}

// walk calls fn for n and every element below it.
func (n *node) walk(fn func(*node)) {
	fn(n)
	for _, k := range n.kids {
		k.walk(fn)
	}
}

// CheckSVG checks what every chart must be: well-formed, one accessible
// <svg> image whose aria-labelledby names its <title> and <desc>, unique
// ids, a tooltip on every bar, and nothing executable or external.
func CheckSVG(tb testing.TB, svg string) {
	tb.Helper()
	root := MustParse(tb, svg)
	if root.name != "svg" || root.attrs["xmlns"] != "http://www.w3.org/2000/svg" {
		tb.Fatalf("root is <%s xmlns=%q>, want an SVG root", root.name, root.attrs["xmlns"])
	}
	for _, a := range []string{"viewBox", "role", "aria-labelledby", "width", "preserveAspectRatio"} {
		if root.attrs[a] == "" {
			tb.Errorf("<svg> lacks %s", a)
		}
	}
	if root.attrs["role"] != "img" || root.attrs["width"] != "100%" {
		tb.Errorf("<svg role=%q width=%q>, want role img and width 100%%", root.attrs["role"], root.attrs["width"])
	}
	ids := map[string]*node{}
	root.walk(func(n *node) {
		if id := n.attrs["id"]; id != "" {
			if ids[id] != nil {
				tb.Errorf("duplicate id %q", id)
			}
			ids[id] = n
		}
		for a := range n.attrs {
			if strings.HasPrefix(a, "on") || a == "href" || a == "style" {
				tb.Errorf("<%s> has attribute %s", n.name, a)
			}
		}
		switch n.name {
		case "script", "style", "image", "use", "foreignObject", "a":
			tb.Errorf("unexpected <%s>", n.name)
		}
		if n.attrs["class"] == "chart-bar" && (len(n.kids) != 1 || n.kids[0].name != "title" || n.kids[0].text == "") {
			tb.Errorf("bar at x=%s has no <title>", n.attrs["x"])
		}
	})
	names := strings.Fields(root.attrs["aria-labelledby"])
	if len(names) != 2 {
		tb.Fatalf("aria-labelledby=%q, want the title and desc ids", root.attrs["aria-labelledby"])
	}
	for i, want := range []string{"title", "desc"} {
		n := ids[names[i]]
		if n == nil || n.name != want || strings.TrimSpace(n.text) == "" {
			tb.Errorf("aria-labelledby names %q, want a non-empty <%s>", names[i], want)
		}
		if n != nil && slices.Index(root.kids, n) != i {
			tb.Errorf("<%s> is not child %d of <svg>", want, i)
		}
	}
	for _, bad := range []string{"NaN", "Inf", "<script", "javascript:"} {
		if strings.Contains(svg, bad) {
			tb.Errorf("output contains %q", bad)
		}
	}
}

// texts returns the character data of every element, decoded.
func texts(root *node) []string {
	var out []string
	root.walk(func(n *node) {
		if s := strings.TrimSpace(n.text); s != "" {
			out = append(out, s)
		}
	})
	return out
}
