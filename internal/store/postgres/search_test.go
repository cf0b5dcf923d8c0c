package postgres_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/names"
	"github.com/xinyong/xinyong/internal/store/postgres"
	"github.com/xinyong/xinyong/internal/store/postgres/pgtest"
)

// TestSearchManyNames searches names registered in runs, across the
// partitions of subject_names: a common match answers capped, the same
// page after page; a punctuated fragment is found by its pairs and
// bridges, as typed.
func TestSearchManyNames(t *testing.T) {
	ctx := context.Background()
	db, conn := migrated(t)
	// 12,000 organisations: the first 9,000 "…商贸有限公司", the last 3,000
	// (a run) "…餐馆（N）", of which those with N = 7 are a tenth.
	const orgs = 12000
	name := func(i int) string {
		if i <= 9000 {
			return fmt.Sprintf("武汉%d号商贸有限公司", i)
		}
		return fmt.Sprintf("襄阳%d号餐馆（%d）", i, i%10)
	}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	i := 0
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"subjects"}, []string{"kind", "uscc", "type", "name", "created_at", "updated_at"},
		pgx.CopyFromFunc(func() ([]any, error) {
			if i == orgs {
				return nil, nil
			}
			i++
			return []any{"org", fmt.Sprintf("U%017d", i), "法人及非法人组织", name(i), at, at}, nil
		})); err != nil {
		t.Fatal(err)
	}
	i = 0
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"subject_names"}, []string{"subject_id", "org", "name", "grams", "first_seen"},
		pgx.CopyFromFunc(func() ([]any, error) {
			if i == orgs {
				return nil, nil
			}
			i++
			return []any{int64(i), true, name(i), names.Grams(name(i)), at}, nil
		})); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `ANALYZE subject_names`); err != nil {
		t.Fatal(err)
	}
	search := func(q string, page int) *credit.SubjectPage {
		t.Helper()
		res, err := db.SearchSubjects(ctx, credit.SubjectFilter{Query: q, Page: page, PerPage: 50})
		if err != nil {
			t.Fatalf("search %q: %v", q, err)
		}
		for _, h := range res.Hits {
			if !names.Matches(h.MatchedName, q) {
				t.Errorf("search %q found %q", q, h.MatchedName)
			}
		}
		return res
	}
	for _, q := range []string{"商贸", "有限公司", "号"} {
		first := search(q, 1)
		if first.Total != 1000 || !first.TotalCapped || len(first.Hits) != 50 {
			t.Errorf("%q: total %d capped %v, %d hits; want 1,000+, 50", q, first.Total, first.TotalCapped, len(first.Hits))
		}
		again, second := search(q, 1), search(q, 2)
		if !slices.Equal(ids(first), ids(again)) {
			t.Errorf("%q: the first page differs the second time", q)
		}
		if slices.ContainsFunc(ids(second), func(id int64) bool { return slices.Contains(ids(first), id) }) {
			t.Errorf("%q: pages 1 and 2 share a result", q)
		}
	}
	// In the run only: 300 names end in "（7）"; "馆（7" crosses punctuation.
	for _, q := range []string{"馆（7）", "馆（7", "（7）"} {
		res := search(q, 1)
		if res.Total != 300 || res.TotalCapped {
			t.Errorf("%q: total %d (capped %v), want 300", q, res.Total, res.TotalCapped)
		}
	}
	if res := search("餐馆7", 1); res.Total != 0 {
		t.Errorf("餐馆7 (no bracket): total %d, want 0", res.Total)
	}
}

func ids(p *credit.SubjectPage) []int64 {
	var out []int64
	for _, h := range p.Hits {
		out = append(out, h.SubjectID)
	}
	return out
}

// TestMigrationRegrams: migration 0009 gives the names stored before it
// their bridges, and leaves names without punctuation as they were. (The
// test runs its program part on today's table; its SQL is a no-op.)
func TestMigrationRegrams(t *testing.T) {
	ctx := context.Background()
	_, conn := migrated(t)
	// The grams as 0008 made them: letters and pairs only.
	for _, q := range []string{
		`INSERT INTO subjects (kind, uscc, type, name, created_at, updated_at) VALUES
			('org', '91110000600037341L', '法人及非法人组织', '甲（乙）', now(), now()), ('org', '9144030071526726XG', '个体工商户', '丙丁', now(), now())`,
		`INSERT INTO subject_names (subject_id, org, name, grams, first_seen) SELECT id, true, name,
			CASE name WHEN '甲（乙）' THEN '{甲,乙,甲乙}'::text[] ELSE '{丙,丁,丙丁}'::text[] END, now() FROM subjects`,
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error { return postgres.Regram(ctx, tx) }); err != nil {
		t.Fatal(err)
	}
	rows, err := conn.Query(ctx, `SELECT name || ' ' || array_to_string(grams, ',') FROM subject_names ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	got, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"甲（乙） " + strings.Join(names.Grams("甲（乙）"), ","), "丙丁 丙,丁,丙丁"}
	if !slices.Equal(got, want) {
		t.Errorf("grams after 0009: %q, want %q", got, want)
	}
}

// TestMigrationPartitionsNames: migration 0010 moves the names stored
// before it into the partitioned table with their ids and grams, and new
// names continue the ids.
func TestMigrationPartitionsNames(t *testing.T) {
	ctx := context.Background()
	url := pgtest.Database(t)
	conn := connect(t, url)
	// The database as 0009 left it, with two names.
	files, err := filepath.Glob(filepath.Join("migrations", "*.sql"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `CREATE EXTENSION IF NOT EXISTS pg_trgm;
		CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		v, _ := strconv.Atoi(strings.SplitN(filepath.Base(f), "_", 2)[0])
		if v > 9 {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Exec(ctx, string(b)); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if _, err := conn.Exec(ctx, `INSERT INTO schema_migrations VALUES ($1, $2, now())`, v, filepath.Base(f)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := conn.Exec(ctx, `INSERT INTO subjects (kind, uscc, type, name, created_at, updated_at) VALUES
		('org', '91110000600037341L', '法人及非法人组织', '甲（乙）', now(), now());
		INSERT INTO subject_names (subject_id, org, name, grams, first_seen) SELECT id, true, name, '{甲,乙,甲乙,甲（乙,（乙）}', now() FROM subjects;
		INSERT INTO subject_names (subject_id, org, name, grams, first_seen) SELECT id, true, '甲', '{甲}', now() FROM subjects`); err != nil {
		t.Fatal(err)
	}
	db, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `INSERT INTO subject_names (subject_id, org, name, grams, first_seen) SELECT id, true, '丙', '{丙}', now() FROM subjects`); err != nil {
		t.Fatal(err)
	}
	rows, err := conn.Query(ctx, `SELECT id || ' ' || name || ' ' || array_to_string(grams, ',') FROM subject_names ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	got, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"1 甲（乙） 甲,乙,甲乙,甲（乙,（乙）", "2 甲 甲", "3 丙 丙"}; !slices.Equal(got, want) {
		t.Errorf("names after 0010: %q, want %q", got, want)
	}
	var parts int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_inherits WHERE inhparent = 'subject_names'::regclass`).Scan(&parts); err != nil || parts != 16 {
		t.Errorf("subject_names has %d partitions (%v), want 16", parts, err)
	}
	page, err := db.SearchSubjects(ctx, credit.SubjectFilter{Query: "甲（乙）", Page: 1, PerPage: 10})
	if err != nil || page.Total != 1 {
		t.Errorf("search after 0010: %+v, %v", page, err)
	}
}
