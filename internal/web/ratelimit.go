package web

import (
	"math"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"
)

// RateLimit is a per-client budget of requests: Rate a second on average,
// in bursts of up to Burst. A zero Rate means no limit.
type RateLimit struct {
	Rate  float64
	Burst int
}

// Limiter keeps a token bucket for each client. It is safe for concurrent
// use and forgets clients whose bucket has refilled.
type Limiter struct {
	limit RateLimit
	now   func() time.Time

	mu      sync.Mutex
	clients map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

// maxClients is how many clients a Limiter tracks before it sweeps out the
// ones whose buckets are full again.
const maxClients = 100_000

// NewLimiter returns a limiter for l; now is its clock (time.Now if nil).
func NewLimiter(l RateLimit, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	if l.Burst < 1 {
		l.Burst = max(1, int(math.Ceil(l.Rate)))
	}
	return &Limiter{limit: l, now: now, clients: map[string]*bucket{}}
}

// Allow takes one request from client's budget. When the budget is spent
// it returns false and how long until a request is allowed again.
func (l *Limiter) Allow(client string) (bool, time.Duration) {
	if l == nil || l.limit.Rate <= 0 {
		return true, 0
	}
	now := l.now()
	burst := float64(l.limit.Burst)
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.clients[client]
	if !ok {
		if len(l.clients) >= maxClients {
			l.sweep(now)
		}
		b = &bucket{tokens: burst, at: now}
		l.clients[client] = b
	}
	b.tokens = math.Min(burst, b.tokens+now.Sub(b.at).Seconds()*l.limit.Rate)
	b.at = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := time.Duration((1 - b.tokens) / l.limit.Rate * float64(time.Second))
	return false, wait
}

// sweep forgets clients whose buckets have refilled: they lose nothing.
func (l *Limiter) sweep(now time.Time) {
	full := float64(l.limit.Burst) / l.limit.Rate
	for k, b := range l.clients {
		if now.Sub(b.at).Seconds() >= full {
			delete(l.clients, k)
		}
	}
}

// ClientID names the client a request comes from for rate limits: its IP
// address, or for IPv6 its /64 network, which one household or host
// usually holds whole.
func ClientID(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}
