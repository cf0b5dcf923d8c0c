package api_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/xinyong/xinyong/internal/casework"
	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/rights"
	"github.com/xinyong/xinyong/internal/web/api"
)

// The tests here keep internal/web/api/openapi.json and the server in step:
// every route is documented, and every response a scenario provokes has a
// documented status, media type, headers and a body that validates against
// the documented schema.

var oaMethods = []string{"get", "put", "post", "delete", "patch", "head", "options", "trace"}

// oaResponse is a raw HTTP response.
type oaResponse struct {
	Status int
	Header http.Header
	Body   []byte
}

// oaRequest sends a request with an optional bearer key and raw JSON body.
func oaRequest(t *testing.T, env *Env, method, path, key string, body []byte) oaResponse {
	t.Helper()
	ctype := ""
	if body != nil {
		ctype = "application/json"
	}
	return oaSend(t, env, method, path, key, ctype, body)
}

// oaSend sends a request with an optional bearer key, raw body and
// Content-Type.
func oaSend(t *testing.T, env *Env, method, path, key, ctype string, body []byte) oaResponse {
	t.Helper()
	return oaResponse(env.send(t, method, path, key, ctype, body))
}

// oaDecode decodes JSON keeping numbers as json.Number.
func oaDecode(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("content after the JSON value")
	}
	return v, nil
}

// oaDocument fetches and decodes the document the server serves.
func oaDocument(t *testing.T, env *Env) map[string]any {
	t.Helper()
	r := oaRequest(t, env, "GET", "/api/openapi.json", "", nil)
	if r.Status != http.StatusOK {
		t.Fatalf("GET /api/openapi.json: status %d", r.Status)
	}
	v, err := oaDecode(r.Body)
	if err != nil {
		t.Fatalf("GET /api/openapi.json: %v", err)
	}
	doc, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("GET /api/openapi.json: not a JSON object")
	}
	if doc["openapi"] != "3.1.0" {
		t.Errorf("openapi = %v, want 3.1.0", doc["openapi"])
	}
	return doc
}

// oaPointer resolves a local reference such as #/components/schemas/Problem.
func oaPointer(doc map[string]any, ref string) (any, error) {
	rest, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil, fmt.Errorf("$ref %q is not local", ref)
	}
	var cur any = doc
	for _, tok := range strings.Split(rest, "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m, ok := cur.(map[string]any)
		if !ok || m[tok] == nil {
			return nil, fmt.Errorf("$ref %q does not resolve (at %q)", ref, tok)
		}
		cur = m[tok]
	}
	return cur, nil
}

// oaDeref follows an object's $ref, if it has one.
func oaDeref(t *testing.T, doc map[string]any, v any) map[string]any {
	t.Helper()
	m, _ := v.(map[string]any)
	if ref, ok := m["$ref"].(string); ok {
		target, err := oaPointer(doc, ref)
		if err != nil {
			t.Fatal(err)
		}
		m, _ = target.(map[string]any)
	}
	if m == nil {
		t.Fatalf("%v is not an object", v)
	}
	return m
}

// oaOperations returns the document's operations by "METHOD path".
func oaOperations(t *testing.T, doc map[string]any) map[string]map[string]any {
	t.Helper()
	paths, ok := doc["paths"].(map[string]any)
	if !ok {
		t.Fatal("the document has no paths object")
	}
	ops := map[string]map[string]any{}
	for path, item := range paths {
		pi, ok := item.(map[string]any)
		if !ok {
			t.Fatalf("paths[%q] is not an object", path)
		}
		for _, m := range oaMethods {
			if op, ok := pi[m].(map[string]any); ok {
				ops[strings.ToUpper(m)+" "+path] = op
			}
		}
	}
	return ops
}

// schemaChecker validates JSON values against the subset of JSON Schema
// 2020-12 the document uses. A keyword it does not know is an error, so it
// never passes a value by ignoring a constraint.
type schemaChecker struct{ doc map[string]any }

var oaAnnotations = map[string]bool{"description": true, "title": true, "format": true, "default": true, "examples": true}

func oaNum(v any) (float64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	f, err := n.Float64()
	return f, err == nil
}

func oaTypeOK(typ string, v any) bool {
	switch typ {
	case "null":
		return v == nil
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "string":
		_, ok := v.(string)
		return ok
	case "number":
		_, ok := oaNum(v)
		return ok
	case "integer":
		f, ok := oaNum(v)
		return ok && f == math.Trunc(f)
	case "array":
		_, ok := v.([]any)
		return ok
	case "object":
		_, ok := v.(map[string]any)
		return ok
	}
	return false
}

// check returns every violation of schema by v, each naming the JSON path
// (at) and the rule broken.
func (c *schemaChecker) check(schema any, v any, at string) []string {
	s, ok := schema.(map[string]any)
	if !ok {
		return []string{fmt.Sprintf("%s: schema is not an object: %v", at, schema)}
	}
	var errs []string
	fail := func(rule, format string, args ...any) {
		errs = append(errs, fmt.Sprintf("%s: %s: %s", at, rule, fmt.Sprintf(format, args...)))
	}
	keys := make([]string, 0, len(s))
	for k := range s {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		kv := s[k]
		switch k {
		case "$ref":
			target, err := oaPointer(c.doc, kv.(string))
			if err != nil {
				fail("$ref", "%v", err)
				continue
			}
			errs = append(errs, c.check(target, v, at)...)
		case "type":
			types := []string{}
			switch t := kv.(type) {
			case string:
				types = append(types, t)
			case []any:
				for _, x := range t {
					types = append(types, x.(string))
				}
			}
			if !slices.ContainsFunc(types, func(t string) bool { return oaTypeOK(t, v) }) {
				fail("type", "%s is not of type %v", oaShow(v), types)
			}
		case "enum":
			if !slices.ContainsFunc(kv.([]any), func(e any) bool { return reflect.DeepEqual(e, v) }) {
				fail("enum", "%s is not one of %v", oaShow(v), kv)
			}
		case "required":
			if m, ok := v.(map[string]any); ok {
				for _, name := range kv.([]any) {
					if _, present := m[name.(string)]; !present {
						fail("required", "missing property %q", name)
					}
				}
			}
		case "properties", "additionalProperties":
			m, ok := v.(map[string]any)
			if !ok {
				continue
			}
			props, _ := s["properties"].(map[string]any)
			for name, pv := range m {
				if ps, known := props[name]; known {
					if k == "properties" {
						errs = append(errs, c.check(ps, pv, at+"."+name)...)
					}
				} else if k == "additionalProperties" {
					if kv == false {
						fail("additionalProperties", "property %q is not allowed", name)
					} else if kv != true {
						errs = append(errs, c.check(kv, pv, at+"."+name)...)
					}
				}
			}
		case "items":
			for i, x := range oaArray(v) {
				errs = append(errs, c.check(kv, x, fmt.Sprintf("%s[%d]", at, i))...)
			}
		case "maxItems", "minItems":
			n, _ := oaNum(kv)
			if a, ok := v.([]any); ok && (k == "maxItems" && float64(len(a)) > n || k == "minItems" && float64(len(a)) < n) {
				fail(k, "%d items, limit %v", len(a), kv)
			}
		case "maxLength", "minLength":
			n, _ := oaNum(kv)
			if str, ok := v.(string); ok {
				l := float64(utf8.RuneCountInString(str))
				if k == "maxLength" && l > n || k == "minLength" && l < n {
					fail(k, "%d characters, limit %v", int(l), kv)
				}
			}
		case "minimum", "maximum":
			n, _ := oaNum(kv)
			if f, ok := oaNum(v); ok && (k == "minimum" && f < n || k == "maximum" && f > n) {
				fail(k, "%v is beyond %v", v, kv)
			}
		default:
			if !oaAnnotations[k] {
				fail(k, "the checker does not support this keyword")
			}
		}
	}
	return errs
}

func oaArray(v any) []any {
	a, _ := v.([]any)
	return a
}

func oaShow(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 80 {
		return string(b[:77]) + "..."
	}
	return string(b)
}

// oaRefs walks v and reports every $ref that does not resolve.
func oaRefs(doc map[string]any, v any, at string) []string {
	var errs []string
	switch x := v.(type) {
	case map[string]any:
		for k, y := range x {
			if k == "$ref" {
				if _, err := oaPointer(doc, y.(string)); err != nil {
					errs = append(errs, at+": "+err.Error())
				}
				continue
			}
			errs = append(errs, oaRefs(doc, y, at+"/"+k)...)
		}
	case []any:
		for i, y := range x {
			errs = append(errs, oaRefs(doc, y, at+"/"+strconv.Itoa(i))...)
		}
	}
	return errs
}

func TestOpenAPIRoutes(t *testing.T) {
	env := MustEnv(t)
	doc := oaDocument(t, env)
	ops := oaOperations(t, doc)

	want := map[string]bool{}
	for _, r := range api.Routes() {
		want[r] = true
		if ops[r] == nil {
			t.Errorf("route %s is not in the document", r)
		}
	}
	for r := range ops {
		if !want[r] {
			t.Errorf("the document has %s, which the server does not route", r)
		}
	}

	for _, e := range oaRefs(doc, doc, "#") {
		t.Error(e)
	}
	ids := map[string]string{}
	for key, op := range ops {
		id, _ := op["operationId"].(string)
		if id == "" {
			t.Errorf("%s: no operationId", key)
		} else if prev, dup := ids[id]; dup {
			t.Errorf("%s: operationId %s is also used by %s", key, id, prev)
		}
		ids[id] = key
		if s, _ := op["summary"].(string); s == "" {
			t.Errorf("%s: no summary", key)
		}
		responses, _ := op["responses"].(map[string]any)
		if len(responses) == 0 {
			t.Errorf("%s: no responses", key)
		}
		// Every operation documents the 405 its path gives other methods.
		if responses["405"] == nil {
			t.Errorf("%s: 405 is not documented", key)
		} else if hs := oaMapOf(oaDeref(t, doc, responses["405"])["headers"]); hs["Allow"] == nil {
			t.Errorf("%s: 405 does not document the Allow header", key)
		}
		// Operations behind the API key, and only those, say so and document 401.
		_, secured := op["security"]
		if _, has401 := responses["401"]; secured != has401 {
			t.Errorf("%s: security present %v but 401 documented %v", key, secured, has401)
		}
		// Every path parameter is declared.
		path := strings.SplitN(key, " ", 2)[1]
		declared := map[string]bool{}
		for _, p := range oaArray(op["parameters"]) {
			pm := oaDeref(t, doc, p)
			if pm["in"] == "path" {
				declared[pm["name"].(string)] = true
			}
		}
		for _, seg := range strings.Split(path, "/") {
			if name, ok := strings.CutPrefix(seg, "{"); ok {
				name = strings.TrimSuffix(name, "}")
				if !declared[name] {
					t.Errorf("%s: path parameter %s is not declared", key, name)
				}
				delete(declared, name)
			}
		}
		for name := range declared {
			t.Errorf("%s: parameter %s is declared in path but the path has no {%s}", key, name, name)
		}
	}
}

// oaMatch finds the documented operation serving method and a concrete path.
func oaMatch(ops map[string]map[string]any, method, path string) (string, map[string]any) {
	for _, key := range oaMatchAll(ops, path) {
		if m, _, _ := strings.Cut(key, " "); m == method {
			return key, ops[key]
		}
	}
	return "", nil
}

// oaMatchAll returns, sorted, the documented operations ("METHOD path") of
// every method on the path template a concrete path matches.
func oaMatchAll(ops map[string]map[string]any, path string) []string {
	path, _, _ = strings.Cut(path, "?")
	got := strings.Split(path, "/")
	var keys []string
	for key := range ops {
		_, tmpl, _ := strings.Cut(key, " ")
		segs := strings.Split(tmpl, "/")
		if len(segs) != len(got) {
			continue
		}
		match := true
		for i, s := range segs {
			if strings.HasPrefix(s, "{") {
				match = match && got[i] != ""
			} else {
				match = match && s == got[i]
			}
		}
		if match {
			keys = append(keys, key)
		}
	}
	sort.Strings(keys)
	return keys
}

func TestOpenAPIResponses(t *testing.T) {
	env := MustEnv(t)
	doc := oaDocument(t, env)
	ops := oaOperations(t, doc)
	checker := &schemaChecker{doc: doc}
	scjg, swj := env.Keys["420000-SCJG"], env.Keys["420100-SWJ"]

	// Stored data for the reads: a penalty of SCJG, and a licence of SWJ
	// under the subject's earlier name, so the subject has a former name.
	status, body := env.Submit(t, "420000-SCJG", "admin_penalty", false, Penalty("2026-11-25"))
	if status != http.StatusOK || Results(t, body)[0]["status"] != "created" {
		t.Fatalf("setup penalty: %d %v", status, body)
	}
	recordID := int64(Results(t, body)[0]["record_id"].(float64))
	status, body = env.Submit(t, "420000-SCJG", "admin_penalty", false, Penalty("2026-11-24", "cf_wsh", "鄂市监罚〔2026〕10号"))
	if status != http.StatusOK || Results(t, body)[0]["status"] != "created" {
		t.Fatalf("setup second penalty: %d %v", status, body)
	}
	status, body = env.Submit(t, "420100-SWJ", "admin_licensing", false, Licence("2026-01-10", "xdr_mc", "武汉楚天建筑有限公司"))
	if status != http.StatusOK || Results(t, body)[0]["status"] != "created" {
		t.Fatalf("setup licence: %d %v", status, body)
	}

	js := func(v any) []byte {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	batch := func(records ...any) []byte {
		return js(map[string]any{"item": "admin_penalty", "records": records})
	}
	invalidUTF8 := []byte("{\"item\":\"admin_penalty\",\"records\":[{\"cf_wsh\":\"\xff\xfe\"}]}")
	tooMany := []byte(`{"item":"admin_penalty","records":[{}` + strings.Repeat(`,{}`, api.DefaultLimits.MaxRecords) + `]}`)
	record := fmt.Sprintf("/api/v1/records/%d", recordID)

	// File batches: one collected with a rejected row, a normalised date
	// and an unknown column, so that its view and error files have content;
	// one failed, so that its view has a reason.
	codes, labels := penaltyColumns(t)
	penaltyCSV := func(recs ...map[string]any) []byte {
		rows := [][]string{append(append([]string{}, labels...), "内部编号")}
		for i, rec := range recs {
			rows = append(rows, append(row(rec, codes), strconv.Itoa(i+1)))
		}
		return writeCSV(t, rows)
	}
	batchFile := penaltyCSV(Penalty("2026/11/20", "cf_wsh", "鄂市监罚〔2026〕20号"), Penalty("2026-11-31", "cf_wsh", "鄂市监罚〔2026〕21号"))
	done := env.collect(t, "420000-SCJG", "item=admin_penalty&name=penalties.csv", batchFile)
	if done["status"] != "done" || done["created"] != 1.0 || done["rejected"] != 1.0 {
		t.Fatalf("setup batch: %v", done)
	}
	failed := env.collect(t, "420000-SCJG", "item=admin_penalty", []byte("\x00\x01 not a spreadsheet"))
	if failed["status"] != "failed" {
		t.Fatalf("setup failed batch: %v", failed)
	}
	batchID := int64(done["batch_id"].(float64))
	batchPath := fmt.Sprintf("/api/v1/batches/%d", batchID)
	failedPath := fmt.Sprintf("/api/v1/batches/%d", int64(failed["batch_id"].(float64)))
	formBody, formType := multipartFile(t, "file", "处罚.csv", penaltyCSV(Penalty("2026-11-21", "cf_wsh", "鄂市监罚〔2026〕23号")))
	noFileBody, noFileType := multipartFile(t, "attachment", "处罚.csv", penaltyCSV(Penalty("2026-11-21", "cf_wsh", "鄂市监罚〔2026〕24号")))
	overLimit := bytes.Repeat([]byte("a"), 8<<20+1) // the test server's limit is 8 MiB
	batchUpload := "/api/v1/batches?item=admin_penalty"
	// ctypes are the Content-Types of the scenarios that send a file, by
	// name; the others send JSON.
	ctypes := map[string]string{
		"batch upload CSV":                  "text/csv; charset=gbk",
		"batch upload multipart atomic":     formType,
		"batch upload any type":             "application/vnd.ms-excel",
		"batch duplicate":                   "application/octet-stream",
		"batch bad mode":                    "text/csv",
		"batch missing item":                "text/csv",
		"batch unknown item":                "text/csv",
		"batch empty file":                  "text/csv",
		"batch malformed multipart":         "multipart/form-data",
		"batch multipart without file":      noFileType,
		"batch item not allowed":            "text/csv",
		"batch no key":                      "text/csv",
		"batch over the limit":              "application/octet-stream",
		"batch multipart over the limit":    "",
		"batches PUT":                       "text/csv",
		"batch errors CSV POST":             "text/csv",
		"batch errors XLSX PUT":             "application/octet-stream",
		"batch upload without Content-Type": "",
	}
	overForm, overFormType := multipartFile(t, "file", "big.csv", overLimit)
	ctypes["batch multipart over the limit"] = overFormType

	// The subjects' rights: an objection forwarded to SCJG, a repair
	// application about a minor penalty of SCJG, a record to revoke.
	ctx := context.Background()
	applicant := map[string]any{"name": "王五", "role": "委托代理人", "uscc": "91110000600037341L", "phone": "13800000000"}
	pdfFile := map[string]any{"name": "复议决定书.pdf", "data": base64.StdEncoding.EncodeToString([]byte("%PDF-1.4\n%%EOF\n"))}
	objection := map[string]any{"ground": "error", "statement": "处罚决定已被撤销", "applicant": applicant, "files": []any{pdfFile}}
	badGround := map[string]any{"ground": "dislike", "statement": "x", "applicant": applicant}
	bigFile := map[string]any{"ground": "error", "statement": "x", "applicant": applicant,
		"files": []any{map[string]any{"name": "big.pdf", "data": base64.StdEncoding.EncodeToString(append([]byte("%PDF-"), make([]byte, 70<<10)...))}}}
	o, _, err := env.Cases.FileObjection(ctx, casework.ObjectionInput{RecordID: recordID, Ground: "error", Statement: "金额有误",
		Applicant: credit.Applicant{Name: "王五", Role: "委托代理人", USCC: "91110000600037341L", Phone: "1"}, Files: []casework.File{{Name: "a.pdf", Data: []byte("%PDF-1.4")}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{rights.StepAccept, rights.StepForward} {
		if o, err = env.Cases.ObjectionStep(ctx, o.ID, o.Version, "", rights.Step{Kind: k, Actor: "handler1"}); err != nil {
			t.Fatal(err)
		}
	}
	answerPath := fmt.Sprintf("/api/v1/objections/%d/answer", o.ID)
	answer := map[string]any{"outcome": "maintain", "reasons": "经核实无误", "version": o.Version}
	status, body = env.Submit(t, "420000-SCJG", "admin_penalty", false, Penalty("2026-11-23", "cf_wsh", "鄂市监罚〔2026〕11号", "cf_cflb", "警告", "cf_nr", "警告", "cf_nr_fk", ""))
	if status != http.StatusOK {
		t.Fatalf("setup minor penalty: %d %v", status, body)
	}
	minorID := int64(Results(t, body)[0]["record_id"].(float64))
	x, _, err := env.Cases.ApplyRepair(ctx, casework.RepairInput{RecordID: minorID, Performed: "警告已执行，整改完成", Commitment: true,
		Applicant: credit.Applicant{Name: "张三", Role: "法定代表人", USCC: "91110000600037341L", Phone: "1"}, Files: []casework.File{{Name: "a.pdf", Data: []byte("%PDF-1.4")}}})
	if err != nil {
		t.Fatal(err)
	}
	decisionPath := fmt.Sprintf("/api/v1/repairs/%d/decision", x.ID)
	approve := map[string]any{"decision": "approve", "reasons": "已履行", "version": x.Version}
	status, body = env.Submit(t, "420000-SCJG", "admin_penalty", false, Penalty("2026-11-22", "cf_wsh", "鄂市监罚〔2026〕12号"))
	if status != http.StatusOK {
		t.Fatalf("setup penalty to revoke: %d %v", status, body)
	}
	revokePath := fmt.Sprintf("/api/v1/records/%d/revoke", int64(Results(t, body)[0]["record_id"].(float64)))
	revoke := map[string]any{"reason": "原处罚决定已被行政复议撤销"}

	// req says whether the documented request body schema must accept (+1)
	// or reject (-1) the body; has lists text the response body must contain,
	// so that the schemas are checked against data, not empty lists.
	tests := []struct {
		name         string
		method, path string
		key          string
		body         []byte
		req          int
		want         int
		has          []string
	}{
		{"submit valid", "POST", "/api/v1/records", scjg, batch(Penalty("2026-11-26", "cf_wsh", "鄂市监罚〔2026〕2号")), +1, 200, []string{`"status":"created"`}},
		{"submit unchanged", "POST", "/api/v1/records", scjg, batch(Penalty("2026-11-25")), +1, 200, []string{`"status":"unchanged"`}},
		{"submit by Chinese labels", "POST", "/api/v1/records", scjg, batch(Penalty("2026-11-26", "cf_wsh", "", "行政处罚决定书文号", "鄂市监罚〔2026〕5号")), +1, 200, []string{`"status":"created"`}},
		{"submit mixed", "POST", "/api/v1/records", scjg,
			batch(Penalty("2026-11-26", "cf_wsh", "鄂市监罚〔2026〕3号"), Penalty("2026-11-26", "xdr_shxym", "91110000600037341A"), "not an object", map[string]any{"nonsense": 1}), -1, 200, []string{`"status":"created"`, `"code":"uscc_check"`, `"code":"record_type"`, `"code":"unknown_field"`}},
		{"submit atomic invalid", "POST", "/api/v1/records?atomic=true", scjg,
			batch(Penalty("2026-11-26", "cf_wsh", "鄂市监罚〔2026〕4号"), Penalty("2026-11-26", "cf_jdrq", "2026-13-01")), +1, 422, []string{`"code":"atomic_batch"`}},
		{"submit atomic bad parameter", "POST", "/api/v1/records?atomic=maybe", scjg, batch(Penalty("2026-11-26")), +1, 400, nil},
		{"submit no key", "POST", "/api/v1/records", "", batch(Penalty("2026-11-26")), +1, 401, nil},
		{"submit wrong key", "POST", "/api/v1/records", "not-a-key", batch(Penalty("2026-11-26")), +1, 401, nil},
		{"submit item not allowed", "POST", "/api/v1/records", swj, batch(Penalty("2026-11-26")), +1, 403, nil},
		{"submit unknown item", "POST", "/api/v1/records", scjg, js(map[string]any{"item": "no_such_item", "records": []any{map[string]any{}}}), +1, 400, nil},
		{"submit malformed JSON", "POST", "/api/v1/records", scjg, []byte(`{"item": "admin_penalty", "records": [}`), 0, 400, nil},
		{"submit unknown top-level field", "POST", "/api/v1/records", scjg, []byte(`{"item": "admin_penalty", "records": [{}], "extra": 1}`), -1, 400, nil},
		{"submit empty records", "POST", "/api/v1/records", scjg, batch(), -1, 400, nil},
		{"submit too many records", "POST", "/api/v1/records", scjg, tooMany, -1, 413, nil},
		{"submit normalised", "POST", "/api/v1/records", scjg, batch(Penalty("2026年2月13日", "cf_wsh", "鄂市监罚〔2026〕6号")), +1, 200,
			[]string{`"status":"created"`, `"normalised":[{"field":"cf_jdrq","code":"date_format"}]`}},
		{"submit duplicate in batch", "POST", "/api/v1/records", scjg,
			batch(Penalty("2026-11-26", "cf_wsh", "鄂市监罚〔2026〕7号"), Penalty("2026-11-26", "cf_wsh", "鄂市监罚〔2026〕7号")), +1, 200,
			[]string{`"status":"created"`, `"code":"duplicate_in_batch"`}},
		{"submit array body", "POST", "/api/v1/records", scjg, []byte(`[]`), -1, 400, nil},
		{"submit invalid UTF-8", "POST", "/api/v1/records", scjg, invalidUTF8, 0, 400, nil},
		{"submit key in other case", "POST", "/api/v1/records", scjg, []byte(`{"Item": "admin_penalty", "records": [{}]}`), -1, 400, nil},
		{"submit GET", "GET", "/api/v1/records", scjg, nil, 0, 405, nil},

		{"record own", "GET", record, scjg, nil, 0, 200, []string{`"versions":[{`, `"fddbr_zjhm":"11010519491231002X"`}},
		{"record of another provider", "GET", record, swj, nil, 0, 404, nil},
		{"record missing", "GET", "/api/v1/records/999999", scjg, nil, 0, 404, nil},
		{"record bad id", "GET", "/api/v1/records/abc", scjg, nil, 0, 400, nil},
		{"record no key", "GET", record, "", nil, 0, 401, nil},
		{"record DELETE", "DELETE", record, scjg, nil, 0, 405, nil},

		{"search by name", "GET", "/api/v1/subjects?q=楚天", "", nil, 0, 200, []string{`"uscc":"91110000600037341L"`}},
		{"search by code prefix", "GET", "/api/v1/subjects?q=9111&page=1&per_page=50", "", nil, 0, 200, []string{`"uscc":"91110000600037341L"`}},
		{"search by registration number", "GET", "/api/v1/subjects?q=60003734-1", "", nil, 0, 200, []string{`"uscc":"91110000600037341L"`, `"matched_code":"600037341"`}},
		{"search no match", "GET", "/api/v1/subjects?q=不存在的名称", "", nil, 0, 200, nil},
		{"search without q", "GET", "/api/v1/subjects", "", nil, 0, 400, nil},
		{"search per_page 51", "GET", "/api/v1/subjects?q=楚天&per_page=51", "", nil, 0, 400, nil},
		{"search bad page", "GET", "/api/v1/subjects?q=楚天&page=0", "", nil, 0, 400, nil},
		{"search POST", "POST", "/api/v1/subjects?q=楚天", "", []byte(`{}`), 0, 405, nil},

		{"subject", "GET", "/api/v1/subjects/91110000600037341L", "", nil, 0, 200, []string{`"former_names":[{`, `"severity":"general"`, `"records":[{`}},
		{"subject unknown", "GET", "/api/v1/subjects/91350100M000100Y43", "", nil, 0, 404, nil},
		{"subject malformed", "GET", "/api/v1/subjects/91110000600037341A", "", nil, 0, 400, nil},
		{"subject per_item 1", "GET", "/api/v1/subjects/91110000600037341L?per_item=1", "", nil, 0, 200, []string{`"per_page":1`}},
		{"subject item page 2", "GET", "/api/v1/subjects/91110000600037341L?item=admin_penalty&page=2&per_item=1", "", nil, 0, 200, []string{`"page":2`}},
		{"subject per_item 101", "GET", "/api/v1/subjects/91110000600037341L?per_item=101", "", nil, 0, 400, nil},
		{"subject page 2 without item", "GET", "/api/v1/subjects/91110000600037341L?page=2", "", nil, 0, 400, nil},
		{"subject unknown item", "GET", "/api/v1/subjects/91110000600037341L?item=nope", "", nil, 0, 400, nil},
		{"subject DELETE", "DELETE", "/api/v1/subjects/91110000600037341L", "", nil, 0, 405, nil},

		{"catalogue", "GET", "/api/v1/catalog", "", nil, 0, 200, []string{`"serious_flag":{`, `"periods":{`}},
		{"catalogue item", "GET", "/api/v1/catalog/admin_penalty", "", nil, 0, 200, nil},
		{"catalogue unknown item", "GET", "/api/v1/catalog/no_such_item", "", nil, 0, 404, nil},
		{"catalogue PUT", "PUT", "/api/v1/catalog", "", []byte(`{}`), 0, 405, nil},
		{"catalogue item DELETE", "DELETE", "/api/v1/catalog/admin_penalty", "", nil, 0, 405, nil},
		{"openapi", "GET", "/api/openapi.json", "", nil, 0, 200, nil},
		{"openapi POST", "POST", "/api/openapi.json", "", []byte(`{}`), 0, 405, nil},

		{"batch upload CSV", "POST", batchUpload + "&name=" + url.QueryEscape("十一月.csv"), scjg,
			gbk(t, penaltyCSV(Penalty("2026-11-22", "cf_wsh", "鄂市监罚〔2026〕22号"))), 0, 202, []string{`"status":"queued"`, `"name":"十一月.csv"`}},
		{"batch upload multipart atomic", "POST", batchUpload + "&mode=atomic", scjg, formBody, 0, 202, []string{`"mode":"atomic"`, `"name":"处罚.csv"`}},
		{"batch upload any type", "POST", batchUpload + "&mode=partial", scjg, penaltyCSV(Penalty("2026-11-23", "cf_wsh", "鄂市监罚〔2026〕25号")), 0, 202, []string{`"status":"queued"`}},
		{"batch upload without Content-Type", "POST", batchUpload, scjg, penaltyCSV(Penalty("2026-11-23", "cf_wsh", "鄂市监罚〔2026〕26号")), 0, 202, nil},
		{"batch duplicate", "POST", batchUpload, scjg, batchFile, 0, 200, []string{`"status":"done"`}},
		{"batch bad mode", "POST", batchUpload + "&mode=fast", scjg, batchFile, 0, 400, nil},
		{"batch missing item", "POST", "/api/v1/batches", scjg, batchFile, 0, 400, nil},
		{"batch unknown item", "POST", "/api/v1/batches?item=no_such_item", scjg, batchFile, 0, 400, nil},
		{"batch empty file", "POST", batchUpload, scjg, []byte{}, 0, 400, nil},
		{"batch malformed multipart", "POST", batchUpload, scjg, formBody, 0, 400, nil},
		{"batch multipart without file", "POST", batchUpload, scjg, noFileBody, 0, 400, nil},
		{"batch item not allowed", "POST", batchUpload, swj, batchFile, 0, 403, nil},
		{"batch no key", "POST", batchUpload, "", batchFile, 0, 401, nil},
		{"batch over the limit", "POST", batchUpload, scjg, overLimit, 0, 413, nil},
		{"batch multipart over the limit", "POST", batchUpload, scjg, overForm, 0, 413, nil},
		{"batches PUT", "PUT", "/api/v1/batches", scjg, batchFile, 0, 405, nil},

		{"batches", "GET", "/api/v1/batches", scjg, nil, 0, 200, []string{`"batches":[{`}},
		{"batches of a provider without any", "GET", "/api/v1/batches", swj, nil, 0, 200, []string{`"batches":[]`}},
		{"batches no key", "GET", "/api/v1/batches", "", nil, 0, 401, nil},

		{"batch done", "GET", batchPath, scjg, nil, 0, 200, []string{`"status":"done"`, `"code":"unknown_column"`, `"code":"normalised"`}},
		{"batch failed", "GET", failedPath, scjg, nil, 0, 200, []string{`"status":"failed"`, `"reason_zh":"`, `"reason_en":"`}},
		{"batch of another provider", "GET", batchPath, swj, nil, 0, 404, nil},
		{"batch missing", "GET", "/api/v1/batches/999999", scjg, nil, 0, 404, nil},
		{"batch bad id", "GET", "/api/v1/batches/abc", scjg, nil, 0, 400, nil},
		{"batch zero id", "GET", "/api/v1/batches/0", scjg, nil, 0, 400, nil},
		{"batch no key", "GET", batchPath, "", nil, 0, 401, nil},
		{"batch DELETE", "DELETE", batchPath, scjg, nil, 0, 405, nil},

		{"batch errors CSV", "GET", batchPath + "/errors.csv", scjg, nil, 0, 200, []string{"\ufeff行号,", "鄂市监罚〔2026〕21号", ",错误字段,错误原因\n"}},
		{"batch errors CSV of another provider", "GET", batchPath + "/errors.csv", swj, nil, 0, 404, nil},
		{"batch errors CSV missing", "GET", "/api/v1/batches/999999/errors.csv", scjg, nil, 0, 404, nil},
		{"batch errors CSV bad id", "GET", "/api/v1/batches/-1/errors.csv", scjg, nil, 0, 400, nil},
		{"batch errors CSV no key", "GET", batchPath + "/errors.csv", "", nil, 0, 401, nil},
		{"batch errors CSV POST", "POST", batchPath + "/errors.csv", scjg, batchFile, 0, 405, nil},
		{"batch errors XLSX", "GET", batchPath + "/errors.xlsx", scjg, nil, 0, 200, []string{"PK\x03\x04"}},
		{"batch errors XLSX of another provider", "GET", batchPath + "/errors.xlsx", swj, nil, 0, 404, nil},
		{"batch errors XLSX missing", "GET", "/api/v1/batches/999999/errors.xlsx", scjg, nil, 0, 404, nil},
		{"batch errors XLSX bad id", "GET", "/api/v1/batches/x/errors.xlsx", scjg, nil, 0, 400, nil},
		{"batch errors XLSX no key", "GET", batchPath + "/errors.xlsx", "", nil, 0, 401, nil},
		{"batch errors XLSX PUT", "PUT", batchPath + "/errors.xlsx", scjg, batchFile, 0, 405, nil},

		{"objection filed", "POST", record + "/objections", "", js(objection), +1, 201, []string{`"number":"YY20261130-`, `"tracking_url":"/track/objection?t=`}},
		{"objection bad ground", "POST", record + "/objections", "", js(badGround), -1, 400, []string{`"field":"ground"`}},
		{"objection unknown record", "POST", "/api/v1/records/999999/objections", "", js(objection), +1, 404, nil},
		{"objection file too large", "POST", record + "/objections", "", js(bigFile), +1, 413, nil},
		{"objection GET", "GET", record + "/objections", "", nil, 0, 405, nil},
		{"objection fifth", "POST", record + "/objections", "", js(objection), +1, 201, nil},
		{"objection over the limit", "POST", record + "/objections", "", js(objection), +1, 429, []string{`"code":"too_many_requests"`}},
		{"objections forwarded", "GET", "/api/v1/objections", scjg, nil, 0, 200, []string{`"state":"forwarded"`, `"due_by":"2026-12-07"`, `"type":"application/pdf"`}},
		{"objections no key", "GET", "/api/v1/objections", "", nil, 0, 401, nil},
		{"objections POST", "POST", "/api/v1/objections", scjg, js(map[string]any{}), 0, 405, nil},
		{"answer by another provider", "POST", answerPath, swj, js(answer), +1, 404, nil},
		{"answer bad outcome", "POST", answerPath, scjg, js(map[string]any{"outcome": "erase", "reasons": "x"}), -1, 400, nil},
		{"answer", "POST", answerPath, scjg, js(answer), +1, 200, []string{`"state":"decided"`, `"outcome":"maintain"`}},
		{"answer stale", "POST", answerPath, scjg, js(answer), +1, 409, nil},
		{"answer no key", "POST", answerPath, "", js(answer), +1, 401, nil},
		{"answer GET", "GET", answerPath, scjg, nil, 0, 405, nil},
		{"repairs open", "GET", "/api/v1/repairs", scjg, nil, 0, 200, []string{`"state":"applied"`, `"due_by":"2026-12-03"`, `"performed":"警告已执行`}},
		{"repairs no key", "GET", "/api/v1/repairs", "", nil, 0, 401, nil},
		{"repairs DELETE", "DELETE", "/api/v1/repairs", scjg, nil, 0, 405, nil},
		{"repair bad decision", "POST", decisionPath, scjg, js(map[string]any{"decision": "maybe"}), -1, 400, nil},
		{"repair by another provider", "POST", decisionPath, swj, js(approve), +1, 404, nil},
		{"repair approved", "POST", decisionPath, scjg, js(approve), +1, 200, []string{`"state":"approved"`}},
		{"repair stale", "POST", decisionPath, scjg, js(approve), +1, 409, nil},
		{"repair no key", "POST", decisionPath, "", js(approve), +1, 401, nil},
		{"repair GET", "GET", decisionPath, scjg, nil, 0, 405, nil},
		{"revoke no reason", "POST", revokePath, scjg, js(map[string]any{"reason": ""}), +1, 400, nil},
		{"revoke key in other case", "POST", revokePath, scjg, js(map[string]any{"Reason": "复议撤销"}), -1, 400, []string{`unknown field \"Reason\": the body takes only reason`}},
		{"answer malformed", "POST", answerPath, scjg, []byte(`{"outcome": "maintain",}`), 0, 400, []string{"malformed JSON at line 1"}},
		{"revoke by another provider", "POST", revokePath, swj, js(revoke), +1, 404, nil},
		{"revoke", "POST", revokePath, scjg, js(revoke), +1, 200, []string{`"status":"revoked"`}},
		{"revoke again", "POST", revokePath, scjg, js(revoke), +1, 409, nil},
		{"revoke no key", "POST", revokePath, "", js(revoke), +1, 401, nil},
		{"revoke GET", "GET", revokePath, scjg, nil, 0, 405, nil},
	}

	// checks holds further checks of a scenario's decoded body, by name.
	var firstPenalty any // record_id of the newest penalty, from "subject per_item 1"
	penalties := func(t *testing.T, v any) map[string]any {
		t.Helper()
		for _, it := range oaArray(oaMapOf(v)["items"]) {
			if m := oaMapOf(it); m["item"] == "admin_penalty" {
				return m
			}
		}
		t.Fatalf("no admin_penalty entry in %s", oaShow(v))
		return nil
	}
	paged := func(t *testing.T, ir map[string]any, page, perPage int) {
		t.Helper()
		total, _ := oaNum(ir["total"])
		if ir["page"] != json.Number(strconv.Itoa(page)) || ir["per_page"] != json.Number(strconv.Itoa(perPage)) || total < 2 ||
			len(oaArray(ir["records"])) != 1 {
			t.Errorf("admin_penalty: page %v, per_page %v, total %v, %d records; want page %d, per_page %d, total at least 2, 1 record",
				ir["page"], ir["per_page"], ir["total"], len(oaArray(ir["records"])), page, perPage)
		}
	}
	id := func(n int64) json.Number { return json.Number(strconv.FormatInt(n, 10)) }
	checks := map[string]func(t *testing.T, v any){
		"batch duplicate": func(t *testing.T, v any) {
			if m := oaMapOf(v); m["duplicate_of"] != id(batchID) || m["batch_id"] != id(batchID) {
				t.Errorf("duplicate: batch_id %v, duplicate_of %v; want both %d", m["batch_id"], m["duplicate_of"], batchID)
			}
		},
		"batch done": func(t *testing.T, v any) {
			m, f := oaMapOf(v), oaMapOf(oaMapOf(v)["file"])
			got := fmt.Sprintf("read %v created %v rejected %v progress %v; %v %v %v %v", m["rows_read"], m["created"], m["rejected"], m["progress"],
				f["name"], f["format"], f["encoding"], f["size"])
			want := fmt.Sprintf("read 2 created 1 rejected 1 progress 1; penalties.csv csv utf-8 %d", len(batchFile))
			if got != want {
				t.Errorf("batch: %s, want %s", got, want)
			}
			var ns []string
			for _, n := range oaArray(m["notes"]) {
				var parts []string
				for _, k := range []string{"code", "column", "field", "kind", "count"} {
					if x, ok := oaMapOf(n)[k]; ok {
						parts = append(parts, fmt.Sprint(x))
					}
				}
				ns = append(ns, strings.Join(parts, " "))
			}
			if want := []string{"unknown_column 内部编号", "normalised cf_jdrq date_format 1"}; !slices.Equal(ns, want) {
				t.Errorf("notes %q, want %q", ns, want)
			}
		},
		"batches": func(t *testing.T, v any) {
			var ids []string
			for _, b := range oaArray(oaMapOf(v)["batches"]) {
				ids = append(ids, string(oaMapOf(b)["batch_id"].(json.Number)))
			}
			if !slices.Contains(ids, string(id(batchID))) || !slices.IsSortedFunc(ids, func(a, b string) int {
				x, _ := strconv.Atoi(a)
				y, _ := strconv.Atoi(b)
				return y - x
			}) {
				t.Errorf("batches %v: want batch %d among them, newest first", ids, batchID)
			}
		},
		"subject per_item 1": func(t *testing.T, v any) {
			ir := penalties(t, v)
			paged(t, ir, 1, 1)
			if recs := oaArray(ir["records"]); len(recs) > 0 {
				firstPenalty = oaMapOf(recs[0])["record_id"]
			}
		},
		"subject item page 2": func(t *testing.T, v any) {
			if n := len(oaArray(oaMapOf(v)["items"])); n != 1 {
				t.Errorf("item=admin_penalty: %d items, want only admin_penalty", n)
			}
			ir := penalties(t, v)
			paged(t, ir, 2, 1)
			if recs := oaArray(ir["records"]); len(recs) > 0 && firstPenalty != nil && oaMapOf(recs[0])["record_id"] == firstPenalty {
				t.Errorf("page 2 repeats record %v of page 1", firstPenalty)
			}
		},
	}

	exercised := map[string]bool{} // "METHOD path status"

	// conforms checks response r against the documentation of operation key.
	conforms := func(t *testing.T, key string, op map[string]any, r oaResponse) any {
		t.Helper()
		code := strconv.Itoa(r.Status)
		responses, _ := op["responses"].(map[string]any)
		if responses[code] == nil {
			t.Fatalf("%s: status %d is not documented", key, r.Status)
		}
		exercised[key+" "+code] = true
		resp := oaDeref(t, doc, responses[code])

		for name, h := range oaMapOf(resp["headers"]) {
			hm := oaDeref(t, doc, h)
			if hm["required"] == true && r.Header.Get(name) == "" {
				t.Errorf("%s %s: documented header %s is missing", key, code, name)
			}
		}
		mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil {
			t.Fatalf("%s %s: Content-Type %q: %v", key, code, r.Header.Get("Content-Type"), err)
		}
		media, ok := oaMapOf(resp["content"])[mt].(map[string]any)
		if !ok {
			t.Fatalf("%s %s: media type %s is not documented (documented: %v)", key, code, mt, oaKeys(resp["content"]))
		}
		if mt != "application/json" && !strings.HasSuffix(mt, "+json") {
			// A file: its media type is documented, and its schema
			// describes bytes, not JSON the checker could validate.
			return nil
		}
		v, err := oaDecode(r.Body)
		if err != nil {
			t.Fatalf("%s %s: body is not JSON: %v", key, code, err)
		}
		for _, e := range checker.check(media["schema"], v, "$") {
			t.Errorf("%s %s (%s): %s", key, code, mt, e)
		}
		if mt == "application/problem+json" {
			if s := oaMapOf(v)["status"]; s != json.Number(code) {
				t.Errorf("%s %s: problem status %v differs from the HTTP status", key, code, s)
			}
		}
		return v
	}

	// request sends a scenario's request, with its Content-Type if it
	// sends a file.
	request := func(t *testing.T, name, method, path, key string, body []byte) oaResponse {
		t.Helper()
		if ctype, ok := ctypes[name]; ok {
			return oaSend(t, env, method, path, key, ctype, body)
		}
		return oaRequest(t, env, method, path, key, body)
	}

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.want == http.StatusMethodNotAllowed {
				// A method the path does not have: each of the path's
				// operations documents the 405, and Allow lists exactly
				// the documented methods, with HEAD wherever GET is.
				keys := oaMatchAll(ops, tc.path)
				if len(keys) == 0 {
					t.Fatalf("%s: no documented path", tc.path)
				}
				var want []string
				for _, key := range keys {
					m, _, _ := strings.Cut(key, " ")
					if m == tc.method {
						t.Fatalf("%s is documented; pick a method the path does not have", key)
					}
					want = append(want, m)
					if m == "GET" {
						want = append(want, "HEAD")
					}
				}
				r := request(t, tc.name, tc.method, tc.path, tc.key, tc.body)
				if r.Status != tc.want {
					t.Fatalf("%s %s: status %d, want %d; body %s", tc.method, tc.path, r.Status, tc.want, oaShow(string(r.Body)))
				}
				var allow []string
				for _, m := range strings.Split(r.Header.Get("Allow"), ",") {
					if m = strings.TrimSpace(m); m != "" {
						allow = append(allow, m)
					}
				}
				sort.Strings(want)
				sort.Strings(allow)
				if !slices.Equal(allow, want) {
					t.Errorf("%s %s: Allow %q, want the methods %v", tc.method, tc.path, r.Header.Get("Allow"), want)
				}
				for _, key := range keys {
					v := conforms(t, key, ops[key], r)
					if c := oaMapOf(v)["code"]; c != "method_not_allowed" {
						t.Errorf("%s %s: code %v, want method_not_allowed", tc.method, tc.path, c)
					}
				}
				return
			}
			key, op := oaMatch(ops, tc.method, tc.path)
			if op == nil {
				t.Fatalf("%s %s: no documented operation", tc.method, tc.path)
			}
			if tc.req != 0 {
				rb := oaMapOf(oaMapOf(oaMapOf(op["requestBody"])["content"])["application/json"])
				if rb == nil {
					t.Fatalf("%s: no application/json request body documented", key)
				}
				v, err := oaDecode(tc.body)
				if err != nil {
					t.Fatalf("request body: %v", err)
				}
				errs := checker.check(rb["schema"], v, "$")
				if tc.req > 0 {
					for _, e := range errs {
						t.Errorf("%s request: %s", key, e)
					}
				} else if len(errs) == 0 {
					t.Errorf("%s request: the documented schema accepts a body the test says it should reject", key)
				}
			}
			r := request(t, tc.name, tc.method, tc.path, tc.key, tc.body)
			if r.Status != tc.want {
				t.Errorf("%s %s: status %d, want %d; body %s", tc.method, tc.path, r.Status, tc.want, oaShow(string(r.Body)))
			}
			for _, s := range tc.has {
				if !bytes.Contains(r.Body, []byte(s)) {
					t.Errorf("%s %s: the body lacks %s: %s", tc.method, tc.path, s, oaShow(string(r.Body)))
				}
			}
			v := conforms(t, key, op, r)
			if check := checks[tc.name]; check != nil && r.Status == tc.want {
				check(t, v)
			}
		})
	}
	names := map[string]bool{}
	for _, tc := range tests {
		names[tc.name] = true
	}
	for name := range checks {
		if !names[name] {
			t.Errorf("checks has %q, which is no scenario", name)
		}
	}
	for name := range ctypes {
		if !names[name] {
			t.Errorf("ctypes has %q, which is no scenario", name)
		}
	}

	// Every documented status is exercised, except those no test can
	// provoke: internal errors, and a server without uploads.
	unreachable := map[string]bool{"500": true, "POST /api/v1/batches 503": true}
	for key, op := range ops {
		for code := range oaMapOf(op["responses"]) {
			if !exercised[key+" "+code] && !unreachable[code] && !unreachable[key+" "+code] {
				t.Errorf("%s: documented status %s is not exercised", key, code)
			}
		}
	}
}

func oaMapOf(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func oaKeys(v any) []string {
	var ks []string
	for k := range oaMapOf(v) {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
