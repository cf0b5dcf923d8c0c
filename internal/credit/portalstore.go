package credit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sort"
	"time"
)

// What both stores do alike for PortalStore lives here once: the audit
// detail of an announcement, and the frame of the statistics they fill.

// AuditDetail is the audit entry's detail for storing a: its titles and a
// SHA-256 digest over its titles and texts, so that the entry pins exactly
// what was published.
func (a *Announcement) AuditDetail() string {
	h := sha256.New()
	for _, s := range []string{a.TitleZH, a.TitleEN, a.BodyZH, a.BodyEN} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	b, _ := json.Marshal(map[string]string{"title_zh": a.TitleZH, "title_en": a.TitleEN, "digest": hex.EncodeToString(h.Sum(nil))})
	return string(b)
}

// NewStats returns the statistics of day with nothing counted yet: Day is
// midnight at the start of day in day's location (the stores pass China
// Standard Time), and ByMonth holds the 12 months ending with Day's, oldest
// first, each with zero counts. Both stores fill it alike.
func NewStats(day time.Time) *Stats {
	y, m, d := day.Date()
	loc := day.Location()
	s := &Stats{Day: time.Date(y, m, d, 0, 0, 0, 0, loc), PublicByItem: map[string]int{}, ByMonth: make([]PeriodCount, 12), ByProvider: []PeriodCount{}}
	for i := range s.ByMonth {
		s.ByMonth[i].Key = time.Date(y, m-time.Month(11-i), 1, 0, 0, 0, 0, loc).Format(MonthLayout)
	}
	return s
}

// MonthLayout is the layout of a month's key: YYYY-MM.
const MonthLayout = "2006-01"

// CollectedWindow returns the instants between which a record's first
// submission counts in ByMonth and ByProvider: from the start of the oldest
// month (inclusive) to the start of the month after Day's (exclusive).
func (s *Stats) CollectedWindow() (from, until time.Time) {
	y, m, _ := s.Day.Date()
	loc := s.Day.Location()
	return time.Date(y, m-11, 1, 0, 0, 0, 0, loc), time.Date(y, m+1, 1, 0, 0, 0, 0, loc)
}

// PublishedSince returns the first day of the 30 days up to and including
// Day, those PublishedLast30 counts.
func (s *Stats) PublishedSince() time.Time { return s.Day.AddDate(0, 0, -29) }

// AddCollected counts c, the records of one provider (c.Key its code,
// c.Name its name) first submitted in month (YYYY-MM), in ByMonth and
// ByProvider, which stays ordered by records, most first, then by code. A
// month outside ByMonth is ignored.
func (s *Stats) AddCollected(month string, c PeriodCount) {
	i := sort.Search(len(s.ByMonth), func(i int) bool { return s.ByMonth[i].Key >= month })
	if i == len(s.ByMonth) || s.ByMonth[i].Key != month || c.Records == 0 {
		return
	}
	s.ByMonth[i].add(c)
	found := false
	for j := range s.ByProvider {
		if p := &s.ByProvider[j]; p.Key == c.Key {
			p.add(c)
			found = true
		}
	}
	if !found {
		s.ByProvider = append(s.ByProvider, c)
	}
	sort.SliceStable(s.ByProvider, func(i, j int) bool {
		a, b := s.ByProvider[i], s.ByProvider[j]
		return a.Records > b.Records || a.Records == b.Records && a.Key < b.Key
	})
}

func (p *PeriodCount) add(c PeriodCount) {
	p.Records += c.Records
	p.WithDeadline += c.WithDeadline
	p.OnTime += c.OnTime
}
