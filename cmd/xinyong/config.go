package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/xinyong/xinyong/internal/catalog"
	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/intake"
	"github.com/xinyong/xinyong/internal/pii"
	"github.com/xinyong/xinyong/internal/store/postgres"
	"github.com/xinyong/xinyong/internal/store/sqlite"
	"github.com/xinyong/xinyong/internal/web"
	"github.com/xinyong/xinyong/internal/web/api"
	"github.com/xinyong/xinyong/internal/web/portal"
	"github.com/xinyong/xinyong/internal/workday"
)

// Config is the whole configuration, from flags over environment variables
// over defaults. It is validated once at start and never global.
type Config struct {
	Data     string // directory of the embedded database and the keys
	DB       string // PostgreSQL URL; "" is the embedded SQLite database under Data
	Addr     string // listen address
	Catalog  string // catalogue directory; "" is the built-in catalogue
	Calendar string // directory of extra working-day year files
	Limits   api.Limits
	Batch    intake.BatchLimits
	// MaxUploadBytes is the largest file a provider may upload.
	MaxUploadBytes int64
	// JobPoll is how often a server looks for due scheduled jobs.
	JobPoll time.Duration
	// Portal holds the public portal's per-client rate limits.
	Portal portal.Limits
	Demo   bool

	envErrors []string // environment values that did not parse
}

// DefaultConfig returns the defaults, overridden by XINYONG_* variables.
// Values that do not parse are kept for Validate to report.
func DefaultConfig() Config {
	c := Config{Data: "xinyong-data", Addr: "127.0.0.1:8080", Limits: api.DefaultLimits, MaxUploadBytes: 1 << 30, JobPoll: time.Minute, Portal: portal.DefaultLimits,
		Batch: intake.BatchLimits{MaxRows: 5_000_000, ChunkRows: 2000, Read: intake.ReadLimits{MaxCellBytes: 64 << 10, MaxColumns: 512}}}
	env := func(name string, dst *string) {
		if v := os.Getenv(name); v != "" {
			*dst = v
		}
	}
	env("XINYONG_DATA", &c.Data)
	env("XINYONG_DB", &c.DB)
	if v := os.Getenv("XINYONG_JOB_POLL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 100*time.Millisecond || d > 24*time.Hour {
			c.envErrors = append(c.envErrors, fmt.Sprintf("XINYONG_JOB_POLL=%q must be a duration from 100ms to 24h, such as 1m", v))
		}
		c.JobPoll = d
	}
	env("XINYONG_ADDR", &c.Addr)
	env("XINYONG_CATALOG", &c.Catalog)
	env("XINYONG_CALENDAR", &c.Calendar)
	if v := os.Getenv("XINYONG_MAX_BODY_MIB"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 || n > 4096 {
			c.envErrors = append(c.envErrors, fmt.Sprintf("XINYONG_MAX_BODY_MIB=%q must be a whole number of MiB from 1 to 4096", v))
		}
		c.Limits.MaxBodyBytes = n << 20
	}
	envInt := func(name string, lo, hi int64, set func(int64)) {
		if v := os.Getenv(name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < lo || n > hi {
				c.envErrors = append(c.envErrors, fmt.Sprintf("%s=%q must be a whole number from %d to %d", name, v, lo, hi))
			}
			set(n)
		}
	}
	envRate := func(name string, dst *web.RateLimit) {
		if v := os.Getenv(name); v != "" {
			if err := setRate(dst, v); err != nil {
				c.envErrors = append(c.envErrors, fmt.Sprintf("%s=%q: %v", name, v, err))
			}
		}
	}
	envRate("XINYONG_PAGE_RATE", &c.Portal.Pages)
	envRate("XINYONG_SEARCH_RATE", &c.Portal.Search)
	envInt("XINYONG_MAX_UPLOAD_MIB", 1, 64<<10, func(n int64) { c.MaxUploadBytes = n << 20 })
	envInt("XINYONG_MAX_BATCH_ROWS", 1, 100_000_000, func(n int64) { c.Batch.MaxRows = int(n) })
	envInt("XINYONG_MAX_CELL_KIB", 1, 16<<10, func(n int64) { c.Batch.Read.MaxCellBytes = int(n) << 10 })
	envInt("XINYONG_CHUNK_ROWS", 100, 100_000, func(n int64) { c.Batch.ChunkRows = int(n) })
	envInt("XINYONG_TX_ROWS", 100, 1_000_000, func(n int64) { c.Batch.TxRows = int(n) })
	if v := os.Getenv("XINYONG_MAX_RECORDS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1_000_000 {
			c.envErrors = append(c.envErrors, fmt.Sprintf("XINYONG_MAX_RECORDS=%q must be a whole number from 1 to 1000000", v))
		}
		c.Limits.MaxRecords = n
	}
	return c
}

// setRate sets a per-client limit from v, requests a second ("0" for no
// limit); the burst keeps the default's proportion to the rate.
func setRate(dst *web.RateLimit, v string) error {
	r, err := strconv.ParseFloat(v, 64)
	if err != nil || r < 0 || r > 1e6 {
		return fmt.Errorf("must be requests a second per client, from 0 (no limit) to 1000000, such as 10")
	}
	ratio := float64(dst.Burst) / dst.Rate
	if dst.Rate == 0 || dst.Burst == 0 {
		ratio = 1
	}
	dst.Rate, dst.Burst = r, max(1, int(r*ratio))
	return nil
}

// rateFlag is a flag.Value setting a per-client limit with setRate.
type rateFlag struct{ l *web.RateLimit }

func (f rateFlag) String() string {
	if f.l == nil {
		return ""
	}
	return strconv.FormatFloat(f.l.Rate, 'g', -1, 64)
}
func (f rateFlag) Set(v string) error { return setRate(f.l, v) }

// dataFlags registers the flags every data command shares.
func (c *Config) dataFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.Data, "data", c.Data, "data directory (embedded database and keys); created if absent")
	fs.StringVar(&c.DB, "db", c.DB, "PostgreSQL URL postgres://user@host:port/db (default: the embedded database under --data; env XINYONG_DB)")
	fs.StringVar(&c.Catalog, "catalog", c.Catalog, "catalogue directory (default: the built-in catalogue)")
	fs.StringVar(&c.Calendar, "calendar", c.Calendar, "directory of working-day year files YYYY.txt added to the built-in years")
}

// Validate checks the configuration and says what to fix.
func (c *Config) Validate() error {
	if len(c.envErrors) > 0 {
		return fmt.Errorf("configuration: %s", strings.Join(c.envErrors, "; "))
	}
	if c.Data == "" {
		return fmt.Errorf("--data is empty: give the data directory")
	}
	if c.DB != "" && !strings.HasPrefix(c.DB, "postgres://") && !strings.HasPrefix(c.DB, "postgresql://") {
		return fmt.Errorf("--db %q is not a PostgreSQL URL: write postgres://user@host:port/dbname, or leave it out for the embedded database", redactURL(c.DB))
	}
	if c.Limits.MaxBodyBytes < 1<<20 {
		return fmt.Errorf("the body limit must be at least 1 MiB")
	}
	if c.Limits.MaxRecords < 1 {
		return fmt.Errorf("the record limit must be at least 1")
	}
	return nil
}

// Store is a storage backend as the commands use it: the contract, and
// the schema's version.
type Store interface {
	credit.Store
	Migrate(ctx context.Context) error
	CheckSchema(ctx context.Context) error
	SchemaVersion(ctx context.Context) (want, have int, err error)
}

// App is what the data commands work with, opened from a Config.
type App struct {
	Config   Config
	Store    Store
	Catalog  *catalog.Catalog
	Calendar *workday.Calendar
	Keys     *pii.Keys
	Preparer *intake.Preparer
	Log      *slog.Logger
}

// schemaPolicy is what opening does with a schema that differs.
type schemaPolicy int

const (
	// migrateEmbedded migrates the embedded database (one process owns
	// it) and refuses a PostgreSQL schema that differs: nodes sharing a
	// database are migrated once, by `xinyong migrate --db`.
	migrateEmbedded schemaPolicy = iota
	// migrateAlways migrates either backend: the migrate command.
	migrateAlways
	// checkOnly refuses a schema that differs.
	checkOnly
)

// openApp opens the data directory, the database (migrating or checking
// its schema as policy says), the keys, the catalogue and the calendar.
func openApp(ctx context.Context, c Config, policy schemaPolicy) (*App, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	cat, err := catalog.Load(c.Catalog)
	if err != nil {
		return nil, fmt.Errorf("catalogue: %w", err)
	}
	cal, err := workday.Load(c.Calendar)
	if err != nil {
		return nil, fmt.Errorf("calendar: %w", err)
	}
	if err := os.MkdirAll(c.Data, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	keys, err := pii.LoadOrCreate(c.Data)
	if err != nil {
		return nil, err
	}
	db, err := openStore(ctx, c)
	if err != nil {
		return nil, err
	}
	if policy == migrateAlways || policy == migrateEmbedded && c.DB == "" {
		err = db.Migrate(ctx)
	} else {
		err = db.CheckSchema(ctx)
	}
	if err == nil {
		err = db.BindKeys(ctx, keys.ID())
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return &App{Config: c, Store: db, Catalog: cat, Calendar: cal, Keys: keys,
		Preparer: &intake.Preparer{Calendar: cal, Keys: keys},
		Log:      slog.New(slog.NewTextHandler(os.Stderr, nil))}, nil
}

// openStore opens PostgreSQL when c.DB is set, else the embedded database.
func openStore(ctx context.Context, c Config) (Store, error) {
	if c.DB != "" {
		return postgres.Open(ctx, c.DB)
	}
	return sqlite.Open(ctx, filepath.Join(c.Data, "xinyong.db"))
}

// redactURL hides the password of a database URL for messages.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// runner returns the batch collector of this process.
func (a *App) runner() *intake.Runner {
	return &intake.Runner{Store: a.Store, Catalog: a.Catalog, Preparer: a.Preparer, Limits: a.Config.Batch, Owner: intake.DefaultOwner(),
		UploadDir: filepath.Join(a.Config.Data, "uploads")}
}

// Close closes the store.
func (a *App) Close() error { return a.Store.Close() }
