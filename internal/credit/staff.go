package credit

import (
	"context"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// Staff roles. An account has exactly one.
const (
	// RoleAdmin manages accounts and may do everything.
	RoleAdmin = "admin"
	// RoleHandler works cases: objections and credit repairs.
	RoleHandler = "handler"
	// RoleAuditor reads cases and the audit log, and changes nothing.
	RoleAuditor = "auditor"
)

// Roles lists the roles in the order they are offered.
var Roles = []string{RoleAdmin, RoleHandler, RoleAuditor}

// Console actions: what a role may or may not do. A page of the console
// requires one of them (or none, for pages every signed-in account sees).
const (
	ActCaseView    = "case.view"    // read objection and repair cases
	ActCaseAct     = "case.act"     // accept, decide and close cases
	ActStaffManage = "staff.manage" // create accounts, reset passwords, disable
	ActAuditView   = "audit.view"   // read the audit log
)

// permissions is the permission table: the actions each role may take.
// RoleAdmin is absent: it may take every action, including those added
// later.
var permissions = map[string][]string{
	RoleHandler: {ActCaseView, ActCaseAct},
	RoleAuditor: {ActCaseView, ActAuditView},
}

// RoleCan reports whether role may take action. An unknown role may take
// none; RoleAdmin may take every action.
func RoleCan(role, action string) bool {
	if role == RoleAdmin {
		return true
	}
	for _, a := range permissions[role] {
		if a == action {
			return true
		}
	}
	return false
}

// Staff is an account of the credit center's console.
type Staff struct {
	ID   int64
	Name string // login name: lower case, see Validate
	// Display is the name shown on pages, e.g. 张三; "" shows Name.
	Display   string
	Role      string // RoleAdmin, RoleHandler or RoleAuditor
	CreatedAt time.Time
	Disabled  bool

	// PasswordHash is the password's argon2id hash in PHC string format.
	// It is never shown and never logged.
	PasswordHash string
	// MustChangePassword says the password is a one-time password: the
	// account must choose its own before it does anything else.
	MustChangePassword bool
	PasswordChangedAt  time.Time
	// FailedLogins counts the failed logins since the last success.
	FailedLogins int
	// LockedUntil is when a lock-out after failed logins ends; zero when
	// the account was never locked.
	LockedUntil time.Time
	LastLoginAt *time.Time
}

// Can reports whether s may take action: an enabled account whose role
// allows it.
func (s *Staff) Can(action string) bool {
	return s != nil && !s.Disabled && RoleCan(s.Role, action)
}

// Locked reports whether s is locked out at now.
func (s *Staff) Locked(now time.Time) bool { return now.Before(s.LockedUntil) }

// Shown is the name to show for s: Display, or Name when there is none.
func (s *Staff) Shown() string {
	if s.Display != "" {
		return s.Display
	}
	return s.Name
}

// Actor is how s appears in the audit log: "staff:" and the login name.
func (s *Staff) Actor() string { return "staff:" + s.Name }

// staffNameRE is what a login name may be: a lower-case letter, then 1 to
// 31 lower-case letters, digits, dots, underscores or hyphens.
var staffNameRE = regexp.MustCompile(`^[a-z][a-z0-9._-]{1,31}$`)

// CleanStaffName returns a login name as stored: trimmed, lower case.
func CleanStaffName(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

// ValidStaffName reports whether name is a well-formed login name.
func ValidStaffName(name string) bool { return staffNameRE.MatchString(name) }

// Validate checks s before it is stored: a well-formed login name, a
// display name a page can show, and a known role.
func (s *Staff) Validate() error {
	var fields []FieldError
	if !ValidStaffName(s.Name) {
		fields = append(fields, FieldErrorf("name", "format",
			"登录名“%s”应为 2 到 32 个字符：小写字母开头，由小写字母、数字、点、下划线或连字符组成",
			"the login name %q must be 2 to 32 characters: a lower-case letter, then lower-case letters, digits, dots, underscores or hyphens", s.Name))
	}
	switch n := utf8.RuneCountInString(s.Display); {
	case !utf8.ValidString(s.Display):
		fields = append(fields, FieldError{Field: "display", Code: "encoding", MessageZH: "显示名称不是有效的 UTF-8 文本", MessageEN: "the display name is not valid UTF-8 text"})
	case n > 64:
		fields = append(fields, FieldErrorf("display", "too_long", "显示名称最多 64 个字符，实为 %d 个", "the display name may have at most 64 characters, got %d", n))
	case strings.TrimSpace(s.Display) != s.Display || strings.ContainsAny(s.Display, "\r\n\t"):
		fields = append(fields, FieldError{Field: "display", Code: "format", MessageZH: "显示名称不能以空白开头或结尾，也不能含换行或制表符", MessageEN: "the display name may not begin or end with spaces, nor hold line breaks or tabs"})
	}
	if !ValidRole(s.Role) {
		fields = append(fields, FieldErrorf("role", "enum", "角色“%s”无效，应为 admin、handler 或 auditor",
			"the role %q is not valid; it must be admin, handler or auditor", s.Role))
	}
	if s.PasswordHash == "" {
		fields = append(fields, FieldError{Field: "password", Code: "required", MessageZH: "缺少密码", MessageEN: "the password is missing"})
	}
	if len(fields) > 0 {
		return &Error{Code: EINVALID, MessageZH: "账户信息有误", MessageEN: "the account is not valid", Fields: fields}
	}
	return nil
}

// ValidRole reports whether role is one of Roles.
func ValidRole(role string) bool {
	for _, r := range Roles {
		if r == role {
			return true
		}
	}
	return false
}

// Session is a signed-in visit to the console. The store keeps only the
// SHA-256 hash of its token; the token itself lives in the browser's
// cookie.
type Session struct {
	TokenHash []byte
	StaffID   int64
	// CSRFSecret keys the tokens of the session's forms.
	CSRFSecret []byte
	CreatedAt  time.Time
	// SeenAt is when the session was last used, to the store's
	// granularity; IdleUntil slides with it, AbsoluteUntil never moves.
	SeenAt        time.Time
	IdleUntil     time.Time
	AbsoluteUntil time.Time
	// Staff is the session's account, filled in by SessionByTokenHash.
	Staff *Staff
}

// Live reports whether s may still be used at now: neither idle for too
// long nor past its absolute end.
func (s *Session) Live(now time.Time) bool {
	return now.Before(s.IdleUntil) && now.Before(s.AbsoluteUntil)
}

// Login outcomes, as LoginAttempt.Outcome.
const (
	// LoginOK is a right password on an enabled, unlocked account.
	LoginOK = "ok"
	// LoginFailed is a wrong password: it counts towards a lock-out.
	LoginFailed = "wrong_password"
	// LoginUnknown is a name no account has.
	LoginUnknown = "unknown_name"
	// LoginLocked is an attempt on a locked account; the password was not
	// checked and the attempt does not count.
	LoginLocked = "locked"
	// LoginDisabled is an attempt on a disabled account.
	LoginDisabled = "disabled"
)

// LoginAttempt is one attempt to sign in, as the store records it.
type LoginAttempt struct {
	// StaffID is the account tried; 0 for LoginUnknown.
	StaffID int64
	// Name is the login name as typed, for LoginUnknown: the audit entry's
	// actor when it is a well-formed login name.
	Name    string
	Outcome string
	// Client is the address the attempt came from, for the audit entry.
	Client string
	// Lock returns until when an account with failures consecutive
	// failed logins is locked, failing at now; zero for no lock. It is
	// used for LoginFailed and may be nil (no lock-out).
	Lock func(failures int, now time.Time) time.Time

	// Failures and LockedUntil are set by RecordLogin for LoginFailed:
	// the account's failed logins in a row, this one included, and the
	// end of the lock-out they caused (zero for none).
	Failures    int
	LockedUntil time.Time
}

// StaffStore is the storage of the console's staff accounts and their
// sessions. Every change writes its audit entry in the same transaction;
// actor is who makes it ("cli" for the command line, Staff.Actor() for
// the console).
type StaffStore interface {
	// CreateStaff stores s (its PasswordHash and MustChangePassword set by
	// the caller), setting ID, CreatedAt and PasswordChangedAt. Returns
	// EINVALID from s.Validate, ECONFLICT when the name is taken.
	CreateStaff(ctx context.Context, s *Staff, actor string) error
	// StaffByName returns the account with the login name. Returns
	// ENOTFOUND.
	StaffByName(ctx context.Context, name string) (*Staff, error)
	// StaffByID returns an account. Returns ENOTFOUND.
	StaffByID(ctx context.Context, id int64) (*Staff, error)
	// ListStaff lists every account by login name.
	ListStaff(ctx context.Context) ([]*Staff, error)
	// SetPassword replaces the account's password hash; oneTime makes the
	// account change it at its next login. It clears failed logins and any
	// lock-out, and ends every session of the account. Returns ENOTFOUND.
	SetPassword(ctx context.Context, id int64, hash string, oneTime bool, actor string) error
	// SetStaffDisabled disables or enables the account; disabling ends
	// its sessions. Returns ENOTFOUND.
	SetStaffDisabled(ctx context.Context, id int64, disabled bool, actor string) error
	// RecordLogin records a login attempt with its audit entry (never the
	// password). A LoginOK clears the failure count and any lock and sets
	// LastLoginAt; a LoginFailed counts one more failure, locks the
	// account until a.Lock says, and sets a.Failures and a.LockedUntil;
	// other outcomes change nothing but the log. Returns ENOTFOUND for an
	// unknown StaffID (any outcome but LoginUnknown).
	RecordLogin(ctx context.Context, a *LoginAttempt) error

	// CreateSession stores s, with its audit entry. Returns ENOTFOUND
	// when its account does not exist.
	CreateSession(ctx context.Context, s *Session) error
	// SessionByTokenHash returns the session with its account, whether
	// or not it is still live (Session.Live says). Returns ENOTFOUND.
	SessionByTokenHash(ctx context.Context, hash []byte) (*Session, error)
	// TouchSession records a use of the session at seen and slides its
	// idle end to idleUntil (bookkeeping, like a job's lease: no audit
	// entry). Returns ENOTFOUND.
	TouchSession(ctx context.Context, hash []byte, seen, idleUntil time.Time) error
	// DeleteSession ends the session: a logout, with its audit entry by
	// the session's account. Returns ENOTFOUND.
	DeleteSession(ctx context.Context, hash []byte) error
	// DeleteExpiredSessions deletes the sessions no longer live at now
	// and returns how many, with one audit entry when there were any.
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error)
}

// LoginAuditDetail is the detail of a login attempt's audit entry: its
// outcome, the client's address, and for failures the count and any
// lock. Both stores write it alike.
func LoginAuditDetail(a *LoginAttempt) map[string]any {
	d := map[string]any{"outcome": a.Outcome}
	if a.Client != "" {
		d["client"] = a.Client
	}
	if a.Outcome == LoginFailed {
		d["failures"] = a.Failures
		if !a.LockedUntil.IsZero() {
			d["locked_until"] = a.LockedUntil.UTC().Format(time.RFC3339)
		}
	}
	return d
}

// LoginAuditAction is the action of an attempt's audit entry:
// staff.login for a success, staff.login_failed for anything else.
func LoginAuditAction(a *LoginAttempt) string {
	if a.Outcome == LoginOK {
		return "staff.login"
	}
	return "staff.login_failed"
}

// LoginAuditActor is the actor of an attempt's audit entry: the account,
// or for an unknown name the name typed when it is a well-formed login
// name (a password typed into the name field by mistake is not kept),
// else "staff:?".
func LoginAuditActor(a *LoginAttempt, s *Staff) string {
	if s != nil {
		return s.Actor()
	}
	if n := CleanStaffName(a.Name); ValidStaffName(n) {
		return "staff:" + n
	}
	return "staff:?"
}
