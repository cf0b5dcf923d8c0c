package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/store/sqlite"
	"github.com/xinyong/xinyong/internal/store/storetest"
	_ "modernc.org/sqlite"
)

// MustOpen opens a migrated database in a temp dir.
func MustOpen(tb testing.TB, now func() time.Time) *sqlite.DB {
	tb.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "xinyong.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if now != nil {
		db.Now = now
	}
	if err := db.Migrate(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return db
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(tb testing.TB, now func() time.Time) credit.Store { return MustOpen(tb, now) })
}

func TestMigrate(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "x.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	t.Run("ErrBehind", func(t *testing.T) {
		err := db.CheckSchema(ctx)
		if credit.ErrorCode(err) != credit.EUNAVAILABLE || !strings.Contains(err.Error(), "xinyong migrate") {
			t.Errorf("CheckSchema on an empty database = %v", err)
		}
	})
	t.Run("OKIdempotent", func(t *testing.T) {
		for i := 0; i < 2; i++ {
			if err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.CheckSchema(ctx); err != nil {
			t.Error(err)
		}
	})
	t.Run("ErrAhead", func(t *testing.T) {
		raw, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		if _, err := raw.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', '')`); err != nil {
			t.Fatal(err)
		}
		if err := db.CheckSchema(ctx); credit.ErrorCode(err) != credit.EUNAVAILABLE {
			t.Errorf("CheckSchema ahead = %v", err)
		}
		if err := db.Migrate(ctx); credit.ErrorCode(err) != credit.EUNAVAILABLE {
			t.Errorf("Migrate ahead = %v", err)
		}
	})
}

func TestAuditTamper(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sqlite.Open(ctx, filepath.Join(dir, "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.Migrate(ctx)
	for i := 0; i < 3; i++ {
		if err := db.LogAccess(ctx, "cli", "test", "x", `{"i":`+string(rune('0'+i))+`}`); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := db.VerifyAudit(ctx); err != nil || n != 3 {
		t.Fatalf("VerifyAudit = %d, %v", n, err)
	}
	raw, _ := sql.Open("sqlite", filepath.Join(dir, "x.db"))
	defer raw.Close()
	if _, err := raw.Exec(`UPDATE audit_log SET actor = 'someone else' WHERE seq = 2`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.VerifyAudit(ctx); err == nil || !strings.Contains(err.Error(), "entry 2") {
		t.Errorf("tampered chain verified: %v", err)
	}
}
