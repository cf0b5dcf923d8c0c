package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/intake"
)

func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := DefaultConfig()
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c.dataFlags(fs)
	provider := fs.String("provider", "", "the provider department's code, e.g. 420000-SCJG")
	item := fs.String("item", "", "the catalogue item of the file's rows, e.g. admin_penalty")
	mode := fs.String("mode", credit.ModePartial, "partial (valid rows kept, invalid returned) or atomic (all or nothing)")
	sheet := fs.String("sheet", "", "XLSX: the sheet to read (default: the first)")
	errorsOut := fs.String("errors", "", "where to write rejected rows (.csv or .xlsx; default: next to FILE)")
	quiet := fs.Bool("quiet", false, "no progress bar")
	if err := fs.Parse(reorder(args)); err != nil {
		return errUsage
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: xinyong import --data DIR --provider CODE --item ITEM [--mode partial|atomic] FILE")
		return errUsage
	}
	path, err := filepath.Abs(fs.Arg(0))
	if err != nil {
		return err
	}
	if *mode != credit.ModePartial && *mode != credit.ModeAtomic {
		return credit.Errorf(credit.EINVALID, "--mode 应为 partial 或 atomic，实为“%s”", "--mode must be partial or atomic, got %q", *mode)
	}
	batchGC()
	app, err := openApp(ctx, c, migrateEmbedded)
	if err != nil {
		return err
	}
	defer app.Close()
	p, err := providerByCode(ctx, app, *provider)
	if err != nil {
		return err
	}
	it, ok := app.Catalog.Item(*item)
	if !ok || !p.MayProvide(it.Code) || !it.AllowsProvider(p.Code) {
		return credit.Errorf(credit.EINVALID, "提供单位 %s 不能报送条目“%s”（已登记：%s）", "provider %s may not submit item %q (registered: %s)",
			p.Code, *item, strings.Join(p.Items, ", "))
	}
	hash, size, err := hashFile(path)
	if err != nil {
		return credit.Errorf(credit.EINVALID, "无法读取文件 %s", "cannot read the file %s", path)
	}
	if size == 0 {
		return credit.Errorf(credit.EINVALID, "文件为空：%s", "the file is empty: %s", path)
	}

	r := app.runner()
	b, err := app.Store.FindBatch(ctx, p.ID, it.Code, hash, *mode, *sheet)
	switch {
	case err == nil && b.Status == credit.BatchDone:
		fmt.Fprintf(stdout, "此文件已作为批次 %d 于 %s 导入（%d 行，接收 %d，退回 %d），无需重复导入\n", b.ID,
			b.FinishedAt.Local().Format("2006-01-02 15:04"), b.RowsRead, b.Accepted(), b.Rejected)
		fmt.Fprintf(stdout, "this file was already imported as batch %d on %s: %d rows, %d accepted, %d rejected; nothing to do\n",
			b.ID, b.FinishedAt.Local().Format("2006-01-02 15:04"), b.RowsRead, b.Accepted(), b.Rejected)
		return nil
	case err == nil && b.Status != credit.BatchFailed && b.Mode == credit.ModeAtomic:
		fmt.Fprintf(stderr, "重新开始原子批次 %d / restarting atomic batch %d from the start\n", b.ID, b.ID)
	case err == nil && b.Status != credit.BatchFailed:
		fmt.Fprintf(stderr, "继续批次 %d，从第 %d 行之后 / resuming batch %d after row %d\n", b.ID, b.Checkpoint, b.ID, b.Checkpoint)
	case err == nil || credit.IsNotFound(err):
		b = &credit.Batch{ProviderID: p.ID, ProviderCode: p.Code, Item: it.Code, Mode: *mode, FileName: filepath.Base(path),
			FilePath: path, FileHash: hash, FileSize: size, Sheet: *sheet}
		if err := app.Store.CreateBatch(ctx, b); err != nil {
			return err
		}
	default:
		return err
	}
	claimed, err := app.Store.ClaimBatch(ctx, b.ID, r.Owner, time.Now().Add(2*time.Minute), intake.Alive)
	if err != nil {
		return err
	}
	if !claimed {
		return credit.Errorf(credit.ECONFLICT, "批次 %d 正由其他进程处理（%s）", "batch %d is being processed by another process (%s)", b.ID, b.Owner)
	}
	if b, err = app.Store.Batch(ctx, b.ID); err != nil {
		return err
	}
	bar := newProgressBar(stderr, *quiet)
	if err := r.Run(ctx, b, bar.update); err != nil {
		bar.done()
		if errors.Is(err, context.Canceled) {
			return credit.Errorf(credit.EUNAVAILABLE, "已中断；再次运行同一命令即可从第 %[2]d 行之后继续批次 %[1]d",
				"interrupted; run the same command again to resume batch %[1]d after row %[2]d", b.ID, b.Checkpoint)
		}
		return err
	}
	bar.done()
	if b, err = app.Store.Batch(ctx, b.ID); err != nil {
		return err
	}
	format := ""
	if b.Format != "" {
		format = " (" + strings.TrimSuffix(b.Format+", "+b.Encoding, ", ") + ")"
	}
	fmt.Fprintf(stdout, "批次 %d：读取 %d 行，新增 %d，更新 %d，未变 %d，退回 %d\n", b.ID, b.RowsRead, b.Created, b.Updated, b.Unchanged, b.Rejected)
	fmt.Fprintf(stdout, "batch %d %s: %d rows read, %d created, %d updated, %d unchanged, %d rejected%s\n",
		b.ID, b.Status, b.RowsRead, b.Created, b.Updated, b.Unchanged, b.Rejected, format)
	for _, n := range b.Notes {
		if n.Code != "normalised" {
			fmt.Fprintf(stdout, "  %s / %s\n", n.MessageZH, n.MessageEN)
		}
	}
	if b.Rejected > 0 {
		out := *errorsOut
		if out == "" {
			ext := ".csv"
			if b.Format == "xlsx" {
				ext = ".xlsx"
			}
			out = strings.TrimSuffix(path, filepath.Ext(path)) + ".errors" + ext
		}
		if err := writeErrorFile(ctx, app, b, out); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "退回的行及原因：%s（在该文件中改正后直接导入）\nrejected rows with reasons: %s (fix them there and import that file)\n", out, out)
	}
	if b.Status == credit.BatchFailed {
		return &credit.Error{Code: credit.EINVALID, MessageZH: b.ReasonZH, MessageEN: b.ReasonEN}
	}
	return nil
}

// reorder moves flags after the file name before it, so that
// "import FILE --item x" works as well as "import --item x FILE".
func reorder(args []string) []string {
	var flags, rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if strings.HasPrefix(a, "-") {
			flags = append(flags, a)
			if !strings.Contains(a, "=") && a != "--quiet" && a != "-quiet" && i+1 < len(args) {
				flags = append(flags, args[i+1])
				i++
			}
			continue
		}
		rest = append(rest, a)
	}
	return append(flags, rest...)
}

func writeErrorFile(ctx context.Context, app *App, b *credit.Batch, out string) error {
	it, _ := app.Catalog.Item(b.Item)
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	rows := intake.Opened(app.Keys, func(fn func(credit.RowError) error) error { return app.Store.BatchErrors(ctx, b.ID, fn) })
	if strings.EqualFold(filepath.Ext(out), ".xlsx") {
		err = intake.WriteErrorsXLSX(f, it, b.Header, rows)
	} else {
		err = intake.WriteErrorsCSV(f, it, b.Header, rows)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func hashFile(path string) ([]byte, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	return h.Sum(nil), n, err
}

func providerByCode(ctx context.Context, app *App, code string) (*credit.Provider, error) {
	ps, err := app.Store.Providers(ctx)
	if err != nil {
		return nil, err
	}
	code = strings.ToUpper(strings.TrimSpace(code))
	for _, p := range ps {
		if p.Code == code {
			return p, nil
		}
	}
	return nil, credit.Errorf(credit.EINVALID, "没有代码为“%s”的提供单位；先用 xinyong provider add 登记", "no provider has code %q; register it with xinyong provider add", code)
}

// progressBar draws the progress of a batch on a terminal line: percent,
// rows, rate and time left.
type progressBar struct {
	w     io.Writer
	quiet bool
	start time.Time
	last  time.Time
	drawn bool
	full  bool
}

func newProgressBar(w io.Writer, quiet bool) *progressBar {
	return &progressBar{w: w, quiet: quiet, start: time.Now()}
}

func (p *progressBar) update(b *credit.Batch) {
	if p.quiet || time.Since(p.last) < 200*time.Millisecond && b.Progress < 1 || p.full {
		return
	}
	p.full = b.Progress >= 1 // the end is drawn once
	p.last = time.Now()
	elapsed := time.Since(p.start).Seconds()
	rate := float64(b.RowsRead) / max(elapsed, 0.001)
	frac := min(max(b.Progress, 0), 1)
	const width = 30
	filled := int(frac * width)
	left := "--:--"
	if frac > 0.01 && frac < 1 {
		secs := int(elapsed / frac * (1 - frac))
		left = fmt.Sprintf("%d:%02d", secs/60, secs%60)
	}
	fmt.Fprintf(p.w, "\r[%s%s] %3.0f%%  %d rows  %.0f rows/s  left %s ", strings.Repeat("=", filled), strings.Repeat(" ", width-filled),
		frac*100, b.RowsRead, rate, left)
	p.drawn = true
}

func (p *progressBar) done() {
	if p.drawn {
		fmt.Fprintln(p.w)
	}
}

// Garbage collection for a batch import, unless GOGC or GOMEMLIMIT say
// otherwise: collect when the heap has grown by four times what is live,
// not by once (a fifth of the CPU went to collecting chunks of drafts),
// with a soft limit of batchHeap on the Go heap, which keeps the process
// under 300 MB whatever the file's size (the database's page cache is
// outside it). What is live stays well under the limit (chunks of
// drafts); were it to pass it, the collector would run more often, at
// most half the CPU, rather than let the heap grow.
func batchGC() {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetGCPercent(400)
	debug.SetMemoryLimit(batchHeap)
}

const batchHeap = 100 << 20
