package main_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/xinyong/xinyong/internal/store/postgres/pgtest"
)

// TestMultiNode runs two `xinyong serve` processes on one PostgreSQL
// database, each with its own data directory (the same key), as two
// machines would: overlapping files uploaded to both at once make no
// duplicate and the right versions, each batch is collected by one node,
// and a node killed in the middle of a batch leaves it to the other.
func TestMultiNode(t *testing.T) {
	url := pgtest.Database(t)
	dir := t.TempDir()
	dataA, dataB := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	out, stderr, code := xinyong(t, "migrate", "--data", dataA, "--db", url)
	if code != 0 {
		t.Fatalf("migrate: %s%s", out, stderr)
	}
	out, stderr, code = xinyong(t, "provider", "add", "--data", dataA, "--db", url, "--code", "420000-SCJG", "--name", "湖北省市场监督管理局",
		"--items", "admin_penalty", "--json")
	if code != 0 {
		t.Fatalf("provider add: %s%s", out, stderr)
	}
	key := strings.Split(strings.Split(out, `"api_key":"`)[1], `"`)[0]
	copyKeys(t, dataA, dataB)

	// Files: a has 300 penalties; b repeats a's first 150, half of them changed.
	a := filepath.Join(dir, "a.csv")
	if out, stderr, code := xinyong(t, "demo", "--out", a, "--format", "csv", "--subjects", "40", "--records", "300", "--seed", "3"); code != 0 {
		t.Fatalf("demo: %s%s", out, stderr)
	}
	rows := readCSV(t, a)
	header, body := rows[0], rows[1:]
	content, keyCol := column(t, header, "处罚内容"), column(t, header, "行政处罚决定书文号")
	var bRows [][]string
	changed := map[string]bool{}
	for i, r := range body[:150] {
		r = append([]string(nil), r...)
		if i%2 == 0 {
			r[content] += "（更正）"
			changed[r[keyCol]] = true
		}
		bRows = append(bRows, r)
	}
	b := filepath.Join(dir, "b.csv")
	writeCSV(t, b, append([][]string{header}, bRows...))

	t.Setenv("XINYONG_JOB_POLL", "100ms") // inherited by the servers
	t.Setenv("XINYONG_TX_ROWS", "2000")   // small transactions: the kill below falls between two
	nodeA, baseA, _ := startServer(t, "--data", dataA, "--db", url)
	nodeB, baseB, _ := startServer(t, "--data", dataB, "--db", url)
	nodes := map[int]*node{nodeA.Process.Pid: {nodeA, baseA}, nodeB.Process.Pid: {nodeB, baseB}}

	// Both files at once, one to each node.
	var wg sync.WaitGroup
	ids := make([]int64, 2)
	for i, up := range []struct{ base, file string }{{baseA, a}, {baseB, b}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ids[i] = upload(t, up.base, key, up.file)
		}()
	}
	wg.Wait()
	for _, id := range ids {
		waitBatch(t, baseA, key, id, "done")
	}
	conn := connect(t, url)
	var records, keys, v2 int
	conn.QueryRow(context.Background(), `SELECT count(*), count(DISTINCT business_key), count(*) FILTER (WHERE version = 2) FROM records`).Scan(&records, &keys, &v2)
	if records != 300 || keys != 300 || v2 != len(changed) {
		t.Errorf("records %d (distinct keys %d, version 2: %d); want 300, 300, %d", records, keys, v2, len(changed))
	}
	var created, updated, unchanged int
	conn.QueryRow(context.Background(), `SELECT sum(created), sum(updated), sum(unchanged) FROM batches`).Scan(&created, &updated, &unchanged)
	if created != 300 || updated != len(changed) || unchanged != 150-len(changed) {
		t.Errorf("batches: created %d, updated %d, unchanged %d; want 300, %d, %d", created, updated, unchanged, len(changed), 150-len(changed))
	}
	// Each batch was started by one node, once.
	var starts int
	conn.QueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE action = 'batch.start'`).Scan(&starts)
	if starts != 2 {
		t.Errorf("%d batch starts for 2 batches", starts)
	}
	if out, _, code := xinyong(t, "audit", "verify", "--data", dataB, "--db", url); code != 0 || !strings.Contains(out, "intact") {
		t.Errorf("audit verify: %s", out)
	}

	// The scheduled audit check, due at start on both nodes, ran once.
	jobRuns := func() (n int) {
		conn.QueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE action = 'job.run' AND object = 'job:audit.verify'`).Scan(&n)
		return n
	}
	time.Sleep(time.Second) // ten polls on each node
	if n := jobRuns(); n != 1 {
		t.Errorf("the job due on both nodes ran %d times, want 1", n)
	}
	// A job held by a node that died is taken over at once.
	host, _ := os.Hostname()
	if _, err := conn.Exec(context.Background(), `UPDATE jobs SET owner = $1, lease_until = now() + interval '1 hour', due_at = now()`,
		"999999999@"+host); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); jobRuns() < 2 && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond)
	if n := jobRuns(); n != 2 {
		t.Errorf("the job stranded by a dead node ran %d more times, want 1", n-1)
	}

	// A larger file; kill its node once it is collecting.
	big := filepath.Join(dir, "big.csv")
	if out, stderr, code := xinyong(t, "demo", "--out", big, "--format", "csv", "--subjects", "2000", "--records", "20000", "--seed", "4"); code != 0 {
		t.Fatalf("demo: %s%s", out, stderr)
	}
	want := len(readCSV(t, big)) - 1
	id := upload(t, baseA, key, big)
	var owner string
	var read int
	deadline := time.Now().Add(60 * time.Second)
	for owner == "" && time.Now().Before(deadline) {
		conn.QueryRow(context.Background(), `SELECT owner, rows_read FROM batches WHERE id = $1`, id).Scan(&owner, &read)
		if read == 0 {
			owner = ""
			time.Sleep(20 * time.Millisecond)
		}
	}
	if read >= want {
		t.Fatalf("the batch was collected (%d rows) before it could be interrupted; use a larger file", read)
	}
	pid, _ := strconv.Atoi(strings.Split(owner, "@")[0])
	victim, ok := nodes[pid]
	if !ok {
		t.Fatalf("batch %d owned by %q, not a node of this test", id, owner)
	}
	victim.cmd.Process.Kill() // SIGKILL, mid-batch
	victim.cmd.Wait()
	var survivor string
	for p, n := range nodes {
		if p != pid {
			survivor = n.base
		}
	}
	final := waitBatch(t, survivor, key, id, "done")
	var bigRecords int
	conn.QueryRow(context.Background(), `SELECT count(*) FROM records WHERE request_id = $1`, fmt.Sprintf("batch:%d", id)).Scan(&bigRecords)
	// Keys also in the first files make new versions (updated), written by this batch too.
	if final["rows_read"] != float64(want) || bigRecords != int(final["created"].(float64)+final["updated"].(float64)) {
		t.Errorf("after the kill: batch %v, %d records written by it; want %d rows read", final, bigRecords, want)
	}
	var total, distinct int
	conn.QueryRow(context.Background(), `SELECT count(*), count(DISTINCT (provider_id, item, business_key)) FROM record_keys`).Scan(&total, &distinct)
	if total != distinct {
		t.Errorf("%d record keys, %d distinct", total, distinct)
	}
}

type node struct {
	cmd  *exec.Cmd
	base string
}

func copyKeys(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(from, "keys", "master.key"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(to, "keys"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(to, "keys", "master.key"), b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func writeCSV(t *testing.T, path string, rows [][]string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := csv.NewWriter(f)
	w.WriteAll(rows)
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func column(t *testing.T, header []string, name string) int {
	t.Helper()
	for i, h := range header {
		if strings.TrimPrefix(h, "\ufeff") == name {
			return i
		}
	}
	t.Fatalf("no column %s in %v", name, header)
	return -1
}

func upload(t *testing.T, base, key, path string) int64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Error(err)
		return 0
	}
	defer f.Close()
	req, _ := http.NewRequest("POST", base+"/api/v1/batches?item=admin_penalty&name="+filepath.Base(path), f)
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return 0
	}
	defer resp.Body.Close()
	var v struct {
		ID int64 `json:"batch_id"`
	}
	if resp.StatusCode != 202 && resp.StatusCode != 200 || json.NewDecoder(resp.Body).Decode(&v) != nil || v.ID == 0 {
		t.Errorf("upload %s: %d", path, resp.StatusCode)
	}
	return v.ID
}

// waitBatch waits for the batch to reach status and returns it.
func waitBatch(t *testing.T, base, key string, id int64, status string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		code, b := request(t, "GET", fmt.Sprintf("%s/api/v1/batches/%d", base, id), key, nil)
		if code == 200 && b["status"] == status {
			return b
		}
		if code != 200 || b["status"] == "failed" || time.Now().After(deadline) {
			t.Fatalf("batch %d: %d %v", id, code, b)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func connect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}
