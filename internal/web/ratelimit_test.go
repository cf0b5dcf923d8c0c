package web_test

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/xinyong/xinyong/internal/web"
)

func TestLimiter(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	l := web.NewLimiter(web.RateLimit{Rate: 2, Burst: 3}, func() time.Time { return now })
	for i := range 3 {
		if ok, _ := l.Allow("a"); !ok {
			t.Fatalf("request %d of a burst of 3 refused", i+1)
		}
	}
	ok, wait := l.Allow("a")
	if ok || wait != 500*time.Millisecond {
		t.Fatalf("4th request: allowed %v, wait %v; want refused, 500ms", ok, wait)
	}
	if ok, _ := l.Allow("b"); !ok {
		t.Fatal("another client was refused")
	}
	now = now.Add(500 * time.Millisecond)
	if ok, _ := l.Allow("a"); !ok {
		t.Fatal("refused after the budget refilled by one")
	}
	if ok, _ := l.Allow("a"); ok {
		t.Fatal("allowed beyond the refill")
	}
	now = now.Add(time.Hour)
	for i := range 3 {
		if ok, _ := l.Allow("a"); !ok {
			t.Fatalf("after an hour, request %d refused: the burst should be whole again", i+1)
		}
	}
	if ok, _ := web.NewLimiter(web.RateLimit{}, nil).Allow("a"); !ok {
		t.Fatal("a zero rate must not limit")
	}
}

func TestClientID(t *testing.T) {
	for addr, want := range map[string]string{
		"192.0.2.7:5555":                "192.0.2.7",
		"[2001:db8:1:2:3:4:5:6]:443":    "2001:db8:1:2::/64",
		"[2001:db8:1:2:ffff:4:5:6]:443": "2001:db8:1:2::/64",
		"[::ffff:192.0.2.7]:80":         "192.0.2.7",
		"pipe":                          "pipe",
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = addr
		if got := web.ClientID(r); got != want {
			t.Errorf("ClientID(%s) = %q, want %q", addr, got, want)
		}
	}
}
