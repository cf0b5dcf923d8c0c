package workday_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xinyong/xinyong/internal/workday"
)

var D = workday.Date

func TestAddWorkingDays(t *testing.T) {
	cal := workday.Default()
	tests := []struct {
		name string
		from time.Time
		n    int
		want time.Time
		est  bool
	}{
		// calendar.md worked example: Sat 02-14 (1), Feb 15–23 off, 02-24 (2) … 02-27 (5),
		// Sat 02-28 (6), Sun 03-01 off, Mon 03-02 (7).
		{"worked example", D(2026, 2, 13), 7, D(2026, 3, 2), false},
		{"worked example +1 adjusted Saturday", D(2026, 2, 13), 1, D(2026, 2, 14), false},
		{"worked example +2 skips Spring Festival", D(2026, 2, 13), 2, D(2026, 2, 24), false},
		// Wed 09-30 is working but not counted; Oct 1–7 off; Thu 10-08 (1), Fri 10-09 (2),
		// Sat 10-10 adjusted working day (3), Sun 10-11 off, Mon 10-12 (4), Tue 10-13 (5).
		{"National Day 2026", D(2026, 9, 30), 5, D(2026, 10, 13), false},
		// Fri 2025-01-24; Sat 01-25 off, Sun 01-26 adjusted (1), Mon 01-27 (2),
		// Jan 28–Feb 4 off, Wed 02-05 (3), Thu 02-06 (4), Fri 02-07 (5), Sat 02-08 adjusted (6).
		{"Spring Festival 2025 +1", D(2025, 1, 24), 1, D(2025, 1, 26), false},
		{"Spring Festival 2025 +3", D(2025, 1, 24), 3, D(2025, 2, 5), false},
		{"Spring Festival 2025 +5", D(2025, 1, 24), 5, D(2025, 2, 7), false},
		{"Spring Festival 2025 +6", D(2025, 1, 24), 6, D(2025, 2, 8), false},
		// Mon 2026-03-02, no holidays in March: Mar 3–6 (4), 9–13 (9), 16–20 (14), 23–27 (19), Mon 30 (20).
		{"plain March +1", D(2026, 3, 2), 1, D(2026, 3, 3), false},
		{"plain March +2", D(2026, 3, 2), 2, D(2026, 3, 4), false},
		{"plain March +5", D(2026, 3, 2), 5, D(2026, 3, 9), false},
		{"plain March +20", D(2026, 3, 2), 20, D(2026, 3, 30), false},
		// Wed 2025-04-30; May 1–5 off; May 6–9 (4), Mon 05-12 (5), 12–16 (9), 19–23 (14),
		// 26–30 (19), May 31–Jun 2 off, Tue 06-03 (20).
		{"Labour Day 2025 +1", D(2025, 4, 30), 1, D(2025, 5, 6), false},
		{"Labour Day 2025 +2", D(2025, 4, 30), 2, D(2025, 5, 7), false},
		{"Labour Day 2025 +5", D(2025, 4, 30), 5, D(2025, 5, 12), false},
		{"Labour Day 2025 +20", D(2025, 4, 30), 20, D(2025, 6, 3), false},
		// Fri 2026-12-18: Dec 21–25 (5), Dec 28–31 (9); 2027 unknown, weekdays only:
		// Fri 01-01 (10), Jan 4–8 (15), Jan 11–15 (20).
		{"late Dec +1", D(2026, 12, 18), 1, D(2026, 12, 21), false},
		{"late Dec +5", D(2026, 12, 18), 5, D(2026, 12, 25), false},
		{"late Dec into 2027", D(2026, 12, 18), 20, D(2027, 1, 15), true},
		{"last known day", D(2026, 12, 30), 1, D(2026, 12, 31), false},
		{"first unknown day", D(2026, 12, 31), 1, D(2027, 1, 1), true},
		{"in 2027", D(2027, 3, 1), 1, D(2027, 3, 2), true},
		// from itself is neither counted nor skipped, so starting in unknown 2024 is exact:
		// Jan 1 2025 off, Thu 01-02 (1).
		{"from unknown year into known", D(2024, 12, 31), 1, D(2025, 1, 2), false},
		{"zero", D(2026, 2, 15), 0, D(2026, 2, 15), false},
		{"negative treated as zero", D(2026, 2, 15), -3, D(2026, 2, 15), false},
		{"time of day ignored", D(2026, 2, 13).Add(23*time.Hour + 59*time.Minute), 7, D(2026, 3, 2), false},
		{"location kept", time.Date(2026, 2, 13, 5, 0, 0, 0, time.UTC), 7, time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), false},
	}
	t.Run("OK", func(t *testing.T) {
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				got := cal.AddWorkingDays(tc.from, tc.n)
				if !got.Date.Equal(tc.want) || got.Date.Location() != tc.want.Location() || got.Estimated != tc.est {
					t.Errorf("AddWorkingDays(%s, %d) = %s estimated=%v, want %s estimated=%v",
						tc.from, tc.n, got.Date, got.Estimated, tc.want, tc.est)
				}
				if tc.n > 0 {
					n, est := cal.WorkingDaysBetween(tc.from, got.Date)
					if n != tc.n || est != tc.est {
						t.Errorf("WorkingDaysBetween(%s, %s) = %d, %v; want %d, %v", tc.from, got.Date, n, est, tc.n, tc.est)
					}
				}
			})
		}
	})
}

func TestIsWorkingDay(t *testing.T) {
	cal := workday.Default()
	tests := []struct {
		name           string
		d              time.Time
		working, known bool
		holiday        string
	}{
		{"adjusted Saturday", D(2026, 2, 14), true, true, "春节调休 Spring Festival adjusted working day"},
		{"Spring Festival Monday", D(2026, 2, 16), false, true, "春节 Spring Festival"},
		{"adjusted Sunday", D(2026, 1, 4), true, true, "元旦调休 New Year adjusted working day"},
		{"National Day 2025", D(2025, 10, 8), false, true, "国庆节、中秋节 National Day and Mid-Autumn Festival"},
		{"ordinary Tuesday", D(2026, 3, 3), true, true, ""},
		{"ordinary Sunday", D(2026, 3, 1), false, true, ""},
		{"unknown Friday", D(2027, 1, 1), true, false, ""},
		{"unknown Saturday", D(2027, 1, 2), false, false, ""},
	}
	t.Run("OK", func(t *testing.T) {
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				w, k := cal.IsWorkingDay(tc.d)
				if w != tc.working || k != tc.known {
					t.Errorf("IsWorkingDay(%s) = %v, %v; want %v, %v", tc.d, w, k, tc.working, tc.known)
				}
				if k != cal.Known(tc.d) {
					t.Errorf("Known(%s) = %v, want %v", tc.d, !k, k)
				}
				if got := cal.HolidayName(tc.d); got != tc.holiday {
					t.Errorf("HolidayName(%s) = %q, want %q", tc.d, got, tc.holiday)
				}
			})
		}
	})
}

// TestBuiltinYears cross-checks the shipped data against calendar.md by counting.
// Both years have 261 weekdays (365 days, starting Wed/Thu).
// 2025 weekday holidays: Jan 1; Jan 28–31, Feb 3–4; Apr 4; May 1, 2, 5; Jun 2; Oct 1–3, 6–8 = 18;
// adjusted weekend working days: 5 → 261 − 18 + 5 = 248.
// 2026 weekday holidays: Jan 1–2; Feb 16–20, 23; Apr 6; May 1, 4, 5; Jun 19; Sep 25; Oct 1–2, 5–7 = 19;
// adjusted weekend working days: 6 → 261 − 19 + 6 = 248.
func TestBuiltinYears(t *testing.T) {
	cal := workday.Default()
	t.Run("OK", func(t *testing.T) {
		if got := cal.Years(); !slices.Equal(got, []int{2025, 2026}) {
			t.Fatalf("Years() = %v", got)
		}
		for _, y := range []int{2025, 2026} {
			n, est := cal.WorkingDaysBetween(D(y-1, 12, 31), D(y, 12, 31))
			if n != 248 || est {
				t.Errorf("%d: %d working days, estimated=%v; want 248, false", y, n, est)
			}
		}
	})
}

func TestWorkingDaysBetween(t *testing.T) {
	cal := workday.Default()
	t.Run("OK", func(t *testing.T) {
		for _, c := range [][2]time.Time{
			{D(2026, 3, 2), D(2026, 3, 2)},
			{D(2026, 3, 3), D(2026, 3, 2)},
			{D(2026, 2, 15), D(2026, 2, 23)},
		} {
			if n, est := cal.WorkingDaysBetween(c[0], c[1]); n != 0 || est {
				t.Errorf("WorkingDaysBetween(%s, %s) = %d, %v; want 0, false", c[0], c[1], n, est)
			}
		}
		// Consistency with AddWorkingDays from every day of the known years.
		for from := D(2025, 1, 1); from.Year() < 2027; from = from.AddDate(0, 0, 1) {
			for _, n := range []int{1, 2, 5, 20} {
				r := cal.AddWorkingDays(from, n)
				if got, est := cal.WorkingDaysBetween(from, r.Date); got != n || est != r.Estimated {
					t.Fatalf("from %s +%d = %s: WorkingDaysBetween = %d, %v; want %d, %v",
						from, n, r.Date, got, est, n, r.Estimated)
				}
			}
		}
	})
}

func writeDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLoad(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		dir := writeDir(t, map[string]string{
			"2027.txt":  "# test year\n\nholiday 2027-01-01 元旦 New Year's Day\nholiday 2027-07-01..2027-07-31 longest range\n",
			"2026.txt":  "holiday 2026-03-03 only holiday\n", // replaces the built-in 2026
			"README":    "not a year file",
			"notes.txt": "vacation whatever",
		})
		cal, err := workday.Load(dir)
		if err != nil {
			t.Fatal(err)
		}
		if got := cal.Years(); !slices.Equal(got, []int{2025, 2026, 2027}) {
			t.Errorf("Years() = %v", got)
		}
		// Same span as "late Dec into 2027" but now exact, and Jan 1 2027 is a holiday:
		// Dec 21–25 (5), Dec 28–31 (9), Jan 4–8 (14), Jan 11–15 (19), Mon Jan 18 (20).
		if r := cal.AddWorkingDays(D(2026, 12, 18), 20); !r.Date.Equal(D(2027, 1, 18)) || r.Estimated {
			t.Errorf("AddWorkingDays = %+v, want 2027-01-18 not estimated", r)
		}
		if w, _ := cal.IsWorkingDay(D(2026, 2, 16)); !w {
			t.Error("operator 2026.txt did not replace built-in 2026")
		}
		if w, _ := cal.IsWorkingDay(D(2026, 3, 3)); w {
			t.Error("operator 2026 holiday ignored")
		}
		if w, _ := workday.Default().IsWorkingDay(D(2026, 2, 16)); w {
			t.Error("Load modified the default calendar")
		}
		if def, err := workday.Load(""); err != nil || def != workday.Default() {
			t.Errorf(`Load("") = %p, %v; want Default()`, def, err)
		}
	})
	t.Run("ErrNoDir", func(t *testing.T) {
		if _, err := workday.Load(filepath.Join(t.TempDir(), "missing")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("err = %v, want os.ErrNotExist", err)
		}
	})

	tests := []struct {
		name, body string
		line       int
		msg        string
	}{
		{"ErrBadDate", "# comment\nholiday 2027-13-01 x\n", 2, "bad date"},
		{"ErrOutsideYear", "holiday 2027-01-01 ok\n\nholiday 2026-12-31 x\n", 3, "outside the file's year"},
		{"ErrRangeEndOutsideYear", "holiday 2027-12-30..2028-01-02 x\n", 1, "outside the file's year"},
		{"ErrWorkdayOnWeekday", "workday 2027-01-04 x\n", 1, "Saturday or Sunday"},
		{"ErrUnknownKeyword", "holiday 2027-01-01 ok\nvacation 2027-01-02 x\n", 2, "unknown keyword"},
		{"ErrRangeTooLong", "holiday 2027-01-01..2027-02-01 x\n", 1, "spans 32 days"},
		{"ErrRangeBackwards", "holiday 2027-01-05..2027-01-01 x\n", 1, "ends before"},
		{"ErrWorkdayRange", "workday 2027-01-02..2027-01-03 x\n", 1, "single date"},
		{"ErrDuplicate", "holiday 2027-01-01..2027-01-03 x\nworkday 2027-01-02 y\n", 2, "already listed"},
		{"ErrMissingName", "holiday 2027-01-01\n", 1, "want KEYWORD DATE NAME"},
		{"ErrEmpty", "# nothing yet\n", 0, "no entries"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeDir(t, map[string]string{"2027.txt": tc.body})
			cal, err := workday.Load(dir)
			var pe *workday.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Load = %v, %v; want *ParseError", cal, err)
			}
			file := filepath.Join(dir, "2027.txt")
			if pe.File != file || pe.Line != tc.line || !strings.Contains(pe.Msg, tc.msg) {
				t.Errorf("got %+v, want file %s line %d msg containing %q", pe, file, tc.line, tc.msg)
			}
			where := file
			if tc.line > 0 {
				where = fmt.Sprintf("%s:%d:", file, tc.line)
			}
			if !strings.Contains(err.Error(), where) {
				t.Errorf("error %q does not name %q", err, where)
			}
		})
	}
}

func FuzzAddWorkingDays(f *testing.F) {
	for _, s := range [][2]uint16{{0, 0}, {407, 7}, {1002, 5}, {1082, 20}, {1095, 1}, {1826, 60}} {
		f.Add(s[0], uint8(s[1]))
	}
	cal := workday.Default()
	start := D(2024, 1, 1)
	span := int(D(2029, 1, 1).Sub(start).Hours() / 24) // days in 2024–2028
	f.Fuzz(func(t *testing.T, off uint16, nn uint8) {
		from := start.AddDate(0, 0, int(off)%span)
		n := int(nn) % 61
		r := cal.AddWorkingDays(from, n)
		if n == 0 {
			if !r.Date.Equal(from) || r.Estimated {
				t.Fatalf("from %s +0 = %+v", from, r)
			}
			return
		}
		if !r.Date.After(from) {
			t.Fatalf("from %s +%d = %s, not after from", from, n, r.Date)
		}
		if w, _ := cal.IsWorkingDay(r.Date); !w {
			t.Fatalf("from %s +%d = %s, not a working day", from, n, r.Date)
		}
		got, est := cal.WorkingDaysBetween(from, r.Date)
		if got != n || est != r.Estimated {
			t.Fatalf("from %s +%d = %+v: WorkingDaysBetween = %d, %v", from, n, r, got, est)
		}
		unknown := false
		for d := from.AddDate(0, 0, 1); !d.After(r.Date); d = d.AddDate(0, 0, 1) {
			unknown = unknown || !cal.Known(d)
		}
		if unknown != r.Estimated {
			t.Fatalf("from %s +%d = %+v: a day outside known years = %v", from, n, r, unknown)
		}
	})
}
