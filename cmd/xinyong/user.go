package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/xinyong/xinyong/internal/auth"
	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/workday"
)

const userUsage = `usage:
  xinyong user add --name NAME --role admin|handler|auditor [--display NAME] [--data DIR] [--db URL]
      create a console account and print its one-time password, which it must change at first login
  xinyong user list [--json] [--data DIR] [--db URL]
      list the console's accounts: name, role, display name, state, last login (China Standard Time)
  xinyong user passwd --name NAME [--data DIR] [--db URL]
      give an account a new one-time password: ends its sessions and clears a lock-out
  xinyong user disable --name NAME [--data DIR] [--db URL]
      disable an account and end its sessions
  xinyong user enable --name NAME [--data DIR] [--db URL]
      enable a disabled account again

`

// userFlags names the flag that gives each field of an account, for
// messages about what to fix.
var userFlags = map[string]string{"name": "--name", "display": "--display", "role": "--role"}

func runUser(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	verbs := map[string]bool{"add": true, "list": true, "passwd": true, "disable": true, "enable": true}
	if len(args) == 0 || !verbs[args[0]] {
		fmt.Fprint(stderr, userUsage)
		return errUsage
	}
	verb := args[0]
	c := DefaultConfig()
	fs := flag.NewFlagSet("user "+verb, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, userUsage)
		fs.PrintDefaults()
	}
	c.dataFlags(fs)
	var s credit.Staff
	var asJSON bool
	if verb != "list" {
		fs.StringVar(&s.Name, "name", "", "login name: a lower-case letter, then lower-case letters, digits, '.', '_' or '-' (2 to 32 characters)")
	}
	if verb == "add" {
		fs.StringVar(&s.Role, "role", "", "role: admin (accounts and everything), handler (works objection and repair cases) or auditor (reads only)")
		fs.StringVar(&s.Display, "display", "", "name shown on pages, e.g. 张三 (default: the login name)")
	}
	if verb == "list" {
		fs.BoolVar(&asJSON, "json", false, "print JSON")
	}
	if err := fs.Parse(args[1:]); err != nil {
		return errUsage
	}
	invalid := func(zh, en string, args ...any) error { return credit.Errorf(credit.EINVALID, zh, en, args...) }
	if fs.NArg() > 0 {
		return invalid("多余的参数“%s”（登录名请用 --name 给出）", "unexpected argument %q (give the login name with --name)", fs.Arg(0))
	}
	// Checked before the database is opened: nothing is created for a
	// command that would be refused.
	if verb != "list" {
		if strings.TrimSpace(s.Name) == "" {
			return invalid("请用 --name 给出登录名", "give the login name with --name")
		}
		s.Name = credit.CleanStaffName(s.Name)
		if !credit.ValidStaffName(s.Name) {
			return userError((&credit.Staff{Name: s.Name, Role: credit.RoleAdmin, PasswordHash: "-"}).Validate())
		}
	}
	if verb == "add" {
		if s.Role == "" {
			return invalid("请用 --role 给出角色：admin、handler 或 auditor", "give the role with --role: admin, handler or auditor")
		}
		s.PasswordHash = "-" // checked here; set below
		if err := userError(s.Validate()); err != nil {
			return err
		}
	}

	app, err := openApp(ctx, c, migrateEmbedded)
	if err != nil {
		return err
	}
	defer app.Close()
	switch verb {
	case "list":
		return listUsers(ctx, app, asJSON, stdout)
	case "add":
		otp, hash, err := oneTimePassword()
		if err != nil {
			return err
		}
		s.PasswordHash, s.MustChangePassword = hash, true
		if err := app.Store.CreateStaff(ctx, &s, "cli"); err != nil {
			if credit.ErrorCode(err) == credit.ECONFLICT {
				return credit.Errorf(credit.ECONFLICT, "登录名 %s 已被使用：请用 --name 另选一个（已有账户见 xinyong user list）",
					"the login name %s is taken: choose another with --name (xinyong user list shows the accounts)", s.Name)
			}
			return userError(err)
		}
		fmt.Fprintf(stdout, "created account %s (%s) / 已创建账户 %s（%s）\n", s.Name, s.Role, s.Name, roleZH(s.Role))
		printOneTime(stdout, otp)
		return nil
	}
	st, err := app.Store.StaffByName(ctx, s.Name)
	if credit.IsNotFound(err) {
		return credit.Errorf(credit.ENOTFOUND, "没有登录名为 %s 的账户：请检查 --name（已有账户见 xinyong user list）",
			"no account is named %s: check --name (xinyong user list shows the accounts)", s.Name)
	}
	if err != nil {
		return err
	}
	switch verb {
	case "passwd":
		otp, hash, err := oneTimePassword()
		if err != nil {
			return err
		}
		if err := app.Store.SetPassword(ctx, st.ID, hash, true, "cli"); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "new one-time password for %s; its sessions have ended / 已为 %s 设置新的一次性密码，其会话均已结束\n", st.Name, st.Name)
		printOneTime(stdout, otp)
	case "disable", "enable":
		if err := app.Store.SetStaffDisabled(ctx, st.ID, verb == "disable", "cli"); err != nil {
			return err
		}
		if verb == "disable" {
			fmt.Fprintf(stdout, "disabled %s; its sessions have ended / 已停用账户 %s，其会话均已结束\n", st.Name, st.Name)
		} else {
			fmt.Fprintf(stdout, "enabled %s / 已启用账户 %s\n", st.Name, st.Name)
		}
	}
	return nil
}

// oneTimePassword returns a fresh one-time password and its hash.
func oneTimePassword() (otp, hash string, err error) {
	if otp, err = auth.OneTimePassword(); err != nil {
		return "", "", err
	}
	hash, err = auth.DefaultParams.Hash(otp)
	return otp, hash, err
}

func printOneTime(w io.Writer, otp string) {
	fmt.Fprintf(w, "one-time password (shown once; it must be changed at the first login at /console/login) / 一次性密码（仅显示一次，首次登录 /console/login 时须修改）:\n%s\n", otp)
}

func roleZH(role string) string {
	return map[string]string{credit.RoleAdmin: "管理员", credit.RoleHandler: "经办人", credit.RoleAuditor: "审计员"}[role]
}

// listUsers prints the accounts, one a line or as JSON.
func listUsers(ctx context.Context, app *App, asJSON bool, stdout io.Writer) error {
	list, err := app.Store.ListStaff(ctx)
	if err != nil {
		return err
	}
	now := time.Now()
	type row struct {
		Name      string     `json:"name"`
		Role      string     `json:"role"`
		Display   string     `json:"display"`
		State     string     `json:"state"`
		LastLogin *time.Time `json:"last_login"`
	}
	rows := []row{}
	for _, s := range list {
		var states []string
		if s.Disabled {
			states = append(states, "disabled")
		}
		if s.Locked(now) {
			states = append(states, "locked")
		}
		if s.MustChangePassword {
			states = append(states, "one-time-password")
		}
		if len(states) == 0 {
			states = append(states, "active")
		}
		rows = append(rows, row{s.Name, s.Role, s.Display, strings.Join(states, ","), s.LastLoginAt})
	}
	if asJSON {
		return json.NewEncoder(stdout).Encode(rows)
	}
	for _, r := range rows {
		last := "-"
		if r.LastLogin != nil {
			last = r.LastLogin.In(workday.CST).Format("2006-01-02 15:04")
		}
		display := r.Display
		if display == "" {
			display = "-"
		}
		fmt.Fprintf(stdout, "%s\t%s\t%s\t%s\t%s\n", r.Name, r.Role, display, r.State, last)
	}
	return nil
}

// userError turns a refused account's field errors into one bilingual
// message naming the flags to fix, as announceError does.
func userError(err error) error {
	var e *credit.Error
	if !errors.As(err, &e) || e.Code != credit.EINVALID || len(e.Fields) == 0 {
		return err
	}
	var zh, en []string
	for _, f := range e.Fields {
		name := userFlags[f.Field]
		if name == "" {
			name = f.Field
		}
		zh = append(zh, name+"："+f.MessageZH)
		en = append(en, name+": "+f.MessageEN)
	}
	return &credit.Error{Code: credit.EINVALID, MessageZH: e.MessageZH + "：" + strings.Join(zh, "；"),
		MessageEN: e.MessageEN + ": " + strings.Join(en, "; "), Fields: e.Fields}
}
