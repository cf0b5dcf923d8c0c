package credit

import (
	"context"
	"fmt"
	"time"
)

// Record statuses beyond RecordActive. A record is never edited in place:
// each change of status is an event with who, when and why.
const (
	RecordRevoked  = "revoked"  // the provider revoked it: its decision was revoked
	RecordDeleted  = "deleted"  // deleted on an objection
	RecordStopped  = "stopped"  // publication stopped on an objection
	RecordRepaired = "repaired" // credit repair approved: publication stopped
	RecordArchived = "archived" // past its archive date: no longer disclosed or used
)

// RecordEvent is one change in a record's life other than a new version.
type RecordEvent struct {
	At     time.Time
	Kind   string // the new status, or objection.mark / objection.clear
	Actor  string
	Reason string
	// Ref names what caused it, e.g. objection:12 or repair:3.
	Ref string
}

// Applicant is who files an objection or applies for repair, and for an
// organisation who acts for it.
type Applicant struct {
	Name string
	// Role is how the person acts for the organisation: 法定代表人,
	// 负责人, 委托代理人; "" for a person acting for themselves.
	Role  string
	USCC  string // the organisation the applicant acts for
	Phone string
	Email string
	// Verified tells whether the identity was checked, and by whom
	// (a staff account, or a real-name service).
	Verified   bool
	VerifiedBy string
}

// EvidenceFile is a file an applicant gave: proof, a decision, a receipt.
// Data is read only when the file itself is asked for.
type EvidenceFile struct {
	ID     int64
	Name   string
	Type   string // application/pdf, image/jpeg or image/png, checked by content
	Size   int64
	SHA256 []byte
	Data   []byte
}

// CaseStep is one step of an objection or repair case as stored.
type CaseStep struct {
	Kind    string
	At      time.Time
	Actor   string
	Reason  string
	Days    int
	Outcome string
}

// CaseNumber is the number a case is shown by: a prefix (YY for
// objections, XF for repairs), the China date it was filed on (day must be
// in China Standard Time) and its id, e.g. YY20261201-000007.
func CaseNumber(prefix string, day time.Time, id int64) string {
	return fmt.Sprintf("%s%s-%06d", prefix, day.Format("20060102"), id)
}

// ErrCaseMoved is the conflict of a step on a case (kind in both
// languages, e.g. 异议 / objection) taken on a version that is no longer
// the stored one: someone acted first.
func ErrCaseMoved(kindZH, kindEN, number string) error {
	return &Error{Code: ECONFLICT, MessageZH: kindZH + " " + number + " 已被他人处理，请刷新后查看最新状态",
		MessageEN: "the " + kindEN + " " + number + " was acted on by someone else meanwhile; reload it to see where it stands"}
}

// Objection is an objection case (异议) about one record.
type Objection struct {
	ID     int64
	Number string // shown to the applicant, e.g. YY20261201-0007
	// The record objected to, with what the queue shows of it.
	RecordID     int64
	Item         string
	ProviderCode string
	ProviderName string
	SubjectUSCC  string
	SubjectName  string

	Ground    string
	Statement string
	Applicant Applicant
	// TokenHash is the SHA-256 of the private tracking link's token.
	TokenHash []byte

	// The case: see package rights.
	State       string
	FiledAt     time.Time
	AcceptedAt  time.Time
	ForwardedAt time.Time
	DecidedAt   time.Time
	Extended    int
	PausedSince time.Time
	Paused      int
	Outcome     string
	// Reasons are the last reasons given: for a return or a decision.
	Reasons     string
	EscalatedAt time.Time
	// Version increases with every step; a step is stored only on the
	// version it was computed from.
	Version int

	Files []EvidenceFile // without Data
	Steps []CaseStep
}

// Repair is a credit repair application (信用修复) for one record.
type Repair struct {
	ID           int64
	Number       string // e.g. XF20261201-0003
	RecordID     int64
	Item         string
	ProviderCode string
	ProviderName string
	SubjectUSCC  string
	SubjectName  string

	Applicant Applicant
	// Performed is the applicant's statement of how the penalty was
	// performed and the conduct corrected.
	Performed string
	// Commitment is the credit commitment the applicant signed, as filled in.
	Commitment string
	TokenHash  []byte

	State     string
	AppliedAt time.Time
	Extended  bool
	DecidedAt time.Time
	Reasons   string
	Version   int

	Files []EvidenceFile
	Steps []CaseStep
}

// CaseFilter selects objection or repair cases for a queue.
type CaseFilter struct {
	States       []string // any of; none for all
	ProviderCode string
	RecordID     int64
	Limit        int // 0: 500
}

// RecordEffect is what a step does to the record of its case.
type RecordEffect struct {
	// Status, when set, becomes the record's status; the record must be
	// in one of From (any status when From is empty).
	Status string
	From   []string
	// Mark sets (true) or clears (false) the "under objection" mark.
	Mark *bool
}

// RightsStore is the storage of objections, repairs and records' lives.
type RightsStore interface {
	// CreateObjection stores o as filed, with its files, setting its ID,
	// Number and Version, and its audit entry. Returns ENOTFOUND when the
	// record does not exist.
	CreateObjection(ctx context.Context, o *Objection) error
	// Objection returns a case with its steps and files (without data).
	// Returns ENOTFOUND.
	Objection(ctx context.Context, id int64) (*Objection, error)
	// ObjectionByToken returns the case of a tracking token's hash.
	// Returns ENOTFOUND.
	ObjectionByToken(ctx context.Context, tokenHash []byte) (*Objection, error)
	// Objections lists cases, oldest first, without steps and files.
	Objections(ctx context.Context, f CaseFilter) ([]*Objection, error)
	// UpdateObjection stores o's case after step s, with the step, the
	// effect on the record and the audit entry in one transaction, and
	// increments o.Version. Returns ECONFLICT when the stored case is no
	// longer at o.Version (someone acted first) or the record is not in a
	// status the effect allows.
	UpdateObjection(ctx context.Context, o *Objection, s CaseStep, effect RecordEffect) error

	// CreateRepair, Repair, RepairByToken, Repairs and UpdateRepair are
	// the same for repair applications.
	CreateRepair(ctx context.Context, r *Repair) error
	Repair(ctx context.Context, id int64) (*Repair, error)
	RepairByToken(ctx context.Context, tokenHash []byte) (*Repair, error)
	Repairs(ctx context.Context, f CaseFilter) ([]*Repair, error)
	UpdateRepair(ctx context.Context, r *Repair, s CaseStep, effect RecordEffect) error

	// EvidenceFile returns a file of a case ("objection" or "repair")
	// with its data. Returns ENOTFOUND.
	EvidenceFile(ctx context.Context, kind string, caseID, fileID int64) (*EvidenceFile, error)

	// SetRecordStatus changes a record's status, when it is one of from,
	// with an event and the audit entry. Returns ENOTFOUND, or ECONFLICT
	// when the record is in another status.
	SetRecordStatus(ctx context.Context, id int64, from []string, to, actor, reason string) error
	// RecordEvents returns the events of a record, oldest first.
	RecordEvents(ctx context.Context, id int64) ([]RecordEvent, error)
	// ArchiveRecords archives up to limit active or stopped records of
	// item decided on or before decidedBy, with their events and one audit
	// entry, and returns how many it archived. Run again until it returns
	// fewer than limit.
	ArchiveRecords(ctx context.Context, item string, decidedBy time.Time, limit int) (int, error)
	// EscalateObjection marks a case escalated at the store's clock, once,
	// with its audit entry; false when it was escalated already.
	EscalateObjection(ctx context.Context, id int64, reason string) (bool, error)
}
