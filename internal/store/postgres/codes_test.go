package postgres_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestMigrationBackfillsCodes: migration 0006 gives every organisation
// stored before it the organisation code in its USCC, and persons nothing.
func TestMigrationBackfillsCodes(t *testing.T) {
	ctx := context.Background()
	_, conn := migrated(t)
	migration, err := os.ReadFile(filepath.Join("migrations", "0006_subject_codes.sql"))
	if err != nil {
		t.Fatal(err)
	}
	// The database as 0005 left it, with two organisations and a person.
	for _, q := range []string{
		`DROP TABLE subject_codes`,
		`INSERT INTO subjects (kind, uscc, type, name, created_at, updated_at) VALUES
			('org', '91110000600037341L', '法人及非法人组织', '甲', now(), now()), ('org', '9144030071526726XG', '个体工商户', '乙', now(), now())`,
		`INSERT INTO subjects (kind, id_hash, type, name, created_at, updated_at) VALUES ('person', '\x0102', '自然人', '丙', now(), now())`,
		string(migration),
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	rows, err := conn.Query(ctx, `SELECT c.code || ' ' || s.uscc FROM subject_codes c JOIN subjects s ON s.id = c.subject_id ORDER BY c.code COLLATE "C"`)
	if err != nil {
		t.Fatal(err)
	}
	got, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"600037341 91110000600037341L", "71526726X 9144030071526726XG"}; !slices.Equal(got, want) {
		t.Errorf("codes %q, want %q", got, want)
	}
}
