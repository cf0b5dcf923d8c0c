package chart

import (
	"math"
	"unicode"
)

// Text measurement. The server cannot measure glyphs, so widths are
// estimated in units: one for a narrow (Latin, digit) rune and two for a wide
// (CJK) rune; a unit is a little over half an em, which errs on the wide side
// for common UI fonts.
const unitPx = 0.55 * fontSize

// Label limits, in units.
const (
	maxColumnLabel = 16 // a label under a column
	maxRowLabel    = 24 // default for a label beside a row: twelve Chinese characters
)

// scale is a value axis from 0 to top with nice round ticks.
type scale struct {
	ticks    []float64
	top      float64 // the value at the far end of the axis; never 0
	decimals int     // fractional digits the tick values need
}

// niceScale returns an axis covering 0..hi with 4–6 ticks spaced m×10^n
// apart, m one of 1, 2, 2.5 or 5. When integral is set (the data are whole
// numbers, such as counts) the spacing is a whole number too, so a small hi
// may give fewer ticks: 0 and 1 for a hi of 1. A hi of 0 gives the single
// tick 0.
func niceScale(hi float64, integral bool) scale {
	if !(hi > 0) || math.IsInf(hi, 0) {
		return scale{ticks: []float64{0}, top: 1}
	}
	mantissas := [...]int{10, 20, 25, 50} // tenths of m
	e := int(math.Floor(math.Log10(hi / 5)))
	for ; ; e++ {
		for _, m := range mantissas {
			// The step is m×10^(e-1); computing it as an integer over or
			// times a power of ten keeps ticks such as 0.3 exact.
			p := e - 1
			step := float64(m) * math.Pow10(p)
			if p < 0 {
				step = float64(m) / math.Pow10(-p)
			}
			if integral && (step < 1 || step != math.Trunc(step)) {
				continue
			}
			k := int(math.Ceil(hi/step - 1e-9))
			if k > 5 {
				continue
			}
			s := scale{ticks: make([]float64, k+1)}
			for i := range s.ticks {
				if p < 0 {
					s.ticks[i] = float64(i*m) / math.Pow10(-p)
				} else {
					s.ticks[i] = float64(i*m) * math.Pow10(p)
				}
			}
			s.top = s.ticks[k]
			// Multiples of 2.5×10^e need one digit more than those of
			// 1, 2 or 5×10^e.
			s.decimals = max(-p-1, 0)
			if m == 25 {
				s.decimals = max(-p, 0)
			}
			return s
		}
	}
}

// tickTexts formats the ticks with format, or with thousands separators and
// the decimals the ticks need when format is nil.
func (s scale) tickTexts(format func(float64) string) []string {
	out := make([]string, len(s.ticks))
	for i, t := range s.ticks {
		if format != nil {
			out[i] = format(t)
		} else {
			out[i] = formatNumber(t, s.decimals)
		}
	}
	return out
}

// integral reports whether all values are whole numbers.
func integral(vs []float64) bool {
	for _, v := range vs {
		if v != math.Trunc(v) {
			return false
		}
	}
	return true
}

// runeUnits returns the width of r in units: 2 for East Asian wide and
// fullwidth runes, 0 for combining marks and format characters, else 1.
func runeUnits(r rune) int {
	switch {
	case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf):
		return 0
	case r >= 0x1100 && r <= 0x115F, // Hangul Jamo
		r == 0x2026,                // … is full width in CJK fonts
		r >= 0x2E80 && r <= 0x303E, // CJK radicals, symbols and punctuation
		r >= 0x3041 && r <= 0x33FF, // kana, CJK compatibility
		r >= 0x3400 && r <= 0x4DBF, // CJK extension A
		r >= 0x4E00 && r <= 0x9FFF, // CJK unified ideographs
		r >= 0xA000 && r <= 0xA4CF, // Yi
		r >= 0xAC00 && r <= 0xD7A3, // Hangul syllables
		r >= 0xF900 && r <= 0xFAFF, // CJK compatibility ideographs
		r >= 0xFE30 && r <= 0xFE4F, // CJK compatibility forms
		r >= 0xFF00 && r <= 0xFF60, // fullwidth forms
		r >= 0xFFE0 && r <= 0xFFE6,
		r >= 0x20000 && r <= 0x3FFFD: // CJK extensions B and later
		return 2
	}
	return 1
}

// units returns the estimated width of s in units.
func units(s string) int {
	n := 0
	for _, r := range s {
		n += runeUnits(r)
	}
	return n
}

// textPx returns the estimated width of s in pixels at the default size.
func textPx(s string) float64 {
	return float64(units(s)) * unitPx
}

// widest returns the estimated width of the widest string, in pixels.
func widest(ss []string) float64 {
	w := 0.0
	for _, s := range ss {
		w = max(w, textPx(s))
	}
	return w
}

// truncate shortens s to at most limit units, ending it with "…", and
// reports whether it did.
func truncate(s string, limit int) (string, bool) {
	if units(s) <= limit {
		return s, false
	}
	budget := limit - runeUnits('…')
	n := 0
	for i, r := range s {
		if n+runeUnits(r) > budget {
			return s[:i] + "…", true
		}
		n += runeUnits(r)
	}
	return s, false
}

// vframe is the layout of a vertical bar or line chart: a value axis on the
// left, one slot per category along the bottom.
type vframe struct {
	x0, x1 float64 // left and right edges of the plot
	y0, y1 float64 // top of the plot and the baseline
	top    float64 // the value drawn at y0
	n      int     // number of slots
	slot   float64 // width of one slot
	labels xlabels
}

// xlabels is the layout of the category labels under a vframe.
type xlabels struct {
	text   []string // possibly truncated
	cut    []bool   // whether text[i] was truncated
	rotate bool     // drawn at 45°
	every  int      // draw every every-th label
	height float64  // space they need below the baseline
	reach  float64  // how far a rotated label reaches left of its slot centre
}

// newVFrame lays out a w×h chart whose value axis has the given tick texts
// and ends at top, with one slot per label.
func newVFrame(w, h int, labels, ticks []string, top float64) vframe {
	f := vframe{top: top, n: len(labels), y0: 20}
	// Absurdly wide tick labels may overflow rather than squeeze the plot.
	f.x0 = min(max(widest(ticks)+14, 24), 0.4*float64(w))
	f.x1 = float64(w) - 12
	f.fit(labels)
	if f.labels.rotate && f.labels.reach-f.slot/2 > f.x0-4 {
		// The first rotated label would run off the left edge.
		f.x0 = min(f.labels.reach-f.slot/2+4, 0.4*float64(w))
		f.fit(labels)
	}
	f.y1 = max(float64(h)-f.labels.height, f.y0+1)
	return f
}

// fit sets the slot width and lays out the labels: horizontal when the
// widest fits its slot, else rotated, and thinned when even rotated labels
// would collide.
func (f *vframe) fit(labels []string) {
	f.slot = max(f.x1-f.x0, 1) / float64(max(f.n, 1))
	xl := xlabels{every: 1, text: make([]string, len(labels)), cut: make([]bool, len(labels))}
	for i, l := range labels {
		xl.text[i], xl.cut[i] = truncate(l, maxColumnLabel)
	}
	w := widest(xl.text)
	xl.height = 24
	if w > f.slot-4 {
		xl.rotate = true
		// Rotated lines of text need about 1.5 em between their anchors.
		xl.every = max(1, int(math.Ceil(1.5*fontSize/f.slot)))
		xl.reach = w * math.Sqrt2 / 2
		xl.height = 24 + xl.reach // anchor offset, descent and slack
	}
	f.labels = xl
}

// x returns the centre of slot i.
func (f vframe) x(i int) float64 {
	return f.x0 + (float64(i)+0.5)*f.slot
}

// y returns the vertical position of value v.
func (f vframe) y(v float64) float64 {
	return f.y1 - min(v/f.top, 1)*(f.y1-f.y0)
}

// axis writes the gridlines and the tick labels.
func (f vframe) axis(c *canvas, ticks []float64, texts []string) {
	c.printf(`<g class="chart-grid" stroke="%s" shape-rendering="crispEdges">`+"\n", colorGrid)
	for _, t := range ticks[1:] {
		y := num(f.y(t))
		c.printf(`<line x1="%s" y1="%s" x2="%s" y2="%s"/>`+"\n", num(f.x0), y, num(f.x1), y)
	}
	c.printf("</g>\n")
	c.printf(`<g class="chart-axis chart-axis-y" fill="%s" text-anchor="end">`+"\n", colorTick)
	for i, t := range ticks {
		c.printf(`<text x="%s" y="%s">%s</text>`+"\n", num(f.x0-6), num(f.y(t)+4), esc(texts[i]))
	}
	c.printf("</g>\n")
}

// baseline writes the line at value 0, over the bars' feet.
func (f vframe) baseline(c *canvas) {
	c.printf(`<line class="chart-axis chart-baseline" x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" shape-rendering="crispEdges"/>`+"\n",
		num(f.x0), num(f.y1), num(f.x1), num(f.y1), colorAxis)
}

// categories writes the category labels under the slots; full are the
// labels as given. A truncated label
// carries the full one in a <title>.
func (f vframe) categories(c *canvas, full []string) {
	xl := f.labels
	if len(xl.text) == 0 {
		return
	}
	anchor := "middle"
	if xl.rotate {
		anchor = "end"
	}
	c.printf(`<g class="chart-label" fill="%s" text-anchor="%s">`+"\n", colorText, anchor)
	for i, t := range xl.text {
		if i%xl.every != 0 {
			continue
		}
		x := f.x(i)
		if xl.cut[i] {
			c.printf(`<g><title>%s</title>`, esc(full[i]))
		}
		if xl.rotate {
			ax, ay := num(x+3), num(f.y1+14)
			c.printf(`<text x="%s" y="%s" transform="rotate(-45 %s %s)">%s</text>`, ax, ay, ax, ay, esc(t))
		} else {
			c.printf(`<text x="%s" y="%s">%s</text>`, num(x), num(f.y1+17), esc(t))
		}
		if xl.cut[i] {
			c.printf(`</g>`)
		}
		c.printf("\n")
	}
	c.printf("</g>\n")
}
