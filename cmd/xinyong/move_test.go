package main_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/store/postgres"
	"github.com/xinyong/xinyong/internal/store/postgres/pgtest"
	"github.com/xinyong/xinyong/internal/store/sqlite"
)

// TestMove moves a demo installation with a file batch (and its rejected
// rows), an accepted objection with its file and a repair application to
// PostgreSQL: a move killed halfway leaves the target empty and is run
// again; the moved installation answers as the embedded one did.
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
	run("user", "add", "--data", data, "--name", "wang", "--role", "admin", "--display", "王")
	run("user", "add", "--data", data, "--name", "li", "--role", "auditor")
	run("user", "disable", "--data", data, "--name", "li")
	addSession(t, data, "wang")
	file := filepath.Join(dir, "penalties.csv")
	run("demo", "--out", file, "--format", "csv", "--encoding", "gbk", "--bad", "10", "--subjects", "20", "--records", "80")
	if out, stderr, code := xinyong(t, "import", "--data", data, "--provider", "420000-TEST", "--item", "admin_penalty", "--quiet", file); code != 0 && code != 1 {
		t.Fatalf("import: exit %d\n%s%s", code, out, stderr)
	}
	cases := fileCases(t, data)

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
	for _, want := range []string{"records", "record_keys", "subject_codes", "batch_errors", "announcements", "staff", "staff_sessions", "objections", "case_files", "audit chain intact", "审计链完整"} {
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
	// Organisations are found by their organisation code on both.
	orgCode := hits[0].(map[string]any)["uscc"].(string)[8:17]
	_, a := request(t, "GET", embedded+"/api/v1/subjects?q="+orgCode, "", nil)
	_, b := request(t, "GET", moved+"/api/v1/subjects?q="+orgCode, "", nil)
	if a["total"] != 1.0 || !reflect.DeepEqual(a, b) {
		t.Errorf("search by organisation code %s: embedded %v, moved %v", orgCode, a, b)
	}
	cases.check(t, target)
	// The console's accounts came along, and new ones follow them.
	if embeddedUsers, movedUsers := run("user", "list", "--data", data), run("user", "list", "--data", data, "--db", target); movedUsers != embeddedUsers || !strings.Contains(movedUsers, "li\tauditor\t-\tdisabled") {
		t.Errorf("accounts: embedded %q, moved %q", embeddedUsers, movedUsers)
	}
	run("user", "add", "--data", data, "--db", target, "--name", "zhao", "--role", "handler")
	// New writes continue after the moved ids.
	if out, stderr, code := xinyong(t, "provider", "add", "--data", data, "--db", target, "--code", "420000-NEW", "--name", "新局", "--items", "admin_penalty"); code != 0 {
		t.Errorf("provider add after the move: exit %d: %s%s", code, out, stderr)
	}
}

// movedCases are the cases of an embedded installation, as it reads them.
type movedCases struct {
	objection *credit.Objection
	repair    *credit.Repair
	file      *credit.EvidenceFile
}

// fileCases files an objection with a file on the installation's first
// record, accepts it (marking the record), and applies for the repair of
// another record, through the embedded store.
func fileCases(t *testing.T, data string) *movedCases {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(data, "xinyong.db")
	raw, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	rows, err := raw.Query(`SELECT id FROM records ORDER BY id LIMIT 2`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	raw.Close()
	if len(ids) != 2 {
		t.Fatalf("the demo has %d records", len(ids))
	}
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// PostgreSQL keeps microseconds: times the move cannot round.
	db.Now = func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
	pdf := []byte("%PDF-1.4\n")
	sum := sha256.Sum256(pdf)
	token := sha256.Sum256([]byte("move-objection"))
	o := &credit.Objection{RecordID: ids[0], Ground: "error", Statement: "处罚决定已被撤销", State: "filed", TokenHash: token[:],
		Applicant: credit.Applicant{Name: "王五", Role: "委托代理人", Phone: "13800000000"},
		Files:     []credit.EvidenceFile{{Name: "撤销决定.pdf", Type: "application/pdf", Size: int64(len(pdf)), SHA256: sum[:], Data: pdf}}}
	if err := db.CreateObjection(ctx, o); err != nil {
		t.Fatal(err)
	}
	o.State, o.AcceptedAt = "accepted", db.Now()
	mark := true
	if err := db.UpdateObjection(ctx, o, credit.CaseStep{Kind: "accept", Actor: "handler1"}, credit.RecordEffect{Mark: &mark}); err != nil {
		t.Fatal(err)
	}
	token = sha256.Sum256([]byte("move-repair"))
	r := &credit.Repair{RecordID: ids[1], State: "applied", TokenHash: token[:], Performed: "罚款已缴清", Commitment: "本单位承诺……",
		Applicant: credit.Applicant{Name: "赵六", Role: "法定代表人"}}
	if err := db.CreateRepair(ctx, r); err != nil {
		t.Fatal(err)
	}
	c := &movedCases{}
	if c.objection, err = db.Objection(ctx, o.ID); err != nil {
		t.Fatal(err)
	}
	if c.repair, err = db.Repair(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	if c.file, err = db.EvidenceFile(ctx, "objection", o.ID, c.objection.Files[0].ID); err != nil {
		t.Fatal(err)
	}
	return c
}

// check reads the cases back from the moved installation, and files one
// more there.
func (c *movedCases) check(t *testing.T, target string) {
	t.Helper()
	ctx := context.Background()
	db, err := postgres.Open(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	o, err := db.Objection(ctx, c.objection.ID)
	if err != nil || !reflect.DeepEqual(o, c.objection) {
		t.Errorf("moved objection: %v\n%+v\nwant %+v", err, o, c.objection)
	}
	if r, err := db.Repair(ctx, c.repair.ID); err != nil || !reflect.DeepEqual(r, c.repair) {
		t.Errorf("moved repair: %v\n%+v\nwant %+v", err, r, c.repair)
	}
	if f, err := db.EvidenceFile(ctx, "objection", c.objection.ID, c.file.ID); err != nil || !reflect.DeepEqual(f, c.file) {
		t.Errorf("moved file: %v\n%+v\nwant %+v", err, f, c.file)
	}
	if rec, err := db.Record(ctx, c.objection.RecordID); err != nil || !rec.UnderObjection {
		t.Errorf("moved record under objection: %v", err)
	}
	if evs, err := db.RecordEvents(ctx, c.objection.RecordID); err != nil || len(evs) != 1 || evs[0].Kind != "objection.mark" {
		t.Errorf("moved record events %+v, %v", evs, err)
	}
	// Cases and files filed after the move continue after the moved ids.
	o2 := &credit.Objection{RecordID: c.objection.RecordID, Ground: "error", State: "filed", TokenHash: bytes.Repeat([]byte{7}, 32),
		Files: []credit.EvidenceFile{{Name: "a.png", Type: "image/png", Size: 1, SHA256: bytes.Repeat([]byte{8}, 32), Data: []byte{1}}}}
	if err := db.CreateObjection(ctx, o2); err != nil {
		t.Fatal(err)
	}
	if o2.ID != c.objection.ID+1 || o2.Files[0].ID != c.file.ID+1 {
		t.Errorf("new objection %d with file %d after objection %d with file %d", o2.ID, o2.Files[0].ID, c.objection.ID, c.file.ID)
	}
}
