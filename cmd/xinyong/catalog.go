package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/xinyong/xinyong/internal/catalog"
)

func runCatalog(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) != 2 || (args[0] != "check" && args[0] != "export") {
		fmt.Fprint(stderr, "usage: xinyong catalog check DIR | xinyong catalog export DIR\n")
		return errUsage
	}
	dir := args[1]
	if args[0] == "export" {
		return exportCatalog(dir, stdout)
	}
	c, err := catalog.Load(dir)
	var probs catalog.Problems
	if errors.As(err, &probs) {
		for _, p := range probs {
			p.File = filepath.Join(dir, p.File)
			fmt.Fprintln(stdout, p)
		}
		fmt.Fprintf(stdout, "%d problem(s) / 发现 %d 个问题\n", len(probs), len(probs))
		return errUsage
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "catalogue OK / 目录检查通过: %d items\n", len(c.Items()))
	for _, it := range c.Items() {
		fmt.Fprintf(stdout, "  %-22s v%d  %s / %s  (%d fields)\n", it.Code, it.Version, it.NameZH, it.NameEN, len(it.Fields))
	}
	return nil
}

func exportCatalog(dir string, stdout io.Writer) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	src := catalog.DefaultFiles()
	names, _ := fs.Glob(src, "*.yaml")
	for _, n := range names {
		dst := filepath.Join(dir, n)
		if _, err := os.Stat(dst); err == nil {
			return fmt.Errorf("%s exists; not overwriting / 文件已存在，未覆盖", dst)
		}
		b, err := fs.ReadFile(src, n)
		if err != nil {
			return err
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			return err
		}
		fmt.Fprintln(stdout, dst)
	}
	return nil
}
