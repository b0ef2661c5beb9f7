package web

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strings"
)

// The reports' charts, drawn here as SVG: no chart library in the
// browser, nothing to run there. A chart is an image with a title (and a
// short description) for screen readers, the same figures being in the
// table beside it. Colours and lines come from classes of app.css; only
// geometry is written here, as SVG presentation attributes.

// series is one set of values of a chart, a value per label.
type series struct {
	Name   string
	Values []float64
	Alt    bool // drawn in the second colour
}

const chartWidth = 640

// svgOpen starts a chart of a height with its title and description.
func svgOpen(b *strings.Builder, id, title, desc string, height int) {
	fmt.Fprintf(b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-labelledby="%s-t %s-d" xmlns="http://www.w3.org/2000/svg">`,
		chartWidth, height, id, id)
	fmt.Fprintf(b, `<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, id, html.EscapeString(title), id, html.EscapeString(desc))
}

// maxOf is the largest value of the series, never 0 (a chart of zeros is
// flat, not a division by zero).
func maxOf(ss []series) float64 {
	m := 0.0
	for _, s := range ss {
		for _, v := range s.Values {
			m = math.Max(m, v)
		}
	}
	if m <= 0 {
		return 1
	}
	return m
}

// hbars draws horizontal bars, one row per label, a bar per series.
func hbars(id, title, desc string, labels []string, ss []series, show func(float64) string) template.HTML {
	const labelW, top, barH, gap = 170, 8, 16, 10
	rowH := barH*len(ss) + gap
	height := top*2 + rowH*len(labels)
	var b strings.Builder
	svgOpen(&b, id, title, desc, height)
	scale := float64(chartWidth-labelW-90) / maxOf(ss)
	fmt.Fprintf(&b, `<line class="axis" x1="%d" y1="%d" x2="%d" y2="%d"/>`, labelW, top, labelW, height-top)
	for i, label := range labels {
		y := top + i*rowH
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%s</text>`, labelW-6, y+rowH/2, html.EscapeString(clip(label, 26)))
		for j, s := range ss {
			v := s.Values[i]
			w := int(math.Round(v * scale))
			by := y + j*barH
			fmt.Fprintf(&b, `<rect class="%s" x="%d" y="%d" width="%d" height="%d"/>`, barClass(s), labelW, by, w, barH-2)
			fmt.Fprintf(&b, `<text class="tick" x="%d" y="%d">%s</text>`, labelW+w+4, by+barH-4, html.EscapeString(show(v)))
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// vbars draws vertical bars, one per label, with every step-th label
// written under the axis.
func vbars(id, title, desc string, labels []string, s series, step int, show func(float64) string) template.HTML {
	const height, left, bottom, top = 240, 48, 28, 12
	var b strings.Builder
	svgOpen(&b, id, title, desc, height)
	top0, plotH := float64(top), float64(height-bottom-top)
	m := maxOf([]series{s})
	grid(&b, left, top0, plotH, m, show)
	slot := float64(chartWidth-left-8) / float64(len(labels))
	for i, label := range labels {
		h := s.Values[i] / m * plotH
		x := float64(left) + float64(i)*slot
		fmt.Fprintf(&b, `<rect class="%s" x="%.1f" y="%.1f" width="%.1f" height="%.1f"/>`, barClass(s), x+slot*0.15, top0+plotH-h, slot*0.7, h)
		if i%step == 0 {
			fmt.Fprintf(&b, `<text class="tick" x="%.1f" y="%d" text-anchor="middle">%s</text>`, x+slot/2, height-8, html.EscapeString(label))
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// line draws values as a line over labels, with about six labels written
// under the axis.
func line(id, title, desc string, labels []string, s series, show func(float64) string) template.HTML {
	const height, left, bottom, top = 240, 64, 28, 12
	var b strings.Builder
	svgOpen(&b, id, title, desc, height)
	top0, plotH := float64(top), float64(height-bottom-top)
	m := maxOf([]series{s})
	grid(&b, left, top0, plotH, m, show)
	n := len(labels)
	span := float64(chartWidth - left - 16)
	x := func(i int) float64 {
		if n == 1 {
			return float64(left) + span/2
		}
		return float64(left) + span*float64(i)/float64(n-1)
	}
	var pts []string
	for i, v := range s.Values {
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(i), top0+plotH-v/m*plotH))
	}
	fmt.Fprintf(&b, `<polyline class="line" points="%s"/>`, strings.Join(pts, " "))
	if n == 1 {
		fmt.Fprintf(&b, `<circle class="dot" cx="%.1f" cy="%.1f" r="4"/>`, x(0), top0+plotH-s.Values[0]/m*plotH)
	}
	step := max(1, (n+5)/6)
	for i := 0; i < n; i += step {
		fmt.Fprintf(&b, `<text class="tick" x="%.1f" y="%d" text-anchor="middle">%s</text>`, x(i), height-8, html.EscapeString(labels[i]))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// grid draws the value axis: four lines with their values.
func grid(b *strings.Builder, left int, top, plotH, m float64, show func(float64) string) {
	for k := 0; k <= 4; k++ {
		y := top + plotH - plotH*float64(k)/4
		class := "grid"
		if k == 0 {
			class = "axis"
		}
		fmt.Fprintf(b, `<line class="%s" x1="%d" y1="%.1f" x2="%d" y2="%.1f"/>`, class, left, y, chartWidth-8, y)
		fmt.Fprintf(b, `<text class="tick" x="%d" y="%.1f" text-anchor="end">%s</text>`, left-6, y+4, html.EscapeString(show(m*float64(k)/4)))
	}
}

func barClass(s series) string {
	if s.Alt {
		return "bar alt"
	}
	return "bar"
}

// clip shortens a label to n characters.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
