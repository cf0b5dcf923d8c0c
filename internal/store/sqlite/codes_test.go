package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/demo"
	"github.com/xinyong/xinyong/internal/ident"
	"github.com/xinyong/xinyong/internal/store/sqlite"
)

// TestMigrationBackfillsCodes: migration 0006 gives every organisation
// stored before it the organisation code in its USCC, and persons nothing.
func TestMigrationBackfillsCodes(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "x.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	migration, err := os.ReadFile(filepath.Join("migrations", "0006_subject_codes.sql"))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	// The database as 0005 left it, with two organisations and a person.
	for _, q := range []string{
		`DROP TABLE subject_codes`,
		`INSERT INTO subjects (kind, uscc, type, name, created_at, updated_at) VALUES
			('org', '91110000600037341L', '法人及非法人组织', '甲', '', ''), ('org', '9144030071526726XG', '个体工商户', '乙', '', '')`,
		`INSERT INTO subjects (kind, id_hash, type, name, created_at, updated_at) VALUES ('person', x'0102', '自然人', '丙', '', '')`,
		string(migration),
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	rows, err := raw.QueryContext(ctx, `SELECT c.code || ' ' || s.uscc FROM subject_codes c JOIN subjects s ON s.id = c.subject_id ORDER BY c.code`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		got = append(got, s)
	}
	if want := []string{"600037341 91110000600037341L", "71526726X 9144030071526726XG"}; !slices.Equal(got, want) {
		t.Errorf("codes %q, want %q", got, want)
	}
}

// BenchmarkSubmitWithCodes is BenchmarkSubmit with every record stating
// two older registration numbers of its organisation (a business
// registration number and an organisation code), as records of
// organisations registered before 2015 do.
func BenchmarkSubmitWithCodes(b *testing.B) {
	e := newBenchEnv(b, 0)
	const per = 5000
	subs := make([]*credit.Submission, b.N)
	serial := 0
	for i := range subs {
		type org struct {
			o          demo.Org
			gszc, zzjg string
		}
		var orgs []org
		for k := 0; k < per/5; k++ {
			serial++
			body := fmt.Sprintf("%08d", serial)
			check, err := ident.OrgCodeCheckChar(body)
			if err != nil {
				b.Fatal(err)
			}
			o := e.gen.Org()
			orgs = append(orgs, org{o, o.USCC[2:8] + fmt.Sprintf("%09d", serial), body + "-" + string(check)})
		}
		sub := &credit.Submission{Provider: e.provider, Item: e.item.Code, CatalogVersion: e.item.Version, RequestID: fmt.Sprint("bench-", i)}
		for j := 0; j < per; j++ {
			o := orgs[j%len(orgs)]
			r := e.gen.Penalty(o.o)
			r["xdr_gszc"], r["xdr_zzjg"] = o.gszc, o.zzjg
			d, errs, _ := e.prep.Prepare(e.item, j, r, e.now)
			if len(errs) > 0 {
				b.Fatal(errs)
			}
			sub.Drafts = append(sub.Drafts, d)
		}
		subs[i] = sub
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := e.db.Submit(context.Background(), subs[i]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*per)/b.Elapsed().Seconds(), "records/s")
}
