package credit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Key identifies the subject of ref among all subjects: its code, or for a
// person the hex of the identity hash.
func (r *SubjectRef) Key() string {
	if r.Kind == KindOrg {
		return r.USCC
	}
	return "p:" + hex.EncodeToString(r.IDHash)
}

// FieldsText is the draft's fields as stored: FieldsJSON, or Fields as JSON.
func (d *Draft) FieldsText() string {
	if d.FieldsJSON != nil {
		return string(d.FieldsJSON)
	}
	b, _ := json.Marshal(d.Fields) // a map of strings always marshals
	return string(b)
}

// DuplicateInBatch is the refusal of a draft whose record the same request
// wrote already.
func DuplicateInBatch() *FieldError {
	return &FieldError{Code: "duplicate_in_batch",
		MessageZH: "本批次已提交过同一业务主键的记录；同一记录在一批中只能出现一次，请删除重复项",
		MessageEN: "this batch already submitted a record with the same business key; a record may appear once per batch, remove the duplicate"}
}

// AuditDetail is the audit entry's detail for a stored submission whose
// outcomes are out (out[i] of s.Drafts[i]): counts, the records written,
// and a digest over their ids, versions and content hashes, so that the
// entry pins exactly what was written. ok is false when nothing was written.
func (s *Submission) AuditDetail(out []Outcome) (detail string, ok bool) {
	counts := map[string]int{}
	h := sha256.New()
	var written []string
	for i, o := range out {
		counts[o.Status]++
		if o.Status != StatusCreated && o.Status != StatusUpdated {
			continue
		}
		written = append(written, strconv.FormatInt(o.RecordID, 10)+"v"+strconv.Itoa(o.Version))
		fmt.Fprintf(h, "%d:%d:", o.RecordID, o.Version)
		h.Write(s.Drafts[i].ContentHash)
	}
	if len(written) == 0 {
		return "", false
	}
	return fmt.Sprintf(`{"item":%q,"request":%q,"created":%d,"updated":%d,"unchanged":%d,"rejected":%d,"digest":%q,"records":%q}`,
		s.Item, s.RequestID, counts[StatusCreated], counts[StatusUpdated], counts[StatusUnchanged],
		counts[StatusRejected], hex.EncodeToString(h.Sum(nil)), strings.Join(written, ",")), true
}

// Claimable reports whether a new owner may take the batch at now: queued,
// or running without an owner, past its lease, or under an owner alive
// reports dead.
func (b *Batch) Claimable(now time.Time, alive func(owner string) bool) bool {
	switch b.Status {
	case BatchQueued:
		return true
	case BatchRunning:
		return b.Owner == "" || now.After(b.LeaseUntil) || alive != nil && !alive(b.Owner)
	}
	return false
}
