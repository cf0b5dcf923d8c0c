// Package auth holds the pure parts of signing staff in: password hashing
// with argon2id in PHC string format, the password rules, the lock-out
// back-off after failed logins, one-time passwords, session tokens and
// the tokens that protect forms against cross-site requests.
//
// Everything here is a function of its arguments (time and randomness
// aside, which callers may inject). It imports the domain for its error
// type only; never HTTP, never SQL.
package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/xinyong/xinyong/internal/credit"
)

// Params are argon2id's cost parameters and sizes.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
	SaltLen uint32 // bytes
	KeyLen  uint32 // bytes
}

// DefaultParams are the costs of new hashes: 64 MiB, 3 passes, 2 lanes
// (about 0.1 s on one core of the development machine).
var DefaultParams = Params{Memory: 64 * 1024, Time: 3, Threads: 2, SaltLen: 16, KeyLen: 32}

// Bounds on parameters read back from a stored hash, so that a damaged or
// planted hash cannot make one verification take the machine.
const (
	maxMemory  = 1 << 20 // KiB: 1 GiB
	maxTime    = 64
	minKeyLen  = 16
	maxKeyLen  = 128
	minSaltLen = 8
)

// ErrMalformed is returned for a stored hash that is not an argon2id PHC
// string this package can read.
var ErrMalformed = errors.New("auth: malformed password hash")

var b64 = base64.RawStdEncoding // PHC strings use standard base64 without padding

// Hash returns the argon2id hash of password with p and a fresh random
// salt, as a PHC string: $argon2id$v=19$m=65536,t=3,p=2$salt$hash.
func (p Params) Hash(password string) (string, error) {
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	return p.hashWith(password, salt), nil
}

func (p Params) hashWith(password string, salt []byte) string {
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// decoded is a parsed PHC string.
type decoded struct {
	p         Params
	salt, key []byte
}

func decode(phc string) (*decoded, error) {
	parts := strings.Split(phc, "$")
	// "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return nil, ErrMalformed
	}
	var d decoded
	seen := map[string]bool{}
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, ok := strings.Cut(kv, "=")
		n, err := strconv.ParseUint(v, 10, 32)
		if !ok || err != nil || seen[k] {
			return nil, ErrMalformed
		}
		seen[k] = true
		switch k {
		case "m":
			d.p.Memory = uint32(n)
		case "t":
			d.p.Time = uint32(n)
		case "p":
			if n > 255 {
				return nil, ErrMalformed
			}
			d.p.Threads = uint8(n)
		default:
			return nil, ErrMalformed
		}
	}
	var err error
	if d.salt, err = b64.Strict().DecodeString(parts[4]); err != nil {
		return nil, ErrMalformed
	}
	if d.key, err = b64.Strict().DecodeString(parts[5]); err != nil {
		return nil, ErrMalformed
	}
	p := &d.p
	if len(seen) != 3 || p.Threads < 1 || p.Time < 1 || p.Time > maxTime || p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemory ||
		len(d.salt) < minSaltLen || len(d.key) < minKeyLen || len(d.key) > maxKeyLen {
		return nil, ErrMalformed
	}
	p.SaltLen, p.KeyLen = uint32(len(d.salt)), uint32(len(d.key))
	return &d, nil
}

// Verify reports whether password matches phc, a hash made by Hash with
// any parameters (they are read back from the string). The comparison
// takes the same time wherever the hashes differ. It returns ErrMalformed
// for a string it cannot read.
func Verify(phc, password string) (bool, error) {
	d, err := decode(phc)
	if err != nil {
		return false, err
	}
	key := argon2.IDKey([]byte(password), d.salt, d.p.Time, d.p.Memory, d.p.Threads, d.p.KeyLen)
	return subtle.ConstantTimeCompare(key, d.key) == 1, nil
}

// NeedsRehash reports whether phc was made with other parameters than p
// (or cannot be read): a login that proved the password may hash it again.
func NeedsRehash(phc string, p Params) bool {
	d, err := decode(phc)
	return err != nil || d.p.Memory != p.Memory || d.p.Time != p.Time || d.p.Threads != p.Threads || d.p.KeyLen != p.KeyLen || d.p.SaltLen != p.SaltLen
}

// Password rules.
const (
	MinPasswordRunes = 12
	MaxPasswordBytes = 1024
)

// CheckNewPassword checks a password an account chooses for itself named
// name: at least MinPasswordRunes characters, at most MaxPasswordBytes
// bytes, valid UTF-8, and not the login name. It returns EINVALID saying
// what to fix.
func CheckNewPassword(name, password string) error {
	switch n := utf8.RuneCountInString(password); {
	case !utf8.ValidString(password):
		return credit.Errorf(credit.EINVALID, "新密码不是有效的 UTF-8 文本", "the new password is not valid UTF-8 text")
	case n < MinPasswordRunes:
		return credit.Errorf(credit.EINVALID, "新密码至少 %d 个字符，实为 %d 个", "the new password must have at least %d characters, got %d", MinPasswordRunes, n)
	case len(password) > MaxPasswordBytes:
		return credit.Errorf(credit.EINVALID, "新密码最多 %d 字节", "the new password may have at most %d bytes", MaxPasswordBytes)
	case strings.EqualFold(strings.TrimSpace(password), name):
		return credit.Errorf(credit.EINVALID, "新密码不能与登录名相同", "the new password may not be the login name")
	}
	return nil
}

// otpAlphabet has no letters or digits that read alike (0/O, 1/l/I).
const otpAlphabet = "abcdefghjkmnpqrstuvwxyz23456789"

// OneTimePassword returns a random password for an account to sign in with
// once and replace: four groups of four characters (about 79 bits).
func OneTimePassword() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	var s strings.Builder
	for i, c := range b {
		if i > 0 && i%4 == 0 {
			s.WriteByte('-')
		}
		// 256 is not a multiple of 31: the first 8 characters are
		// slightly likelier, which costs well under a bit.
		s.WriteByte(otpAlphabet[int(c)%len(otpAlphabet)])
	}
	return s.String(), nil
}

// TokenBytes is the length of a session token before encoding.
const TokenBytes = 32

// NewToken returns a random session token (32 bytes, base64url) and its
// hash, the only form a store keeps.
func NewToken() (token string, hash []byte, err error) {
	b := make([]byte, TokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", nil, err
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, TokenHash(token), nil
}

// TokenHash returns the SHA-256 hash of a session token.
func TokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// NewSecret returns 32 random bytes: a session's CSRF secret.
func NewSecret() ([]byte, error) {
	b := make([]byte, 32)
	_, err := rand.Read(b)
	return b, err
}

// CSRFToken returns the token a form posting to action carries in a
// session with secret: HMAC-SHA256 of the action keyed by the secret,
// base64url. A token is good for one action only.
func CSRFToken(secret []byte, action string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("csrf\x00"))
	m.Write([]byte(action))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// CheckCSRF reports whether token is the CSRF token of action under
// secret, comparing in constant time.
func CheckCSRF(secret []byte, action, token string) bool {
	if len(secret) == 0 || token == "" {
		return false
	}
	return hmac.Equal([]byte(CSRFToken(secret, action)), []byte(token))
}

// Lockout is the back-off after failed logins: the first Free failures
// in a row cost nothing; the next locks the account for First, and each
// failure after that for twice as long as the one before, up to Max.
type Lockout struct {
	Free  int
	First time.Duration
	Max   time.Duration
}

// DefaultLockout locks after 5 failures for 1 minute, doubling up to 1
// hour.
var DefaultLockout = Lockout{Free: 4, First: time.Minute, Max: time.Hour}

// Duration is how long an account with failures failed logins in a row
// is locked after the last of them; 0 when it is not.
func (l Lockout) Duration(failures int) time.Duration {
	if failures <= l.Free || l.First <= 0 {
		return 0
	}
	d := l.First
	for i := l.Free + 1; i < failures; i++ {
		d *= 2
		if d >= l.Max {
			break
		}
	}
	if l.Max > 0 && d > l.Max {
		d = l.Max
	}
	return d
}

// Until is when an account whose failures-th failure in a row was at now
// may try again; the zero time when it is not locked.
func (l Lockout) Until(failures int, now time.Time) time.Time {
	d := l.Duration(failures)
	if d == 0 {
		return time.Time{}
	}
	return now.Add(d)
}
