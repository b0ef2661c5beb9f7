package web

import (
	"strings"
	"testing"

	"github.com/oc-pizza/ocpizza/internal/catalog"
	"github.com/oc-pizza/ocpizza/internal/report"
)

// The charts are SVG images with a title and a description, styled by
// classes only (the CSP refuses inline style), with their text escaped.
func TestChartsAreAccessibleSVG(t *testing.T) {
	show := func(v float64) string { return decimal(v) }
	labels := []string{"Reine", "<script>alert(1)</script>"}
	for name, svg := range map[string]string{
		"hbars": string(hbars("c1", "Ventes & co", "desc", labels, []series{{Values: []float64{3, 4}}, {Values: []float64{1, 0}, Alt: true}}, show)),
		"vbars": string(vbars("c2", "Heures", "desc", labels, series{Values: []float64{0, 0}}, 1, show)),
		"line":  string(line("c3", "Jours", "desc", labels[:1], series{Values: []float64{5}}, show)),
	} {
		for _, want := range []string{`role="img"`, `<title id="`, `<desc id="`, `viewBox=`} {
			if !strings.Contains(svg, want) {
				t.Errorf("%s lacks %s: %s", name, want, svg)
			}
		}
		if strings.Contains(svg, "style=") || strings.Contains(svg, "<script>") || strings.Contains(svg, "NaN") {
			t.Errorf("%s: %s", name, svg)
		}
	}
}

func TestCSVFigures(t *testing.T) {
	for cents, want := range map[int64]string{0: "0,00", 5: "0,05", 123456: "1234,56", -250: "-2,50"} {
		if got := eurosCSV(cents); got != want {
			t.Errorf("eurosCSV(%d) = %q, want %q", cents, got, want)
		}
	}
	if decimal(18.25) != "18,2" && decimal(18.25) != "18,3" {
		t.Errorf("decimal %q", decimal(18.25))
	}
	// The price field reads as catalog.ParseEuros does (a negative is
	// refused by the product's rules).
	for in, want := range map[string]int64{"11,50": 1150, "11.5": 1150, "9 €": 900, " 12,05 ": 1205, "1 250,00": 125000} {
		if got, err := catalog.ParseEuros(in); err != nil || got != want {
			t.Errorf("ParseEuros(%q) = %d %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "abc", "1,234"} {
		if _, err := catalog.ParseEuros(bad); err == nil {
			t.Errorf("ParseEuros(%q) passed", bad)
		}
	}
	pg := Page{Lang: "fr", pages: &Pages{text: &catalogue{texts: map[string]map[string]string{"fr": {}}}}}
	p, _ := report.NewPeriod("2026-03-01", "2026-03-02")
	tables := reportTables(pg, report.Build(p, nil, nil, map[int64]string{1: "République"}, nil))
	if len(tables) != 7 || len(tables[2].Rows) != 2 || len(tables[3].Rows) != 24 {
		t.Fatalf("tables %d", len(tables))
	}
}
