package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/xinyong/xinyong/internal/catalog"
	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/demo"
	"github.com/xinyong/xinyong/internal/store/postgres"
	"github.com/xinyong/xinyong/internal/store/sqlite"
	"github.com/xinyong/xinyong/internal/workday"
)

// Limits of the demo command.
const (
	demoMaxSubjects = 1_000_000
	demoMaxRecords  = 10_000_000
	// demoBatch is the most drafts one Store.Submit call gets.
	demoBatch = 5_000
	// demoMaxPending is the most prepared drafts held before they are all
	// submitted, so that memory stays bounded however many are loaded.
	demoMaxPending = 25_000
	// demoLarge is the load from which records are prepared in parallel
	// and progress is printed.
	demoLarge = 20_000
)

// demoItems are the items the demo command makes M records of.
var demoItems = []string{"admin_penalty", "admin_licensing"}

const demoUsage = `usage:
  xinyong demo [--data DIR] [--subjects N] [--records M] [--item ITEM] [--seed S]
      load N organisations, their registrations and M records of ITEM into the database
  xinyong demo --out FILE [--format csv|xlsx|jsonl] [--encoding utf-8|utf-8-bom|gbk|gb18030]
               [--header label|code] [--title TEXT] [--bad P] [--subjects N] [--records M] [--item ITEM] [--seed S]
      write the M records of ITEM to FILE ("-": standard output) as a department's export, opening no database

`

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := DefaultConfig()
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, demoUsage)
		fs.PrintDefaults()
	}
	c.dataFlags(fs)
	n := fs.Int("subjects", 200, "number of organisations to generate")
	m := fs.Int("records", 0, "number of records of --item (default 3 × --subjects)")
	item := fs.String("item", "admin_penalty", "item of the records: "+strings.Join(demoItems, " or "))
	seed := fs.Int64("seed", 1, "seed of the generator: the same seed, numbers and day give the same data")
	out := fs.String("out", "", `write a file instead of loading the database ("-": standard output)`)
	format := fs.String("format", "", "file format: csv, xlsx or jsonl (default: from the --out extension)")
	encoding := fs.String("encoding", "utf-8", "CSV encoding: utf-8, utf-8-bom, gbk or gb18030")
	header := fs.String("header", "label", "column names: label (the Chinese labels) or code")
	title := fs.String("title", "", "XLSX only: a title row above the header, e.g. 2026年行政处罚信息")
	bad := fs.Float64("bad", 0, "percentage (0–100) of rows to make invalid in realistic ways")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	invalid := func(zh, en string, args ...any) error { return credit.Errorf(credit.EINVALID, zh, en, args...) }
	if fs.NArg() > 0 {
		return invalid("多余的参数“%s”", "unexpected argument %q", fs.Arg(0))
	}
	if *n < 1 || *n > demoMaxSubjects {
		return invalid("--subjects 应为 1 到 %d 之间的整数", "--subjects must be a whole number from 1 to %d", demoMaxSubjects)
	}
	if !set["records"] {
		*m = 3 * *n
	}
	if *m < 0 || *m > demoMaxRecords {
		return invalid("--records 应为 0 到 %d 之间的整数", "--records must be a whole number from 0 to %d", demoMaxRecords)
	}
	if !slices.Contains(demoItems, *item) {
		return invalid("--item 不支持“%s”，应为：%s", "--item %q is not supported; use %s", *item, strings.Join(demoItems, ", "))
	}
	plan := demoPlan{Seed: *seed, Orgs: *n, Records: *m, Item: *item}

	if *out == "" {
		for _, name := range []string{"format", "encoding", "header", "title", "bad"} {
			if set[name] {
				return invalid("--%s 只用于写文件，请同时给出 --out FILE", "--%s applies to writing a file; give --out FILE too", name)
			}
		}
		app, err := openApp(ctx, c, migrateEmbedded)
		if err != nil {
			return err
		}
		defer app.Close()
		return loadDemoPlan(ctx, app, plan, stdout, stderr)
	}

	if set["data"] {
		return invalid("--out 只写文件、不打开数据库，请去掉 --data", "--out writes a file and opens no database; drop --data")
	}
	if *format == "" {
		switch strings.ToLower(filepath.Ext(*out)) {
		case ".csv":
			*format = demo.FormatCSV
		case ".xlsx":
			*format = demo.FormatXLSX
		case ".jsonl", ".ndjson":
			*format = demo.FormatJSONL
		default:
			return invalid("请用 --format 指定文件格式：%s", "give the file format with --format: %s", strings.Join(demo.Formats, ", "))
		}
	}
	*format = strings.ToLower(*format)
	*encoding = strings.ToLower(*encoding)
	*header = strings.ToLower(*header)
	switch {
	case !slices.Contains(demo.Formats, *format):
		return invalid("不支持的文件格式“%s”，应为：%s", "unknown format %q; use %s", *format, strings.Join(demo.Formats, ", "))
	case !slices.Contains(demo.Encodings, *encoding) && *encoding != "utf8":
		return invalid("不支持的编码“%s”，应为：%s", "unknown encoding %q; use %s", *encoding, strings.Join(demo.Encodings, ", "))
	case set["encoding"] && *format != demo.FormatCSV && *encoding != demo.EncodingUTF8 && *encoding != "utf8":
		return invalid("--encoding 只用于 CSV；%s 文件总是 UTF-8", "--encoding applies to CSV only; %s files are always UTF-8", *format)
	case !slices.Contains(demo.Headers, *header):
		return invalid("不支持的表头“%s”，应为：%s", "unknown header %q; use %s", *header, strings.Join(demo.Headers, ", "))
	case *title != "" && *format != demo.FormatXLSX:
		return invalid("--title 只用于 XLSX 文件", "--title applies to XLSX files only")
	case *bad < 0 || *bad > 100:
		return invalid("--bad 应为 0 到 100 之间的百分比", "--bad must be a percentage from 0 to 100")
	}
	if *format != demo.FormatCSV {
		*encoding = ""
	}
	if rows := *m + 1 + min(len(*title), 1); *format == demo.FormatXLSX && rows > demo.XLSXMaxRows {
		return invalid("XLSX 工作表最多 %d 行（含表头），请减少 --records 或改用 CSV", "an XLSX worksheet holds at most %d rows, header included; lower --records or use CSV", demo.XLSXMaxRows)
	}
	cat, err := catalog.Load(c.Catalog)
	if err != nil {
		return fmt.Errorf("catalogue: %w", err)
	}
	opts := demo.FileOptions{Format: *format, Encoding: *encoding, Header: *header, Title: *title}
	return writeDemoFile(ctx, cat, plan, *out, opts, *bad, stdout, stderr)
}

// demoPlan says what demo data to make. The same plan on the same day
// gives the same subjects and records, loaded or written to a file.
type demoPlan struct {
	Seed    int64
	Orgs    int
	Records int    // records of Item
	Item    string // admin_penalty or admin_licensing
	// Extras adds licences and commendations of the organisations after
	// the records, as serve --demo shows.
	Extras bool
}

// demoRecord is one generated record and its item.
type demoRecord struct {
	item string
	raw  map[string]any
}

// source returns a function that gives the plan's records one at a time:
// each organisation's registration (when registrations is true; they are
// drawn anyway so that the rest is the same), then the records of the
// item, spread unevenly over the organisations and, for penalties, about
// 5% on natural persons, then any extras. Generation is serial: the
// generator keeps decision numbers unique.
func (p demoPlan) source(today time.Time, registrations bool) func() (demoRecord, bool) {
	g := demo.New(p.Seed, today)
	orgs := make([]demo.Org, p.Orgs)
	for i := range orgs {
		orgs[i] = g.Org()
	}
	r := rand.New(rand.NewPCG(uint64(p.Seed), 0x2545f4914f6cdd1d))
	var persons []demo.Person
	record := func() map[string]any {
		if p.Item == "admin_penalty" && r.IntN(100) < 5 {
			// A natural person, now and then one penalised before.
			if len(persons) > 0 && r.IntN(5) == 0 {
				return g.PersonPenalty(persons[r.IntN(len(persons))])
			}
			persons = append(persons, g.Person())
			return g.PersonPenalty(persons[len(persons)-1])
		}
		// Three in ten records fall on the tenth of organisations that
		// offend (or apply) most.
		o := orgs[r.IntN(len(orgs))]
		if r.IntN(10) < 3 {
			o = orgs[r.IntN(max(1, len(orgs)/10))]
		}
		if p.Item == "admin_licensing" {
			return g.Licensing(o)
		}
		return g.Penalty(o)
	}
	phase, i := 0, 0
	var queue []demoRecord
	return func() (demoRecord, bool) {
		for {
			switch phase {
			case 0:
				if i < len(orgs) {
					rec := g.Registration(orgs[i])
					i++
					if registrations {
						return demoRecord{"registration_basic", rec}, true
					}
					continue
				}
				phase, i = 1, 0
			case 1:
				if i < p.Records {
					i++
					return demoRecord{p.Item, record()}, true
				}
				phase, i = 2, 0
			case 2:
				if len(queue) > 0 {
					rec := queue[0]
					queue = queue[1:]
					return rec, true
				}
				if !p.Extras || i == len(orgs) {
					return demoRecord{}, false
				}
				o := orgs[i]
				for j := 0; j < i%3; j++ {
					queue = append(queue, demoRecord{"admin_licensing", g.Licensing(o)})
				}
				if i%10 == 0 {
					queue = append(queue, demoRecord{"commendation", g.Commendation(o)})
				}
				i++
			}
		}
	}
}

// histDraft is a demo draft with the time it is submitted at.
type histDraft struct {
	prov  *credit.Provider
	item  *catalog.Item
	draft *credit.Draft
	at    time.Time
}

// demoSubmittedAt is when a department plausibly submitted a record: a few
// working days after its decision (beyond the deadline of 7 one time in
// eight), during office hours, and never after now.
func demoSubmittedAt(cal *workday.Calendar, r *rand.Rand, d *credit.Draft, now time.Time) time.Time {
	if d.DecisionDate == nil {
		return now
	}
	days := 1 + r.IntN(7)
	if r.IntN(8) == 0 {
		days = 8 + r.IntN(15)
	}
	day := cal.AddWorkingDays(d.DecisionDate.In(workday.CST), days).Date
	at := time.Date(day.Year(), day.Month(), day.Day(), 9+r.IntN(8), r.IntN(60), r.IntN(60), 0, workday.CST)
	if at.After(now) {
		return now
	}
	return at
}

// submitHistory submits the drafts in the order of their times, a
// submission per department, item and day, with the store's clock at each
// one's time, and returns how many records were stored in how many
// submissions.
func submitHistory(ctx context.Context, app *App, hist []histDraft) (stored, submits int, err error) {
	setClock := func(f func() time.Time) {
		switch s := app.Store.(type) {
		case *sqlite.DB:
			s.Now = f
		case *postgres.DB:
			s.Now = f
		}
	}
	defer setClock(time.Now)
	sort.SliceStable(hist, func(i, j int) bool { return hist[i].at.Before(hist[j].at) })
	for i := 0; i < len(hist); {
		h := hist[i]
		sub := &credit.Submission{Provider: h.prov, Item: h.item.Code, CatalogVersion: h.item.Version, RequestID: "demo"}
		day := h.at.In(workday.CST).Format(time.DateOnly)
		for ; i < len(hist) && hist[i].prov == h.prov && hist[i].item == h.item && hist[i].at.In(workday.CST).Format(time.DateOnly) == day; i++ {
			hist[i].draft.Index = len(sub.Drafts)
			sub.Drafts = append(sub.Drafts, hist[i].draft)
		}
		at := h.at
		setClock(func() time.Time { return at })
		outs, err := app.Store.Submit(ctx, sub)
		if err != nil {
			return stored, submits, fmt.Errorf("demo %s from %s: %w", sub.Item, sub.Provider.Code, err)
		}
		submits++
		for _, o := range outs {
			if o.Status == credit.StatusRejected {
				return stored, submits, fmt.Errorf("demo: the store refused a generated %s record: %v", sub.Item, o.Error)
			}
			stored++
		}
	}
	return stored, submits, nil
}

// demoToday is the day the demo data is made for: today in China.
func demoToday(now time.Time) time.Time { return now.In(workday.CST) }

// loadDemo loads serve --demo's data: orgs organisations with their
// registrations, three penalties an organisation on average, and some
// licences and commendations.
func loadDemo(ctx context.Context, app *App, orgs int, stdout io.Writer) error {
	plan := demoPlan{Seed: 1, Orgs: orgs, Records: 3 * orgs, Item: "admin_penalty", Extras: true}
	return loadDemoPlan(ctx, app, plan, stdout, io.Discard)
}

// demoAuthorityField names each item's field holding the USCC of the
// department that provides the record; registrations come from the first.
var demoAuthorityField = map[string]string{
	"admin_penalty":   "cf_sjlydm",
	"admin_licensing": "xk_lydwdm",
	"commendation":    "ry_jgdm",
}

// loadDemoPlan registers the demo departments and submits the plan's
// records through the same pipeline as the API: generated serially,
// prepared in parallel when there are many, and submitted serially in
// batches of at most demoBatch drafts per department and item. It does
// nothing to a database that already has providers. Progress of a large
// load goes to progress.
func loadDemoPlan(ctx context.Context, app *App, plan demoPlan, stdout, progress io.Writer) error {
	start := time.Now()
	existing, err := app.Store.Providers(ctx)
	if err != nil {
		return err
	}
	if len(existing) > 0 {
		fmt.Fprintf(stdout, "demo: the database already has %d provider(s); no demo data loaded\n", len(existing))
		return nil
	}
	byUSCC := map[string]*credit.Provider{}
	var firstKey string
	var first *credit.Provider
	for _, a := range demo.Authorities() {
		p := &credit.Provider{Code: a.Code, Name: a.Name}
		for _, it := range app.Catalog.Items() {
			if it.AllowsProvider(a.Code) {
				p.Items = append(p.Items, it.Code)
			}
		}
		key, err := addProvider(ctx, app, p)
		if err != nil {
			return fmt.Errorf("demo provider %s: %w", a.Code, err)
		}
		byUSCC[a.USCC] = p
		if first == nil {
			first, firstKey = p, key
		}
	}
	items := map[string]*catalog.Item{}
	for _, code := range []string{"registration_basic", "admin_penalty", "admin_licensing", "commendation"} {
		it, ok := app.Catalog.Item(code)
		if !ok {
			return fmt.Errorf("demo: the catalogue has no item %s", code)
		}
		items[code] = it
	}

	now := time.Now()
	next := plan.source(demoToday(now), true)
	total := plan.Orgs + plan.Records
	large := total >= demoLarge
	workers := 1
	if large {
		workers = runtime.NumCPU()
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type job struct {
		rec  demoRecord
		prov *credit.Provider
	}
	type result struct {
		job
		draft *credit.Draft
		errs  []credit.FieldError
	}
	jobs := make(chan job, 256*workers)
	results := make(chan result, 256*workers)
	go func() {
		defer close(jobs)
		for {
			rec, ok := next()
			if !ok {
				return
			}
			p := first
			if u, ok := rec.raw[demoAuthorityField[rec.item]].(string); ok && byUSCC[u] != nil {
				p = byUSCC[u]
			}
			select {
			case jobs <- job{rec, p}:
			case <-ctx.Done():
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				if ctx.Err() != nil {
					continue
				}
				d, errs, _ := app.Preparer.Prepare(items[j.rec.item], 0, j.rec.raw, now)
				select {
				case results <- result{j, d, errs}:
				case <-ctx.Done():
				}
			}
		}()
	}
	go func() {
		wg.Wait()
		close(results)
	}()
	fail := func(err error) error {
		cancel()
		for range results {
		}
		return err
	}

	type batchKey struct{ provider, item string }
	pending := map[batchKey]*credit.Submission{}
	held := 0
	var stored, refused, submits int
	submit := func(k batchKey) error {
		sub := pending[k]
		delete(pending, k)
		held -= len(sub.Drafts)
		outs, err := app.Store.Submit(ctx, sub)
		if err != nil {
			return fmt.Errorf("demo %s from %s: %w", k.item, k.provider, err)
		}
		submits++
		for _, o := range outs {
			if o.Status == credit.StatusRejected {
				refused++
			} else {
				stored++
			}
		}
		return nil
	}
	submitAll := func() error {
		keys := make([]batchKey, 0, len(pending))
		for k := range pending {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			return keys[i].item < keys[j].item || keys[i].item == keys[j].item && keys[i].provider < keys[j].provider
		})
		for _, k := range keys {
			if err := submit(k); err != nil {
				return err
			}
		}
		return nil
	}
	lastReport := time.Now()
	report := func(final bool) {
		if !large || !final && time.Since(lastReport) < 2*time.Second {
			return
		}
		lastReport = time.Now()
		fmt.Fprintf(progress, "demo: %d of about %d records stored (%.0f%%), %.0fs\n",
			stored, total, 100*float64(stored)/float64(max(total, 1)), time.Since(start).Seconds())
	}

	// A small demo (serve --demo) is submitted as departments would have
	// submitted it over the years, so that the portal's statistics have a
	// history to show; a large one is submitted now, in big batches.
	history := plan.Extras && !large
	var hist []histDraft
	hrng := rand.New(rand.NewPCG(uint64(plan.Seed), 3))
	var sample string
	rejected := 0
	for res := range results {
		if len(res.errs) > 0 {
			rejected++
			if rejected == 1 {
				fmt.Fprintf(progress, "demo: a generated %s record fails validation: %v\n", res.rec.item, res.errs)
			}
			continue
		}
		if sample == "" && res.rec.item == "admin_penalty" {
			sample, _ = res.rec.raw["xdr_shxym"].(string)
		}
		it := items[res.rec.item]
		if history {
			hist = append(hist, histDraft{res.prov, it, res.draft, demoSubmittedAt(app.Calendar, hrng, res.draft, now)})
			continue
		}
		k := batchKey{res.prov.Code, it.Code}
		sub := pending[k]
		if sub == nil {
			sub = &credit.Submission{Provider: res.prov, Item: it.Code, CatalogVersion: it.Version, RequestID: "demo"}
			pending[k] = sub
		}
		res.draft.Index = len(sub.Drafts)
		sub.Drafts = append(sub.Drafts, res.draft)
		held++
		var err error
		switch {
		case len(sub.Drafts) >= demoBatch:
			err = submit(k)
		case held >= demoMaxPending:
			err = submitAll()
		}
		if err != nil {
			return fail(err)
		}
		report(false)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("demo: stopped after %d records were stored: %w", stored, err)
	}
	if err := submitAll(); err != nil {
		return err
	}
	if history {
		n, subs, err := submitHistory(ctx, app, hist)
		if err != nil {
			return err
		}
		stored += n
		submits += subs
	}
	report(true)
	if rejected > 0 {
		return fmt.Errorf("demo: %d generated records failed validation (a generator bug)", rejected)
	}
	if refused > 0 {
		return fmt.Errorf("demo: the store refused %d generated records (a generator bug: repeated business keys)", refused)
	}
	for _, a := range demoAnnouncements() {
		if err := app.Store.CreateAnnouncement(ctx, a); err != nil {
			return fmt.Errorf("demo announcement: %w", err)
		}
	}
	fmt.Fprintf(stdout, "demo: %d organisations, %d records, %d departments, %d announcements loaded in %.1fs (%d submissions)\n",
		plan.Orgs, stored, len(byUSCC), len(demoAnnouncements()), time.Since(start).Seconds(), submits)
	fmt.Fprintf(stdout, "demo: API key of %s %s (shown once / 仅显示一次):\n  %s\n", first.Code, first.Name, firstKey)
	if sample != "" {
		fmt.Fprintf(stdout, "demo: try /api/v1/subjects/%s\n", sample)
	}
	return nil
}

// demoAnnouncements are the credit center's announcements of the demo,
// oldest first: the platform's launch, how credit repair works, and the
// deadline for double-publicity data.
func demoAnnouncements() []*credit.Announcement {
	return []*credit.Announcement{{
		TitleZH: "关于湖北省社会信用信息服务平台上线运行的公告",
		TitleEN: "The Hubei Social Credit Information Service Platform is in operation",
		BodyZH: "为贯彻落实国家关于推进社会信用体系建设的部署，湖北省社会信用信息服务平台自即日起上线运行。\n\n" +
			"平台归集全省各级行政机关报送的行政许可、行政处罚等公共信用信息，并依法向社会公示。社会公众可以按名称或统一社会信用代码查询市场主体的公示信息；自然人的信息不在平台公开查询。\n\n" +
			"各数据提供单位可以通过平台接口或上传文件报送数据。使用中如有问题，请与湖北省社会信用信息中心联系。",
		BodyEN: "As part of the national programme for building the social credit system, the Hubei Social Credit Information Service Platform is in operation from today.\n\n" +
			"The platform collects public credit information, such as administrative licences and penalties, from administrative bodies across the province and publishes it as the law provides. " +
			"Anyone may look up the published information of a business by its name or its unified social credit code; information about natural persons is not open to public search.\n\n" +
			"Provider departments submit data through the platform's API or by uploading files. For questions, please contact the Hubei Social Credit Information Center.",
		Author: "demo",
	}, {
		TitleZH: "信用修复办理指南",
		TitleEN: "How to apply for credit repair",
		BodyZH: "行政处罚信息的公示期限按失信行为的严重程度确定：仅受到警告、通报批评或较低数额罚款等轻微处罚的，公示期最长三个月，期满自动停止公示，无需申请；" +
			"一般失信行为的最短公示期为三个月、最长一年；严重失信行为的最短公示期为一年、最长三年。\n\n" +
			"最短公示期届满后，当事人已履行行政处罚决定规定的义务、纠正失信行为的，可以申请信用修复，提交信用修复申请书、信用承诺书以及履行义务的证明材料。经审核同意的，平台停止公示相关信息。\n\n" +
			"受到吊销许可证件、责令停产停业、责令关闭、限制从业等处罚的，其信息不得提前停止公示。",
		BodyEN: "How long a penalty is published depends on how serious the offence was. Minor penalties (a warning, a public reprimand or a small fine) are published for at most three months " +
			"and then taken down without any application; general offences for at least three months and at most a year; serious offences for at least a year and at most three years.\n\n" +
			"Once the minimum period has passed, a party that has fulfilled the penalty decision and corrected its conduct may apply for credit repair with an application, a signed credit commitment " +
			"and proof that the obligations were met. When the application is approved, the platform stops publishing the information.\n\n" +
			"Penalties that revoke a licence, order a suspension of production or business or a closure, or restrict a person from practising are never taken down early.",
		Author: "demo",
	}, {
		TitleZH: "关于按时报送“双公示”信息的通知",
		TitleEN: "Notice: submit double-publicity data within 7 working days",
		BodyZH: "各数据提供单位：\n\n" +
			"按照“双公示”工作要求，行政许可、行政处罚信息应当自作出行政决定之日起 7 个工作日内报送至本平台，并按规定向社会公示。" +
			"平台按国家法定节假日安排计算工作日，逐条记录是否按时报送，并按月统计各单位的按时报送率。\n\n" +
			"请各单位指定专人负责数据报送，报送前对照信用信息目录核对必填项、统一社会信用代码和决定日期；平台退回的错误记录请及时更正后重新报送。",
		BodyEN: "To all provider departments:\n\n" +
			"Under the double-publicity rules, administrative licensing and penalty decisions are to be submitted to this platform within 7 working days of the decision, and published as provided. " +
			"The platform counts working days by the national public holiday schedule, records whether each record arrived on time, and publishes each department's on-time rate month by month.\n\n" +
			"Please name a person responsible for submissions, and check required fields, unified social credit codes and decision dates against the catalogue before submitting. " +
			"Correct the records the platform returns as invalid and submit them again promptly.",
		Author: "demo",
	}}
}

// countWriter counts the bytes written through it.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// writeDemoFile writes the plan's records of its item to path ("-" for
// stdout) as a department's export, about bad percent of them spoiled so
// that they fail validation, and prints a summary.
func writeDemoFile(ctx context.Context, cat *catalog.Catalog, plan demoPlan, path string, opts demo.FileOptions, bad float64, stdout, stderr io.Writer) error {
	start := time.Now()
	it, ok := cat.Item(plan.Item)
	if !ok {
		return credit.Errorf(credit.EINVALID, "目录中没有条目“%s”", "the catalogue has no item %q", plan.Item)
	}
	summary := stdout
	var w io.Writer = stdout
	var file *os.File
	if path == "-" {
		summary = stderr
	} else {
		f, err := os.Create(path)
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		file, w = f, f
	}
	cw := &countWriter{w: w}

	today := demoToday(time.Now())
	next := plan.source(today, false)
	spoiler := demo.NewSpoiler(it, plan.Seed, today)
	rows, spoiled := 0, 0
	lastReport := time.Now()
	var stopped error
	n, err := demo.WriteRecords(cw, it, opts, func() map[string]any {
		if rows%1024 == 0 && ctx.Err() != nil {
			stopped = ctx.Err()
			return nil
		}
		rec, ok := next()
		if !ok {
			return nil
		}
		// Spread the bad rows evenly: row i is bad when ⌊(i+1)·P/100⌋ rises.
		if int(float64(rows+1)*bad/100) > int(float64(rows)*bad/100) && spoiler.Spoil(rec.raw) != "" {
			spoiled++
		}
		rows++
		if plan.Records >= 100_000 && time.Since(lastReport) >= 2*time.Second {
			lastReport = time.Now()
			fmt.Fprintf(stderr, "demo: %d of %d rows (%.0f%%)\n", rows, plan.Records, 100*float64(rows)/float64(plan.Records))
		}
		return rec.raw
	})
	if err == nil {
		err = stopped
	}
	if file != nil {
		if cerr := file.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(path)
		}
	}
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	enc := ""
	if opts.Format == demo.FormatCSV {
		enc = ", " + opts.Encoding
	}
	fmt.Fprintf(summary, "demo: wrote %d rows of %s (%d invalid) to %s (%s%s): %s in %.1fs\n",
		n, it.Code, spoiled, path, opts.Format, enc, sizeText(cw.n), time.Since(start).Seconds())
	return nil
}

// sizeText writes a byte count for people.
func sizeText(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GiB (%d bytes)", float64(n)/(1<<30), n)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB (%d bytes)", float64(n)/(1<<20), n)
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB (%d bytes)", float64(n)/(1<<10), n)
	}
	return fmt.Sprintf("%d bytes", n)
}
