package disclose_test

import (
	"testing"
	"time"

	"github.com/xinyong/xinyong/internal/catalog"
	"github.com/xinyong/xinyong/internal/disclose"
	"github.com/xinyong/xinyong/internal/workday"
)

func TestAddMonths(t *testing.T) {
	tests := []struct {
		from string
		n    int
		want string
	}{
		{"2026-02-13", 12, "2027-02-13"},
		{"2026-01-31", 1, "2026-02-28"},
		{"2024-02-29", 12, "2025-02-28"},
		{"2026-08-31", 3, "2026-11-30"},
		{"2026-11-15", 3, "2027-02-15"},
		{"2026-03-05", 36, "2029-03-05"},
	}
	for _, tt := range tests {
		from, _ := time.Parse(time.DateOnly, tt.from)
		if got := disclose.AddMonths(from, tt.n).Format(time.DateOnly); got != tt.want {
			t.Errorf("AddMonths(%s, %d) = %s, want %s", tt.from, tt.n, got, tt.want)
		}
	}
}

func TestCompute(t *testing.T) {
	pen, _ := catalog.Default().Item("admin_penalty")
	lic, _ := catalog.Default().Item("admin_licensing")
	tests := []struct {
		name        string
		item        *catalog.Item
		vals        map[string]string
		subjectType string
		public      bool
		severity    string
		until       string // "" for no end
		minUntil    string
		noEarlyEnd  bool
	}{
		{"OKMinorWarning", pen, map[string]string{"cf_cflb": "警告", "cf_jdrq": "2026-06-01"}, "org", true, "minor", "2026-08-31", "", false},
		{"OKMinorSmallFine", pen, map[string]string{"cf_cflb": "警告;罚款", "cf_nr_fk": "0.5", "cf_jdrq": "2026-06-01"}, "org", true, "minor", "2026-08-31", "", false},
		{"OKGeneralFine", pen, map[string]string{"cf_cflb": "罚款", "cf_nr_fk": "1", "cf_jdrq": "2026-02-13"}, "org", true, "general", "2027-02-12", "2026-05-12", false},
		{"OKGeneralConfiscation", pen, map[string]string{"cf_cflb": "没收违法所得", "cf_jdrq": "2026-02-13"}, "org", true, "general", "2027-02-12", "2026-05-12", false},
		{"OKSeriousRevocation", pen, map[string]string{"cf_cflb": "罚款;吊销许可证件", "cf_nr_fk": "10", "cf_jdrq": "2026-02-13"}, "org", true, "serious", "2029-02-12", "2027-02-12", true},
		{"OKSeriousQualification", pen, map[string]string{"cf_cflb": "降低资质等级", "cf_jdrq": "2026-02-13"}, "org", true, "serious", "2029-02-12", "2027-02-12", false},
		{"OKSeriousFlag", pen, map[string]string{"cf_cflb": "罚款", "cf_nr_fk": "3", "cf_qjyz": "是", "cf_jdrq": "2026-02-13"}, "org", true, "serious", "2029-02-12", "2027-02-12", false},
		{"OKProviderEndShortens", pen, map[string]string{"cf_cflb": "罚款", "cf_nr_fk": "3", "cf_jdrq": "2026-02-13", "cf_gsjzq": "2026-08-13"}, "org", true, "general", "2026-08-13", "2026-05-12", false},
		{"OKProviderEndCapped", pen, map[string]string{"cf_cflb": "罚款", "cf_nr_fk": "3", "cf_jdrq": "2026-02-13", "cf_gsjzq": "2030-01-01"}, "org", true, "general", "2027-02-12", "2026-05-12", false},
		{"OKProviderEndNotBeforeMinimum", pen, map[string]string{"cf_cflb": "罚款", "cf_nr_fk": "3", "cf_jdrq": "2026-02-13", "cf_gsjzq": "2026-02-14"}, "org", true, "general", "2026-05-12", "2026-05-12", false},
		{"OKProviderEndIgnoredForRevocation", pen, map[string]string{"cf_cflb": "吊销许可证件", "cf_jdrq": "2026-11-20", "cf_gsjzq": "2026-11-21"}, "org", true, "serious", "2029-11-19", "2027-11-19", true},
		{"OKProviderEndMinor", pen, map[string]string{"cf_cflb": "警告", "cf_jdrq": "2026-06-01", "cf_gsjzq": "2026-06-30"}, "org", true, "minor", "2026-06-30", "", false},
		{"OKPersonNeverPublic", pen, map[string]string{"cf_cflb": "罚款", "cf_nr_fk": "3", "cf_jdrq": "2026-02-13"}, "person", false, "general", "", "", false},
		{"OKLicenceIndefinite", lic, map[string]string{"xk_jdrq": "2026-02-13"}, "org", true, "", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := disclose.Compute(tt.item, tt.vals, tt.subjectType)
			if w.Public != tt.public || w.Severity != tt.severity || w.NoEarlyEnd != tt.noEarlyEnd {
				t.Errorf("public, severity, noEarlyEnd = %v, %q, %v; want %v, %q, %v", w.Public, w.Severity, w.NoEarlyEnd, tt.public, tt.severity, tt.noEarlyEnd)
			}
			if got := fmtDay(w.Until); tt.public && got != tt.until {
				t.Errorf("until = %q, want %q", got, tt.until)
			}
			if got := fmtDay(w.MinUntil); tt.public && got != tt.minUntil {
				t.Errorf("min until = %q, want %q", got, tt.minUntil)
			}
		})
	}
}

func TestShown(t *testing.T) {
	from := workday.Date(2026, 6, 1)
	until := workday.Date(2026, 8, 31)
	w := disclose.Window{Public: true, From: &from, Until: &until}
	for day, want := range map[string]bool{"2026-05-31": false, "2026-06-01": true, "2026-08-31": true, "2026-09-01": false} {
		d, _ := time.ParseInLocation(time.DateOnly, day, workday.CST)
		if got := w.Shown(d.Add(23 * time.Hour)); got != want {
			t.Errorf("Shown(%s) = %v, want %v", day, got, want)
		}
	}
	if (disclose.Window{Public: true, From: &from}).Shown(workday.Date(2099, 1, 1)) != true {
		t.Error("a window without end is not shown in 2099")
	}
	if (disclose.Window{From: &from}).Shown(workday.Date(2026, 7, 1)) {
		t.Error("a non-public window is shown")
	}
}

func TestPublicFields(t *testing.T) {
	pen, _ := catalog.Default().Item("admin_penalty")
	got := disclose.PublicFields(pen, map[string]string{"cf_wsh": "x", "cf_qjyz": "是", "zjhm": "110105********0039", "fddbr_zjhm": "110105********002X"})
	var codes []string
	for _, fv := range got {
		codes = append(codes, fv.Field.Code)
	}
	// cf_qjyz is shared and zjhm is shared: neither is public.
	if len(codes) != 2 || codes[0] != "fddbr_zjhm" || codes[1] != "cf_wsh" {
		t.Errorf("public fields = %v, want [fddbr_zjhm cf_wsh]", codes)
	}
}

func fmtDay(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format(time.DateOnly)
}
