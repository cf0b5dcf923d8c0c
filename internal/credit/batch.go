package credit

import (
	"context"
	"io"
	"time"
)

// Batch modes and statuses.
const (
	ModePartial = "partial" // valid rows kept, invalid rows returned
	ModeAtomic  = "atomic"  // all rows or none

	BatchQueued  = "queued"
	BatchRunning = "running"
	BatchDone    = "done"
	BatchFailed  = "failed"
)

// Batch is one file of one item from one provider, collected in chunks.
type Batch struct {
	ID           int64
	ProviderID   int64
	ProviderCode string
	Item         string
	Mode         string
	Status       string
	FileName     string // as the provider named it
	FilePath     string // where the platform keeps it
	FileHash     []byte
	FileSize     int64
	Sheet        string
	Format       string
	Encoding     string
	Header       []string
	Notes        []BatchNote
	RowsRead     int
	Created      int
	Updated      int
	Unchanged    int
	Rejected     int
	// Checkpoint is the last file row whose outcome is committed: a resumed
	// batch continues after it.
	Checkpoint int
	Progress   float64
	ReasonZH   string // why it failed
	ReasonEN   string
	Owner      string // who processes it
	LeaseUntil time.Time
	CreatedAt  time.Time
	StartedAt  *time.Time
	FinishedAt *time.Time
}

// Accepted is the number of rows stored or confirmed unchanged.
func (b *Batch) Accepted() int { return b.Created + b.Updated + b.Unchanged }

// BatchNote is something about a batch as a whole: an unknown column, a
// kind of normalisation and how many rows it touched.
type BatchNote struct {
	Code      string `json:"code"` // unknown_column, ignored_column, normalised
	Column    string `json:"column,omitempty"`
	Field     string `json:"field,omitempty"`
	Kind      string `json:"kind,omitempty"`
	Count     int    `json:"count,omitempty"`
	MessageZH string `json:"message_zh"`
	MessageEN string `json:"message_en"`
}

// RowError is a rejected row of a batch: all its problems and its cells as
// read. The cells may hold personal data: they are stored sealed (Sealed)
// and opened only to write the error file for the provider that sent them.
type RowError struct {
	Row    int
	Errors []FieldError
	Cells  []string // in memory only
	Sealed []byte   // the cells, encrypted, as stored
}

// Chunk is a run of rows of a batch committed together: the drafts to
// store, the rows rejected, and the progress reached. Draft indexes are
// file row numbers.
type Chunk struct {
	Batch      *Batch
	Submission *Submission
	// Cells of each draft's row by row number, kept in case the store
	// rejects the draft (a duplicate in the batch); Seal encrypts them then.
	Cells      map[int][]string
	Seal       func(cells []string) []byte
	Rejected   []RowError
	RowsRead   int // rows read in this chunk
	Checkpoint int
	Progress   float64
	Notes      []BatchNote // replaces the batch's notes when not nil
}

// BatchStore is the storage of batches.
type BatchStore interface {
	// CreateBatch stores a new queued batch, setting its ID and CreatedAt.
	// Returns ECONFLICT if a batch of the same file, item, mode and sheet
	// has not failed (two uploads of one file at once).
	CreateBatch(ctx context.Context, b *Batch) error
	// FindBatch returns the provider's latest batch of item with the same
	// file hash, mode and sheet. Returns ENOTFOUND.
	FindBatch(ctx context.Context, providerID int64, item string, hash []byte, mode, sheet string) (*Batch, error)
	// Batch returns a batch. Returns ENOTFOUND.
	Batch(ctx context.Context, id int64) (*Batch, error)
	// Batches lists a provider's batches, newest first.
	Batches(ctx context.Context, providerID int64, limit int) ([]*Batch, error)
	// ClaimBatch makes owner the batch's processor until lease, if it is
	// queued, or running under an owner whose lease has passed or who is
	// known dead (alive reports on owners). Returns whether it was claimed.
	ClaimBatch(ctx context.Context, id int64, owner string, lease time.Time, alive func(owner string) bool) (bool, error)
	// NextBatch returns the oldest batch that ClaimBatch could claim, or
	// ENOTFOUND.
	NextBatch(ctx context.Context, now time.Time, alive func(owner string) bool) (*Batch, error)
	// CommitChunk stores a chunk in one transaction: its records, its
	// rejected rows (also drafts the store refuses), the batch's counters,
	// checkpoint and lease. Returns ECONFLICT if owner no longer holds the
	// batch.
	CommitChunk(ctx context.Context, c *Chunk, owner string, lease time.Time) ([]Outcome, error)
	// CommitChunks stores the chunks next returns, in order, each as
	// CommitChunk would, several to a transaction: a transaction ends after
	// the chunk that brings it to rows rows or that ends span after it
	// began, and when next returns nil. After each commit it calls
	// committed with the number of chunks the transaction stored. Larger
	// transactions write each index page once for many rows. Each chunk
	// renews the lease to lease from then. Returns ECONFLICT if owner no
	// longer holds the batch; the chunks since the last commit are then
	// not stored.
	CommitChunks(ctx context.Context, owner string, lease time.Duration, rows int, span time.Duration, next func() (*Chunk, error), committed func(chunks int)) error
	// CommitAtomic stores every chunk next returns in one transaction and
	// finishes the batch; if any draft is refused nothing is stored and
	// the refusals are returned.
	CommitAtomic(ctx context.Context, b *Batch, owner string, next func() (*Chunk, error)) ([]RowError, error)
	// FinishBatch marks the batch done, or failed with a reason.
	FinishBatch(ctx context.Context, b *Batch, owner, status, reasonZH, reasonEN string) error
	// BatchErrors calls fn with each rejected row in row order.
	BatchErrors(ctx context.Context, id int64, fn func(RowError) error) error
}

// SharedUploads is implemented by stores that several nodes share: CreateBatch
// keeps the batch's file (read from FilePath) in the store with the batch,
// until the batch is finished, so that any node can collect it.
type SharedUploads interface {
	// Upload writes the file of batch id to w. Returns ENOTFOUND once the
	// batch has ended.
	Upload(ctx context.Context, id int64, w io.Writer) error
}
