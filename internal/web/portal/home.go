package portal

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/xinyong/xinyong/internal/catalog"
	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/disclose"
)

type homePage struct {
	page
	Stats         *credit.Stats
	Items         []itemCount
	Announcements []*credit.Announcement
}

// itemCount is the number of public records of one item.
type itemCount struct {
	Item  *catalog.Item
	Count int
}

func (h *Handler) home(w http.ResponseWriter, r *http.Request) {
	p := homePage{page: h.newPage(r, "", "home")}
	st, err := h.currentStats(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p.Stats = st
	p.Items = h.publicItemCounts(st)
	if p.Announcements, err = h.Store.Announcements(r.Context(), 5); err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "home", p)
}

// publicItemCounts lists the items the public sees with their counts, in
// catalogue order.
func (h *Handler) publicItemCounts(st *credit.Stats) []itemCount {
	var out []itemCount
	for _, it := range h.Catalog.Items() {
		if disclose.OnPortal(it) {
			out = append(out, itemCount{it, st.PublicByItem[it.Code]})
		}
	}
	return out
}

type announcementPage struct {
	page
	A *credit.Announcement
	// Paragraphs of the body in the page's language.
	Paragraphs []string
	// Untranslated is true when English was asked for and there is none.
	Untranslated bool
}

func (h *Handler) announcement(w http.ResponseWriter, r *http.Request) {
	p := announcementPage{page: h.newPage(r, "", "home")}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		h.errorPage(w, r, http.StatusNotFound, "公告编号应为正整数。", "An announcement number is a positive whole number.")
		return
	}
	a, err := h.Store.Announcement(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p.A = a
	title, body := a.TitleZH, a.BodyZH
	if p.EN {
		if a.TitleEN != "" && a.BodyEN != "" {
			title, body = a.TitleEN, a.BodyEN
		} else {
			p.Untranslated = true
		}
	}
	p.Title = title
	for _, para := range strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n\n") {
		if para = strings.TrimSpace(para); para != "" {
			p.Paragraphs = append(p.Paragraphs, para)
		}
	}
	h.render(w, r, http.StatusOK, "announcement", p)
}

// WarmStats computes the statistics, which take a while on a large
// database, so that the first visitor does not wait for them. A server
// calls it once after Register.
func (h *Handler) WarmStats(ctx context.Context) {
	h.currentStats(ctx)
}

// statsCache holds the last statistics computed. Computing them reads
// every record, so pages are served the last figures while new ones are
// computed in the background.
type statsCache struct {
	mu      sync.Mutex
	stats   *credit.Stats
	at      time.Time
	running bool
	// first is held while statistics are computed for a request that has
	// none to show, so that a crowd arriving at once computes them once.
	first sync.Mutex
}

// currentStats returns the last statistics computed, and when they are
// older than StatsEvery or of an earlier day, computes new ones in the
// background: a page never waits for them, but the very first.
func (h *Handler) currentStats(ctx context.Context) (*credit.Stats, error) {
	every := h.StatsEvery
	if every <= 0 {
		every = 10 * time.Minute
	}
	today := h.today()
	c := &h.stats
	c.mu.Lock()
	st, at := c.stats, c.at
	stale := st == nil || h.now().Sub(at) > every || st.Day.Format(time.DateOnly) != today.Format(time.DateOnly)
	if st != nil && stale && !c.running {
		c.running = true
		go func() {
			ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Minute)
			defer cancel()
			h.computeStats(ctx, today)
		}()
	}
	c.mu.Unlock()
	if st != nil {
		return st, nil
	}
	c.first.Lock()
	defer c.first.Unlock()
	c.mu.Lock()
	st = c.stats
	c.mu.Unlock()
	if st != nil {
		return st, nil
	}
	return h.computeStats(ctx, today)
}

func (h *Handler) computeStats(ctx context.Context, today time.Time) (*credit.Stats, error) {
	start := h.now()
	st, err := h.Store.Stats(ctx, today)
	c := &h.stats
	c.mu.Lock()
	defer c.mu.Unlock()
	c.running = false
	if err != nil {
		if h.Log != nil {
			h.Log.Error("portal statistics", "err", err)
		}
		return nil, err
	}
	c.stats, c.at = st, start
	return st, nil
}
