package console

import (
	"net/http"
	"sort"

	"github.com/aeso-dev/aeso/internal/status"
)

// snapshotsPerPage is how many snapshots the list shows at a time.
const snapshotsPerPage = 50

// snapshotListView is the data of the snapshot list.
type snapshotListView struct {
	Snapshots []*status.Snapshot
	Next      string
	Problem   string
}

// handleSnapshots lists readiness snapshots, newest first.
func (c *Console) handleSnapshots(w http.ResponseWriter, r *http.Request, v *visit) {
	q := r.URL.Query()
	var view snapshotListView
	cursor := q.Get("cursor")
	if err := checkCursor(cursor); err != nil {
		view.Problem, _ = badQuery(err)
		c.render(w, r, v, http.StatusBadRequest, "snapshots", "Snapshots", view)
		return
	}
	snaps, next, err := c.Status.Snapshots(r.Context(), cursor, snapshotsPerPage)
	if err != nil {
		c.unavailable(w, r, v, err)
		return
	}
	view.Snapshots = snaps
	if next != "" {
		view.Next = pageURL(r.URL.Path, q, "cursor", next)
	}
	c.render(w, r, v, http.StatusOK, "snapshots", "Snapshots", view)
}

// snapshotView is a snapshot beside the posture now.
type snapshotView struct {
	Snapshot      *status.Snapshot
	Then, Current *status.Posture
	Reasons       []reasonPair
	Components    []componentPair
	Changed       int // reasons that differ between then and now
}

// reasonPair is one reason as it stood then and as it stands now; either
// side is nil when the reason did not exist at that time.
type reasonPair struct {
	Source, Ref string
	Then, Now   *status.Reason
}

// Change says how the reason moved: same, changed, gone or new.
func (p reasonPair) Change() string {
	switch {
	case p.Then == nil:
		return "new"
	case p.Now == nil:
		return "gone"
	case p.Then.Level != p.Now.Level || p.Then.Message != p.Now.Message:
		return "changed"
	}
	return "same"
}

// componentPair is one component then and now.
type componentPair struct {
	Name      string
	Then, Now *status.ComponentPosture
}

// Changed reports whether the component's status or posture moved.
func (p componentPair) Changed() bool {
	return p.Then == nil || p.Now == nil || p.Then.Status != p.Now.Status || p.Then.Posture != p.Now.Posture
}

// handleSnapshot shows what a snapshot recorded beside what is true now,
// reason by reason: historical evidence next to current readiness truth.
func (c *Console) handleSnapshot(w http.ResponseWriter, r *http.Request, v *visit) {
	snap, err := c.Status.GetSnapshot(r.Context(), r.PathValue("id"))
	if err != nil {
		c.readFailed(w, r, v, err, "snapshot")
		return
	}
	then, err := snap.Decode()
	if err != nil {
		c.unavailable(w, r, v, err)
		return
	}
	now, err := c.Status.Current(r.Context())
	if err != nil {
		c.unavailable(w, r, v, err)
		return
	}
	view := snapshotView{Snapshot: snap, Then: then, Current: now, Reasons: pairReasons(then.Reasons, now.Reasons),
		Components: pairComponents(then.Components, now.Components)}
	for _, p := range view.Reasons {
		if p.Change() != "same" {
			view.Changed++
		}
	}
	c.render(w, r, v, http.StatusOK, "snapshot", "Snapshot "+snap.TakenAt.UTC().Format("2006-01-02 15:04 UTC"), view)
}

// pairReasons matches reasons by source and ref (a reason's row): the
// changed and new ones first, then those gone, then those that held, each
// group most severe first.
func pairReasons(then, now []status.Reason) []reasonPair {
	type key struct{ source, ref string }
	var out []reasonPair
	at := map[key]int{}
	for i := range then {
		k := key{then[i].Source, then[i].Ref}
		if _, dup := at[k]; dup {
			continue
		}
		at[k] = len(out)
		out = append(out, reasonPair{Source: k.source, Ref: k.ref, Then: &then[i]})
	}
	for i := range now {
		k := key{now[i].Source, now[i].Ref}
		if j, ok := at[k]; ok {
			if out[j].Now == nil {
				out[j].Now = &now[i]
			}
			continue
		}
		at[k] = len(out)
		out = append(out, reasonPair{Source: k.source, Ref: k.ref, Now: &now[i]})
	}
	order := map[string]int{"changed": 0, "new": 0, "gone": 1, "same": 2}
	worst := func(p reasonPair) int {
		n := 0
		for _, r := range []*status.Reason{p.Then, p.Now} {
			if r != nil && status.Rank(r.Level) > n {
				n = status.Rank(r.Level)
			}
		}
		return n
	}
	sort.SliceStable(out, func(i, j int) bool {
		if a, b := order[out[i].Change()], order[out[j].Change()]; a != b {
			return a < b
		}
		return worst(out[i]) > worst(out[j])
	})
	return out
}

// pairComponents matches components by name, in the order they are
// defined now, then any that are no longer defined.
func pairComponents(then, now []status.ComponentPosture) []componentPair {
	var out []componentPair
	at := map[string]int{}
	for i := range now {
		at[now[i].Name] = len(out)
		out = append(out, componentPair{Name: now[i].Name, Now: &now[i]})
	}
	for i := range then {
		if j, ok := at[then[i].Name]; ok {
			out[j].Then = &then[i]
			continue
		}
		out = append(out, componentPair{Name: then[i].Name, Then: &then[i]})
	}
	return out
}
