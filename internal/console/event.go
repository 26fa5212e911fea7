package console

import (
	"encoding/json"
	"errors"
	"net/http"
	"sort"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/audit"
)

// eventView is the data of an event's page.
type eventView struct {
	eventRow
	Details  []field
	Metadata string
	Pivots   []pivot
}

// pivot is a way out of an event page: to related events, or to the
// operator's logs and traces.
type pivot struct {
	Label, Value, URL string
	External          bool
}

// handleEvent shows one event with its presentation and its debug_refs as
// pivots.
func (c *Console) handleEvent(w http.ResponseWriter, r *http.Request, v *visit) {
	e, err := c.Audit.Get(r.Context(), r.PathValue("id"))
	switch errorCode(err) {
	case "":
	case aeso.ENOTFOUND, aeso.EINVALID:
		c.fail(w, r, v, http.StatusNotFound, "Not found", "No audit event has this id.")
		return
	default:
		c.unavailable(w, r, v, err)
		return
	}
	p := c.Audit.Registry.Present(e)
	view := eventView{eventRow: eventRow{Event: e, P: p}}
	keys := make([]string, 0, len(p.SafeDetails))
	for k := range p.SafeDetails {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		b, _ := json.Marshal(p.SafeDetails[k])
		var s string
		if json.Unmarshal(b, &s) != nil {
			s = string(b)
		}
		view.Details = append(view.Details, field{Name: k, Value: s})
	}
	if pretty, err := json.MarshalIndent(json.RawMessage(e.Metadata), "", "  "); err == nil {
		view.Metadata = string(pretty)
	}
	view.Pivots = c.pivots(e, p.DebugRefs)
	c.render(w, r, v, http.StatusOK, "event", p.Summary, view)
}

// pivots turns debug_refs into links: the correlation, the actor and the
// target to their events here, the trace and request ids to the URL
// templates of the console section of the definitions file.
func (c *Console) pivots(e *audit.Event, d audit.DebugRefs) []pivot {
	var out []pivot
	if d.CorrelationID != "" {
		out = append(out, pivot{Label: "Correlation", Value: d.CorrelationID, URL: pivotURL("correlation_id", d.CorrelationID)})
	}
	if e.ActorUserID != "" {
		out = append(out, pivot{Label: "Actor (user)", Value: e.ActorUserID, URL: pivotURL("actor_user_id", e.ActorUserID)})
	}
	if e.ActorServiceAccountID != "" {
		out = append(out, pivot{Label: "Actor (service account)", Value: e.ActorServiceAccountID, URL: pivotURL("actor_service_account_id", e.ActorServiceAccountID)})
	}
	if e.TargetType != "" {
		out = append(out, pivot{Label: "Target", Value: d.TargetRef, URL: pivotURL("target_type", e.TargetType, "target_id", e.TargetID)})
	}
	if d.TraceID != "" {
		out = append(out, pivot{Label: "Trace", Value: d.TraceID, URL: linkFrom(c.Settings.TraceURL, "{trace_id}", d.TraceID), External: true})
	}
	if d.RequestID != "" {
		out = append(out, pivot{Label: "Request", Value: d.RequestID, URL: linkFrom(c.Settings.RequestURL, "{request_id}", d.RequestID), External: true})
	}
	return out
}

// asError is errors.As for *aeso.Error.
func asError(err error, e **aeso.Error) bool { return errors.As(err, e) }
