package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/workday"
)

const announceUsage = `usage:
  xinyong announce [--data DIR] [--db URL] --title-zh T --body-zh B [--title-en T] [--body-en B]
      publish an announcement of the credit center on the portal's home page
  xinyong announce --list [--limit N] [--data DIR] [--db URL]
      list announcements, newest first: id, date (China Standard Time), title

`

// announceFlags names the flag that gives each field of an announcement,
// for messages about what to fix.
var announceFlags = map[string]string{"title_zh": "--title-zh", "title_en": "--title-en", "body_zh": "--body-zh", "body_en": "--body-en"}

func runAnnounce(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := DefaultConfig()
	fs := flag.NewFlagSet("announce", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, announceUsage)
		fs.PrintDefaults()
	}
	c.dataFlags(fs)
	var a credit.Announcement
	fs.StringVar(&a.TitleZH, "title-zh", "", "Chinese title (required, at most 200 characters)")
	fs.StringVar(&a.BodyZH, "body-zh", "", "Chinese text (required); paragraphs separated by blank lines")
	fs.StringVar(&a.TitleEN, "title-en", "", "English title")
	fs.StringVar(&a.BodyEN, "body-en", "", "English text")
	list := fs.Bool("list", false, "list announcements instead of publishing one")
	limit := fs.Int("limit", 100, "with --list: the most announcements listed")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	invalid := func(zh, en string, args ...any) error { return credit.Errorf(credit.EINVALID, zh, en, args...) }
	if fs.NArg() > 0 {
		return invalid("多余的参数“%s”（标题和正文请用 --title-zh、--body-zh 等给出）", "unexpected argument %q (give the title and text with --title-zh, --body-zh and so on)", fs.Arg(0))
	}
	if *list {
		for _, name := range []string{"title-zh", "body-zh", "title-en", "body-en"} {
			if set[name] {
				return invalid("--list 只列出公告，不能同时给出 --%s", "--list lists announcements; it takes no --%s", name)
			}
		}
		if *limit < 1 {
			return invalid("--limit 应为正整数", "--limit must be a whole number of at least 1")
		}
	} else {
		if set["limit"] {
			return invalid("--limit 只用于 --list", "--limit applies to --list only")
		}
		// Checked before the database is opened: nothing is created for a
		// command that would be refused.
		a.Author = "cli"
		if err := announceError(a.Validate()); err != nil {
			return err
		}
	}

	app, err := openApp(ctx, c, migrateEmbedded)
	if err != nil {
		return err
	}
	defer app.Close()
	if *list {
		as, err := app.Store.Announcements(ctx, *limit)
		if err != nil {
			return err
		}
		for _, a := range as {
			title := a.TitleZH
			if a.TitleEN != "" {
				title += " / " + a.TitleEN
			}
			fmt.Fprintf(stdout, "%d\t%s\t%s\n", a.ID, a.PublishedAt.In(workday.CST).Format(time.DateOnly), title)
		}
		return nil
	}
	if err := app.Store.CreateAnnouncement(ctx, &a); err != nil {
		return announceError(err)
	}
	fmt.Fprintf(stdout, "published announcement %d / 已发布公告 %d: %s\n", a.ID, a.ID, a.TitleZH)
	return nil
}

// announceError turns a refused announcement's field errors into one
// bilingual message naming the flags to fix: printError shows only an
// error's messages, not its fields.
func announceError(err error) error {
	var e *credit.Error
	if !errors.As(err, &e) || e.Code != credit.EINVALID || len(e.Fields) == 0 {
		return err
	}
	var zh, en []string
	for _, f := range e.Fields {
		name := announceFlags[f.Field]
		if name == "" {
			name = f.Field
		}
		zh = append(zh, name+"："+f.MessageZH)
		en = append(en, name+": "+f.MessageEN)
	}
	return &credit.Error{Code: credit.EINVALID, MessageZH: e.MessageZH + "：" + strings.Join(zh, "；"),
		MessageEN: e.MessageEN + ": " + strings.Join(en, "; "), Fields: e.Fields}
}
