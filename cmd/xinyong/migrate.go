package main

import (
	"context"
	"flag"
	"fmt"
	"io"
)

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := DefaultConfig()
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c.dataFlags(fs)
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	app, err := openApp(ctx, c, migrateAlways)
	if err != nil {
		return err
	}
	defer app.Close()
	_, have, err := app.Store.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "schema at version %d / 数据库结构版本 %d\n", have, have)
	return nil
}

func runAudit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		fmt.Fprint(stderr, "usage: xinyong audit verify [--data DIR | --db URL]\n")
		return errUsage
	}
	c := DefaultConfig()
	fs := flag.NewFlagSet("audit verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c.dataFlags(fs)
	if err := fs.Parse(args[1:]); err != nil {
		return errUsage
	}
	app, err := openApp(ctx, c, checkOnly)
	if err != nil {
		return err
	}
	defer app.Close()
	n, err := app.Store.VerifyAudit(ctx)
	if err != nil {
		return fmt.Errorf("audit chain broken after %d entries: %w", n, err)
	}
	fmt.Fprintf(stdout, "audit chain intact: %d entries / 审计链完整：%d 条\n", n, n)
	return nil
}
