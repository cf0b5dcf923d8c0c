// Package disclose decides who may see what of a record and until when:
// the severity of negative records, their publication window, and the fields
// the public may see.
//
// It is pure: functions of the catalogue item, the record's values and dates.
// It imports the catalogue and no storage or HTTP.
package disclose

import (
	"strconv"
	"strings"
	"time"

	"github.com/xinyong/xinyong/internal/catalog"
	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/workday"
)

// Window is when a record may be shown on the portal. Until is the last day
// shown (inclusive); nil means without end. Public is false when the record
// may never be shown publicly.
type Window struct {
	Public   bool
	From     *time.Time
	Until    *time.Time
	Severity string
	// NoEarlyEnd is true for penalties (revocation, closure, occupational
	// bans) whose publication can never end early through credit repair.
	NoEarlyEnd bool
	// MinUntil is the end of the minimum period: the first day repair is
	// possible is the day after it. Nil when there is no minimum.
	MinUntil *time.Time
}

// Severity classifies a negative record under the item's severity rule:
// any serious category or the provider's serious flag makes it serious;
// categories all among the minor ones (and any fine below the small-fine
// threshold) make it minor; anything else is general. Items without a rule
// return "".
func Severity(it *catalog.Item, vals map[string]string) (severity string, noEarlyEnd bool) {
	r := it.Disclosure.Severity
	if r == nil {
		return "", false
	}
	cats := splitMulti(vals[r.Field])
	for _, c := range cats {
		if contains(r.NoEarlyEndAny, c) {
			noEarlyEnd = true
		}
	}
	for _, c := range cats {
		if contains(r.SeriousAny, c) {
			return catalog.SeveritySerious, noEarlyEnd
		}
	}
	if r.SeriousFlag != nil && it.Holds(r.SeriousFlag, vals) {
		return catalog.SeveritySerious, noEarlyEnd
	}
	minor := len(cats) > 0
	for _, c := range cats {
		if !contains(r.MinorOnly, c) {
			minor = false
		}
	}
	if minor && r.SmallFine != nil {
		if s, ok := vals[r.SmallFine.Field]; ok {
			amount, err := strconv.ParseFloat(s, 64)
			if err != nil || amount >= r.SmallFine.Below {
				minor = false
			}
		}
	}
	if minor {
		return catalog.SeverityMinor, noEarlyEnd
	}
	return catalog.SeverityGeneral, noEarlyEnd
}

// Compute returns the publication window of a record with canonical values
// vals about a subject of type subjectType. Natural persons are never
// published. A provider-stated end (the item's end field) may shorten the
// window to no less than the period's minimum, never lengthen it past the
// maximum, and is ignored for penalties that can never end early.
func Compute(it *catalog.Item, vals map[string]string, subjectType string) Window {
	sev, noEarly := Severity(it, vals)
	w := Window{Severity: sev, NoEarlyEnd: noEarly}
	if !it.HasChannel(catalog.ChannelPublic) || subjectType == catalog.SubjectPerson {
		return w
	}
	from, ok := date(vals[it.Disclosure.From])
	if !ok {
		return w
	}
	var p catalog.Period
	switch {
	case it.Disclosure.Severity != nil:
		p = it.Disclosure.Periods[sev]
	case it.Disclosure.Period != nil:
		p = *it.Disclosure.Period
	default:
		return w
	}
	if p.NotPublished {
		return w
	}
	w.Public = true
	w.From = &from
	if p.Indefinite {
		return w
	}
	until := AddMonths(from, p.MaxMonths).AddDate(0, 0, -1)
	if p.MinMonths > 0 {
		m := AddMonths(from, p.MinMonths).AddDate(0, 0, -1)
		w.MinUntil = &m
	}
	// A provider may end publication earlier than the maximum, but never
	// before the minimum, and never for penalties that cannot end early.
	if end, ok := date(vals[it.Disclosure.EndField]); ok && end.Before(until) && !w.NoEarlyEnd {
		if w.MinUntil != nil && end.Before(*w.MinUntil) {
			end = *w.MinUntil
		}
		until = end
	}
	w.Until = &until
	return w
}

// Shown reports whether a record with window w is on the portal on day.
// Day is compared as a calendar date.
func (w Window) Shown(day time.Time) bool {
	if !w.Public || w.From == nil {
		return false
	}
	d := day.Format(time.DateOnly)
	if d < w.From.Format(time.DateOnly) {
		return false
	}
	return w.Until == nil || d <= w.Until.Format(time.DateOnly)
}

// AddMonths adds n calendar months to d, clamping to the last day of the
// target month (2026-01-31 + 1 month = 2026-02-28), unlike time.AddDate.
func AddMonths(d time.Time, n int) time.Time {
	y, m, day := d.Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, d.Location())
	last := first.AddDate(0, 1, -1).Day()
	if day > last {
		day = last
	}
	return time.Date(first.Year(), first.Month(), day, 0, 0, 0, 0, d.Location())
}

// PublicFields returns the values the public may see: fields whose
// sensitivity is public, in catalogue order. Personal values arrive already
// masked from storage and stay masked.
func PublicFields(it *catalog.Item, vals map[string]string) []FieldValue {
	out := make([]FieldValue, 0, len(vals))
	for _, f := range it.Fields {
		v, ok := vals[f.Code]
		if !ok || f.Sensitivity != catalog.Public {
			continue
		}
		out = append(out, FieldValue{Field: f, Value: v})
	}
	return out
}

// FieldValue is one value with its catalogue field.
type FieldValue struct {
	Field *catalog.Field
	Value string
}

func date(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	t, err := time.ParseInLocation(time.DateOnly, s, workday.CST)
	return t, err == nil
}

func splitMulti(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ";")
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// OnPortal reports whether the item is disclosed on the portal for
// organisations (natural persons have no public page).
func OnPortal(it *catalog.Item) bool {
	return it.HasChannel(catalog.ChannelPublic) && (it.AllowsSubjectType(catalog.SubjectOrg) || it.AllowsSubjectType(catalog.SubjectIndividualBusiness))
}

// RecordShown reports whether the record, as stored now, may be on the
// portal on day: an active record whose current version's window
// includes day. (Whether its subject has a public page is the caller's
// check: natural persons have none.) Checked at read time, so that nothing is shown a
// day past its end whatever the scheduled work has done.
func RecordShown(rec *credit.Record, day time.Time) bool {
	cur := rec.Current
	return rec.Status == credit.RecordActive && Window{Public: cur.Public, From: cur.PublishedFrom, Until: cur.PublishedUntil}.Shown(day)
}
