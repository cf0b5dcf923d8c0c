package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/xinyong/xinyong/internal/ident"
	"github.com/xinyong/xinyong/internal/workday"
)

// Providers of the test environment and the subject of Penalty and Licence.
const (
	stSCJG = "420000-SCJG" // licensing and penalty
	stSWJ  = "420100-SWJ"  // licensing only
	stUSCC = "91110000600037341L"
)

// stAt walks decoded JSON by map keys (string) and array indexes (int); it
// returns nil where the path does not exist.
func stAt(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			a, ok := v.([]any)
			if !ok || k < 0 || k >= len(a) {
				return nil
			}
			v = a[k]
		default:
			panic(fmt.Sprintf("stAt: bad path element %T", p))
		}
	}
	return v
}

// stStr is stAt for a string; "" when absent or not a string.
func stStr(v any, path ...any) string {
	s, _ := stAt(v, path...).(string)
	return s
}

// stNum is stAt for a number; -1 when absent or not a number.
func stNum(v any, path ...any) int64 {
	f, ok := stAt(v, path...).(float64)
	if !ok {
		return -1
	}
	return int64(f)
}

// stLen is the length of the array at path; -1 when it is not an array.
func stLen(v any, path ...any) int {
	a, ok := stAt(v, path...).([]any)
	if !ok {
		return -1
	}
	return len(a)
}

// stErrKeys returns the errors of one submission result as sorted
// "field/code" strings, checking that each carries both messages.
func stErrKeys(t testing.TB, res map[string]any) []string {
	t.Helper()
	var out []string
	errs, _ := res["errors"].([]any)
	for _, e := range errs {
		if stStr(e, "message_zh") == "" || stStr(e, "message_en") == "" {
			t.Errorf("error %v lacks message_zh or message_en", e)
		}
		out = append(out, stStr(e, "field")+"/"+stStr(e, "code"))
	}
	sort.Strings(out)
	return out
}

// stFindErr returns the error with the given field and code of a result.
func stFindErr(res map[string]any, field, code string) map[string]any {
	errs, _ := res["errors"].([]any)
	for _, e := range errs {
		if stStr(e, "field") == field && stStr(e, "code") == code {
			return e.(map[string]any)
		}
	}
	return nil
}

// stRecord reads one record back as provider code.
func stRecord(t testing.TB, env *Env, code string, id int64) (int, map[string]any) {
	t.Helper()
	return env.Do(t, "GET", fmt.Sprintf("/api/v1/records/%d", id), env.Keys[code], nil)
}

// stMustRecord reads one record back and fails unless it is there.
func stMustRecord(t testing.TB, env *Env, code string, id int64) map[string]any {
	t.Helper()
	st, body := stRecord(t, env, code, id)
	if st != http.StatusOK {
		t.Fatalf("GET record %d as %s: status %d, body %v", id, code, st, body)
	}
	return body
}

// stSubmitOne submits records and fails unless the status is want; it
// returns the results.
func stSubmitOne(t testing.TB, env *Env, code, item string, want int, records ...map[string]any) []map[string]any {
	t.Helper()
	st, body := env.Submit(t, code, item, false, records...)
	if st != want {
		t.Fatalf("submit %s as %s: status %d, want %d; body %v", item, code, st, want, body)
	}
	return Results(t, body)
}

// stCreated submits records that must all be created and returns their ids.
func stCreated(t testing.TB, env *Env, code, item string, records ...map[string]any) []int64 {
	t.Helper()
	res := stSubmitOne(t, env, code, item, http.StatusOK, records...)
	ids := make([]int64, len(res))
	for i, r := range res {
		if r["status"] != "created" {
			t.Fatalf("record %d: status %v, want created; errors %v", i, r["status"], r["errors"])
		}
		ids[i] = stNum(r, "record_id")
	}
	return ids
}

// stRaw sends a request with an exact Authorization header value (none when
// auth is "") and body, and returns the status, headers and decoded body.
func stRaw(t testing.TB, env *Env, method, path, auth string, body []byte) (int, http.Header, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, env.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if len(data) > 0 {
		if err := json.Unmarshal(data, &out); err != nil {
			t.Fatalf("%s %s: status %d, body not a JSON object: %.300q", method, path, resp.StatusCode, data)
		}
	}
	return resp.StatusCode, resp.Header, out
}

func stJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// stMakeUSCC returns a valid enterprise code in division with the given
// eight-character organisation code body.
func stMakeUSCC(t testing.TB, division, body8 string) string {
	t.Helper()
	c, err := ident.MakeUSCC('9', '1', division, body8)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func stCST(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 10, 0, 0, 0, workday.CST)
}

func TestSubmitValidBatch(t *testing.T) {
	env := MustEnv(t)
	other := stMakeUSCC(t, "420100", "MA4K0001") // a second enterprise
	st, body := env.Submit(t, stSCJG, "admin_penalty", false,
		Penalty("2026-02-13", "cf_wsh", "鄂市监罚〔2026〕1号"),
		Penalty("2026-03-10", "cf_wsh", "鄂市监罚〔2026〕2号", "xdr_shxym", other, "xdr_mc", "武汉江城商贸有限公司"),
		// The USCC as people write it: lower case, spaces and a hyphen.
		Penalty("2026-04-01", "cf_wsh", "鄂市监罚〔2026〕3号", "xdr_shxym", "9111 0000-6000 3734 1l"),
	)
	if st != http.StatusOK {
		t.Fatalf("status %d, want 200; body %v", st, body)
	}
	t.Run("OKResponseEnvelope", func(t *testing.T) {
		if body["item"] != "admin_penalty" || stNum(body, "catalog_version") != 1 || body["atomic"] != false || body["stored"] != true {
			t.Errorf("envelope item=%v catalog_version=%v atomic=%v stored=%v", body["item"], body["catalog_version"], body["atomic"], body["stored"])
		}
		if stStr(body, "request_id") == "" {
			t.Error("request_id is empty")
		}
	})
	t.Run("OKSummaryCounts", func(t *testing.T) {
		want := map[string]any{"created": 3.0, "updated": 0.0, "unchanged": 0.0, "rejected": 0.0}
		if !reflect.DeepEqual(body["summary"], want) {
			t.Errorf("summary = %v, want %v", body["summary"], want)
		}
	})
	res := Results(t, body)
	t.Run("OKEveryResultCreated", func(t *testing.T) {
		if len(res) != 3 {
			t.Fatalf("%d results, want 3", len(res))
		}
		wantSubject := []string{stUSCC, other, stUSCC}
		seen := map[int64]bool{}
		for i, r := range res {
			if stNum(r, "index") != int64(i) || r["status"] != "created" || stNum(r, "version") != 1 {
				t.Errorf("result %d: index=%v status=%v version=%v", i, r["index"], r["status"], r["version"])
			}
			id := stNum(r, "record_id")
			if id < 1 || seen[id] {
				t.Errorf("result %d: record_id %d not a new positive id", i, id)
			}
			seen[id] = true
			if r["subject"] != wantSubject[i] {
				t.Errorf("result %d: subject %v, want %s", i, r["subject"], wantSubject[i])
			}
			if stNum(r, "subject_id") < 1 {
				t.Errorf("result %d: subject_id %v", i, r["subject_id"])
			}
			if r["errors"] != nil {
				t.Errorf("result %d: errors %v on a created record", i, r["errors"])
			}
		}
		if stNum(res[0], "subject_id") != stNum(res[2], "subject_id") || stNum(res[0], "subject_id") == stNum(res[1], "subject_id") {
			t.Errorf("subject ids %v %v %v: records 0 and 2 share a subject, 1 does not", res[0]["subject_id"], res[1]["subject_id"], res[2]["subject_id"])
		}
	})
	t.Run("OKStoredAsSubmitted", func(t *testing.T) {
		rec := stMustRecord(t, env, stSCJG, stNum(res[1], "record_id"))
		if rec["item"] != "admin_penalty" || rec["subject"] != other || rec["subject_name"] != "武汉江城商贸有限公司" ||
			rec["business_key"] != "鄂市监罚〔2026〕2号" || stStr(rec, "provider", "code") != stSCJG || rec["status"] != "active" {
			t.Errorf("record read back: %v", rec)
		}
		if got := stStr(rec, "versions", 0, "fields", "xdr_shxym"); got != other {
			t.Errorf("xdr_shxym = %q, want %q", got, other)
		}
		rec = stMustRecord(t, env, stSCJG, stNum(res[2], "record_id"))
		if got := stStr(rec, "versions", 0, "fields", "xdr_shxym"); got != stUSCC {
			t.Errorf("normalised xdr_shxym = %q, want %q", got, stUSCC)
		}
	})
}

func TestSubmitInvalidRecords(t *testing.T) {
	env := MustEnv(t)
	pen := func(wsh string, kv ...string) map[string]any {
		return Penalty("2026-02-13", append([]string{"cf_wsh", wsh}, kv...)...)
	}
	with := func(r map[string]any, k string, v any) map[string]any { r[k] = v; return r }
	without := func(r map[string]any, k string) map[string]any { delete(r, k); return r }

	tests := []struct {
		name   string
		record any
		status string   // created or rejected
		errs   []string // every error, as field/code
		check  func(t *testing.T, res map[string]any)
	}{
		{name: "ErrMissingRequiredField", record: pen("E1", "cf_wfxw", ""), status: "rejected",
			errs: []string{"cf_wfxw/required"},
			check: func(t *testing.T, res map[string]any) {
				e := stFindErr(res, "cf_wfxw", "required")
				if !strings.Contains(stStr(e, "message_zh"), "违法行为类型") || !strings.Contains(stStr(e, "message_en"), "cf_wfxw") {
					t.Errorf("messages do not name the field: %v", e)
				}
			}},
		{name: "ErrUSCCCheckChar", record: pen("E2", "xdr_shxym", "91110000600037341A"), status: "rejected",
			errs: []string{"xdr_shxym/uscc_check"},
			check: func(t *testing.T, res map[string]any) {
				e := stFindErr(res, "xdr_shxym", "uscc_check")
				zh, en := stStr(e, "message_zh"), stStr(e, "message_en")
				if !strings.Contains(zh, "第18位") || !strings.Contains(zh, "应为 L") {
					t.Errorf("message_zh %q does not name position 18 and the expected L", zh)
				}
				if !strings.Contains(en, "position 18") || !strings.Contains(en, "expected L") {
					t.Errorf("message_en %q does not name position 18 and the expected L", en)
				}
			}},
		{name: "ErrDateFormatDayFirst", record: pen("E3", "cf_jdrq", "13/02/2026"), status: "rejected",
			errs: []string{"cf_jdrq/date_format"},
			check: func(t *testing.T, res map[string]any) {
				if zh := stStr(stFindErr(res, "cf_jdrq", "date_format"), "message_zh"); !strings.Contains(zh, "13/02/2026") {
					t.Errorf("message_zh %q does not quote the value", zh)
				}
			}},
		{name: "ErrDateNotReal", record: pen("E3b", "cf_jdrq", "2026-02-30"), status: "rejected",
			errs: []string{"cf_jdrq/date_invalid"}},
		{name: "ErrDecisionDateInFuture", record: pen("E4", "cf_jdrq", "2026-12-01"), status: "rejected",
			errs: []string{"cf_jdrq/date_future"}},
		{name: "ErrDateOrder", record: pen("E4b", "cf_yxq", "2026-01-01"), status: "rejected",
			errs: []string{"cf_yxq/date_order"}},
		{name: "ErrEnumValue", record: pen("E5", "cf_cflb", "罚金"), status: "rejected",
			errs: []string{"cf_cflb/enum"},
			check: func(t *testing.T, res map[string]any) {
				if zh := stStr(stFindErr(res, "cf_cflb", "enum"), "message_zh"); !strings.Contains(zh, "罚金") || !strings.Contains(zh, "罚款") {
					t.Errorf("message_zh %q names neither the value nor the allowed ones", zh)
				}
			}},
		{name: "ErrFineWithoutAmount", record: pen("E6", "cf_nr_fk", ""), status: "rejected",
			errs: []string{"cf_nr_fk/required"},
			check: func(t *testing.T, res map[string]any) {
				if zh := stStr(stFindErr(res, "cf_nr_fk", "required"), "message_zh"); !strings.Contains(zh, "罚款") {
					t.Errorf("message_zh %q does not give the condition", zh)
				}
			}},
		{name: "ErrUnknownField", record: with(pen("E7"), "cf_xyz", "x"), status: "rejected",
			errs: []string{"cf_xyz/unknown_field"}},
		{name: "OKNumberForDecimal", record: with(pen("OK1"), "cf_nr_fk", 5), status: "created",
			check: func(t *testing.T, res map[string]any) {
				rec := stMustRecord(t, env, stSCJG, stNum(res, "record_id"))
				if got := stStr(rec, "versions", 0, "fields", "cf_nr_fk"); got != "5" {
					t.Errorf("cf_nr_fk stored as %q, want 5", got)
				}
			}},
		{name: "OKFractionalNumberCanonical", record: with(pen("OK1b"), "cf_nr_fk", 5.50), status: "created",
			check: func(t *testing.T, res map[string]any) {
				rec := stMustRecord(t, env, stSCJG, stNum(res, "record_id"))
				if got := stStr(rec, "versions", 0, "fields", "cf_nr_fk"); got != "5.5" {
					t.Errorf("cf_nr_fk stored as %q, want 5.5", got)
				}
			}},
		{name: "ErrBooleanForDecimal", record: with(pen("E8"), "cf_nr_fk", true), status: "rejected",
			errs: []string{"cf_nr_fk/type"}},
		{name: "ErrNumberForDate", record: with(pen("E8b"), "cf_jdrq", 20260213), status: "rejected",
			errs: []string{"cf_jdrq/type"}},
		{name: "ErrRecordIsString", record: "鄂市监罚〔2026〕1号", status: "rejected", errs: []string{"/record_type"}},
		{name: "ErrRecordIsArray", record: []any{pen("E9")}, status: "rejected", errs: []string{"/record_type"}},
		{name: "ErrRecordIsNull", record: nil, status: "rejected", errs: []string{"/record_type"}},
		{name: "OKChineseLabelsAsKeys", record: with(without(pen("ignored"), "cf_wsh"), "行政处罚决定书文号", "OK2"), status: "created",
			check: func(t *testing.T, res map[string]any) {
				rec := stMustRecord(t, env, stSCJG, stNum(res, "record_id"))
				if rec["business_key"] != "OK2" || stStr(rec, "versions", 0, "fields", "cf_wsh") != "OK2" {
					t.Errorf("label key not stored under cf_wsh: business_key %v, fields %v", rec["business_key"], stAt(rec, "versions", 0, "fields"))
				}
				if _, ok := stAt(rec, "versions", 0, "fields").(map[string]any)["行政处罚决定书文号"]; ok {
					t.Error("fields keep the Chinese label as a key")
				}
			}},
		{name: "ErrSameFieldByCodeAndLabel", record: with(pen("E10"), "行政处罚决定书文号", "E10"), status: "rejected",
			errs: []string{"cf_wsh/duplicate_field"}},
		{name: "ErrTwoProblemsBothListed", record: pen("E11", "cf_sy", "", "cf_jdrq", "13/02/2026"), status: "rejected",
			errs: []string{"cf_jdrq/date_format", "cf_sy/required"}},
		{name: "ErrFourProblemsAllListed", record: with(pen("E12", "cf_wfxw", "", "xdr_shxym", "91110000600037341A", "cf_cflb", "罚金"), "bogus", 1),
			status: "rejected", errs: []string{"bogus/unknown_field", "cf_cflb/enum", "cf_wfxw/required", "xdr_shxym/uscc_check"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, body := env.Do(t, "POST", "/api/v1/records", env.Keys[stSCJG], map[string]any{"item": "admin_penalty", "records": []any{tc.record}})
			if st != http.StatusOK {
				t.Fatalf("status %d, want 200 (per-record outcome); body %v", st, body)
			}
			res := Results(t, body)
			if len(res) != 1 {
				t.Fatalf("%d results, want 1", len(res))
			}
			r := res[0]
			if r["status"] != tc.status {
				t.Fatalf("status %v, want %s; errors %v", r["status"], tc.status, r["errors"])
			}
			got := stErrKeys(t, r)
			want := slices.Clone(tc.errs)
			sort.Strings(want)
			if !slices.Equal(got, want) {
				t.Errorf("errors %v, want %v", got, want)
			}
			if tc.status == "rejected" {
				if r["record_id"] != nil || r["version"] != nil || body["stored"] != false {
					t.Errorf("rejected record has record_id %v version %v, stored %v", r["record_id"], r["version"], body["stored"])
				}
				if stNum(body, "summary", "rejected") != 1 || stNum(body, "summary", "created") != 0 {
					t.Errorf("summary %v", body["summary"])
				}
			} else if stNum(r, "record_id") < 1 || stNum(r, "version") != 1 {
				t.Errorf("created record: record_id %v version %v", r["record_id"], r["version"])
			}
			if tc.check != nil {
				tc.check(t, r)
			}
		})
	}
}

func TestSubmitMixedBatchPartial(t *testing.T) {
	env := MustEnv(t)
	st, body := env.Submit(t, stSCJG, "admin_penalty", false,
		Penalty("2026-02-13", "cf_wsh", "M1"),
		Penalty("2026-02-13", "cf_wsh", "M2", "cf_jdrq", "13/02/2026"),
		Penalty("2026-03-02", "cf_wsh", "M3", "cf_sy", "另一违法事实"),
		Penalty("2026-02-13", "cf_wsh", "M4", "xdr_lb", ""),
	)
	if st != http.StatusOK {
		t.Fatalf("status %d, want 200; body %v", st, body)
	}
	res := Results(t, body)
	t.Run("OKSummary", func(t *testing.T) {
		want := map[string]any{"created": 2.0, "updated": 0.0, "unchanged": 0.0, "rejected": 2.0}
		if !reflect.DeepEqual(body["summary"], want) || body["stored"] != true {
			t.Errorf("summary %v stored %v, want %v stored true", body["summary"], body["stored"], want)
		}
	})
	t.Run("OKStatusesInOrder", func(t *testing.T) {
		var got []string
		for _, r := range res {
			got = append(got, fmt.Sprint(r["index"], ":", r["status"]))
		}
		want := []string{"0:created", "1:rejected", "2:created", "3:rejected"}
		if !slices.Equal(got, want) {
			t.Errorf("results %v, want %v", got, want)
		}
		if got := stErrKeys(t, res[1]); !slices.Equal(got, []string{"cf_jdrq/date_format"}) {
			t.Errorf("record 1 errors %v", got)
		}
		if got := stErrKeys(t, res[3]); !slices.Equal(got, []string{"xdr_lb/required"}) {
			t.Errorf("record 3 errors %v", got)
		}
	})
	t.Run("OKStoredOnesReadable", func(t *testing.T) {
		for i, want := range map[int]string{0: "M1", 2: "M3"} {
			rec := stMustRecord(t, env, stSCJG, stNum(res[i], "record_id"))
			if rec["business_key"] != want || stNum(rec, "version") != 1 || stStr(rec, "versions", 0, "fields", "cf_wsh") != want {
				t.Errorf("record %d read back: business_key %v version %v", i, rec["business_key"], rec["version"])
			}
		}
		rec := stMustRecord(t, env, stSCJG, stNum(res[2], "record_id"))
		if got := stStr(rec, "versions", 0, "fields", "cf_sy"); got != "另一违法事实" {
			t.Errorf("cf_sy = %q", got)
		}
	})
	t.Run("OKRejectedOnesNotStored", func(t *testing.T) {
		_, subj := env.Do(t, "GET", "/api/v1/subjects/"+stUSCC, "", nil)
		var keys []string
		for _, rec := range stAt(subj, "items").([]any) {
			if stStr(rec, "item") != "admin_penalty" {
				continue
			}
			for _, r := range stAt(rec, "records").([]any) {
				keys = append(keys, stStr(r, "fields", "cf_wsh"))
			}
		}
		sort.Strings(keys)
		if !slices.Equal(keys, []string{"M1", "M3"}) {
			t.Errorf("public penalties %v, want [M1 M3]", keys)
		}
	})
}

func TestSubmitAtomic(t *testing.T) {
	env := MustEnv(t)
	fresh := stMakeUSCC(t, "420100", "MA4K0002")
	name := "武汉原子批次测试有限公司"
	valid := func(wsh string) map[string]any {
		return Penalty("2026-02-13", "cf_wsh", wsh, "xdr_shxym", fresh, "xdr_mc", name)
	}
	t.Run("ErrOneInvalidRejectsAll", func(t *testing.T) {
		st, body := env.Submit(t, stSCJG, "admin_penalty", true,
			valid("A1"), Penalty("2026-02-13", "cf_wsh", "A2", "xdr_shxym", fresh, "cf_cflb", "罚金"), valid("A3"))
		if st != http.StatusUnprocessableEntity {
			t.Fatalf("status %d, want 422; body %v", st, body)
		}
		if body["atomic"] != true || body["stored"] != false {
			t.Errorf("atomic %v stored %v, want true false", body["atomic"], body["stored"])
		}
		want := map[string]any{"created": 0.0, "updated": 0.0, "unchanged": 0.0, "rejected": 3.0}
		if !reflect.DeepEqual(body["summary"], want) {
			t.Errorf("summary %v, want %v", body["summary"], want)
		}
		res := Results(t, body)
		wantErrs := [][]string{{"/atomic_batch"}, {"cf_cflb/enum"}, {"/atomic_batch"}}
		for i, r := range res {
			if r["status"] != "rejected" || r["record_id"] != nil {
				t.Errorf("result %d: status %v record_id %v", i, r["status"], r["record_id"])
			}
			if got := stErrKeys(t, r); !slices.Equal(got, wantErrs[i]) {
				t.Errorf("result %d errors %v, want %v", i, got, wantErrs[i])
			}
		}
	})
	t.Run("OKNothingStoredAfterAtomicReject", func(t *testing.T) {
		if st, body := env.Do(t, "GET", "/api/v1/subjects/"+fresh, "", nil); st != http.StatusNotFound {
			t.Errorf("subject after atomic reject: status %d, want 404; body %v", st, body)
		}
		st, body := env.Do(t, "GET", "/api/v1/subjects?q=原子批次", "", nil)
		if st != http.StatusOK || stNum(body, "total") != 0 || stLen(body, "results") != 0 {
			t.Errorf("search after atomic reject: status %d total %v results %v", st, body["total"], body["results"])
		}
		for id := int64(1); id <= 3; id++ {
			if st, _ := stRecord(t, env, stSCJG, id); st != http.StatusNotFound {
				t.Errorf("record %d: status %d, want 404", id, st)
			}
		}
	})
	t.Run("OKAllValidStored", func(t *testing.T) {
		st, body := env.Submit(t, stSCJG, "admin_penalty", true, valid("A1"), valid("A3"))
		if st != http.StatusOK || body["stored"] != true || body["atomic"] != true {
			t.Fatalf("status %d stored %v atomic %v; body %v", st, body["stored"], body["atomic"], body)
		}
		res := Results(t, body)
		for i, r := range res {
			if r["status"] != "created" || r["subject"] != fresh {
				t.Errorf("result %d: %v", i, r)
			}
			stMustRecord(t, env, stSCJG, stNum(r, "record_id"))
		}
		st, subj := env.Do(t, "GET", "/api/v1/subjects/"+fresh, "", nil)
		if st != http.StatusOK || subj["name"] != name {
			t.Fatalf("subject: status %d name %v", st, subj["name"])
		}
		for _, it := range stAt(subj, "items").([]any) {
			if stStr(it, "item") == "admin_penalty" && stLen(it, "records") != 2 {
				t.Errorf("%d public penalties, want 2", stLen(it, "records"))
			}
		}
	})
	t.Run("ErrAtomicParamNotBool", func(t *testing.T) {
		st, body := env.Do(t, "POST", "/api/v1/records?atomic=maybe", env.Keys[stSCJG],
			map[string]any{"item": "admin_penalty", "records": []any{valid("A9")}})
		if st != http.StatusBadRequest || body["code"] != "invalid" || !strings.Contains(stStr(body, "message_en"), "atomic") {
			t.Errorf("status %d body %v, want 400 naming atomic", st, body)
		}
	})
}

func TestSubmitVersioning(t *testing.T) {
	env := MustEnv(t)
	orig := Penalty("2026-02-13", "cf_wsh", "V1")
	ids := stCreated(t, env, stSCJG, "admin_penalty", orig)
	id := ids[0]

	t.Run("OKIdenticalIsUnchanged", func(t *testing.T) {
		res := stSubmitOne(t, env, stSCJG, "admin_penalty", http.StatusOK, Penalty("2026-02-13", "cf_wsh", "V1"))
		if res[0]["status"] != "unchanged" || stNum(res[0], "record_id") != id || stNum(res[0], "version") != 1 {
			t.Errorf("resubmission: %v, want unchanged record %d version 1", res[0], id)
		}
		if rec := stMustRecord(t, env, stSCJG, id); stLen(rec, "versions") != 1 {
			t.Errorf("%d versions after an identical resubmission, want 1", stLen(rec, "versions"))
		}
	})
	t.Run("OKSameValuesByLabelsAndPaddingUnchanged", func(t *testing.T) {
		r := Penalty("2026-02-13", "cf_wsh", "", "cf_wfxw", "  虚假宣传  ")
		r["行政处罚决定书文号"] = "V1"
		res := stSubmitOne(t, env, stSCJG, "admin_penalty", http.StatusOK, r)
		if res[0]["status"] != "unchanged" || stNum(res[0], "record_id") != id {
			t.Errorf("resubmission with labels and padding: %v, want unchanged %d", res[0], id)
		}
	})
	t.Run("OKChangedFieldIsUpdated", func(t *testing.T) {
		res := stSubmitOne(t, env, stSCJG, "admin_penalty", http.StatusOK, Penalty("2026-02-13", "cf_wsh", "V1", "cf_sy", "更正后的违法事实"))
		if res[0]["status"] != "updated" || stNum(res[0], "record_id") != id || stNum(res[0], "version") != 2 {
			t.Errorf("changed resubmission: %v, want updated record %d version 2", res[0], id)
		}
	})
	t.Run("OKHistoryKeepsBothVersions", func(t *testing.T) {
		rec := stMustRecord(t, env, stSCJG, id)
		if stNum(rec, "version") != 2 || stLen(rec, "versions") != 2 {
			t.Fatalf("version %v with %d versions, want 2 and 2", rec["version"], stLen(rec, "versions"))
		}
		if stNum(rec, "versions", 0, "version") != 1 || stNum(rec, "versions", 1, "version") != 2 {
			t.Errorf("versions numbered %v, %v; want 1, 2", stAt(rec, "versions", 0, "version"), stAt(rec, "versions", 1, "version"))
		}
		if old := stStr(rec, "versions", 0, "fields", "cf_sy"); old != orig["cf_sy"] {
			t.Errorf("version 1 cf_sy = %q, want %q", old, orig["cf_sy"])
		}
		if cur := stStr(rec, "versions", 1, "fields", "cf_sy"); cur != "更正后的违法事实" {
			t.Errorf("version 2 cf_sy = %q", cur)
		}
		if stStr(rec, "versions", 0, "request_id") == "" || stStr(rec, "versions", 0, "request_id") == stStr(rec, "versions", 1, "request_id") {
			t.Errorf("request ids of the versions: %q and %q", stStr(rec, "versions", 0, "request_id"), stStr(rec, "versions", 1, "request_id"))
		}
	})
	t.Run("OKRevertIsAThirdVersion", func(t *testing.T) {
		res := stSubmitOne(t, env, stSCJG, "admin_penalty", http.StatusOK, Penalty("2026-02-13", "cf_wsh", "V1"))
		if res[0]["status"] != "updated" || stNum(res[0], "version") != 3 {
			t.Errorf("revert: %v, want updated version 3", res[0])
		}
	})
	t.Run("OKSameKeyOtherProviderIsOtherRecord", func(t *testing.T) {
		a := stCreated(t, env, stSCJG, "admin_licensing", Licence("2026-02-13", "xk_wsh", "SAME-1"))
		b := stCreated(t, env, stSWJ, "admin_licensing", Licence("2026-02-13", "xk_wsh", "SAME-1"))
		if a[0] == b[0] {
			t.Fatalf("both providers got record %d", a[0])
		}
		for code, rid := range map[string]int64{stSCJG: a[0], stSWJ: b[0]} {
			rec := stMustRecord(t, env, code, rid)
			if stStr(rec, "provider", "code") != code || rec["business_key"] != "SAME-1" || stNum(rec, "version") != 1 {
				t.Errorf("record %d: provider %v key %v version %v", rid, stAt(rec, "provider", "code"), rec["business_key"], rec["version"])
			}
		}
	})
	t.Run("ErrSameKeyTwiceInBatch", func(t *testing.T) {
		res := stSubmitOne(t, env, stSCJG, "admin_penalty", http.StatusOK,
			Penalty("2026-02-13", "cf_wsh", "V2"), Penalty("2026-02-13", "cf_wsh", "V2", "cf_nr_fk", "6", "cf_nr", "罚款人民币陆万元整"))
		if res[0]["status"] != "created" || res[1]["status"] != "rejected" || stFindErr(res[1], "cf_wsh", "duplicate_in_batch") == nil {
			t.Errorf("same key twice: %v / %v, want created then rejected as duplicate_in_batch", res[0], res[1])
		}
		rec := stMustRecord(t, env, stSCJG, stNum(res[0], "record_id"))
		if n := len(rec["versions"].([]any)); n != 1 || stStr(rec, "versions", 0, "fields", "cf_nr_fk") != "5" {
			t.Errorf("versions after a duplicate in the batch: %v", rec["versions"])
		}
	})
	t.Run("OKBusinessKeyNormalised", func(t *testing.T) {
		res := stSubmitOne(t, env, stSCJG, "admin_penalty", http.StatusOK, Penalty("2026-02-13", "cf_wsh", "鄂市监罚〔2026〕77号"))
		again := stSubmitOne(t, env, stSCJG, "admin_penalty", http.StatusOK, Penalty("2026-02-13", "cf_wsh", "鄂市监罚〔２０２６〕７７号\u200b "))
		if again[0]["status"] != "unchanged" || stNum(again[0], "record_id") != stNum(res[0], "record_id") {
			t.Errorf("full-width and invisible characters made another record: %v", again[0])
		}
		notes, _ := again[0]["normalised"].([]any)
		if len(notes) != 3 {
			t.Errorf("normalised = %v, want invisible, full_width and trim noted", again[0]["normalised"])
		}
	})
}

func TestSubmitDeadline(t *testing.T) {
	env := MustEnv(t)
	check := func(t *testing.T, id int64, deadline string, estimated, onTime bool) {
		t.Helper()
		rec := stMustRecord(t, env, stSCJG, id)
		if got := stStr(rec, "submission_deadline"); got != deadline {
			t.Errorf("submission_deadline %q, want %q", got, deadline)
		}
		if rec["deadline_estimated"] != estimated {
			t.Errorf("deadline_estimated %v, want %v", rec["deadline_estimated"], estimated)
		}
		if rec["on_time"] != onTime {
			t.Errorf("on_time %v, want %v", rec["on_time"], onTime)
		}
		if stStr(rec, "versions", 0, "submission_deadline") != deadline || stAt(rec, "versions", 0, "on_time") != onTime {
			t.Errorf("version 1 deadline %v on_time %v", stAt(rec, "versions", 0, "submission_deadline"), stAt(rec, "versions", 0, "on_time"))
		}
	}
	t.Run("OKOnTimeOnTheLastDay", func(t *testing.T) {
		env.SetNow(time.Date(2026, 3, 2, 23, 30, 0, 0, workday.CST))
		ids := stCreated(t, env, stSCJG, "admin_penalty", Penalty("2026-02-13", "cf_wsh", "D1"))
		check(t, ids[0], "2026-03-02", false, true)
		rec := stMustRecord(t, env, stSCJG, ids[0])
		if stStr(rec, "versions", 0, "decision_date") != "2026-02-13" {
			t.Errorf("decision_date %v", stAt(rec, "versions", 0, "decision_date"))
		}
	})
	t.Run("OKLateTheDayAfter", func(t *testing.T) {
		env.SetNow(time.Date(2026, 3, 3, 0, 30, 0, 0, workday.CST))
		ids := stCreated(t, env, stSCJG, "admin_penalty", Penalty("2026-02-13", "cf_wsh", "D2"))
		check(t, ids[0], "2026-03-02", false, false)
	})
	t.Run("OKLateJudgedInChinaTime", func(t *testing.T) {
		// 2026-03-02 20:00 UTC is 2026-03-03 04:00 CST: late in China.
		env.SetNow(time.Date(2026, 3, 2, 20, 0, 0, 0, time.UTC))
		ids := stCreated(t, env, stSCJG, "admin_penalty", Penalty("2026-02-13", "cf_wsh", "D3"))
		check(t, ids[0], "2026-03-02", false, false)
	})
	t.Run("OKUnknownYearEstimated", func(t *testing.T) {
		env.SetNow(stCST(2027, 3, 1))
		// Sat 2027-02-20 + 7 weekdays (no 2027 calendar): 22 23 24 25 26, Mar 1, Mar 2.
		ids := stCreated(t, env, stSCJG, "admin_penalty", Penalty("2027-02-20", "cf_wsh", "D4", "cf_yxq", "2029-12-31"))
		check(t, ids[0], "2027-03-02", true, true)
	})
}

func TestSubmitPersonalData(t *testing.T) {
	env := MustEnv(t)
	ids := stCreated(t, env, stSCJG, "admin_penalty", Penalty("2026-02-13"))
	id := ids[0]
	t.Run("OKOwnProviderSeesFullNumber", func(t *testing.T) {
		rec := stMustRecord(t, env, stSCJG, id)
		if got := stStr(rec, "versions", 0, "fields", "fddbr_zjhm"); got != "11010519491231002X" {
			t.Errorf("fddbr_zjhm = %q, want it in full", got)
		}
	})
	t.Run("ErrOtherProviderNotFound", func(t *testing.T) {
		st, body := stRecord(t, env, stSWJ, id)
		if st != http.StatusNotFound || body["code"] != "not_found" {
			t.Fatalf("status %d code %v, want 404 not_found", st, body["code"])
		}
		if strings.Contains(fmt.Sprint(body), "11010519491231002X") || strings.Contains(fmt.Sprint(body), "虚假宣传") {
			t.Errorf("404 body leaks the record: %v", body)
		}
	})
	t.Run("ErrOtherProviderIndistinguishableFromMissing", func(t *testing.T) {
		_, other := stRecord(t, env, stSWJ, id)
		_, missing := stRecord(t, env, stSWJ, 999999)
		norm := func(b map[string]any) string {
			s := stStr(b, "code") + "|" + stStr(b, "message_zh") + "|" + stStr(b, "message_en")
			return strings.ReplaceAll(strings.ReplaceAll(s, fmt.Sprint(id), "N"), "999999", "N")
		}
		if norm(other) != norm(missing) {
			t.Errorf("another provider's record and a missing one are told apart: %q vs %q", norm(other), norm(missing))
		}
	})
	t.Run("ErrMissingRecordNotFound", func(t *testing.T) {
		if st, body := stRecord(t, env, stSCJG, 999999); st != http.StatusNotFound || body["code"] != "not_found" {
			t.Errorf("status %d code %v, want 404 not_found", st, body["code"])
		}
	})
	t.Run("ErrBadRecordID", func(t *testing.T) {
		for _, p := range []string{"abc", "0", "-1", "1.5", "99999999999999999999"} {
			if st, body := env.Do(t, "GET", "/api/v1/records/"+p, env.Keys[stSCJG], nil); st != http.StatusBadRequest || body["code"] != "invalid" {
				t.Errorf("GET /api/v1/records/%s: status %d code %v, want 400", p, st, body["code"])
			}
		}
	})
	t.Run("ErrNoKeyCannotRead", func(t *testing.T) {
		if st, _ := env.Do(t, "GET", fmt.Sprintf("/api/v1/records/%d", id), "", nil); st != http.StatusUnauthorized {
			t.Errorf("status %d, want 401", st)
		}
	})
}

func TestSubmitRequestErrors(t *testing.T) {
	env := MustEnv(t)
	ids := stCreated(t, env, stSCJG, "admin_penalty", Penalty("2026-02-13"))
	id := ids[0]
	snapshot := func(t *testing.T) (map[string]any, map[string]any) {
		t.Helper()
		rec := stMustRecord(t, env, stSCJG, id)
		st, subj := env.Do(t, "GET", "/api/v1/subjects/"+stUSCC, "", nil)
		if st != http.StatusOK {
			t.Fatalf("subject: status %d", st)
		}
		return rec, subj
	}
	rec0, subj0 := snapshot(t)

	// Every body carries a changed version of the stored record (and a new
	// one): if the server stored anything, the snapshot would differ.
	changed := Penalty("2026-02-13", "cf_sy", "不应被保存的修改")
	extra := Penalty("2026-02-13", "cf_wsh", "不应被保存")
	good := stJSON(t, map[string]any{"item": "admin_penalty", "records": []any{changed, extra}})
	bearer := "Bearer " + env.Keys[stSCJG]
	// trailing is a valid body changing the stored record's cf_sy, then suffix.
	trailing := func(sy, suffix string) []byte {
		return append(stJSON(t, map[string]any{"item": "admin_penalty", "records": []any{Penalty("2026-02-13", "cf_sy", sy)}}), suffix...)
	}
	many := make([]any, 10001)
	for i := range many {
		many[i] = changed
	}
	huge := stJSON(t, map[string]any{"item": "admin_penalty", "records": []any{Penalty("2026-02-13", "cf_sy", strings.Repeat("长", 11<<20))}})
	if len(huge) <= 32<<20 {
		t.Fatalf("huge body is only %d bytes", len(huge))
	}

	tests := []struct {
		name   string
		auth   string
		body   []byte
		status int
		code   string
		check  func(t *testing.T, h http.Header, body map[string]any)
	}{
		{name: "ErrNoKey", auth: "", body: good, status: 401, code: "unauthorized",
			check: func(t *testing.T, h http.Header, _ map[string]any) {
				if !strings.HasPrefix(h.Get("WWW-Authenticate"), "Bearer") {
					t.Errorf("WWW-Authenticate = %q, want a Bearer challenge", h.Get("WWW-Authenticate"))
				}
			}},
		{name: "ErrWrongKey", auth: "Bearer not-a-key", body: good, status: 401, code: "unauthorized",
			check: func(t *testing.T, h http.Header, _ map[string]any) {
				if h.Get("WWW-Authenticate") == "" {
					t.Error("no WWW-Authenticate header")
				}
			}},
		{name: "ErrBasicScheme", auth: "Basic " + env.Keys[stSCJG], body: good, status: 401, code: "unauthorized",
			check: func(t *testing.T, h http.Header, _ map[string]any) {
				if h.Get("WWW-Authenticate") == "" {
					t.Error("no WWW-Authenticate header")
				}
			}},
		{name: "ErrBasicGarbage", auth: "Basic xxx", body: good, status: 401, code: "unauthorized"},
		{name: "ErrBearerWithoutKey", auth: "Bearer    ", body: good, status: 401, code: "unauthorized"},
		{name: "ErrKeyWithoutScheme", auth: env.Keys[stSCJG], body: good, status: 401, code: "unauthorized"},
		{name: "ErrProviderNotAllowedItem", auth: "Bearer " + env.Keys[stSWJ], body: good, status: 403, code: "forbidden",
			check: func(t *testing.T, _ http.Header, b map[string]any) {
				if !strings.Contains(stStr(b, "message_en"), stSWJ) || !strings.Contains(stStr(b, "message_en"), "admin_penalty") {
					t.Errorf("message_en %q names neither provider nor item", stStr(b, "message_en"))
				}
			}},
		{name: "ErrUnknownItem", auth: bearer, body: stJSON(t, map[string]any{"item": "admin_nothing", "records": []any{changed}}), status: 400, code: "invalid",
			check: func(t *testing.T, _ http.Header, b map[string]any) {
				if !strings.Contains(stStr(b, "message_en"), "admin_nothing") {
					t.Errorf("message_en %q does not name the item", stStr(b, "message_en"))
				}
			}},
		{name: "ErrMissingItem", auth: bearer, body: stJSON(t, map[string]any{"records": []any{changed}}), status: 400, code: "invalid"},
		{name: "ErrEmptyRecords", auth: bearer, body: stJSON(t, map[string]any{"item": "admin_penalty", "records": []any{}}), status: 400, code: "invalid"},
		{name: "ErrMissingRecords", auth: bearer, body: []byte(`{"item":"admin_penalty"}`), status: 400, code: "invalid"},
		{name: "ErrTooManyRecords", auth: bearer, body: stJSON(t, map[string]any{"item": "admin_penalty", "records": many}), status: 413, code: "too_large",
			check: func(t *testing.T, _ http.Header, b map[string]any) {
				if !strings.Contains(stStr(b, "message_en"), "10000") {
					t.Errorf("message_en %q does not give the limit", stStr(b, "message_en"))
				}
			}},
		{name: "ErrBodyOver32MiB", auth: bearer, body: huge, status: 413, code: "too_large"},
		{name: "ErrMalformedJSON", auth: bearer, body: []byte("{\"item\": \"admin_penalty\",\n  \"records\": [}"), status: 400, code: "invalid",
			check: func(t *testing.T, _ http.Header, b map[string]any) {
				// The stray } is on line 2, column 15.
				stColumn(t, b, 2, 15)
			}},
		{name: "ErrMalformedJSONAfterChinese", auth: bearer, body: []byte("{\"item\":\n\"行政处罚\" x}"), status: 400, code: "invalid",
			check: func(t *testing.T, _ http.Header, b map[string]any) {
				// The stray x is the 8th character of line 2 (its 16th byte).
				stColumn(t, b, 2, 8)
			}},
		{name: "ErrMalformedJSONLineOnly", auth: bearer, body: []byte("{\"item\": \"admin_penalty\",\n\n\"records\": [1,,2]}"), status: 400, code: "invalid",
			check: func(t *testing.T, _ http.Header, b map[string]any) {
				if en := stStr(b, "message_en"); !strings.Contains(en, "line 3") || !strings.Contains(en, "column") {
					t.Errorf("message_en %q, want line 3 and a column", en)
				}
			}},
		{name: "ErrTruncatedJSON", auth: bearer, body: good[:len(good)-10], status: 400, code: "invalid"},
		{name: "ErrEmptyBody", auth: bearer, body: []byte{}, status: 400, code: "invalid"},
		{name: "ErrTrailingGarbage", auth: bearer, body: trailing("改1", " xyz"), status: 400, code: "invalid"},
		{name: "ErrTrailingSecondObject", auth: bearer, body: trailing("改2", `{"item":"admin_penalty","records":[]}`), status: 400, code: "invalid"},
		{name: "ErrTrailingBrace", auth: bearer, body: trailing("改3", "}"), status: 400, code: "invalid"},
		{name: "ErrTrailingBracket", auth: bearer, body: trailing("改4", "\n]"), status: 400, code: "invalid"},
		{name: "ErrUnknownTopLevelField", auth: bearer,
			body:   stJSON(t, map[string]any{"item": "admin_penalty", "records": []any{changed}, "atomic": true}),
			status: 400, code: "invalid",
			check: func(t *testing.T, _ http.Header, b map[string]any) {
				if !strings.Contains(stStr(b, "message_en"), "atomic") {
					t.Errorf("message_en %q does not name the field", stStr(b, "message_en"))
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, h, body := stRaw(t, env, "POST", "/api/v1/records", tc.auth, tc.body)
			// Whatever happened, the stored record and the subject must be as before.
			rec, subj := snapshot(t)
			altered := !reflect.DeepEqual(rec, rec0) || !reflect.DeepEqual(subj, subj0)
			before := rec0
			rec0, subj0 = rec, subj // the baseline of the next case
			if st != tc.status {
				if strings.HasPrefix(tc.name, "ErrTrailing") && st == http.StatusOK {
					t.Errorf("body ending %q after the JSON object accepted: status 200, stored %v, stored record altered %v (version %v -> %v)",
						tc.body[bytes.LastIndexByte(tc.body, '}'):], body["stored"], altered, before["version"], rec["version"])
				}
				t.Fatalf("status %d, want %d; body %v", st, tc.status, body)
			}
			if altered {
				t.Errorf("the stored record or subject changed:\nbefore %v\nafter  %v", before, rec)
			}
			if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
				t.Errorf("Content-Type %q, want application/problem+json", ct)
			}
			if body["code"] != tc.code || stNum(body, "status") != int64(tc.status) {
				t.Errorf("problem code %v status %v, want %s %d", body["code"], body["status"], tc.code, tc.status)
			}
			if stStr(body, "message_zh") == "" || stStr(body, "message_en") == "" {
				t.Errorf("problem lacks a message: %v", body)
			}
			if tc.check != nil {
				tc.check(t, h, body)
			}
		})
	}
}

// stColumn checks that a JSON syntax problem points at line and column
// (counted in characters, from 1).
func stColumn(t *testing.T, b map[string]any, line, col int) {
	t.Helper()
	en, zh := stStr(b, "message_en"), stStr(b, "message_zh")
	wantEN, wantZH := fmt.Sprintf("line %d, column %d", line, col), fmt.Sprintf("第 %d 行第 %d 列", line, col)
	if strings.Contains(en, wantEN) && strings.Contains(zh, wantZH) {
		return
	}
	if strings.Contains(en, fmt.Sprintf("line %d, column", line)) {
		t.Errorf("wrong column: message_en %q, want %q (message_zh %q)", en, wantEN, zh)
	}
	t.Errorf("message_en %q / message_zh %q, want %q / %q", en, zh, wantEN, wantZH)
}

func TestSubmitNeverServerError(t *testing.T) {
	env := MustEnv(t)
	nested := func(depth int) string {
		return strings.Repeat("[", depth) + strings.Repeat("]", depth)
	}
	rec := func(k string, rawValue string) string {
		b := stJSON(t, Penalty("2026-02-13", k, ""))
		return `{"item":"admin_penalty","records":[{"` + k + `":` + rawValue + `,` + string(b[1:]) + `]}`
	}
	big := `"` + strings.Repeat("长", 1<<20/3+1) + `"`
	tests := []struct {
		name   string
		body   string
		status int    // wanted HTTP status
		errs   string // for 200: the field/code errors of the single result
	}{
		{name: "ErrRecordsNull", body: `{"item":"admin_penalty","records":null}`, status: 400},
		{name: "ErrRecordsObject", body: `{"item":"admin_penalty","records":{}}`, status: 400},
		{name: "ErrRecordsString", body: `{"item":"admin_penalty","records":"x"}`, status: 400},
		{name: "ErrItemNumber", body: `{"item":5,"records":[{}]}`, status: 400},
		{name: "ErrItemNull", body: `{"item":null,"records":[{}]}`, status: 400},
		{name: "ErrItemArray", body: `{"item":["admin_penalty"],"records":[{}]}`, status: 400},
		{name: "ErrBodyNull", body: `null`, status: 400},
		{name: "ErrBodyArray", body: `[{"item":"admin_penalty"}]`, status: 400},
		{name: "ErrBodyString", body: `"admin_penalty"`, status: 400},
		{name: "ErrBodyNumber", body: `1e999`, status: 400},
		{name: "ErrNotJSON", body: `item=admin_penalty`, status: 400},
		{name: "ErrInvalidUTF8Body", body: "{\"item\":\"admin_penalty\",\"records\":[{\"cf_wsh\":\"\xff\xfe\"}]}", status: 400},
		{name: "ErrNestedArraysAsValue", body: rec("cf_wsh", nested(500)), status: 200, errs: "cf_wsh/type"},
		{name: "ErrNestedArraysInMultiEnum", body: rec("cf_cflb", "["+nested(200)+"]"), status: 200, errs: "cf_cflb/type"},
		{name: "ErrNestingBeyondDecoderLimit", body: rec("cf_wsh", nested(20000)), status: 400},
		{name: "ErrObjectAsValue", body: rec("cf_sy", `{"a":{"b":[1,2,{"c":null}]}}`), status: 200, errs: "cf_sy/type"},
		{name: "ErrMegabyteString", body: rec("cf_sy", big), status: 200, errs: "cf_sy/too_long"},
		{name: "ErrMegabyteKey", body: `{"item":"admin_penalty","records":[{` + big + `:"x"}]}`, status: 200},
		{name: "ErrHugeNumber", body: rec("cf_nr_fk", `1e400`), status: 200, errs: "cf_nr_fk/decimal_format"},
		{name: "ErrNegativeNumber", body: rec("cf_nr_fk", `-1`), status: 200, errs: "cf_nr_fk/decimal_format"},
		{name: "ErrLongDigits", body: rec("cf_nr_fk", strings.Repeat("9", 400)), status: 200, errs: "cf_nr_fk/decimal_format"},
		{name: "ErrNULInValue", body: rec("cf_wsh", `"a\u0000b"`), status: 200},
		{name: "ErrEmptyKey", body: `{"item":"admin_penalty","records":[{"":"x"}]}`, status: 200},
		{name: "ErrRecordNull", body: `{"item":"admin_penalty","records":[null]}`, status: 200, errs: "/record_type"},
		{name: "ErrRecordNumber", body: `{"item":"admin_penalty","records":[12]}`, status: 200, errs: "/record_type"},
		{name: "ErrRecordEmptyArray", body: `{"item":"admin_penalty","records":[[]]}`, status: 200, errs: "/record_type"},
		{name: "ErrDateYearZero", body: rec("cf_jdrq", `"0000-01-01"`), status: 200, errs: "cf_jdrq/date_invalid"},
		{name: "ErrDateYear9999", body: rec("cf_jdrq", `"9999-12-31"`), status: 200, errs: "cf_jdrq/date_future"},
		{name: "OKMultiEnumAsArray", body: rec("cf_cflb", `["罚款","警告"]`), status: 200},
		{name: "ErrDuplicateJSONKey", body: `{"item":"admin_penalty","records":[{"cf_wsh":"a","cf_wsh":"b"}]}`, status: 200},
		{name: "ErrDuplicateTopLevelKey", body: `{"item":"admin_penalty","item":"admin_licensing","records":[{}]}`, status: 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, _, body := stRaw(t, env, "POST", "/api/v1/records", "Bearer "+env.Keys[stSCJG], []byte(tc.body))
			if st >= 500 {
				t.Fatalf("status %d: %v", st, body)
			}
			if st != tc.status {
				t.Fatalf("status %d, want %d; body %.500v", st, tc.status, body)
			}
			if st != http.StatusOK {
				if body["code"] == nil || stStr(body, "message_en") == "" {
					t.Errorf("no problem code or message: %v", body)
				}
				return
			}
			res := Results(t, body)
			for _, r := range res {
				if !slices.Contains([]string{"created", "updated", "unchanged", "rejected"}, stStr(r, "status")) {
					t.Errorf("result status %v", r["status"])
				}
			}
			if tc.errs != "" {
				if len(res) != 1 || res[0]["status"] != "rejected" {
					t.Fatalf("results %v, want one rejected", res)
				}
				if got := stErrKeys(t, res[0]); !slices.Equal(got, []string{tc.errs}) {
					t.Errorf("errors %v, want [%s]", got, tc.errs)
				}
			}
		})
	}
}
