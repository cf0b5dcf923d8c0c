package main_test

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xinyong/xinyong/internal/store/postgres/pgtest"
)

// TestMove moves a demo installation with a file batch (and its rejected
// rows) to PostgreSQL: a move killed halfway leaves the target empty and is
// run again; the moved installation answers as the embedded one did.
func TestMove(t *testing.T) {
	target := pgtest.Database(t)
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	run := func(args ...string) string {
		t.Helper()
		out, stderr, code := xinyong(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d\n%s%s", args, code, out, stderr)
		}
		return out
	}
	run("demo", "--data", data, "--subjects", "60", "--records", "240")
	run("provider", "add", "--data", data, "--code", "420000-TEST", "--name", "测试局", "--items", "admin_penalty")
	file := filepath.Join(dir, "penalties.csv")
	run("demo", "--out", file, "--format", "csv", "--encoding", "gbk", "--bad", "10", "--subjects", "20", "--records", "80")
	if out, stderr, code := xinyong(t, "import", "--data", data, "--provider", "420000-TEST", "--item", "admin_penalty", "--quiet", file); code != 0 && code != 1 {
		t.Fatalf("import: exit %d\n%s%s", code, out, stderr)
	}

	// Killed after copying the records, inside the move's transaction.
	cmd := exec.Command(binary, "move", "--from", data, "--to", target)
	cmd.Env = append(os.Environ(), "XINYONG_MOVE_PAUSE_AFTER=records")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	paused := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "paused after records") {
				paused <- true
				io.Copy(io.Discard, stdout)
				return
			}
		}
		paused <- false
	}()
	select {
	case ok := <-paused:
		if !ok {
			t.Fatal("the move ended without pausing")
		}
	case <-time.After(60 * time.Second):
		t.Fatal("the move did not reach the records")
	}
	cmd.Process.Kill()
	cmd.Wait()
	if out, stderr, code := xinyong(t, "provider", "list", "--data", data, "--db", target); code != 0 || strings.Contains(out, "420000-TEST") {
		t.Fatalf("after the killed move the target holds providers: exit %d\n%s%s", code, out, stderr)
	}

	out := run("move", "--from", data, "--to", target)
	for _, want := range []string{"records", "record_keys", "batch_errors", "announcements", "audit chain intact", "审计链完整"} {
		if !strings.Contains(out, want) {
			t.Errorf("move report lacks %q:\n%s", want, out)
		}
	}
	if _, stderr, code := xinyong(t, "move", "--from", data, "--to", target); code == 0 || !strings.Contains(stderr, "already holds data") {
		t.Errorf("a second move into the same database: exit %d: %s", code, stderr)
	}
	if out := run("audit", "verify", "--data", data, "--db", target); !strings.Contains(out, "intact") {
		t.Errorf("audit verify on the target: %s", out)
	}
	// The demo's announcements came along, and new ones follow them.
	embeddedList, movedList := run("announce", "--list", "--data", data), run("announce", "--list", "--data", data, "--db", target)
	if movedList != embeddedList || strings.Count(movedList, "\n") != 3 {
		t.Errorf("announcements: embedded %q, moved %q", embeddedList, movedList)
	}
	if out := run("announce", "--data", data, "--db", target, "--title-zh", "迁移完成", "--body-zh", "平台已迁移至 PostgreSQL。"); !strings.Contains(out, "announcement 4") {
		t.Errorf("announce after the move: %s", out)
	}

	// The same answers from both.
	embedded, _ := serve(t, "--data", data)
	moved, _ := serve(t, "--data", data, "--db", target)
	_, found := request(t, "GET", embedded+"/api/v1/subjects?q=有限公司", "", nil)
	hits, _ := found["results"].([]any)
	if len(hits) == 0 {
		t.Fatal("no demo subject found")
	}
	for _, h := range hits[:min(3, len(hits))] {
		path := "/api/v1/subjects/" + h.(map[string]any)["uscc"].(string)
		s1, a := request(t, "GET", embedded+path, "", nil)
		s2, b := request(t, "GET", moved+path, "", nil)
		if s1 != 200 || s2 != 200 || !reflect.DeepEqual(a, b) {
			t.Errorf("%s: embedded %d %v\nmoved %d %v", path, s1, a, s2, b)
		}
	}
	_, again := request(t, "GET", moved+"/api/v1/subjects?q=有限公司", "", nil)
	if again["total"] != found["total"] {
		t.Errorf("search total: embedded %v, moved %v", found["total"], again["total"])
	}
	// New writes continue after the moved ids.
	if out, stderr, code := xinyong(t, "provider", "add", "--data", data, "--db", target, "--code", "420000-NEW", "--name", "新局", "--items", "admin_penalty"); code != 0 {
		t.Errorf("provider add after the move: exit %d: %s%s", code, out, stderr)
	}
}
