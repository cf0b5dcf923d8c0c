package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/xinyong/xinyong/internal/casework"
	"github.com/xinyong/xinyong/internal/intake"
	"github.com/xinyong/xinyong/internal/schedule"
	"github.com/xinyong/xinyong/internal/web"
	"github.com/xinyong/xinyong/internal/web/api"
	"github.com/xinyong/xinyong/internal/web/console"
	"github.com/xinyong/xinyong/internal/web/portal"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := DefaultConfig()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c.dataFlags(fs)
	fs.StringVar(&c.Addr, "addr", c.Addr, "listen address HOST:PORT (port 0 picks a free port)")
	fs.BoolVar(&c.Demo, "demo", false, "load demo data into an empty database and print a demo API key")
	fs.Var(rateFlag{&c.Portal.Pages}, "page-rate", "portal pages a second per client, bursts of 6× (0: no limit; env XINYONG_PAGE_RATE)")
	fs.Var(rateFlag{&c.Portal.Search}, "search-rate", "portal searches a second per client, bursts of 20× (0: no limit; env XINYONG_SEARCH_RATE)")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	app, err := openApp(ctx, c, migrateEmbedded)
	if err != nil {
		return err
	}
	defer app.Close()
	if c.Demo {
		if err := loadDemo(ctx, app, 200, stdout); err != nil {
			return err
		}
	}

	// The batch worker collects uploaded files in the background, and
	// resumes any batch a previous run left unfinished.
	wake := make(chan struct{}, 1)
	workCtx, stopWork := context.WithCancel(ctx)
	defer stopWork()
	go app.runner().Work(workCtx, wake, 5*time.Second, app.Log)

	// The subjects' rights: objections, repair, records' lives.
	cases := &casework.Service{Store: app.Store, Catalog: app.Catalog, Calendar: app.Calendar, Identity: casework.StaffVerify{}}

	// Scheduled jobs: each runs on one node when due, however many run.
	jobs := &schedule.Runner{Store: app.Store, Owner: intake.DefaultOwner(), Alive: intake.Alive, Log: app.Log, Jobs: []schedule.Job{{
		Name: "audit.verify", Every: 24 * time.Hour,
		Run: func(ctx context.Context) (string, error) {
			n, err := app.Store.VerifyAudit(ctx)
			if err != nil {
				app.Log.Error("AUDIT CHAIN BROKEN", "after_entries", n, "err", err)
				return "", fmt.Errorf("audit chain broken after %d entries: %w", n, err)
			}
			return fmt.Sprintf("audit chain intact: %d entries", n), nil
		},
	}, {
		Name: "objections.escalate", Every: time.Hour,
		Run: func(ctx context.Context) (string, error) {
			n, err := cases.Escalate(ctx)
			if n > 0 {
				app.Log.Warn("objections overdue: escalated", "cases", n)
			}
			return fmt.Sprintf("%d overdue objection(s) escalated", n), err
		},
	}, {
		Name: "records.archive", Every: 24 * time.Hour,
		Run: func(ctx context.Context) (string, error) {
			n, err := cases.Archive(ctx)
			return fmt.Sprintf("%d record(s) archived", n), err
		},
	}, {
		Name: "staff.sessions", Every: time.Hour,
		Run: func(ctx context.Context) (string, error) {
			n, err := app.Store.DeleteExpiredSessions(ctx, time.Now())
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("deleted %d expired console sessions", n), nil
		},
	}}}
	if err := jobs.Register(ctx); err != nil {
		return err
	}
	go jobs.Work(workCtx, c.JobPoll)

	mux := http.NewServeMux()
	h := &api.Handler{Store: app.Store, Catalog: app.Catalog, Preparer: app.Preparer, Keys: app.Keys, Limits: c.Limits, Log: app.Log, Cases: cases,
		Uploads: api.Uploads{Dir: filepath.Join(c.Data, "uploads"), MaxBytes: c.MaxUploadBytes, Wake: wake}}
	h.Register(mux)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok\n") })
	site := &portal.Handler{Store: app.Store, Catalog: app.Catalog, Log: app.Log, Limits: c.Portal, Cases: cases}
	if err := site.Register(mux); err != nil {
		return err
	}
	go site.WarmStats(workCtx)
	staff := &console.Handler{Store: app.Store, Cases: cases, Log: app.Log, LoginLimit: console.DefaultLoginLimit}
	if err := staff.Register(mux); err != nil {
		return err
	}

	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", c.Addr, err)
	}
	srv := &http.Server{
		Handler:           web.Middleware(app.Log, mux),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute,
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	where := "data: " + c.Data
	if c.DB != "" {
		where = "database: " + redactURL(c.DB)
	}
	fmt.Fprintf(stdout, "xinyong listening on http://%s (%s)\n", ln.Addr(), where)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	fmt.Fprintln(stdout, "xinyong stopped")
	return nil
}
