package chart

import (
	"html/template"
	"math"
)

// Rows is a horizontal bar chart of one value per category, such as records
// by department. It suits many categories and long labels. Its zero value
// renders an empty chart.
type Rows struct {
	ID     string // element id prefix, unique in the page; default derived from a hash of the title and data
	Title  string // accessible name: the <title>, named by aria-labelledby
	Desc   string // the <desc>; default lists every bar as "label: value unit"
	Unit   string // shown after values in tooltips, e.g. "条"
	Bars   []Bar  // in display order, top to bottom
	Width  int    // viewBox width; default 640, at least 160
	Height int    // viewBox height; default 28 per row plus the axis, at least 80
	Format func(float64) string
	Words  Words // fixed texts; default Chinese // formats values and ticks; default thousands separators, e.g. 12,345

	// LabelMax is the widest label, in units where a Chinese character is
	// two and a Latin letter or digit one; longer labels are cut short with
	// "…" and keep their full text in tooltips. Default 24, twelve Chinese
	// characters; never more than 40% of the width.
	LabelMax int
}

// Row layout, in viewBox pixels.
const (
	rowHeight = 28 // default height of one row
	rowsTop   = 8  // space above the first row
	rowsAxis  = 26 // space below the last row for tick labels
)

// SVG returns the chart as an inline <svg> element: labels on the left, bars
// growing right from a common axis, each value written after its bar, and a
// value axis with gridlines along the bottom. Every bar has a tooltip.
func (r Rows) SVG() template.HTML {
	labels, values := split(r.Bars)
	w, h := size(r.Width, r.Height, 640, rowsTop+rowsAxis+rowHeight*max(len(values), 2))
	format := r.Format
	if format == nil {
		format = formatValue
	}
	tips := make([]string, len(values))
	texts := make([]string, len(values))
	for i, v := range values {
		texts[i] = format(v)
		tips[i] = tooltip(labels[i], texts[i], r.Unit)
	}
	sc := niceScale(maxOf(values), integral(values))
	ticks := sc.tickTexts(r.Format)

	limit := r.LabelMax
	if limit <= 0 {
		limit = maxRowLabel
	}
	limit = min(limit, int(0.4*float64(w)/unitPx))
	short := make([]string, len(labels))
	cut := make([]bool, len(labels))
	for i, l := range labels {
		short[i], cut[i] = truncate(l, limit)
	}

	x0 := 8 + widest(short) + 8
	x1 := float64(w) - 4 - min(max(widest(texts)+6, textPx(ticks[len(ticks)-1])/2+2), 0.3*float64(w))
	x1 = max(x1, x0+1)
	y0, y1 := float64(rowsTop), float64(h-rowsAxis)
	x := func(v float64) float64 { return x0 + min(v/sc.top, 1)*(x1-x0) }

	var cv canvas
	cv.open("rows", chartID(r.ID, "rows", r.Title, labels, values), w, h, r.Title, describe(r.Desc, tips, r.Words))
	cv.words = r.Words

	// Gridlines and tick labels, thinned when wide labels would collide.
	cv.printf(`<g class="chart-grid" stroke="%s" shape-rendering="crispEdges">`+"\n", colorGrid)
	for _, t := range sc.ticks[1:] {
		cv.printf(`<line x1="%s" y1="%s" x2="%s" y2="%s"/>`+"\n", num(x(t)), num(y0), num(x(t)), num(y1))
	}
	cv.printf("</g>\n")
	every := 1
	if n := len(sc.ticks); n > 1 {
		every = max(1, int(math.Ceil((widest(ticks)+8)/((x1-x0)/float64(n-1)))))
	}
	cv.printf(`<g class="chart-axis chart-axis-x" fill="%s" text-anchor="middle">`+"\n", colorTick)
	for i, t := range sc.ticks {
		if i%every == 0 {
			cv.printf(`<text x="%s" y="%s">%s</text>`+"\n", num(x(t)), num(y1+17), esc(ticks[i]))
		}
	}
	cv.printf("</g>\n")

	if len(values) == 0 {
		cv.empty(x0, y0, x1, y1)
	} else {
		step := (y1 - y0) / float64(len(values))
		bh := min(step*0.62, 22)
		mid := func(i int) float64 { return y0 + (float64(i)+0.5)*step }

		cv.printf(`<g class="chart-bars" fill="%s">`+"\n", colorBar)
		for i, v := range values {
			bw := x(v) - x0
			if v > 0 && bw < 1 {
				bw = 1 // a non-zero value stays visible beside a huge one
			}
			cv.printf(`<rect class="chart-bar" x="%s" y="%s" width="%s" height="%s"><title>%s</title></rect>`+"\n",
				num(x0), num(mid(i)-bh/2), num(bw), num(bh), esc(tips[i]))
		}
		cv.printf("</g>\n")

		cv.printf(`<g class="chart-label" fill="%s" text-anchor="end">`+"\n", colorText)
		for i, s := range short {
			if cut[i] {
				cv.printf(`<g><title>%s</title>`, esc(labels[i]))
			}
			cv.printf(`<text x="%s" y="%s">%s</text>`, num(x0-8), num(mid(i)+4), esc(s))
			if cut[i] {
				cv.printf(`</g>`)
			}
			cv.printf("\n")
		}
		cv.printf("</g>\n")

		cv.printf(`<g class="chart-value" fill="%s">`+"\n", colorText)
		for i, v := range values {
			cv.printf(`<text x="%s" y="%s">%s</text>`+"\n", num(max(x(v), x0+1)+5), num(mid(i)+4), esc(texts[i]))
		}
		cv.printf("</g>\n")
	}
	cv.printf(`<line class="chart-axis chart-baseline" x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" shape-rendering="crispEdges"/>`+"\n",
		num(x0), num(y0), num(x0), num(y1), colorAxis)
	return cv.close()
}
