package main_test

import (
	"bufio"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

// counts reads the database directly, as an auditor would after a crash.
func counts(t *testing.T, data string) (records, batchCreated, checkpoint int, status string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(data, "xinyong.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.QueryRow(`SELECT count(*) FROM records`).Scan(&records); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT created, checkpoint, status FROM batches ORDER BY id DESC LIMIT 1`).Scan(&batchCreated, &checkpoint, &status); err != nil {
		t.Fatal(err)
	}
	return
}

// TestImportKilled kills `xinyong import` with SIGKILL in the middle of a
// file, checks that what was committed is whole and matches the batch's
// own account, then runs the same command again: it resumes after the
// last committed row and every row is collected exactly once.
func TestImportKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("writes and collects a 40,000-row file")
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	file := filepath.Join(dir, "penalties.csv")
	if out, _, code := xinyong(t, "demo", "--out", file, "--format", "csv", "--encoding", "gbk", "--subjects", "4000", "--records", "40000"); code != 0 {
		t.Fatalf("demo --out: %s", out)
	}
	if out, errOut, code := xinyong(t, "provider", "add", "--data", data, "--code", "420000-SCJG", "--name", "湖北省市场监督管理局", "--items", "admin_penalty"); code != 0 {
		t.Fatalf("provider add: %s %s", out, errOut)
	}

	cmd := exec.Command(binary, "import", "--data", data, "--provider", "420000-SCJG", "--item", "admin_penalty", file)
	// Small transactions, so that the kill falls between two of them
	// (by default a transaction may take the whole file).
	cmd.Env = append(os.Environ(), "XINYONG_TX_ROWS=2000")
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill it once it reports progress past the first chunks.
	rows := regexp.MustCompile(`\] +\d+%  (\d+) rows`)
	sc := bufio.NewScanner(stderr)
	sc.Split(func(data []byte, atEOF bool) (int, []byte, error) { // progress lines end in \r
		for i, c := range data {
			if c == '\r' || c == '\n' {
				return i + 1, data[:i], nil
			}
		}
		if atEOF && len(data) > 0 {
			return len(data), data, nil
		}
		return 0, nil, nil
	})
	killed := false
	for sc.Scan() {
		if m := rows.FindStringSubmatch(sc.Text()); m != nil {
			if n, _ := strconv.Atoi(m[1]); n >= 10000 {
				cmd.Process.Kill() // SIGKILL: no chance to clean up
				killed = true
				break
			}
		}
	}
	cmd.Wait()
	if !killed {
		t.Fatal("the import finished before it could be killed; use a larger file")
	}

	records, created, checkpoint, status := counts(t, data)
	if status != "running" || records != created || records < 5000 || records >= 40000 {
		t.Fatalf("after kill -9: %d records stored, batch says created %d, checkpoint row %d, status %s", records, created, checkpoint, status)
	}
	// Every committed chunk is whole: no record beyond the checkpoint.
	if checkpoint-1 != created { // the header is row 1 and every row is valid
		t.Errorf("checkpoint row %d does not match %d rows created", checkpoint, created)
	}

	out, errOut, code := xinyong(t, "import", "--data", data, "--provider", "420000-SCJG", "--item", "admin_penalty", "--quiet", file)
	if code != 0 || !strings.Contains(errOut, "resuming batch") || !strings.Contains(out, "40000 rows read, 40000 created") {
		t.Fatalf("second run: exit %d\n%s\n%s", code, out, errOut)
	}
	if records, _, _, status := counts(t, data); records != 40000 || status != "done" {
		t.Errorf("after resuming: %d records, status %s", records, status)
	}
	// A third run recognises the file and does nothing.
	if out, _, code := xinyong(t, "import", "--data", data, "--provider", "420000-SCJG", "--item", "admin_penalty", file); code != 0 || !strings.Contains(out, "already imported") {
		t.Errorf("third run: exit %d: %s", code, out)
	}
	if out, _, code := xinyong(t, "audit", "verify", "--data", data); code != 0 {
		t.Errorf("audit verify: %s", out)
	}
	_ = time.Second
}

func TestImportErrors(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	xinyong(t, "provider", "add", "--data", data, "--code", "420000-SCJG", "--name", "湖北省市场监督管理局", "--items", "admin_penalty")
	file := filepath.Join(dir, "bad.csv")
	if out, _, code := xinyong(t, "demo", "--out", file, "--subjects", "50", "--records", "300", "--bad", "10"); code != 0 {
		t.Fatal(out)
	}
	out, errOut, code := xinyong(t, "import", "--data", data, "--provider", "420000-SCJG", "--item", "admin_penalty", "--quiet", file)
	if code != 0 || !strings.Contains(out, "rejected rows with reasons") {
		t.Fatalf("import: exit %d\n%s\n%s", code, out, errOut)
	}
	errFile := strings.TrimSuffix(file, ".csv") + ".errors.csv"
	if out, _, code := xinyong(t, "import", "--data", data, "--provider", "420000-SCJG", "--item", "admin_penalty", "--quiet", errFile); code != 0 {
		t.Errorf("importing the error file as it is: exit %d: %s", code, out)
	}
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"ErrProvider", []string{"--provider", "420000-NOPE", "--item", "admin_penalty", file}, "provider"},
		{"ErrItem", []string{"--provider", "420000-SCJG", "--item", "admin_licensing", file}, "may not submit"},
		{"ErrMode", []string{"--provider", "420000-SCJG", "--item", "admin_penalty", "--mode", "maybe", file}, "partial or atomic"},
		{"ErrMissingFile", []string{"--provider", "420000-SCJG", "--item", "admin_penalty", filepath.Join(dir, "nope.csv")}, "cannot read"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, errOut, code := xinyong(t, append([]string{"import", "--data", data}, tt.args...)...)
			if code == 0 || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q; want an error mentioning %q", code, errOut, tt.want)
			}
		})
	}
}
