package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/names"
)

// searchCap bounds how many matches a search counts; beyond it the total
// is reported as capped (at least searchCap), as on every backend.
const searchCap = 1000

// SearchSubjects finds organisations by name fragment or code prefix, as
// package names reads the query, matched against current and former names. Organisations with a name equal to the query come first, then the
// others in the order they were first seen. Cost is bounded by the page,
// not by the number of matches: the index is read in order and only the
// page's subjects are fetched.
func (db *DB) SearchSubjects(ctx context.Context, f credit.SubjectFilter) (*credit.SubjectPage, error) {
	kind, q := names.Parse(f.Query)
	page := &credit.SubjectPage{Hits: []credit.SubjectHit{}}
	if kind == names.None || f.PerPage < 1 {
		return page, nil
	}
	if f.Page < 1 {
		f.Page = 1
	}
	offset := (f.Page - 1) * f.PerPage
	var table, match string
	switch kind {
	case names.CodePrefix:
		return db.searchCode(ctx, q, f.PerPage, offset)
	case names.Fragment:
		table, match = "name_trigram", `"`+strings.ReplaceAll(q, `"`, `""`)+`"`
	default:
		table, match = "name_chars", `"`+spaced(q)+`"`
	}
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true}) // one snapshot for the count and the page
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()

	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT rowid FROM `+table+` WHERE `+table+` MATCH ? LIMIT ?)`,
		match, searchCap+1).Scan(&page.Total); err != nil {
		return nil, fmt.Errorf("count names: %w", err)
	}
	if page.Total > searchCap {
		page.Total, page.TotalCapped = searchCap, true
	}

	// Exact names first.
	exact, err := ids(ctx, tx, `SELECT DISTINCT n.subject_id FROM subject_names n JOIN subjects s ON s.id = n.subject_id
		WHERE n.name = ? AND s.kind = 'org' ORDER BY n.subject_id LIMIT 50`, q)
	if err != nil {
		return nil, fmt.Errorf("exact names: %w", err)
	}
	var pageIDs []int64
	if offset < len(exact) {
		pageIDs = append(pageIDs, exact[offset:min(len(exact), offset+f.PerPage)]...)
	}
	if rest := f.PerPage - len(pageIDs); rest > 0 {
		skip := make([]string, len(exact))
		for i, id := range exact {
			skip[i] = strconv.FormatInt(id, 10)
		}
		notIn := ""
		if len(skip) > 0 {
			notIn = " AND rowid NOT IN (" + strings.Join(skip, ",") + ")"
		}
		more, err := ids(ctx, tx, `SELECT rowid FROM `+table+` WHERE `+table+` MATCH ?`+notIn+` ORDER BY rowid LIMIT ? OFFSET ?`,
			match, rest, max(0, offset-len(exact)))
		if err != nil {
			return nil, fmt.Errorf("search names: %w", err)
		}
		pageIDs = append(pageIDs, more...)
	}
	if len(pageIDs) == 0 {
		return page, nil
	}
	hits, err := subjectHits(ctx, tx, pageIDs)
	if err != nil {
		return nil, err
	}
	for i := range hits {
		if err := matchedName(ctx, tx, &hits[i], q); err != nil {
			return nil, err
		}
	}
	page.Hits = hits
	return page, nil
}

func ids(ctx context.Context, tx *sql.Tx, query string, args ...any) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// subjectHits fetches the subjects of a page, in the page's order.
func subjectHits(ctx context.Context, tx *sql.Tx, pageIDs []int64) ([]credit.SubjectHit, error) {
	list := make([]string, len(pageIDs))
	for i, id := range pageIDs {
		list[i] = strconv.FormatInt(id, 10)
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, uscc, name, type FROM subjects WHERE id IN (`+strings.Join(list, ",")+`)`)
	if err != nil {
		return nil, fmt.Errorf("page subjects: %w", err)
	}
	defer rows.Close()
	byID := make(map[int64]credit.SubjectHit, len(pageIDs))
	for rows.Next() {
		var h credit.SubjectHit
		if err := rows.Scan(&h.SubjectID, &h.USCC, &h.Name, &h.Type); err != nil {
			return nil, err
		}
		byID[h.SubjectID] = h
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	hits := make([]credit.SubjectHit, 0, len(pageIDs))
	for _, id := range pageIDs {
		if h, ok := byID[id]; ok {
			hits = append(hits, h)
		}
	}
	return hits, nil
}

// matchedName sets the name that matched q: the current name when it
// does, else the former name that does.
func matchedName(ctx context.Context, tx *sql.Tx, h *credit.SubjectHit, q string) error {
	if names.Matches(h.Name, q) {
		h.MatchedName = h.Name
		return nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT name FROM subject_names WHERE subject_id = ? ORDER BY id DESC`, h.SubjectID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return err
		}
		if names.Matches(n, q) {
			h.MatchedName = n
			return nil
		}
	}
	h.MatchedName = h.Name
	return rows.Err()
}

func (db *DB) searchCode(ctx context.Context, prefix string, limit, offset int) (*credit.SubjectPage, error) {
	page := &credit.SubjectPage{Hits: []credit.SubjectHit{}}
	hi := prefix + "~" // '~' sorts after every character of a code
	// Only organisations have a code, so the unique index on uscc answers
	// both queries.
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM subjects WHERE uscc >= ? AND uscc < ? LIMIT ?)`,
		prefix, hi, searchCap+1).Scan(&page.Total); err != nil {
		return nil, fmt.Errorf("count codes: %w", err)
	}
	if page.Total > searchCap {
		page.Total, page.TotalCapped = searchCap, true
	}
	rows, err := db.read.QueryContext(ctx, `SELECT id, uscc, name, name, type FROM subjects WHERE uscc >= ? AND uscc < ?
		ORDER BY uscc LIMIT ? OFFSET ?`, prefix, hi, limit, offset)
	if err != nil {
		return nil, fmt.Errorf("search codes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var h credit.SubjectHit
		if err := rows.Scan(&h.SubjectID, &h.USCC, &h.Name, &h.MatchedName, &h.Type); err != nil {
			return nil, err
		}
		page.Hits = append(page.Hits, h)
	}
	return page, rows.Err()
}
