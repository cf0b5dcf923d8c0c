package postgres

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/names"
)

// searchCap bounds how many matches a search counts; beyond it the total
// is reported as capped (at least searchCap).
const searchCap = 1000

// A match found in at least one of denseShare names of a sample of about
// densitySample is read from the names rather than from the index; small
// tables are always read through the index.
const (
	densitySample = 2000
	denseShare    = 20
)

// SearchSubjects finds organisations by name fragment, code prefix or
// registration number, as package names reads the query. A registration
// number finds the organisations known by it exactly first, then those
// whose code starts with it. Names are matched against current and former
// names: fragments of 3+ characters through the trigram index, 1–2
// characters through the grams index. Organisations with a name equal to
// the query come first, then the others in the order they were first
// seen. Cost is bounded by the cap, not by the number of matches: up to
// searchCap+1 matching names are read and sorted here, from the index when
// the match is rare, from the names when it is common (a sample says
// which); when more match, the results are the first searchCap found, in
// subject order, and pages go no deeper.
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
		return searchCode(ctx, db.pool, q, nil, f.PerPage, offset)
	case names.Registration:
		return db.searchRegistration(ctx, q, f.PerPage, offset)
	case names.Fragment:
		where, arg = `lower(name) LIKE $1`, "%"+likeEscape(strings.ToLower(q))+"%"
	default:
		where, arg = `grams @> ARRAY[$1::text]`, q
	}
	// One snapshot for the count and the page.
	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	// Plans for this query's words, not a generic plan cached from other
	// words: whether the index pays depends on them.
	if _, err := tx.Exec(ctx, `SET LOCAL plan_cache_mode = force_custom_plan`); err != nil {
		return nil, err
	}

	exact, err := collectIDs(ctx, tx, `SELECT DISTINCT subject_id FROM subject_names WHERE org AND name = $1 ORDER BY subject_id LIMIT 50`, q)
	if err != nil {
		return nil, fmt.Errorf("exact names: %w", err)
	}
	// How common is the match? A random sample of about densitySample
	// names (whole pages, TABLESAMPLE SYSTEM) says whether the trigram or
	// gram index is worth reading (its posting lists for a fragment in
	// many names are long) or the names themselves, which give the first
	// matches at once.
	var total float64
	if err := tx.QueryRow(ctx, `SELECT greatest(reltuples, 0) FROM pg_class WHERE oid = 'subject_names'::regclass`).Scan(&total); err != nil {
		return nil, fmt.Errorf("search names: %w", err)
	}
	dense := false
	if total > 4*densitySample {
		percent := strconv.FormatFloat(100*densitySample/total, 'f', 4, 64)
		var sampled, hits int
		if err := tx.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE `+where+`) FROM subject_names TABLESAMPLE SYSTEM (`+percent+`)
			WHERE org`, arg).Scan(&sampled, &hits); err != nil {
			return nil, fmt.Errorf("search names: %w", err)
		}
		dense = sampled > 0 && hits*denseShare >= sampled
	}
	if dense {
		// Read the names, not the index, from here on in this transaction.
		if _, err := tx.Exec(ctx, `SET LOCAL enable_bitmapscan = off`); err != nil {
			return nil, err
		}
	}
	matches, err := collectIDs(ctx, tx, `SELECT subject_id FROM subject_names WHERE org AND `+where+` LIMIT $2`, arg, searchCap+1)
	if err != nil {
		return nil, fmt.Errorf("search names: %w", err)
	}
	isExact := make(map[int64]bool, len(exact))
	for _, id := range exact {
		isExact[id] = true
	}
	var pageIDs []int64
	if offset < len(exact) {
		pageIDs = append(pageIDs, exact[offset:min(len(exact), offset+f.PerPage)]...)
	}
	rest, skip := f.PerPage-len(pageIDs), max(0, offset-len(exact))
	// Every match, or the first searchCap found when there are more: the
	// page is drawn from them in subject order. Which matches beyond the
	// cap are left out is not defined; a narrower query finds them.
	ids := distinctSorted(matches)
	page.Total = len(ids)
	if len(matches) > searchCap {
		page.Total, page.TotalCapped = searchCap, true
		ids = ids[:min(len(ids), searchCap)]
	}
	for _, id := range ids {
		if rest == 0 {
			break
		}
		if isExact[id] {
			continue
		}
		if skip > 0 {
			skip--
			continue
		}
		pageIDs = append(pageIDs, id)
		rest--
	}
	if len(pageIDs) == 0 {
		return page, nil
	}
	if page.Hits, err = subjectHits(ctx, tx, pageIDs, q); err != nil {
		return nil, err
	}
	return page, nil
}

func collectIDs(ctx context.Context, tx pgx.Tx, query string, args ...any) ([]int64, error) {
	rows, err := tx.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

func distinctSorted(ids []int64) []int64 {
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	out := ids[:0]
	for i, id := range ids {
		if i == 0 || id != ids[i-1] {
			out = append(out, id)
		}
	}
	return out
}

// subjectHits reads the page's subjects, in the page's order, each with
// the name that matched q: the current name when it does, else the latest
// former name that does.
func subjectHits(ctx context.Context, tx pgx.Tx, pageIDs []int64, q string) ([]credit.SubjectHit, error) {
	rows, err := tx.Query(ctx, `SELECT s.id, s.uscc, s.name, s.type, n.name FROM subjects s JOIN subject_names n ON n.subject_id = s.id
		WHERE s.id = ANY($1) ORDER BY s.id, n.id DESC`, pageIDs)
	if err != nil {
		return nil, fmt.Errorf("page subjects: %w", err)
	}
	defer rows.Close()
	byID := make(map[int64]*credit.SubjectHit, len(pageIDs))
	for rows.Next() {
		var h credit.SubjectHit
		var name string
		if err := rows.Scan(&h.SubjectID, &h.USCC, &h.Name, &h.Type, &name); err != nil {
			return nil, err
		}
		prev := byID[h.SubjectID]
		if prev == nil {
			h.MatchedName = h.Name
			prev = &h
			byID[h.SubjectID] = prev
		}
		// Names come newest first: the first that matches, unless the
		// current name does.
		if prev.MatchedName == prev.Name && !names.Matches(prev.Name, q) && names.Matches(name, q) {
			prev.MatchedName = name
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	hits := make([]credit.SubjectHit, 0, len(pageIDs))
	for _, id := range pageIDs {
		if h, ok := byID[id]; ok {
			hits = append(hits, *h)
		}
	}
	return hits, nil
}

// likeEscape escapes the LIKE wildcards of s (backslash is the escape).
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// querier is the pool or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// searchRegistration finds the organisations known by the registration
// number code (exactly, in the order they were first seen), then, as
// searchCode, those whose code starts with it, each once, in one snapshot.
func (db *DB) searchRegistration(ctx context.Context, code string, limit, offset int) (*credit.SubjectPage, error) {
	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	exact, err := collectIDs(ctx, tx, `SELECT c.subject_id FROM subject_codes c JOIN subjects s ON s.id = c.subject_id
		WHERE c.code = $1 AND s.kind = 'org' ORDER BY c.subject_id LIMIT $2`, code, searchCap)
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
	rows, err := tx.Query(ctx, `SELECT id, uscc, name, type FROM subjects WHERE id = ANY($1)`, pageIDs)
	if err != nil {
		return nil, fmt.Errorf("page subjects: %w", err)
	}
	byID := make(map[int64]credit.SubjectHit, len(pageIDs))
	for rows.Next() {
		h := credit.SubjectHit{MatchedCode: code}
		if err := rows.Scan(&h.SubjectID, &h.USCC, &h.Name, &h.Type); err != nil {
			rows.Close()
			return nil, err
		}
		byID[h.SubjectID] = h
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("page subjects: %w", err)
	}
	hits := make([]credit.SubjectHit, 0, len(pageIDs)+len(page.Hits))
	for _, id := range pageIDs {
		if h, ok := byID[id]; ok {
			hits = append(hits, h)
		}
	}
	page.Hits = append(hits, page.Hits...)
	return page, nil
}

// searchCode finds up to limit organisations whose code starts with
// prefix, in code order after skipping offset, leaving out those in
// exclude (found otherwise), with their number.
func searchCode(ctx context.Context, q querier, prefix string, exclude []int64, limit, offset int) (*credit.SubjectPage, error) {
	page := &credit.SubjectPage{Hits: []credit.SubjectHit{}}
	hi := prefix + "~" // '~' sorts after every character of a code in byte order
	if exclude == nil {
		exclude = []int64{}
	}
	// A range in byte order (COLLATE "C", whatever the database's
	// collation, under which '~' may sort before digits) over the index
	// subjects_uscc_c answers both queries in order.
	if err := q.QueryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM subjects WHERE uscc COLLATE "C" >= $1 AND uscc COLLATE "C" < $2
		AND NOT id = ANY($4) LIMIT $3) m`, prefix, hi, searchCap+1, exclude).Scan(&page.Total); err != nil {
		return nil, fmt.Errorf("count codes: %w", err)
	}
	if page.Total > searchCap {
		page.Total, page.TotalCapped = searchCap, true
	}
	if limit < 1 || page.Total == 0 {
		return page, nil
	}
	rows, err := q.Query(ctx, `SELECT id, uscc, name, name, type FROM subjects WHERE uscc COLLATE "C" >= $1 AND uscc COLLATE "C" < $2
		AND NOT id = ANY($5) ORDER BY uscc COLLATE "C" LIMIT $3 OFFSET $4`, prefix, hi, limit, offset, exclude)
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
