// Command xinyong is the provincial social credit information service
// platform in one binary. Run `xinyong help` for its subcommands.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"

	"github.com/xinyong/xinyong/internal/credit"
)

const usage = `xinyong — provincial social credit information platform / 省级社会信用信息服务平台

Usage:
  xinyong serve    [--data DIR] [--addr HOST:PORT] [--demo]   start the platform
  xinyong provider add --code CODE --name NAME --items a,b [--json]
                                                             register a provider department and print its API key
  xinyong provider list                                      list provider departments
  xinyong announce --title-zh T --body-zh B [--title-en T] [--body-en B]
                                                             publish an announcement on the portal's home page
  xinyong announce --list                                    list announcements, newest first
  xinyong user add --name NAME --role admin|handler|auditor [--display NAME]
                                                             create a console account and print its one-time password
  xinyong user list | passwd --name NAME | disable --name NAME | enable --name NAME
                                                             list accounts; new one-time password; disable; enable
  xinyong catalog check DIR                                  check a catalogue directory; print every problem
  xinyong catalog export DIR                                 write the built-in catalogue to DIR to start from
  xinyong import --provider CODE --item ITEM [--mode partial|atomic] FILE
                                                             collect a CSV, XLSX or JSON Lines file
  xinyong migrate  [--data DIR | --db URL]                   apply the database schema
  xinyong demo     [--data DIR] [--subjects N] [--records M] load demo data
  xinyong demo --out FILE [--format csv|xlsx|jsonl] [--encoding gbk] [--bad P]
                                                             write demo records as a department's file
  xinyong audit verify [--data DIR | --db URL]               verify the audit hash chain
  xinyong move --from DATA_DIR --to postgres://...           move an embedded installation to PostgreSQL, checked
  xinyong bench intake [--rows N]                            measure collection (make bench)

Every command that touches data takes --data DIR (default ./xinyong-data, or $XINYONG_DATA): the
embedded database and the keys. With --db postgres://user@host:port/db (or $XINYONG_DB) the data is
in PostgreSQL 15+ instead; the keys stay under --data. A server on PostgreSQL refuses a schema that
differs from its own: run "xinyong migrate --db URL" first.
Run "xinyong COMMAND -h" for a command's flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	if path := os.Getenv("XINYONG_CPUPROFILE"); path != "" { // for finding where time goes
		if f, err := os.Create(path); err == nil {
			pprof.StartCPUProfile(f)
			defer pprof.StopCPUProfile()
		}
	}
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, errUsage) {
			printError(os.Stderr, err)
		}
		pprof.StopCPUProfile()
		os.Exit(2)
	}
}

// errUsage means the usage was already printed.
var errUsage = errors.New("usage")

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return runServe(ctx, rest, stdout, stderr)
	case "provider":
		return runProvider(ctx, rest, stdout, stderr)
	case "announce":
		return runAnnounce(ctx, rest, stdout, stderr)
	case "user":
		return runUser(ctx, rest, stdout, stderr)
	case "catalog":
		return runCatalog(ctx, rest, stdout, stderr)
	case "import":
		return runImport(ctx, rest, stdout, stderr)
	case "bench":
		return runBench(ctx, rest, stdout, stderr)
	case "migrate":
		return runMigrate(ctx, rest, stdout, stderr)
	case "move":
		return runMove(ctx, rest, stdout, stderr)
	case "demo":
		return runDemo(ctx, rest, stdout, stderr)
	case "audit":
		return runAudit(ctx, rest, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprintf(stderr, "unknown command %q / 未知命令\n\n%s", cmd, usage)
	return errUsage
}

// printError prints err for an operator: the bilingual message of a domain
// error, or the error text of anything else.
func printError(w io.Writer, err error) {
	var e *credit.Error
	if errors.As(err, &e) {
		fmt.Fprintf(w, "错误：%s\nerror: %s\n", e.MessageZH, e.MessageEN)
		return
	}
	fmt.Fprintf(w, "error: %v\n", err)
}
