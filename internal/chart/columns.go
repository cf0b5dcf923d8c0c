package chart

import "html/template"

// Columns is a vertical bar chart of one value per category, such as records
// per month. Its zero value renders an empty chart.
type Columns struct {
	ID     string // element id prefix, unique in the page; default derived from a hash of the title and data
	Title  string // accessible name: the <title>, named by aria-labelledby
	Desc   string // the <desc>; default lists every bar as "label: value unit"
	Unit   string // shown after values in tooltips, e.g. "条"
	Bars   []Bar  // in display order, left to right
	Width  int    // viewBox width; default 640, at least 160
	Height int    // viewBox height; default 280, at least 80
	Format func(float64) string
	Words  Words // fixed texts; default Chinese // formats values and ticks; default thousands separators, e.g. 12,345
}

// SVG returns the chart as an inline <svg> element. Labels too wide for their
// column are rotated, and thinned when there are too many to rotate; a value
// is written above its bar when it fits the column. Every bar has a tooltip.
func (c Columns) SVG() template.HTML {
	w, h := size(c.Width, c.Height, 640, 280)
	labels, values := split(c.Bars)
	format := c.Format
	if format == nil {
		format = formatValue
	}
	tips := make([]string, len(values))
	texts := make([]string, len(values))
	for i, v := range values {
		texts[i] = format(v)
		tips[i] = tooltip(labels[i], texts[i], c.Unit)
	}
	sc := niceScale(maxOf(values), integral(values))
	ticks := sc.tickTexts(c.Format)

	var cv canvas
	cv.open("columns", chartID(c.ID, "columns", c.Title, labels, values), w, h, c.Title, describe(c.Desc, tips, c.Words))
	cv.words = c.Words
	f := newVFrame(w, h, labels, ticks, sc.top)
	f.axis(&cv, sc.ticks, ticks)
	if len(values) == 0 {
		cv.empty(f.x0, f.y0, f.x1, f.y1)
		f.baseline(&cv)
		return cv.close()
	}
	bw := min(f.slot*0.62, 56)
	cv.printf(`<g class="chart-bars" fill="%s">`+"\n", colorBar)
	for i, v := range values {
		y := f.y(v)
		if v > 0 && f.y1-y < 1 {
			y = f.y1 - 1 // a non-zero value stays visible beside a huge one
		}
		cv.printf(`<rect class="chart-bar" x="%s" y="%s" width="%s" height="%s"><title>%s</title></rect>`+"\n",
			num(f.x(i)-bw/2), num(y), num(bw), num(f.y1-y), esc(tips[i]))
	}
	cv.printf("</g>\n")
	f.baseline(&cv)
	f.values(&cv, values, texts, nil)
	f.categories(&cv, labels)
	return cv.close()
}

// values writes each text at dy[i] pixels below its value, or 5 above when
// dy is nil, when the text fits the slot. Negative values mark gaps and get
// no text.
func (f vframe) values(c *canvas, values []float64, texts []string, dy []float64) {
	c.printf(`<g class="chart-value" fill="%s" text-anchor="middle">`+"\n", colorText)
	for i, v := range values {
		if v < 0 || textPx(texts[i]) > f.slot-2 {
			continue
		}
		d := -5.0
		if dy != nil {
			d = dy[i]
		}
		c.printf(`<text x="%s" y="%s">%s</text>`+"\n", num(f.x(i)), num(f.y(v)+d), esc(texts[i]))
	}
	c.printf("</g>\n")
}

// size returns w and h, or the defaults for those not positive, and at
// least minWidth×minHeight.
func size(w, h, dw, dh int) (int, int) {
	if w <= 0 {
		w = dw
	}
	if h <= 0 {
		h = dh
	}
	return max(w, minWidth), max(h, minHeight)
}

// The smallest viewBox a chart gets.
const (
	minWidth  = 160
	minHeight = 80
)

// split returns the labels and the clamped values of bars.
func split(bars []Bar) ([]string, []float64) {
	labels := make([]string, len(bars))
	values := make([]float64, len(bars))
	for i, b := range bars {
		labels[i], values[i] = b.Label, clamp(b.Value)
	}
	return labels, values
}

// maxOf returns the largest value, or 0 for none.
func maxOf(values []float64) float64 {
	m := 0.0
	for _, v := range values {
		m = max(m, v)
	}
	return m
}
