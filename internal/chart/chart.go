// Package chart renders small bar and share charts as inline SVG for the
// server-rendered public portal, whose pages must work without JavaScript.
//
// Each chart type ([Columns], [Rows], [Share]) is a plain struct of labels and
// numbers whose SVG method returns a complete, self-contained <svg> element:
// role="img" with a <title> and a <desc> that lists the data for screen
// readers, a <title> tooltip on every bar or point, styling through classes
// (chart-bar, chart-axis, chart-grid, chart-label, chart-value, …) backed by
// presentation attributes so the chart looks right without any stylesheet,
// and no script, no style attribute, no <style> element and no external
// resource, so it passes a strict Content-Security-Policy. The font family is
// not set and so is inherited from the page. The output depends only on the
// input, so it can be compared against golden files.
//
// Labels are user data: every string is XML-escaped before it is written,
// which is what makes returning [template.HTML] safe.
//
// The package must import only the standard library: no storage, no HTTP and
// no domain packages. Callers turn their query results into labels and
// numbers.
package chart

import (
	"fmt"
	"hash/fnv"
	"html/template"
	"math"
	"strconv"
	"strings"
)

// Bar is one bar of a [Columns] or [Rows] chart: its label on the axis and
// its value. Negative, NaN and infinite values are drawn as 0, and values
// above 1e300 as 1e300.
type Bar struct {
	Label string
	Value float64
}

// Default presentation, used as attributes so charts look right without CSS.
const (
	fontSize   = 12
	colorBar   = "#1f5fa8"
	colorText  = "#333"
	colorTick  = "#555"
	colorGrid  = "#e3e7ed"
	colorAxis  = "#8c96a3"
	colorMuted = "#767676"
	emptyText  = "暂无数据"
	gapText    = "无数据"
	noTitle    = "图表"
)

// Words are the fixed texts a chart may show, in the page's language. The
// zero value is Chinese.
type Words struct {
	Empty  string // an empty chart; default 暂无数据
	NoData string // a gap in a Share chart; default 无数据
}

func (w Words) empty() string {
	if w.Empty == "" {
		return emptyText
	}
	return w.Empty
}

func (w Words) noData() string {
	if w.NoData == "" {
		return gapText
	}
	return w.NoData
}

// canvas accumulates the SVG markup of one chart.
type canvas struct {
	b     strings.Builder
	words Words
}

// printf appends formatted markup. Strings from callers must go through esc.
func (c *canvas) printf(format string, args ...any) {
	fmt.Fprintf(&c.b, format, args...)
}

// open writes the <svg> start tag, the <title> and the <desc>.
func (c *canvas) open(kind, id string, w, h int, title, desc string) {
	if strings.TrimSpace(title) == "" {
		title = noTitle
	}
	c.printf(`<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-%s" viewBox="0 0 %d %d" width="100%%" preserveAspectRatio="xMidYMid meet" role="img" aria-labelledby="%s-title %s-desc" font-size="%d">`+"\n",
		kind, w, h, id, id, fontSize)
	c.printf(`<title id="%s-title">%s</title>`+"\n", id, esc(title))
	c.printf(`<desc id="%s-desc">%s</desc>`+"\n", id, esc(desc))
}

// close writes the </svg> end tag and returns the markup.
func (c *canvas) close() template.HTML {
	c.b.WriteString("</svg>\n")
	return template.HTML(c.b.String())
}

// empty writes the "no data" note centred in the given box, with a white
// halo to keep it legible over gridlines.
func (c *canvas) empty(x0, y0, x1, y1 float64) {
	c.printf(`<text class="chart-empty" x="%s" y="%s" text-anchor="middle" fill="%s" stroke="#fff" stroke-width="6" stroke-linejoin="round" paint-order="stroke">%s</text>`+"\n",
		num((x0+x1)/2), num((y0+y1)/2+4), colorMuted, esc(c.words.empty()))
}

// esc escapes s for use as XML character data or a quoted attribute value.
// Runes that XML 1.0 does not allow, such as NUL, become U+FFFD.
func esc(s string) string {
	var b strings.Builder
	for _, r := range s { // invalid UTF-8 arrives as U+FFFD
		switch {
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '&':
			b.WriteString("&amp;")
		case r == '"':
			b.WriteString("&#34;")
		case r == '\'':
			b.WriteString("&#39;")
		case r == '\n' || r == '\r' || r == '\t':
			b.WriteByte(' ')
		case r < 0x20, r == 0xFFFE, r == 0xFFFF:
			b.WriteRune('\uFFFD')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// chartID returns id made safe for an XML id and an aria-labelledby list, or,
// when id is empty, an id derived from a hash of the chart's kind, title and
// data, so that distinct charts on one page get distinct ids.
func chartID(id, kind, title string, labels []string, values []float64) string {
	if id != "" {
		b := []byte(id)
		for i, c := range b {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				b[i] = '-'
			}
		}
		if !(b[0] >= 'a' && b[0] <= 'z' || b[0] >= 'A' && b[0] <= 'Z') {
			return "chart-" + string(b)
		}
		return string(b)
	}
	h := fnv.New64a()
	fmt.Fprintf(h, "%s\x00%s\x00", kind, title)
	for i, l := range labels {
		fmt.Fprintf(h, "%s\x00%g\x00", l, values[i])
	}
	return fmt.Sprintf("chart-%016x", h.Sum64())
}

// clamp returns v, or 0 for negative, NaN and infinite values, and at most
// 1e300 so that rounding an axis up cannot overflow.
func clamp(v float64) float64 {
	if !(v > 0) || math.IsInf(v, 0) {
		return 0
	}
	return min(v, maxValue)
}

// maxValue is the largest value drawn.
const maxValue = 1e300

// num formats a coordinate with at most one decimal.
func num(v float64) string {
	r := math.Round(v*10) / 10
	if r == 0 {
		r = 0 // no "-0"
	}
	return strconv.FormatFloat(r, 'f', -1, 64)
}

// formatNumber formats v with thousands separators and at most decimals
// fractional digits, without trailing zeros: 12345 → "12,345", 2.50 → "2.5".
func formatNumber(v float64, decimals int) string {
	if p := math.Pow10(decimals); math.Abs(v*p) < 1e15 {
		v = math.Round(v*p) / p // halves away from zero: 95.25 → 95.3
	}
	s := strconv.FormatFloat(v, 'f', decimals, 64)
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, _ := strings.Cut(s, ".")
	frac = strings.TrimRight(frac, "0")
	var b strings.Builder
	b.WriteString(sign)
	for i, d := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(d)
	}
	if frac != "" {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	if b.String() == "-0" {
		return "0"
	}
	return b.String()
}

// formatValue is the default value format: thousands separators and at most
// two decimals.
func formatValue(v float64) string {
	return formatNumber(v, 2)
}

// formatPercent is the default percent format: at most one decimal and a
// percent sign, e.g. "87.5%".
func formatPercent(v float64) string {
	return formatNumber(v, 1) + "%"
}

// tooltip returns "label: value unit".
func tooltip(label, value, unit string) string {
	if unit == "" {
		return label + ": " + value
	}
	return label + ": " + value + " " + unit
}

// describe returns desc, or when desc is empty, the tooltips joined into one
// sentence so that screen readers, which treat the chart as one image, can
// read the data.
func describe(desc string, tips []string, w Words) string {
	if desc != "" {
		return desc
	}
	if len(tips) == 0 {
		return w.empty()
	}
	return strings.Join(tips, "; ")
}
