package main

import (
	"context"
	"crypto/rand"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// runBenchPostgres measures intake into PostgreSQL against a raw COPY of
// the same rows into a bare table, on a server the caller may create
// databases on (make bench starts a throwaway one).
func runBenchPostgres(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench postgres", flag.ContinueOnError)
	fs.SetOutput(stderr)
	server := fs.String("server", os.Getenv("XINYONG_TEST_PG"), "PostgreSQL URL of a server to create the bench databases on (default $XINYONG_TEST_PG)")
	rows := fs.Int("rows", 1_000_000, "penalty rows in the CSV file")
	subjects := fs.Int("subjects", 200_000, "organisations the rows are about")
	dir := fs.String("dir", "", "working directory for files (default: a temporary one, removed after)")
	readRecords := fs.Int("read-records", 10_000_000, "public records loaded for the read measurements (0 to skip)")
	perSubject := fs.Int("per-subject", 10, "records per organisation for the read measurements")
	skipIntake := fs.Bool("reads-only", false, "measure only the reads")
	keep := fs.Bool("keep", false, "keep the read database for inspection (its URL is printed)")
	readsOn := fs.String("reads-on", "", "measure the reads again on a database an earlier --keep left (its URL), without loading")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if *server == "" && *readsOn == "" {
		return errors.New("bench postgres needs --server postgres://... (or XINYONG_TEST_PG); make bench starts a throwaway server")
	}
	work := *dir
	if work == "" {
		d, err := os.MkdirTemp("", "xinyong-bench-pg-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		work = d
	} else if err := os.MkdirAll(work, 0o755); err != nil {
		return err
	}
	if *readsOn != "" {
		fmt.Fprintf(stdout, "xinyong bench postgres: reads on the kept database\n")
		return benchReads(ctx, *readsOn, work, 0, *perSubject, stdout, stderr)
	}
	if !*skipIntake {
		if err := benchPGIntake(ctx, *server, work, *rows, *subjects, stdout, stderr); err != nil {
			return err
		}
	}
	if *readRecords > 0 {
		fmt.Fprintf(stdout, "xinyong bench postgres: reads over %d records, %d per organisation\n", *readRecords, *perSubject)
		db, err := benchDatabase(ctx, *server)
		if err != nil {
			return err
		}
		if *keep {
			fmt.Fprintf(stdout, "  read database kept: %s\n", db.url)
		} else {
			defer db.drop(ctx)
		}
		return benchReads(ctx, db.url, work, *readRecords, *perSubject, stdout, stderr)
	}
	return nil
}

// benchPGIntake measures `xinyong import --db` against a raw COPY.
func benchPGIntake(ctx context.Context, server, work string, rows, subjects int, stdout, stderr io.Writer) error {
	fmt.Fprintf(stdout, "xinyong bench postgres: %d CSV rows about %d organisations\n", rows, subjects)
	csvPath := filepath.Join(work, fmt.Sprintf("penalties-%d.csv", rows))
	if err := benchFile(ctx, csvPath, rows, subjects, "csv", "", stderr); err != nil {
		return err
	}

	raw, err := benchDatabase(ctx, server)
	if err != nil {
		return err
	}
	defer raw.drop(ctx)
	copied, err := benchCopy(ctx, raw.url, csvPath)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "  raw COPY of the same rows (read CSV, COPY into one table): %d rows in %.1f s = %.0f rows/s\n", copied.rows, copied.secs, copied.rate())

	target, err := benchDatabase(ctx, server)
	if err != nil {
		return err
	}
	defer target.drop(ctx)
	e2e, err := benchImport(ctx, filepath.Join(work, "e2e"), csvPath, "--db", target.url)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "  end-to-end intake into PostgreSQL (xinyong import --db): %d rows in %.1f s = %.0f rows/s, peak RSS %.0f MiB\n",
		e2e.rows, e2e.secs, e2e.rate(), e2e.rssMiB)
	fmt.Fprintf(stdout, "  ratio: %.0f%% of the raw COPY rate\n", 100*e2e.rate()/copied.rate())
	return nil
}

// benchDB is a database made for one measurement.
type benchDB struct {
	server, name, url string
}

func benchDatabase(ctx context.Context, server string) (*benchDB, error) {
	c, err := pgx.Connect(ctx, server)
	if err != nil {
		return nil, fmt.Errorf("bench server: %w", err)
	}
	defer c.Close(ctx)
	name := "xinyong_bench_" + strings.ToLower(rand.Text()[:8])
	if _, err := c.Exec(ctx, `CREATE DATABASE `+name+` ENCODING 'UTF8' LC_CTYPE 'C.UTF-8' LC_COLLATE 'C.UTF-8' TEMPLATE template0`); err != nil {
		return nil, fmt.Errorf("bench database: %w", err)
	}
	u, err := url.Parse(server)
	if err != nil {
		return nil, err
	}
	u.Path = "/" + name
	return &benchDB{server: server, name: name, url: u.String()}, nil
}

func (b *benchDB) drop(ctx context.Context) {
	if c, err := pgx.Connect(context.WithoutCancel(ctx), b.server); err == nil {
		c.Exec(context.WithoutCancel(ctx), `DROP DATABASE `+b.name+` WITH (FORCE)`)
		c.Close(context.WithoutCancel(ctx))
	}
}

// benchCopy reads the CSV and COPYs its rows into a bare table, the
// baseline: the same reading, no checking, no subjects, no index.
func benchCopy(ctx context.Context, dbURL, csvPath string) (benchResult, error) {
	f, err := os.Open(csvPath)
	if err != nil {
		return benchResult{}, err
	}
	defer f.Close()
	c, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return benchResult{}, err
	}
	defer c.Close(ctx)
	start := time.Now()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return benchResult{}, err
	}
	cols := make([]string, len(header))
	defs := make([]string, len(header))
	for i := range header {
		cols[i] = fmt.Sprintf("c%d", i)
		defs[i] = cols[i] + " text"
	}
	if _, err := c.Exec(ctx, `CREATE TABLE raw (`+strings.Join(defs, ", ")+`)`); err != nil {
		return benchResult{}, err
	}
	var readErr error
	src := pgx.CopyFromFunc(func() ([]any, error) {
		rec, err := r.Read()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				readErr = err
			}
			return nil, nil
		}
		row := make([]any, len(cols))
		for i := range row {
			if i < len(rec) {
				row[i] = rec[i]
			}
		}
		return row, nil
	})
	n, err := c.CopyFrom(ctx, pgx.Identifier{"raw"}, cols, src)
	if err != nil {
		return benchResult{}, err
	}
	if readErr != nil {
		return benchResult{}, readErr
	}
	return benchResult{rows: int(n), secs: time.Since(start).Seconds()}, nil
}
