package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/names"
)

// searchCap bounds how many matches a search counts and pages through;
// beyond it the total is reported as capped.
const searchCap = 5000

// SearchSubjects finds organisations by name fragment or code prefix, as
// package names reads the query, matched against current and former
// names: fragments of 3+ characters through the trigram index, 1–2
// characters through the grams index. Organisations with a name equal to
// the query come first, then the others in the order they were first
// seen.
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
	var where string
	var arg any
	switch kind {
	case names.CodePrefix:
		return db.searchCode(ctx, q, f.PerPage, offset)
	case names.Fragment:
		where, arg = `lower(n.name) LIKE $1`, "%"+likeEscape(strings.ToLower(q))+"%"
	default:
		where, arg = `n.grams @> ARRAY[$1::text]`, q
	}
	// One snapshot for the count and the page.
	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM (SELECT DISTINCT n.subject_id FROM subject_names n WHERE n.org AND `+where+` LIMIT $2) m`,
		arg, searchCap+1).Scan(&page.Total); err != nil {
		return nil, fmt.Errorf("count names: %w", err)
	}
	if page.Total > searchCap {
		page.Total, page.TotalCapped = searchCap, true
	}
	rows, err := tx.Query(ctx, `SELECT s.id, s.uscc, s.name, s.type FROM (
			SELECT n.subject_id, bool_or(n.name = $3) AS exact FROM subject_names n WHERE n.org AND `+where+`
			GROUP BY n.subject_id ORDER BY exact DESC, n.subject_id LIMIT $2 OFFSET $4
		) m JOIN subjects s ON s.id = m.subject_id ORDER BY m.exact DESC, m.subject_id`, arg, f.PerPage, q, offset)
	if err != nil {
		return nil, fmt.Errorf("search names: %w", err)
	}
	for rows.Next() {
		var h credit.SubjectHit
		if err := rows.Scan(&h.SubjectID, &h.USCC, &h.Name, &h.Type); err != nil {
			rows.Close()
			return nil, err
		}
		page.Hits = append(page.Hits, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search names: %w", err)
	}
	for i := range page.Hits {
		if err := matchedName(ctx, tx, &page.Hits[i], q); err != nil {
			return nil, err
		}
	}
	return page, nil
}

// likeEscape escapes the LIKE wildcards of s (backslash is the escape).
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// matchedName sets the name that matched q: the current name when it
// does, else the latest former name that does.
func matchedName(ctx context.Context, tx pgx.Tx, h *credit.SubjectHit, q string) error {
	h.MatchedName = h.Name
	if names.Matches(h.Name, q) {
		return nil
	}
	rows, err := tx.Query(ctx, `SELECT name FROM subject_names WHERE subject_id = $1 ORDER BY id DESC`, h.SubjectID)
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
	return rows.Err()
}

func (db *DB) searchCode(ctx context.Context, prefix string, limit, offset int) (*credit.SubjectPage, error) {
	page := &credit.SubjectPage{Hits: []credit.SubjectHit{}}
	pattern := likeEscape(prefix) + "%"
	if err := db.pool.QueryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM subjects WHERE kind = 'org' AND uscc LIKE $1 LIMIT $2) m`,
		pattern, searchCap+1).Scan(&page.Total); err != nil {
		return nil, fmt.Errorf("count codes: %w", err)
	}
	if page.Total > searchCap {
		page.Total, page.TotalCapped = searchCap, true
	}
	rows, err := db.pool.Query(ctx, `SELECT id, uscc, name, name, type FROM subjects WHERE kind = 'org' AND uscc LIKE $1
		ORDER BY uscc LIMIT $2 OFFSET $3`, pattern, limit, offset)
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
