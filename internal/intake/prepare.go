// Package intake is the collection pipeline: it turns what a provider sends
// into drafts ready to store. Each stage is small: read, normalise, validate
// against the catalogue item, resolve the subject's key, compute deadlines
// and the publication window, protect personal values.
//
// It imports the domain, the catalogue, identifiers, the calendar and pii;
// never storage or HTTP.
package intake

import (
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/xinyong/xinyong/internal/catalog"
	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/disclose"
	"github.com/xinyong/xinyong/internal/ident"
	"github.com/xinyong/xinyong/internal/pii"
	"github.com/xinyong/xinyong/internal/workday"
)

// jsonBufs holds buffers for writing records as JSON before they are
// copied to their exact size.
var jsonBufs = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// Preparer validates records and turns them into drafts. It is safe for
// concurrent use.
type Preparer struct {
	Calendar *workday.Calendar
	Keys     *pii.Keys
}

// Prepare validates one raw record of item it, submitted at now, and returns
// its draft, or every problem found, with the normalisations made.
func (p *Preparer) Prepare(it *catalog.Item, index int, raw map[string]any, now time.Time) (*credit.Draft, []credit.FieldError, []catalog.Normalisation) {
	today := now.In(workday.CST)
	c := it.Check(raw, today)
	vals := c.Values
	subjectType, errs := subjectType(it, vals, c.Errors)
	if len(errs) > 0 {
		return nil, errs, c.Notes
	}
	d := &credit.Draft{Index: index}

	// The subject's key, and the name it is known by.
	rule := it.Subject
	ref := credit.SubjectRef{Name: vals[rule.NameField], Type: vals[rule.TypeField], Authoritative: it.Category == "registration"}
	if ref.Type == "" {
		ref.Type = subjectType
	}
	if subjectType == catalog.SubjectPerson {
		docType := vals[rule.IDTypeField]
		number := vals[rule.IDField]
		ref.Kind = credit.KindPerson
		ref.IDHash = p.Keys.HashID(docType, number)
		ref.IDSealed = p.Keys.Seal([]byte(docType + "\x00" + number))
		ref.IDMasked = ident.MaskIDCard(number)
	} else {
		ref.Kind = credit.KindOrg
		ref.USCC = vals[rule.USCCField]
		ref.Codes = codes(rule.CodeFields, vals, ref.USCC)
	}

	// Deadline and publication window.
	if f := it.Deadline.From; f != "" {
		if dec, ok := parseDate(vals[f]); ok {
			d.DecisionDate = &dec
			r := p.Calendar.AddWorkingDays(dec, it.Deadline.WorkingDays)
			d.SubmissionDeadline = &r.Date
			d.DeadlineEstimated = r.Estimated
			ref.AsOf = dec
		}
	}
	w := disclose.Compute(it, vals, subjectType)
	d.Severity = w.Severity
	d.Public = w.Public
	d.PublishedFrom = w.From
	d.PublishedUntil = w.Until

	// Personal values are sealed and masked; the content hash covers every
	// value in clear, so that a change to a personal value is a change.
	var personal map[string]string
	for _, f := range it.Fields {
		if v, ok := vals[f.Code]; ok && f.Personal {
			if personal == nil {
				personal = map[string]string{}
			}
			personal[f.Code] = v
			vals[f.Code] = ident.MaskIDCard(v)
		}
	}
	d.Fields = vals
	buf := jsonBufs.Get().(*[]byte)
	*buf = appendFieldsJSON((*buf)[:0], it.Fields, vals)
	d.FieldsJSON = append([]byte(nil), *buf...) // exactly sized: a batch holds many
	jsonBufs.Put(buf)
	h := p.Keys.Hasher()
	h.Write([]byte("record\x00" + it.Code + "\x00"))
	h.Write(d.FieldsJSON)
	if personal != nil {
		sealed := appendFieldsJSON(nil, it.Fields, personal)
		h.Write(sealed)
		d.Sealed = p.Keys.Seal(sealed)
	}
	d.ContentHash = h.Sum(nil)
	d.Subject = ref

	keys := make([]string, len(it.BusinessKey))
	for i, k := range it.BusinessKey {
		keys[i] = vals[k]
	}
	d.BusinessKey = strings.Join(keys, "|")
	return d, nil, c.Notes
}

// codes returns the registration numbers an organisation's record states
// in fields, normalised and distinct, leaving out empty values, the USCC
// and the organisation code it embeds. Nil when there are none, as for
// most records.
func codes(fields []string, vals map[string]string, uscc string) []string {
	var out []string
	for _, f := range fields {
		v := vals[f]
		if v == "" {
			continue
		}
		c := ident.NormalizeRegistration(v)
		if c == "" || c == uscc || c == ident.USCCOrgCode(uscc) || slices.Contains(out, c) {
			continue
		}
		out = append(out, c)
	}
	return out
}

// subjectType maps the record's subject category to a catalogue subject type
// and checks that the item allows it.
func subjectType(it *catalog.Item, vals map[string]string, errs []credit.FieldError) (string, []credit.FieldError) {
	rule := it.Subject
	if rule.TypeField == "" {
		return rule.Fixed, errs
	}
	v, ok := vals[rule.TypeField]
	if !ok {
		return "", errs // required: already reported
	}
	t, ok := rule.Types[v]
	if !ok || !it.AllowsSubjectType(t) {
		f, _ := it.Field(rule.TypeField)
		errs = append(errs, credit.FieldErrorf(rule.TypeField, "subject_type",
			"本条目不收录“%s”类主体，请检查“"+f.LabelZH+"”",
			"this item does not take subjects of category %q; check "+f.LabelEN, v))
	}
	return t, errs
}

func parseDate(s string) (time.Time, bool) {
	t, err := time.ParseInLocation(time.DateOnly, s, workday.CST)
	return t, err == nil
}
