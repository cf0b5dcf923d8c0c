package demo

// violation is a kind of violation, the department that penalises it, the
// legal basis and the penalties the law provides.
type violation struct {
	dept         string
	wfxw         string   // 违法行为类型
	facts        []string // 违法事实; %s is the inspection date
	basis        string   // 处罚依据
	fine         [2]int   // fine range in yuan
	warn         bool     // a warning alone or with a fine is possible
	warnOrFine   bool     // a warning or a fine, not both
	confiscate   bool     // illegal gains may be confiscated
	severe       string   // the serious penalty the law provides, if any
	severeWeight int      // how often it is imposed, relative to a fine's 10 (default 1)
	licence      string   // the licence revoked
	needs        []string // industry tags the subject must have
}

// orgViolations are the violations of organisations and individual businesses.
var orgViolations = []violation{
	{
		dept: deptMarket, wfxw: "虚假宣传",
		facts: []string{
			"%s，执法人员对当事人进行检查，发现当事人在其网络店铺商品详情页宣称所售产品“纯天然、零添加、可改善睡眠”，当事人无法提供相关证明材料，其行为构成对商品性能、功能作虚假的商业宣传，欺骗、误导消费者。",
			"%s，根据消费者投诉，执法人员调查发现当事人在经营场所张贴的宣传海报中使用“销量全省第一”“行业领导品牌”等用语，当事人无法提供证明材料，其行为属于对商品销售状况作虚假的商业宣传。",
		},
		basis: "《中华人民共和国反不正当竞争法》第八条第一款、第二十条第一款",
		fine:  [2]int{20000, 500000}, confiscate: true,
	},
	{
		dept: deptMarket, wfxw: "销售不合格产品",
		facts: []string{
			"%s，执法人员对当事人销售的电线电缆进行监督抽检，经检验，导体电阻项目不符合国家标准，判定为不合格产品，当事人以不合格产品冒充合格产品销售。",
			"%s，执法人员对当事人销售的儿童服装进行监督抽检，经检验，纤维含量、pH值项目不符合国家标准，判定为不合格产品。当事人未履行进货检查验收义务，销售不合格产品。",
		},
		basis: "《中华人民共和国产品质量法》第三十九条、第五十条",
		fine:  [2]int{5000, 200000}, confiscate: true,
	},
	{
		dept: deptMarket, wfxw: "未按规定公示年度报告",
		facts: []string{
			"%s，执法人员检查发现当事人未按照规定期限通过国家企业信用信息公示系统报送并公示上一年度年度报告，经责令限期公示后，逾期仍未公示。",
			"%s，执法人员核查发现当事人公示的上一年度年度报告中从业人数、资产状况等信息隐瞒真实情况、弄虚作假。",
		},
		basis: "《企业信息公示暂行条例》第八条、第十七条",
		fine:  [2]int{2000, 10000}, warn: true,
	},
	{
		dept: deptEmergency, wfxw: "未按规定对从业人员进行安全生产教育和培训",
		facts: []string{
			"%s，执法人员对当事人进行安全生产执法检查，发现当事人未按规定对新入职的从业人员进行安全生产教育和培训，未建立安全生产教育和培训档案。",
			"%s，执法人员检查发现当事人部分特种作业人员未按照规定经专门的安全作业培训并取得相应资格即上岗作业。",
		},
		basis: "《中华人民共和国安全生产法》第二十八条第一款、第九十七条第（三）项",
		fine:  [2]int{5000, 100000}, severe: catSuspend,
		needs: []string{tagWork},
	},
	{
		dept: deptEmergency, wfxw: "未采取措施消除事故隐患",
		facts: []string{
			"%s，执法人员对当事人生产经营场所进行检查，发现当事人对检查中已指出的事故隐患未按期采取措施予以消除，作业现场存在安全防护设施缺失、临时用电不规范等问题。",
		},
		basis: "《中华人民共和国安全生产法》第四十一条第二款、第一百零二条",
		fine:  [2]int{5000, 50000}, severe: catSuspend, severeWeight: 2,
		needs: []string{tagWork},
	},
	{
		dept: deptEcology, wfxw: "超标排放大气污染物",
		facts: []string{
			"%s，执法人员对当事人废气排放口进行现场检查并委托监测，监测结果显示颗粒物、挥发性有机物排放浓度超过《大气污染物综合排放标准》（GB 16297-1996）规定的限值。",
		},
		basis: "《中华人民共和国大气污染防治法》第十八条、第九十九条第（二）项",
		fine:  [2]int{100000, 500000}, severe: catSuspend,
		needs: []string{tagPollute},
	},
	{
		dept: deptEcology, wfxw: "超标排放水污染物",
		facts: []string{
			"%s，执法人员对当事人废水总排放口进行采样监测，化学需氧量、氨氮排放浓度超过《污水综合排放标准》（GB 8978-1996）规定的限值。",
		},
		basis: "《中华人民共和国水污染防治法》第十条、第八十三条第（二）项",
		fine:  [2]int{100000, 500000}, severe: catSuspend,
		needs: []string{tagPollute},
	},
	{
		dept: deptTax, wfxw: "未按期申报",
		facts: []string{
			"经查，当事人未按照规定期限办理增值税纳税申报，税务机关于%s送达《责令限期改正通知书》，当事人逾期仍未办理申报。",
			"经查，当事人连续三个月未按照规定期限办理纳税申报和报送纳税资料，税务机关于%s责令限期改正。",
		},
		basis: "《中华人民共和国税收征收管理法》第二十五条第一款、第六十二条",
		fine:  [2]int{2000, 10000},
	},
	{
		dept: deptFire, wfxw: "消防设施不合格",
		facts: []string{
			"%s，消防救援机构对当事人经营场所进行消防监督检查，发现室内消火栓无水、部分灭火器压力不足，消防设施、器材未保持完好有效。",
			"%s，消防救援机构检查发现当事人经营场所火灾自动报警系统处于故障状态，疏散指示标志损坏，消防设施、器材、消防安全标志的配置、设置不符合国家标准。",
		},
		basis: "《中华人民共和国消防法》第十六条第一款第（二）项、第六十条第一款第（一）项",
		fine:  [2]int{5000, 50000},
	},
	{
		dept: deptFire, wfxw: "公众聚集场所未经消防安全检查擅自投入使用、营业",
		facts: []string{
			"%s，消防救援机构检查发现当事人经营场所属于公众聚集场所，未经消防安全检查即投入使用、营业。",
		},
		basis: "《中华人民共和国消防法》第十五条、第五十八条第一款第（四）项",
		fine:  [2]int{30000, 300000}, severe: catSuspend, severeWeight: 6,
		needs: []string{tagVenue},
	},
	{
		dept: deptMarket, wfxw: "食品安全",
		facts: []string{
			"%s，执法人员对当事人经营场所进行检查，发现当事人货架上陈列销售的部分预包装食品已超过保质期，货值金额不足一万元。",
			"%s，执法人员检查发现当事人后厨存放的调味品、乳制品已超过保质期，当事人用于加工制作食品。",
		},
		basis: "《中华人民共和国食品安全法》第三十四条第（十）项、第一百二十四条第一款第（五）项",
		fine:  [2]int{10000, 100000}, confiscate: true, severe: catRevoke, licence: "食品经营许可证",
		needs: []string{tagFood},
	},
	{
		dept: deptMarket, wfxw: "食品安全",
		facts: []string{
			"%s，执法人员检查发现当事人采购的食品原料未查验供货者的许可证和食品出厂检验合格证，未如实记录进货查验信息，经责令改正后拒不改正。",
		},
		basis: "《中华人民共和国食品安全法》第五十三条第一款、第一百二十六条第一款第（三）项",
		fine:  [2]int{5000, 50000}, warn: true, severe: catRevoke, licence: "食品经营许可证",
		needs: []string{tagFood},
	},
}

// personViolations are the violations of natural persons.
var personViolations = []violation{
	{
		dept: deptMarket, wfxw: "无照经营",
		facts: []string{
			"%s，执法人员检查发现当事人未依法取得营业执照，在临街门面擅自从事日用百货销售经营活动。",
			"%s，执法人员检查发现当事人未依法取得营业执照，通过网络社交平台销售自制糕点。",
		},
		basis: "《无证无照经营查处办法》第二条、第十三条",
		fine:  [2]int{500, 10000}, confiscate: true,
	},
	{
		dept: deptTax, wfxw: "未按期申报",
		facts: []string{
			"经查，当事人取得劳务报酬所得，未按照规定期限办理个人所得税纳税申报，税务机关于%s责令限期改正，当事人逾期仍未申报。",
		},
		basis: "《中华人民共和国税收征收管理法》第二十五条第一款、第六十二条",
		fine:  [2]int{200, 2000},
	},
	{
		dept: deptFire, wfxw: "占用、堵塞、封闭消防车通道",
		facts: []string{
			"%s，消防救援机构检查发现当事人将私家车长时间停放在住宅小区消防车通道内，占用消防车通道，经劝阻拒不驶离。",
		},
		basis: "《中华人民共和国消防法》第二十八条、第六十条第一款第（五）项、第二款",
		fine:  [2]int{100, 500}, warn: true, warnOrFine: true,
	},
}
