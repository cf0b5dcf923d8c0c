package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/xinyong/xinyong/internal/credit"
)

// CreateStaff stores s with its password hash and its audit entry.
func (db *DB) CreateStaff(ctx context.Context, s *credit.Staff, actor string) error {
	if err := s.Validate(); err != nil {
		return err
	}
	t, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer t.Rollback()
	res, err := t.ExecContext(ctx, `INSERT INTO staff (name, display, role, password_hash, must_change, disabled, password_changed_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING`,
		s.Name, s.Display, s.Role, s.PasswordHash, s.MustChangePassword, s.Disabled, ts(t.now), ts(t.now))
	if err != nil {
		return fmt.Errorf("insert staff: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errStaffTaken(s.Name)
	}
	if s.ID, err = res.LastInsertId(); err != nil {
		return err
	}
	s.CreatedAt, s.PasswordChangedAt = t.now, t.now
	detail := jsonText(map[string]any{"role": s.Role, "display": s.Display, "one_time_password": s.MustChangePassword, "disabled": s.Disabled})
	if err := t.record(ctx, actor, "staff.create", "staff:"+s.Name, detail); err != nil {
		return err
	}
	return t.Commit()
}

func errStaffTaken(name string) error {
	return credit.Errorf(credit.ECONFLICT, "登录名 %s 已被使用", "the login name %s is taken", name)
}

func errNoStaff(what string) error {
	return credit.Errorf(credit.ENOTFOUND, "没有账户 %s", "no account %s", what)
}

const staffColumns = `id, name, display, role, password_hash, must_change, disabled, failed_logins, locked_until, last_login_at, password_changed_at, created_at`

func scanStaff(s scanner, extra ...any) (*credit.Staff, error) {
	var st credit.Staff
	var locked, last, changed, created string
	dest := append([]any{&st.ID, &st.Name, &st.Display, &st.Role, &st.PasswordHash, &st.MustChangePassword, &st.Disabled, &st.FailedLogins,
		&locked, &last, &changed, &created}, extra...)
	if err := s.Scan(dest...); err != nil {
		return nil, err
	}
	if locked != "" {
		st.LockedUntil = parseTS(locked)
	}
	if last != "" {
		t := parseTS(last)
		st.LastLoginAt = &t
	}
	st.PasswordChangedAt, st.CreatedAt = parseTS(changed), parseTS(created)
	return &st, nil
}

// StaffByName returns the account with the login name.
func (db *DB) StaffByName(ctx context.Context, name string) (*credit.Staff, error) {
	s, err := scanStaff(db.read.QueryRowContext(ctx, `SELECT `+staffColumns+` FROM staff WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoStaff(name)
	}
	if err != nil {
		return nil, fmt.Errorf("read staff: %w", err)
	}
	return s, nil
}

// StaffByID returns an account.
func (db *DB) StaffByID(ctx context.Context, id int64) (*credit.Staff, error) {
	return staffByID(ctx, db.read, id)
}

type queryRower interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func staffByID(ctx context.Context, q queryRower, id int64) (*credit.Staff, error) {
	s, err := scanStaff(q.QueryRowContext(ctx, `SELECT `+staffColumns+` FROM staff WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoStaff(fmt.Sprint(id))
	}
	if err != nil {
		return nil, fmt.Errorf("read staff: %w", err)
	}
	return s, nil
}

// ListStaff lists every account by login name.
func (db *DB) ListStaff(ctx context.Context) ([]*credit.Staff, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+staffColumns+` FROM staff ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list staff: %w", err)
	}
	defer rows.Close()
	out := []*credit.Staff{}
	for rows.Next() {
		s, err := scanStaff(rows)
		if err != nil {
			return nil, fmt.Errorf("list staff: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// SetPassword replaces the account's password hash, clears any lock-out
// and ends its sessions.
func (db *DB) SetPassword(ctx context.Context, id int64, hash string, oneTime bool, actor string) error {
	if hash == "" {
		return credit.Errorf(credit.EINVALID, "缺少密码", "the password is missing")
	}
	t, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer t.Rollback()
	s, err := staffByID(ctx, t, id)
	if err != nil {
		return err
	}
	if _, err := t.ExecContext(ctx, `UPDATE staff SET password_hash = ?, must_change = ?, failed_logins = 0, locked_until = '', password_changed_at = ? WHERE id = ?`,
		hash, oneTime, ts(t.now), id); err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	ended, err := endSessions(ctx, t, id)
	if err != nil {
		return err
	}
	detail := jsonText(map[string]any{"one_time_password": oneTime, "sessions_ended": ended})
	if err := t.record(ctx, actor, "staff.password", "staff:"+s.Name, detail); err != nil {
		return err
	}
	return t.Commit()
}

// endSessions deletes every session of the account and returns how many.
func endSessions(ctx context.Context, t *tx, staffID int64) (int64, error) {
	res, err := t.ExecContext(ctx, `DELETE FROM staff_sessions WHERE staff_id = ?`, staffID)
	if err != nil {
		return 0, fmt.Errorf("end sessions: %w", err)
	}
	return res.RowsAffected()
}

// SetStaffDisabled disables or enables the account.
func (db *DB) SetStaffDisabled(ctx context.Context, id int64, disabled bool, actor string) error {
	t, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer t.Rollback()
	s, err := staffByID(ctx, t, id)
	if err != nil {
		return err
	}
	if _, err := t.ExecContext(ctx, `UPDATE staff SET disabled = ? WHERE id = ?`, disabled, id); err != nil {
		return fmt.Errorf("disable staff: %w", err)
	}
	var ended int64
	action := "staff.enable"
	if disabled {
		action = "staff.disable"
		if ended, err = endSessions(ctx, t, id); err != nil {
			return err
		}
	}
	if err := t.record(ctx, actor, action, "staff:"+s.Name, jsonText(map[string]any{"sessions_ended": ended})); err != nil {
		return err
	}
	return t.Commit()
}

// RecordLogin records a login attempt with its audit entry.
func (db *DB) RecordLogin(ctx context.Context, a *credit.LoginAttempt) error {
	t, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer t.Rollback()
	var s *credit.Staff
	if a.Outcome != credit.LoginUnknown {
		if s, err = staffByID(ctx, t, a.StaffID); err != nil {
			return err
		}
	}
	switch a.Outcome {
	case credit.LoginOK:
		_, err = t.ExecContext(ctx, `UPDATE staff SET failed_logins = 0, locked_until = '', last_login_at = ? WHERE id = ?`, ts(t.now), s.ID)
	case credit.LoginFailed:
		a.Failures, a.LockedUntil = s.FailedLogins+1, time.Time{}
		if a.Lock != nil {
			a.LockedUntil = a.Lock(a.Failures, t.now)
		}
		locked := ""
		if !a.LockedUntil.IsZero() {
			locked = ts(a.LockedUntil)
		}
		_, err = t.ExecContext(ctx, `UPDATE staff SET failed_logins = ?, locked_until = ? WHERE id = ?`, a.Failures, locked, s.ID)
	case credit.LoginUnknown, credit.LoginLocked, credit.LoginDisabled:
	default:
		return credit.Errorf(credit.EINVALID, "未知的登录结果 %s", "unknown login outcome %s", a.Outcome)
	}
	if err != nil {
		return fmt.Errorf("record login: %w", err)
	}
	actor := credit.LoginAuditActor(a, s)
	if err := t.record(ctx, actor, credit.LoginAuditAction(a), actor, jsonText(credit.LoginAuditDetail(a))); err != nil {
		return err
	}
	return t.Commit()
}

// CreateSession stores s with its audit entry.
func (db *DB) CreateSession(ctx context.Context, s *credit.Session) error {
	t, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer t.Rollback()
	st, err := staffByID(ctx, t, s.StaffID)
	if err != nil {
		return err
	}
	if s.IdleUntil.After(s.AbsoluteUntil) {
		s.IdleUntil = s.AbsoluteUntil
	}
	s.CreatedAt, s.SeenAt = t.now, t.now
	if _, err := t.ExecContext(ctx, `INSERT INTO staff_sessions (token_hash, staff_id, csrf_secret, created_at, seen_at, idle_until, absolute_until)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, s.TokenHash, s.StaffID, s.CSRFSecret, ts(t.now), ts(t.now), ts(s.IdleUntil), ts(s.AbsoluteUntil)); err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	detail := jsonText(map[string]any{"idle_until": ts(s.IdleUntil), "absolute_until": ts(s.AbsoluteUntil)})
	if err := t.record(ctx, st.Actor(), "session.create", "staff:"+st.Name, detail); err != nil {
		return err
	}
	return t.Commit()
}

// SessionByTokenHash returns the session with its account.
func (db *DB) SessionByTokenHash(ctx context.Context, hash []byte) (*credit.Session, error) {
	var s credit.Session
	var created, seen, idle, absolute string
	row := db.read.QueryRowContext(ctx, `SELECT `+prefixed("st.", staffColumns)+`, s.token_hash, s.staff_id, s.csrf_secret, s.created_at, s.seen_at, s.idle_until, s.absolute_until
		FROM staff_sessions s JOIN staff st ON st.id = s.staff_id WHERE s.token_hash = ?`, hash)
	st, err := scanStaff(row, &s.TokenHash, &s.StaffID, &s.CSRFSecret, &created, &seen, &idle, &absolute)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoSession
	}
	if err != nil {
		return nil, fmt.Errorf("read session: %w", err)
	}
	s.CreatedAt, s.SeenAt, s.IdleUntil, s.AbsoluteUntil = parseTS(created), parseTS(seen), parseTS(idle), parseTS(absolute)
	s.Staff = st
	return &s, nil
}

var errNoSession = credit.Errorf(credit.ENOTFOUND, "会话不存在或已结束", "no such session, or it has ended")

// prefixed qualifies each of a comma-separated list of columns with p.
func prefixed(p, columns string) string {
	cs := strings.Split(columns, ",")
	for i, c := range cs {
		cs[i] = p + strings.TrimSpace(c)
	}
	return strings.Join(cs, ", ")
}

// TouchSession records a use of the session and slides its idle end,
// never past its absolute end.
func (db *DB) TouchSession(ctx context.Context, hash []byte, seen, idleUntil time.Time) error {
	t, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer t.Rollback()
	res, err := t.ExecContext(ctx, `UPDATE staff_sessions SET seen_at = ?, idle_until = min(?, absolute_until) WHERE token_hash = ?`,
		ts(seen), ts(idleUntil), hash)
	if err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errNoSession
	}
	return t.Commit()
}

// DeleteSession ends the session: a logout.
func (db *DB) DeleteSession(ctx context.Context, hash []byte) error {
	t, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer t.Rollback()
	var name string
	err = t.QueryRowContext(ctx, `SELECT st.name FROM staff_sessions s JOIN staff st ON st.id = s.staff_id WHERE s.token_hash = ?`, hash).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return errNoSession
	}
	if err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	if _, err := t.ExecContext(ctx, `DELETE FROM staff_sessions WHERE token_hash = ?`, hash); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	if err := t.record(ctx, "staff:"+name, "staff.logout", "staff:"+name, ""); err != nil {
		return err
	}
	return t.Commit()
}

// DeleteExpiredSessions deletes the sessions no longer live at now.
func (db *DB) DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error) {
	t, err := db.begin(ctx)
	if err != nil {
		return 0, err
	}
	defer t.Rollback()
	res, err := t.ExecContext(ctx, `DELETE FROM staff_sessions WHERE idle_until <= ? OR absolute_until <= ?`, ts(now), ts(now))
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, err
	}
	if n > 0 {
		if err := t.record(ctx, "system", "session.expire", "staff_sessions", jsonText(map[string]any{"sessions": n, "before": ts(now)})); err != nil {
			return 0, err
		}
	}
	return int(n), t.Commit()
}
