package chart

// NiceTicks exposes the value axis ticks to the external tests.
func NiceTicks(max float64, integral bool) []float64 {
	return niceScale(max, integral).ticks
}

// Truncate exposes label truncation to the external tests.
func Truncate(s string, limit int) string {
	t, _ := truncate(s, limit)
	return t
}

// Units exposes the label width estimate to the external tests.
func Units(s string) int {
	return units(s)
}

// FormatValue exposes the default value format to the external tests.
func FormatValue(v float64) string {
	return formatValue(v)
}

// FormatPercent exposes the default percent format to the external tests.
func FormatPercent(v float64) string {
	return formatPercent(v)
}
