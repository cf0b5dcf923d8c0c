package rights

import (
	"time"

	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/disclose"
	"github.com/xinyong/xinyong/internal/workday"
)

// States of a repair application.
const (
	RepairApplied  = "applied"  // waiting for the deciding department
	RepairApproved = "approved" // publication stopped; final
	RepairRefused  = "refused"  // refused with reasons; final
)

// Time limits of repair, in working days.
const (
	RepairDays      = 3 // for the department that made the finding to decide
	RepairExtension = 3 // one extension, with a reason
)

// Repair is the state of a repair application.
type Repair struct {
	State     string
	AppliedAt time.Time
	Extended  bool
	DecidedAt time.Time
}

// Repair steps.
const (
	StepApply   = "apply" // the applicant applies (the first step, stored by the store)
	StepApprove = "approve"
	StepRefuse  = "refuse"
)

// ApplyRepair returns the application after step s (StepApprove,
// StepRefuse with reasons, StepExtend once with a reason), or an EINVALID
// error saying why not.
func ApplyRepair(r Repair, s Step) (Repair, error) {
	if r.State != RepairApplied {
		return r, credit.Errorf(credit.EINVALID, "修复申请已办结，不能再处理", "the repair application has been decided already")
	}
	switch s.Kind {
	case StepApprove:
		r.State, r.DecidedAt = RepairApproved, s.At
	case StepRefuse:
		if s.Reason == "" {
			return r, credit.Errorf(credit.EINVALID, "不予修复须说明理由", "give the reasons for refusing")
		}
		r.State, r.DecidedAt = RepairRefused, s.At
	case StepExtend:
		if r.Extended {
			return r, credit.Errorf(credit.EINVALID, "修复申请只能延期一次", "a repair application can be extended once")
		}
		if s.Reason == "" {
			return r, credit.Errorf(credit.EINVALID, "请说明延期理由", "give the reason for the extension")
		}
		r.Extended = true
	default:
		return r, credit.Errorf(credit.EINVALID, "未知的操作“%s”", "unknown step %q", s.Kind)
	}
	return r, nil
}

// Deadline returns the last day to decide an application still open.
func (r Repair) Deadline(cal *workday.Calendar) (by time.Time, estimated, ok bool) {
	if r.State != RepairApplied {
		return time.Time{}, false, false
	}
	n := RepairDays
	if r.Extended {
		n += RepairExtension
	}
	res := cal.AddWorkingDays(r.AppliedAt.In(workday.CST), n)
	return res.Date, res.Estimated, true
}

// Eligibility says whether, and from when, a record may be repaired.
type Eligibility struct {
	// Possible is false when the record can never be repaired early.
	Possible bool
	// From is the first day an application is taken (a China date).
	From time.Time
	// Why explains a record that cannot be repaired, in both languages.
	WhyZH, WhyEN string
}

// RepairEligibility tells whether a negative record with publication
// window w can be repaired, and from which day: the day after its minimum
// period; never for penalties that cannot end early, for records not
// published with an end, or while the subject is on a serious-dishonesty
// list (listed).
func RepairEligibility(w disclose.Window, listed bool) Eligibility {
	switch {
	case !w.Public || w.From == nil:
		return Eligibility{WhyZH: "该信息不公示，无需修复", WhyEN: "the record is not published: there is nothing to repair"}
	case w.NoEarlyEnd:
		return Eligibility{WhyZH: "吊销许可证件、责令停产停业、责令关闭、限制从业等处罚不得提前结束公示",
			WhyEN: "penalties such as licence revocation, closure or an occupational ban can never end publication early"}
	case listed:
		return Eligibility{WhyZH: "主体被列入严重失信主体名单期间不予修复", WhyEN: "no repair while the subject is on a serious-dishonesty list"}
	case w.Until == nil:
		return Eligibility{WhyZH: "该信息长期公示，不适用信用修复", WhyEN: "the record is published without end: repair does not apply"}
	}
	from := *w.From
	if w.MinUntil != nil {
		from = w.MinUntil.AddDate(0, 0, 1)
	}
	return Eligibility{Possible: true, From: from}
}

// CheckApplication refuses an application made on day for a record with
// eligibility e, saying why.
func (e Eligibility) CheckApplication(day time.Time) error {
	if !e.Possible {
		return invalid("该记录不能申请信用修复："+e.WhyZH, "this record cannot be repaired: "+e.WhyEN)
	}
	if day.In(workday.CST).Format(time.DateOnly) < e.From.Format(time.DateOnly) {
		d := e.From.Format(time.DateOnly)
		return invalid("最短公示期尚未届满，"+d+" 起可以申请信用修复", "the minimum publication period has not passed: applications are taken from "+d)
	}
	return nil
}
