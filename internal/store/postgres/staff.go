package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/xinyong/xinyong/internal/credit"
)

// CreateStaff stores s with its password hash and its audit entry.
func (db *DB) CreateStaff(ctx context.Context, s *credit.Staff, actor string) error {
	if err := s.Validate(); err != nil {
		return err
	}
	return db.inTx(ctx, func(t *tx) error {
		err := t.QueryRow(ctx, `INSERT INTO staff (name, display, role, password_hash, must_change, disabled, password_changed_at, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7) ON CONFLICT (name) DO NOTHING RETURNING id`,
			s.Name, s.Display, s.Role, s.PasswordHash, s.MustChangePassword, s.Disabled, t.now).Scan(&s.ID)
		if errors.Is(err, pgx.ErrNoRows) {
			return credit.Errorf(credit.ECONFLICT, "登录名 %s 已被使用", "the login name %s is taken", s.Name)
		}
		if err != nil {
			return fmt.Errorf("insert staff: %w", err)
		}
		s.CreatedAt, s.PasswordChangedAt = t.now, t.now
		detail := jsonText(map[string]any{"role": s.Role, "display": s.Display, "one_time_password": s.MustChangePassword, "disabled": s.Disabled})
		return t.record(ctx, actor, "staff.create", "staff:"+s.Name, detail)
	})
}

func errNoStaff(what string) error {
	return credit.Errorf(credit.ENOTFOUND, "没有账户 %s", "no account %s", what)
}

var errNoSession = credit.Errorf(credit.ENOTFOUND, "会话不存在或已结束", "no such session, or it has ended")

const staffColumns = `id, name, display, role, password_hash, must_change, disabled, failed_logins, locked_until, last_login_at, password_changed_at, created_at`

func scanStaff(s pgx.Row, extra ...any) (*credit.Staff, error) {
	var st credit.Staff
	var locked, last *time.Time
	dest := append([]any{&st.ID, &st.Name, &st.Display, &st.Role, &st.PasswordHash, &st.MustChangePassword, &st.Disabled, &st.FailedLogins,
		&locked, &last, &st.PasswordChangedAt, &st.CreatedAt}, extra...)
	if err := s.Scan(dest...); err != nil {
		return nil, err
	}
	if locked != nil {
		st.LockedUntil = locked.UTC()
	}
	if last != nil {
		t := last.UTC()
		st.LastLoginAt = &t
	}
	st.PasswordChangedAt, st.CreatedAt = st.PasswordChangedAt.UTC(), st.CreatedAt.UTC()
	return &st, nil
}

type queryRower interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func staffWhere(ctx context.Context, q queryRower, what, where string, arg any) (*credit.Staff, error) {
	s, err := scanStaff(q.QueryRow(ctx, `SELECT `+staffColumns+` FROM staff WHERE `+where, arg))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errNoStaff(what)
	}
	if err != nil {
		return nil, fmt.Errorf("read staff: %w", err)
	}
	return s, nil
}

// StaffByName returns the account with the login name.
func (db *DB) StaffByName(ctx context.Context, name string) (*credit.Staff, error) {
	return staffWhere(ctx, db.pool, name, `name = $1`, name)
}

// StaffByID returns an account.
func (db *DB) StaffByID(ctx context.Context, id int64) (*credit.Staff, error) {
	return staffWhere(ctx, db.pool, fmt.Sprint(id), `id = $1`, id)
}

// lockStaff reads an account in t, locking its row until the commit.
func lockStaff(ctx context.Context, t *tx, id int64) (*credit.Staff, error) {
	return staffWhere(ctx, t, fmt.Sprint(id), `id = $1 FOR UPDATE`, id)
}

// ListStaff lists every account by login name.
func (db *DB) ListStaff(ctx context.Context) ([]*credit.Staff, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+staffColumns+` FROM staff ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list staff: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*credit.Staff, error) { return scanStaff(r) })
	if err != nil {
		return nil, fmt.Errorf("list staff: %w", err)
	}
	if out == nil {
		out = []*credit.Staff{}
	}
	return out, nil
}

// SetPassword replaces the account's password hash, clears any lock-out
// and ends its sessions.
func (db *DB) SetPassword(ctx context.Context, id int64, hash string, oneTime bool, actor string) error {
	if hash == "" {
		return credit.Errorf(credit.EINVALID, "缺少密码", "the password is missing")
	}
	return db.inTx(ctx, func(t *tx) error {
		s, err := lockStaff(ctx, t, id)
		if err != nil {
			return err
		}
		if _, err := t.Exec(ctx, `UPDATE staff SET password_hash = $1, must_change = $2, failed_logins = 0, locked_until = NULL, password_changed_at = $3 WHERE id = $4`,
			hash, oneTime, t.now, id); err != nil {
			return fmt.Errorf("set password: %w", err)
		}
		ended, err := endSessions(ctx, t, id)
		if err != nil {
			return err
		}
		return t.record(ctx, actor, "staff.password", "staff:"+s.Name, jsonText(map[string]any{"one_time_password": oneTime, "sessions_ended": ended}))
	})
}

// endSessions deletes every session of the account and returns how many.
func endSessions(ctx context.Context, t *tx, staffID int64) (int64, error) {
	tag, err := t.Exec(ctx, `DELETE FROM staff_sessions WHERE staff_id = $1`, staffID)
	if err != nil {
		return 0, fmt.Errorf("end sessions: %w", err)
	}
	return tag.RowsAffected(), nil
}

// SetStaffDisabled disables or enables the account.
func (db *DB) SetStaffDisabled(ctx context.Context, id int64, disabled bool, actor string) error {
	return db.inTx(ctx, func(t *tx) error {
		s, err := lockStaff(ctx, t, id)
		if err != nil {
			return err
		}
		if _, err := t.Exec(ctx, `UPDATE staff SET disabled = $1 WHERE id = $2`, disabled, id); err != nil {
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
		return t.record(ctx, actor, action, "staff:"+s.Name, jsonText(map[string]any{"sessions_ended": ended}))
	})
}

// RecordLogin records a login attempt with its audit entry. The account's
// row is locked first, so that failures at once on several nodes each
// count.
func (db *DB) RecordLogin(ctx context.Context, a *credit.LoginAttempt) error {
	return db.inTx(ctx, func(t *tx) error {
		var s *credit.Staff
		var err error
		if a.Outcome != credit.LoginUnknown {
			if s, err = lockStaff(ctx, t, a.StaffID); err != nil {
				return err
			}
		}
		switch a.Outcome {
		case credit.LoginOK:
			_, err = t.Exec(ctx, `UPDATE staff SET failed_logins = 0, locked_until = NULL, last_login_at = $1 WHERE id = $2`, t.now, s.ID)
		case credit.LoginFailed:
			a.Failures, a.LockedUntil = s.FailedLogins+1, time.Time{}
			if a.Lock != nil {
				a.LockedUntil = a.Lock(a.Failures, t.now)
			}
			var locked *time.Time
			if !a.LockedUntil.IsZero() {
				locked = &a.LockedUntil
			}
			_, err = t.Exec(ctx, `UPDATE staff SET failed_logins = $1, locked_until = $2 WHERE id = $3`, a.Failures, locked, s.ID)
		case credit.LoginUnknown, credit.LoginLocked, credit.LoginDisabled:
		default:
			return credit.Errorf(credit.EINVALID, "未知的登录结果 %s", "unknown login outcome %s", a.Outcome)
		}
		if err != nil {
			return fmt.Errorf("record login: %w", err)
		}
		actor := credit.LoginAuditActor(a, s)
		return t.record(ctx, actor, credit.LoginAuditAction(a), actor, jsonText(credit.LoginAuditDetail(a)))
	})
}

// CreateSession stores s with its audit entry.
func (db *DB) CreateSession(ctx context.Context, s *credit.Session) error {
	return db.inTx(ctx, func(t *tx) error {
		st, err := staffWhere(ctx, t, fmt.Sprint(s.StaffID), `id = $1`, s.StaffID)
		if err != nil {
			return err
		}
		// Kept to the microsecond, as PostgreSQL stores them.
		s.IdleUntil, s.AbsoluteUntil = s.IdleUntil.UTC().Truncate(time.Microsecond), s.AbsoluteUntil.UTC().Truncate(time.Microsecond)
		if s.IdleUntil.After(s.AbsoluteUntil) {
			s.IdleUntil = s.AbsoluteUntil
		}
		s.CreatedAt, s.SeenAt = t.now, t.now
		if _, err := t.Exec(ctx, `INSERT INTO staff_sessions (token_hash, staff_id, csrf_secret, created_at, seen_at, idle_until, absolute_until)
			VALUES ($1, $2, $3, $4, $4, $5, $6)`, s.TokenHash, s.StaffID, s.CSRFSecret, t.now, s.IdleUntil, s.AbsoluteUntil); err != nil {
			return fmt.Errorf("create session: %w", err)
		}
		detail := jsonText(map[string]any{"idle_until": s.IdleUntil.Format(time.RFC3339Nano), "absolute_until": s.AbsoluteUntil.Format(time.RFC3339Nano)})
		return t.record(ctx, st.Actor(), "session.create", "staff:"+st.Name, detail)
	})
}

// SessionByTokenHash returns the session with its account.
func (db *DB) SessionByTokenHash(ctx context.Context, hash []byte) (*credit.Session, error) {
	var s credit.Session
	cols := strings.Split(staffColumns, ", ")
	for i, c := range cols {
		cols[i] = "st." + c
	}
	row := db.pool.QueryRow(ctx, `SELECT `+strings.Join(cols, ", ")+`, s.token_hash, s.staff_id, s.csrf_secret, s.created_at, s.seen_at, s.idle_until, s.absolute_until
		FROM staff_sessions s JOIN staff st ON st.id = s.staff_id WHERE s.token_hash = $1`, hash)
	st, err := scanStaff(row, &s.TokenHash, &s.StaffID, &s.CSRFSecret, &s.CreatedAt, &s.SeenAt, &s.IdleUntil, &s.AbsoluteUntil)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errNoSession
	}
	if err != nil {
		return nil, fmt.Errorf("read session: %w", err)
	}
	s.CreatedAt, s.SeenAt, s.IdleUntil, s.AbsoluteUntil = s.CreatedAt.UTC(), s.SeenAt.UTC(), s.IdleUntil.UTC(), s.AbsoluteUntil.UTC()
	s.Staff = st
	return &s, nil
}

// TouchSession records a use of the session and slides its idle end,
// never past its absolute end.
func (db *DB) TouchSession(ctx context.Context, hash []byte, seen, idleUntil time.Time) error {
	return db.inTx(ctx, func(t *tx) error {
		tag, err := t.Exec(ctx, `UPDATE staff_sessions SET seen_at = $1, idle_until = LEAST($2, absolute_until) WHERE token_hash = $3`, seen, idleUntil, hash)
		if err != nil {
			return fmt.Errorf("touch session: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return errNoSession
		}
		return nil
	})
}

// DeleteSession ends the session: a logout.
func (db *DB) DeleteSession(ctx context.Context, hash []byte) error {
	return db.inTx(ctx, func(t *tx) error {
		var name string
		err := t.QueryRow(ctx, `DELETE FROM staff_sessions s USING staff st WHERE s.token_hash = $1 AND st.id = s.staff_id RETURNING st.name`, hash).Scan(&name)
		if errors.Is(err, pgx.ErrNoRows) {
			return errNoSession
		}
		if err != nil {
			return fmt.Errorf("delete session: %w", err)
		}
		return t.record(ctx, "staff:"+name, "staff.logout", "staff:"+name, "{}")
	})
}

// DeleteExpiredSessions deletes the sessions no longer live at now.
func (db *DB) DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error) {
	var n int64
	err := db.inTx(ctx, func(t *tx) error {
		tag, err := t.Exec(ctx, `DELETE FROM staff_sessions WHERE idle_until <= $1 OR absolute_until <= $1`, now)
		if err != nil {
			return fmt.Errorf("delete expired sessions: %w", err)
		}
		if n = tag.RowsAffected(); n > 0 {
			return t.record(ctx, "system", "session.expire", "staff_sessions",
				jsonText(map[string]any{"sessions": n, "before": now.UTC().Format(time.RFC3339Nano)}))
		}
		return nil
	})
	return int(n), err
}
