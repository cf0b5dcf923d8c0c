package console

import (
	"net/http"
	"time"

	"github.com/xinyong/xinyong/internal/credit"
)

// homePage is the console's start: the account and what it may do.
type homePage struct {
	Page
	// Changed says the password was just changed.
	Changed bool
}

func (h *Handler) home(w http.ResponseWriter, r *http.Request, st *credit.Staff) {
	p := homePage{Page: h.page(r, "工作台", "Home", "home"), Changed: r.URL.Query().Get("changed") == "1"}
	h.render(w, r, http.StatusOK, "home", p)
}

// staffPage lists the accounts.
type staffPage struct {
	Page
	Accounts []*credit.Staff
	Now      time.Time
}

func (h *Handler) staffList(w http.ResponseWriter, r *http.Request, st *credit.Staff) {
	list, err := h.Store.ListStaff(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := staffPage{Page: h.page(r, "账户管理", "Accounts", "staff"), Accounts: list, Now: h.now()}
	h.render(w, r, http.StatusOK, "staff", p)
}
