package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/workday"
)

// CreateAnnouncement stores a, setting its ID and PublishedAt, with its
// audit entry.
func (db *DB) CreateAnnouncement(ctx context.Context, a *credit.Announcement) error {
	if err := a.Validate(); err != nil {
		return err
	}
	t, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer t.Rollback()
	if err := createAnnouncement(ctx, t, a); err != nil {
		return err
	}
	if err := t.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// createAnnouncement inserts a, published at the transaction's time, and
// writes its audit entry.
func createAnnouncement(ctx context.Context, t *tx, a *credit.Announcement) error {
	res, err := t.ExecContext(ctx, `INSERT INTO announcements (title_zh, title_en, body_zh, body_en, published_at, author) VALUES (?, ?, ?, ?, ?, ?)`,
		a.TitleZH, a.TitleEN, a.BodyZH, a.BodyEN, ts(t.now), a.Author)
	if err != nil {
		return fmt.Errorf("insert announcement: %w", err)
	}
	if a.ID, err = res.LastInsertId(); err != nil {
		return err
	}
	a.PublishedAt = t.now
	return t.record(ctx, a.Author, "announcement.create", "announcement:"+strconv.FormatInt(a.ID, 10), a.AuditDetail())
}

const announcementColumns = `id, title_zh, title_en, body_zh, body_en, published_at, author`

func scanAnnouncement(s scanner) (*credit.Announcement, error) {
	var a credit.Announcement
	var published string
	if err := s.Scan(&a.ID, &a.TitleZH, &a.TitleEN, &a.BodyZH, &a.BodyEN, &published, &a.Author); err != nil {
		return nil, err
	}
	a.PublishedAt = parseTS(published)
	return &a, nil
}

// Announcements returns up to limit announcements, newest first.
func (db *DB) Announcements(ctx context.Context, limit int) ([]*credit.Announcement, error) {
	out := []*credit.Announcement{}
	if limit < 1 {
		return out, nil
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+announcementColumns+` FROM announcements ORDER BY published_at DESC, id DESC LIMIT ?`, limit)
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
	a, err := scanAnnouncement(db.read.QueryRowContext(ctx, `SELECT `+announcementColumns+` FROM announcements WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, credit.Errorf(credit.ENOTFOUND, "没有编号为 %d 的公告", "no announcement %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("read announcement: %w", err)
	}
	return a, nil
}

// Stats computes the public statistics on day (a date in China Standard
// Time), from one snapshot. It reads the records table whole, twice:
// migration 0005 says why no index spares it that.
func (db *DB) Stats(ctx context.Context, day time.Time) (*credit.Stats, error) {
	s := credit.NewStats(day.In(workday.CST))
	d := s.Day.Format(time.DateOnly)
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()

	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM subjects WHERE kind = 'org'`).Scan(&s.Subjects); err != nil {
		return nil, fmt.Errorf("count subjects: %w", err)
	}

	rows, err := tx.QueryContext(ctx, `SELECT r.item, count(*), count(*) FILTER (WHERE r.published_from >= ?)
		FROM records r WHERE `+publicOn+` GROUP BY r.item`, s.PublishedSince().Format(time.DateOnly), d, d)
	if err != nil {
		return nil, fmt.Errorf("count public records: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var item string
		var n, recent int
		if err := rows.Scan(&item, &n, &recent); err != nil {
			return nil, fmt.Errorf("count public records: %w", err)
		}
		s.PublicByItem[item] = n
		s.PublishedLast30 += recent
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count public records: %w", err)
	}

	// first_submitted_at is UTC text (ts): the month in China Standard
	// Time is that of the time moved by CST's offset.
	from, until := s.CollectedWindow()
	_, offset := s.Day.Zone()
	rows, err = tx.QueryContext(ctx, `SELECT c.month, p.code, p.name, c.records, c.with_deadline, c.on_time
		FROM (SELECT strftime('%Y-%m', first_submitted_at, ?) AS month, provider_id, count(*) AS records,
				count(submission_deadline) AS with_deadline, count(*) FILTER (WHERE on_time = 1) AS on_time
			FROM records
			WHERE first_submitted_at >= ? AND first_submitted_at < ?
			GROUP BY month, provider_id) c
		JOIN providers p ON p.id = c.provider_id`, fmt.Sprintf("%+d seconds", offset), ts(from), ts(until))
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
