package console

import (
	"net/http"

	"github.com/xinyong/xinyong/internal/credit"
)

// route is one console route: a pattern of http.ServeMux, the action an
// account's role must allow ("" for any signed-in account) and the
// handler require lets through; or, for the pages before a login, an
// open handler.
type route struct {
	pattern string
	action  string
	handler func(http.ResponseWriter, *http.Request, *credit.Staff)
	open    http.HandlerFunc
}

// routes is the console's route table: add a page here (see the package
// comment).
func (h *Handler) routes() []route {
	return []route{
		{pattern: "GET /console/login", open: h.loginForm},
		{pattern: "POST /console/login", open: h.login},
		{pattern: "GET /console/lang", open: h.switchLang},
		{pattern: "POST /console/logout", handler: h.logout},
		{pattern: "GET /console/password", handler: h.passwordForm},
		{pattern: "POST /console/password", handler: h.changePassword},

		{pattern: "GET /console/{$}", handler: h.home},
		{pattern: "GET /console/staff", action: credit.ActStaffManage, handler: h.staffList},

		{pattern: "GET /console/objections", action: credit.ActCaseView, handler: h.objectionQueue},
		{pattern: "GET /console/objections/{id}", action: credit.ActCaseView, handler: h.objectionCase},
		{pattern: "POST /console/objections/{id}/step", action: credit.ActCaseAct, handler: h.objectionStep},
		{pattern: "GET /console/objections/{id}/files/{file}", action: credit.ActCaseView, handler: h.evidence("objection")},
		{pattern: "GET /console/repairs", action: credit.ActCaseView, handler: h.repairQueue},
		{pattern: "GET /console/repairs/{id}", action: credit.ActCaseView, handler: h.repairCase},
		{pattern: "POST /console/repairs/{id}/step", action: credit.ActCaseAct, handler: h.repairStep},
		{pattern: "GET /console/repairs/{id}/files/{file}", action: credit.ActCaseView, handler: h.evidence("repair")},
	}
}

// MenuItem is a page listed in the navigation and on the home page for
// the accounts whose role allows Action ("" for every account).
type MenuItem struct {
	Action string
	Path   string
	Nav    string // the Page.Nav of the page, to mark it current
	ZH, EN string // its name
	// AboutZH and AboutEN say on the home page what it is for.
	AboutZH, AboutEN string
}

// menu lists the console's pages for the navigation and the home page, in
// order: add a page here with the action its route requires.
var menu = []MenuItem{
	{Action: credit.ActCaseView, Path: "/console/objections", Nav: "objections", ZH: "异议处理", EN: "Objections",
		AboutZH: "受理、转办、办结异议：每件的办理时限，今日到期与已超期的案件。", AboutEN: "Accept, forward and decide objections: each case's deadline, what is due today and what is overdue."},
	{Action: credit.ActCaseView, Path: "/console/repairs", Nav: "repairs", ZH: "信用修复", EN: "Credit repair",
		AboutZH: "信用修复申请及其办理时限；提供单位委托时由信用中心决定。", AboutEN: "Repair applications and their deadlines; decided here where the provider has delegated."},
	{Action: credit.ActStaffManage, Path: "/console/staff", Nav: "staff", ZH: "账户管理", EN: "Accounts",
		AboutZH: "查看控制台的全部账户、角色与状态。", AboutEN: "See every console account, its role and state."},
	{Action: "", Path: "/console/password", Nav: "password", ZH: "修改密码", EN: "Change password",
		AboutZH: "修改您自己的登录密码。", AboutEN: "Change your own password."},
}
