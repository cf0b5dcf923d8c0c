package intake_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/xinyong/xinyong/internal/catalog"
	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/intake"
	"github.com/xinyong/xinyong/internal/pii"
	"github.com/xinyong/xinyong/internal/store/sqlite"
	"github.com/xinyong/xinyong/internal/workday"
)

// batchEnv is a real SQLite store with one provider and a runner.
type batchEnv struct {
	dir      string
	store    *sqlite.DB
	provider *credit.Provider
	runner   *intake.Runner
}

func newBatchEnv(t testing.TB) *batchEnv {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sqlite.Open(ctx, filepath.Join(dir, "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	now := time.Date(2026, 11, 30, 10, 0, 0, 0, workday.CST)
	db.Now = func() time.Time { return now }
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	keys, _ := pii.New(bytes.Repeat([]byte{3}, 32))
	p := &credit.Provider{Code: "420000-SCJG", Name: "湖北省市场监督管理局", Items: []string{"admin_penalty"}}
	if err := db.CreateProvider(ctx, p, []byte("k")); err != nil {
		t.Fatal(err)
	}
	return &batchEnv{dir: dir, store: db, provider: p, runner: &intake.Runner{Store: db, Catalog: catalog.Default(),
		Preparer: &intake.Preparer{Calendar: workday.Default(), Keys: keys}, Owner: "test-a", Now: func() time.Time { return now },
		Limits: intake.BatchLimits{ChunkRows: 3}}}
}

const penaltyHeader = "行政相对人名称,行政相对人类别,统一社会信用代码,法定代表人,行政处罚决定书文号,违法行为类型,违法事实,处罚依据,处罚类别,处罚内容,罚款金额（万元）,处罚决定日期,处罚有效期,处罚机关,处罚机关统一社会信用代码,数据来源单位,数据来源单位统一社会信用代码"

func penaltyRow(wsh, uscc, date string) string {
	return "武汉楚天建筑工程有限公司,法人及非法人组织," + uscc + ",张三," + wsh + ",虚假宣传,发布虚假广告,《中华人民共和国广告法》,罚款,罚款五万元,5," + date +
		",2029-12-31,湖北省市场监督管理局,9144030071526726XG,湖北省市场监督管理局,9144030071526726XG"
}

// run writes content as a file, creates and claims a batch for it, and runs it.
func (e *batchEnv) run(t *testing.T, name string, content []byte, mode string) *credit.Batch {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(e.dir, name)
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}
	b := &credit.Batch{ProviderID: e.provider.ID, ProviderCode: e.provider.Code, Item: "admin_penalty", Mode: mode,
		FileName: name, FilePath: path, FileHash: []byte(name), FileSize: int64(len(content))}
	if err := e.store.CreateBatch(ctx, b); err != nil {
		t.Fatal(err)
	}
	if ok, err := e.store.ClaimBatch(ctx, b.ID, e.runner.Owner, time.Now().Add(time.Hour), nil); !ok || err != nil {
		t.Fatalf("claim: %v %v", ok, err)
	}
	if err := e.runner.Run(ctx, b, nil); err != nil {
		t.Fatal(err)
	}
	got, err := e.store.Batch(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// errorRows reads a batch's rejected rows, checking that their cells are
// stored sealed, and opens them.
func (e *batchEnv) errorRows(t *testing.T, id int64) []credit.RowError {
	var out []credit.RowError
	rows := func(fn func(credit.RowError) error) error {
		return e.store.BatchErrors(context.Background(), id, func(r credit.RowError) error {
			if len(r.Sealed) == 0 || bytes.Contains(r.Sealed, []byte("法人及非法人组织")) {
				t.Errorf("row %d: cells not sealed", r.Row)
			}
			return fn(r)
		})
	}
	if err := intake.Opened(e.runner.Preparer.Keys, rows)(func(r credit.RowError) error { out = append(out, r); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func gbk(t *testing.T, s string) []byte {
	b, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestBatchPartial(t *testing.T) {
	e := newBatchEnv(t)
	csv := strings.Join([]string{
		penaltyHeader + ",备注说明",
		penaltyRow("P1", "91110000600037341L", "2026/2/13"),
		penaltyRow("P2", "91110000600037341N", "2026-02-13"), // bad check character
		penaltyRow("Ｐ３", "９１１１００００６０００３７３４１Ｌ", "2026年2月13日"),
		penaltyRow("P4", "91110000600037341L", "13/02/2026"), // date the wrong way round
		penaltyRow("P5", "91110000600037341L", "46066"),      // spreadsheet serial
	}, "\r\n") + "\r\n"
	b := e.run(t, "p.csv", gbk(t, csv), credit.ModePartial)
	if b.Status != credit.BatchDone || b.RowsRead != 5 || b.Created != 3 || b.Rejected != 2 || b.Encoding != "gb18030" || b.Format != "csv" {
		t.Fatalf("batch = %+v", b)
	}
	var unknown, normalised bool
	for _, n := range b.Notes {
		unknown = unknown || n.Code == "unknown_column" && n.Column == "备注说明"
		normalised = normalised || n.Code == "normalised" && n.Field == "cf_jdrq" && n.Kind == "date_format" && n.Count == 3
	}
	if !unknown || !normalised {
		t.Errorf("notes = %+v", b.Notes)
	}
	rows := e.errorRows(t, b.ID)
	if len(rows) != 2 || rows[0].Row != 3 || rows[1].Row != 5 || rows[0].Errors[0].Code != "uscc_check" || rows[0].Cells[4] != "P2" {
		t.Fatalf("error rows = %+v", rows)
	}

	// The error file, corrected and sent back, adds only what was missing.
	var ef bytes.Buffer
	it, _ := catalog.Default().Item("admin_penalty")
	if err := intake.WriteErrorsCSV(&ef, it, b.Header, func(fn func(credit.RowError) error) error {
		for _, r := range rows {
			if err := fn(r); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	text := ef.String()
	if !strings.HasPrefix(text, "\ufeff行号,") || !strings.Contains(text, "错误原因") || !strings.Contains(text, "第18位") {
		t.Fatalf("error file:\n%s", text)
	}
	fixed := strings.ReplaceAll(strings.ReplaceAll(text, "91110000600037341N", "91110000600037341L"), "13/02/2026", "2026-02-13")
	again := e.run(t, "fixed.csv", []byte(fixed), credit.ModePartial)
	if again.Status != credit.BatchDone || again.Created != 2 || again.Rejected != 0 {
		t.Errorf("resubmitted error file: %+v", again)
	}
	whole := e.run(t, "p-again.csv", gbk(t, csv), credit.ModePartial)
	if whole.Created != 0 || whole.Unchanged != 3 {
		t.Errorf("the same rows again: created %d unchanged %d", whole.Created, whole.Unchanged)
	}
}

func TestBatchAtomic(t *testing.T) {
	e := newBatchEnv(t)
	bad := penaltyHeader + "\n" + penaltyRow("A1", "91110000600037341L", "2026-02-13") + "\n" + penaltyRow("A2", "91110000600037341N", "2026-02-13") + "\n"
	b := e.run(t, "a.csv", []byte(bad), credit.ModeAtomic)
	if b.Status != credit.BatchFailed || b.Created != 0 || b.Rejected != 1 || !strings.Contains(b.ReasonEN, "nothing was stored") {
		t.Fatalf("atomic batch with a bad row = %+v", b)
	}
	if _, err := e.store.SubjectByUSCC(context.Background(), "91110000600037341L"); !credit.IsNotFound(err) {
		t.Errorf("a failed atomic batch left a subject: %v", err)
	}
	good := strings.Replace(bad, "91110000600037341N", "91110000600037341L", 1)
	if b := e.run(t, "a2.csv", []byte(good), credit.ModeAtomic); b.Status != credit.BatchDone || b.Created != 2 {
		t.Errorf("atomic batch = %+v", b)
	}
	dup := penaltyHeader + "\n" + penaltyRow("D1", "91110000600037341L", "2026-02-13") + "\n" + penaltyRow("D1", "91110000600037341L", "2026-02-14") + "\n"
	if b := e.run(t, "dup.csv", []byte(dup), credit.ModeAtomic); b.Status != credit.BatchFailed || b.Created != 0 {
		t.Errorf("atomic batch with a repeated key = %+v", b)
	}
}

func TestBatchFileErrors(t *testing.T) {
	e := newBatchEnv(t)
	tests := []struct {
		name    string
		content []byte
		want    string
	}{
		{"ErrNoHeader", []byte("a,b,c\n1,2,3\n"), "header"},
		{"ErrHeaderOnly", []byte(penaltyHeader + "\r\n"), "no data rows"},
		{"ErrUnbalancedQuote", []byte(penaltyHeader + "\n\"unterminated," + penaltyRow("Q1", "91110000600037341L", "2026-02-13") + "\n"), "quote"},
		{"ErrBinary", bytes.Repeat([]byte{0xff, 0x00, 0x13, 0x88}, 1000), ""},
		{"ErrTruncatedXLSX", []byte("PK\x03\x04\x14\x00\x00\x00\x08\x00garbage"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := e.run(t, tt.name, tt.content, credit.ModePartial)
			if b.Status != credit.BatchFailed || b.ReasonZH == "" || b.ReasonEN == "" || !strings.Contains(strings.ToLower(b.ReasonEN), tt.want) {
				t.Errorf("batch = %s: %q / %q", b.Status, b.ReasonZH, b.ReasonEN)
			}
		})
	}
}

// TestBatchResume interrupts a batch after its first chunk and lets
// another process take it over: every row is collected once.
func TestBatchResume(t *testing.T) {
	e := newBatchEnv(t)
	var lines []string
	lines = append(lines, penaltyHeader)
	for i := 0; i < 20; i++ {
		lines = append(lines, penaltyRow("R"+string(rune('A'+i)), "91110000600037341L", "2026-02-13"))
	}
	path := filepath.Join(e.dir, "r.csv")
	os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o600)
	ctx, cancel := context.WithCancel(context.Background())
	b := &credit.Batch{ProviderID: e.provider.ID, ProviderCode: e.provider.Code, Item: "admin_penalty", Mode: credit.ModePartial,
		FileName: "r.csv", FilePath: path, FileHash: []byte("r"), FileSize: 1}
	e.store.CreateBatch(ctx, b)
	e.store.ClaimBatch(ctx, b.ID, "test-a", time.Now().Add(time.Hour), nil)
	err := e.runner.Run(ctx, b, func(b *credit.Batch) {
		if b.Checkpoint >= 4 {
			cancel() // the process "dies" after its first chunk
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: %v", err)
	}
	mid, _ := e.store.Batch(context.Background(), b.ID)
	if mid.Status != credit.BatchRunning || mid.Checkpoint == 0 || mid.Created != mid.RowsRead {
		t.Fatalf("interrupted batch = %+v", mid)
	}
	other := *e.runner
	other.Owner = "test-b"
	if ok, _ := e.store.ClaimBatch(context.Background(), b.ID, "test-b", time.Now().Add(time.Hour), func(string) bool { return false }); !ok {
		t.Fatal("could not take over")
	}
	b, _ = e.store.Batch(context.Background(), b.ID)
	if err := other.Run(context.Background(), b, nil); err != nil {
		t.Fatal(err)
	}
	done, _ := e.store.Batch(context.Background(), b.ID)
	if done.Status != credit.BatchDone || done.RowsRead != 20 || done.Created != 20 || done.Unchanged != 0 {
		t.Errorf("resumed batch = %+v", done)
	}
}

// TestErrorFileOfErrorFile checks that an error file made from a corrected
// error file does not repeat the columns the first one added.
func TestErrorFileOfErrorFile(t *testing.T) {
	it, _ := catalog.Default().Item("admin_penalty")
	header := []string{"行号", "行政相对人名称", "处罚决定日期", "错误字段", "错误原因"}
	var out bytes.Buffer
	err := intake.WriteErrorsCSV(&out, it, header, func(fn func(credit.RowError) error) error {
		return fn(credit.RowError{Row: 3, Cells: []string{"2", "武汉某公司", "2026/13/45", "处罚决定日期", "旧原因"},
			Errors: []credit.FieldError{{Field: "cf_jdrq", Code: "date_format", MessageZH: "新原因"}}})
	})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimPrefix(strings.TrimSpace(out.String()), "\ufeff"), "\n")
	if lines[0] != "行号,行政相对人名称,处罚决定日期,错误字段,错误原因" || lines[1] != "3,武汉某公司,2026/13/45,处罚决定日期,新原因" {
		t.Errorf("error file:\n%s", out.String())
	}
}

// sharedStore keeps uploads "in the store", as a store shared by several
// nodes does: here the real SQLite store, with the file's content in memory.
type sharedStore struct {
	*sqlite.DB
	content []byte
}

func (s *sharedStore) Upload(_ context.Context, _ int64, w io.Writer) error {
	_, err := w.Write(s.content)
	return err
}

// TestBatchFetchedFile: a node that did not receive a file collects it from
// the store's copy, and refuses a copy that differs from the upload.
func TestBatchFetchedFile(t *testing.T) {
	ctx := context.Background()
	content := []byte(penaltyHeader + "\n" + penaltyRow("鄂市监罚〔2026〕8号", "91110000600037341L", "2026-11-20") + "\n")
	for _, tc := range []struct {
		name   string
		stored []byte
		status string
	}{
		{"OKSame", content, credit.BatchDone},
		{"ErrAltered", append(append([]byte(nil), content...), "x\n"...), credit.BatchFailed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newBatchEnv(t)
			store := &sharedStore{DB: e.store, content: tc.stored}
			e.runner.Store, e.runner.UploadDir = store, filepath.Join(e.dir, "uploads")
			sum := sha256.Sum256(content)
			b := &credit.Batch{ProviderID: e.provider.ID, ProviderCode: e.provider.Code, Item: "admin_penalty", Mode: credit.ModePartial,
				FileName: "x.csv", FilePath: filepath.Join(e.dir, "on-another-node.csv"), FileHash: sum[:], FileSize: int64(len(content))}
			if err := e.store.CreateBatch(ctx, b); err != nil {
				t.Fatal(err)
			}
			e.store.ClaimBatch(ctx, b.ID, e.runner.Owner, time.Now().Add(time.Hour), nil)
			if err := e.runner.Run(ctx, b, nil); err != nil {
				t.Fatal(err)
			}
			got, _ := e.store.Batch(ctx, b.ID)
			if got.Status != tc.status || tc.status == credit.BatchDone && got.Created != 1 {
				t.Errorf("batch = %s (created %d, %s); want %s", got.Status, got.Created, got.ReasonEN, tc.status)
			}
		})
	}
}
