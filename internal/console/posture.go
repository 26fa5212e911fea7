package console

import (
	"context"
	"errors"
	"net/http"
	"sync"

	"github.com/aeso-dev/aeso/internal/reconcile"
	"github.com/aeso-dev/aeso/internal/server"
	"github.com/aeso-dev/aeso/internal/status"
)

// stripLength is how many of a component's latest reports its strip shows.
const stripLength = 40

// openRecordsShown bounds the open reconciliation records listed; the
// counts by severity cover them all.
const openRecordsShown = 50

// postureView is the data of the posture page.
type postureView struct {
	Posture    *status.Posture
	Components []componentCard
	Severities []severityGroup
	OpenTotal  int
}

// componentCard is a component with its status strip.
type componentCard struct {
	status.ComponentPosture
	Strip stripView
}

// severityGroup is the open reconciliation records of one severity.
type severityGroup struct {
	Severity string
	Count    int
	Records  []*reconcile.Record
}

// handlePosture shows the posture: its level, every reason with a link to
// its row, the components with their history, and open reconciliation
// records by severity.
func (c *Console) handlePosture(w http.ResponseWriter, r *http.Request, v *visit) {
	ctx := r.Context()
	p, err := c.Status.Current(ctx)
	if err != nil {
		c.unavailable(w, r, v, err)
		return
	}
	view := postureView{Posture: p}
	if view.Components, err = c.cards(ctx, p.Components); err != nil {
		c.unavailable(w, r, v, err)
		return
	}
	records, err := c.Reconciliations.List(ctx, reconcile.Filter{Open: true, Limit: openRecordsShown})
	if err != nil {
		c.unavailable(w, r, v, err)
		return
	}
	for i := len(reconcile.Severities) - 1; i >= 0; i-- {
		sev := reconcile.Severities[i]
		g := severityGroup{Severity: sev, Count: p.OpenReconciliations[sev]}
		for _, rec := range records {
			if rec.Severity == sev {
				g.Records = append(g.Records, rec)
			}
		}
		view.OpenTotal += g.Count
		view.Severities = append(view.Severities, g)
	}
	c.render(w, r, v, http.StatusOK, "posture", "Posture: "+p.Posture, view)
}

// stripReaders bounds the history reads of one posture page in flight.
const stripReaders = 4

// cards reads each component's latest reports, a few components at a time:
// the reads are independent, and in a row they were most of the page's
// time.
func (c *Console) cards(ctx context.Context, components []status.ComponentPosture) ([]componentCard, error) {
	cards := make([]componentCard, len(components))
	errs := make([]error, len(components))
	slots := make(chan struct{}, stripReaders)
	var wg sync.WaitGroup
	now := c.Now()
	for i, cp := range components {
		cards[i].ComponentPosture = cp
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer func() { <-slots; wg.Done() }()
			reports, _, err := c.Components.History(ctx, cp.Name, "", stripLength)
			if err != nil && errorCode(err) != "not_found" {
				errs[i] = err
				return
			}
			cards[i].Strip = strip(reports, now)
		}()
	}
	wg.Wait()
	return cards, errors.Join(errs...)
}

// unavailable answers a page whose read failed; the error is logged, not
// shown, since a driver's text can name hosts and users.
func (c *Console) unavailable(w http.ResponseWriter, r *http.Request, v *visit, err error) {
	c.Logger.ErrorContext(r.Context(), "console page read failed", "route", r.Pattern,
		"request_id", server.RequestID(r.Context()), "err", err)
	c.fail(w, r, v, http.StatusServiceUnavailable, "Unavailable", "The page could not be read; retry in a moment.")
}
