package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/move"
	"github.com/xinyong/xinyong/internal/pii"
	"github.com/xinyong/xinyong/internal/store/postgres"
	"github.com/xinyong/xinyong/internal/store/sqlite"
)

// runMove moves an embedded installation into an empty PostgreSQL database.
func runMove(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("move", flag.ContinueOnError)
	fs.SetOutput(stderr)
	from := fs.String("from", "", "data directory of the embedded installation")
	to := fs.String("to", "", "PostgreSQL URL of an empty database (created with ENCODING 'UTF8' LC_CTYPE 'C.UTF-8')")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if *from == "" || *to == "" {
		fmt.Fprintln(stderr, "usage: xinyong move --from DATA_DIR --to postgres://user@host:port/db")
		return errUsage
	}
	c := DefaultConfig()
	c.Data, c.DB = *from, *to
	if err := c.Validate(); err != nil {
		return err
	}
	path := filepath.Join(*from, "xinyong.db")
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("%s has no embedded database (xinyong.db) / 该目录中没有嵌入式数据库", *from)
	}

	// The source: its schema current, its audit chain intact.
	src, err := sqlite.Open(ctx, path)
	if err != nil {
		return err
	}
	defer src.Close()
	if err := src.CheckSchema(ctx); err != nil {
		return err
	}
	n, err := src.VerifyAudit(ctx)
	if err != nil {
		return fmt.Errorf("the source's audit chain is broken after %d entries, nothing moved / 源数据库审计链已断开，未迁移: %w", n, err)
	}
	// The key the data is sealed under goes with it: the source records
	// its fingerprint (refusing a key file that is not its own), and the
	// move refuses a target bound to another.
	if _, err := os.Stat(filepath.Join(*from, "keys", "master.key")); err != nil {
		return fmt.Errorf("%s has no keys/master.key: the data cannot be moved without the key it is sealed under / 缺少主密钥文件，无法迁移", *from)
	}
	keys, err := pii.LoadOrCreate(*from)
	if err != nil {
		return err
	}
	if err := src.BindKeys(ctx, keys.ID()); err != nil {
		return err
	}
	// Files of unfinished batches stay on this machine's disk: finish them first.
	batches, err := allBatches(ctx, src)
	if err != nil {
		return err
	}
	var open []int64
	for _, b := range batches {
		if b.Status == credit.BatchQueued || b.Status == credit.BatchRunning {
			open = append(open, b.ID)
		}
	}
	if len(open) > 0 {
		return fmt.Errorf("batches %v are not finished: start the embedded server until they end (or fail), then move / 仍有未完成的批次 %v，请待其处理完毕后再迁移", open, open)
	}

	// The target: migrated by this command.
	dst, err := postgres.Open(ctx, *to)
	if err != nil {
		return err
	}
	if err := dst.Migrate(ctx); err != nil {
		dst.Close()
		return err
	}
	dst.Close()
	conn, err := pgx.Connect(ctx, *to)
	if err != nil {
		return fmt.Errorf("connect to the target: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))

	// One snapshot of the source for every table.
	raw, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer raw.Close()
	snap, err := raw.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer snap.Rollback()

	fmt.Fprintf(stdout, "moving %s to %s (one transaction; nothing is kept unless every table checks)\n", *from, redactURL(*to))
	fmt.Fprintf(stdout, "迁移 %s 到 %s（单一事务：每张表校验一致后才提交）\n", *from, redactURL(*to))
	rep, err := move.Run(ctx, snap, conn, stdout, pauseHook(ctx, stdout))
	if err != nil {
		return err
	}
	var rows int64
	for _, t := range rep.Tables {
		rows += t.Rows
	}
	fmt.Fprintf(stdout, "moved %d rows in %d tables in %s; every table's count and SHA-256 match; audit chain intact (%d entries)\n",
		rows, len(rep.Tables), rep.Elapsed.Round(time.Millisecond), rep.AuditEntries)
	fmt.Fprintf(stdout, "已迁移 %d 张表共 %d 行，各表行数与 SHA-256 一致，审计链完整（%d 条）\n", len(rep.Tables), rows, rep.AuditEntries)
	fmt.Fprintf(stdout, "personal data stays sealed under %s: give every node that key (--data), or it refuses to start\n",
		filepath.Join(*from, "keys", "master.key"))
	return nil
}

// pauseHook returns the test hook that stops a move after a table
// (XINYONG_MOVE_PAUSE_AFTER=table) until the process is killed, so that
// tests can interrupt a move at a known point.
func pauseHook(ctx context.Context, stdout io.Writer) func(string) {
	after := os.Getenv("XINYONG_MOVE_PAUSE_AFTER")
	if after == "" {
		return nil
	}
	return func(table string) {
		if table == after {
			fmt.Fprintf(stdout, "paused after %s\n", table)
			<-ctx.Done()
		}
	}
}

// allBatches lists every batch of every provider of the source.
func allBatches(ctx context.Context, src *sqlite.DB) ([]*credit.Batch, error) {
	ps, err := src.Providers(ctx)
	if err != nil {
		return nil, err
	}
	var out []*credit.Batch
	for _, p := range ps {
		bs, err := src.Batches(ctx, p.ID, 1<<30)
		if err != nil {
			return nil, err
		}
		out = append(out, bs...)
	}
	return out, nil
}
