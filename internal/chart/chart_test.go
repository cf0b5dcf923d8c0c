package chart_test

import (
	"fmt"
	"html/template"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/xinyong/xinyong/internal/chart"
)

func TestEscaping(t *testing.T) {
	for _, tc := range []struct {
		name  string
		svg   template.HTML
		want  []string // decoded texts that must appear exactly
		never []string // raw substrings that must not appear
	}{
		{
			name: "OK",
			svg: chart.Columns{
				Title: `<b>"R&D"</b>`,
				Desc:  `</desc><script>x</script>`,
				Bars:  []chart.Bar{{`<script>alert(1)</script>`, 3}, {`"&`, 5}},
			}.SVG(),
			want:  []string{`<b>"R&D"</b>`, `</desc><script>x</script>`, `<script>alert(1)</script>: 3`, `"&: 5`},
			never: []string{`<b>`, `<script>`, `"&`},
		},
		{
			name:  "OKRows",
			svg:   chart.Rows{Title: "t", Bars: []chart.Bar{{`a"b<c>&d`, 1}}}.SVG(),
			want:  []string{`a"b<c>&d`, `a"b<c>&d: 1`},
			never: []string{`<c>`, `"b`, `&d`},
		},
		{
			name:  "OKShare",
			svg:   chart.Share{Title: "t", Points: []chart.Point{{Label: `<i>'`, NoData: true}}}.SVG(),
			want:  []string{`<i>'`, `<i>': 无数据`},
			never: []string{`<i>`},
		},
		{
			name:  "OKInvalidXMLRunes",
			svg:   chart.Columns{Title: "a\x00b\x1b\xffc", Bars: []chart.Bar{{"x", 1}}}.SVG(),
			want:  []string{"a\uFFFDb\uFFFD\uFFFDc"},
			never: []string{"\x00", "\x1b"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := string(tc.svg)
			CheckSVG(t, s)
			got := texts(MustParse(t, s))
			for _, w := range tc.want {
				if !slices.Contains(got, w) {
					t.Errorf("no text %q in %q", w, got)
				}
			}
			for _, n := range tc.never {
				if strings.Contains(s, n) {
					t.Errorf("raw output contains %q", n)
				}
			}
		})
	}
}

func TestNiceTicks(t *testing.T) {
	for _, tc := range []struct {
		max      float64
		integral bool
		want     []float64
	}{
		{0, true, []float64{0}},
		{-3, true, []float64{0}},
		{math.NaN(), false, []float64{0}},
		{1, true, []float64{0, 1}},
		{3, true, []float64{0, 1, 2, 3}},
		{3, false, []float64{0, 1, 2, 3}},
		{7, true, []float64{0, 2, 4, 6, 8}},
		{9, true, []float64{0, 2, 4, 6, 8, 10}},
		{100, true, []float64{0, 20, 40, 60, 80, 100}},
		{101, true, []float64{0, 25, 50, 75, 100, 125}},
		{12001, true, []float64{0, 2500, 5000, 7500, 10000, 12500}},
		{0.37, false, []float64{0, 0.1, 0.2, 0.3, 0.4}},
		{1, false, []float64{0, 0.2, 0.4, 0.6, 0.8, 1}},
		{0.09, false, []float64{0, 0.02, 0.04, 0.06, 0.08, 0.1}},
		{0.11, false, []float64{0, 0.025, 0.05, 0.075, 0.1, 0.125}},
		{1e12, true, []float64{0, 2e11, 4e11, 6e11, 8e11, 1e12}},
	} {
		t.Run(fmt.Sprint(tc.max, tc.integral), func(t *testing.T) {
			if got := chart.NiceTicks(tc.max, tc.integral); !slices.Equal(got, tc.want) {
				t.Errorf("NiceTicks(%v, %v) = %v, want %v", tc.max, tc.integral, got, tc.want)
			}
		})
	}
}

// TestNiceTicksRange checks, over many maxima, that non-integral axes have
// 4–6 ticks, cover the maximum, and step by 1, 2, 2.5 or 5 × 10^n.
func TestNiceTicksRange(t *testing.T) {
	for e := -4; e <= 15; e++ {
		for m := 1.0; m < 10; m += 0.37 {
			max := m * math.Pow10(e)
			ticks := chart.NiceTicks(max, false)
			if n := len(ticks); n < 4 || n > 6 {
				t.Errorf("NiceTicks(%g): %d ticks %v", max, n, ticks)
				continue
			}
			if ticks[len(ticks)-1] < max {
				t.Errorf("NiceTicks(%g) = %v ends below the maximum", max, ticks)
			}
			step := ticks[1]
			mant := step / math.Pow10(int(math.Floor(math.Log10(step))))
			if mant >= 10-1e-9 {
				mant /= 10
			}
			if !slices.ContainsFunc([]float64{1, 2, 2.5, 5}, func(f float64) bool { return math.Abs(f-mant) < 1e-9 }) {
				t.Errorf("NiceTicks(%g) steps by %g", max, step)
			}
		}
	}
}

func TestTruncate(t *testing.T) {
	for _, tc := range []struct {
		in    string
		limit int
		want  string
	}{
		{"省统计局", 8, "省统计局"},
		{"省市场监督管理局", 8, "省市场…"},
		{"省市场监督管理局", 9, "省市场…"},
		{"Bureau of Statistics", 10, "Bureau o…"},
		{"abc", 3, "abc"},
		{"省a市b", 5, "省a…"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := chart.Truncate(tc.in, tc.limit); got != tc.want {
				t.Errorf("Truncate(%q, %d) = %q, want %q", tc.in, tc.limit, got, tc.want)
			}
			if u := chart.Units(chart.Truncate(tc.in, tc.limit)); u > tc.limit {
				t.Errorf("Truncate(%q, %d) is %d units wide", tc.in, tc.limit, u)
			}
		})
	}
}

// TestLabels checks that category labels never overlap: horizontal labels
// are no wider than the distance between them, and rotated ones are at
// least 1.5 em apart.
func TestLabels(t *testing.T) {
	for _, tc := range []struct {
		name     string
		bars     []chart.Bar
		minShown int
	}{
		{"Short", []chart.Bar{{"1月", 1}, {"2月", 2}, {"3月", 3}}, 3},
		{"Months", months(slices.Repeat([]float64{12345}, 12)...), 12},
		{"ThreeYears", months(slices.Repeat([]float64{1}, 36)...), 12},
		{"TenYears", months(slices.Repeat([]float64{1}, 120)...), 24},
		{"LongNames", []chart.Bar{{"省市场监督管理局", 1}, {"省生态环境厅", 2}, {"国家税务总局某某省税务局", 3}}, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := MustParse(t, string(chart.Columns{Title: "t", Bars: tc.bars}.SVG()))
			var labels []*node
			root.walk(func(n *node) {
				if n.attrs["class"] == "chart-label" {
					for _, k := range n.kids {
						if k.name == "g" { // a truncated label with its full text in a <title>
							k = k.kids[1]
						}
						labels = append(labels, k)
					}
				}
			})
			if len(labels) < tc.minShown {
				t.Errorf("%d labels shown, want at least %d", len(labels), tc.minShown)
			}
			for i := 1; i < len(labels); i++ {
				a, b := labels[i-1], labels[i]
				var ax, bx float64
				fmt.Sscan(a.attrs["x"], &ax)
				fmt.Sscan(b.attrs["x"], &bx)
				need := float64(chart.Units(a.text)+chart.Units(b.text))/2*0.55*12 + 2
				if a.attrs["transform"] != "" {
					need = 18
				}
				if bx-ax < need {
					t.Errorf("labels %q and %q are %.1f apart, need %.1f", a.text, b.text, bx-ax, need)
				}
			}
		})
	}
}

func TestIDs(t *testing.T) {
	a := chart.Columns{Title: "各月记录", Bars: months(1, 2)}.SVG()
	b := chart.Columns{Title: "各月记录", Bars: months(1, 3)}.SVG()
	c := chart.Rows{Title: "各月记录", Bars: months(1, 2)}.SVG()
	d := chart.Columns{ID: "monthly", Title: "各月记录", Bars: months(1, 2)}.SVG()
	id := func(s template.HTML) string {
		return strings.Fields(MustParse(t, string(s)).attrs["aria-labelledby"])[0]
	}
	if a != (chart.Columns{Title: "各月记录", Bars: months(1, 2)}).SVG() {
		t.Error("output is not deterministic")
	}
	if id(a) == id(b) || id(a) == id(c) {
		t.Errorf("different charts share id %q", id(a))
	}
	if id(d) != "monthly-title" {
		t.Errorf("ID field gave %q, want monthly-title", id(d))
	}
}

// TestTemplate checks that a chart passes through html/template unescaped.
func TestTemplate(t *testing.T) {
	tmpl := template.Must(template.New("p").Parse(`<figure>{{.}}</figure>`))
	var b strings.Builder
	svg := chart.Share{Title: "t", Points: []chart.Point{{Label: "<x>", Percent: 50}}}.SVG()
	if err := tmpl.Execute(&b, svg); err != nil {
		t.Fatal(err)
	}
	if want := "<figure>" + string(svg) + "</figure>"; b.String() != want {
		t.Errorf("template changed the chart:\n%s", b.String())
	}
}

func TestFormat(t *testing.T) {
	for _, tc := range []struct {
		v              float64
		value, percent string
	}{
		{0, "0", "0%"},
		{7, "7", "7%"},
		{999, "999", "999%"},
		{1000, "1,000", "1,000%"},
		{12345, "12,345", "12,345%"},
		{1234567.891, "1,234,567.89", "1,234,567.9%"},
		{95.25, "95.25", "95.3%"},
		{2.5, "2.5", "2.5%"},
		{0.004, "0", "0%"},
		{1e12, "1,000,000,000,000", "1,000,000,000,000%"},
	} {
		t.Run(fmt.Sprint(tc.v), func(t *testing.T) {
			if got := chart.FormatValue(tc.v); got != tc.value {
				t.Errorf("value %v formats as %q, want %q", tc.v, got, tc.value)
			}
			if got := chart.FormatPercent(tc.v); got != tc.percent {
				t.Errorf("percent %v formats as %q, want %q", tc.v, got, tc.percent)
			}
		})
	}
}

// TestExtremes checks that odd values neither break the markup nor leak NaN
// or Inf into it, and that bars keep a positive size.
func TestExtremes(t *testing.T) {
	odd := []float64{math.MaxFloat64, math.Inf(1), math.Inf(-1), math.NaN(), -1, math.SmallestNonzeroFloat64, 0}
	bars := make([]chart.Bar, len(odd))
	points := make([]chart.Point, len(odd))
	for i, v := range odd {
		bars[i] = chart.Bar{Label: fmt.Sprint("v", i), Value: v}
		points[i] = chart.Point{Label: fmt.Sprint("v", i), Percent: v}
	}
	for _, tc := range []struct {
		name string
		svg  template.HTML
	}{
		{"Columns", chart.Columns{Title: "t", Bars: bars}.SVG()},
		{"Rows", chart.Rows{Title: "t", Bars: bars}.SVG()},
		{"Share", chart.Share{Title: "t", Points: points}.SVG()},
		{"ShareLine", chart.Share{Title: "t", Points: points, Line: true}.SVG()},
		{"Tiny", chart.Columns{Title: "t", Bars: bars, Width: 10, Height: 10}.SVG()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			CheckSVG(t, string(tc.svg))
			MustParse(t, string(tc.svg)).walk(func(n *node) {
				for _, a := range []string{"width", "height"} {
					if n.name == "rect" && strings.HasPrefix(n.attrs[a], "-") {
						t.Errorf("rect with %s=%s", a, n.attrs[a])
					}
				}
			})
		})
	}
}
