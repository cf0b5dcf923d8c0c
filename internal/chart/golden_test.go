package chart_test

import (
	"bytes"
	"flag"
	"fmt"
	"html/template"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xinyong/xinyong/internal/chart"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// months returns Bars labelled 2026-01, 2026-02, … with the given values.
func months(values ...float64) []chart.Bar {
	bars := make([]chart.Bar, len(values))
	for i, v := range values {
		bars[i] = chart.Bar{Label: fmt.Sprintf("%d-%02d", 2026+i/12, i%12+1), Value: v}
	}
	return bars
}

// goldenCases are the charts kept as golden files, by file name.
var goldenCases = []struct {
	name string
	svg  template.HTML
}{
	{"columns_months", chart.Columns{
		Title: "2026年各月新增信用记录",
		Unit:  "条",
		Bars:  months(1234, 2345, 3456, 2222, 5432, 12001, 8000, 7654, 9999, 4321, 3000, 6100),
	}.SVG()},
	{"columns_short_labels", chart.Columns{
		Title: "各月新增信用记录",
		Desc:  "2026年1月至6月每月新增的信用记录条数。",
		Unit:  "条",
		Bars: []chart.Bar{
			{"1月", 310}, {"2月", 122}, {"3月", 478}, {"4月", 455}, {"5月", 502}, {"6月", 390},
		},
	}.SVG()},
	{"columns_many", chart.Columns{
		Title: "三年各月新增信用记录",
		Unit:  "条",
		Bars:  months(slices.Repeat([]float64{12, 18, 25, 31, 22, 17, 9, 14, 28, 35, 30, 21}, 3)...),
	}.SVG()},
	{"columns_huge", chart.Columns{
		Title: "单月异常值",
		Unit:  "条",
		Bars:  months(3, 0, 1e12, 7, -5, math.NaN()),
	}.SVG()},
	{"columns_zero", chart.Columns{
		Title: "全为零",
		Unit:  "条",
		Bars:  months(0, 0, 0, 0),
	}.SVG()},
	{"columns_empty", chart.Columns{Title: "暂无记录"}.SVG()},
	{"columns_format", chart.Columns{
		Title:  "各月罚款金额",
		Unit:   "万元",
		Bars:   months(12.5, 30.25, 8, 19.75),
		Format: func(v float64) string { return fmt.Sprintf("%.1f", v) },
	}.SVG()},
	{"rows_departments", chart.Rows{
		Title: "各部门报送记录数",
		Unit:  "条",
		Bars: []chart.Bar{
			{"省市场监督管理局", 18234},
			{"国家税务总局某某省税务局", 15420},
			{"省住房和城乡建设厅行政审批处与建筑市场监管处", 9120},
			{"省生态环境厅", 7311},
			{"省人力资源和社会保障厅", 5006},
			{"省交通运输厅", 2380},
			{"省药品监督管理局", 411},
			{"省统计局", 0},
		},
	}.SVG()},
	{"rows_empty", chart.Rows{Title: "各部门报送记录数"}.SVG()},
	{"share_bars_gap", chart.Share{
		Title: "各月按时报送率",
		Points: []chart.Point{
			{Label: "1月", Percent: 92.5}, {Label: "2月", Percent: 88}, {Label: "3月", NoData: true},
			{Label: "4月", Percent: 95.25}, {Label: "5月", Percent: 100}, {Label: "6月", Percent: 76.4},
			{Label: "7月", Percent: 0}, {Label: "8月", Percent: 81}, {Label: "9月", Percent: 90},
			{Label: "10月", Percent: 97.1}, {Label: "11月", Percent: 99.9}, {Label: "12月", Percent: 120},
		},
	}.SVG()},
	{"share_line_gap", chart.Share{
		Title: "各月按时报送率",
		Line:  true,
		Points: []chart.Point{
			{Label: "2026-01", Percent: 92.5}, {Label: "2026-02", Percent: 88}, {Label: "2026-03", NoData: true},
			{Label: "2026-04", Percent: 95.25}, {Label: "2026-05", Percent: 100}, {Label: "2026-06", Percent: 76.4},
			{Label: "2026-07", NoData: true}, {Label: "2026-08", Percent: 81}, {Label: "2026-09", NoData: true},
			{Label: "2026-10", Percent: 97.1}, {Label: "2026-11", Percent: 99.9}, {Label: "2026-12", Percent: 64},
		},
	}.SVG()},
	{"share_empty", chart.Share{Title: "各月按时报送率"}.SVG()},
	{"escaping", chart.Columns{
		ID:    `x" onload="alert(1)`,
		Title: `<b>"R&D"</b> 部门`,
		Desc:  `</desc><script>alert(1)</script>`,
		Unit:  `'条'`,
		Bars: []chart.Bar{
			{`<script>alert(1)</script>`, 3},
			{`"&`, 5},
			{"nul\x00 and \xff bad", 1},
		},
	}.SVG()},
	{"escaping_rows", chart.Rows{
		Title: `]]><!-- & -->`,
		Bars:  []chart.Bar{{`<script>alert("省")</script>&amp;`, 3}, {`"&`, 5}},
	}.SVG()},
}

func TestGolden(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join("testdata", tc.name+".svg")
			got := []byte(tc.svg)
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/chart/ -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("output differs from %s (run with -update and review the diff)\n%s", path, firstDiff(got, want))
			}
			CheckSVG(t, string(want))
		})
	}
}

// firstDiff describes the first line where got and want differ.
func firstDiff(got, want []byte) string {
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := range max(len(g), len(w)) {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return fmt.Sprintf("line %d:\n got %s\nwant %s", i+1, gl, wl)
		}
	}
	return ""
}
