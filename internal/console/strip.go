package console

import (
	"fmt"
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
