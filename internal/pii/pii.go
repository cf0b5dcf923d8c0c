// Package pii protects personal information: identity document numbers are
// matched by a keyed hash, kept encrypted for those entitled to read them,
// and never stored or logged in clear text.
//
// Keys derive from one 32-byte master key kept in the data directory
// (keys/master.key, mode 0600). Losing it makes sealed values unreadable and
// hashes unmatched; back it up with the database, but never beside it in the
// same archive that leaves the machine.
//
// It imports only the standard library.
package pii

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"os"
	"path/filepath"
	"strings"
)

const sealVersion = 1

// Keys holds the derived keys. It is safe for concurrent use.
type Keys struct {
	hashKey []byte
	aead    cipher.AEAD
	id      []byte
}

// New derives the keys from a 32-byte master key.
func New(master []byte) (*Keys, error) {
	if len(master) != 32 {
		return nil, fmt.Errorf("master key must be 32 bytes, got %d", len(master))
	}
	derive := func(label string) []byte {
		m := hmac.New(sha256.New, master)
		m.Write([]byte(label))
		return m.Sum(nil)
	}
	block, err := aes.NewCipher(derive("xinyong seal v1"))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Keys{hashKey: derive("xinyong hash v1"), aead: aead, id: derive("xinyong key id v1")[:16]}, nil
}

// LoadOrCreate reads dir/keys/master.key (hex), creating it with a fresh
// random key when absent.
func LoadOrCreate(dir string) (*Keys, error) {
	path := filepath.Join(dir, "keys", "master.key")
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		master := make([]byte, 32)
		if _, err := rand.Read(master); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("create key directory: %w", err)
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, os.ErrExist) {
			return LoadOrCreate(dir) // another process created it first
		}
		if err != nil {
			return nil, fmt.Errorf("create master key: %w", err)
		}
		if _, err := f.WriteString(hex.EncodeToString(master) + "\n"); err != nil {
			f.Close()
			return nil, fmt.Errorf("write master key: %w", err)
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return nil, err
		}
		if err := f.Close(); err != nil {
			return nil, err
		}
		return New(master)
	}
	if err != nil {
		return nil, fmt.Errorf("read master key: %w", err)
	}
	master, err := hex.DecodeString(strings.TrimSpace(string(data)))
	if err != nil {
		return nil, fmt.Errorf("master key %s is not hex: %w", path, err)
	}
	return New(master)
}

// ID identifies the master key without revealing it: stores keep it, so
// that data is never written under two keys (a lost or mismatched key
// file would make sealed values unreadable and identity hashes unmatched).
func (k *Keys) ID() []byte { return k.id }

// Hasher returns a new keyed hash for content that must be compared without
// being readable (identity numbers, record content).
func (k *Keys) Hasher() hash.Hash { return hmac.New(sha256.New, k.hashKey) }

// HashID returns the matching key of an identity document.
func (k *Keys) HashID(docType, number string) []byte {
	h := k.Hasher()
	h.Write([]byte("id\x00"))
	h.Write([]byte(docType))
	h.Write([]byte{0})
	h.Write([]byte(number))
	return h.Sum(nil)
}

// Seal encrypts plain. Each call uses a fresh nonce.
func (k *Keys) Seal(plain []byte) []byte {
	nonce := make([]byte, k.aead.NonceSize(), 1+k.aead.NonceSize()+len(plain)+k.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		panic("crypto/rand failed: " + err.Error()) // documented never to fail on supported platforms
	}
	out := append([]byte{sealVersion}, nonce...)
	return k.aead.Seal(out, nonce, plain, []byte{sealVersion})
}

// ErrSealed is returned when a sealed value cannot be opened: wrong key or
// damaged data.
var ErrSealed = errors.New("pii: sealed value cannot be opened (wrong key or damaged)")

// Open decrypts a value made by Seal.
func (k *Keys) Open(sealed []byte) ([]byte, error) {
	ns := k.aead.NonceSize()
	if len(sealed) < 1+ns || sealed[0] != sealVersion {
		return nil, ErrSealed
	}
	plain, err := k.aead.Open(nil, sealed[1:1+ns], sealed[1+ns:], []byte{sealVersion})
	if err != nil {
		return nil, ErrSealed
	}
	return plain, nil
}
