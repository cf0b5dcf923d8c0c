package intake

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/xinyong/xinyong/internal/catalog"
	"github.com/xinyong/xinyong/internal/credit"
)

// BatchLimits bound what one batch may hold.
type BatchLimits struct {
	Read      ReadLimits
	MaxRows   int // rows in one file; default 5,000,000
	ChunkRows int // rows prepared and written together; default 5,000
	TxRows    int // rows committed together, in whole chunks; default 50,000
}

// Runner collects batches: it reads a file, checks and prepares every row
// on all cores, and commits the rows in order, a chunk per transaction,
// with the batch's checkpoint, so that a batch interrupted at any point
// resumes after its last committed row.
type Runner struct {
	Store    credit.Store
	Catalog  *catalog.Catalog
	Preparer *Preparer
	Limits   BatchLimits
	// Owner names this process in batch leases: "pid@host".
	Owner string
	// Lease is how long a claim lasts without a committed chunk.
	Lease   time.Duration
	Now     func() time.Time
	Workers int
	// UploadDir is where uploaded files wait for their batch; Work removes
	// a file there once its batch has ended.
	UploadDir string
}

// DefaultOwner is this process's owner name: "pid@host".
func DefaultOwner() string {
	host, _ := os.Hostname()
	return strconv.Itoa(os.Getpid()) + "@" + host
}

// Alive reports whether the owner of a lease may still be working: false
// only for an owner on this host whose process is gone.
func Alive(owner string) bool {
	pid, host, ok := strings.Cut(owner, "@")
	if !ok {
		return true
	}
	if h, _ := os.Hostname(); h != host {
		return true
	}
	n, err := strconv.Atoi(pid)
	if err != nil {
		return true
	}
	return !errors.Is(syscall.Kill(n, 0), syscall.ESRCH)
}

func (r *Runner) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func (r *Runner) limits() BatchLimits {
	l := r.Limits
	if l.MaxRows <= 0 {
		l.MaxRows = 5_000_000
	}
	if l.ChunkRows <= 0 {
		l.ChunkRows = 5000
	}
	if l.TxRows <= 0 {
		l.TxRows = 50_000
	}
	return l
}

// errNoRows is the failure of a file with a header and nothing under it.
var errNoRows = fail("文件只有表头，没有数据行", "the file has a header but no data rows")

// ErrorColumns are the columns an error file adds to the original ones; a
// corrected error file sent back is read without them.
var ErrorColumns = []string{"行号", "错误字段", "错误原因"}

// batchFailure is a reason a batch cannot be collected at all.
type batchFailure struct{ zh, en string }

func (f *batchFailure) Error() string { return f.en }

func fail(zh, en string, args ...any) *batchFailure {
	return &batchFailure{fmt.Sprintf(zh, args...), fmt.Sprintf(en, args...)}
}

// Run collects a batch this runner has claimed, to the end: done, or
// failed with a reason. progress, if not nil, is called after each chunk.
// An error return means the batch was left running (cancelled, or the
// store failed) and may be resumed.
func (r *Runner) Run(ctx context.Context, b *credit.Batch, progress func(*credit.Batch)) error {
	err := r.run(ctx, b, progress)
	var f *batchFailure
	if errors.As(err, &f) {
		if ferr := r.Store.FinishBatch(ctx, b, r.Owner, credit.BatchFailed, f.zh, f.en); ferr != nil {
			return ferr
		}
		b.Status, b.ReasonZH, b.ReasonEN = credit.BatchFailed, f.zh, f.en
		if progress != nil {
			progress(b)
		}
		return nil
	}
	return err
}

func (r *Runner) run(ctx context.Context, b *credit.Batch, progress func(*credit.Batch)) error {
	it, ok := r.Catalog.Item(b.Item)
	if !ok {
		return fail("目录中已没有条目“%s”", "the catalogue no longer has item %q", b.Item)
	}
	if b.Mode == credit.ModeAtomic {
		rejected, err := r.pass(ctx, b, it, false, progress)
		if err != nil {
			return err
		}
		if b.RowsRead == 0 {
			return errNoRows
		}
		if rejected > 0 {
			return fail("原子模式：%d 行有误，整批未保存；请下载错误文件改正后重新提交",
				"atomic mode: %d rows are invalid and nothing was stored; download the error file, fix them and resubmit", rejected)
		}
		_, err = r.pass(ctx, b, it, true, progress)
		return err
	}
	if _, err := r.pass(ctx, b, it, true, progress); err != nil {
		return err
	}
	if b.RowsRead == 0 {
		return errNoRows
	}
	if err := r.Store.FinishBatch(ctx, b, r.Owner, credit.BatchDone, "", ""); err != nil {
		return err
	}
	b.Status, b.Progress = credit.BatchDone, 1
	if progress != nil {
		progress(b)
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// prepared is one row after checking: a draft, or its errors.
type prepared struct {
	row   Row
	draft *credit.Draft
	errs  []credit.FieldError
	notes []catalog.Normalisation
}

// job is a run of rows checked by one worker; jobs are committed in order.
// Only the reader touches the table: it passes the header and progress
// as they were when the job was read.
type job struct {
	rows     []Row
	out      []prepared
	header   []string
	progress float64
	done     chan struct{}
	err      error // a file error ends reading after this job
}

// header maps the columns of a table to field codes as they appear; JSON
// Lines tables gain columns as they are read.
type header struct {
	mu     sync.Mutex
	it     *catalog.Item
	format string
	codes  []string
	seen   map[string]string
	notes  []credit.BatchNote
}

// codesFor returns the field code of each of cols (the table's header as
// the reader last saw it), mapping new columns.
func (h *header) codesFor(cols []string) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i := len(h.codes); i < len(cols); i++ {
		c := strings.TrimSpace(cols[i])
		code := ""
		switch f, ok := h.it.Field(c); {
		case c == "":
		case contains(ErrorColumns, c):
			h.notes = append(h.notes, credit.BatchNote{Code: "ignored_column", Column: c,
				MessageZH: fmt.Sprintf("已忽略错误文件附加列“%s”", c), MessageEN: fmt.Sprintf("ignored the error file's column %q", c)})
		case !ok:
			h.notes = append(h.notes, credit.BatchNote{Code: "unknown_column", Column: c,
				MessageZH: fmt.Sprintf("列“%s”不是“%s”的字段，其内容未导入；如为必填字段请改用目录中的列名", c, h.it.NameZH),
				MessageEN: fmt.Sprintf("column %q is not a field of %s and was not imported; if it holds a required field, use the catalogue's column name", c, h.it.Code)})
		case h.seen[f.Code] != "" && h.format != "jsonl": // JSON Lines objects each name their own keys
			h.notes = append(h.notes, credit.BatchNote{Code: "duplicate_column", Column: c, Field: f.Code,
				MessageZH: fmt.Sprintf("列“%s”与列“%s”对应同一字段 %s，已只采用前者", c, h.seen[f.Code], f.Code),
				MessageEN: fmt.Sprintf("column %q maps to field %s like column %q; only the first was imported", c, f.Code, h.seen[f.Code])})
		default:
			h.seen[f.Code] = c
			code = f.Code
		}
		h.codes = append(h.codes, code)
	}
	return h.codes
}

func (h *header) columnNotes() []credit.BatchNote {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]credit.BatchNote(nil), h.notes...)
}

// pass reads the whole file once. With store, valid rows are stored; else
// (the validation pass of an atomic batch) only errors are kept. It
// returns the number of rows rejected in this pass.
func (r *Runner) pass(ctx context.Context, b *credit.Batch, it *catalog.Item, store bool, progress func(*credit.Batch)) (int, error) {
	lim := r.limits()
	f, err := r.open(ctx, b)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	known := func(h string) bool { _, ok := it.Field(h); return ok }
	tbl, err := OpenTable(f, st.Size(), b.Sheet, lim.Read, known)
	if err != nil {
		return 0, fileFailure(err)
	}
	defer tbl.Close()
	b.Format, b.Encoding, b.Header = tbl.Format(), tbl.Encoding(), tbl.Header()
	hdr := &header{it: it, format: b.Format, seen: map[string]string{}}
	if hdr.codesFor(b.Header); len(hdr.seen) == 0 && b.Format != "jsonl" {
		return 0, fail("表头中没有“%s”的字段，请使用目录中的列名或字段代码", "the header names no field of %s; use the catalogue's column names or field codes", it.Code)
	}
	// A partial batch resumes after its checkpoint; an atomic one is read
	// whole in both its passes.
	skip := 0
	if b.Mode == credit.ModePartial {
		skip = b.Checkpoint
	}

	ctx, cancel := context.WithCancel(ctx)
	readerDone := make(chan struct{})
	defer func() {
		cancel()
		<-readerDone // the reader may be inside tbl.Next; the table closes after it
	}()
	// One core stays with the committer, the bottleneck: workers beyond
	// the other cores would only take time from it.
	workers := r.Workers
	if workers <= 0 {
		workers = max(1, runtime.NumCPU()-1)
	}
	now := r.now()
	// Enough rows in flight that checking and preparing the next chunk
	// overlaps with committing the last one.
	const jobRows = 256
	jobs := make(chan *job, 2*workers)
	ordered := make(chan *job, lim.ChunkRows/jobRows+2*workers)

	// Reader: rows after the checkpoint, in jobs of 256.
	go func() {
		defer close(readerDone)
		defer close(jobs)
		defer close(ordered)
		cur := &job{done: make(chan struct{})}
		send := func() bool {
			cur.header, cur.progress = tbl.Header(), tbl.Progress()
			for _, ch := range []chan *job{jobs, ordered} {
				select {
				case ch <- cur:
				case <-ctx.Done():
					return false
				}
			}
			cur = &job{done: make(chan struct{})}
			return true
		}
		for n := 0; ; {
			row, err := tbl.Next()
			if err == io.EOF {
				break
			}
			var rowErr *RowError
			switch {
			case errors.As(err, &rowErr):
				if rowErr.Row > skip {
					cur.out = append(cur.out, prepared{row: Row{Number: rowErr.Row},
						errs: []credit.FieldError{{Code: rowErr.Code, MessageZH: rowErr.MessageZH, MessageEN: rowErr.MessageEN}}})
				}
			case err != nil:
				cur.err = err
				send()
				return
			case row.Number > skip:
				cur.rows = append(cur.rows, row)
			}
			if n++; n > lim.MaxRows {
				cur.err = fail("文件超过 %d 行上限，其后的行未处理；请拆分文件，已处理的行重复提交不会重复保存",
					"the file has more than %d rows; the rest were not processed. Split the file; rows already processed are not stored twice", lim.MaxRows)
				send()
				return
			}
			if len(cur.rows)+len(cur.out) >= jobRows && !send() {
				return
			}
		}
		if len(cur.rows)+len(cur.out) > 0 {
			send()
		}
	}()

	// Workers: check and prepare.
	for w := 0; w < workers; w++ {
		go func() {
			for j := range jobs {
				for _, row := range j.rows {
					codes := hdr.codesFor(j.header)
					raw := make(map[string]any, len(row.Cells))
					for i, cell := range row.Cells {
						if i >= len(codes) || codes[i] == "" || cell == "" {
							continue
						}
						key := codes[i]
						if _, twice := raw[key]; twice {
							key = j.header[i] // one object naming a field twice: let the check say so
						}
						var v any = cell
						if b.Format == "jsonl" && strings.HasPrefix(cell, "[") {
							var list []any // a JSON array, as for a field of several values
							if json.Unmarshal([]byte(cell), &list) == nil {
								v = list
							}
						}
						raw[key] = v
					}
					d, errs, notes := r.Preparer.Prepare(it, row.Number, raw, now)
					if d != nil {
						d.Fields = nil // the store writes FieldsJSON; a chunk holds thousands of drafts
					}
					j.out = append(j.out, prepared{row: row, draft: d, errs: errs, notes: notes})
				}
				sort.Slice(j.out, func(a, b int) bool { return j.out[a].row.Number < j.out[b].row.Number })
				close(j.done)
			}
		}()
	}

	// Chunks, in file order.
	rejected := 0
	counts := map[[2]string]int{}
	var fileErr error
	newChunk := func() *credit.Chunk {
		c := &credit.Chunk{Batch: b, Cells: map[int][]string{}, Seal: r.sealCells}
		if store {
			c.Submission = &credit.Submission{Provider: &credit.Provider{ID: b.ProviderID, Code: b.ProviderCode}, Item: it.Code,
				CatalogVersion: it.Version, RequestID: fmt.Sprintf("batch:%d", b.ID)}
		}
		return c
	}
	assemble := func() (*credit.Chunk, error) {
		if fileErr != nil {
			return nil, nil
		}
		c := newChunk()
		for c.RowsRead < lim.ChunkRows {
			j, ok := <-ordered
			if !ok {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
				if c.RowsRead == 0 {
					return nil, nil
				}
				c.Progress = 1
				break
			}
			<-j.done
			for _, p := range j.out {
				c.RowsRead++
				c.Checkpoint = p.row.Number
				for _, n := range p.notes {
					counts[[2]string{n.Field, n.Code}]++
				}
				switch {
				case len(p.errs) > 0:
					rejected++
					c.Rejected = append(c.Rejected, credit.RowError{Row: p.row.Number, Errors: p.errs, Sealed: r.sealCells(p.row.Cells)})
				case store:
					c.Submission.Drafts = append(c.Submission.Drafts, p.draft)
					c.Cells[p.row.Number] = p.row.Cells
				}
			}
			if j.err != nil {
				fileErr = j.err
				break
			}
			c.Progress = j.progress
			b.Header = j.header // JSON Lines: the keys seen so far, for the error file
		}
		c.Notes = batchNotes(hdr.columnNotes(), counts)
		return c, nil
	}

	// Chunks are assembled ahead of the commits, one in waiting.
	type built struct {
		c   *credit.Chunk
		err error
	}
	chunks := make(chan built, 1)
	go func() {
		defer close(chunks)
		for {
			c, err := assemble()
			select {
			case chunks <- built{c, err}:
			case <-ctx.Done():
				return
			}
			if c == nil || err != nil {
				return
			}
		}
	}()
	next := func() (*credit.Chunk, error) {
		bc, ok := <-chunks
		if !ok {
			return nil, ctx.Err()
		}
		return bc.c, bc.err
	}

	if store && b.Mode == credit.ModeAtomic {
		refused, err := r.Store.CommitAtomic(ctx, b, r.Owner, next)
		if err != nil {
			return 0, err
		}
		for range chunks { // the assembler has finished: its results may be read
		}
		if fileErr != nil {
			return 0, fileFailure(fileErr) // rolled back: nothing stored
		}
		if len(refused) > 0 {
			errChunk := &credit.Chunk{Batch: b, Rejected: refused, Checkpoint: b.Checkpoint, Progress: 1}
			if _, err := r.Store.CommitChunk(ctx, errChunk, r.Owner, r.now().Add(r.lease())); err != nil {
				return 0, err
			}
			return 0, fail("原子模式：%d 行与同批其他行的业务主键重复，整批未保存", "atomic mode: %d rows repeat the business key of another row; nothing was stored", len(refused))
		}
		b.Status, b.Progress = credit.BatchDone, 1
		if progress != nil {
			progress(b)
		}
		return 0, nil
	}
	// Several chunks to a transaction: what a chunk leaves in memory is
	// what progress needs, until its transaction commits.
	type sent struct {
		rows, rejected, checkpoint int
		progress                   float64
	}
	var waiting []sent
	take := func() (*credit.Chunk, error) {
		c, err := next()
		if c != nil {
			waiting = append(waiting, sent{c.RowsRead, len(c.Rejected), c.Checkpoint, c.Progress})
		}
		return c, err
	}
	err = r.Store.CommitChunks(ctx, r.Owner, r.lease(), lim.TxRows, time.Second, take, func(n int) {
		for _, c := range waiting[:n] {
			b.RowsRead += c.rows
			b.Rejected += c.rejected
			b.Checkpoint, b.Progress = c.checkpoint, c.progress
		}
		waiting = waiting[n:]
		if progress != nil {
			progress(b)
		}
	})
	if err != nil {
		return 0, err
	}
	for range chunks { // the assembler has finished: its results may be read
	}
	if fileErr != nil {
		return 0, fileFailure(fileErr)
	}
	return rejected, nil
}

// open opens the batch's file: where it was saved, or, when another node
// received it, a copy of the one the store keeps (credit.SharedUploads),
// made in UploadDir and removed with the batch.
func (r *Runner) open(ctx context.Context, b *credit.Batch) (*os.File, error) {
	unreadable := fail("批次文件无法读取，请重新上传", "the batch's file cannot be read; upload it again")
	f, err := os.Open(b.FilePath)
	if err == nil {
		return f, nil
	}
	shared, ok := r.Store.(credit.SharedUploads)
	if !ok || !os.IsNotExist(err) || r.UploadDir == "" {
		return nil, unreadable
	}
	if err := os.MkdirAll(r.UploadDir, 0o700); err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(r.UploadDir, "fetch-*.dat")
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	if err := shared.Upload(ctx, b.ID, io.MultiWriter(tmp, h)); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		if credit.IsNotFound(err) {
			return nil, unreadable
		}
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return nil, err
	}
	if !bytes.Equal(h.Sum(nil), b.FileHash) {
		os.Remove(tmp.Name())
		return nil, fail("批次文件在数据库中的副本与上传时不符，请重新上传", "the batch's file as kept in the database differs from the upload; upload it again")
	}
	// Where this node keeps it from now on: the worker removes files there
	// when their batch ends.
	b.FilePath = filepath.Join(r.UploadDir, fmt.Sprintf("batch-%d.dat", b.ID))
	if err := os.Rename(tmp.Name(), b.FilePath); err != nil {
		os.Remove(tmp.Name())
		return nil, err
	}
	return os.Open(b.FilePath)
}

// sealCells encrypts a row's cells for keeping: they may hold identity numbers.
func (r *Runner) sealCells(cells []string) []byte {
	b, _ := json.Marshal(cells) // strings always marshal
	return r.Preparer.Keys.Seal(b)
}

func (r *Runner) lease() time.Duration {
	if r.Lease > 0 {
		return r.Lease
	}
	return 2 * time.Minute
}

// batchNotes combines column notes and normalisation counts.
func batchNotes(cols []credit.BatchNote, counts map[[2]string]int) []credit.BatchNote {
	out := append([]credit.BatchNote{}, cols...)
	keys := make([][2]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return keys[i][0] < keys[j][0] || keys[i][0] == keys[j][0] && keys[i][1] < keys[j][1]
	})
	for _, k := range keys {
		out = append(out, credit.BatchNote{Code: "normalised", Field: k[0], Kind: k[1], Count: counts[k],
			MessageZH: fmt.Sprintf("字段 %s：%d 行作了规范化（%s）", k[0], counts[k], k[1]),
			MessageEN: fmt.Sprintf("field %s: %d rows normalised (%s)", k[0], counts[k], k[1])})
	}
	return out
}

// fileFailure turns a reader's file error into the batch's failure reason.
func fileFailure(err error) error {
	var fe *FileError
	if errors.As(err, &fe) {
		return &batchFailure{fe.MessageZH, fe.MessageEN}
	}
	var f *batchFailure
	if errors.As(err, &f) {
		return f
	}
	return err
}
