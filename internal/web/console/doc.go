// Package console is the credit center's staff console under /console:
// server-rendered pages behind a login, Chinese first with an English
// switch (the same "lang" cookie as the portal), working without
// JavaScript. It signs staff in and out, makes them replace a one-time
// password, keeps sessions (a random token in the xy_session cookie; the
// store keeps only its SHA-256 hash), checks every form against
// cross-site requests, and lets each role do what credit.RoleCan allows.
//
// Handlers call the domain and the store interface; never SQL.
//
// # Adding a page
//
// A page is a route with the action it requires, a handler, a typed data
// struct embedding [Page], and a template in templates/ that defines
// "content" (the layout draws the rest). Templates are parsed at
// Register, once per language; literal {{tr .EN "中文" "English"}} are
// translated then, and a missing or broken template fails Register.
//
// First, add the route to the table in routes.go with the action a role
// must be allowed (credit.ActCaseView, ...; "" for any signed-in
// account):
//
//	{pattern: "GET /console/objections", action: credit.ActCaseView, handler: h.objections},
//	{pattern: "POST /console/objections/{id}/accept", action: credit.ActCaseAct, handler: h.acceptObjection},
//
// The table's handlers run behind require, which loads the session
// (redirecting to /console/login?next=... without a live one), refuses a
// role without the action (a 403 page), sends an account with a one-time
// password to /console/password, and for every POST checks the form's
// CSRF token and the Origin and Sec-Fetch-Site headers (a 403 page)
// before the handler runs.
//
// Then write the handler. It gets the signed-in account; h.page starts
// the page's data (language, title, account, menu, CSRF secret), h.render
// writes the page whole or, if its template fails, an error page instead,
// and h.fail shows an error's safe bilingual message (internal errors are
// logged and shown as a generic message):
//
//	type objectionsPage struct {
//		Page
//		Cases []*credit.Objection
//	}
//
//	func (h *Handler) objections(w http.ResponseWriter, r *http.Request, st *credit.Staff) {
//		cases, err := h.Store.Objections(r.Context(), ...)
//		if err != nil {
//			h.fail(w, r, err)
//			return
//		}
//		p := objectionsPage{Page: h.page(r, "异议处理", "Objections", "objections"), Cases: cases}
//		h.render(w, r, http.StatusOK, "objections", p)
//	}
//
// A form posts to its own path and carries the CSRF token of that path
// (the path only, without the query): [Page.CSRFField] writes the hidden
// field, [Page.CSRF] gives the bare token for a field named csrf.
//
//	<form method="post" action="/console/objections/{{.ID}}/accept">
//	{{$.CSRFField (printf "/console/objections/%d/accept" .ID)}}
//	...
//
// Changes made from the console go through the store with st.Actor() as
// the audit actor. To list the page in the navigation and on the home
// page, add it to menu in routes.go with the same action; templates may
// ask {{if .May "case.act"}} to show what only some roles may do.
package console
