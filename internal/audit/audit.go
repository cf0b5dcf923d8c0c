// Package audit defines the platform's tamper-evident audit trail: every
// change, and every access to non-public data, is an entry whose hash covers
// the previous entry's hash, so that altering or removing any entry breaks
// the chain from there on.
//
// It imports only the standard library; the stores write entries in the
// same transaction as the change they record.
package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"time"
)

// Entry is one audit entry.
type Entry struct {
	Seq    int64     // position in the chain, from 1
	At     time.Time // UTC
	Actor  string    // who: "provider:420000-SCJG", "cli", "staff:name", "system"
	Action string    // what: "record.create", "record.update", "provider.create", ...
	Object string    // which: "record:123", "provider:420000-SCJG"
	Detail string    // JSON with the reason and particulars; never personal data in clear
	Prev   []byte    // hash of the previous entry; empty for the first
	Hash   []byte
}

// Sum returns the hash of e over its content and Prev.
func (e *Entry) Sum() []byte {
	h := sha256.New()
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(e.Seq))
	h.Write(n[:])
	for _, s := range []string{e.At.UTC().Format(time.RFC3339Nano), e.Actor, e.Action, e.Object, e.Detail} {
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	h.Write(e.Prev)
	return h.Sum(nil)
}

// Seal sets e.Prev and e.Hash, chaining e after prev (nil for the first entry).
func (e *Entry) Seal(prev []byte) {
	e.Prev = prev
	e.Hash = e.Sum()
}

// Verifier checks a chain fed to it in order.
type Verifier struct {
	prev []byte
	n    int64
}

// Next checks e against the entries before it.
func (v *Verifier) Next(e *Entry) error {
	if e.Seq != v.n+1 {
		return fmt.Errorf("audit entry %d follows entry %d: the chain has a gap", e.Seq, v.n)
	}
	if !bytes.Equal(e.Prev, v.prev) {
		return fmt.Errorf("audit entry %d does not link to entry %d", e.Seq, v.n)
	}
	if !bytes.Equal(e.Hash, e.Sum()) {
		return fmt.Errorf("audit entry %d was altered: its hash does not match its content", e.Seq)
	}
	v.prev = e.Hash
	v.n = e.Seq
	return nil
}

// Count returns the number of entries verified so far.
func (v *Verifier) Count() int64 { return v.n }
