package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/jackc/pgx/v5"

	"github.com/xinyong/xinyong/internal/credit"
)

var _ credit.SharedUploads = (*DB)(nil)

// uploadPiece is the size of the pieces an upload is kept in.
const uploadPiece = 1 << 20

// keepUpload copies the file at path into the batch's upload rows, by COPY.
func keepUpload(ctx context.Context, t *tx, batchID int64, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("keep upload: %w", err)
	}
	defer f.Close()
	buf := make([]byte, uploadPiece)
	seq := 0
	var readErr error
	src := pgx.CopyFromFunc(func() ([]any, error) {
		if readErr != nil {
			return nil, nil
		}
		n, err := io.ReadFull(f, buf)
		if n == 0 {
			if err != io.EOF {
				readErr = err
			}
			return nil, nil
		}
		if err != nil && err != io.ErrUnexpectedEOF {
			readErr = err
			return nil, nil
		}
		seq++
		return []any{batchID, seq, append([]byte(nil), buf[:n]...)}, nil
	})
	if _, err := t.CopyFrom(ctx, pgx.Identifier{"uploads"}, []string{"batch_id", "seq", "data"}, src); err != nil {
		return fmt.Errorf("keep upload: %w", err)
	}
	if readErr != nil {
		return fmt.Errorf("keep upload: %w", readErr)
	}
	return nil
}

// Upload writes the file of batch id to w.
func (db *DB) Upload(ctx context.Context, id int64, w io.Writer) error {
	rows, err := db.pool.Query(ctx, `SELECT data FROM uploads WHERE batch_id = $1 ORDER BY seq`, id)
	if err != nil {
		return err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			return err
		}
		if _, err := w.Write(data); err != nil {
			return err
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if n == 0 {
		return credit.Errorf(credit.ENOTFOUND, "批次 %d 的文件已不在数据库中", "the file of batch %d is no longer kept", id)
	}
	return nil
}

// dropUpload removes the batch's upload rows.
func dropUpload(ctx context.Context, t *tx, batchID int64) error {
	if _, err := t.Exec(ctx, `DELETE FROM uploads WHERE batch_id = $1`, batchID); err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("drop upload: %w", err)
	}
	return nil
}
