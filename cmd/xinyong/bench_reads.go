package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/xinyong/xinyong/internal/demo"
	"github.com/xinyong/xinyong/internal/names"
	"github.com/xinyong/xinyong/internal/workday"
)

// benchReads loads subjects and their public records straight into a
// migrated PostgreSQL database by COPY (the reads are what is measured,
// not intake), starts `xinyong serve` on it, and measures subject lookups
// and name searches through the API: latency percentiles over requests
// made one after another.
func benchReads(ctx context.Context, dbURL, work string, records, perSubject int, stdout, stderr io.Writer) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	data := filepath.Join(work, "reads")
	var usccs, orgNames []string
	if records == 0 { // a database loaded before: its organisations
		if usccs, orgNames, err = readOrgs(ctx, dbURL); err != nil {
			return err
		}
	} else {
		os.RemoveAll(data)
		for _, args := range [][]string{{"migrate"}, {"provider", "add", "--code", "420000-SCJG", "--name", "湖北省市场监督管理局", "--items", "admin_penalty"}} {
			if out, err := exec.CommandContext(ctx, self, append(args, "--data", data, "--db", dbURL)...).CombinedOutput(); err != nil {
				return fmt.Errorf("bench setup: %v: %s", err, out)
			}
		}
		start := time.Now()
		if usccs, orgNames, err = loadReads(ctx, dbURL, records, perSubject); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "  loaded %d organisations and %d public records by COPY in %.0f s\n", len(usccs), records, time.Since(start).Seconds())
	}
	if err := settle(ctx, dbURL); err != nil {
		return err
	}

	srv := exec.CommandContext(ctx, self, "serve", "--data", data, "--db", dbURL, "--addr", "127.0.0.1:0")
	out, err := srv.StdoutPipe()
	if err != nil {
		return err
	}
	srv.Stderr = io.Discard
	if err := srv.Start(); err != nil {
		return err
	}
	defer func() { srv.Process.Signal(os.Interrupt); srv.Wait() }()
	base := ""
	sc := bufio.NewScanner(out)
	re := regexp.MustCompile(`listening on (http://\S+)`)
	for sc.Scan() {
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			base = m[1]
			break
		}
	}
	if base == "" {
		return fmt.Errorf("bench: the server did not start")
	}
	go io.Copy(io.Discard, out)

	// The server computes the portal's statistics at start, reading every
	// record (seconds on millions); the home page waits for them. Measure
	// after, as an operator's server runs between such refreshes.
	if resp, err := (&http.Client{Timeout: 10 * time.Minute}).Get(base + "/"); err == nil {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}

	rng := rand.New(rand.NewPCG(7, 7))
	client := &http.Client{Timeout: 30 * time.Second}
	slowest, slowestPath := time.Duration(0), ""
	measure := func(n int, path func() string) ([]time.Duration, error) {
		var ds []time.Duration
		slowest, slowestPath = 0, ""
		for i := 0; i < n+n/10; i++ { // the first tenth warms the caches
			p := path()
			t0 := time.Now()
			resp, err := client.Get(base + p)
			if err != nil {
				return nil, err
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				return nil, fmt.Errorf("bench: %s answered %d", p, resp.StatusCode)
			}
			if i >= n/10 {
				d := time.Since(t0)
				ds = append(ds, d)
				if d > slowest {
					slowest, slowestPath = d, p
				}
			}
		}
		return ds, nil
	}
	lookups, err := measure(2000, func() string { return "/api/v1/subjects/" + usccs[rng.IntN(len(usccs))] })
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "  subject lookup (GET /api/v1/subjects/{uscc}), %d requests: p50 %s, p99 %s\n", len(lookups), pct(lookups, 50), pct(lookups, 99))
	fragment := func(runes int) func() string {
		return func() string {
			r := []rune(orgNames[rng.IntN(len(orgNames))])
			i := rng.IntN(max(1, len(r)-runes+1))
			return "/api/v1/subjects?q=" + url.QueryEscape(string(r[i:min(len(r), i+runes)]))
		}
	}
	for _, k := range []struct {
		what string
		path func() string
	}{
		{"2 characters", fragment(2)},
		{"3 characters", fragment(3)},
		{"6 characters", fragment(6)},
		{"a common fragment (有限公司)", func() string { return "/api/v1/subjects?q=" + url.QueryEscape("有限公司") }},
		{"a code prefix", func() string { return "/api/v1/subjects?q=" + usccs[rng.IntN(len(usccs))][:8] }},
	} {
		ds, err := measure(300, k.path)
		if err != nil {
			return err
		}
		q, _ := url.QueryUnescape(strings.TrimPrefix(slowestPath, "/api/v1/subjects?q="))
		fmt.Fprintf(stdout, "  name search, %s, %d requests: p50 %s, p99 %s (slowest %s: %q)\n", k.what, len(ds), pct(ds, 50), pct(ds, 99),
			slowest.Round(10*time.Microsecond), q)
	}
	return nil
}

// readOrgs returns the codes and names of a loaded database's organisations.
func readOrgs(ctx context.Context, dbURL string) ([]string, []string, error) {
	c, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return nil, nil, err
	}
	defer c.Close(ctx)
	rows, err := c.Query(ctx, `SELECT uscc, name FROM subjects WHERE kind = 'org' ORDER BY id`)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var usccs, orgNames []string
	for rows.Next() {
		var u, n string
		if err := rows.Scan(&u, &n); err != nil {
			return nil, nil, err
		}
		usccs, orgNames = append(usccs, u), append(orgNames, n)
	}
	if len(usccs) == 0 && rows.Err() == nil {
		return nil, nil, fmt.Errorf("bench: the database has no organisations; load it with --keep first")
	}
	return usccs, orgNames, rows.Err()
}

// settle waits, up to ten minutes, until the server has no autovacuum at
// work (a load leaves it plenty), then writes the dirty pages out, so that
// the reads are measured on a quiet server, as an operator's would be
// between loads.
func settle(ctx context.Context, dbURL string) error {
	c, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	for end := time.Now().Add(10 * time.Minute); time.Now().Before(end); {
		var busy int
		if err := c.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'`).Scan(&busy); err != nil {
			return err
		}
		if busy == 0 {
			break
		}
		time.Sleep(2 * time.Second)
	}
	// CHECKPOINT needs a superuser (or pg_checkpoint); without, the server's
	// own checkpoints write the pages.
	c.Exec(ctx, `CHECKPOINT`)
	return nil
}

func pct(ds []time.Duration, p int) string {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[min(len(s)-1, len(s)*p/100)].Round(10 * time.Microsecond).String()
}

// loadReads writes demo organisations (one name each, as registered) and
// perSubject public penalties each, and returns the codes and names.
func loadReads(ctx context.Context, dbURL string, records, perSubject int) ([]string, []string, error) {
	c, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return nil, nil, err
	}
	defer c.Close(ctx)
	now := time.Now().UTC().Truncate(time.Microsecond)
	today := time.Now().In(workday.CST)
	g := demo.New(1, today)
	orgs := max(1, records/perSubject)
	usccs, orgNames := make([]string, orgs), make([]string, orgs)
	i := 0
	if _, err := c.CopyFrom(ctx, pgx.Identifier{"subjects"}, []string{"id", "kind", "uscc", "type", "name", "name_as_of", "name_source", "created_at", "updated_at"},
		pgx.CopyFromFunc(func() ([]any, error) {
			if i == orgs {
				return nil, nil
			}
			o := g.Org()
			usccs[i], orgNames[i] = o.USCC, o.Name
			i++
			return []any{int64(i), "org", o.USCC, o.Type, o.Name, o.Founded.Format(time.DateOnly), "registration", now, now}, nil
		})); err != nil {
		return nil, nil, fmt.Errorf("load subjects: %w", err)
	}
	i = 0
	if _, err := c.CopyFrom(ctx, pgx.Identifier{"subject_names"}, []string{"id", "subject_id", "org", "name", "grams", "first_seen"},
		pgx.CopyFromFunc(func() ([]any, error) {
			if i == orgs {
				return nil, nil
			}
			i++
			return []any{int64(i), int64(i), true, orgNames[i-1], names.Grams(orgNames[i-1]), now}, nil
		})); err != nil {
		return nil, nil, fmt.Errorf("load names: %w", err)
	}
	subjectOf := func(r int) int64 { return int64(r%orgs) + 1 }
	i = 0
	if _, err := c.CopyFrom(ctx, pgx.Identifier{"record_keys"}, []string{"id", "provider_id", "item", "business_key", "subject_id"},
		pgx.CopyFromFunc(func() ([]any, error) {
			if i == records {
				return nil, nil
			}
			i++
			return []any{int64(i), int64(1), "admin_penalty", fmt.Sprintf("鄂市监罚〔%d〕%d号", 2020+i%6, i), subjectOf(i)}, nil
		})); err != nil {
		return nil, nil, fmt.Errorf("load record keys: %w", err)
	}
	i = 0
	if _, err := c.CopyFrom(ctx, pgx.Identifier{"records"}, []string{"id", "subject_id", "provider_id", "item", "business_key", "first_submitted_at",
		"version", "catalog_version", "fields", "content_hash", "decision_date", "severity", "public", "published_from", "published_until",
		"submitted_at", "request_id"},
		pgx.CopyFromFunc(func() ([]any, error) {
			if i == records {
				return nil, nil
			}
			i++
			s := subjectOf(i)
			decided := today.AddDate(0, 0, -(i % 700))
			key := fmt.Sprintf("鄂市监罚〔%d〕%d号", 2020+i%6, i)
			fields := fmt.Sprintf(`{"xdr_mc":%q,"xdr_lb":"法人及非法人组织","xdr_shxym":%q,"cf_wsh":%q,"cf_wfxw":"销售不合格产品",`+
				`"cf_sy":"经抽检，当事人销售的产品不符合国家标准，以不合格产品冒充合格产品销售。","cf_yj":"《中华人民共和国产品质量法》第五十条",`+
				`"cf_cflb":"罚款","cf_nr":"罚款人民币%d元","cf_nr_fk":"%d","cf_jdrq":%q,"cf_cfjg":"湖北省市场监督管理局"}`,
				orgNames[s-1], usccs[s-1], key, 1000*(i%50+1), i%50+1, decided.Format(time.DateOnly))
			var b [8]byte
			binary.BigEndian.PutUint64(b[:], uint64(i))
			hash := sha256.Sum256(b[:])
			return []any{int64(i), s, int64(1), "admin_penalty", key, now, 1, 1, fields, hash[:], decided.Format(time.DateOnly), "general", true,
				decided.Format(time.DateOnly), decided.AddDate(3, 0, 0).Format(time.DateOnly), now, "bench"}, nil
		})); err != nil {
		return nil, nil, fmt.Errorf("load records: %w", err)
	}
	for _, q := range []string{
		`SELECT setval(pg_get_serial_sequence('subjects', 'id'), (SELECT max(id) FROM subjects))`,
		`SELECT setval(pg_get_serial_sequence('subject_names', 'id'), (SELECT max(id) FROM subject_names))`,
		`SELECT setval(pg_get_serial_sequence('record_keys', 'id'), (SELECT max(id) FROM record_keys))`,
		// Every organisation is known by the organisation code in its USCC.
		`INSERT INTO subject_codes (code, subject_id) SELECT substr(uscc, 9, 9), id FROM subjects WHERE kind = 'org'`,
		`VACUUM ANALYZE`,
	} {
		if _, err := c.Exec(ctx, q); err != nil {
			return nil, nil, fmt.Errorf("bench load: %s: %w", q, err)
		}
	}
	return usccs, orgNames, nil
}
