package main

import (
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// runBench measures collection as the README quotes it: end-to-end intake
// of a CSV file against a bare insert of the same rows, memory on a large
// file, and XLSX intake.
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "postgres" {
		return runBenchPostgres(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "portal" {
		return runBenchPortal(ctx, args[1:], stdout, stderr)
	}
	if len(args) == 0 || args[0] != "intake" {
		fmt.Fprintln(stderr, "usage: xinyong bench intake [--rows N] [--subjects N] [--xlsx-rows N] [--big-mib N] [--dir DIR]\n"+
			"       xinyong bench postgres [--server URL] [--rows N] [--subjects N] [--dir DIR]\n"+
			"       xinyong bench portal [--subjects N] [--records M] [--duration D] [--connections N] [--threads N] [--dir DIR]")
		return errUsage
	}
	fs := flag.NewFlagSet("bench intake", flag.ContinueOnError)
	fs.SetOutput(stderr)
	rows := fs.Int("rows", 1_000_000, "penalty rows in the CSV file")
	subjects := fs.Int("subjects", 200_000, "organisations the rows are about")
	xlsxRows := fs.Int("xlsx-rows", 100_000, "rows in the XLSX file (0 to skip)")
	bigMiB := fs.Int("big-mib", 1024, "size of the file for the memory measurement, MiB (0 to skip)")
	dir := fs.String("dir", "", "working directory for files and databases (default: a temporary one, removed after)")
	if err := fs.Parse(args[1:]); err != nil {
		return errUsage
	}
	work := *dir
	if work != "" {
		if err := os.MkdirAll(work, 0o755); err != nil {
			return err
		}
	} else {
		d, err := os.MkdirTemp("", "xinyong-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		work = d
	}
	fmt.Fprintf(stdout, "xinyong bench intake: %d CSV rows about %d organisations\n", *rows, *subjects)

	csvPath := filepath.Join(work, fmt.Sprintf("penalties-%d.csv", *rows))
	if err := benchFile(ctx, csvPath, *rows, *subjects, "csv", "", stderr); err != nil {
		return err
	}
	st, _ := os.Stat(csvPath)
	raw, err := benchRaw(csvPath, filepath.Join(work, "raw.db"))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "  bare insert of the same rows (read CSV, INSERT into one table): %d rows in %.1f s = %.0f rows/s\n", raw.rows, raw.secs, raw.rate())
	e2e, err := benchImport(ctx, filepath.Join(work, "e2e"), csvPath)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "  end-to-end intake (xinyong import): %d rows in %.1f s = %.0f rows/s, peak RSS %.0f MiB\n", e2e.rows, e2e.secs, e2e.rate(), e2e.rssMiB)
	fmt.Fprintf(stdout, "  ratio: %.0f%% of the bare insert rate (file %.0f MiB)\n", 100*e2e.rate()/raw.rate(), float64(st.Size())/(1<<20))

	if *bigMiB > 0 {
		// A GBK row of these penalties takes about 505 bytes.
		n := int(int64(*bigMiB) << 20 / 505)
		bigPath := filepath.Join(work, fmt.Sprintf("penalties-%dmib.csv", *bigMiB))
		if err := benchFile(ctx, bigPath, n, max(n/5, 1), "csv", "gbk", stderr); err != nil {
			return err
		}
		st, _ := os.Stat(bigPath)
		big, err := benchImport(ctx, filepath.Join(work, "big"), bigPath)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "  memory: %.0f MiB GBK CSV (%d rows) collected with peak RSS %.0f MiB in %.1f s\n",
			float64(st.Size())/(1<<20), big.rows, big.rssMiB, big.secs)
		os.Remove(bigPath)
	}
	if *xlsxRows > 0 {
		xlsxPath := filepath.Join(work, fmt.Sprintf("penalties-%d.xlsx", *xlsxRows))
		if err := benchFile(ctx, xlsxPath, *xlsxRows, max(*xlsxRows/5, 1), "xlsx", "", stderr); err != nil {
			return err
		}
		x, err := benchImport(ctx, filepath.Join(work, "xlsx"), xlsxPath)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "  XLSX: %d rows collected in %.1f s (%.0f rows/s), peak RSS %.0f MiB\n", x.rows, x.secs, x.rate(), x.rssMiB)
	}
	return nil
}

type benchResult struct {
	rows   int
	secs   float64
	rssMiB float64
}

func (r benchResult) rate() float64 { return float64(r.rows) / r.secs }

// benchFile writes demo penalties to path unless it is already there. It
// runs `xinyong demo --out` as its own process, so that the generator's
// memory is not counted in the processes this one starts and measures
// (a child inherits its parent's peak RSS across exec).
func benchFile(ctx context.Context, path string, rows, orgs int, format, encoding string, stderr io.Writer) error {
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "writing %s ...\n", path)
	args := []string{"demo", "--out", path, "--format", format, "--subjects", fmt.Sprint(orgs), "--records", fmt.Sprint(rows), "--seed", "7"}
	if encoding != "" {
		args = append(args, "--encoding", encoding)
	}
	if format == "xlsx" {
		args = append(args, "--title", "行政处罚信息")
	}
	cmd := exec.CommandContext(ctx, self, args...)
	cmd.Stderr = stderr
	return cmd.Run()
}

// benchRaw reads the CSV and inserts its rows into a bare table, the
// baseline: the same reading, no checking, no subjects, no index.
func benchRaw(csvPath, dbPath string) (benchResult, error) {
	os.Remove(dbPath)
	f, err := os.Open(csvPath)
	if err != nil {
		return benchResult{}, err
	}
	defer f.Close()
	db, err := sql.Open("sqlite", "file:"+dbPath+"?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)")
	if err != nil {
		return benchResult{}, err
	}
	defer db.Close()
	start := time.Now()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return benchResult{}, err
	}
	cols := make([]string, len(header))
	marks := make([]string, len(header))
	for i := range header {
		cols[i] = fmt.Sprintf("c%d TEXT", i)
		marks[i] = "?"
	}
	if _, err := db.Exec(`CREATE TABLE raw (` + strings.Join(cols, ", ") + `)`); err != nil {
		return benchResult{}, err
	}
	insert := `INSERT INTO raw VALUES (` + strings.Join(marks, ", ") + `)`
	vals := make([]any, len(header))
	n := 0
	var tx *sql.Tx
	var st *sql.Stmt
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return benchResult{}, err
		}
		if tx == nil {
			if tx, err = db.Begin(); err != nil {
				return benchResult{}, err
			}
			if st, err = tx.Prepare(insert); err != nil {
				return benchResult{}, err
			}
		}
		for i := range vals {
			vals[i] = nil
			if i < len(rec) {
				vals[i] = rec[i]
			}
		}
		if _, err := st.Exec(vals...); err != nil {
			return benchResult{}, err
		}
		if n++; n%5000 == 0 {
			if err := tx.Commit(); err != nil {
				return benchResult{}, err
			}
			tx = nil
		}
	}
	if tx != nil {
		if err := tx.Commit(); err != nil {
			return benchResult{}, err
		}
	}
	return benchResult{rows: n, secs: time.Since(start).Seconds()}, nil
}

// benchImport runs `xinyong import` on a fresh data directory (and the
// database the extra flags name) as its own process, so that its peak
// memory is its own.
func benchImport(ctx context.Context, data, file string, more ...string) (benchResult, error) {
	os.RemoveAll(data)
	self, err := os.Executable()
	if err != nil {
		return benchResult{}, err
	}
	for _, args := range [][]string{{"migrate"}, {"provider", "add", "--code", "420000-SCJG", "--name", "湖北省市场监督管理局", "--items", "admin_penalty"}} {
		setup := exec.CommandContext(ctx, self, append(append(args, "--data", data), more...)...)
		if out, err := setup.CombinedOutput(); err != nil {
			return benchResult{}, fmt.Errorf("bench setup: %v: %s", err, out)
		}
	}
	cmd := exec.CommandContext(ctx, self, append([]string{"import", "--data", data, "--provider", "420000-SCJG", "--item", "admin_penalty", "--quiet", file}, more...)...)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	secs := time.Since(start).Seconds()
	if err != nil {
		return benchResult{}, fmt.Errorf("bench import: %v: %s", err, out)
	}
	// "batch 1 done: 1000000 rows read, ..."
	var rows int
	if _, after, ok := strings.Cut(string(out), ": "); ok {
		fmt.Sscanf(after, "%d rows read", &rows)
	}
	rss := 0.0
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = float64(ru.Maxrss) / 1024 // KiB on Linux
	}
	return benchResult{rows: rows, secs: secs, rssMiB: rss}, nil
}
