package rights_test

import (
	"strings"
	"testing"
	"time"

	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/disclose"
	"github.com/xinyong/xinyong/internal/rights"
	"github.com/xinyong/xinyong/internal/workday"
)

var cal = workday.Default()

// at is a time in China.
func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, workday.CST)
	if err != nil {
		panic(err)
	}
	return t
}

func day(t time.Time) string { return t.Format(time.DateOnly) }

// run applies steps in order to a case filed at filed and fails on any
// refusal.
func run(t *testing.T, filed string, steps ...rights.Step) rights.Objection {
	t.Helper()
	o := rights.Objection{State: rights.ObjFiled, FiledAt: at(filed)}
	for _, s := range steps {
		if s.At.IsZero() {
			s.At = o.FiledAt.Add(time.Hour)
		}
		var err error
		if o, err = rights.Apply(cal, o, s); err != nil {
			t.Fatalf("step %s at %s: %v", s.Kind, s.At, err)
		}
	}
	return o
}

func TestObjectionDeadlines(t *testing.T) {
	for _, tc := range []struct {
		name      string
		filed     string
		steps     []rights.Step
		party     string
		by        string
		forwardBy string
		paused    bool
	}{
		{"OK accept by the next working day", "2026-03-02 09:00", nil, "center", "2026-03-03", "", false},
		{"OK accept over a weekend", "2026-03-06 17:30", nil, "center", "2026-03-09", "", false},
		// 2026-02-14 is a Saturday worked for the Spring Festival (15–23 off).
		{"OK accept on the Spring Festival working Saturday", "2026-02-13 16:00", nil, "center", "2026-02-14", "", false},
		{"OK accept after the Spring Festival", "2026-02-14 10:00", nil, "center", "2026-02-24", "", false},
		{"OK decide across the Spring Festival", "2026-02-12 10:00",
			[]rights.Step{{Kind: rights.StepAccept, At: at("2026-02-13 09:00")}}, "center", "2026-02-27", "2026-02-24", false},
		// National Day: 1–7 October off, 10 October (Saturday) worked.
		{"OK decide across National Day", "2026-09-29 10:00",
			[]rights.Step{{Kind: rights.StepAccept, At: at("2026-09-30 09:00")}}, "center", "2026-10-13", "2026-10-09", false},
		{"OK provider answers across Mid-Autumn and National Day", "2026-09-22 10:00",
			[]rights.Step{{Kind: rights.StepAccept, At: at("2026-09-23 09:00")}, {Kind: rights.StepForward, At: at("2026-09-24 11:00")}},
			"provider", "2026-10-09", "", false},
		// 2026-02-28 is a Saturday worked for the Spring Festival too.
		{"OK extended by 3", "2026-02-12 10:00",
			[]rights.Step{{Kind: rights.StepAccept, At: at("2026-02-13 09:00")}, {Kind: rights.StepExtend, At: at("2026-02-20 09:00"), Days: 3, Reason: "需调取原始卷宗"}},
			"center", "2026-03-03", "2026-02-24", false},
		{"OK paused for expert review", "2026-03-02 08:00",
			[]rights.Step{{Kind: rights.StepAccept, At: at("2026-03-02 09:00")}, {Kind: rights.StepPause, At: at("2026-03-03 10:00"), Reason: "送检"},
				{Kind: rights.StepResume, At: at("2026-03-06 15:00")}},
			"center", "2026-03-12", "2026-03-04", false},
		{"OK paused now", "2026-03-02 08:00",
			[]rights.Step{{Kind: rights.StepAccept, At: at("2026-03-02 09:00")}, {Kind: rights.StepPause, At: at("2026-03-03 10:00"), Reason: "专家评审"}},
			"center", "2026-03-09", "2026-03-04", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := run(t, tc.filed, tc.steps...)
			d, ok := o.Deadline(cal)
			if !ok {
				t.Fatalf("no deadline for %+v", o)
			}
			if d.Party != tc.party || day(d.By) != tc.by || d.Paused != tc.paused || d.Estimated {
				t.Errorf("deadline %s by %s paused %v estimated %v, want %s by %s paused %v", d.Party, day(d.By), d.Paused, d.Estimated, tc.party, tc.by, tc.paused)
			}
			if tc.forwardBy != "" && day(d.ForwardBy) != tc.forwardBy {
				t.Errorf("forward by %s, want %s", day(d.ForwardBy), tc.forwardBy)
			}
		})
	}
}

func TestObjectionSteps(t *testing.T) {
	accepted := []rights.Step{{Kind: rights.StepAccept, At: at("2026-03-02 09:00")}}
	for _, tc := range []struct {
		name  string
		steps []rights.Step
		step  rights.Step
		state string
		err   string // part of the English message; "" for none
	}{
		{"OK accept", nil, rights.Step{Kind: rights.StepAccept}, rights.ObjAccepted, ""},
		{"OK return", nil, rights.Step{Kind: rights.StepReturn, Reason: "缺少证明材料"}, rights.ObjReturned, ""},
		{"OK decide", accepted, rights.Step{Kind: rights.StepDecide, Outcome: rights.OutcomeCorrect, Reason: "决定书文号录入错误"}, rights.ObjDecided, ""},
		{"OK staff decide a forwarded case", append(accepted[:1:1], rights.Step{Kind: rights.StepForward}), rights.Step{Kind: rights.StepDecide, Outcome: rights.OutcomeMaintain, Reason: "经核实无误"}, rights.ObjDecided, ""},
		{"OK decide while paused", append(accepted[:1:1], rights.Step{Kind: rights.StepPause, Reason: "送检"}), rights.Step{Kind: rights.StepDecide, Outcome: rights.OutcomeStop, Reason: "已超期"}, rights.ObjDecided, ""},
		{"ErrReturn without reasons", nil, rights.Step{Kind: rights.StepReturn}, rights.ObjFiled, "give the reason"},
		{"ErrDecide a filed case", nil, rights.Step{Kind: rights.StepDecide, Outcome: rights.OutcomeDelete, Reason: "x"}, rights.ObjFiled, "cannot be decided now"},
		{"ErrAnswer a case not forwarded", accepted, rights.Step{Kind: rights.StepAnswer, Outcome: rights.OutcomeDelete, Reason: "x"}, rights.ObjAccepted, "cannot be answered now"},
		{"ErrAccept twice", accepted, rights.Step{Kind: rights.StepAccept}, rights.ObjAccepted, "cannot be accepted now"},
		{"ErrOutcome", accepted, rights.Step{Kind: rights.StepDecide, Outcome: "erase", Reason: "x"}, rights.ObjAccepted, "the outcome must be"},
		{"ErrDecide without reasons", accepted, rights.Step{Kind: rights.StepDecide, Outcome: rights.OutcomeMaintain}, rights.ObjAccepted, "give the reason"},
		{"ErrExtend beyond 20", append(accepted[:1:1], rights.Step{Kind: rights.StepExtend, Days: 15, Reason: "a"}), rights.Step{Kind: rights.StepExtend, Days: 6, Reason: "b"}, rights.ObjAccepted, "up to 20 working days"},
		{"ErrExtend without reason", accepted, rights.Step{Kind: rights.StepExtend, Days: 2}, rights.ObjAccepted, "give the reason"},
		{"ErrPause twice", append(accepted[:1:1], rights.Step{Kind: rights.StepPause, Reason: "a"}), rights.Step{Kind: rights.StepPause, Reason: "b"}, rights.ObjAccepted, "already stopped"},
		{"ErrResume not paused", accepted, rights.Step{Kind: rights.StepResume}, rights.ObjAccepted, "not stopped"},
		{"ErrUnknown step", nil, rights.Step{Kind: "erase"}, rights.ObjFiled, "unknown step"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := run(t, "2026-03-02 08:00", tc.steps...)
			tc.step.At = at("2026-03-03 10:00")
			got, err := rights.Apply(cal, o, tc.step)
			if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
				t.Fatalf("err = %v, want %q", err, tc.err)
			}
			if err != nil {
				if credit.ErrorCode(err) != credit.EINVALID {
					t.Errorf("code %s, want invalid", credit.ErrorCode(err))
				}
				zh, _ := credit.ErrorMessages(err)
				if zh == "" || strings.Contains(zh, "%!") {
					t.Errorf("Chinese message %q", zh)
				}
				got = o
			}
			if got.State != tc.state {
				t.Errorf("state %s, want %s", got.State, tc.state)
			}
			if got.UnderObjection() != (got.State == rights.ObjAccepted || got.State == rights.ObjForwarded) {
				t.Errorf("UnderObjection %v in state %s", got.UnderObjection(), got.State)
			}
		})
	}
}

func TestOverdue(t *testing.T) {
	o := run(t, "2026-09-29 10:00", rights.Step{Kind: rights.StepAccept, At: at("2026-09-30 09:00")})
	d, _ := o.Deadline(cal) // by 2026-10-13
	for _, tc := range []struct {
		now               string
		dueToday, overdue bool
	}{
		{"2026-10-12 23:59", false, false},
		{"2026-10-13 00:00", true, false},
		{"2026-10-13 23:59", true, false},
		{"2026-10-14 00:00", false, true},
	} {
		if d.DueToday(at(tc.now)) != tc.dueToday || d.Overdue(at(tc.now)) != tc.overdue {
			t.Errorf("at %s: due today %v overdue %v, want %v %v", tc.now, d.DueToday(at(tc.now)), d.Overdue(at(tc.now)), tc.dueToday, tc.overdue)
		}
	}
	if _, ok := run(t, "2026-09-29 10:00", rights.Step{Kind: rights.StepReturn, At: at("2026-09-29 11:00"), Reason: "x"}).Deadline(cal); ok {
		t.Error("a returned case has a deadline")
	}
}

func TestRepair(t *testing.T) {
	applied := rights.Repair{State: rights.RepairApplied, AppliedAt: at("2026-09-29 10:00")}
	by, _, ok := applied.Deadline(cal)
	if !ok || day(by) != "2026-10-09" { // 30 Sept, 8 Oct, 9 Oct
		t.Errorf("decide by %s, want 2026-10-09", day(by))
	}
	ext, err := rights.ApplyRepair(applied, rights.Step{Kind: rights.StepExtend, Reason: "需核实履行情况"})
	if err != nil {
		t.Fatal(err)
	}
	if by, _, _ := ext.Deadline(cal); day(by) != "2026-10-13" { // + 10, 12, 13 October
		t.Errorf("extended: decide by %s, want 2026-10-13", day(by))
	}
	if _, err := rights.ApplyRepair(ext, rights.Step{Kind: rights.StepExtend, Reason: "again"}); err == nil {
		t.Error("a second extension was allowed")
	}
	if _, err := rights.ApplyRepair(applied, rights.Step{Kind: rights.StepRefuse}); err == nil {
		t.Error("a refusal without reasons was allowed")
	}
	ok2, err := rights.ApplyRepair(applied, rights.Step{Kind: rights.StepApprove, At: at("2026-09-30 09:00")})
	if err != nil || ok2.State != rights.RepairApproved {
		t.Fatalf("approve: %v %v", ok2.State, err)
	}
	if _, err := rights.ApplyRepair(ok2, rights.Step{Kind: rights.StepRefuse, Reason: "x"}); err == nil {
		t.Error("a decided application was decided again")
	}
}

func TestRepairEligibility(t *testing.T) {
	d := func(s string) *time.Time { v := at(s + " 00:00"); return &v }
	general := disclose.Window{Public: true, From: d("2026-03-05"), Until: d("2027-03-04"), MinUntil: d("2026-06-04")}
	for _, tc := range []struct {
		name   string
		w      disclose.Window
		listed bool
		on     string
		err    string
	}{
		{"OK after the minimum", general, false, "2026-06-05 09:00", ""},
		{"ErrBefore the minimum", general, false, "2026-06-04 18:00", "applications are taken from 2026-06-05"},
		{"ErrNo early end", disclose.Window{Public: true, From: d("2026-03-05"), Until: d("2029-03-04"), NoEarlyEnd: true}, false, "2027-01-01 09:00", "can never end publication early"},
		{"ErrListed", general, true, "2026-07-01 09:00", "serious-dishonesty list"},
		{"ErrWithout end", disclose.Window{Public: true, From: d("2026-03-05")}, false, "2027-01-01 09:00", "without end"},
		{"OK minor, no minimum", disclose.Window{Public: true, From: d("2026-03-05"), Until: d("2026-06-04")}, false, "2026-03-05 10:00", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := rights.RepairEligibility(tc.w, tc.listed).CheckApplication(at(tc.on))
			if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
				t.Errorf("err = %v, want %q", err, tc.err)
			}
		})
	}
}
