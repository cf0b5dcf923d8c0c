package demo

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xinyong/xinyong/internal/ident"
)

// Penalty categories (处罚类别) the demo uses.
const (
	catWarning    = "警告"
	catFine       = "罚款"
	catConfiscate = "没收违法所得"
	catRevoke     = "吊销许可证件"
	catSuspend    = "责令停产停业"
)

// Penalty returns an admin_penalty record of a penalty on o, with a
// violation that fits its line of business, decided within the last four
// years, and a new decision number.
func (g *Generator) Penalty(o Org) map[string]any {
	m := g.metaOf(o)
	var fit []*violation
	for i := range orgViolations {
		if v := &orgViolations[i]; fits(m.tags(), v.needs) {
			fit = append(fit, v)
		}
	}
	v := pick(g, fit)
	from := later(o.Founded.AddDate(0, 1, 0), g.today.AddDate(-4, 0, 0))
	rec := subject(o)
	g.fillPenalty(rec, v, o.Type == typeIndividual, authority(v.dept, m.pref), g.day(from, g.today), func(cert string, a *authInfo, day time.Time) string {
		for i := range licenceKinds {
			if k := &licenceKinds[i]; k.cert == cert && k.number != nil {
				return k.number(g, o, m, a, day.AddDate(-g.intn(1, 4), 0, 0))
			}
		}
		return ""
	})
	return rec
}

// PersonPenalty returns an admin_penalty record of a penalty on a natural
// person, identified by resident identity number, by a department of the
// prefecture the number was issued in.
func (g *Generator) PersonPenalty(p Person) map[string]any {
	pref := ""
	if len(p.IDNumber) >= 6 {
		if d, ok := ident.LookupDivision(p.IDNumber[:6]); ok && d.Parent != "420000" && d.Level == "county" {
			pref = d.Parent
		}
	}
	v := &personViolations[g.r.IntN(len(personViolations))]
	rec := map[string]any{
		"xdr_mc": p.Name,
		"xdr_lb": typePerson,
		"zjlx":   idCard,
		"zjhm":   p.IDNumber,
	}
	g.fillPenalty(rec, v, false, authority(v.dept, pref), g.day(g.today.AddDate(-4, 0, 0), g.today), nil)
	return rec
}

// fillPenalty adds the penalty fields to rec: categories drawn to fit the
// violation, amounts, texts, dates and the authority. Small businesses
// (individual ones) draw from the lower part of the fine range. licence
// returns the number of a revoked licence; nil when the subject holds none.
func (g *Generator) fillPenalty(rec map[string]any, v *violation, small bool, a *authInfo, day time.Time,
	licence func(cert string, a *authInfo, day time.Time) string) {
	cats := g.categories(v, licence != nil)

	lo, hi := v.fine[0], v.fine[1]
	gains := 60000
	if small {
		hi = lo + (hi-lo)/4
		gains = 8000
	}
	if slices.Contains(cats, catRevoke) || slices.Contains(cats, catSuspend) {
		lo = (lo + hi) / 2 // serious cases draw the upper half
	}
	var parts []string
	for _, c := range cats {
		switch c {
		case catWarning:
			parts = append(parts, "警告")
		case catFine:
			yuan := g.amount(lo, hi)
			rec["cf_nr_fk"] = wan(yuan)
			parts = append(parts, "罚款人民币"+strconv.Itoa(yuan)+"元")
		case catConfiscate:
			yuan := g.intn(300, gains)
			rec["cf_nr_wfff"] = wan(yuan)
			parts = append(parts, "没收违法所得人民币"+strconv.Itoa(yuan)+"元")
		case catRevoke:
			zk := v.licence + "（" + licence(v.licence, a, day) + "）"
			rec["cf_nr_zkdx"] = zk
			parts = append(parts, "吊销"+zk)
		case catSuspend:
			parts = append(parts, "责令停产停业整顿")
		}
	}
	content := parts[0]
	if len(parts) > 1 {
		for i := range parts {
			parts[i] = strconv.Itoa(i+1) + "." + parts[i]
		}
		content = strings.Join(parts, "；")
	}
	inspected := day.AddDate(0, 0, -g.intn(15, 90))

	rec["cf_wsh"] = g.docNumber(a, a.dept.penalty, day.Year())
	rec["cf_wfxw"] = v.wfxw
	rec["cf_sy"] = fmt.Sprintf(pick(g, v.facts), zhDate(inspected))
	rec["cf_yj"] = v.basis
	rec["cf_cflb"] = strings.Join(cats, ";")
	rec["cf_nr"] = "对当事人作出如下行政处罚：" + content + "。"
	rec["cf_jdrq"] = ymd(day)
	rec["cf_yxq"] = ymd(day.AddDate(g.intn(1, 3), 0, 0))
	rec["cf_cfjg"] = a.Name
	rec["cf_cfjgdm"] = a.USCC
	rec["cf_sjly"] = a.Name
	rec["cf_sjlydm"] = a.USCC
}

// categories draws the penalty categories: mostly a fine; a warning alone
// or with a fine where the law allows one; confiscation of illegal gains
// with a fine; now and then a suspension or the revocation of a licence.
// Licences are revoked only where the subject holds one (org).
func (g *Generator) categories(v *violation, org bool) []string {
	opts := [][]string{{catFine}}
	weights := []int{10}
	add := func(w int, cats ...string) {
		opts = append(opts, cats)
		weights = append(weights, w)
	}
	if v.warn {
		add(4, catWarning)
		if !v.warnOrFine {
			add(3, catWarning, catFine)
		}
	}
	if v.confiscate {
		add(4, catConfiscate, catFine)
	}
	w := max(v.severeWeight, 1)
	switch {
	case v.severe == catSuspend:
		add(w, catFine, catSuspend)
	case v.severe == catRevoke && org && v.confiscate:
		add(w, catConfiscate, catFine, catRevoke)
	case v.severe == catRevoke && org:
		add(w, catFine, catRevoke)
	}
	return opts[g.weighted(weights...)]
}

// amount draws a fine in yuan in [lo, hi]: whole hundreds below 10,000
// yuan, whole thousands above, and often whole 万元 above 20,000 yuan.
func (g *Generator) amount(lo, hi int) int {
	step := 100
	if lo >= 10000 {
		step = 1000
	}
	yuan := g.intn(lo/step, hi/step) * step
	if yuan >= 20000 && g.chance(0.6) {
		yuan = max(lo, yuan/10000*10000)
	}
	return yuan
}
