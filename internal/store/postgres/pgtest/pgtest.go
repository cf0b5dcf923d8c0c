// Package pgtest gives tests a PostgreSQL store of their own on the test
// server named by XINYONG_TEST_PG (`make test` starts a throwaway one with
// scripts/with-postgres). Without it, tests that ask are skipped, saying why.
package pgtest

import (
	"context"
	"crypto/rand"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/xinyong/xinyong/internal/store/postgres"
)

// SkipReason says why PostgreSQL tests do not run here, or "" when they do.
func SkipReason() string {
	if os.Getenv("XINYONG_TEST_PG") == "" {
		return "PostgreSQL tests skipped: XINYONG_TEST_PG is not set. `make test` starts a throwaway PostgreSQL " +
			"(scripts/with-postgres) and sets it; or set it to postgres://user@host:port/db of a server you may write to"
	}
	return ""
}

func server(tb testing.TB) string {
	tb.Helper()
	if r := SkipReason(); r != "" {
		tb.Skip(r)
	}
	return os.Getenv("XINYONG_TEST_PG")
}

func exec(tb testing.TB, base string, queries ...string) {
	tb.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, base)
	if err != nil {
		tb.Fatal(err)
	}
	defer c.Close(ctx)
	for _, q := range queries {
		if _, err := c.Exec(ctx, q); err != nil {
			tb.Fatalf("%s: %v", q, err)
		}
	}
}

func name(prefix string) string { return prefix + strings.ToLower(rand.Text()[:12]) }

func withQuery(tb testing.TB, base string, set func(u *url.URL, q url.Values)) string {
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	q := u.Query()
	set(u, q)
	u.RawQuery = q.Encode()
	return u.String()
}

// Open returns a migrated store in a schema of its own, dropped after the
// test, whose clock is now (when not nil).
func Open(tb testing.TB, now func() time.Time) *postgres.DB {
	tb.Helper()
	base := server(tb)
	schema := name("t_")
	// The extension lives in public, where every test schema sees it. Test
	// binaries of several packages start at once: an advisory lock keeps
	// two from creating it together (IF NOT EXISTS does not).
	exec(tb, base, `SELECT pg_advisory_lock(7468)`, `CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public`, `SELECT pg_advisory_unlock(7468)`,
		`CREATE SCHEMA `+schema)
	tb.Cleanup(func() { exec(tb, base, `DROP SCHEMA `+schema+` CASCADE`) })
	u := withQuery(tb, base, func(_ *url.URL, q url.Values) {
		q.Set("search_path", schema+",public")
		q.Set("pool_max_conns", "4")
	})
	ctx := context.Background()
	db, err := postgres.Open(ctx, u)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if now != nil {
		db.Now = now
	}
	if err := db.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	return db
}

// Database creates an empty database (UTF-8, C.UTF-8), dropped after the
// test, and returns its URL.
func Database(tb testing.TB) string {
	tb.Helper()
	return DatabaseWith(tb, "LC_CTYPE 'C.UTF-8' LC_COLLATE 'C.UTF-8'")
}

// DatabaseWith creates an empty UTF-8 database with the given locale
// clauses, dropped after the test, and returns its URL.
func DatabaseWith(tb testing.TB, locale string) string {
	tb.Helper()
	base := server(tb)
	db := name("xinyong_")
	exec(tb, base, `CREATE DATABASE `+db+` ENCODING 'UTF8' `+locale+` TEMPLATE template0`)
	tb.Cleanup(func() { exec(tb, base, `DROP DATABASE `+db+` WITH (FORCE)`) })
	return withQuery(tb, base, func(u *url.URL, _ url.Values) { u.Path = "/" + db })
}
