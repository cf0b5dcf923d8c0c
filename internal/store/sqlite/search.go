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

// SearchSubjects finds organisations by name fragment, code prefix or
// registration number, as package names reads the query. Names are matched
// against current and former names: organisations with a name equal to the
// query come first, then the others in the order they were first seen. A
// registration number finds the organisations known by it exactly first,
// then those whose code starts with it. Cost is bounded by the page, not
// by the number of matches: the index is read in order and only the page's
// subjects are fetched.
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
		return searchCode(ctx, db.read, q, nil, f.PerPage, offset)
	case names.Registration:
		return db.searchRegistration(ctx, q, f.PerPage, offset)
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
	return column[int64](tx.QueryContext(ctx, query, args...))
}

// column reads the single column of the rows a query returned (or its
// error), and closes them.
func column[T any](rows *sql.Rows, err error) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
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

// querier is a database or a transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// searchRegistration finds the organisations known by the registration
// number code (exactly, in the order they were first seen), then, as
// searchCode, those whose code starts with it, each once, in one snapshot.
func (db *DB) searchRegistration(ctx context.Context, code string, limit, offset int) (*credit.SubjectPage, error) {
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	exact, err := ids(ctx, tx, `SELECT c.subject_id FROM subject_codes c JOIN subjects s ON s.id = c.subject_id
		WHERE c.code = ? AND s.kind = 'org' ORDER BY c.subject_id LIMIT ?`, code, searchCap)
	if err != nil {
		return nil, fmt.Errorf("search registration numbers: %w", err)
	}
	var pageIDs []int64
	if offset < len(exact) {
		pageIDs = exact[offset:min(len(exact), offset+limit)]
	}
	page, err := searchCode(ctx, tx, code, exact, limit-len(pageIDs), max(0, offset-len(exact)))
	if err != nil {
		return nil, err
	}
	if page.Total += len(exact); page.Total > searchCap {
		page.Total, page.TotalCapped = searchCap, true
	}
	if len(pageIDs) == 0 {
		return page, nil
	}
	hits, err := subjectHits(ctx, tx, pageIDs)
	if err != nil {
		return nil, err
	}
	for i := range hits {
		hits[i].MatchedCode = code
	}
	page.Hits = append(hits, page.Hits...)
	return page, nil
}

// searchCode finds up to limit organisations whose code starts with
// prefix, in code order after skipping offset, leaving out those in
// exclude (found otherwise), with their number.
func searchCode(ctx context.Context, q querier, prefix string, exclude []int64, limit, offset int) (*credit.SubjectPage, error) {
	page := &credit.SubjectPage{Hits: []credit.SubjectHit{}}
	hi := prefix + "~" // '~' sorts after every character of a code
	notIn := ""
	if len(exclude) > 0 {
		list := make([]string, len(exclude))
		for i, id := range exclude {
			list[i] = strconv.FormatInt(id, 10)
		}
		notIn = " AND id NOT IN (" + strings.Join(list, ",") + ")"
	}
	// Only organisations have a code, so the unique index on uscc answers
	// both queries.
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM subjects WHERE uscc >= ? AND uscc < ?`+notIn+` LIMIT ?)`,
		prefix, hi, searchCap+1).Scan(&page.Total); err != nil {
		return nil, fmt.Errorf("count codes: %w", err)
	}
	if page.Total > searchCap {
		page.Total, page.TotalCapped = searchCap, true
	}
	if limit < 1 || page.Total == 0 {
		return page, nil
	}
	rows, err := q.QueryContext(ctx, `SELECT id, uscc, name, name, type FROM subjects WHERE uscc >= ? AND uscc < ?`+notIn+`
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
