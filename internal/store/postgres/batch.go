package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/xinyong/xinyong/internal/credit"
)

const batchColumns = `b.id, b.provider_id, p.code, b.item, b.mode, b.status, b.file_name, b.file_path, b.file_hash, b.file_size, b.sheet,
	b.format, b.encoding, b.header, b.notes, b.rows_read, b.created, b.updated, b.unchanged, b.rejected, b.checkpoint, b.progress,
	b.reason_zh, b.reason_en, b.owner, b.lease_until, b.created_at, b.started_at, b.finished_at`

func scanBatch(s pgx.Row) (*credit.Batch, error) {
	var b credit.Batch
	var header, notes string
	var lease *time.Time
	if err := s.Scan(&b.ID, &b.ProviderID, &b.ProviderCode, &b.Item, &b.Mode, &b.Status, &b.FileName, &b.FilePath, &b.FileHash, &b.FileSize,
		&b.Sheet, &b.Format, &b.Encoding, &header, &notes, &b.RowsRead, &b.Created, &b.Updated, &b.Unchanged, &b.Rejected,
		&b.Checkpoint, &b.Progress, &b.ReasonZH, &b.ReasonEN, &b.Owner, &lease, &b.CreatedAt, &b.StartedAt, &b.FinishedAt); err != nil {
		return nil, err
	}
	json.Unmarshal([]byte(header), &b.Header)
	json.Unmarshal([]byte(notes), &b.Notes)
	if lease != nil {
		b.LeaseUntil = lease.UTC()
	}
	b.CreatedAt = b.CreatedAt.UTC()
	for _, t := range []*time.Time{b.StartedAt, b.FinishedAt} {
		if t != nil {
			*t = t.UTC()
		}
	}
	return &b, nil
}

// CreateBatch stores a new queued batch.
func (db *DB) CreateBatch(ctx context.Context, b *credit.Batch) error {
	return db.inTx(ctx, func(t *tx) error {
		err := t.QueryRow(ctx, `INSERT INTO batches (provider_id, item, mode, status, file_name, file_path, file_hash, file_size, sheet, created_at)
			VALUES ($1, $2, $3, 'queued', $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING RETURNING id`,
			b.ProviderID, b.Item, b.Mode, b.FileName, b.FilePath, b.FileHash, b.FileSize, b.Sheet, t.now).Scan(&b.ID)
		if errors.Is(err, pgx.ErrNoRows) {
			return credit.Errorf(credit.ECONFLICT, "同一文件已在处理中", "the same file is already being collected")
		}
		if err != nil {
			return fmt.Errorf("insert batch: %w", err)
		}
		b.Status, b.CreatedAt = credit.BatchQueued, t.now
		if err := keepUpload(ctx, t, b.ID, b.FilePath); err != nil {
			return err
		}
		detail := fmt.Sprintf(`{"item":%q,"mode":%q,"file":%q,"size":%d,"sha256":"%x"}`, b.Item, b.Mode, b.FileName, b.FileSize, b.FileHash)
		return t.record(ctx, "provider:"+b.ProviderCode, "batch.create", fmt.Sprintf("batch:%d", b.ID), detail)
	})
}

// FindBatch returns the provider's latest batch of item with the same file.
func (db *DB) FindBatch(ctx context.Context, providerID int64, item string, hash []byte, mode, sheet string) (*credit.Batch, error) {
	b, err := scanBatch(db.pool.QueryRow(ctx, `SELECT `+batchColumns+` FROM batches b JOIN providers p ON p.id = b.provider_id
		WHERE b.provider_id = $1 AND b.item = $2 AND b.file_hash = $3 AND b.mode = $4 AND b.sheet = $5 ORDER BY b.id DESC LIMIT 1`,
		providerID, item, hash, mode, sheet))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, credit.Errorf(credit.ENOTFOUND, "没有相同文件的批次", "no batch of the same file")
	}
	return b, err
}

// Batch returns a batch.
func (db *DB) Batch(ctx context.Context, id int64) (*credit.Batch, error) {
	return batchByID(ctx, db.pool, id, "")
}

func batchByID(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}, id int64, lock string) (*credit.Batch, error) {
	b, err := scanBatch(q.QueryRow(ctx, `SELECT `+batchColumns+` FROM batches b JOIN providers p ON p.id = b.provider_id WHERE b.id = $1`+lock, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, credit.Errorf(credit.ENOTFOUND, "批次 %d 不存在", "batch %d does not exist", id)
	}
	return b, err
}

// Batches lists a provider's batches, newest first.
func (db *DB) Batches(ctx context.Context, providerID int64, limit int) ([]*credit.Batch, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+batchColumns+` FROM batches b JOIN providers p ON p.id = b.provider_id
		WHERE b.provider_id = $1 ORDER BY b.id DESC LIMIT $2`, providerID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*credit.Batch
	for rows.Next() {
		b, err := scanBatch(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// ClaimBatch makes owner the batch's processor until lease. The batch row
// is locked while deciding, so that of two nodes claiming at once one wins.
func (db *DB) ClaimBatch(ctx context.Context, id int64, owner string, lease time.Time, alive func(string) bool) (bool, error) {
	claimed := false
	err := db.inTx(ctx, func(t *tx) error {
		claimed = false
		b, err := batchByID(ctx, t, id, " FOR UPDATE OF b")
		if err != nil {
			return err
		}
		if b.Owner != owner && !b.Claimable(t.now, alive) || b.Status == credit.BatchDone || b.Status == credit.BatchFailed {
			return nil
		}
		if b.Status == credit.BatchRunning && b.Mode == credit.ModeAtomic {
			// An atomic batch stored nothing before its end: validate it
			// again from the start.
			if _, err := t.Exec(ctx, `DELETE FROM batch_errors WHERE batch_id = $1`, id); err != nil {
				return err
			}
			if _, err := t.Exec(ctx, `UPDATE batches SET rows_read = 0, rejected = 0, checkpoint = 0, progress = 0 WHERE id = $1`, id); err != nil {
				return err
			}
		}
		if _, err := t.Exec(ctx, `UPDATE batches SET status = 'running', owner = $1, lease_until = $2, started_at = coalesce(started_at, $3) WHERE id = $4`,
			owner, lease, t.now, id); err != nil {
			return fmt.Errorf("claim batch: %w", err)
		}
		action := "batch.start"
		if b.Status == credit.BatchRunning {
			action = "batch.resume"
		}
		claimed = true
		return t.record(ctx, owner, action, fmt.Sprintf("batch:%d", id), fmt.Sprintf(`{"after_row":%d,"previous_owner":%q}`, b.Checkpoint, b.Owner))
	})
	return claimed, err
}

// NextBatch returns the oldest batch that could be claimed.
func (db *DB) NextBatch(ctx context.Context, now time.Time, alive func(string) bool) (*credit.Batch, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+batchColumns+` FROM batches b JOIN providers p ON p.id = b.provider_id
		WHERE b.status IN ('queued', 'running') ORDER BY b.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		b, err := scanBatch(rows)
		if err != nil {
			return nil, err
		}
		if b.Claimable(now, alive) {
			return b, nil
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return nil, credit.Errorf(credit.ENOTFOUND, "没有待处理的批次", "no batch to process")
}

// holds checks, in t, that owner still holds the batch, and renews the lease.
func holds(ctx context.Context, t *tx, id int64, owner string, lease time.Time) error {
	tag, err := t.Exec(ctx, `UPDATE batches SET lease_until = $1 WHERE id = $2 AND owner = $3 AND status = 'running'`, lease, id, owner)
	if err != nil {
		return fmt.Errorf("renew lease: %w", err)
	}
	if tag.RowsAffected() != 1 {
		return credit.Errorf(credit.ECONFLICT, "批次 %d 已由其他进程接手处理", "batch %d is being processed by another process", id)
	}
	return nil
}

// CommitChunk stores a chunk in one transaction.
func (db *DB) CommitChunk(ctx context.Context, c *credit.Chunk, owner string, lease time.Time) ([]credit.Outcome, error) {
	var out []credit.Outcome
	err := db.inTx(ctx, func(t *tx) error {
		var err error
		out, err = commitChunk(ctx, t, c, owner, lease)
		return err
	})
	return out, err
}

// CommitChunks stores chunks several to a transaction. The chunks of a
// transaction are kept until it commits, so that one the database aborts
// (a deadlock with another node) runs again with the same chunks.
func (db *DB) CommitChunks(ctx context.Context, owner string, lease time.Duration, rows int, span time.Duration,
	next func() (*credit.Chunk, error), committed func(chunks int)) error {
	done := false
	for !done {
		var group []*credit.Chunk
		err := db.inTx(ctx, func(t *tx) error {
			began := time.Now()
			n := 0
			for i := 0; ; i++ {
				if i == len(group) { // not read yet: this is not a rerun
					c, err := next()
					if err != nil {
						return err
					}
					if c == nil {
						done = true
						return nil
					}
					group = append(group, c)
				}
				c := group[i]
				if _, err := commitChunk(ctx, t, c, owner, db.Now().Add(lease)); err != nil {
					return err
				}
				if n += c.RowsRead; i == len(group)-1 && (n >= rows || time.Since(began) >= span) {
					return nil
				}
			}
		})
		if err != nil {
			return err
		}
		if len(group) > 0 {
			committed(len(group))
		}
	}
	return nil
}

func commitChunk(ctx context.Context, t *tx, c *credit.Chunk, owner string, lease time.Time) ([]credit.Outcome, error) {
	if err := holds(ctx, t, c.Batch.ID, owner, lease); err != nil {
		return nil, err
	}
	var out []credit.Outcome
	if c.Submission != nil && len(c.Submission.Drafts) > 0 {
		var err error
		if out, err = submit(ctx, t, c.Submission); err != nil {
			return nil, err
		}
	}
	counts := map[string]int{}
	rejected := c.Rejected
	for _, o := range out {
		counts[o.Status]++
		if o.Status == credit.StatusRejected && o.Error != nil {
			rejected = append(rejected, credit.RowError{Row: o.Index, Errors: []credit.FieldError{*o.Error}, Sealed: c.Seal(c.Cells[o.Index])})
		}
	}
	if err := insertRowErrors(ctx, t, c.Batch.ID, rejected); err != nil {
		return nil, err
	}
	notes := ""
	if c.Notes != nil {
		b, _ := json.Marshal(c.Notes)
		notes = string(b)
	}
	if _, err := t.Exec(ctx, `UPDATE batches SET rows_read = rows_read + $1, created = created + $2, updated = updated + $3,
		unchanged = unchanged + $4, rejected = rejected + $5, checkpoint = $6, progress = $7,
		notes = CASE WHEN $8 = '' THEN notes ELSE $8 END, format = $9, encoding = $10, header = $11 WHERE id = $12`,
		c.RowsRead, counts[credit.StatusCreated], counts[credit.StatusUpdated], counts[credit.StatusUnchanged], len(c.Rejected)+counts[credit.StatusRejected],
		c.Checkpoint, c.Progress, notes, c.Batch.Format, c.Batch.Encoding, jsonText(c.Batch.Header), c.Batch.ID); err != nil {
		return nil, fmt.Errorf("update batch: %w", err)
	}
	return out, nil
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func insertRowErrors(ctx context.Context, t *tx, batchID int64, rows []credit.RowError) error {
	if len(rows) == 0 {
		return nil
	}
	nums, errs, cells := make([]int32, len(rows)), make([]string, len(rows)), make([][]byte, len(rows))
	for i, r := range rows {
		nums[i], errs[i], cells[i] = int32(r.Row), jsonText(r.Errors), r.Sealed
	}
	if _, err := t.Exec(ctx, `INSERT INTO batch_errors (batch_id, row, errors, cells)
		SELECT $1, r, e, c FROM unnest($2::int[], $3::text[], $4::bytea[]) AS u (r, e, c)
		ON CONFLICT (batch_id, row) DO UPDATE SET errors = EXCLUDED.errors, cells = EXCLUDED.cells`, batchID, nums, errs, cells); err != nil {
		return fmt.Errorf("insert row errors: %w", err)
	}
	return nil
}

// CommitAtomic stores every chunk in one transaction and finishes the batch.
func (db *DB) CommitAtomic(ctx context.Context, b *credit.Batch, owner string, next func() (*credit.Chunk, error)) ([]credit.RowError, error) {
	var refused []credit.RowError
	var chunks []*credit.Chunk
	err := db.inTx(ctx, func(t *tx) error {
		refused = nil
		for i := 0; ; i++ {
			if i == len(chunks) {
				c, err := next()
				if err != nil {
					return err
				}
				if c == nil {
					break
				}
				c.RowsRead = 0 // counted by the validation pass
				chunks = append(chunks, c)
			}
			c := chunks[i]
			out, err := commitChunk(ctx, t, c, owner, t.now.Add(time.Hour))
			if err != nil {
				return err
			}
			for _, o := range out {
				if o.Status == credit.StatusRejected && o.Error != nil {
					refused = append(refused, credit.RowError{Row: o.Index, Errors: []credit.FieldError{*o.Error}, Sealed: c.Seal(c.Cells[o.Index])})
				}
			}
		}
		if len(refused) > 0 {
			return errRefused // roll back
		}
		return finish(ctx, t, b, owner, credit.BatchDone, "", "")
	})
	if errors.Is(err, errRefused) {
		return refused, nil
	}
	return nil, err
}

var errRefused = errors.New("atomic batch refused")

// FinishBatch marks the batch done, or failed with a reason.
func (db *DB) FinishBatch(ctx context.Context, b *credit.Batch, owner, status, reasonZH, reasonEN string) error {
	return db.inTx(ctx, func(t *tx) error { return finish(ctx, t, b, owner, status, reasonZH, reasonEN) })
}

func finish(ctx context.Context, t *tx, b *credit.Batch, owner, status, reasonZH, reasonEN string) error {
	if err := holds(ctx, t, b.ID, owner, t.now); err != nil {
		return err
	}
	progress := 1.0
	if status == credit.BatchFailed {
		progress = -1 // keep the value as it was
	}
	if _, err := t.Exec(ctx, `UPDATE batches SET status = $1, reason_zh = $2, reason_en = $3, owner = '', lease_until = NULL, finished_at = $4,
		progress = CASE WHEN $5 < 0 THEN progress ELSE $5 END, format = $6, encoding = $7, header = $8 WHERE id = $9`,
		status, reasonZH, reasonEN, t.now, progress, b.Format, b.Encoding, jsonText(b.Header), b.ID); err != nil {
		return fmt.Errorf("finish batch: %w", err)
	}
	if err := dropUpload(ctx, t, b.ID); err != nil {
		return err
	}
	var counts string
	if err := t.QueryRow(ctx, `SELECT json_build_object('rows', rows_read, 'created', created, 'updated', updated, 'unchanged', unchanged,
		'rejected', rejected, 'status', status, 'reason', reason_en)::text FROM batches WHERE id = $1`, b.ID).Scan(&counts); err != nil {
		return err
	}
	return t.record(ctx, owner, "batch.finish", fmt.Sprintf("batch:%d", b.ID), counts)
}

// BatchErrors calls fn with each rejected row in row order.
func (db *DB) BatchErrors(ctx context.Context, id int64, fn func(credit.RowError) error) error {
	rows, err := db.pool.Query(ctx, `SELECT row, errors, cells FROM batch_errors WHERE batch_id = $1 ORDER BY row`, id)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var r credit.RowError
		var errs string
		if err := rows.Scan(&r.Row, &errs, &r.Sealed); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(errs), &r.Errors); err != nil {
			return fmt.Errorf("row %d errors: %w", r.Row, err)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}
