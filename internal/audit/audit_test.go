package audit_test

import (
	"strings"
	"testing"
	"time"

	"github.com/xinyong/xinyong/internal/audit"
)

func chain(n int) []*audit.Entry {
	var out []*audit.Entry
	var prev []byte
	for i := 1; i <= n; i++ {
		e := &audit.Entry{Seq: int64(i), At: time.Date(2026, 11, 30, 10, 0, i, 0, time.UTC), Actor: "cli", Action: "test", Object: "x", Detail: "{}"}
		e.Seal(prev)
		prev = e.Hash
		out = append(out, e)
	}
	return out
}

func TestVerifier(t *testing.T) {
	tests := []struct {
		name   string
		tamper func([]*audit.Entry) []*audit.Entry
		want   string // "" for an intact chain
	}{
		{"OK", func(es []*audit.Entry) []*audit.Entry { return es }, ""},
		{"ErrAltered", func(es []*audit.Entry) []*audit.Entry { es[2].Actor = "someone"; return es }, "entry 3 was altered"},
		{"ErrRemoved", func(es []*audit.Entry) []*audit.Entry { return append(es[:2], es[3:]...) }, "gap"},
		{"ErrReordered", func(es []*audit.Entry) []*audit.Entry { es[1], es[2] = es[2], es[1]; return es }, "gap"},
		{"ErrResealed", func(es []*audit.Entry) []*audit.Entry {
			// Rewriting an entry and its own hash still breaks the next link.
			es[1].Detail = `{"forged":true}`
			es[1].Seal(es[0].Hash)
			return es
		}, "entry 3 does not link"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v audit.Verifier
			var err error
			for _, e := range tt.tamper(chain(5)) {
				if err = v.Next(e); err != nil {
					break
				}
			}
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("intact chain: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}
