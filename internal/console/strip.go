package console

import (
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/aeso-dev/aeso/internal/component"
)

// Geometry of a status strip, in SVG user units.
const (
	cellWidth  = 8
	cellGap    = 2
	cellHeight = 24
)

// stripView is a component's recent reports as a row of cells, oldest on
// the left, drawn by the server as inline SVG (no script, no image files).
type stripView struct {
	Width, Height int
	Cells         []stripCell
	Label         string // the strip's accessible name
}

// stripCell is one report, or an empty slot before the first one.
type stripCell struct {
	X     int
	Class string
	Title string
}

// strip draws reports (newest first, as History lists them).
func strip(reports []*component.Report, now time.Time) stripView {
	v := stripView{Width: stripLength*(cellWidth+cellGap) - cellGap, Height: cellHeight}
	counts := map[string]int{}
	empty := stripLength - len(reports)
	for i := 0; i < stripLength; i++ {
		cell := stripCell{X: i * (cellWidth + cellGap), Class: "s-none", Title: "no report"}
		if i >= empty {
			rep := reports[len(reports)-1-(i-empty)]
			cell.Class = "s-" + rep.Status
			cell.Title = fmt.Sprintf("%s at %s (%s)", rep.Status, rep.ObservedAt.UTC().Format("2006-01-02 15:04:05 UTC"), relative(rep.ObservedAt, now))
			counts[rep.Status]++
		}
		v.Cells = append(v.Cells, cell)
	}
	var parts []string
	for _, s := range []string{component.StatusHealthy, component.StatusDegraded, component.StatusDown, component.StatusUnknown} {
		if counts[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
		}
	}
	if len(parts) == 0 {
		v.Label = "no reports yet"
	} else {
		v.Label = fmt.Sprintf("last %d reports: %s", len(reports), strings.Join(parts, ", "))
	}
	return v
}

// SVG draws the strip as inline SVG named name. It is written here rather
// than in the template: escaping forty cells' attributes one by one was
// most of the posture page's rendering time.
func (v stripView) SVG(name string) template.HTML {
	e := template.HTMLEscapeString
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="strip" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s: %s">`,
		v.Width, v.Height, v.Width, v.Height, e(name), e(v.Label))
	for _, c := range v.Cells {
		fmt.Fprintf(&b, `<rect x="%d" y="0" width="%d" height="%d" rx="2" class="%s"><title>%s</title></rect>`,
			c.X, cellWidth, cellHeight, e(c.Class), e(c.Title))
	}
	b.WriteString("</svg>")
	return template.HTML(b.String())
}
