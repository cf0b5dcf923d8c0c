// Package credit holds the domain of the social credit platform: credit
// subjects, provider departments, records and their versions, the error type
// and the storage contract every backend satisfies.
//
// It must not import SQL drivers, net/http or any other package of this
// module: everything else depends on it, never the other way round.
package credit

import (
	"context"
	"time"
)

// Subject kinds. Organisations (including individual businesses) are keyed by
// their unified social credit code; natural persons by a keyed hash of their
// identity document.
const (
	KindOrg    = "org"
	KindPerson = "person"
)

// Record statuses and submission outcomes.
const (
	StatusCreated   = "created"
	StatusUpdated   = "updated"
	StatusUnchanged = "unchanged"
	StatusRejected  = "rejected"
)

// RecordActive is the status of a record in force. Later states (under
// objection, repaired, revoked, archived) come with the subjects' rights.
const RecordActive = "active"

// Subject is a credit subject: an organisation or a natural person.
type Subject struct {
	ID   int64
	Kind string // KindOrg or KindPerson
	// USCC is the unified social credit code of an organisation; "" for persons.
	USCC string
	// IDMasked is a person's identity number masked for display; "" for organisations.
	IDMasked string
	// Type is the subject category as providers state it, e.g. 法人及非法人组织.
	Type string
	Name string
	// Names lists every name the subject has been seen under, current first.
	Names     []SubjectName
	CreatedAt time.Time
	UpdatedAt time.Time
}

// SubjectName is one name a subject has been known by.
type SubjectName struct {
	Name      string
	FirstSeen time.Time // when a record first carried the name
	// AsOf is the latest decision date among records that carried the name.
	AsOf time.Time
}

// SubjectRef identifies the subject of an incoming record before it is
// resolved to a stored Subject.
type SubjectRef struct {
	Kind string
	USCC string // organisations
	// IDHash is the keyed hash of the person's document type and number.
	IDHash []byte
	// IDSealed is the encrypted document number, readable by those entitled.
	IDSealed []byte
	IDMasked string
	Type     string
	Name     string
	// AsOf is the date the record states the name for (its decision date).
	AsOf time.Time
	// Authoritative is true for registration records: only they may rename
	// a subject that has a registered name. Other records' names are kept
	// as aliases, searchable but not shown as the name.
	Authoritative bool
	// Codes are the other registration numbers of an organisation the
	// record states (工商注册号, 组织机构代码, 税务登记号, ...), normalised
	// (ident.NormalizeRegistration: no spaces or hyphens, upper case),
	// distinct, without the USCC and the organisation code it embeds
	// (stored for every organisation anyway). The subject is found by each,
	// exactly. Always empty for natural persons.
	Codes []string
}

// Provider is a department registered to submit records.
type Provider struct {
	ID        int64
	Code      string // e.g. 420000-SCJG: division code and department abbreviation
	Name      string
	Items     []string // catalogue item codes it may submit
	CreatedAt time.Time
}

// MayProvide reports whether the provider's registration lists item.
func (p *Provider) MayProvide(item string) bool {
	for _, it := range p.Items {
		if it == item {
			return true
		}
	}
	return false
}

// Draft is one validated record ready to be stored: everything about it that
// does not depend on what is already stored.
type Draft struct {
	Index       int // position in the submitted batch
	BusinessKey string
	Subject     SubjectRef
	// Fields holds the record's values by field code, with personal values
	// masked, and FieldsJSON the same as JSON. Sealed holds the personal
	// values themselves, encrypted.
	Fields     map[string]string
	FieldsJSON []byte
	Sealed     []byte
	// ContentHash is a keyed hash of the full canonical content: equal
	// hashes mean an identical resubmission.
	ContentHash []byte

	DecisionDate       *time.Time
	SubmissionDeadline *time.Time
	DeadlineEstimated  bool
	Severity           string
	// Public says whether the record may appear on the portal at all.
	Public         bool
	PublishedFrom  *time.Time
	PublishedUntil *time.Time // nil: published without end
}

// Submission is a batch of drafts from one provider for one catalogue item.
type Submission struct {
	Provider       *Provider
	Item           string
	CatalogVersion int
	Drafts         []*Draft
	RequestID      string
}

// Outcome is what happened to one draft. A draft the store refuses (a
// business key already written by the same request) is rejected with Error.
type Outcome struct {
	Index     int
	Status    string
	Error     *FieldError
	RecordID  int64
	SubjectID int64
	Subject   string // USCC, or the subject id for persons
	Version   int
}

// Record is a stored record with its current version.
type Record struct {
	ID           int64
	ProviderCode string
	ProviderName string
	Item         string
	BusinessKey  string
	SubjectID    int64
	SubjectUSCC  string
	SubjectName  string
	Status       string
	// UnderObjection is true while an accepted objection about the record
	// is open: it is shown marked wherever it shows.
	UnderObjection bool
	Current        RecordVersion
	// Versions holds the full history, oldest first, when asked for.
	Versions         []RecordVersion
	FirstSubmittedAt time.Time
	UpdatedAt        time.Time
}

// RecordVersion is one immutable version of a record.
type RecordVersion struct {
	Version            int
	CatalogVersion     int
	Fields             map[string]string
	Sealed             []byte
	DecisionDate       *time.Time
	SubmissionDeadline *time.Time
	DeadlineEstimated  bool
	OnTime             *bool
	Severity           string
	Public             bool
	PublishedFrom      *time.Time
	PublishedUntil     *time.Time
	SubmittedAt        time.Time
	RequestID          string
}

// SubjectFilter selects subjects for a search.
type SubjectFilter struct {
	// Query is a name fragment, the prefix of a code or a registration
	// number, as package names reads it.
	Query   string
	Page    int // 1-based
	PerPage int
}

// SubjectHit is one search result.
type SubjectHit struct {
	SubjectID   int64
	USCC        string
	Name        string
	MatchedName string // the name that matched, current or former; "" when a registration number did
	// MatchedCode is the registration number that matched the query
	// exactly (an older number or the organisation code), "" otherwise.
	MatchedCode string
	Type        string
}

// SubjectPage is a page of search results. Total is exact up to a cap of
// 1,000; TotalCapped says the real number is larger, and then the results
// are 1,000 of the matches (which ones is the backend's choice) in the
// usual order: pages go no deeper.
type SubjectPage struct {
	Hits        []SubjectHit
	Total       int
	TotalCapped bool
}

// Store is the storage contract. Every method takes ctx first; exported
// methods own their transaction, and every change writes its audit entry in
// the same transaction.
type Store interface {
	BatchStore
	JobStore
	PortalStore
	StaffStore
	RightsStore

	// CreateProvider registers p with the hash of its API key.
	// Returns ECONFLICT if the code is taken.
	CreateProvider(ctx context.Context, p *Provider, keyHash []byte) error
	// ProviderByKeyHash returns the provider holding the key.
	// Returns EUNAUTHORIZED when no provider does.
	ProviderByKeyHash(ctx context.Context, keyHash []byte) (*Provider, error)
	// Providers lists every registered provider by code.
	Providers(ctx context.Context) ([]*Provider, error)

	// Submit stores the drafts of s in one transaction, in order, and reports
	// an outcome for each. Same provider, item and business key is the same
	// record: a changed draft makes a new version, an identical one is
	// unchanged, and one whose record this request (RequestID) already wrote
	// is rejected as duplicate_in_batch.
	Submit(ctx context.Context, s *Submission) ([]Outcome, error)

	// Record returns a record with its whole version history.
	// Returns ENOTFOUND.
	Record(ctx context.Context, id int64) (*Record, error)

	// SubjectByUSCC returns an organisation with its name history.
	// Returns ENOTFOUND.
	SubjectByUSCC(ctx context.Context, uscc string) (*Subject, error)
	// PublicCounts returns, by item, how many of the subject's records are
	// public on day: public items, active, within their publication window.
	PublicCounts(ctx context.Context, subjectID int64, day time.Time) (map[string]int, error)
	// PublicRecords returns up to limit of the subject's records of item
	// that are public on day, newest decision first, after skipping offset.
	PublicRecords(ctx context.Context, subjectID int64, item string, day time.Time, limit, offset int) ([]*Record, error)
	// SearchSubjects finds organisations by name fragment, code prefix or
	// registration number: exact registration numbers first, then code
	// prefixes. Natural persons are never found.
	SearchSubjects(ctx context.Context, f SubjectFilter) (*SubjectPage, error)

	// BindKeys records id, the fingerprint of the master key (pii.Keys.ID),
	// when the store has none, and returns ECONFLICT when it has another:
	// data is never written under two keys.
	BindKeys(ctx context.Context, id []byte) error

	// LogAccess records an access to non-public data in the audit chain.
	LogAccess(ctx context.Context, actor, action, object, detail string) error
	// VerifyAudit checks the audit hash chain and returns the number of entries.
	VerifyAudit(ctx context.Context) (int, error)

	Close() error
}

// OnTime reports whether a record first submitted at submitted (a time in
// China Standard Time) met its deadline day. Nil when there is no deadline.
func OnTime(deadline *time.Time, submitted time.Time) *bool {
	if deadline == nil {
		return nil
	}
	ok := submitted.Format(time.DateOnly) <= deadline.Format(time.DateOnly)
	return &ok
}

// Renames reports whether a record that names a subject differently makes
// that name the subject's name. A registration record (authoritative)
// does when it is at least as new as the current name or the current name
// is not registered; any other record does only when the current name is
// not registered and the record is at least as new. Dates are YYYY-MM-DD,
// "" for none.
func Renames(registered bool, nameAsOf string, authoritative bool, asOf string) bool {
	newer := asOf >= nameAsOf
	return authoritative && (newer || !registered) || !authoritative && !registered && newer
}
