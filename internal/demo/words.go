package demo

// Word lists from which names, addresses and business scopes are built.

// surnames are common Chinese surnames, including several frequent in Hubei.
var surnames = []string{
	"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周",
	"徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗",
	"郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
	"彭", "曾", "肖", "田", "董", "袁", "潘", "蔡", "蒋", "余",
	"熊", "万", "程", "汪", "喻", "涂",
}

// Given-name characters, by the sex the identity number's sequence code implies.
var (
	givenMale = []string{
		"伟", "强", "磊", "军", "洋", "勇", "杰", "涛", "明", "超",
		"刚", "平", "华", "文", "建", "国", "斌", "鹏", "辉", "宇",
		"浩", "俊", "峰", "海", "波", "兵", "志", "德", "林", "松",
		"亮", "飞", "成", "晨", "凯", "锋",
	}
	givenFemale = []string{
		"芳", "娜", "敏", "静", "丽", "艳", "娟", "秀", "霞", "英",
		"红", "玲", "婷", "雪", "琳", "欣", "慧", "萍", "燕", "莉",
		"倩", "洁", "颖", "佳", "梅", "兰", "晶", "瑶", "晓", "春",
	}
)

// Brand names are one character of brandFirst followed by one of
// brandSecond: 10 × 6 = 60 pairs such as 华泰, 楚天, 长江, 鑫源, 恒达.
var (
	brandFirst  = []string{"华", "楚", "长", "鑫", "恒", "金", "宏", "中", "新", "瑞"}
	brandSecond = []string{"泰", "天", "江", "源", "达", "盛"}
)

// Industry tags link an industry to the licences it needs and the
// violations it is liable to.
const (
	tagFood      = "food"      // sells or prepares food
	tagBuild     = "build"     // construction
	tagChem      = "chem"      // handles hazardous chemicals
	tagPollute   = "pollute"   // discharges pollutants
	tagTransport = "transport" // road haulage
	tagPharma    = "pharma"    // sells medicines
	tagEstate    = "estate"    // property development
	tagAgri      = "agri"      // farming supplies
	tagWork      = "work"      // workshop or site with work-safety duties
	tagVenue     = "venue"     // premises open to the public
	tagTech      = "tech"      // internet information services
	tagHR        = "hr"        // job placement
)

// industry is a line of business used in enterprise names.
type industry struct {
	name  string   // as it appears in the enterprise name
	scope string   // 经营范围
	tags  []string // licences and violations that fit
}

const scopeTail = "（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）"

var industries = []industry{
	{"建筑工程", "许可项目：建设工程施工；住宅室内装饰装修。一般项目：土石方工程施工；园林绿化工程施工；建筑材料销售。", []string{tagBuild, tagWork}},
	{"餐饮管理", "许可项目：餐饮服务；食品销售。一般项目：餐饮管理；外卖递送服务。", []string{tagFood, tagVenue}},
	{"商贸", "许可项目：食品销售。一般项目：日用百货销售；五金产品零售；电子产品销售；服装服饰批发；建筑材料销售。", []string{tagFood}},
	{"食品", "许可项目：食品生产；食品销售。一般项目：食用农产品初加工；食用农产品批发。", []string{tagFood, tagWork, tagPollute}},
	{"物流", "许可项目：道路货物运输（不含危险货物）。一般项目：普通货物仓储服务；国内货物运输代理；装卸搬运。", []string{tagTransport, tagWork}},
	{"医药", "许可项目：药品批发；药品零售；第三类医疗器械经营。一般项目：第二类医疗器械销售；消毒剂销售（不含危险化学品）。", []string{tagPharma}},
	{"科技", "一般项目：技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广；软件开发；计算机系统服务。", []string{tagTech}},
	{"机械制造", "一般项目：通用设备制造（不含特种设备制造）；机械零件、零部件加工；金属切削加工服务；机械设备销售。", []string{tagWork, tagPollute}},
	{"房地产开发", "许可项目：房地产开发经营。一般项目：物业管理；住房租赁；非居住房地产租赁。", []string{tagEstate}},
	{"环保科技", "一般项目：污水处理及其再生利用；固体废物治理；环境保护专用设备销售；环保咨询服务。", []string{tagPollute, tagWork}},
	{"农业发展", "许可项目：农药零售。一般项目：谷物种植；蔬菜种植；肥料销售；农业机械服务；农产品的生产、销售、加工、运输、贮藏及其他相关服务。", []string{tagAgri}},
	{"汽车销售服务", "一般项目：汽车新车销售；二手车经纪；汽车零配件零售；机动车修理和维护；汽车装饰用品销售。", []string{tagVenue}},
	{"化工", "许可项目：危险化学品经营；危险化学品生产。一般项目：化工产品销售（不含许可类化工产品）；专用化学产品制造（不含危险化学品）。", []string{tagChem, tagPollute, tagWork}},
	{"装饰工程", "许可项目：住宅室内装饰装修；建设工程施工。一般项目：建筑装饰材料销售；家具安装和维修服务。", []string{tagBuild, tagWork}},
	{"信息技术", "一般项目：信息系统集成服务；信息技术咨询服务；软件开发；数据处理服务；网络技术服务。", []string{tagTech}},
	{"教育咨询", "一般项目：教育咨询服务（不含涉许可审批的教育培训活动）；会议及展览服务；组织文化艺术交流活动。许可项目：职业中介活动。", []string{tagVenue, tagHR}},
	{"酒店管理", "许可项目：住宿服务；餐饮服务；食品销售。一般项目：酒店管理；会议及展览服务；停车场服务。", []string{tagFood, tagVenue}},
}

// shop is an individual business's shop type; its name follows 张记 or 张家.
type shop struct {
	name  string
	scope string
	tags  []string
}

var shops = []shop{
	{"餐馆", "许可项目：小餐饮。一般项目：食品销售（仅销售预包装食品）。", []string{tagFood, tagVenue}},
	{"便利店", "许可项目：食品销售；烟草制品零售。一般项目：日用百货销售；食品销售（仅销售预包装食品）。", []string{tagFood}},
	{"五金店", "一般项目：五金产品零售；电线、电缆经营；建筑材料销售；日用杂品销售。", nil},
	{"理发店", "许可项目：理发服务。一般项目：美发饰品销售。", []string{tagVenue}},
	{"水果店", "一般项目：新鲜水果零售；食用农产品零售；食品销售（仅销售预包装食品）。", []string{tagFood}},
}

// Legal forms of enterprise names, with registration organisation types.
var (
	legalForms = []string{"有限公司", "有限责任公司", "股份有限公司"}
	llcTypes   = []string{"有限责任公司（自然人投资或控股）", "有限责任公司（自然人投资或控股）", "有限责任公司（自然人投资或控股）", "有限责任公司（自然人独资）", "其他有限责任公司"}
	jscType    = "股份有限公司（非上市、自然人投资或控股）"
)

// roads are street names common across Hubei's towns.
var roads = []string{
	"人民路", "解放大道", "建设大道", "中山路", "胜利街", "和平大道", "新华路", "长江路",
	"滨江大道", "振兴路", "发展大道", "东风大道", "青年路", "文化路", "民主路", "团结大道",
	"友谊大道", "光明路", "幸福路", "工业大道", "创业路", "楚天大道", "车站路", "沿江大道",
}

// Chinese numerals for disambiguating names.
var numerals = []string{"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"}

// prefectureAbbr is the abbreviation of each prefecture in document numbers,
// as in 鄂武市监罚〔2025〕123号; the province's departments use none.
var prefectureAbbr = map[string]string{
	"420100": "武", "420200": "黄石", "420300": "十堰", "420500": "宜",
	"420600": "襄", "420700": "鄂州", "420800": "荆门", "420900": "孝",
	"421000": "荆", "421100": "黄冈", "421200": "咸", "421300": "随",
	"422800": "恩施州",
}
