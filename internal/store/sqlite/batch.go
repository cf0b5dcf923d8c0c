package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/xinyong/xinyong/internal/credit"
)

const batchColumns = `b.id, b.provider_id, p.code, b.item, b.mode, b.status, b.file_name, b.file_path, b.file_hash, b.file_size, b.sheet,
	b.format, b.encoding, b.header, b.notes, b.rows_read, b.created, b.updated, b.unchanged, b.rejected, b.checkpoint, b.progress,
	b.reason_zh, b.reason_en, b.owner, b.lease_until, b.created_at, b.started_at, b.finished_at`

func scanBatch(s scanner) (*credit.Batch, error) {
	var b credit.Batch
	var header, notes, lease, created string
	var started, finished sql.NullString
	if err := s.Scan(&b.ID, &b.ProviderID, &b.ProviderCode, &b.Item, &b.Mode, &b.Status, &b.FileName, &b.FilePath, &b.FileHash, &b.FileSize,
		&b.Sheet, &b.Format, &b.Encoding, &header, &notes, &b.RowsRead, &b.Created, &b.Updated, &b.Unchanged, &b.Rejected,
		&b.Checkpoint, &b.Progress, &b.ReasonZH, &b.ReasonEN, &b.Owner, &lease, &created, &started, &finished); err != nil {
		return nil, err
	}
	json.Unmarshal([]byte(header), &b.Header)
	json.Unmarshal([]byte(notes), &b.Notes)
	b.LeaseUntil, b.CreatedAt = parseTS(lease), parseTS(created)
	if started.Valid {
		t := parseTS(started.String)
		b.StartedAt = &t
	}
	if finished.Valid {
		t := parseTS(finished.String)
		b.FinishedAt = &t
	}
	return &b, nil
}

// CreateBatch stores a new queued batch.
func (db *DB) CreateBatch(ctx context.Context, b *credit.Batch) error {
	t, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer t.Rollback()
	res, err := t.ExecContext(ctx, `INSERT INTO batches (provider_id, item, mode, status, file_name, file_path, file_hash, file_size, sheet, created_at)
		VALUES (?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?)`, b.ProviderID, b.Item, b.Mode, b.FileName, b.FilePath, b.FileHash, b.FileSize, b.Sheet, ts(t.now))
	if isConstraint(err) {
		return credit.Errorf(credit.ECONFLICT, "同一文件已在处理中", "the same file is already being collected")
	}
	if err != nil {
		return fmt.Errorf("insert batch: %w", err)
	}
	if b.ID, err = res.LastInsertId(); err != nil {
		return err
	}
	b.Status, b.CreatedAt = credit.BatchQueued, t.now
	detail := fmt.Sprintf(`{"item":%q,"mode":%q,"file":%q,"size":%d,"sha256":"%x"}`, b.Item, b.Mode, b.FileName, b.FileSize, b.FileHash)
	if err := t.record(ctx, "provider:"+b.ProviderCode, "batch.create", fmt.Sprintf("batch:%d", b.ID), detail); err != nil {
		return err
	}
	return t.Commit()
}

// FindBatch returns the provider's latest batch of item with the same file.
func (db *DB) FindBatch(ctx context.Context, providerID int64, item string, hash []byte, mode, sheet string) (*credit.Batch, error) {
	b, err := scanBatch(db.read.QueryRowContext(ctx, `SELECT `+batchColumns+` FROM batches b JOIN providers p ON p.id = b.provider_id
		WHERE b.provider_id = ? AND b.item = ? AND b.file_hash = ? AND b.mode = ? AND b.sheet = ? ORDER BY b.id DESC LIMIT 1`, providerID, item, hash, mode, sheet))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, credit.Errorf(credit.ENOTFOUND, "没有相同文件的批次", "no batch of the same file")
	}
	return b, err
}

// Batch returns a batch.
func (db *DB) Batch(ctx context.Context, id int64) (*credit.Batch, error) {
	b, err := scanBatch(db.read.QueryRowContext(ctx, `SELECT `+batchColumns+` FROM batches b JOIN providers p ON p.id = b.provider_id WHERE b.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, credit.Errorf(credit.ENOTFOUND, "批次 %d 不存在", "batch %d does not exist", id)
	}
	return b, err
}

// Batches lists a provider's batches, newest first.
func (db *DB) Batches(ctx context.Context, providerID int64, limit int) ([]*credit.Batch, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+batchColumns+` FROM batches b JOIN providers p ON p.id = b.provider_id
		WHERE b.provider_id = ? ORDER BY b.id DESC LIMIT ?`, providerID, limit)
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

// ClaimBatch makes owner the batch's processor until lease.
func (db *DB) ClaimBatch(ctx context.Context, id int64, owner string, lease time.Time, alive func(string) bool) (bool, error) {
	t, err := db.begin(ctx)
	if err != nil {
		return false, err
	}
	defer t.Rollback()
	b, err := scanBatch(t.QueryRowContext(ctx, `SELECT `+batchColumns+` FROM batches b JOIN providers p ON p.id = b.provider_id WHERE b.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return false, credit.Errorf(credit.ENOTFOUND, "批次 %d 不存在", "batch %d does not exist", id)
	}
	if err != nil {
		return false, err
	}
	if b.Owner != owner && !b.Claimable(t.now, alive) || b.Status == credit.BatchDone || b.Status == credit.BatchFailed {
		return false, nil
	}
	if b.Status == credit.BatchRunning && b.Mode == credit.ModeAtomic {
		// An atomic batch stored nothing before its end: validate it again
		// from the start.
		if _, err := t.ExecContext(ctx, `DELETE FROM batch_errors WHERE batch_id = ?`, id); err != nil {
			return false, err
		}
		if _, err := t.ExecContext(ctx, `UPDATE batches SET rows_read = 0, rejected = 0, checkpoint = 0, progress = 0 WHERE id = ?`, id); err != nil {
			return false, err
		}
	}
	if _, err := t.ExecContext(ctx, `UPDATE batches SET status = 'running', owner = ?, lease_until = ?, started_at = coalesce(started_at, ?) WHERE id = ?`,
		owner, ts(lease), ts(t.now), id); err != nil {
		return false, fmt.Errorf("claim batch: %w", err)
	}
	action := "batch.start"
	if b.Status == credit.BatchRunning {
		action = "batch.resume"
	}
	if err := t.record(ctx, owner, action, fmt.Sprintf("batch:%d", id), fmt.Sprintf(`{"after_row":%d,"previous_owner":%q}`, b.Checkpoint, b.Owner)); err != nil {
		return false, err
	}
	return true, t.Commit()
}

// NextBatch returns the oldest batch that could be claimed.
func (db *DB) NextBatch(ctx context.Context, now time.Time, alive func(string) bool) (*credit.Batch, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+batchColumns+` FROM batches b JOIN providers p ON p.id = b.provider_id
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
	res, err := t.ExecContext(ctx, `UPDATE batches SET lease_until = ? WHERE id = ? AND owner = ? AND status = 'running'`, ts(lease), id, owner)
	if err != nil {
		return fmt.Errorf("renew lease: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return credit.Errorf(credit.ECONFLICT, "批次 %d 已由其他进程接手处理", "batch %d is being processed by another process", id)
	}
	return nil
}

// CommitChunk stores a chunk in one transaction.
func (db *DB) CommitChunk(ctx context.Context, c *credit.Chunk, owner string, lease time.Time) ([]credit.Outcome, error) {
	t, err := db.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer t.Rollback()
	out, err := commitChunk(ctx, t, c, owner, lease)
	if err != nil {
		return nil, err
	}
	if err := t.Commit(); err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	return out, nil
}

// CommitChunks stores chunks several to a transaction.
func (db *DB) CommitChunks(ctx context.Context, owner string, lease time.Duration, rows int, span time.Duration,
	next func() (*credit.Chunk, error), committed func(chunks int)) error {
	for {
		c, err := next()
		if err != nil || c == nil {
			return err
		}
		t, err := db.begin(ctx)
		if err != nil {
			return err
		}
		began := time.Now()
		n, chunks := 0, 0
		for c != nil {
			if _, err := commitChunk(ctx, t, c, owner, db.Now().Add(lease)); err != nil {
				t.Rollback()
				return err
			}
			n += c.RowsRead
			chunks++
			if n >= rows || time.Since(began) >= span {
				break
			}
			if c, err = next(); err != nil {
				t.Rollback()
				return err
			}
		}
		if err := t.Commit(); err != nil {
			t.Rollback()
			return fmt.Errorf("commit: %w", err)
		}
		committed(chunks)
		if c == nil {
			return nil
		}
	}
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
	if _, err := t.ExecContext(ctx, `UPDATE batches SET rows_read = rows_read + ?, created = created + ?, updated = updated + ?, unchanged = unchanged + ?,
		rejected = rejected + ?, checkpoint = ?, progress = ?, notes = CASE WHEN ? = '' THEN notes ELSE ? END,
		format = ?, encoding = ?, header = ? WHERE id = ?`,
		c.RowsRead, counts[credit.StatusCreated], counts[credit.StatusUpdated], counts[credit.StatusUnchanged], len(c.Rejected)+counts[credit.StatusRejected],
		c.Checkpoint, c.Progress, notes, notes, c.Batch.Format, c.Batch.Encoding, jsonText(c.Batch.Header), c.Batch.ID); err != nil {
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
	st, err := t.PrepareContext(ctx, `INSERT OR REPLACE INTO batch_errors (batch_id, row, errors, cells) VALUES (?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer st.Close()
	for _, r := range rows {
		if _, err := st.ExecContext(ctx, batchID, r.Row, jsonText(r.Errors), r.Sealed); err != nil {
			return fmt.Errorf("insert row error: %w", err)
		}
	}
	return nil
}

// CommitAtomic stores every chunk in one transaction and finishes the batch.
func (db *DB) CommitAtomic(ctx context.Context, b *credit.Batch, owner string, next func() (*credit.Chunk, error)) ([]credit.RowError, error) {
	t, err := db.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer t.Rollback()
	var refused []credit.RowError
	for {
		c, err := next()
		if err != nil {
			return nil, err
		}
		if c == nil {
			break
		}
		c.RowsRead = 0 // counted by the validation pass
		out, err := commitChunk(ctx, t, c, owner, t.now.Add(time.Hour))
		if err != nil {
			return nil, err
		}
		for _, o := range out {
			if o.Status == credit.StatusRejected && o.Error != nil {
				refused = append(refused, credit.RowError{Row: o.Index, Errors: []credit.FieldError{*o.Error}, Sealed: c.Seal(c.Cells[o.Index])})
			}
		}
	}
	if len(refused) > 0 {
		return refused, nil // rolled back
	}
	if err := finish(ctx, t, b, owner, credit.BatchDone, "", ""); err != nil {
		return nil, err
	}
	return nil, t.Commit()
}

// FinishBatch marks the batch done, or failed with a reason.
func (db *DB) FinishBatch(ctx context.Context, b *credit.Batch, owner, status, reasonZH, reasonEN string) error {
	t, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer t.Rollback()
	if err := finish(ctx, t, b, owner, status, reasonZH, reasonEN); err != nil {
		return err
	}
	return t.Commit()
}

func finish(ctx context.Context, t *tx, b *credit.Batch, owner, status, reasonZH, reasonEN string) error {
	if err := holds(ctx, t, b.ID, owner, t.now); err != nil {
		return err
	}
	progress := 1.0
	if status == credit.BatchFailed {
		progress = -1 // keep the value as it was
	}
	if _, err := t.ExecContext(ctx, `UPDATE batches SET status = ?, reason_zh = ?, reason_en = ?, owner = '', lease_until = '', finished_at = ?,
		progress = CASE WHEN ? < 0 THEN progress ELSE ? END, format = ?, encoding = ?, header = ? WHERE id = ?`,
		status, reasonZH, reasonEN, ts(t.now), progress, progress, b.Format, b.Encoding, jsonText(b.Header), b.ID); err != nil {
		return fmt.Errorf("finish batch: %w", err)
	}
	var counts string
	if err := t.QueryRowContext(ctx, `SELECT json_object('rows', rows_read, 'created', created, 'updated', updated, 'unchanged', unchanged, 'rejected', rejected,
		'status', status, 'reason', reason_en) FROM batches WHERE id = ?`, b.ID).Scan(&counts); err != nil {
		return err
	}
	return t.record(ctx, owner, "batch.finish", fmt.Sprintf("batch:%d", b.ID), counts)
}

// BatchErrors calls fn with each rejected row in row order.
func (db *DB) BatchErrors(ctx context.Context, id int64, fn func(credit.RowError) error) error {
	rows, err := db.read.QueryContext(ctx, `SELECT row, errors, cells FROM batch_errors WHERE batch_id = ? ORDER BY row`, id)
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
