package auth_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xinyong/xinyong/internal/auth"
	"github.com/xinyong/xinyong/internal/credit"
)

// cheap are parameters that keep the tests fast; one test uses the
// defaults.
var cheap = auth.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestHash(t *testing.T) {
	t.Run("OKDefaults", func(t *testing.T) {
		h, err := auth.DefaultParams.Hash("correct horse battery staple")
		if err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(`^\$argon2id\$v=19\$m=65536,t=3,p=2\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`).MatchString(h) {
			t.Errorf("hash %q is not the PHC string of the defaults", h)
		}
		if ok, err := auth.Verify(h, "correct horse battery staple"); !ok || err != nil {
			t.Errorf("Verify(right) = %v, %v", ok, err)
		}
		if ok, err := auth.Verify(h, "correct horse battery stapler"); ok || err != nil {
			t.Errorf("Verify(wrong) = %v, %v", ok, err)
		}
		if auth.NeedsRehash(h, auth.DefaultParams) || !auth.NeedsRehash(h, cheap) {
			t.Error("NeedsRehash does not compare parameters")
		}
	})
	t.Run("OKParametersReadBack", func(t *testing.T) {
		// A hash made with other parameters verifies: they come from the string.
		h, err := cheap.Hash("密码也可以是中文的很长一句话")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
			t.Errorf("hash %q", h)
		}
		if ok, err := auth.Verify(h, "密码也可以是中文的很长一句话"); !ok || err != nil {
			t.Errorf("Verify = %v, %v", ok, err)
		}
	})
	t.Run("OKSalted", func(t *testing.T) {
		a, _ := cheap.Hash("same password")
		b, _ := cheap.Hash("same password")
		if a == b {
			t.Error("two hashes of one password are equal: no salt")
		}
	})
	t.Run("OKKnownVector", func(t *testing.T) {
		// A test vector of golang.org/x/crypto/argon2 (argon2id, t=2,
		// m=64, p=2, "password" salted "somesalt", 24 bytes) as a PHC string.
		h := "$argon2id$v=19$m=64,t=2,p=2$c29tZXNhbHQ$NQrDciL0Nsy1wJcvHr079rlYvyBxhBNi"
		if ok, err := auth.Verify(h, "password"); !ok || err != nil {
			t.Errorf("Verify(reference vector) = %v, %v", ok, err)
		}
	})
	good, _ := cheap.Hash("x")
	salt := strings.Split(good, "$")[4]
	key := strings.Split(good, "$")[5]
	for _, tt := range []struct{ name, phc string }{
		{"ErrEmpty", ""},
		{"ErrBcrypt", "$2a$10$abcdefghijklmnopqrstuu5J6z1uS2hqT0jqkz1t5mvd7w4A2Q8b2"},
		{"ErrArgon2i", "$argon2i$v=19$m=64,t=1,p=1$" + salt + "$" + key},
		{"ErrVersion", "$argon2id$v=16$m=64,t=1,p=1$" + salt + "$" + key},
		{"ErrMissingParam", "$argon2id$v=19$m=64,t=1$" + salt + "$" + key},
		{"ErrRepeatedParam", "$argon2id$v=19$m=64,m=64,t=1$" + salt + "$" + key},
		{"ErrUnknownParam", "$argon2id$v=19$m=64,t=1,p=1,x=2$" + salt + "$" + key},
		{"ErrHugeMemory", "$argon2id$v=19$m=4194304,t=1,p=1$" + salt + "$" + key},
		{"ErrManyPasses", "$argon2id$v=19$m=64,t=1000,p=1$" + salt + "$" + key},
		{"ErrNoThreads", "$argon2id$v=19$m=64,t=1,p=0$" + salt + "$" + key},
		{"ErrBadSalt", "$argon2id$v=19$m=64,t=1,p=1$***$" + key},
		{"ErrShortKey", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$AAAA"},
		{"ErrPadded", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "==$" + key},
		{"ErrExtraField", good + "$x"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if ok, err := auth.Verify(tt.phc, "x"); ok || err != auth.ErrMalformed {
				t.Errorf("Verify(%q) = %v, %v; want ErrMalformed", tt.phc, ok, err)
			}
			if !auth.NeedsRehash(tt.phc, cheap) {
				t.Errorf("NeedsRehash(%q) = false", tt.phc)
			}
		})
	}
}

func TestCheckNewPassword(t *testing.T) {
	for _, tt := range []struct {
		name, login, password string
		wantEN                string // "" for accepted
	}{
		{"OK", "zhangsan", "a long enough password", ""},
		{"OKTwelveChinese", "zhangsan", "一二三四五六七八九十甲乙", ""},
		{"ErrShort", "zhangsan", "short", "at least 12 characters, got 5"},
		{"ErrElevenChinese", "zhangsan", "一二三四五六七八九十甲", "at least 12 characters, got 11"},
		{"ErrName", "zhangsan.long", "ZhangSan.Long", "may not be the login name"},
		{"ErrNotUTF8", "zhangsan", "abcdefghijkl\xff", "UTF-8"},
		{"ErrTooLong", "zhangsan", strings.Repeat("x", 1025), "at most 1024 bytes"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := auth.CheckNewPassword(tt.login, tt.password)
			if tt.wantEN == "" {
				if err != nil {
					t.Errorf("refused: %v", err)
				}
				return
			}
			zh, en := credit.ErrorMessages(err)
			if credit.ErrorCode(err) != credit.EINVALID || !strings.Contains(en, tt.wantEN) || zh == "" {
				t.Errorf("err = %v, want EINVALID saying %q", err, tt.wantEN)
			}
		})
	}
}

func TestLockout(t *testing.T) {
	l := auth.DefaultLockout
	now := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		failures int
		want     time.Duration
	}{
		{0, 0}, {1, 0}, {4, 0},
		{5, time.Minute},
		{6, 2 * time.Minute},
		{7, 4 * time.Minute},
		{10, 32 * time.Minute},
		{11, time.Hour}, // 64 minutes, capped
		{12, time.Hour},
		{1000, time.Hour},
	} {
		if got := l.Duration(tt.failures); got != tt.want {
			t.Errorf("Duration(%d) = %v, want %v", tt.failures, got, tt.want)
		}
		want := time.Time{}
		if tt.want > 0 {
			want = now.Add(tt.want)
		}
		if got := l.Until(tt.failures, now); !got.Equal(want) {
			t.Errorf("Until(%d) = %v, want %v", tt.failures, got, want)
		}
	}
	if d := (auth.Lockout{}).Duration(100); d != 0 {
		t.Errorf("the zero Lockout locks for %v", d)
	}
	if d := (auth.Lockout{Free: 0, First: time.Second, Max: 3 * time.Second}).Duration(3); d != 3*time.Second {
		t.Errorf("custom lockout: %v", d)
	}
}

func TestTokens(t *testing.T) {
	tok, hash, err := auth.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	if len(tok) != 43 || len(hash) != 32 || string(auth.TokenHash(tok)) != string(hash) {
		t.Errorf("token %q (%d), hash %x", tok, len(tok), hash)
	}
	tok2, _, _ := auth.NewToken()
	if tok == tok2 {
		t.Error("two tokens are equal")
	}
	otp, err := auth.OneTimePassword()
	if err != nil || !regexp.MustCompile(`^[a-z2-9]{4}(-[a-z2-9]{4}){3}$`).MatchString(otp) || strings.ContainsAny(otp, "01ilo") {
		t.Errorf("OneTimePassword = %q, %v", otp, err)
	}
	if auth.CheckNewPassword("someone", otp) != nil {
		t.Errorf("a one-time password %q breaks the password rules", otp)
	}
}

func TestCSRF(t *testing.T) {
	secret, _ := auth.NewSecret()
	other, _ := auth.NewSecret()
	tok := auth.CSRFToken(secret, "/console/password")
	for _, tt := range []struct {
		name   string
		secret []byte
		action string
		token  string
		want   bool
	}{
		{"OK", secret, "/console/password", tok, true},
		{"ErrOtherAction", secret, "/console/logout", tok, false},
		{"ErrOtherSession", other, "/console/password", tok, false},
		{"ErrEmpty", secret, "/console/password", "", false},
		{"ErrNoSecret", nil, "/console/password", auth.CSRFToken(nil, "/console/password"), false},
		{"ErrTruncated", secret, "/console/password", tok[:20], false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := auth.CheckCSRF(tt.secret, tt.action, tt.token); got != tt.want {
				t.Errorf("CheckCSRF = %v, want %v", got, tt.want)
			}
		})
	}
}
