package casework

import (
	"context"
	"fmt"
	"time"

	"github.com/xinyong/xinyong/internal/catalog"
	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/disclose"
	"github.com/xinyong/xinyong/internal/rights"
	"github.com/xinyong/xinyong/internal/workday"
)

// Escalate flags every open objection past its deadline, once each, and
// returns how many it flagged. It is safe to run again at any time.
func (s *Service) Escalate(ctx context.Context) (int, error) {
	open, err := s.Store.Objections(ctx, credit.CaseFilter{States: []string{rights.ObjFiled, rights.ObjAccepted, rights.ObjForwarded}, Limit: 100_000})
	if err != nil {
		return 0, err
	}
	now, n := s.now(), 0
	for _, o := range open {
		d, ok := s.Deadline(o)
		if !ok || !d.Overdue(now) || !o.EscalatedAt.IsZero() {
			continue
		}
		who := map[string]string{"center": "the credit center", "provider": "the provider " + o.ProviderCode}[d.Party]
		done, err := s.Store.EscalateObjection(ctx, o.ID, fmt.Sprintf("%s was due by %s from %s", rights.StepName(true, d.What), d.By.Format(time.DateOnly), who))
		if err != nil {
			return n, err
		}
		if done {
			n++
		}
	}
	return n, nil
}

// ArchiveBatch is how many records one transaction archives.
const ArchiveBatch = 1000

// Archive archives the negative records of every item whose archive
// period (years after the decision; the conduct's end is not collected)
// has passed on the current day, in batches, and returns how many. Safe
// to interrupt and run again: each batch is one transaction.
func (s *Service) Archive(ctx context.Context) (int, error) {
	today := s.now().In(workday.CST)
	total := 0
	for _, it := range s.Catalog.Items() {
		if it.Nature != catalog.NatureNegative || it.Disclosure.ArchiveYears <= 0 {
			continue
		}
		// Decided on or before this day: the archive date has passed.
		by := disclose.AddMonths(workday.Date(today.Year(), today.Month(), today.Day()), -12*it.Disclosure.ArchiveYears).AddDate(0, 0, -1)
		for {
			n, err := s.Store.ArchiveRecords(ctx, it.Code, by, ArchiveBatch)
			total += n
			if err != nil {
				return total, err
			}
			if n < ArchiveBatch {
				break
			}
		}
	}
	return total, nil
}
