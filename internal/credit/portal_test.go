package credit_test

import (
	"strings"
	"testing"
	"time"

	"github.com/xinyong/xinyong/internal/credit"
)

var cst = time.FixedZone("CST", 8*3600)

func TestAnnouncementValidate(t *testing.T) {
	tests := []struct {
		name   string
		a      credit.Announcement
		code   string // "" for valid
		zh, en string
	}{
		{"OK", credit.Announcement{TitleZH: "公告", BodyZH: "正文"}, "", "", ""},
		{"ErrRequired", credit.Announcement{BodyZH: "正文"}, "required", "中文标题不能为空", "the Chinese title is required"},
		{"ErrEncoding", credit.Announcement{TitleZH: "公告", BodyZH: "正文", BodyEN: "\xff"}, "encoding", "英文正文不是有效的 UTF-8 文本", "the English text is not valid UTF-8 text"},
		{"ErrTooLong", credit.Announcement{TitleZH: strings.Repeat("字", 201), BodyZH: "正文"}, "too_long", "中文标题最多 200 个字符，实为 201 个", "the Chinese title may have at most 200 characters, got 201"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.a.Validate()
			if tt.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			e, ok := err.(*credit.Error)
			if !ok || e.Code != credit.EINVALID || len(e.Fields) != 1 {
				t.Fatalf("Validate = %v", err)
			}
			if f := e.Fields[0]; f.Code != tt.code || f.MessageZH != tt.zh || f.MessageEN != tt.en {
				t.Errorf("field error = %+v, want %s %q / %q", f, tt.code, tt.zh, tt.en)
			}
		})
	}
}

func TestNewStats(t *testing.T) {
	tests := []struct {
		name        string
		day         time.Time
		first, last string
		from, until time.Time
	}{
		{"OKJune", time.Date(2026, 6, 15, 13, 0, 0, 0, cst), "2025-07", "2026-06",
			time.Date(2025, 7, 1, 0, 0, 0, 0, cst), time.Date(2026, 7, 1, 0, 0, 0, 0, cst)},
		{"OKJanuary", time.Date(2026, 1, 1, 0, 0, 0, 0, cst), "2025-02", "2026-01",
			time.Date(2025, 2, 1, 0, 0, 0, 0, cst), time.Date(2026, 2, 1, 0, 0, 0, 0, cst)},
		{"OKDecember31", time.Date(2026, 12, 31, 23, 59, 0, 0, cst), "2026-01", "2026-12",
			time.Date(2026, 1, 1, 0, 0, 0, 0, cst), time.Date(2027, 1, 1, 0, 0, 0, 0, cst)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := credit.NewStats(tt.day)
			y, m, d := tt.day.Date()
			if !s.Day.Equal(time.Date(y, m, d, 0, 0, 0, 0, cst)) {
				t.Errorf("Day = %v", s.Day)
			}
			if len(s.ByMonth) != 12 || s.ByMonth[0].Key != tt.first || s.ByMonth[11].Key != tt.last {
				t.Fatalf("ByMonth = %+v", s.ByMonth)
			}
			for i := 1; i < 12; i++ {
				if s.ByMonth[i].Key <= s.ByMonth[i-1].Key {
					t.Errorf("months out of order: %s after %s", s.ByMonth[i].Key, s.ByMonth[i-1].Key)
				}
			}
			if from, until := s.CollectedWindow(); !from.Equal(tt.from) || !until.Equal(tt.until) {
				t.Errorf("CollectedWindow = %v, %v; want %v, %v", from, until, tt.from, tt.until)
			}
		})
	}
}

func TestStatsAddCollected(t *testing.T) {
	s := credit.NewStats(time.Date(2026, 6, 15, 0, 0, 0, 0, cst))
	add := func(month, code string, n int) {
		s.AddCollected(month, credit.PeriodCount{Key: code, Name: "name of " + code, Records: n, WithDeadline: n, OnTime: n - 1})
	}
	add("2026-06", "B", 2)
	add("2026-05", "C", 3)
	add("2026-05", "B", 1)
	add("2026-06", "A", 3)
	add("2025-06", "D", 9) // before the window: ignored
	add("2026-07", "D", 9) // after it: ignored
	var got []string
	for _, p := range s.ByProvider {
		got = append(got, p.Key)
	}
	// A, B and C have 3 each: by code.
	if strings.Join(got, ",") != "A,B,C" || s.ByProvider[1].Records != 3 || s.ByProvider[1].OnTime != 1 || s.ByProvider[1].Name != "name of B" {
		t.Errorf("ByProvider = %+v", s.ByProvider)
	}
	if m := s.ByMonth[11]; m.Key != "2026-06" || m.Records != 5 || m.WithDeadline != 5 || m.OnTime != 3 {
		t.Errorf("June = %+v", m)
	}
	if m := s.ByMonth[10]; m.Records != 4 {
		t.Errorf("May = %+v", m)
	}
}
