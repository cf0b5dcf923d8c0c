package pii_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/xinyong/xinyong/internal/pii"
)

func TestLoadOrCreate(t *testing.T) {
	dir := t.TempDir()
	k1, err := pii.LoadOrCreate(dir)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, "keys", "master.key"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("master key mode = %v, want 0600", st.Mode().Perm())
	}
	k2, err := pii.LoadOrCreate(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(k1.HashID("身份证", "11010519491231002X"), k2.HashID("身份证", "11010519491231002X")) {
		t.Error("reloaded key hashes differently")
	}
	sealed := k1.Seal([]byte("11010519491231002X"))
	if bytes.Contains(sealed, []byte("11010519491231002X")) {
		t.Error("sealed value contains the plain text")
	}
	plain, err := k2.Open(sealed)
	if err != nil || string(plain) != "11010519491231002X" {
		t.Errorf("Open = %q, %v", plain, err)
	}
}

func TestOpen(t *testing.T) {
	k, _ := pii.New(bytes.Repeat([]byte{1}, 32))
	other, _ := pii.New(bytes.Repeat([]byte{2}, 32))
	sealed := k.Seal([]byte("x"))
	t.Run("ErrWrongKey", func(t *testing.T) {
		if _, err := other.Open(sealed); err != pii.ErrSealed {
			t.Errorf("err = %v, want ErrSealed", err)
		}
	})
	t.Run("ErrDamaged", func(t *testing.T) {
		bad := append([]byte(nil), sealed...)
		bad[len(bad)-1] ^= 1
		if _, err := k.Open(bad); err != pii.ErrSealed {
			t.Errorf("err = %v, want ErrSealed", err)
		}
		if _, err := k.Open(nil); err != pii.ErrSealed {
			t.Errorf("err = %v, want ErrSealed", err)
		}
	})
	t.Run("OKDistinctNonces", func(t *testing.T) {
		if bytes.Equal(k.Seal([]byte("x")), k.Seal([]byte("x"))) {
			t.Error("two seals of the same value are equal")
		}
	})
	t.Run("OKHashDependsOnType", func(t *testing.T) {
		if bytes.Equal(k.HashID("身份证", "1"), k.HashID("护照号", "1")) {
			t.Error("document type not part of the hash")
		}
		if bytes.Equal(k.HashID("身份证", "1"), other.HashID("身份证", "1")) {
			t.Error("hash does not depend on the key")
		}
	})
	if _, err := pii.New([]byte("short")); err == nil {
		t.Error("New accepted a short key")
	}
}
