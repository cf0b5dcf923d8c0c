package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/workday"
)

// CreateAnnouncement stores a, setting its ID and PublishedAt, with its
// audit entry.
func (db *DB) CreateAnnouncement(ctx context.Context, a *credit.Announcement) error {
	if err := a.Validate(); err != nil {
		return err
	}
	return db.inTx(ctx, func(t *tx) error { return createAnnouncement(ctx, t, a) })
}

// createAnnouncement inserts a, published at the transaction's time, and
// queues its audit entry.
func createAnnouncement(ctx context.Context, t *tx, a *credit.Announcement) error {
	err := t.QueryRow(ctx, `INSERT INTO announcements (title_zh, title_en, body_zh, body_en, published_at, author)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, a.TitleZH, a.TitleEN, a.BodyZH, a.BodyEN, t.now, a.Author).Scan(&a.ID)
	if err != nil {
		return fmt.Errorf("insert announcement: %w", err)
	}
	a.PublishedAt = t.now
	return t.record(ctx, a.Author, "announcement.create", "announcement:"+strconv.FormatInt(a.ID, 10), a.AuditDetail())
}

const announcementColumns = `id, title_zh, title_en, body_zh, body_en, published_at, author`

func scanAnnouncement(s pgx.Row) (*credit.Announcement, error) {
	var a credit.Announcement
	if err := s.Scan(&a.ID, &a.TitleZH, &a.TitleEN, &a.BodyZH, &a.BodyEN, &a.PublishedAt, &a.Author); err != nil {
		return nil, err
	}
	a.PublishedAt = a.PublishedAt.UTC()
	return &a, nil
}

// Announcements returns up to limit announcements, newest first.
func (db *DB) Announcements(ctx context.Context, limit int) ([]*credit.Announcement, error) {
	out := []*credit.Announcement{}
	if limit < 1 {
		return out, nil
	}
	rows, err := db.pool.Query(ctx, `SELECT `+announcementColumns+` FROM announcements ORDER BY published_at DESC, id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("read announcements: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		a, err := scanAnnouncement(rows)
		if err != nil {
			return nil, fmt.Errorf("read announcements: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Announcement returns one announcement.
func (db *DB) Announcement(ctx context.Context, id int64) (*credit.Announcement, error) {
	a, err := scanAnnouncement(db.pool.QueryRow(ctx, `SELECT `+announcementColumns+` FROM announcements WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, credit.Errorf(credit.ENOTFOUND, "没有编号为 %d 的公告", "no announcement %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("read announcement: %w", err)
	}
	return a, nil
}

// Stats computes the public statistics on day (a date in China Standard
// Time), from one snapshot.
func (db *DB) Stats(ctx context.Context, day time.Time) (*credit.Stats, error) {
	s := credit.NewStats(day.In(workday.CST))
	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)

	if err := tx.QueryRow(ctx, `SELECT count(*) FROM subjects WHERE kind = 'org'`).Scan(&s.Subjects); err != nil {
		return nil, fmt.Errorf("count subjects: %w", err)
	}

	rows, err := tx.Query(ctx, `SELECT r.item, count(*), count(*) FILTER (WHERE r.published_from >= $2)
		FROM records r WHERE `+publicOn("$1")+` GROUP BY r.item`,
		s.Day.Format(time.DateOnly), s.PublishedSince().Format(time.DateOnly))
	if err != nil {
		return nil, fmt.Errorf("count public records: %w", err)
	}
	for rows.Next() {
		var item string
		var n, recent int
		if err := rows.Scan(&item, &n, &recent); err != nil {
			rows.Close()
			return nil, fmt.Errorf("count public records: %w", err)
		}
		s.PublicByItem[item] = n
		s.PublishedLast30 += recent
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count public records: %w", err)
	}

	// The month in China Standard Time of a first submission is that of
	// the time at CST's offset (an interval: east of UTC is positive).
	from, until := s.CollectedWindow()
	_, offset := s.Day.Zone()
	rows, err = tx.Query(ctx, `SELECT c.month, p.code, p.name, c.records, c.with_deadline, c.on_time
		FROM (SELECT to_char(first_submitted_at AT TIME ZONE $1::interval, 'YYYY-MM') AS month, provider_id, count(*) AS records,
				count(submission_deadline) AS with_deadline, count(*) FILTER (WHERE on_time) AS on_time
			FROM records
			WHERE first_submitted_at >= $2 AND first_submitted_at < $3
			GROUP BY month, provider_id) c
		JOIN providers p ON p.id = c.provider_id`, time.Duration(offset)*time.Second, from, until)
	if err != nil {
		return nil, fmt.Errorf("count collected records: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var month string
		var c credit.PeriodCount
		if err := rows.Scan(&month, &c.Key, &c.Name, &c.Records, &c.WithDeadline, &c.OnTime); err != nil {
			return nil, fmt.Errorf("count collected records: %w", err)
		}
		s.AddCollected(month, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count collected records: %w", err)
	}
	return s, nil
}
