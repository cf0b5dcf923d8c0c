package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"sort"

	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/demo"
)

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := DefaultConfig()
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c.dataFlags(fs)
	n := fs.Int("subjects", 200, "number of organisations to generate")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if *n < 1 || *n > 1_000_000 {
		return fmt.Errorf("--subjects must be 1–1000000")
	}
	app, err := openApp(ctx, c, true)
	if err != nil {
		return err
	}
	defer app.Close()
	return loadDemo(ctx, app, *n, stdout)
}

// loadDemo registers the demo departments and submits generated records
// through the same pipeline as the API. It does nothing to a database that
// already has providers.
func loadDemo(ctx context.Context, app *App, orgs int, stdout io.Writer) error {
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

	now := app.Store.Now()
	g := demo.New(1, now)
	type batchKey struct{ provider, item string }
	batches := map[batchKey][]map[string]any{}
	add := func(item string, rec map[string]any, authorityField string) {
		p := first
		if u, ok := rec[authorityField].(string); ok && byUSCC[u] != nil {
			p = byUSCC[u]
		}
		k := batchKey{p.Code, item}
		batches[k] = append(batches[k], rec)
	}
	var sample string
	for i := 0; i < orgs; i++ {
		o := g.Org()
		add("registration_basic", g.Registration(o), "")
		for j := 0; j < i%3; j++ {
			add("admin_licensing", g.Licensing(o), "xk_lydwdm")
		}
		for j := 0; j < (i/2)%3; j++ {
			add("admin_penalty", g.Penalty(o), "cf_sjlydm")
			if sample == "" {
				sample = o.USCC
			}
		}
		if i%10 == 0 {
			add("commendation", g.Commendation(o), "ry_jgdm")
		}
	}
	for i := 0; i < orgs/10+1; i++ {
		add("admin_penalty", g.PersonPenalty(g.Person()), "cf_sjlydm")
	}

	keys := make([]batchKey, 0, len(batches))
	for k := range batches {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return keys[i].item < keys[j].item || keys[i].item == keys[j].item && keys[i].provider < keys[j].provider
	})
	providers := map[string]*credit.Provider{}
	for _, p := range byUSCC {
		providers[p.Code] = p
	}
	stored, rejected := 0, 0
	for _, k := range keys {
		it, _ := app.Catalog.Item(k.item)
		sub := &credit.Submission{Provider: providers[k.provider], Item: it.Code, CatalogVersion: it.Version, RequestID: "demo"}
		for i, raw := range batches[k] {
			d, errs, _ := app.Preparer.Prepare(it, i, raw, now)
			if len(errs) > 0 {
				rejected++
				continue
			}
			sub.Drafts = append(sub.Drafts, d)
		}
		if _, err := app.Store.Submit(ctx, sub); err != nil {
			return fmt.Errorf("demo %s: %w", k.item, err)
		}
		stored += len(sub.Drafts)
	}
	if rejected > 0 {
		return fmt.Errorf("demo: %d generated records failed validation (a generator bug)", rejected)
	}
	fmt.Fprintf(stdout, "demo: %d organisations, %d records, %d departments loaded\n", orgs, stored, len(byUSCC))
	fmt.Fprintf(stdout, "demo: API key of %s %s (shown once / 仅显示一次):\n  %s\n", first.Code, first.Name, firstKey)
	if sample != "" {
		fmt.Fprintf(stdout, "demo: try /api/v1/subjects/%s\n", sample)
	}
	return nil
}
