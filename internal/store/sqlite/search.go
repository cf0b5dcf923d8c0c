package sqlite

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/xinyong/xinyong/internal/credit"
)

// searchCap bounds how many name matches a search ranks; beyond it the
// total is reported as capped and deeper pages are not served.
const searchCap = 5000

var codePrefixRE = regexp.MustCompile(`^[0-9A-Z]{2,18}$`)

// SearchSubjects finds organisations by name fragment or code prefix. A
// query of letters and digits that contains a digit is a code prefix;
// anything else is a name fragment, matched against current and former
// names. Exact names rank first, then names that start with the query,
// then shorter names.
func (db *DB) SearchSubjects(ctx context.Context, f credit.SubjectFilter) (*credit.SubjectPage, error) {
	q := strings.TrimSpace(f.Query)
	page := &credit.SubjectPage{}
	if q == "" {
		return page, nil
	}
	if f.Page < 1 {
		f.Page = 1
	}
	offset := (f.Page - 1) * f.PerPage
	if upper := strings.ToUpper(q); codePrefixRE.MatchString(upper) && strings.ContainsAny(upper, "0123456789") {
		return db.searchCode(ctx, upper, f.PerPage, offset)
	}

	var match, table string
	if utf8.RuneCountInString(q) >= 3 {
		table, match = "name_trigram", `"`+strings.ReplaceAll(q, `"`, `""`)+`"`
	} else {
		chars := spaced(q)
		if chars == "" {
			return page, nil
		}
		table, match = "name_chars", `"`+chars+`"`
	}
	rows, err := db.read.QueryContext(ctx, `WITH m AS (SELECT rowid AS id FROM `+table+` WHERE `+table+` MATCH ? LIMIT ?),
		hits AS (
			SELECT s.id, s.uscc, s.name, s.type, n.name AS matched,
				row_number() OVER (PARTITION BY s.id ORDER BY n.name = s.name DESC) AS k
			FROM m JOIN subject_names n ON n.id = m.id JOIN subjects s ON s.id = n.subject_id
			WHERE s.kind = 'org')
		SELECT id, uscc, name, matched, type, count(*) OVER () FROM hits WHERE k = 1
		ORDER BY matched = ? DESC, instr(matched, ?) = 1 DESC, length(matched), id
		LIMIT ? OFFSET ?`, match, searchCap+1, q, q, f.PerPage, offset)
	if err != nil {
		return nil, fmt.Errorf("search names: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var h credit.SubjectHit
		if err := rows.Scan(&h.SubjectID, &h.USCC, &h.Name, &h.MatchedName, &h.Type, &page.Total); err != nil {
			return nil, err
		}
		page.Hits = append(page.Hits, h)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(page.Hits) == 0 && offset > 0 {
		// The window function gives no total past the last page; count it.
		if err := db.read.QueryRowContext(ctx, `SELECT count(DISTINCT n.subject_id) FROM (SELECT rowid AS id FROM `+table+` WHERE `+table+` MATCH ? LIMIT ?) m
			JOIN subject_names n ON n.id = m.id JOIN subjects s ON s.id = n.subject_id WHERE s.kind = 'org'`, match, searchCap+1).Scan(&page.Total); err != nil {
			return nil, err
		}
	}
	if page.Total > searchCap {
		page.Total, page.TotalCapped = searchCap, true
	}
	return page, nil
}

func (db *DB) searchCode(ctx context.Context, prefix string, limit, offset int) (*credit.SubjectPage, error) {
	page := &credit.SubjectPage{}
	hi := prefix + "~" // '~' sorts after every character of a code
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM subjects WHERE uscc >= ? AND uscc < ? AND kind = 'org' LIMIT ?)`,
		prefix, hi, searchCap+1).Scan(&page.Total); err != nil {
		return nil, fmt.Errorf("count codes: %w", err)
	}
	if page.Total > searchCap {
		page.Total, page.TotalCapped = searchCap, true
	}
	rows, err := db.read.QueryContext(ctx, `SELECT id, uscc, name, name, type FROM subjects WHERE uscc >= ? AND uscc < ? AND kind = 'org'
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
