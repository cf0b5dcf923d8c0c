// Package catalogtest provides valid sample records of the built-in
// catalogue for tests in other packages.
package catalogtest

// Penalty returns a valid admin_penalty record about an enterprise decided
// on 2026-02-13. kv are field-value pairs that override it; an empty value
// removes the field.
func Penalty(kv ...string) map[string]any {
	return with(map[string]any{
		"xdr_mc": "武汉楚天建筑工程有限公司", "xdr_lb": "法人及非法人组织", "xdr_shxym": "91110000600037341L",
		"fddbr": "张三", "fddbr_zjlx": "身份证", "fddbr_zjhm": "11010519491231002X",
		"cf_wsh": "鄂市监罚〔2026〕1号", "cf_wfxw": "虚假宣传", "cf_sy": "当事人在其网站发布虚假宣传内容。",
		"cf_yj": "《中华人民共和国反不正当竞争法》第八条第一款", "cf_cflb": "罚款", "cf_nr": "罚款人民币伍万元整",
		"cf_nr_fk": "5", "cf_jdrq": "2026-02-13", "cf_yxq": "2029-12-31",
		"cf_cfjg": "湖北省市场监督管理局", "cf_cfjgdm": "9144030071526726XG",
		"cf_sjly": "湖北省市场监督管理局", "cf_sjlydm": "9144030071526726XG",
	}, kv)
}

// Licence returns a valid admin_licensing record decided on 2026-02-13,
// overridden by kv as for Penalty.
func Licence(kv ...string) map[string]any {
	return with(map[string]any{
		"xdr_mc": "武汉楚天建筑工程有限公司", "xdr_lb": "法人及非法人组织", "xdr_shxym": "91110000600037341L", "fddbr": "张三",
		"xk_wsmc": "食品经营许可决定书", "xk_wsh": "JY14201060001", "xk_xklb": "普通", "xk_nr": "预包装食品销售",
		"xk_jdrq": "2026-02-13", "xk_yxqz": "2026-02-13", "xk_yxqzi": "2031-06-30",
		"xk_xkjg": "武汉市武昌区市场监督管理局", "xk_xkjgdm": "9144030071526726XG", "xk_zt": "1",
		"xk_lydw": "武汉市武昌区市场监督管理局", "xk_lydwdm": "9144030071526726XG",
	}, kv)
}

func with(r map[string]any, kv []string) map[string]any {
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			delete(r, kv[i])
		} else {
			r[kv[i]] = kv[i+1]
		}
	}
	return r
}
