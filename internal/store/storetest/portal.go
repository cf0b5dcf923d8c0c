package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xinyong/xinyong/internal/catalog"
	"github.com/xinyong/xinyong/internal/catalog/catalogtest"
	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/workday"
)

func testAnnouncements(t *testing.T, open Opener) {
	ctx := context.Background()
	f := newFixture(t, open)
	start := f.now
	publish := func(t *testing.T, a *credit.Announcement) *credit.Announcement {
		t.Helper()
		if err := f.store.CreateAnnouncement(ctx, a); err != nil {
			t.Fatal(err)
		}
		if a.ID == 0 || !a.PublishedAt.Equal(f.now) {
			t.Fatalf("created announcement has id %d, published at %v; want an id and %v", a.ID, a.PublishedAt, f.now)
		}
		return a
	}
	launch := publish(t, &credit.Announcement{TitleZH: "关于平台上线运行的公告", TitleEN: "The platform is live",
		BodyZH: "平台自即日起上线运行。\n\n欢迎各部门报送数据。", BodyEN: "The platform is live from today.\n\nDepartments may submit data.", Author: "cli"})
	f.now = start.Add(time.Hour)
	repair := publish(t, &credit.Announcement{TitleZH: "信用修复办理流程", BodyZH: "申请人可在最短公示期满后申请信用修复。", Author: "staff:li"})
	// Two at the same time: the later one (by id) first.
	f.now = start.Add(2 * time.Hour)
	deadline := publish(t, &credit.Announcement{TitleZH: "双公示数据报送时限", BodyZH: "作出决定后 7 个工作日内报送。", Author: "cli"})
	same := publish(t, &credit.Announcement{TitleZH: "同一时刻的第二条", BodyZH: "正文", Author: "cli"})
	all := []*credit.Announcement{same, deadline, repair, launch}

	t.Run("OKList", func(t *testing.T) {
		for _, limit := range []int{10, 4, 2, 1, 0} {
			got, err := f.store.Announcements(ctx, limit)
			if err != nil {
				t.Fatal(err)
			}
			want := all[:min(limit, len(all))]
			if len(got) != len(want) {
				t.Fatalf("Announcements(%d) = %d announcements, want %d", limit, len(got), len(want))
			}
			for i := range want {
				if got[i].ID != want[i].ID {
					t.Errorf("Announcements(%d)[%d] = %d %q, want %d %q", limit, i, got[i].ID, got[i].TitleZH, want[i].ID, want[i].TitleZH)
				}
			}
		}
	})
	t.Run("OKGet", func(t *testing.T) {
		got, err := f.store.Announcement(ctx, launch.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.TitleZH != launch.TitleZH || got.TitleEN != launch.TitleEN || got.BodyZH != launch.BodyZH || got.BodyEN != launch.BodyEN ||
			got.Author != "cli" || !got.PublishedAt.Equal(start) {
			t.Errorf("Announcement(%d) = %+v, want %+v", launch.ID, got, launch)
		}
		if got, _ := f.store.Announcement(ctx, repair.ID); got == nil || got.TitleEN != "" || got.Author != "staff:li" || !got.PublishedAt.Equal(start.Add(time.Hour)) {
			t.Errorf("Announcement(%d) = %+v", repair.ID, got)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := f.store.Announcement(ctx, same.ID+1000)
		zh, en := credit.ErrorMessages(err)
		if !credit.IsNotFound(err) || !strings.Contains(zh, "公告") || !strings.Contains(en, "announcement") {
			t.Errorf("Announcement of a missing id: %v", err)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		tests := []struct {
			name  string
			a     credit.Announcement
			field string
			code  string
		}{
			{"ErrNoTitle", credit.Announcement{BodyZH: "正文", Author: "cli"}, "title_zh", "required"},
			{"ErrBlankTitle", credit.Announcement{TitleZH: " \t ", BodyZH: "正文", Author: "cli"}, "title_zh", "required"},
			{"ErrNoBody", credit.Announcement{TitleZH: "标题", Author: "cli"}, "body_zh", "required"},
			{"ErrTitleTooLong", credit.Announcement{TitleZH: strings.Repeat("长", 201), BodyZH: "正文", Author: "cli"}, "title_zh", "too_long"},
			{"ErrEnglishTooLong", credit.Announcement{TitleZH: "标题", BodyZH: "正文", BodyEN: strings.Repeat("x", 40001), Author: "cli"}, "body_en", "too_long"},
			{"ErrNotUTF8", credit.Announcement{TitleZH: "标题\xff", BodyZH: "正文", Author: "cli"}, "title_zh", "encoding"},
			{"ErrEnglishNotUTF8", credit.Announcement{TitleZH: "标题", BodyZH: "正文", TitleEN: "\xc3\x28", Author: "cli"}, "title_en", "encoding"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				a := tt.a
				err := f.store.CreateAnnouncement(ctx, &a)
				var e *credit.Error
				if credit.ErrorCode(err) != credit.EINVALID || !errors.As(err, &e) || len(e.Fields) != 1 || e.Fields[0].Field != tt.field || e.Fields[0].Code != tt.code {
					t.Fatalf("CreateAnnouncement = %v (%+v), want EINVALID on %s (%s)", err, e, tt.field, tt.code)
				}
				if a.ID != 0 {
					t.Errorf("a refused announcement got id %d", a.ID)
				}
			})
		}
		got, err := f.store.Announcements(ctx, 100)
		if err != nil || len(got) != len(all) {
			t.Errorf("after refusals: %d announcements, %v; want %d", len(got), err, len(all))
		}
	})
	t.Run("OKAudit", func(t *testing.T) {
		// provider.create and one announcement.create each; refusals write nothing.
		if n, err := f.store.VerifyAudit(ctx); err != nil || n != 1+len(all) {
			t.Errorf("VerifyAudit = %d, %v; want %d entries", n, err, 1+len(all))
		}
	})
}

// testStats counts a handful of records placed around the edges of what
// Stats counts: month boundaries in China Standard Time, the edges of the
// 12-month window, publication windows that ended or have not begun,
// records without a deadline, natural persons and several providers.
func testStats(t *testing.T, open Opener) {
	ctx := context.Background()
	f := newFixture(t, open)
	day := workday.Date(2026, 6, 15)

	t.Run("OKEmpty", func(t *testing.T) {
		s, err := f.store.Stats(ctx, day)
		if err != nil {
			t.Fatal(err)
		}
		if s.Subjects != 0 || len(s.PublicByItem) != 0 || s.PublishedLast30 != 0 || len(s.ByProvider) != 0 || len(s.ByMonth) != 12 {
			t.Errorf("Stats of an empty store = %+v", s)
		}
	})

	licensing, _ := catalog.Default().Item("admin_licensing")
	provider := func(code, name string, items ...string) *credit.Provider {
		p := &credit.Provider{Code: code, Name: name, Items: items}
		if err := f.store.CreateProvider(ctx, p, []byte("key-"+code)); err != nil {
			t.Fatal(err)
		}
		return p
	}
	scjg := f.provider
	sw := provider("420100-SW", "武汉市税务局", "admin_penalty")
	jtys := provider("420100-JTYS", "武汉市交通运输局", "admin_licensing")
	zj := provider("420100-ZJ", "武汉市住房和城乡建设局", "admin_penalty")
	// submit stores one record of it from p at the instant at; edit, when
	// not nil, changes the prepared draft.
	submit := func(at time.Time, p *credit.Provider, it *catalog.Item, rec map[string]any, edit func(d *credit.Draft)) int64 {
		t.Helper()
		f.now = at
		f.requests++
		d, errs, _ := f.prep.Prepare(it, 0, rec, f.now)
		if len(errs) > 0 {
			t.Fatalf("record invalid: %+v", errs)
		}
		if edit != nil {
			edit(d)
		}
		out, err := f.store.Submit(ctx, &credit.Submission{Provider: p, Item: it.Code, CatalogVersion: it.Version,
			RequestID: fmt.Sprintf("stats-%d", f.requests), Drafts: []*credit.Draft{d}})
		if err != nil {
			t.Fatal(err)
		}
		if out[0].Status != credit.StatusCreated && out[0].Status != credit.StatusUpdated {
			t.Fatalf("outcome = %+v", out[0])
		}
		return out[0].RecordID
	}
	utc := func(s string) time.Time {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			panic(err)
		}
		return t
	}
	const (
		org1 = "91110000600037341L"
		org2 = "9144030071526726XG"
		org3 = "91310115MA1K3BTP2B"
		org4 = "91350100M000100Y43"
	)
	pen := func(key, uscc, decided string, kv ...string) map[string]any {
		return catalogtest.Penalty(append([]string{"cf_wsh", key, "xdr_shxym", uscc, "cf_jdrq", decided}, kv...)...)
	}
	noDeadline := func(d *credit.Draft) { d.SubmissionDeadline, d.DeadlineEstimated = nil, false }

	// 2026-05-31T16:30Z is 2026-06-01 00:30 in China: June. Due 2026-06-03:
	// on time; changed later, it still counts once, in June, on time.
	a1 := submit(utc("2026-05-31T16:30:00Z"), scjg, f.penalty, pen("a1", org1, "2026-05-25"), nil)
	submit(utc("2026-06-12T02:00:00Z"), scjg, f.penalty, pen("a1", org1, "2026-05-25", "cf_nr_fk", "6"), nil)
	// 2026-05-31T15:30Z is 23:30 on 31 May in China: May. Late.
	submit(utc("2026-05-31T15:30:00Z"), scjg, f.penalty, pen("a2", org2, "2026-05-01"), nil)
	// Without a deadline: counted, neither with a deadline nor on time.
	submit(utc("2026-06-10T02:00:00Z"), scjg, f.penalty, pen("a3", org1, "2026-06-08"), noDeadline)
	// Late, and its publication ended (general: a year from 2025-03-01).
	submit(utc("2026-04-10T02:00:00Z"), scjg, f.penalty, pen("a4", org3, "2025-03-01"), nil)
	// Decided and submitted after the day: collected in June, not yet public.
	submit(utc("2026-06-20T02:00:00Z"), scjg, f.penalty, pen("a5", org1, "2026-06-20"), nil)
	// A natural person: collected, on time, never public, not a subject counted.
	submit(utc("2026-06-02T02:00:00Z"), scjg, f.penalty, catalogtest.Penalty("xdr_lb", "自然人", "xdr_shxym", "", "fddbr", "", "xdr_mc", "王五",
		"zjlx", "身份证", "zjhm", "110105195001010039", "cf_wsh", "a6", "cf_jdrq", "2026-06-01"), nil)
	// 2026-06-30T16:30Z is 1 July in China: after the window.
	submit(utc("2026-06-30T16:30:00Z"), scjg, f.penalty, pen("a7", org2, "2026-06-30"), nil)
	// 2025-06-30T16:30Z is 1 July 2025 in China: the window's first month.
	// On time; public until June 2026.
	submit(utc("2025-06-30T16:30:00Z"), sw, f.penalty, pen("b1", org4, "2025-06-25"), nil)
	// A licence, on time, public.
	submit(utc("2026-03-03T02:00:00Z"), jtys, licensing, catalogtest.Licence("xk_wsh", "c1", "xdr_shxym", org2, "xk_jdrq", "2026-03-02", "xk_yxqz", "2026-03-02"), nil)
	// 2025-06-30T15:30Z is 23:30 on 30 June 2025 in China: before the
	// window, so its provider is left out; still public on the day.
	submit(utc("2025-06-30T15:30:00Z"), zj, f.penalty, pen("d1", org4, "2025-06-20"), nil)

	if r, err := f.store.Record(ctx, a1); err != nil || r.Current.Version != 2 || r.Current.OnTime == nil || !*r.Current.OnTime {
		t.Fatalf("a1 = %+v, %v; want version 2 on time", r, err)
	}

	month := func(key string, n, deadline, onTime int) credit.PeriodCount {
		return credit.PeriodCount{Key: key, Records: n, WithDeadline: deadline, OnTime: onTime}
	}
	want := &credit.Stats{
		Day:      day,
		Subjects: 4,
		// a1, a2, a3, b1, d1; the licence.
		PublicByItem: map[string]int{"admin_penalty": 5, "admin_licensing": 1},
		// Published from 2026-05-17 to 2026-06-15: a1 (05-25), a3 (06-08).
		PublishedLast30: 2,
		ByMonth: []credit.PeriodCount{
			month("2025-07", 1, 1, 1), month("2025-08", 0, 0, 0), month("2025-09", 0, 0, 0), month("2025-10", 0, 0, 0),
			month("2025-11", 0, 0, 0), month("2025-12", 0, 0, 0), month("2026-01", 0, 0, 0), month("2026-02", 0, 0, 0),
			month("2026-03", 1, 1, 1), month("2026-04", 1, 1, 0), month("2026-05", 1, 1, 0), month("2026-06", 4, 3, 3),
		},
		ByProvider: []credit.PeriodCount{
			{Key: "420000-SCJG", Name: "湖北省市场监督管理局", Records: 6, WithDeadline: 5, OnTime: 3},
			// One each: by code.
			{Key: "420100-JTYS", Name: "武汉市交通运输局", Records: 1, WithDeadline: 1, OnTime: 1},
			{Key: "420100-SW", Name: "武汉市税务局", Records: 1, WithDeadline: 1, OnTime: 1},
		},
	}
	tests := []struct {
		name string
		day  time.Time
	}{
		{"OK", day},
		// 16:30 UTC on 14 June is 00:30 on 15 June in China.
		{"OKInstant", utc("2026-06-14T16:30:00Z")},
		{"OKLateInDay", day.Add(23*time.Hour + 59*time.Minute)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := f.store.Stats(ctx, tt.day)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Day.Equal(want.Day) || got.Day.Location() != workday.CST {
				t.Errorf("Day = %v, want %v in CST", got.Day, want.Day)
			}
			got.Day = want.Day
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Stats(%v):\n got  %+v\n want %+v", tt.day, got, want)
			}
		})
	}
	t.Run("OKMonthBoundary", func(t *testing.T) {
		// On 31 May the window runs from June 2025 to May 2026: d1 is in,
		// the June records are not.
		got, err := f.store.Stats(ctx, workday.Date(2026, 5, 31))
		if err != nil {
			t.Fatal(err)
		}
		if got.ByMonth[0] != month("2025-06", 1, 1, 1) || got.ByMonth[1] != month("2025-07", 1, 1, 1) || got.ByMonth[11] != month("2026-05", 1, 1, 0) {
			t.Errorf("ByMonth on 31 May = %+v", got.ByMonth)
		}
		var codes []string
		for _, p := range got.ByProvider {
			codes = append(codes, p.Key)
		}
		if want := []string{"420000-SCJG", "420100-JTYS", "420100-SW", "420100-ZJ"}; !equal(codes, want) || got.ByProvider[0].Records != 2 {
			t.Errorf("ByProvider on 31 May = %+v, want %v", got.ByProvider, want)
		}
	})
}
