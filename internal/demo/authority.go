package demo

import (
	"fmt"
	"hash/fnv"

	"github.com/xinyong/xinyong/internal/ident"
)

// Authority is a provider department the demo data comes from: a state
// organ of Hubei province or of one of its prefectures.
type Authority struct {
	Code string // division and department, like "420100-SCJG"
	Name string // like 武汉市市场监督管理局
	USCC string // authority '1', entity type '1' (organ of state)
}

// Department keys, the part of Authority.Code after the division.
const (
	deptMarket    = "SCJG" // market regulation (also food safety)
	deptEmergency = "YJGL" // emergency management (work safety, hazardous chemicals)
	deptEcology   = "STHJ" // ecology and environment
	deptTax       = "SW"   // taxation
	deptFire      = "XFJY" // fire and rescue
	deptTransport = "JTYS" // transport
	deptHousing   = "ZJ"   // housing and urban-rural development
	deptDrug      = "YJJ"  // medical products administration (province only)
	deptAgri      = "NYNC" // agriculture and rural affairs
	deptGov       = "ZF"   // the people's government
	deptTelecom   = "TXGL" // communications administration (province only)
	deptHR        = "RSJ"  // human resources and social security
)

// dept is a kind of department and how its documents are numbered.
type dept struct {
	key      string
	province string // the provincial body's name
	city     string // format for a prefecture's body (%s = prefecture name); "" when there is none
	tag      string // in document numbers: 鄂 + prefecture abbreviation + tag + kind
	penalty  string // document kind of penalty decisions
}

var depts = []dept{
	{deptMarket, "湖北省市场监督管理局", "%s市场监督管理局", "市监", "罚"},
	{deptEmergency, "湖北省应急管理厅", "%s应急管理局", "应急", "罚"},
	{deptEcology, "湖北省生态环境厅", "%s生态环境局", "环", "罚"},
	{deptTax, "国家税务总局湖北省税务局", "国家税务总局%s税务局", "税", "罚"},
	{deptFire, "湖北省消防救援总队", "%s消防救援支队", "消", "行罚决字"},
	{deptTransport, "湖北省交通运输厅", "%s交通运输局", "交", "罚"},
	{deptHousing, "湖北省住房和城乡建设厅", "%s住房和城乡建设局", "建", "罚"},
	{deptDrug, "湖北省药品监督管理局", "", "药监", "罚"},
	{deptAgri, "湖北省农业农村厅", "%s农业农村局", "农", "罚"},
	{deptGov, "湖北省人民政府", "%s人民政府", "政", "罚"},
	{deptTelecom, "湖北省通信管理局", "", "通信", "罚"},
	{deptHR, "湖北省人力资源和社会保障厅", "%s人力资源和社会保障局", "人社", "罚"},
}

// authInfo is an Authority with what document numbering needs.
type authInfo struct {
	Authority
	dept   *dept
	prefix string // document number prefix before the kind, e.g. 鄂武市监
	area   string // 鄂 and the prefecture's abbreviation, e.g. 鄂武
}

var (
	authList  []authInfo
	authIndex = map[string]int{} // Code -> index in authList
)

func init() {
	var prefs []ident.Division
	for _, d := range ident.HubeiDivisions() {
		if d.Level == "prefecture" {
			prefs = append(prefs, d)
		}
	}
	for i := range depts {
		dp := &depts[i]
		add := func(div, name, abbr string) {
			code := div + "-" + dp.key
			prefix := "鄂" + abbr + dp.tag
			if dp.key == deptGov {
				prefix = "鄂政"
				if abbr != "" {
					prefix = abbr + "政"
				}
			}
			a := Authority{Code: code, Name: name, USCC: authorityUSCC(code, div)}
			authIndex[code] = len(authList)
			authList = append(authList, authInfo{Authority: a, dept: dp, prefix: prefix, area: "鄂" + abbr})
		}
		add("420000", dp.province, "")
		if dp.city == "" {
			continue
		}
		for _, p := range prefs {
			add(p.Code, fmt.Sprintf(dp.city, p.Name), prefectureAbbr[p.Code])
		}
	}
}

// authorityUSCC derives a fixed, valid code for an authority from its Code:
// 11 (organ of state), the division, and a body of "MB" and six symbols
// taken from a hash of the Code.
func authorityUSCC(code, division string) string {
	h := fnv.New64a()
	h.Write([]byte(code))
	n := h.Sum64()
	body := []byte("MB")
	for i := 0; i < 6; i++ {
		body = append(body, usccAlphabet[n%uint64(len(usccAlphabet))])
		n /= uint64(len(usccAlphabet))
	}
	u, err := ident.MakeUSCC('1', '1', division, string(body))
	if err != nil {
		panic("demo: authority code: " + err.Error())
	}
	return u
}

// usccAlphabet is the GB 32100 code alphabet.
const usccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// Authorities returns the provider departments the demo data uses: each
// department of the province and, where one exists, of each prefecture,
// province first. The slice is a copy.
func Authorities() []Authority {
	out := make([]Authority, len(authList))
	for i, a := range authList {
		out[i] = a.Authority
	}
	return out
}

// authority returns the department of the given kind for a prefecture, or
// the province's when pref is "" (areas directly under the province) or
// the department has no prefecture-level body.
func authority(key, pref string) *authInfo {
	if i, ok := authIndex[pref+"-"+key]; ok && pref != "" {
		return &authList[i]
	}
	return &authList[authIndex["420000-"+key]]
}

// docNumber returns a new document number of the authority for the kind
// (罚, 许, 表 ...) and year, like 鄂武市监罚〔2025〕123号. Numbers rise within
// each prefix and year, so they never repeat within the generator.
func (g *Generator) docNumber(a *authInfo, kind string, year int) string {
	prefix := a.prefix + kind
	key := fmt.Sprintf("%s〔%d〕", prefix, year)
	n := g.docSeq[key]
	if n == 0 {
		n = g.intn(1, 40)
	} else {
		n += g.intn(1, 12)
	}
	g.docSeq[key] = n
	return fmt.Sprintf("%s%d号", key, n)
}
