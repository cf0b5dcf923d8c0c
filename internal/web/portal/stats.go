package portal

import (
	"fmt"
	"html/template"
	"net/http"

	"github.com/xinyong/xinyong/internal/chart"
	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/web"
)

// statsProviders is how many departments the chart by department shows;
// the table under it lists them all.
const statsProviders = 15

type statsPage struct {
	page
	Stats      *credit.Stats
	Items      []itemCount
	Months     []periodRow
	Providers  []periodRow
	Total      periodRow
	ByMonth    template.HTML
	OnTime     template.HTML
	ByProvider template.HTML
	// ByProviderTitle is the title of the chart by department.
	ByProviderTitle string
}

// periodRow is a line of the tables under the charts.
type periodRow struct {
	credit.PeriodCount
	// Share is the percentage of records with a deadline submitted on
	// time, "" when none had a deadline.
	Share string
}

func shareOf(c credit.PeriodCount) string {
	if c.WithDeadline == 0 {
		return ""
	}
	return fmt.Sprintf("%.1f%%", 100*float64(c.OnTime)/float64(c.WithDeadline))
}

// statistics shows collection volume by month and by department and the
// share submitted on time, as charts with their tables: GET /statistics.
func (h *Handler) statistics(w http.ResponseWriter, r *http.Request) {
	p := statsPage{page: h.newPage(r, "", "statistics")}
	p.Title = web.Tr(p.EN, "统计", "Statistics")
	st, err := h.currentStats(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p.Stats, p.Items = st, h.publicItemCounts(st)

	unit := web.Tr(p.EN, "条", "records")
	words := chart.Words{Empty: web.Tr(p.EN, "暂无数据", "no data"), NoData: web.Tr(p.EN, "无数据", "no data")}
	var months []chart.Bar
	var shares []chart.Point
	for _, m := range st.ByMonth {
		p.Months = append(p.Months, periodRow{m, shareOf(m)})
		p.Total.Records += m.Records
		p.Total.WithDeadline += m.WithDeadline
		p.Total.OnTime += m.OnTime
		months = append(months, chart.Bar{Label: m.Key, Value: float64(m.Records)})
		pt := chart.Point{Label: m.Key, NoData: m.WithDeadline == 0}
		if !pt.NoData {
			pt.Percent = 100 * float64(m.OnTime) / float64(m.WithDeadline)
		}
		shares = append(shares, pt)
	}
	p.Total.Share = shareOf(p.Total.PeriodCount)
	var depts []chart.Bar
	for i, c := range st.ByProvider {
		p.Providers = append(p.Providers, periodRow{c, shareOf(c)})
		if i < statsProviders {
			depts = append(depts, chart.Bar{Label: c.Name, Value: float64(c.Records)})
		}
	}
	p.ByMonth = chart.Columns{ID: "by-month", Title: web.Tr(p.EN, "近 12 个月每月归集量", "Records collected per month, last 12 months"),
		Unit: unit, Bars: months, Words: words}.SVG()
	p.OnTime = chart.Share{ID: "on-time", Title: web.Tr(p.EN, "每月按时报送比例", "Share submitted on time, per month"),
		Points: shares, Line: true, Words: words}.SVG()
	title := web.Tr(p.EN, "近 12 个月各部门归集量", "Records collected by department, last 12 months")
	if len(st.ByProvider) > statsProviders {
		title = web.Tr(p.EN, fmt.Sprintf("近 12 个月归集量前 %d 的部门", statsProviders), fmt.Sprintf("The %d departments with most records, last 12 months", statsProviders))
	}
	p.ByProviderTitle = title
	p.ByProvider = chart.Rows{ID: "by-dept", Title: title, Unit: unit, Bars: depts, Words: words}.SVG()
	h.render(w, r, http.StatusOK, "statistics", p)
}
