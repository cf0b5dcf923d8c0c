package storetest

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/xinyong/xinyong/internal/credit"
)

// testStaff covers the console's accounts and sessions: creation and
// refusals, login bookkeeping and lock-outs, sessions sliding and ending,
// and an audit entry for every change.
func testStaff(t *testing.T, open Opener) {
	ctx := context.Background()
	start := time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	now := start
	setNow := func(t time.Time) { mu.Lock(); now = t; mu.Unlock() }
	s := open(t, func() time.Time { mu.Lock(); defer mu.Unlock(); return now })
	entries := 0 // audit entries expected so far
	checkAudit := func(t *testing.T) {
		t.Helper()
		if n, err := s.VerifyAudit(ctx); err != nil || n != entries {
			t.Errorf("VerifyAudit = %d, %v; want %d entries", n, err, entries)
		}
	}

	admin := &credit.Staff{Name: "wang.admin", Display: "王管理", Role: credit.RoleAdmin, PasswordHash: "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5", MustChangePassword: true}
	handler := &credit.Staff{Name: "li-handler", Role: credit.RoleHandler, PasswordHash: "$argon2id$hash-two"}
	t.Run("OKCreate", func(t *testing.T) {
		for _, st := range []*credit.Staff{admin, handler} {
			if err := s.CreateStaff(ctx, st, "cli"); err != nil {
				t.Fatal(err)
			}
			entries++
			if st.ID == 0 || !st.CreatedAt.Equal(start) || !st.PasswordChangedAt.Equal(start) {
				t.Errorf("created %+v; want an id and times %v", st, start)
			}
		}
		got, err := s.StaffByName(ctx, "wang.admin")
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != admin.ID || got.Display != "王管理" || got.Role != credit.RoleAdmin || got.PasswordHash != admin.PasswordHash ||
			!got.MustChangePassword || got.Disabled || got.FailedLogins != 0 || !got.LockedUntil.IsZero() || got.LastLoginAt != nil ||
			!got.CreatedAt.Equal(start) || !got.PasswordChangedAt.Equal(start) {
			t.Errorf("StaffByName = %+v, want %+v", got, admin)
		}
		if got, err := s.StaffByID(ctx, handler.ID); err != nil || got.Name != "li-handler" || got.Display != "" || got.MustChangePassword {
			t.Errorf("StaffByID = %+v, %v", got, err)
		}
		list, err := s.ListStaff(ctx)
		if err != nil || len(list) != 2 || list[0].Name != "li-handler" || list[1].Name != "wang.admin" {
			t.Errorf("ListStaff = %v, %v; want li-handler, wang.admin", list, err)
		}
	})
	t.Run("ErrConflict", func(t *testing.T) {
		err := s.CreateStaff(ctx, &credit.Staff{Name: "wang.admin", Role: credit.RoleAuditor, PasswordHash: "x"}, "cli")
		if credit.ErrorCode(err) != credit.ECONFLICT {
			t.Errorf("a taken name: %v, want ECONFLICT", err)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, st := range []credit.Staff{
			{Name: "Wang", Role: credit.RoleAdmin, PasswordHash: "x"},
			{Name: "w", Role: credit.RoleAdmin, PasswordHash: "x"},
			{Name: "王五", Role: credit.RoleAdmin, PasswordHash: "x"},
			{Name: "zhao", Role: "root", PasswordHash: "x"},
			{Name: "zhao", Role: credit.RoleAuditor},
			{Name: "zhao", Role: credit.RoleAuditor, PasswordHash: "x", Display: " 赵 "},
		} {
			if err := s.CreateStaff(ctx, &st, "cli"); credit.ErrorCode(err) != credit.EINVALID {
				t.Errorf("CreateStaff(%+v) = %v, want EINVALID", st, err)
			}
		}
		if list, _ := s.ListStaff(ctx); len(list) != 2 {
			t.Errorf("after refusals: %d accounts", len(list))
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		if _, err := s.StaffByName(ctx, "nobody"); !credit.IsNotFound(err) {
			t.Errorf("StaffByName: %v", err)
		}
		if _, err := s.StaffByID(ctx, 9999); !credit.IsNotFound(err) {
			t.Errorf("StaffByID: %v", err)
		}
		if err := s.SetPassword(ctx, 9999, "x", true, "cli"); !credit.IsNotFound(err) {
			t.Errorf("SetPassword: %v", err)
		}
		if err := s.SetStaffDisabled(ctx, 9999, true, "cli"); !credit.IsNotFound(err) {
			t.Errorf("SetStaffDisabled: %v", err)
		}
		if err := s.RecordLogin(ctx, &credit.LoginAttempt{StaffID: 9999, Outcome: credit.LoginFailed}); !credit.IsNotFound(err) {
			t.Errorf("RecordLogin: %v", err)
		}
		if err := s.CreateSession(ctx, &credit.Session{TokenHash: []byte("t"), StaffID: 9999, CSRFSecret: []byte("s"), IdleUntil: start.Add(time.Hour), AbsoluteUntil: start.Add(time.Hour)}); !credit.IsNotFound(err) {
			t.Errorf("CreateSession: %v", err)
		}
		if _, err := s.SessionByTokenHash(ctx, []byte("none")); !credit.IsNotFound(err) {
			t.Errorf("SessionByTokenHash: %v", err)
		}
		if err := s.TouchSession(ctx, []byte("none"), start, start.Add(time.Hour)); !credit.IsNotFound(err) {
			t.Errorf("TouchSession: %v", err)
		}
		if err := s.DeleteSession(ctx, []byte("none")); !credit.IsNotFound(err) {
			t.Errorf("DeleteSession: %v", err)
		}
	})
	checkAudit(t)

	// lockAfter2 locks from the third failure on, for a minute per failure.
	lockAfter2 := func(failures int, at time.Time) time.Time {
		if failures < 3 {
			return time.Time{}
		}
		return at.Add(time.Duration(failures) * time.Minute)
	}
	t.Run("OKLogins", func(t *testing.T) {
		for i := 1; i <= 3; i++ {
			a := &credit.LoginAttempt{StaffID: handler.ID, Outcome: credit.LoginFailed, Client: "192.0.2.7", Lock: lockAfter2}
			if err := s.RecordLogin(ctx, a); err != nil {
				t.Fatal(err)
			}
			entries++
			if a.Failures != i {
				t.Errorf("failure %d counted as %d", i, a.Failures)
			}
		}
		st, _ := s.StaffByID(ctx, handler.ID)
		if want := start.Add(3 * time.Minute); st.FailedLogins != 3 || !st.LockedUntil.Equal(want) || !st.Locked(start) || st.Locked(want) {
			t.Errorf("after 3 failures: %d failures, locked until %v; want 3, %v", st.FailedLogins, st.LockedUntil, want)
		}
		// Attempts refused without a check count nothing.
		for _, o := range []string{credit.LoginLocked, credit.LoginDisabled} {
			if err := s.RecordLogin(ctx, &credit.LoginAttempt{StaffID: handler.ID, Outcome: o, Lock: lockAfter2}); err != nil {
				t.Fatal(err)
			}
			entries++
		}
		if err := s.RecordLogin(ctx, &credit.LoginAttempt{Name: "no-such-name", Outcome: credit.LoginUnknown}); err != nil {
			t.Fatal(err)
		}
		entries++
		if st, _ := s.StaffByID(ctx, handler.ID); st.FailedLogins != 3 {
			t.Errorf("refused attempts counted: %d failures", st.FailedLogins)
		}
		setNow(start.Add(10 * time.Minute))
		if err := s.RecordLogin(ctx, &credit.LoginAttempt{StaffID: handler.ID, Outcome: credit.LoginOK}); err != nil {
			t.Fatal(err)
		}
		entries++
		st, _ = s.StaffByID(ctx, handler.ID)
		if st.FailedLogins != 0 || !st.LockedUntil.IsZero() || st.LastLoginAt == nil || !st.LastLoginAt.Equal(start.Add(10*time.Minute)) {
			t.Errorf("after a success: %+v", st)
		}
		if err := s.RecordLogin(ctx, &credit.LoginAttempt{StaffID: handler.ID, Outcome: "guessed"}); credit.ErrorCode(err) != credit.EINVALID {
			t.Errorf("an unknown outcome: %v", err)
		}
	})
	t.Run("OKConcurrentFailures", func(t *testing.T) {
		// Failures at once (on PostgreSQL, from several nodes) each count.
		const n = 8
		var wg sync.WaitGroup
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := s.RecordLogin(ctx, &credit.LoginAttempt{StaffID: admin.ID, Outcome: credit.LoginFailed}); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		entries += n
		if st, _ := s.StaffByID(ctx, admin.ID); st.FailedLogins != n || !st.LockedUntil.IsZero() {
			t.Errorf("%d failures at once counted as %d (locked until %v)", n, st.FailedLogins, st.LockedUntil)
		}
	})
	checkAudit(t)

	session := func(token string, st *credit.Staff, idle, absolute time.Duration) *credit.Session {
		mu.Lock()
		at := now
		mu.Unlock()
		return &credit.Session{TokenHash: []byte(token + "-hash-0123456789abcdef0123456789"), StaffID: st.ID, CSRFSecret: []byte("secret of " + token),
			IdleUntil: at.Add(idle), AbsoluteUntil: at.Add(absolute)}
	}
	t.Run("OKSessions", func(t *testing.T) {
		at := start.Add(time.Hour)
		setNow(at)
		a := session("a", handler, 8*time.Hour, 12*time.Hour)
		if err := s.CreateSession(ctx, a); err != nil {
			t.Fatal(err)
		}
		entries++
		got, err := s.SessionByTokenHash(ctx, a.TokenHash)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.TokenHash, a.TokenHash) || got.StaffID != handler.ID || !bytes.Equal(got.CSRFSecret, a.CSRFSecret) ||
			!got.CreatedAt.Equal(at) || !got.SeenAt.Equal(at) || !got.IdleUntil.Equal(at.Add(8*time.Hour)) || !got.AbsoluteUntil.Equal(at.Add(12*time.Hour)) {
			t.Errorf("SessionByTokenHash = %+v, want %+v", got, a)
		}
		if got.Staff == nil || got.Staff.Name != "li-handler" || got.Staff.Role != credit.RoleHandler {
			t.Errorf("the session's account = %+v", got.Staff)
		}
		if !got.Live(at.Add(8*time.Hour-time.Second)) || got.Live(at.Add(8*time.Hour)) {
			t.Error("Live does not end at the idle end")
		}
		// Sliding: seen after 6 hours, idle until 14 hours, capped at 12.
		if err := s.TouchSession(ctx, a.TokenHash, at.Add(6*time.Hour), at.Add(14*time.Hour)); err != nil {
			t.Fatal(err)
		}
		got, _ = s.SessionByTokenHash(ctx, a.TokenHash)
		if !got.SeenAt.Equal(at.Add(6*time.Hour)) || !got.IdleUntil.Equal(at.Add(12*time.Hour)) {
			t.Errorf("after a touch: seen %v, idle until %v; want %v, %v", got.SeenAt, got.IdleUntil, at.Add(6*time.Hour), at.Add(12*time.Hour))
		}
		// An idle end past the absolute end is cut back at creation.
		b := session("b", admin, 20*time.Hour, 12*time.Hour)
		if err := s.CreateSession(ctx, b); err != nil {
			t.Fatal(err)
		}
		entries++
		if got, _ := s.SessionByTokenHash(ctx, b.TokenHash); !got.IdleUntil.Equal(at.Add(12 * time.Hour)) {
			t.Errorf("idle until %v, past the absolute end %v", got.IdleUntil, at.Add(12*time.Hour))
		}

		// Logout.
		if err := s.DeleteSession(ctx, a.TokenHash); err != nil {
			t.Fatal(err)
		}
		entries++
		if _, err := s.SessionByTokenHash(ctx, a.TokenHash); !credit.IsNotFound(err) {
			t.Errorf("after logout: %v", err)
		}
		if err := s.DeleteSession(ctx, a.TokenHash); !credit.IsNotFound(err) {
			t.Errorf("a second logout: %v", err)
		}
	})
	t.Run("OKPasswordEndsSessions", func(t *testing.T) {
		c, d := session("c", handler, time.Hour, time.Hour), session("d", handler, time.Hour, time.Hour)
		for _, x := range []*credit.Session{c, d} {
			if err := s.CreateSession(ctx, x); err != nil {
				t.Fatal(err)
			}
			entries++
		}
		// A lock-out is cleared by a new password.
		if err := s.RecordLogin(ctx, &credit.LoginAttempt{StaffID: handler.ID, Outcome: credit.LoginFailed, Lock: func(int, time.Time) time.Time { return start.Add(48 * time.Hour) }}); err != nil {
			t.Fatal(err)
		}
		entries++
		setNow(start.Add(2 * time.Hour))
		if err := s.SetPassword(ctx, handler.ID, "$argon2id$new", false, "staff:li-handler"); err != nil {
			t.Fatal(err)
		}
		entries++
		for _, x := range []*credit.Session{c, d} {
			if _, err := s.SessionByTokenHash(ctx, x.TokenHash); !credit.IsNotFound(err) {
				t.Errorf("a session outlived the password change: %v", err)
			}
		}
		st, _ := s.StaffByID(ctx, handler.ID)
		if st.PasswordHash != "$argon2id$new" || st.MustChangePassword || !st.PasswordChangedAt.Equal(start.Add(2*time.Hour)) || st.FailedLogins != 0 || !st.LockedUntil.IsZero() {
			t.Errorf("after SetPassword: %+v", st)
		}
		if err := s.SetPassword(ctx, handler.ID, "$argon2id$once", true, "cli"); err != nil {
			t.Fatal(err)
		}
		entries++
		if st, _ := s.StaffByID(ctx, handler.ID); !st.MustChangePassword || st.PasswordHash != "$argon2id$once" {
			t.Errorf("after a one-time password: %+v", st)
		}
		if err := s.SetPassword(ctx, handler.ID, "", true, "cli"); credit.ErrorCode(err) != credit.EINVALID {
			t.Errorf("an empty hash: %v", err)
		}
	})
	t.Run("OKDisable", func(t *testing.T) {
		e := session("e", handler, time.Hour, time.Hour)
		if err := s.CreateSession(ctx, e); err != nil {
			t.Fatal(err)
		}
		entries++
		if err := s.SetStaffDisabled(ctx, handler.ID, true, "cli"); err != nil {
			t.Fatal(err)
		}
		entries++
		if _, err := s.SessionByTokenHash(ctx, e.TokenHash); !credit.IsNotFound(err) {
			t.Errorf("a session outlived disabling: %v", err)
		}
		st, _ := s.StaffByID(ctx, handler.ID)
		if !st.Disabled || st.Can(credit.ActCaseView) {
			t.Errorf("disabled: %+v", st)
		}
		if err := s.SetStaffDisabled(ctx, handler.ID, false, "cli"); err != nil {
			t.Fatal(err)
		}
		entries++
		if st, _ := s.StaffByID(ctx, handler.ID); st.Disabled || !st.Can(credit.ActCaseView) {
			t.Errorf("enabled again: %+v", st)
		}
	})
	t.Run("OKDeleteExpired", func(t *testing.T) {
		at := start.Add(3 * time.Hour)
		setNow(at)
		var live []*credit.Session
		for i, d := range []time.Duration{time.Minute, 2 * time.Minute, time.Hour, 2 * time.Hour} {
			x := session(fmt.Sprintf("x%d", i), admin, d, 2*time.Hour)
			if err := s.CreateSession(ctx, x); err != nil {
				t.Fatal(err)
			}
			entries++
			live = append(live, x)
		}
		// Sessions "b" (12 h absolute, from hour 1) and x0..x3 exist.
		n, err := s.DeleteExpiredSessions(ctx, at.Add(2*time.Minute))
		if err != nil || n != 2 {
			t.Errorf("DeleteExpiredSessions = %d, %v; want 2 (idle ends at and before now)", n, err)
		}
		entries++
		if n, err := s.DeleteExpiredSessions(ctx, at.Add(2*time.Minute)); err != nil || n != 0 {
			t.Errorf("again: %d, %v", n, err)
		}
		for i, x := range live {
			_, err := s.SessionByTokenHash(ctx, x.TokenHash)
			if gone := credit.IsNotFound(err); gone != (i < 2) {
				t.Errorf("session x%d: %v", i, err)
			}
		}
		// The absolute end counts as well.
		if n, err := s.DeleteExpiredSessions(ctx, at.Add(2*time.Hour)); err != nil || n != 2 {
			t.Errorf("at the absolute end: %d, %v; want 2", n, err)
		}
		entries++
	})
	checkAudit(t)
}
