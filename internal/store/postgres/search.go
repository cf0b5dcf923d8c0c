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

// How names are read for a fragment. A sample of about densitySample
// names says how common the match is. When it is expected in more than
// spreadMatches names and in at least one of spreadShare, names are read
// from pages spread over the whole table (a larger sample, the same pages
// every time), which finds enough matches without reading a long posting
// list; else, or when that sample finds too few, through the indexes.
// Small tables are always read through the indexes.
const (
	densitySample = 2000
	spreadMatches = 2 * (searchCap + 1)
	spreadShare   = 12
)

// SearchSubjects finds organisations by name fragment, code prefix or
// registration number, as package names reads the query. A registration
// number finds the organisations known by it exactly first, then those
// whose code starts with it. Names are matched against current and former
// names: fragments of 3+ characters through the trigram index, or the
// grams index when they cross punctuation; 1–2 characters through the
// grams index. Organisations with a name equal to the query come first,
// then the others in the order they were first seen. Cost is bounded by
// the cap, not by the number of matches: up to searchCap+1 matching names
// are read and sorted here, through an index when the match is rare, from
// pages spread over the names when it is common (a sample says which);
// when more match, the results are the first searchCap found, in subject
// order, the same every time, and pages go no deeper.
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
	// where selects the matching names with args. Every name that contains
	// a fragment has the fragment's pairs of letters and its bridges (runs
	// across punctuation) among its grams: a punctuated fragment is looked
	// up by the rarest of them, chosen below, through the gram index
	// (trigrams of words are no use across punctuation); any fragment's
	// rarest pair skips most names cheaply when names are read.
	var where string
	var args []any
	var grams []string
	switch kind {
	case names.CodePrefix:
		return searchCode(ctx, db.pool, q, nil, f.PerPage, offset)
	case names.Registration:
		return db.searchRegistration(ctx, q, f.PerPage, offset)
	case names.Fragment:
		grams = names.Pairs(q)
		if names.Punctuated(q) {
			// Not LIKE: the planner would read the trigram index.
			grams = append(grams, names.Bridges(q)...)
			where, args = `grams @> $2::text[] AND strpos(lower(name), $1) > 0`, []any{strings.ToLower(q), grams}
		} else {
			where, args = `lower(name) LIKE $1`, []any{"%" + likeEscape(strings.ToLower(q)) + "%"}
		}
	default:
		where, args = `grams @> ARRAY[$1::text]`, []any{q}
	}
	// One snapshot for the count and the page.
	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	// Plans for this query's words, not a generic plan cached from other
	// words: whether an index pays depends on them. Names are read through
	// the indexes or as sampled, never all in order: their order may hold
	// a match late (names registered in a run).
	if _, err := tx.Exec(ctx, `SET LOCAL plan_cache_mode = force_custom_plan; SET LOCAL enable_seqscan = off`); err != nil {
		return nil, err
	}

	exact, err := collectIDs(ctx, tx, `SELECT DISTINCT subject_id FROM subject_names WHERE org AND name = $1 ORDER BY subject_id LIMIT 50`, q)
	if err != nil {
		return nil, fmt.Errorf("exact names: %w", err)
	}
	matches, err := sampleMatches(ctx, tx, where, args, grams)
	if err != nil {
		return nil, fmt.Errorf("search names: %w", err)
	}
	if matches == nil {
		matches, err = collectIDs(ctx, tx, `SELECT subject_id FROM subject_names WHERE org AND `+where+fmt.Sprintf(` LIMIT $%d`, len(args)+1),
			append(args, searchCap+1)...)
		if err != nil {
			return nil, fmt.Errorf("search names: %w", err)
		}
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

// sampleMatches returns more than searchCap names matching where (with
// args), read from pages spread over the table, when the match is common
// enough for that to pay (see spreadMatches); else nil. For a fragment,
// grams are what every matching name has among its grams: args[1], when
// where looks them up, is set to the rarest alone, the cheapest to read.
func sampleMatches(ctx context.Context, tx pgx.Tx, where string, args []any, grams []string) ([]int64, error) {
	var total float64
	if err := tx.QueryRow(ctx, `SELECT greatest(reltuples, 0) FROM pg_class WHERE oid = 'subject_names'::regclass`).Scan(&total); err != nil {
		return nil, err
	}
	if total <= 4*densitySample {
		return nil, nil
	}
	// TABLESAMPLE SYSTEM reads whole pages; REPEATABLE, the same ones every
	// time, so that a query is answered alike page after page.
	counts := `count(*), count(*) FILTER (WHERE ` + where + `)`
	sampleArgs := append([]any(nil), args...)
	for _, g := range grams {
		sampleArgs = append(sampleArgs, g)
		counts += fmt.Sprintf(`, count(*) FILTER (WHERE grams @> ARRAY[$%d::text])`, len(sampleArgs))
	}
	hits := make([]int, 2+len(grams))
	dest := make([]any, len(hits))
	for i := range hits {
		dest[i] = &hits[i]
	}
	percent := 100 * densitySample / total
	if err := tx.QueryRow(ctx, `SELECT `+counts+` FROM subject_names TABLESAMPLE SYSTEM (`+strconv.FormatFloat(percent, 'f', 4, 64)+`)
		REPEATABLE (0) WHERE org`, sampleArgs...).Scan(dest...); err != nil {
		return nil, err
	}
	rarest := ""
	if len(grams) > 0 {
		r := 0
		for i := range grams {
			if hits[2+i] < hits[2+r] {
				r = i
			}
		}
		rarest = grams[r]
		if _, ok := args[len(args)-1].([]string); ok {
			args[len(args)-1] = []string{rarest}
		}
	}
	sampled, matched := hits[0], hits[1]
	if sampled == 0 || matched*spreadShare < sampled || float64(matched)/float64(sampled)*total < spreadMatches {
		return nil, nil
	}
	// Pages for about spreadMatches matches, as the first sample found them.
	percent = min(100, 100*spreadMatches*float64(sampled)/float64(matched)/total)
	cond, condArgs := where, args
	if rarest != "" && len(args) == 1 { // the gram first: it skips most names at little cost
		cond, condArgs = `grams @> ARRAY[$2::text] AND `+where, []any{args[0], rarest}
	}
	ids, err := collectIDs(ctx, tx, `SELECT subject_id FROM subject_names TABLESAMPLE SYSTEM (`+strconv.FormatFloat(percent, 'f', 4, 64)+`)
		REPEATABLE (1) WHERE org AND `+cond+fmt.Sprintf(` LIMIT $%d`, len(condArgs)+1), append(condArgs, searchCap+1)...)
	if err != nil || len(ids) <= searchCap {
		return nil, err
	}
	return ids, nil
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
