package demo

import (
	"fmt"
	"slices"
	"strconv"
	"time"
)

// noEnd is the validity end date that means "without end".
const noEnd = "2099-12-31"

// changeTitle is the title of a change of registration, which may recur.
const changeTitle = "准予变更登记通知书"

// subject returns the identity block of the double-publicity items for an
// organisation: name, category, code and legal representative.
func subject(o Org) map[string]any {
	return map[string]any{
		"xdr_mc":     o.Name,
		"xdr_lb":     o.Type,
		"xdr_shxym":  o.USCC,
		"fddbr":      o.LegalRep,
		"fddbr_zjlx": idCard,
		"fddbr_zjhm": o.LegalRepID,
	}
}

// Registration returns the registration_basic record of o.
func (g *Generator) Registration(o Org) map[string]any {
	m := g.metaOf(o)
	clrq := o.Founded
	djrq := clrq
	if g.chance(0.6) {
		djrq = g.day(clrq, g.today)
	}
	rec := map[string]any{
		"mc":         o.Name,
		"tyshxydm":   o.USCC,
		"ztlb":       o.Type,
		"fddbr":      o.LegalRep,
		"fddbr_zjlx": idCard,
		"fddbr_zjhm": o.LegalRepID,
		"clrq":       ymd(clrq),
		"djrq":       ymd(djrq),
		"djjg":       localName(g.divs, m.county) + "市场监督管理局",
		"xzqh":       m.county.Code,
		"zs":         m.address,
		"jyfw":       m.scope(),
		"djzt":       []string{"存续", "在业"}[g.weighted(4, 1)],
	}
	switch {
	case o.Type == typeIndividual:
		rec["zzlx"] = "个体工商户"
	case m.form == "股份有限公司":
		rec["zzlx"] = jscType
		rec["zczb"] = strconv.Itoa(pick(g, []int{500, 1000, 1200, 2000, 3000, 5000}))
	default:
		rec["zzlx"] = pick(g, llcTypes)
		rec["zczb"] = strconv.Itoa(pick(g, []int{10, 30, 50, 100, 100, 200, 300, 500, 500, 800, 1000, 2000, 3000, 5000}))
	}
	return rec
}

// licenceKind is a kind of administrative licence and who grants it.
type licenceKind struct {
	cert     string   // 许可证书名称
	title    string   // 行政许可决定文书名称
	dept     string   // granting department
	category string   // 许可类别
	years    int      // validity in years; 0 = without end
	needs    []string // industry tags the holder must have all of
	weight   int
	province bool     // granted by the provincial department only
	content  []string // 许可内容
	number   func(g *Generator, o Org, m *orgMeta, a *authInfo, day time.Time) string
}

var licenceKinds = []licenceKind{
	{"食品经营许可证", "食品经营许可决定书", deptMarket, "普通", 5, []string{tagFood}, 6, false, []string{
		"经营项目：预包装食品（含冷藏冷冻食品）销售；散装食品（不含冷藏冷冻食品）销售。",
		"经营项目：热食类食品制售；冷食类食品制售；自制饮品制售。",
		"经营项目：预包装食品（不含冷藏冷冻食品）销售；保健食品销售；特殊医学用途配方食品销售。",
	}, func(g *Generator, o Org, m *orgMeta, a *authInfo, day time.Time) string {
		kind := 1 // food sales
		if m.has(tagVenue) {
			kind = 2 // catering
		}
		return fmt.Sprintf("JY%d%s%06d%d", kind, m.county.Code, g.nextSerial()%1000000, g.r.IntN(10))
	}},
	{"食品生产许可证", "食品生产许可决定书", deptMarket, "普通", 5, []string{tagFood, tagWork}, 6, false, []string{
		"食品类别：糕点；速冻食品。",
		"食品类别：调味品；酱腌菜。",
		"食品类别：饮料（包装饮用水）。",
	}, func(g *Generator, o Org, m *orgMeta, a *authInfo, day time.Time) string {
		return fmt.Sprintf("SC%03d%s%04d%d", pick(g, []int{101, 103, 106, 111, 124}), m.county.Code, g.nextSerial()%10000, g.r.IntN(10))
	}},
	{"建筑施工企业安全生产许可证", "建筑施工企业安全生产许可决定书", deptHousing, "普通", 3, []string{tagBuild}, 6, true, []string{
		"许可范围：建筑施工。",
	}, func(g *Generator, o Org, m *orgMeta, a *authInfo, day time.Time) string {
		return fmt.Sprintf("（鄂）JZ安许证字〔%d〕%06d", day.Year(), g.nextSerial()%1000000)
	}},
	{"排污许可证", "排污许可证核发决定书", deptEcology, "普通", 5, []string{tagPollute}, 5, false, []string{
		"排放污染物种类：化学需氧量、氨氮、总磷；排放方式：间接排放；执行标准：《污水综合排放标准》（GB 8978-1996）。",
		"排放污染物种类：颗粒物、二氧化硫、氮氧化物、挥发性有机物；执行标准：《大气污染物综合排放标准》（GB 16297-1996）。",
	}, func(g *Generator, o Org, m *orgMeta, a *authInfo, day time.Time) string {
		return o.USCC + fmt.Sprintf("%03d", g.intn(1, 3)) + pick(g, []string{"P", "V", "U"})
	}},
	{"建设项目环境影响评价审批", "建设项目环境影响报告表审批意见", deptEcology, "核准", 5, []string{tagPollute}, 2, false, []string{
		"同意该项目按照环境影响报告表所列建设项目的性质、规模、地点和拟采取的环境保护措施进行建设。",
	}, nil},
	{"道路运输经营许可证", "道路运输经营许可决定书", deptTransport, "普通", 4, []string{tagTransport}, 6, false, []string{
		"经营范围：道路普通货物运输；货物专用运输（集装箱）。",
		"经营范围：道路普通货物运输；大型物件运输。",
	}, func(g *Generator, o Org, m *orgMeta, a *authInfo, day time.Time) string {
		return fmt.Sprintf("鄂交运管许可%s%06d号", m.county.Code, g.nextSerial()%1000000)
	}},
	{"药品经营许可证", "药品经营许可决定书", deptDrug, "普通", 5, []string{tagPharma}, 6, false, []string{
		"经营方式：批发；经营范围：中药饮片、中成药、化学药、生物制品（除疫苗）。",
		"经营方式：零售（连锁）；经营范围：中药饮片、中成药、化学药、生物制品。",
	}, func(g *Generator, o Org, m *orgMeta, a *authInfo, day time.Time) string {
		return fmt.Sprintf("鄂AA%s%04d", pick(g, []string{"027", "0714", "0717", "0710", "0716"}), g.nextSerial()%10000)
	}},
	{"危险化学品经营许可证", "危险化学品经营许可决定书", deptEmergency, "普通", 3, []string{tagChem}, 6, false, []string{
		"许可范围：批发（不带储存设施）：硫酸、盐酸、氢氧化钠、甲醇、乙醇[无水]。",
		"许可范围：批发（带储存设施）：乙酸乙酯、丙酮、甲苯、二甲苯。",
	}, func(g *Generator, o Org, m *orgMeta, a *authInfo, day time.Time) string {
		return fmt.Sprintf("%s危化经字〔%d〕%06d", a.area, day.Year(), g.nextSerial()%1000000)
	}},
	{"商品房预售许可证", "商品房预售许可决定书", deptHousing, "普通", 0, []string{tagEstate}, 6, false, []string{
		"预售项目：%s一期1#、2#、3#楼，预售面积%d平方米。",
	}, func(g *Generator, o Org, m *orgMeta, a *authInfo, day time.Time) string {
		return fmt.Sprintf("%s房预售〔%d〕%04d号", a.area, day.Year(), g.nextSerial()%10000)
	}},
	{"农药经营许可证", "农药经营许可决定书", deptAgri, "普通", 5, []string{tagAgri}, 6, false, []string{
		"经营范围：农药（不含限制使用农药）。",
	}, func(g *Generator, o Org, m *orgMeta, a *authInfo, day time.Time) string {
		return fmt.Sprintf("农药经许（鄂）%s%05d", m.county.Code, g.nextSerial()%100000)
	}},
	{"公众聚集场所投入使用、营业前消防安全检查合格证", "公众聚集场所投入使用、营业前消防安全检查意见书", deptFire, "普通", 0, []string{tagVenue}, 3, false, []string{
		"经检查，该场所符合消防安全要求，准予投入使用、营业。使用面积%d平方米。",
	}, func(g *Generator, o Org, m *orgMeta, a *authInfo, day time.Time) string {
		return fmt.Sprintf("%s消安检字〔%d〕第%04d号", a.area, day.Year(), g.nextSerial()%10000)
	}},
	{"建筑业企业资质证书", "建筑业企业资质许可决定书", deptHousing, "认可", 5, []string{tagBuild}, 5, false, []string{
		"资质类别及等级：建筑工程施工总承包二级；市政公用工程施工总承包三级。",
		"资质类别及等级：建筑装修装饰工程专业承包二级。",
	}, func(g *Generator, o Org, m *orgMeta, a *authInfo, day time.Time) string {
		return fmt.Sprintf("D3%s%05d", m.county.Code[:4], g.nextSerial()%100000)
	}},
	{"房地产开发企业资质证书", "房地产开发企业资质核定决定书", deptHousing, "认可", 3, []string{tagEstate}, 5, false, []string{
		"资质等级：二级。",
	}, func(g *Generator, o Org, m *orgMeta, a *authInfo, day time.Time) string {
		return fmt.Sprintf("%s房开证字〔%d〕第%04d号", a.area, day.Year(), g.nextSerial()%10000)
	}},
	{"医疗器械经营许可证", "医疗器械经营许可决定书", deptMarket, "普通", 5, []string{tagPharma}, 5, false, []string{
		"经营方式：批零兼营；经营范围：第三类医疗器械（不含体外诊断试剂）。",
	}, func(g *Generator, o Org, m *orgMeta, a *authInfo, day time.Time) string {
		return fmt.Sprintf("%s药监械经营许%d%04d号", a.area, day.Year(), g.nextSerial()%10000)
	}},
	{"增值电信业务经营许可证", "增值电信业务经营许可决定书", deptTelecom, "普通", 5, []string{tagTech}, 6, false, []string{
		"业务种类：第二类增值电信业务中的信息服务业务（仅限互联网信息服务）；服务范围：湖北省。",
		"业务种类：第二类增值电信业务中的在线数据处理与交易处理业务；服务范围：湖北省。",
	}, func(g *Generator, o Org, m *orgMeta, a *authInfo, day time.Time) string {
		return fmt.Sprintf("鄂B2-%d%04d", day.Year(), g.nextSerial()%10000)
	}},
	{"人力资源服务许可证", "人力资源服务许可决定书", deptHR, "普通", 5, []string{tagHR}, 6, false, []string{
		"服务范围：为劳动者介绍用人单位；为用人单位推荐劳动者；开展网络招聘；开展人力资源供求信息的收集和发布。",
	}, func(g *Generator, o Org, m *orgMeta, a *authInfo, day time.Time) string {
		return fmt.Sprintf("%s人服证字〔%d〕第%06d号", a.area, day.Year(), g.nextSerial()%1000000)
	}},
	{"营业执照", "准予设立登记通知书", deptMarket, "登记", 0, nil, 1, false, []string{
		"准予设立登记。",
	}, func(g *Generator, o Org, m *orgMeta, a *authInfo, day time.Time) string { return o.USCC }},
	{"营业执照", changeTitle, deptMarket, "登记", 0, nil, 1, false, []string{
		"准予变更登记。变更事项：住所。", "准予变更登记。变更事项：经营范围。", "准予变更登记。变更事项：法定代表人（负责人）。",
	}, func(g *Generator, o Org, m *orgMeta, a *authInfo, day time.Time) string { return o.USCC }},
}

// nextSerial returns a rising serial number for licence numbers.
func (g *Generator) nextSerial() int {
	g.serial += g.intn(1, 37)
	return g.serial
}

// fits reports whether an organisation with tags may hold a licence that needs needs.
func fits(tags, needs []string) bool {
	for _, n := range needs {
		if !slices.Contains(tags, n) {
			return false
		}
	}
	return true
}

// Licensing returns an admin_licensing record of a licence granted to o, of
// a kind that fits its line of business, with a new decision number.
func (g *Generator) Licensing(o Org) map[string]any {
	m := g.metaOf(o)
	var kinds []*licenceKind
	var weights []int
	var index []int
	for i := range licenceKinds {
		k := &licenceKinds[i]
		// A subject holds one licence of a kind; registration changes recur.
		if fits(m.tags(), k.needs) && (!m.granted[i] || k.title == changeTitle) {
			kinds = append(kinds, k)
			weights = append(weights, k.weight)
			index = append(index, i)
		}
	}
	n := g.weighted(weights...)
	k := kinds[n]
	m.granted[index[n]] = true
	pref := m.pref
	if k.province {
		pref = ""
	}
	a := authority(k.dept, pref)

	day := g.day(later(o.Founded, g.today.AddDate(-6, 0, 0)), g.today)
	if k.title == "准予设立登记通知书" {
		day = o.Founded
	}
	until := noEnd
	if k.years > 0 {
		until = ymd(day.AddDate(k.years, 0, -1))
	}
	rec := subject(o)
	docKind := "许"
	if k.category == "登记" {
		docKind = "登"
	}
	content := pick(g, k.content)
	switch k.cert {
	case "食品经营许可证":
		content = pick(g, []string{k.content[0], k.content[2]})
		if m.has(tagVenue) {
			content = k.content[1]
		}
	case "商品房预售许可证":
		content = fmt.Sprintf(content, pick(g, brandFirst)+pick(g, []string{"江南", "锦苑", "华府", "御景", "星城"}), g.intn(8000, 60000))
	case "公众聚集场所投入使用、营业前消防安全检查合格证":
		content = fmt.Sprintf(content, g.intn(120, 3000))
	}
	rec["xk_wsmc"] = k.title
	rec["xk_wsh"] = g.docNumber(a, docKind, day.Year())
	rec["xk_xklb"] = k.category
	rec["xk_xkzs"] = k.cert
	if k.number != nil {
		rec["xk_xkbh"] = k.number(g, o, m, a, day)
	} else {
		delete(rec, "xk_xkzs")
	}
	rec["xk_nr"] = content
	rec["xk_jdrq"] = ymd(day)
	rec["xk_yxqz"] = ymd(day)
	rec["xk_yxqzi"] = until
	rec["xk_xkjg"] = a.Name
	rec["xk_xkjgdm"] = a.USCC
	rec["xk_zt"] = "1"
	if until < ymd(g.today) {
		rec["xk_zt"] = "2"
		rec["bz"] = "有效期届满未申请延续，许可已失效。"
	}
	rec["xk_lydw"] = a.Name
	rec["xk_lydwdm"] = a.USCC
	return rec
}

// honour is a commendation and the department that confers it.
type honour struct {
	name   string // %s = the prefecture's name for city honours
	level  string // 省级 or 市级
	dept   string
	forInd bool // for individual businesses (otherwise for enterprises)
}

var honours = []honour{
	{"湖北省守合同重信用企业", "省级", deptMarket, false},
	{"湖北省安全生产标准化示范企业", "省级", deptEmergency, false},
	{"湖北省环境保护先进企业", "省级", deptEcology, false},
	{"湖北省纳税信用A级纳税人", "省级", deptTax, false},
	{"湖北省优秀民营企业", "省级", deptGov, false},
	{"%s优秀民营企业", "市级", deptGov, false},
	{"%s守合同重信用企业", "市级", deptMarket, false},
	{"%s安全生产先进单位", "市级", deptEmergency, false},
	{"%s消防安全先进单位", "市级", deptFire, false},
	{"%s诚信经营示范户", "市级", deptMarket, true},
	{"%s放心消费示范店", "市级", deptMarket, true},
	{"湖北省诚信个体工商户", "省级", deptMarket, true},
}

// Commendation returns a commendation record of an honour conferred on o
// within the last five years.
func (g *Generator) Commendation(o Org) map[string]any {
	m := g.metaOf(o)
	var fit []honour
	for _, h := range honours {
		if h.forInd == (o.Type == typeIndividual) {
			fit = append(fit, h)
		}
	}
	h := pick(g, fit)
	pref := m.pref
	if h.level == "省级" {
		pref = ""
	}
	a := authority(h.dept, pref)
	name := h.name
	if h.level == "市级" {
		place := m.county.Name // directly under the province
		if m.pref != "" {
			place = g.divs[m.pref].Name
		}
		name = fmt.Sprintf(h.name, place)
	}
	day := g.day(later(o.Founded.AddDate(1, 0, 0), g.today.AddDate(-5, 0, 0)), g.today)
	return map[string]any{
		"xdr_mc":    o.Name,
		"xdr_lb":    o.Type,
		"xdr_shxym": o.USCC,
		"xdr_key":   "1",
		"ry_mc":     name,
		"ry_jb":     h.level,
		"ry_wh":     g.docNumber(a, "发", day.Year()),
		"ry_rq":     ymd(day),
		"ry_jg":     a.Name,
		"ry_jgdm":   a.USCC,
	}
}
