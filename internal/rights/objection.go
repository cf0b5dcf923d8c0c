// Package rights holds the subjects' rights as state machines and
// working-day deadlines: objections to a record (异议) and credit repair
// (信用修复). Everything here is a pure function of a case, a step and the
// working-day calendar: time is given, never read, so that every deadline
// can be tested on any day, the Spring Festival and National Day included.
//
// It imports the domain (credit), the disclosure rules and the calendar;
// no storage and no HTTP.
package rights

import (
	"fmt"
	"time"

	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/workday"
)

// Grounds of an objection.
const (
	GroundError      = "error"       // the record is wrong
	GroundOmission   = "omission"    // the record leaves something out
	GroundPastPeriod = "past_period" // published past its period
	GroundListing    = "listing"     // wrongly listed, or not removed from a list
)

// Grounds lists the grounds with their names.
var Grounds = []struct{ Code, ZH, EN string }{
	{GroundError, "信息错误", "the information is wrong"},
	{GroundOmission, "信息遗漏", "the information leaves something out"},
	{GroundPastPeriod, "超期公示", "published past its period"},
	{GroundListing, "错误列入或未按期移出名单", "wrongly listed, or not removed from a list"},
}

// States of an objection.
const (
	ObjFiled     = "filed"     // waiting for the credit center to accept or return it
	ObjReturned  = "returned"  // returned as incomplete; final
	ObjAccepted  = "accepted"  // accepted: the record is under objection; the center decides or forwards
	ObjForwarded = "forwarded" // with the provider, who answers
	ObjDecided   = "decided"   // decided; final
)

// Outcomes of a decided objection.
const (
	OutcomeCorrect    = "correct"         // the record is corrected: a new version
	OutcomeDelete     = "delete"          // the record is deleted: withdrawn from every view
	OutcomeSupplement = "supplement"      // the record is supplemented: a new version
	OutcomeStop       = "stop_disclosure" // publication stops; the record stays in the file
	OutcomeMaintain   = "maintain"        // the record stands, with reasons
)

// Outcomes lists the outcomes with their names.
var Outcomes = []struct{ Code, ZH, EN string }{
	{OutcomeCorrect, "更正", "corrected"},
	{OutcomeDelete, "删除", "deleted"},
	{OutcomeSupplement, "补充", "supplemented"},
	{OutcomeStop, "停止公示", "publication stopped"},
	{OutcomeMaintain, "维持", "maintained"},
}

// Steps of an objection case.
const (
	StepFile    = "file"    // the applicant files it (the first step, stored by the store)
	StepAccept  = "accept"  // staff: filed → accepted
	StepReturn  = "return"  // staff: filed → returned, with reasons
	StepForward = "forward" // staff: accepted → forwarded to the provider
	StepDecide  = "decide"  // staff: accepted or forwarded → decided
	StepAnswer  = "answer"  // the provider: forwarded → decided
	StepExtend  = "extend"  // staff: more working days, with a reason
	StepPause   = "pause"   // staff: stop the clock for expert review or testing
	StepResume  = "resume"  // staff: start the clock again
)

// Time limits of objections, in working days (the regulation's defaults).
const (
	AcceptDays   = 1  // to accept or return a filed objection
	ForwardDays  = 2  // to forward an accepted one to the provider
	DecideDays   = 5  // for the credit center to decide an accepted one
	AnswerDays   = 5  // for the provider to answer a forwarded one
	MaxExtension = 20 // working days of extensions in all
)

// Objection is the state of an objection case: what its deadlines are
// computed from. Times are instants; deadlines are China dates.
type Objection struct {
	State       string
	FiledAt     time.Time
	AcceptedAt  time.Time
	ForwardedAt time.Time
	DecidedAt   time.Time
	// Extended is the working days of extensions granted.
	Extended int
	// PausedSince is when the clock was stopped; zero when it runs.
	PausedSince time.Time
	// Paused is the working days the clock stood still in pauses that
	// have ended.
	Paused  int
	Outcome string
}

// Step is one action on a case: who did what, when and why.
type Step struct {
	Kind    string
	At      time.Time
	Actor   string
	Reason  string
	Days    int    // StepExtend: working days added
	Outcome string // StepDecide, StepAnswer
}

// Final reports whether the case is over.
func (o Objection) Final() bool { return o.State == ObjReturned || o.State == ObjDecided }

// UnderObjection reports whether the record of a case in this state is
// marked "under objection".
func (o Objection) UnderObjection() bool {
	return o.State == ObjAccepted || o.State == ObjForwarded
}

// Apply returns the case after step s, or an EINVALID error saying why the
// step is not possible now. It checks only the case: who may take the step
// is the caller's business.
func Apply(cal *workday.Calendar, o Objection, s Step) (Objection, error) {
	need := func(states ...string) error {
		for _, st := range states {
			if o.State == st {
				return nil
			}
		}
		return invalid(fmt.Sprintf("异议处于“%s”状态，不能%s", StateName(false, o.State), StepName(false, s.Kind)),
			fmt.Sprintf("the objection is %s: it cannot be %s now", StateName(true, o.State), StepName(true, s.Kind)))
	}
	reason := func() error {
		if s.Reason == "" {
			return credit.Errorf(credit.EINVALID, "请说明理由", "give the reason")
		}
		return nil
	}
	var err error
	switch s.Kind {
	case StepAccept:
		if err = need(ObjFiled); err == nil {
			o.State, o.AcceptedAt = ObjAccepted, s.At
		}
	case StepReturn:
		if err = need(ObjFiled); err == nil {
			if err = reason(); err == nil {
				o.State, o.DecidedAt = ObjReturned, s.At
			}
		}
	case StepForward:
		if err = need(ObjAccepted); err == nil {
			o.State, o.ForwardedAt = ObjForwarded, s.At
		}
	case StepDecide, StepAnswer:
		if s.Kind == StepAnswer {
			err = need(ObjForwarded)
		} else {
			err = need(ObjAccepted, ObjForwarded)
		}
		if err == nil && !validOutcome(s.Outcome) {
			err = credit.Errorf(credit.EINVALID, "处理结果应为更正、删除、补充、停止公示或维持之一", "the outcome must be one of correct, delete, supplement, stop_disclosure, maintain")
		}
		if err == nil {
			err = reason()
		}
		if err == nil {
			o = o.resume(cal, s.At)
			o.State, o.DecidedAt, o.Outcome = ObjDecided, s.At, s.Outcome
		}
	case StepExtend:
		if err = need(ObjAccepted, ObjForwarded); err == nil {
			err = reason()
		}
		if err == nil && (s.Days < 1 || o.Extended+s.Days > MaxExtension) {
			err = credit.Errorf(credit.EINVALID, "延期合计不得超过 %d 个工作日（已延期 %d 个）", "extensions may add up to %d working days in all (%d granted so far)",
				MaxExtension, o.Extended)
		}
		if err == nil {
			o.Extended += s.Days
		}
	case StepPause:
		if err = need(ObjAccepted, ObjForwarded); err == nil {
			err = reason()
		}
		if err == nil && !o.PausedSince.IsZero() {
			err = credit.Errorf(credit.EINVALID, "计时已暂停", "the clock is already stopped")
		}
		if err == nil {
			o.PausedSince = s.At
		}
	case StepResume:
		if err = need(ObjAccepted, ObjForwarded); err == nil && o.PausedSince.IsZero() {
			err = credit.Errorf(credit.EINVALID, "计时没有暂停", "the clock is not stopped")
		}
		if err == nil {
			o = o.resume(cal, s.At)
		}
	default:
		err = credit.Errorf(credit.EINVALID, "未知的操作“%s”", "unknown step %q", s.Kind)
	}
	return o, err
}

// resume ends a pause at t, counting the working days it lasted.
func (o Objection) resume(cal *workday.Calendar, t time.Time) Objection {
	if o.PausedSince.IsZero() {
		return o
	}
	n, _ := cal.WorkingDaysBetween(o.PausedSince.In(workday.CST), t.In(workday.CST))
	o.Paused += n
	o.PausedSince = time.Time{}
	return o
}

// invalid is an EINVALID error with messages formatted apart.
func invalid(zh, en string) error {
	return &credit.Error{Code: credit.EINVALID, MessageZH: zh, MessageEN: en}
}

func validOutcome(s string) bool {
	for _, o := range Outcomes {
		if o.Code == s {
			return true
		}
	}
	return false
}

// Deadline is what a case waits for and the last day for it.
type Deadline struct {
	// Party is who must act: "center" or "provider"; "" when the case is
	// over.
	Party string
	// What is the step awaited: StepAccept (accept or return), StepDecide
	// (decide, or forward by ForwardBy), StepAnswer.
	What string
	// By is the last day (a China date, midnight CST) to act.
	By time.Time
	// ForwardBy is the last day to forward an accepted case.
	ForwardBy time.Time
	// Paused is true while the clock stands still: By is where it stood.
	Paused bool
	// Estimated is true when a day counted lies in a year the calendar
	// does not know.
	Estimated bool
}

// Deadline returns what o waits for and by when; ok is false for a case
// that is over.
func (o Objection) Deadline(cal *workday.Calendar) (d Deadline, ok bool) {
	add := func(from time.Time, n int) time.Time {
		r := cal.AddWorkingDays(from.In(workday.CST), n)
		d.Estimated = d.Estimated || r.Estimated
		return r.Date
	}
	switch o.State {
	case ObjFiled:
		d.Party, d.What, d.By = "center", StepAccept, add(o.FiledAt, AcceptDays)
	case ObjAccepted:
		d.Party, d.What = "center", StepDecide
		d.By = add(o.AcceptedAt, DecideDays+o.Extended+o.Paused)
		d.ForwardBy = add(o.AcceptedAt, ForwardDays)
	case ObjForwarded:
		d.Party, d.What, d.By = "provider", StepAnswer, add(o.ForwardedAt, AnswerDays+o.Extended+o.Paused)
	default:
		return Deadline{}, false
	}
	d.Paused = !o.PausedSince.IsZero()
	return d, true
}

// Overdue reports whether a deadline has passed at now: the day after By
// has begun in China. A paused clock is never overdue.
func (d Deadline) Overdue(now time.Time) bool {
	return !d.Paused && !d.By.IsZero() && now.In(workday.CST).Format(time.DateOnly) > d.By.Format(time.DateOnly)
}

// DueToday reports whether now is the last day.
func (d Deadline) DueToday(now time.Time) bool {
	return !d.Paused && now.In(workday.CST).Format(time.DateOnly) == d.By.Format(time.DateOnly)
}

// StateName names a state of an objection.
func StateName(en bool, s string) string {
	names := map[string][2]string{
		ObjFiled:     {"待受理", "filed, awaiting acceptance"},
		ObjReturned:  {"已退回", "returned as incomplete"},
		ObjAccepted:  {"已受理，核查中", "accepted, under review"},
		ObjForwarded: {"已转信息提供单位核查", "forwarded to the provider"},
		ObjDecided:   {"已办结", "decided"},
	}
	n, ok := names[s]
	if !ok {
		return s
	}
	if en {
		return n[1]
	}
	return n[0]
}

// StepName names a step.
func StepName(en bool, s string) string {
	names := map[string][2]string{
		StepFile: {"提交异议申请", "objection filed"}, StepApply: {"提交修复申请", "application made"},
		StepApprove: {"准予修复", "approved"}, StepRefuse: {"不予修复", "refused"},
		StepAccept: {"受理", "accepted"}, StepReturn: {"退回", "returned"}, StepForward: {"转信息提供单位核查", "forwarded to the provider"},
		StepDecide: {"办结", "decided"}, StepAnswer: {"答复", "answered"}, StepExtend: {"延期", "extended"},
		StepPause: {"暂停计时", "paused"}, StepResume: {"恢复计时", "resumed"},
	}
	n, ok := names[s]
	if !ok {
		return s
	}
	if en {
		return n[1]
	}
	return n[0]
}

// OutcomeName names an outcome.
func OutcomeName(en bool, s string) string {
	for _, o := range Outcomes {
		if o.Code == s {
			if en {
				return o.EN
			}
			return o.ZH
		}
	}
	return s
}

// GroundName names a ground.
func GroundName(en bool, s string) string {
	for _, g := range Grounds {
		if g.Code == s {
			if en {
				return g.EN
			}
			return g.ZH
		}
	}
	return s
}
