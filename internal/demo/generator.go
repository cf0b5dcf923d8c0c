// Package demo makes realistic, deterministic demo data for the Hubei
// provincial social credit platform: organisations and individual
// businesses with valid unified social credit codes drawn from real Hubei
// division codes, natural persons with valid resident identity numbers, and
// records of the catalogue items registration_basic, admin_licensing,
// admin_penalty and commendation that pass the catalogue's validation. It is
// meant for demonstrations, development databases and tests; the same seed
// and day always give the same data.
//
// Records are maps from catalogue field code to string value, ready for
// (*catalog.Item).Check; file.go writes them as the CSV, XLSX and JSON
// Lines files departments export. The package imports identifiers, the
// catalogue, excelize and x/text, and no storage or HTTP.
package demo

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xinyong/xinyong/internal/ident"
)

// Subject categories as the catalogue names them.
const (
	typeOrg        = "法人及非法人组织"
	typeIndividual = "个体工商户"
	typePerson     = "自然人"
	idCard         = "身份证"
)

// Generator makes demo subjects and records. Not safe for concurrent use.
type Generator struct {
	r     *rand.Rand
	today time.Time // the calendar day of today, at midnight UTC

	counties []ident.Division // county-level divisions
	wuhan    []ident.Division // Wuhan's districts, drawn more often
	divs     map[string]ident.Division

	usccs  map[string]bool
	names  map[string]bool
	ids    map[string]bool
	docSeq map[string]int      // last document number per prefix and year
	meta   map[string]*orgMeta // by USCC, for organisations made here
	serial int                 // last licence serial
}

// orgMeta is what the generator remembers about an organisation it made.
type orgMeta struct {
	county   ident.Division
	pref     string // prefecture code; "" directly under the province
	industry *industry
	shop     *shop
	form     string // legal form (有限公司 ...); "" for individual businesses
	address  string
	granted  map[int]bool // licence kinds granted, by index in licenceKinds
}

// Org is a demo organisation or individual business. Record methods also
// accept an Org the generator did not make (with Founded set); they then
// invent a line of business and address for it.
type Org struct {
	Name, USCC, Division, Type string // Type: 法人及非法人组织 or 个体工商户
	LegalRep, LegalRepID       string // name and a valid 18-digit resident identity number
	Founded                    time.Time
}

// Person is a demo natural person.
type Person struct{ Name, IDNumber string }

// New returns a generator seeded with seed. today is the current day (its
// calendar date in its own location counts); no date generated is after it.
func New(seed int64, today time.Time) *Generator {
	y, m, d := today.Date()
	g := &Generator{
		r:      rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15)),
		today:  time.Date(y, m, d, 0, 0, 0, 0, time.UTC),
		divs:   map[string]ident.Division{},
		usccs:  map[string]bool{},
		names:  map[string]bool{},
		ids:    map[string]bool{},
		docSeq: map[string]int{},
		meta:   map[string]*orgMeta{},
	}
	for _, d := range ident.HubeiDivisions() {
		g.divs[d.Code] = d
		if d.Level != "county" {
			continue
		}
		g.counties = append(g.counties, d)
		if d.Parent == "420100" {
			g.wuhan = append(g.wuhan, d)
		}
	}
	return g
}

// Org returns a new organisation, unique in name and code among those this
// generator has made. About 15% are individual businesses.
func (g *Generator) Org() Org {
	county := g.county()
	m := &orgMeta{county: county, granted: map[int]bool{}}
	if county.Parent != "420000" {
		m.pref = county.Parent
	}
	individual := g.chance(0.15)
	from := date(1995, 1, 1)
	if individual {
		from = date(2008, 1, 1)
	}
	founded := g.recentDay(from, g.today.AddDate(0, 0, -30))

	o := Org{Division: county.Code, Founded: founded, Type: typeOrg}
	birthTo := min(2000, founded.Year()-20)
	repDiv := county.Code
	if g.chance(0.4) {
		repDiv = g.county().Code
	}
	rep := g.person(repDiv, date(1955, 1, 1), date(birthTo, 12, 31))
	o.LegalRep, o.LegalRepID = rep.Name, rep.IDNumber

	newStyle := individual || !founded.Before(date(2015, 10, 1))
	entityType := byte('1')
	if individual {
		entityType = '2'
		o.Type = typeIndividual
	}
	for {
		var body string
		if newStyle {
			body = "MA4" + g.symbols(usccAlphabet, 5)
		} else {
			body = g.symbols("0123456789", 8)
		}
		u, err := ident.MakeUSCC('9', entityType, county.Code, body)
		if err != nil {
			panic("demo: " + err.Error())
		}
		if !g.usccs[u] {
			g.usccs[u] = true
			o.USCC = u
			break
		}
	}

	if individual {
		o.Name = g.unique(func() string {
			m.shop = &shops[g.r.IntN(len(shops))]
			return localName(g.divs, county) + pick(g, surnames) + pick(g, []string{"记", "家"}) + m.shop.name
		})
	} else {
		m.form = legalForms[g.weighted(6, 3, 1)]
		o.Name = g.unique(func() string {
			m.industry = &industries[g.r.IntN(len(industries))]
			return g.region(m) + pick(g, brandFirst) + pick(g, brandSecond) + m.industry.name + m.form
		})
	}
	m.address = g.address(county, individual)
	g.meta[o.USCC] = m
	return o
}

// Person returns a new natural person born 1955–2000 in a Hubei county.
func (g *Generator) Person() Person {
	return g.person(g.county().Code, date(1955, 1, 1), date(2000, 12, 31))
}

// person makes a person born in division between from and to, with an
// identity number not used before in this generator and a given name that
// fits the sex the number's sequence code implies.
func (g *Generator) person(division string, from, to time.Time) Person {
	if to.After(g.today) {
		to = g.today
	}
	for {
		birth := g.day(from, to)
		seq := g.r.IntN(1000)
		id, err := ident.MakeIDCard(division, birth, seq)
		if err != nil {
			panic("demo: " + err.Error())
		}
		if g.ids[id] {
			continue
		}
		g.ids[id] = true
		given := givenFemale
		if seq%2 == 1 {
			given = givenMale
		}
		first := pick(g, given)
		name := pick(g, surnames) + first
		if g.chance(0.7) {
			second := pick(g, given)
			for second == first {
				second = pick(g, given)
			}
			name += second
		}
		return Person{Name: name, IDNumber: id}
	}
}

// metaOf returns what the generator knows of o, inventing a consistent
// profile for an organisation it did not make.
func (g *Generator) metaOf(o Org) *orgMeta {
	if m, ok := g.meta[o.USCC]; ok {
		return m
	}
	county, ok := g.divs[o.Division]
	if !ok || county.Level != "county" {
		county = g.county()
	}
	m := &orgMeta{county: county, industry: &industries[g.r.IntN(len(industries))], granted: map[int]bool{}}
	if county.Parent != "420000" {
		m.pref = county.Parent
	}
	if o.Type == typeIndividual {
		m.industry, m.shop = nil, &shops[g.r.IntN(len(shops))]
	} else {
		m.form = "有限公司"
		for _, f := range legalForms {
			if strings.HasSuffix(o.Name, f) {
				m.form = f
			}
		}
	}
	m.address = g.address(county, o.Type == typeIndividual)
	g.meta[o.USCC] = m
	return m
}

// has reports whether the organisation's line of business has the tag.
func (m *orgMeta) has(tag string) bool { return slices.Contains(m.tags(), tag) }

// tags returns the organisation's industry tags.
func (m *orgMeta) tags() []string {
	if m.shop != nil {
		return m.shop.tags
	}
	return m.industry.tags
}

// scope returns the organisation's business scope.
func (m *orgMeta) scope() string {
	if m.shop != nil {
		return m.shop.scope
	}
	return m.industry.scope + scopeTail
}

// county draws a county-level division, Wuhan's districts about a third of
// the time (Wuhan has that share of Hubei's businesses).
func (g *Generator) county() ident.Division {
	if g.chance(0.35) {
		return pick(g, g.wuhan)
	}
	return pick(g, g.counties)
}

// region is the short name that starts an enterprise name: the prefecture
// (武汉, 恩施) or, directly under the province, the city itself (仙桃).
func (g *Generator) region(m *orgMeta) string {
	name := m.county.Name
	if m.pref != "" {
		name = g.divs[m.pref].Name
	}
	for _, suffix := range []string{"土家族苗族自治州", "林区", "市"} {
		if s, ok := strings.CutSuffix(name, suffix); ok {
			return s
		}
	}
	return name
}

// localName is the place that starts an individual business's name and a
// county registration authority's: 武汉市洪山区 for a district, the county's
// own name (大冶市, 阳新县, 仙桃市) otherwise.
func localName(divs map[string]ident.Division, county ident.Division) string {
	if county.Parent != "420000" && strings.HasSuffix(county.Name, "区") {
		return divs[county.Parent].Name + county.Name
	}
	return county.Name
}

// address returns a street address in the county.
func (g *Generator) address(county ident.Division, individual bool) string {
	a := ident.DivisionName(county.Code) + pick(g, roads) + strconv.Itoa(g.intn(1, 888)) + "号"
	switch {
	case individual:
		if g.chance(0.5) {
			a += strconv.Itoa(g.intn(1, 30)) + "号门面"
		}
	case g.chance(0.6):
		floor := g.intn(1, 28)
		a += strconv.Itoa(g.intn(1, 12)) + "栋" + strconv.Itoa(floor) + "层" + strconv.Itoa(floor*100+g.intn(1, 20)) + "室"
	}
	return a
}

// unique calls draw until it returns a name not used before; if many draws
// collide, it numbers the last one, as in 武汉华泰商贸有限公司（二）.
func (g *Generator) unique(draw func() string) string {
	var name string
	for i := 0; i < 40; i++ {
		if name = draw(); !g.names[name] {
			g.names[name] = true
			return name
		}
	}
	for k := 2; ; k++ {
		if n := name + "（" + chineseNumber(k) + "）"; !g.names[n] {
			g.names[n] = true
			return n
		}
	}
}

// chineseNumber writes 1–99 in Chinese numerals, larger numbers in digits.
func chineseNumber(n int) string {
	switch {
	case n < 10:
		return numerals[n]
	case n < 20:
		return "十" + strings.TrimPrefix(numerals[n%10], "零")
	case n < 100:
		return numerals[n/10] + "十" + strings.TrimPrefix(numerals[n%10], "零")
	}
	return strconv.Itoa(n)
}

// ── random helpers ──

func pick[T any](g *Generator, list []T) T { return list[g.r.IntN(len(list))] }

// intn returns a number in [lo, hi].
func (g *Generator) intn(lo, hi int) int { return lo + g.r.IntN(hi-lo+1) }

func (g *Generator) chance(p float64) bool { return g.r.Float64() < p }

// weighted returns an index with probability proportional to its weight.
func (g *Generator) weighted(weights ...int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	n := g.r.IntN(total)
	for i, w := range weights {
		if n < w {
			return i
		}
		n -= w
	}
	return len(weights) - 1
}

// symbols returns n symbols drawn from alphabet.
func (g *Generator) symbols(alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[g.r.IntN(len(alphabet))]
	}
	return string(b)
}

// ── dates (calendar days at midnight UTC) ──

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// day returns a day in [from, to], or to when it is before from.
func (g *Generator) day(from, to time.Time) time.Time {
	days := int(to.Sub(from).Hours() / 24)
	if days <= 0 {
		return to
	}
	return from.AddDate(0, 0, g.r.IntN(days+1))
}

// recentDay is like day but favours recent days, as more businesses were
// founded in recent years.
func (g *Generator) recentDay(from, to time.Time) time.Time {
	days := int(to.Sub(from).Hours() / 24)
	if days <= 0 {
		return to
	}
	return from.AddDate(0, 0, int(math.Sqrt(g.r.Float64())*float64(days)))
}

// later returns the later of two days.
func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func ymd(t time.Time) string { return t.Format("2006-01-02") }

// zhDate writes a day as 2025年3月5日.
func zhDate(t time.Time) string {
	return strconv.Itoa(t.Year()) + "年" + strconv.Itoa(int(t.Month())) + "月" + strconv.Itoa(t.Day()) + "日"
}

// wan writes an amount in yuan as 万元 with no trailing zeros: 35000 → "3.5".
func wan(yuan int) string {
	s := strconv.Itoa(yuan / 10000)
	if frac := strings.TrimRight(strconv.Itoa(10000 + yuan%10000)[1:], "0"); frac != "" {
		s += "." + frac
	}
	return s
}
