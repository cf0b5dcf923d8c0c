package postgres

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/names"
)

// searchCap bounds how many matches a search counts; beyond it the total
// is reported as capped (at least searchCap).
const searchCap = 1000

// SearchSubjects finds organisations by name fragment, code prefix or
// registration number, as package names reads the query. A registration
// number finds the organisations known by it exactly first, then those
// whose code starts with it. Names are matched against current and former
// names: fragments of 3+ characters through the trigram index, or through
// the grams index by their pairs and bridges when they cross punctuation;
// 1–2 characters through the grams index. Organisations with a name equal to
// the query come first, then the others in the order they were first
// seen. Cost is bounded by the cap, not by the number of matches: up to
// searchCap+1 matching names are read and sorted here, a partition of the
// names at a time (see migration 0010), so a common match is answered from
// the first partitions; when more match, the results are the first
// searchCap found, in subject order, the same every time, and pages go no
// deeper.
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
	// where selects the matching names with args. A name that contains a
	// fragment across punctuation has the fragment's pairs of letters and
	// bridges (runs of three with the punctuation) among its grams, which
	// find it where trigrams of words, ending at punctuation, cannot.
	var where string
	var args []any
	switch kind {
	case names.CodePrefix:
		return searchCode(ctx, db.pool, q, nil, f.PerPage, offset)
	case names.Registration:
		return db.searchRegistration(ctx, q, f.PerPage, offset)
	case names.Fragment:
		if names.Punctuated(q) {
			// Not LIKE: the planner would read the trigram index.
			where, args = `grams @> $2::text[] AND strpos(lower(name), $1) > 0`, []any{strings.ToLower(q), db.lookupGrams(ctx, q)}
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
	// words. Names are read through the indexes, never in table order: a
	// partition's index gives its matches at the cost of its posting lists,
	// and the partitions are read one after another until the cap, whereas
	// a run of names registered together may hold a match late in the
	// table.
	if _, err := tx.Exec(ctx, `SET LOCAL plan_cache_mode = force_custom_plan; SET LOCAL enable_seqscan = off`); err != nil {
		return nil, err
	}

	exact, err := collectIDs(ctx, tx, `SELECT DISTINCT subject_id FROM subject_names WHERE org AND name = $1 ORDER BY subject_id LIMIT 50`, q)
	if err != nil {
		return nil, fmt.Errorf("exact names: %w", err)
	}
	matches, err := collectIDs(ctx, tx, `SELECT subject_id FROM subject_names WHERE org AND `+where+fmt.Sprintf(` LIMIT $%d`, len(args)+1),
		append(args, searchCap+1)...)
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

// commonGram is the share of names above which a gram is left out of a
// fragment's lookup when the fragment has rarer ones: reading its posting
// lists would cost more than checking the names the rarer ones find.
const commonGram = 0.2

// lookupGrams returns the grams to look a punctuated fragment up by: its
// pairs of letters and its bridges (names.Gram's kinds), less the common
// ones when rarer remain, by the statistics ANALYZE keeps of the grams.
func (db *DB) lookupGrams(ctx context.Context, fragment string) []string {
	all := append(names.Pairs(fragment), names.Bridges(fragment)...)
	freq := db.grams.get(ctx, db.pool)
	var rare []string
	rarest := all[0]
	for _, g := range all {
		if freq[g] <= commonGram {
			rare = append(rare, g)
		}
		if freq[g] < freq[rarest] {
			rarest = g
		}
	}
	if len(rare) == 0 {
		return []string{rarest}
	}
	return rare
}

// gramFreqs caches the share of names each common gram is in, as ANALYZE
// found it (pg_stats.most_common_elems of a partition of subject_names:
// the partitions hold names by a hash of the subject, alike), read again
// every ten minutes (every minute while there are none).
type gramFreqs struct {
	mu   sync.Mutex
	at   time.Time
	freq map[string]float64
}

func (g *gramFreqs) get(ctx context.Context, q querier) map[string]float64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	ttl := 10 * time.Minute
	if len(g.freq) == 0 {
		ttl = time.Minute // none yet: ANALYZE may come soon after a load
	}
	if g.freq != nil && time.Since(g.at) < ttl {
		return g.freq
	}
	freq := map[string]float64{}
	var elems []string
	var shares []float64
	err := q.QueryRow(ctx, `SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats
		WHERE schemaname = current_schema() AND tablename = 'subject_names_0' AND attname = 'grams'`).Scan(&elems, &shares)
	g.at = time.Now() // tried: a failed read waits its turn like a good one
	switch {
	case err == nil || errors.Is(err, pgx.ErrNoRows): // no statistics yet: every gram counts as rare
		for i, e := range elems {
			if i < len(shares) {
				freq[e] = shares[i]
			}
		}
		g.freq = freq
	case g.freq == nil:
		g.freq = freq // none to keep: every gram counts as rare
	}
	return g.freq
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
