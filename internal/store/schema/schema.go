// Package schema is what every storage backend does alike with its schema:
// read its numbered migration files (NNNN_name.sql) in order, and say what
// a database at another version than the program's must do.
//
// It imports the domain only.
package schema

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/xinyong/xinyong/internal/credit"
)

// Migration is one migration file.
type Migration struct {
	Version int
	Name    string // the file's name
	SQL     string
}

// Load reads the *.sql files of dir in fsys, ordered by their number.
func Load(fsys fs.FS, dir string) ([]Migration, error) {
	names, err := fs.Glob(fsys, dir+"/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []Migration
	for _, n := range names {
		base := path.Base(n)
		v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return nil, fmt.Errorf("migration %s: name must start with its number", base)
		}
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{Version: v, Name: base, SQL: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	return ms, nil
}

// Check returns EUNAVAILABLE, saying what to run, when the database is at
// have and the program needs want; migrate is the command that migrates
// this backend.
func Check(want, have int, migrate string) error {
	if have < want {
		return credit.Errorf(credit.EUNAVAILABLE, "数据库结构版本为 %d，本程序需要 %d：请先运行 %s",
			"the database schema is at version %d, this program needs %d: run `%s` first", have, want, migrate)
	}
	return Ahead(want, have)
}

// Ahead refuses a database newer than the program.
func Ahead(want, have int) error {
	if have > want {
		return credit.Errorf(credit.EUNAVAILABLE, "数据库结构版本 %d 高于本程序支持的 %d，请使用更新版本的 xinyong",
			"the database schema is at version %d, newer than this program's %d; run a newer xinyong", have, want)
	}
	return nil
}
