package postgres_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/store/postgres"
	"github.com/xinyong/xinyong/internal/store/postgres/pgtest"
	"github.com/xinyong/xinyong/internal/store/storetest"
)

func TestMain(m *testing.M) {
	if r := pgtest.SkipReason(); r != "" {
		fmt.Fprintln(os.Stderr, "internal/store/postgres: "+r)
	}
	os.Exit(m.Run())
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(tb testing.TB, now func() time.Time) credit.Store { return pgtest.Open(tb, now) })
}

func TestMigrate(t *testing.T) {
	ctx := context.Background()
	db := pgtest.Open(t, nil)
	if err := db.CheckSchema(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
}

// TestRefusesCLocale: a database whose LC_CTYPE makes no Chinese trigrams
// is refused with what to do instead.
func TestRefusesCLocale(t *testing.T) {
	url := pgtest.DatabaseWith(t, "LC_CTYPE 'C' LC_COLLATE 'C'")
	_, err := postgres.Open(context.Background(), url)
	zh, en := credit.ErrorMessages(err)
	if credit.ErrorCode(err) != credit.EUNAVAILABLE || !strings.Contains(en, "LC_CTYPE 'C.UTF-8'") || !strings.Contains(zh, "LC_CTYPE") {
		t.Errorf("Open on a C database = %v", err)
	}
}

func TestOpenRefuses(t *testing.T) {
	if _, err := postgres.Open(context.Background(), "postgres://[bad"); credit.ErrorCode(err) != credit.EINVALID {
		t.Errorf("Open of an unparsable URL = %v, want EINVALID", err)
	}
}

// migrated opens a new database at the program's schema, and a plain
// connection to it for the statements the store does not make.
func migrated(t *testing.T) (*postgres.DB, *pgx.Conn) {
	t.Helper()
	url := pgtest.Database(t)
	db, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db, connect(t, url)
}

// connect opens a plain connection to the database at url, closed when
// the test ends.
func connect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}
