package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/xinyong/xinyong/internal/catalog"
	"github.com/xinyong/xinyong/internal/ident"
	"github.com/xinyong/xinyong/internal/workday"
)

// stSubject reads the public view of an organisation and fails unless it is there.
func stSubject(t testing.TB, env *Env, uscc string) map[string]any {
	t.Helper()
	st, body := env.Do(t, "GET", "/api/v1/subjects/"+uscc, "", nil)
	if st != http.StatusOK {
		t.Fatalf("GET subject %s: status %d, body %v", uscc, st, body)
	}
	return body
}

// stPublic returns the public records of item in a subject view by business
// key (cf_wsh or xk_wsh).
func stPublic(t testing.TB, subj map[string]any, item string) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	items, ok := subj["items"].([]any)
	if !ok {
		t.Fatalf("no items in %v", subj)
	}
	for _, it := range items {
		if stStr(it, "item") != item {
			continue
		}
		for _, r := range stAt(it, "records").([]any) {
			key := stStr(r, "fields", "cf_wsh") + stStr(r, "fields", "xk_wsh")
			out[key] = r.(map[string]any)
		}
		return out
	}
	t.Fatalf("item %s not in the subject view", item)
	return nil
}

// stSearch runs a subject search and returns status and body.
func stSearch(t testing.TB, env *Env, query string) (int, map[string]any) {
	t.Helper()
	return env.Do(t, "GET", "/api/v1/subjects?"+query, "", nil)
}

// stHitUSCCs returns the USCCs of a search's results, in order.
func stHitUSCCs(body map[string]any) []string {
	var out []string
	res, _ := body["results"].([]any)
	for _, r := range res {
		out = append(out, stStr(r, "uscc"))
	}
	return out
}

func TestSubjectPublicView(t *testing.T) {
	env := MustEnv(t) // today is 2026-11-30
	stCreated(t, env, stSCJG, "admin_penalty",
		Penalty("2026-02-13", "cf_wsh", "G", "cf_qjyz", "否"),
		Penalty("2026-03-10", "cf_wsh", "S", "cf_cflb", "吊销许可证件", "cf_nr", "吊销食品经营许可证",
			"cf_nr_zkdx", "食品经营许可证 JY14201060001", "cf_nr_fk", ""),
		Penalty("2025-01-10", "cf_wsh", "X"),
		Penalty("2026-04-01", "cf_wsh", "C", "cf_gsjzq", "2026-12-31"),
		Penalty("2026-04-01", "cf_wsh", "C2", "cf_gsjzq", "2028-12-31"),
	)
	stCreated(t, env, stSCJG, "admin_licensing", Licence("2026-02-13", "xk_wsh", "L"))
	subj := stSubject(t, env, stUSCC)
	pen := stPublic(t, subj, "admin_penalty")

	t.Run("OKIdentity", func(t *testing.T) {
		if subj["uscc"] != stUSCC || subj["name"] != "武汉楚天建筑工程有限公司" || subj["type"] != "法人及非法人组织" || subj["as_of"] != "2026-11-30" {
			t.Errorf("uscc %v name %v type %v as_of %v", subj["uscc"], subj["name"], subj["type"], subj["as_of"])
		}
		id := stAt(subj, "identifiers")
		if stStr(id, "organisation_code") != "60003734-1" || stStr(id, "division_code") != "110000" ||
			stStr(id, "registration_authority") != "市场监督管理" || stStr(id, "entity_type") != "企业" {
			t.Errorf("identifiers %v", id)
		}
		if stLen(subj, "former_names") != 0 {
			t.Errorf("former_names %v, want []", subj["former_names"])
		}
	})
	t.Run("OKShownRecords", func(t *testing.T) {
		var keys []string
		for k := range pen {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if !slices.Equal(keys, []string{"C", "C2", "G", "S"}) {
			t.Errorf("public penalties %v, want [C C2 G S]", keys)
		}
		if lic := stPublic(t, subj, "admin_licensing"); len(lic) != 1 || lic["L"] == nil {
			t.Errorf("public licences %v, want L", lic)
		}
	})
	t.Run("OKGeneralPenaltyOneYear", func(t *testing.T) {
		r := pen["G"]
		if stStr(r, "published_from") != "2026-02-13" || stStr(r, "published_until") != "2027-02-12" ||
			stStr(r, "severity") != "general" || stStr(r, "decision_date") != "2026-02-13" {
			t.Errorf("G: from %v until %v severity %v decision %v", r["published_from"], r["published_until"], r["severity"], r["decision_date"])
		}
		if stStr(r, "provider", "code") != stSCJG || stNum(r, "version") != 1 || stNum(r, "record_id") < 1 {
			t.Errorf("G: provider %v version %v record_id %v", r["provider"], r["version"], r["record_id"])
		}
	})
	t.Run("OKSeriousPenaltyThreeYears", func(t *testing.T) {
		r := pen["S"]
		if stStr(r, "published_until") != "2029-03-09" || stStr(r, "severity") != "serious" {
			t.Errorf("S: until %v severity %v, want 2029-03-09 serious", r["published_until"], r["severity"])
		}
	})
	t.Run("OKProviderEndShortensWindow", func(t *testing.T) {
		if got := stStr(pen["C"], "published_until"); got != "2026-12-31" {
			t.Errorf("C: until %q, want the provider's 2026-12-31", got)
		}
	})
	t.Run("OKProviderEndCannotLengthenWindow", func(t *testing.T) {
		if got := stStr(pen["C2"], "published_until"); got != "2027-03-31" {
			t.Errorf("C2: until %q, want the maximum 2027-03-31", got)
		}
	})
	t.Run("OKExpiredPenaltyNotShown", func(t *testing.T) {
		if pen["X"] != nil {
			t.Errorf("expired penalty shown: %v", pen["X"])
		}
		if strings.Contains(fmt.Sprint(subj), "2025-01-10") {
			t.Error("the subject view mentions the expired penalty's date")
		}
	})
	t.Run("OKLicenceWithoutEnd", func(t *testing.T) {
		r := stPublic(t, subj, "admin_licensing")["L"]
		if v, ok := r["published_until"]; !ok || v != nil {
			t.Errorf("licence published_until %v (present %v), want null", v, ok)
		}
		if stStr(r, "published_from") != "2026-02-13" {
			t.Errorf("licence published_from %v", r["published_from"])
		}
	})
	t.Run("OKOnlyPublicFields", func(t *testing.T) {
		cat := catalog.Default()
		for _, code := range []string{"admin_penalty", "admin_licensing"} {
			it, ok := cat.Item(code)
			if !ok {
				t.Fatalf("no catalogue item %s", code)
			}
			for key, r := range stPublic(t, subj, code) {
				for f := range r["fields"].(map[string]any) {
					fd, ok := it.Field(f)
					if !ok || fd.Sensitivity != catalog.Public {
						t.Errorf("%s %s shows field %s, which is not public", code, key, f)
					}
				}
			}
		}
		if _, ok := stAt(pen["G"], "fields").(map[string]any)["cf_qjyz"]; ok {
			t.Error("the shared field cf_qjyz is shown")
		}
		if stStr(pen["G"], "fields", "cf_sy") != "当事人在其网站发布虚假宣传内容。" {
			t.Errorf("public field cf_sy missing: %v", stAt(pen["G"], "fields"))
		}
	})
	t.Run("OKPersonalNumberMasked", func(t *testing.T) {
		for key, r := range pen {
			if got := stStr(r, "fields", "fddbr_zjhm"); got != "110105********002X" {
				t.Errorf("%s: fddbr_zjhm %q, want 110105********002X", key, got)
			}
		}
		if strings.Contains(fmt.Sprint(subj), "11010519491231002X") {
			t.Error("the full identity number appears in the public view")
		}
	})
	t.Run("OKNormalisedPath", func(t *testing.T) {
		for _, p := range []string{strings.ToLower(stUSCC), url.PathEscape("9111 0000 6000 3734 1L"), "91110000-60003734-1l", url.PathEscape(" 91110000600037341l ")} {
			s := stSubject(t, env, p)
			if s["uscc"] != stUSCC || s["name"] != "武汉楚天建筑工程有限公司" {
				t.Errorf("GET %s: uscc %v name %v", p, s["uscc"], s["name"])
			}
		}
	})
	t.Run("ErrUnknownValidUSCC", func(t *testing.T) {
		const unknown = "91350100M000100Y43"
		if err := ident.CheckUSCC(unknown); err != nil {
			t.Fatalf("test code %s is not valid: %v", unknown, err)
		}
		st, body := env.Do(t, "GET", "/api/v1/subjects/"+unknown, "", nil)
		if st != http.StatusNotFound || body["code"] != "not_found" {
			t.Errorf("status %d code %v, want 404 not_found", st, body["code"])
		}
	})
	t.Run("ErrMalformedUSCC", func(t *testing.T) {
		for _, p := range []string{"91110000600037341A", "9111000060003734", "abc", url.PathEscape("中文名称"), "91110000600037341L1"} {
			st, body := env.Do(t, "GET", "/api/v1/subjects/"+p, "", nil)
			if st != http.StatusBadRequest || body["code"] != "invalid" || stStr(body, "message_zh") == "" {
				t.Errorf("GET %s: status %d code %v, want 400 invalid", p, st, body["code"])
			}
		}
	})
}

func TestSubjectMinorPenaltyWindow(t *testing.T) {
	env := MustEnv(t)
	env.SetNow(time.Date(2026, 6, 3, 9, 0, 0, 0, workday.CST))
	ids := stCreated(t, env, stSCJG, "admin_penalty",
		Penalty("2026-06-01", "cf_wsh", "W", "cf_cflb", "警告", "cf_nr", "警告", "cf_nr_fk", ""))
	t.Run("OKMinorThreeMonths", func(t *testing.T) {
		rec := stMustRecord(t, env, stSCJG, ids[0])
		if stStr(rec, "published_until") != "2026-08-31" || stStr(rec, "versions", 0, "severity") != "minor" {
			t.Errorf("published_until %v severity %v, want 2026-08-31 minor", rec["published_until"], stAt(rec, "versions", 0, "severity"))
		}
	})
	t.Run("OKShownOnLastDay", func(t *testing.T) {
		env.SetNow(time.Date(2026, 8, 31, 23, 59, 0, 0, workday.CST))
		r := stPublic(t, stSubject(t, env, stUSCC), "admin_penalty")["W"]
		if r == nil || stStr(r, "published_until") != "2026-08-31" || stStr(r, "severity") != "minor" {
			t.Errorf("on 2026-08-31 the warning is %v, want shown until 2026-08-31", r)
		}
	})
	t.Run("OKGoneTheDayAfter", func(t *testing.T) {
		env.SetNow(time.Date(2026, 9, 1, 0, 0, 1, 0, workday.CST))
		subj := stSubject(t, env, stUSCC)
		if pen := stPublic(t, subj, "admin_penalty"); len(pen) != 0 {
			t.Errorf("on 2026-09-01 public penalties %v, want none", pen)
		}
		if subj["as_of"] != "2026-09-01" {
			t.Errorf("as_of %v", subj["as_of"])
		}
	})
	t.Run("OKSmallFineIsMinor", func(t *testing.T) {
		env.SetNow(time.Date(2026, 9, 1, 10, 0, 0, 0, workday.CST))
		ids := stCreated(t, env, stSCJG, "admin_penalty",
			Penalty("2026-09-01", "cf_wsh", "F", "cf_nr_fk", "0.5", "cf_nr", "罚款人民币伍仟元整"))
		rec := stMustRecord(t, env, stSCJG, ids[0])
		if stStr(rec, "published_until") != "2026-11-30" || stStr(rec, "versions", 0, "severity") != "minor" {
			t.Errorf("small fine: until %v severity %v, want 2026-11-30 minor", rec["published_until"], stAt(rec, "versions", 0, "severity"))
		}
	})
}

func TestSubjectNaturalPerson(t *testing.T) {
	env := MustEnv(t)
	const idNumber = "110105195001010039"
	if err := ident.CheckIDCard(idNumber, env.Clock()); err != nil {
		t.Fatalf("test identity number: %v", err)
	}
	stCreated(t, env, stSCJG, "admin_penalty", Penalty("2026-02-13", "cf_wsh", "ORG"))
	person := Penalty("2026-02-13", "cf_wsh", "PERSON", "xdr_mc", "楚天明", "xdr_lb", "自然人", "zjlx", "身份证", "zjhm", idNumber,
		"xdr_shxym", "", "fddbr", "", "fddbr_zjlx", "", "fddbr_zjhm", "")
	res := stSubmitOne(t, env, stSCJG, "admin_penalty", http.StatusOK, person)
	r := res[0]
	t.Run("OKStored", func(t *testing.T) {
		if r["status"] != "created" || stNum(r, "record_id") < 1 {
			t.Fatalf("person's penalty: %v, want created", r)
		}
		if ident.CheckUSCC(stStr(r, "subject")) == nil || strings.Contains(stStr(r, "subject"), idNumber) {
			t.Errorf("subject label %v of a person is a USCC or the identity number", r["subject"])
		}
		rec := stMustRecord(t, env, stSCJG, stNum(r, "record_id"))
		if stStr(rec, "versions", 0, "fields", "zjhm") != idNumber {
			t.Errorf("the provider does not read back zjhm: %v", stAt(rec, "versions", 0, "fields", "zjhm"))
		}
		if rec["published_until"] != nil || stAt(rec, "versions", 0, "public") != false {
			t.Errorf("person's record: public %v published_until %v, want never public", stAt(rec, "versions", 0, "public"), rec["published_until"])
		}
	})
	t.Run("OKSearchNeverFindsPerson", func(t *testing.T) {
		for _, q := range []string{"楚天明", "天明", "明", "楚天", "楚", idNumber, "110105"} {
			st, body := stSearch(t, env, "q="+url.QueryEscape(q))
			if st != http.StatusOK {
				t.Fatalf("q=%s: status %d", q, st)
			}
			for _, h := range body["results"].([]any) {
				if stStr(h, "name") == "楚天明" || stStr(h, "matched_name") == "楚天明" || stStr(h, "uscc") != stUSCC {
					t.Errorf("q=%s returned %v", q, h)
				}
			}
			if q == "楚天" || q == "楚" {
				if stNum(body, "total") != 1 {
					t.Errorf("q=%s: total %v, want 1 (the organisation only)", q, body["total"])
				}
			} else if stNum(body, "total") != 0 {
				t.Errorf("q=%s: total %v, want 0", q, body["total"])
			}
		}
	})
	t.Run("ErrNoPublicLookup", func(t *testing.T) {
		st, _ := env.Do(t, "GET", "/api/v1/subjects/"+url.PathEscape(stStr(r, "subject")), "", nil)
		if st != http.StatusBadRequest && st != http.StatusNotFound {
			t.Errorf("GET subject by the person's label: status %d, want 400 or 404", st)
		}
		st, _ = env.Do(t, "GET", "/api/v1/subjects/"+idNumber, "", nil)
		if st != http.StatusBadRequest && st != http.StatusNotFound {
			t.Errorf("GET subject by identity number: status %d, want 400 or 404", st)
		}
		subj := stSubject(t, env, stUSCC)
		if strings.Contains(fmt.Sprint(subj), "楚天明") || strings.Contains(fmt.Sprint(subj), "PERSON") {
			t.Error("the organisation's view shows the person's penalty")
		}
	})
}

func TestSubjectNameHistory(t *testing.T) {
	env := MustEnv(t)
	const nameA, nameB = "武汉楚天建筑工程有限公司", "湖北楚天建设集团有限公司"
	stCreated(t, env, stSCJG, "admin_penalty",
		Penalty("2025-05-01", "cf_wsh", "N1", "xdr_mc", nameA, "cf_yxq", "2026-12-31"))
	stCreated(t, env, stSCJG, "admin_penalty",
		Penalty("2026-05-01", "cf_wsh", "N2", "xdr_mc", nameB))
	formers := func(subj map[string]any) map[string]string {
		out := map[string]string{}
		for _, f := range subj["former_names"].([]any) {
			out[stStr(f, "name")] = stStr(f, "as_of")
		}
		return out
	}
	t.Run("OKLaterDecisionRenames", func(t *testing.T) {
		subj := stSubject(t, env, stUSCC)
		if subj["name"] != nameB {
			t.Errorf("name %v, want %s", subj["name"], nameB)
		}
		if f := formers(subj); len(f) != 1 || f[nameA] != "2025-05-01" {
			t.Errorf("former_names %v, want %s as of 2025-05-01", f, nameA)
		}
	})
	var lateID int64
	t.Run("OKLateRecordWithOldNameKeepsName", func(t *testing.T) {
		lateID = stCreated(t, env, stSCJG, "admin_penalty", Penalty("2025-06-01", "cf_wsh", "N3", "xdr_mc", nameA))[0]
		subj := stSubject(t, env, stUSCC)
		if subj["name"] != nameB {
			t.Errorf("name %v after a late record under the old name, want %s", subj["name"], nameB)
		}
		if f := formers(subj); len(f) != 1 || f[nameA] != "2025-06-01" {
			t.Errorf("former_names %v, want %s as of 2025-06-01", f, nameA)
		}
	})
	t.Run("OKRecordKeepsNameItWasDecidedUnder", func(t *testing.T) {
		rec := stMustRecord(t, env, stSCJG, lateID)
		if stStr(rec, "versions", 0, "fields", "xdr_mc") != nameA || rec["subject_name"] != nameB {
			t.Errorf("late record: xdr_mc %q subject_name %v, want %s and %s", stStr(rec, "versions", 0, "fields", "xdr_mc"), rec["subject_name"], nameA, nameB)
		}
		pen := stPublic(t, stSubject(t, env, stUSCC), "admin_penalty")
		if len(pen) != 1 || stStr(pen["N2"], "fields", "xdr_mc") != nameB {
			t.Errorf("public penalties %v, want only N2 under %s (N1 and N3 have expired)", pen, nameB)
		}
	})
	t.Run("OKSearchByFormerName", func(t *testing.T) {
		st, body := stSearch(t, env, "q="+url.QueryEscape("武汉楚天建筑"))
		if st != http.StatusOK || stNum(body, "total") != 1 {
			t.Fatalf("status %d total %v", st, body["total"])
		}
		h := stAt(body, "results", 0)
		if stStr(h, "uscc") != stUSCC || stStr(h, "name") != nameB || stStr(h, "matched_name") != nameA {
			t.Errorf("hit %v, want %s named %s matched by %s", h, stUSCC, nameB, nameA)
		}
	})
	t.Run("OKSearchByBothNamesFindsOnce", func(t *testing.T) {
		st, body := stSearch(t, env, "q="+url.QueryEscape("楚天"))
		if st != http.StatusOK || stNum(body, "total") != 1 || stLen(body, "results") != 1 {
			t.Fatalf("status %d total %v results %v, want the subject once", st, body["total"], body["results"])
		}
		if h := stAt(body, "results", 0); stStr(h, "matched_name") != nameB {
			t.Errorf("matched_name %v, want the current name %s", stStr(h, "matched_name"), nameB)
		}
	})
}

func TestSubjectSearch(t *testing.T) {
	env := MustEnv(t)
	// The default enterprise, a person, and 60 enterprises of one series.
	stCreated(t, env, stSCJG, "admin_penalty", Penalty("2026-02-13", "cf_wsh", "BASE"))
	stCreated(t, env, stSCJG, "admin_penalty", Penalty("2026-02-13", "cf_wsh", "P", "xdr_mc", "江城分页测试员", "xdr_lb", "自然人",
		"zjlx", "身份证", "zjhm", "110105195001010039", "xdr_shxym", "", "fddbr", "", "fddbr_zjlx", "", "fddbr_zjhm", ""))
	series := map[string]string{} // USCC -> name
	var batch []map[string]any
	for i := 1; i <= 60; i++ {
		code := stMakeUSCC(t, "420100", fmt.Sprintf("MA4K%04d", i))
		name := fmt.Sprintf("江城分页测试第%02d号商贸有限公司", i)
		if _, dup := series[code]; dup {
			t.Fatalf("duplicate code %s", code)
		}
		series[code] = name
		batch = append(batch, Licence("2026-02-13", "xk_wsh", fmt.Sprintf("PAGE-%02d", i), "xdr_shxym", code, "xdr_mc", name))
	}
	stCreated(t, env, stSWJ, "admin_licensing", batch...)

	tests := []struct {
		name   string
		query  string
		status int
		total  int      // -1: do not check
		want   []string // USCCs that must be among the results
		check  func(t *testing.T, body map[string]any)
	}{
		{name: "OKMiddleSubstring", query: "q=" + url.QueryEscape("建筑工程"), status: 200, total: 1, want: []string{stUSCC},
			check: func(t *testing.T, b map[string]any) {
				h := stAt(b, "results", 0)
				if stStr(h, "name") != "武汉楚天建筑工程有限公司" || stStr(h, "matched_name") != "武汉楚天建筑工程有限公司" || stStr(h, "type") != "法人及非法人组织" {
					t.Errorf("hit %v", h)
				}
			}},
		{name: "OKOneCharacter", query: "q=" + url.QueryEscape("楚"), status: 200, total: 1, want: []string{stUSCC}},
		{name: "OKTwoCharacters", query: "q=" + url.QueryEscape("建筑"), status: 200, total: 1, want: []string{stUSCC}},
		{name: "OKTwoCharactersSeries", query: "q=" + url.QueryEscape("商贸"), status: 200, total: 60},
		{name: "OKNoMatch", query: "q=" + url.QueryEscape("不存在的名称"), status: 200, total: 0},
		{name: "OKUSCCPrefix", query: "q=9111", status: 200, total: 1, want: []string{stUSCC}},
		{name: "OKUSCCPrefixLowerCase", query: "q=" + strings.ToLower(stUSCC[:12]), status: 200, total: 1, want: []string{stUSCC}},
		{name: "OKUSCCPrefixSeries", query: "q=91420100&per_page=50", status: 200, total: 60,
			check: func(t *testing.T, b map[string]any) {
				got := stHitUSCCs(b)
				if len(got) != 50 || !slices.IsSorted(got) {
					t.Errorf("%d hits, sorted %v", len(got), slices.IsSorted(got))
				}
				if d := stStr(b, "results", 0, "division"); d != ident.DivisionName("420100") {
					t.Errorf("division %q, want %q", d, ident.DivisionName("420100"))
				}
			}},
		{name: "OKWholeUSCC", query: "q=" + stUSCC, status: 200, total: 1, want: []string{stUSCC}},
		{name: "OKPersonNameNotFound", query: "q=" + url.QueryEscape("江城分页测试员"), status: 200, total: 0},
		{name: "OKPersonSharesWordsWithOrganisations", query: "q=" + url.QueryEscape("分页测试"), status: 200, total: 60,
			check: func(t *testing.T, b map[string]any) {
				for _, h := range b["results"].([]any) {
					if series[stStr(h, "uscc")] != stStr(h, "name") {
						t.Errorf("hit %v is not one of the series", h)
					}
				}
			}},
		{name: "OKDefaultPerPage", query: "q=" + url.QueryEscape("分页测试"), status: 200, total: 60,
			check: func(t *testing.T, b map[string]any) {
				if stLen(b, "results") != 20 || stNum(b, "per_page") != 20 || stNum(b, "page") != 1 {
					t.Errorf("results %d per_page %v page %v, want 20 20 1", stLen(b, "results"), b["per_page"], b["page"])
				}
			}},
		{name: "ErrPerPage51", query: "q=" + url.QueryEscape("分页测试") + "&per_page=51", status: 400},
		{name: "ErrPerPageZero", query: "q=x&per_page=0", status: 400},
		{name: "ErrPageZero", query: "q=x&page=0", status: 400},
		{name: "ErrPageNotNumber", query: "q=x&page=two", status: 400},
		{name: "ErrMissingQ", query: "", status: 400},
		{name: "ErrBlankQ", query: "q=%20%20", status: 400},
		{name: "ErrQueryTooLong", query: "q=" + url.QueryEscape(strings.Repeat("楚", 101)), status: 400},
		{name: "ErrPageBeyond1000", query: "q=" + url.QueryEscape("分页测试") + "&per_page=50&page=21", status: 400},
		{name: "ErrPageBeyond1000DefaultPerPage", query: "q=" + url.QueryEscape("分页测试") + "&page=51", status: 400},
		{name: "OKLastReachablePage", query: "q=" + url.QueryEscape("分页测试") + "&per_page=50&page=20", status: 200, total: 60,
			check: func(t *testing.T, b map[string]any) {
				if stLen(b, "results") != 0 {
					t.Errorf("%d results on page 100", stLen(b, "results"))
				}
			}},
	}
	for _, q := range []string{`"`, `*`, `AND`, `(`, `)`, `楚天"`, `"楚天建筑"`, `楚天 AND 建筑`, `NEAR(楚 天)`, `建筑*`, `name:楚天`,
		`^楚`, `-`, `'`, `''; DROP TABLE subjects; --`, `楚 OR 天`, `a"b"c`, `%`, `_`, `\`, `{}`, `[`, `NOT`, `OR`, `91*`, `9111"`} {
		tests = append(tests, struct {
			name   string
			query  string
			status int
			total  int
			want   []string
			check  func(t *testing.T, body map[string]any)
		}{name: "OKSyntaxCharacters" + url.QueryEscape(q), query: "q=" + url.QueryEscape(q), status: 200, total: -1})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, body := stSearch(t, env, tc.query)
			if st != tc.status {
				t.Fatalf("GET /api/v1/subjects?%s: status %d, want %d; body %v", tc.query, st, tc.status, body)
			}
			if st != http.StatusOK {
				if body["code"] != "invalid" || stStr(body, "message_zh") == "" || stStr(body, "message_en") == "" {
					t.Errorf("problem %v", body)
				}
				return
			}
			if stLen(body, "results") < 0 {
				t.Fatalf("results is not an array: %v", body)
			}
			if tc.total >= 0 && stNum(body, "total") != int64(tc.total) {
				t.Errorf("total %v, want %d; results %v", body["total"], tc.total, stHitUSCCs(body))
			}
			got := stHitUSCCs(body)
			for _, w := range tc.want {
				if !slices.Contains(got, w) {
					t.Errorf("results %v lack %s", got, w)
				}
			}
			for _, u := range got {
				if err := ident.CheckUSCC(u); err != nil {
					t.Errorf("result %q is not an organisation's code", u)
				}
			}
			if tc.check != nil {
				tc.check(t, body)
			}
		})
	}

	t.Run("OKPaginationCoversAll", func(t *testing.T) {
		q := "q=" + url.QueryEscape("分页测试") + "&per_page=50"
		_, p1 := stSearch(t, env, q+"&page=1")
		_, p2 := stSearch(t, env, q+"&page=2")
		_, p3 := stSearch(t, env, q+"&page=3")
		if stLen(p1, "results") != 50 || stLen(p2, "results") != 10 || stLen(p3, "results") != 0 {
			t.Fatalf("page sizes %d, %d, %d; want 50, 10, 0", stLen(p1, "results"), stLen(p2, "results"), stLen(p3, "results"))
		}
		for i, p := range []map[string]any{p1, p2, p3} {
			if stNum(p, "total") != 60 || stNum(p, "page") != int64(i+1) || stNum(p, "per_page") != 50 || p["total_capped"] != false {
				t.Errorf("page %d: total %v page %v per_page %v capped %v", i+1, p["total"], p["page"], p["per_page"], p["total_capped"])
			}
		}
		all := append(stHitUSCCs(p1), stHitUSCCs(p2)...)
		seen := map[string]bool{}
		for _, u := range all {
			if seen[u] {
				t.Errorf("%s on two pages", u)
			}
			seen[u] = true
			if series[u] == "" {
				t.Errorf("%s is not in the series", u)
			}
		}
		if len(seen) != 60 {
			t.Errorf("%d distinct subjects over the pages, want 60", len(seen))
		}
	})
}

func TestSubjectSearchByRegistrationNumber(t *testing.T) {
	env := MustEnv(t)
	// The default enterprise with the numbers it had before its USCC, one
	// whose code starts with one of them, and a person whose record states
	// numbers too.
	stCreated(t, env, stSCJG, "admin_penalty", Penalty("2026-02-13", "cf_wsh", "OLD", "xdr_gszc", "420100000123456", "xdr_zzjg", "MA4K1234-5",
		"xdr_swdj", "91420100MA4K"))
	other := stMakeUSCC(t, "420100", "MA4K0001")
	stCreated(t, env, stSWJ, "admin_licensing", Licence("2026-02-13", "xk_wsh", "NEW", "xdr_shxym", other, "xdr_mc", "江城新登记商贸有限公司"))
	stCreated(t, env, stSCJG, "admin_penalty", Penalty("2026-02-13", "cf_wsh", "P", "xdr_mc", "江城测试员", "xdr_lb", "自然人",
		"zjlx", "身份证", "zjhm", "110105195001010039", "xdr_shxym", "", "fddbr", "", "fddbr_zjlx", "", "fddbr_zjhm", "",
		"xdr_gszc", "420100000999999", "xdr_zzjg", "L1234567-4"))

	type hit struct{ uscc, code string } // code: the matched_code wanted
	tests := []struct {
		name  string
		q     string
		total int
		hits  []hit // in order
	}{
		{"OKBusinessNumber", "420100000123456", 1, []hit{{stUSCC, "420100000123456"}}},
		{"OKOrgCodeWithHyphen", "MA4K1234-5", 1, []hit{{stUSCC, "MA4K12345"}}},
		{"OKOrgCodeLowerCase", "ma4k12345", 1, []hit{{stUSCC, "MA4K12345"}}},
		{"OKOrgCodeFullWidth", "ＭＡ４Ｋ１２３４－５", 1, []hit{{stUSCC, "MA4K12345"}}},
		{"OKOrgCodeOfUSCC", "60003734-1", 1, []hit{{stUSCC, "600037341"}}},
		{"OKExactThenPrefix", "91420100ma4k", 2, []hit{{stUSCC, "91420100MA4K"}, {other, ""}}},
		{"OKPrefixOnly", "91420100", 1, []hit{{other, ""}}},
		{"OKWholeUSCC", stUSCC, 1, []hit{{stUSCC, ""}}},
		{"OKNameHasNoCode", "楚天建筑", 1, []hit{{stUSCC, ""}}},
		{"OKPersonNeverFound", "420100000999999", 0, nil},
		{"OKPersonOrgCodeNeverFound", "L1234567-4", 0, nil},
		{"OKUnknownNumber", "420100000123457", 0, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, body := stSearch(t, env, "q="+url.QueryEscape(tc.q))
			if st != http.StatusOK {
				t.Fatalf("status %d, body %v", st, body)
			}
			if stNum(body, "total") != int64(tc.total) || stLen(body, "results") != len(tc.hits) {
				t.Fatalf("total %v results %v, want %d", body["total"], body["results"], tc.total)
			}
			for i, want := range tc.hits {
				h := stAt(body, "results", i).(map[string]any)
				code, ok := h["matched_code"].(string)
				if !ok || stStr(h, "uscc") != want.uscc || code != want.code {
					t.Errorf("result %d: %v, want %s matched by %q", i, h, want.uscc, want.code)
				}
				if want.code != "" && stStr(h, "matched_name") != "" {
					t.Errorf("result %d: matched_name %q for a registration number, want empty", i, stStr(h, "matched_name"))
				}
				if stStr(h, "name") == "" || stStr(h, "type") == "" {
					t.Errorf("result %d: %v lacks name or type", i, h)
				}
			}
		})
	}
}
