package intake

import (
	"encoding/json"
	"testing"
)

func TestAppendJSON(t *testing.T) {
	for _, m := range []map[string]string{
		{},
		{"a": "1", "b": "武汉", "c": "quote \" and \\ backslash"},
		{"ctl": "\x00\x01\n\r\t\x1f", "html": "<a href='x'>&</a>", "sep": "\u2028\u2029", "bad": "\xff"},
	} {
		got := appendJSON(nil, m)
		var back map[string]string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("%q is not JSON: %v", got, err)
		}
		for k, v := range m {
			want := v
			if k == "bad" {
				want = "\ufffd"
			}
			if back[k] != want {
				t.Errorf("%s: %q round-trips to %q", k, v, back[k])
			}
		}
	}
}

func FuzzAppendJSON(f *testing.F) {
	f.Add("key", "value 武汉 \" \\ \n \x00 \u2028")
	f.Fuzz(func(t *testing.T, k, v string) {
		got := appendJSON(nil, map[string]string{k: v})
		var back map[string]string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("%q is not JSON: %v", got, err)
		}
		want, _ := json.Marshal(map[string]string{k: v})
		var wantBack map[string]string
		json.Unmarshal(want, &wantBack)
		if back[k] != wantBack[k] || len(back) != 1 {
			t.Errorf("round trip of %q: %q, encoding/json gives %q", v, back[k], wantBack[k])
		}
	})
}
