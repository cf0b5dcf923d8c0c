package chart

import (
	"html/template"
	"math"
	"strings"
)

// Point is one category of a [Share] chart: its label and a percentage, or
// no data at all, which is drawn as a gap and not as 0%.
type Point struct {
	Label   string
	Percent float64 // 0–100; values outside are clamped, NaN is no data
	NoData  bool    // nothing to report for this category
}

// Share is a chart of one percentage per category on a fixed 0–100% axis,
// such as the share of submissions made on time per month. Its zero value
// renders an empty chart.
type Share struct {
	ID     string  // element id prefix, unique in the page; default derived from a hash of the title and data
	Title  string  // accessible name: the <title>, named by aria-labelledby
	Desc   string  // the <desc>; default lists every point as "label: percent"
	Points []Point // in display order, left to right
	Line   bool    // draw a line with dots instead of bars
	Width  int     // viewBox width; default 640, at least 160
	Height int     // viewBox height; default 280, at least 80
	Format func(float64) string
	Words  Words // fixed texts; default Chinese // formats percentages and ticks; default one decimal at most, e.g. 87.5%
}

// shareTicks are the ticks of the percent axis.
var shareTicks = []float64{0, 25, 50, 75, 100}

// SVG returns the chart as an inline <svg> element: bars, or a line broken at
// every gap, with the percentage written above each point when it fits its
// slot. A gap is marked "无数据" (no data) and says so in its tooltip. Every
// bar, dot and gap has a tooltip; those of dots and gaps cover their whole
// slot, so they are easy to hit.
func (s Share) SVG() template.HTML {
	w, h := size(s.Width, s.Height, 640, 280)
	format := s.Format
	if format == nil {
		format = formatPercent
	}
	n := len(s.Points)
	labels := make([]string, n)
	values := make([]float64, n) // -1 for no data
	texts := make([]string, n)
	tips := make([]string, n)
	for i, p := range s.Points {
		labels[i] = p.Label
		if p.NoData || math.IsNaN(p.Percent) {
			values[i], texts[i] = -1, s.Words.noData()
		} else {
			values[i] = min(clamp(p.Percent), 100)
			if math.IsInf(p.Percent, 1) {
				values[i] = 100
			}
			texts[i] = format(values[i])
		}
		tips[i] = tooltip(labels[i], texts[i], "")
	}
	ticks := make([]string, len(shareTicks))
	for i, t := range shareTicks {
		ticks[i] = format(t)
	}

	var cv canvas
	cv.open("share", chartID(s.ID, "share", s.Title, labels, values), w, h, s.Title, describe(s.Desc, tips, s.Words))
	cv.words = s.Words
	f := newVFrame(w, h, labels, ticks, 100)
	f.axis(&cv, shareTicks, ticks)
	if n == 0 {
		cv.empty(f.x0, f.y0, f.x1, f.y1)
		f.baseline(&cv)
		return cv.close()
	}

	if s.Line {
		cv.printf(`<g class="chart-line" fill="none" stroke="%s" stroke-width="2" stroke-linejoin="round" stroke-linecap="round">`+"\n", colorBar)
		var pts []string
		flush := func() {
			if len(pts) > 1 {
				cv.printf(`<polyline points="%s"/>`+"\n", strings.Join(pts, " "))
			}
			pts = pts[:0]
		}
		for i, v := range values {
			if v < 0 {
				flush()
				continue
			}
			pts = append(pts, num(f.x(i))+","+num(f.y(v)))
		}
		flush()
		cv.printf("</g>\n")
	}

	// A bar carries its own tooltip. A gap or a dot sits in a group with an
	// invisible target the height of the plot, so its tooltip is easy to hit.
	bw := min(f.slot*0.62, 56)
	cv.printf(`<g class="chart-points" fill="%s">`+"\n", colorBar)
	for i, v := range values {
		switch {
		case v < 0 || s.Line:
			class := "chart-point"
			if v < 0 {
				class = "chart-gap"
			}
			cv.printf(`<g class="%s"><title>%s</title><rect x="%s" y="%s" width="%s" height="%s" fill="#fff" fill-opacity="0"/>`,
				class, esc(tips[i]), num(f.x(i)-f.slot/2), num(f.y0), num(f.slot), num(f.y1-f.y0))
			if v < 0 {
				mark := s.Words.noData()
				if textPx(mark) > f.slot-2 {
					mark = "–"
				}
				cv.printf(`<text class="chart-label" x="%s" y="%s" text-anchor="middle" fill="%s">%s</text>`,
					num(f.x(i)), num(f.y1-6), colorMuted, mark)
			} else {
				cv.printf(`<circle class="chart-dot" cx="%s" cy="%s" r="4" stroke="#fff" stroke-width="1.5"/>`, num(f.x(i)), num(f.y(v)))
			}
			cv.printf("</g>\n")
		default:
			cv.printf(`<rect class="chart-bar" x="%s" y="%s" width="%s" height="%s"><title>%s</title></rect>`+"\n",
				num(f.x(i)-bw/2), num(f.y(v)), num(bw), num(f.y1-f.y(v)), esc(tips[i]))
		}
	}
	cv.printf("</g>\n")
	f.baseline(&cv)
	var dy []float64
	if s.Line {
		dy = labelSides(f, values)
	}
	f.values(&cv, values, texts, dy)
	f.categories(&cv, labels)
	return cv.close()
}

// labelSides returns where to put each point's text on a line chart, as an
// offset from the point: above it, unless the line rises more steeply to a
// neighbour than it falls, then below, where the line is not. Negative
// values are gaps.
func labelSides(f vframe, values []float64) []float64 {
	const above, below = -10, 18
	dy := make([]float64, len(values))
	for i, v := range values {
		up, down := 0.0, 0.0
		for _, j := range []int{i - 1, i + 1} {
			if j < 0 || j >= len(values) || values[j] < 0 {
				continue
			}
			up, down = max(up, values[j]-v), max(down, v-values[j])
		}
		dy[i] = above
		if up > down && f.y(v)+below < f.y1-2 {
			dy[i] = below
		}
	}
	return dy
}
