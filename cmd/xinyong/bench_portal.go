package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/xinyong/xinyong/internal/catalog/catalogtest"
)

// runBenchPortal measures the public portal: the server time of the page
// of an organisation with 200 public records, and subject pages served
// under load by wrk (Debian's wrk) over many organisations of a demo
// database, with the per-client limits off (wrk is one client).
func runBenchPortal(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench portal", flag.ContinueOnError)
	fs.SetOutput(stderr)
	subjects := fs.Int("subjects", 20_000, "demo organisations")
	records := fs.Int("records", 100_000, "demo penalty records")
	duration := fs.Duration("duration", 15*time.Second, "length of the load test")
	conns := fs.Int("connections", 16, "connections wrk keeps open")
	threads := fs.Int("threads", 1, "wrk threads")
	dir := fs.String("dir", "", "working directory (default: a temporary one, removed after)")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	wrk, err := exec.LookPath("wrk")
	if err != nil {
		return fmt.Errorf("bench portal needs wrk: install it with apt-get install wrk")
	}
	work := *dir
	if work == "" {
		d, err := os.MkdirTemp("", "xinyong-bench-portal-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		work = d
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	data := filepath.Join(work, "portal")
	os.RemoveAll(data)
	fmt.Fprintf(stdout, "xinyong bench portal: %d organisations, %d penalties (demo data)\n", *subjects, *records)
	start := time.Now()
	if out, err := exec.CommandContext(ctx, self, "demo", "--data", data, "--subjects", strconv.Itoa(*subjects), "--records", strconv.Itoa(*records)).CombinedOutput(); err != nil {
		return fmt.Errorf("bench demo: %v: %s", err, out)
	}
	out, err := exec.CommandContext(ctx, self, "provider", "add", "--data", data, "--code", "420000-BENCH", "--name", "基准测试部门", "--items", "admin_penalty,admin_licensing").CombinedOutput()
	if err != nil {
		return fmt.Errorf("bench provider: %v: %s", err, out)
	}
	key := regexp.MustCompile(`xy_[A-Za-z0-9_-]+`).FindString(string(out))
	if key == "" {
		return fmt.Errorf("bench provider: no key in %q", out)
	}
	fmt.Fprintf(stdout, "  demo data loaded in %.0f s\n", time.Since(start).Seconds())

	srv := exec.CommandContext(ctx, self, "serve", "--data", data, "--addr", "127.0.0.1:0", "--page-rate", "0", "--search-rate", "0")
	pipe, err := srv.StdoutPipe()
	if err != nil {
		return err
	}
	srv.Stderr = io.Discard
	if err := srv.Start(); err != nil {
		return err
	}
	defer func() { srv.Process.Signal(os.Interrupt); srv.Wait() }()
	base := ""
	sc := bufio.NewScanner(pipe)
	for sc.Scan() {
		if m := regexp.MustCompile(`listening on (http://\S+)`).FindStringSubmatch(sc.Text()); m != nil {
			base = m[1]
			break
		}
	}
	if base == "" {
		return fmt.Errorf("bench: the server did not start")
	}
	go io.Copy(io.Discard, pipe)

	usccs, err := benchSubjects(base)
	if err != nil {
		return err
	}
	big, err := benchBigSubject(base, key, usccs[0])
	if err != nil {
		return err
	}
	client := &http.Client{Timeout: 30 * time.Second}
	var ds []time.Duration
	for i := range 550 {
		t0 := time.Now()
		resp, err := client.Get(base + "/subjects/" + big)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return fmt.Errorf("bench: the subject page answered %d", resp.StatusCode)
		}
		if i >= 50 { // the first ones warm the caches
			ds = append(ds, time.Since(t0))
		}
	}
	fmt.Fprintf(stdout, "  subject page of an organisation with 200 public records, %d requests one after another: p50 %s, p99 %s\n",
		len(ds), pct(ds, 50), pct(ds, 99))

	// wrk asks for the pages of random organisations in turn.
	script := filepath.Join(work, "subjects.lua")
	var lua strings.Builder
	lua.WriteString("local paths = {\n")
	rng := rand.New(rand.NewPCG(11, 11))
	for range 5000 {
		fmt.Fprintf(&lua, "  %q,\n", "/subjects/"+usccs[rng.IntN(len(usccs))])
	}
	lua.WriteString("}\nlocal i = 0\nrequest = function()\n  i = i % #paths + 1\n  return wrk.format(\"GET\", paths[i])\nend\n")
	if err := os.WriteFile(script, []byte(lua.String()), 0o644); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, wrk, "-t"+strconv.Itoa(*threads), "-c"+strconv.Itoa(*conns), "-d"+duration.String(), "--latency", "-s", script, base)
	res, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("wrk: %v: %s", err, res)
	}
	rps := regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`).FindSubmatch(res)
	p99 := regexp.MustCompile(`\s99%\s+(\S+)`).FindSubmatch(res)
	p50 := regexp.MustCompile(`\s50%\s+(\S+)`).FindSubmatch(res)
	errs := regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)`).FindSubmatch(res)
	if rps == nil || p99 == nil || p50 == nil {
		return fmt.Errorf("wrk output not understood: %s", res)
	}
	if errs != nil {
		return fmt.Errorf("wrk: %s responses were not 200", errs[1])
	}
	fmt.Fprintf(stdout, "  subject pages under load (wrk -t%d -c%d -d%s, cycling through the pages of 5,000 organisations drawn from %d): %s pages/s, p50 %s, p99 %s\n",
		*threads, *conns, duration, len(usccs), rps[1], p50[1], p99[1])
	return nil
}

// benchSubjects returns the codes of organisations found by searching
// common words of demo names.
func benchSubjects(base string) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	for _, q := range []string{"有限公司", "科技", "武汉", "宜昌", "襄阳", "商贸", "建筑", "农业", "股份", "合作社", "中心", "店"} {
		for page := 1; page <= 20; page++ {
			resp, err := http.Get(base + "/api/v1/subjects?per_page=50&page=" + strconv.Itoa(page) + "&q=" + q)
			if err != nil {
				return nil, err
			}
			var body struct {
				Results []struct{ USCC string } `json:"results"`
			}
			err = json.NewDecoder(resp.Body).Decode(&body)
			resp.Body.Close()
			if err != nil || len(body.Results) == 0 {
				break
			}
			for _, r := range body.Results {
				if !seen[r.USCC] {
					seen[r.USCC] = true
					out = append(out, r.USCC)
				}
			}
		}
	}
	if len(out) < 100 {
		return nil, fmt.Errorf("bench: only %d organisations found by search", len(out))
	}
	return out, nil
}

// benchBigSubject submits 100 penalties and 100 licences about the
// organisation uscc, decided within the last year, and returns uscc.
func benchBigSubject(base, key, uscc string) (string, error) {
	resp, err := http.Get(base + "/api/v1/subjects/" + uscc)
	if err != nil {
		return "", err
	}
	var s struct{ Name string }
	err = json.NewDecoder(resp.Body).Decode(&s)
	resp.Body.Close()
	if err != nil {
		return "", err
	}
	today := time.Now()
	for _, item := range []string{"admin_penalty", "admin_licensing"} {
		var recs []map[string]any
		for i := range 100 {
			day := today.AddDate(0, 0, -3*i-1).Format(time.DateOnly)
			if item == "admin_penalty" {
				recs = append(recs, catalogtest.Penalty("xdr_mc", s.Name, "xdr_shxym", uscc, "cf_jdrq", day, "cf_wsh", fmt.Sprintf("鄂市监罚〔基准〕%d号", i+1)))
			} else {
				recs = append(recs, catalogtest.Licence("xdr_mc", s.Name, "xdr_shxym", uscc, "xk_jdrq", day, "xk_yxqz", day, "xk_wsh", fmt.Sprintf("JYBENCH%04d", i)))
			}
		}
		body, _ := json.Marshal(map[string]any{"item": item, "records": recs})
		req, _ := http.NewRequest("POST", base+"/api/v1/records", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return "", err
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 && resp.StatusCode != 201 {
			return "", fmt.Errorf("bench: submitting %s: %d %s", item, resp.StatusCode, b)
		}
	}
	return uscc, nil
}
