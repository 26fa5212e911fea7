package console

import (
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"

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
	limit, cursor, err := pageQuery(q, snapshotsPerPage)
	if err != nil {
		view.Problem, _ = badQuery(err)
		c.render(w, r, v, http.StatusBadRequest, "snapshots", "Snapshots", view)
		return
	}
	snaps, next, err := c.Status.Snapshots(r.Context(), cursor, limit)
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

// pairReasons matches the reasons of then and now. A ref names a row, and
// most rows are one report or result, so a component that reported again
// has a new ref for the same trouble: a reason is matched first by its
// ref, and then by what it is about (reasonTopic). Changed and new reasons
// come first, then those gone, then those that held, each group most
// severe first.
func pairReasons(then, now []status.Reason) []reasonPair {
	out := make([]reasonPair, 0, len(then)+len(now))
	for i := range then {
		out = append(out, reasonPair{Source: then[i].Source, Ref: then[i].Ref, Then: &then[i]})
	}
	var unmatched []int
	for i := range now {
		j := slices.IndexFunc(out, func(p reasonPair) bool {
			return p.Now == nil && p.Then != nil && p.Then.Source == now[i].Source && p.Then.Ref == now[i].Ref
		})
		if j < 0 {
			unmatched = append(unmatched, i)
			continue
		}
		out[j].Now = &now[i]
	}
	for _, i := range unmatched {
		topic := reasonTopic(now[i])
		j := slices.IndexFunc(out, func(p reasonPair) bool {
			return p.Now == nil && p.Then != nil && p.Then.Source == now[i].Source && reasonTopic(*p.Then) == topic
		})
		if j < 0 {
			out = append(out, reasonPair{Source: now[i].Source, Ref: now[i].Ref, Now: &now[i]})
			continue
		}
		out[j].Now, out[j].Ref = &now[i], now[i].Ref
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

var (
	gateTopic     = regexp.MustCompile(`^gate (\S+) blocked ([^@\s]+)`)
	guardTopic    = regexp.MustCompile(`^guard (\S+) \(.*? for ([^@:\s]+)`)
	evidenceTopic = regexp.MustCompile(`\(required by gate (\S+) rule (\S+)\)`)
)

// reasonTopic is what a reason is about, whatever row it names: the
// component, the invariant, the gate and subject, the guard and subject,
// or the gate rule that asks for evidence, as the posture words them.
func reasonTopic(r status.Reason) string {
	switch r.Source {
	case status.SourceComponent:
		if r.Component != "" {
			return r.Component
		}
	case status.SourceInvariant:
		id, _, _ := strings.Cut(r.Message, " ")
		return id
	case status.SourceGate:
		if m := gateTopic.FindStringSubmatch(r.Message); m != nil {
			return m[1] + " " + m[2]
		}
	case status.SourceGuard:
		if m := guardTopic.FindStringSubmatch(r.Message); m != nil {
			return m[1] + " " + m[2]
		}
	case status.SourceEvidence:
		if m := evidenceTopic.FindStringSubmatch(r.Message); m != nil {
			return m[1] + " " + m[2]
		}
	}
	return r.Ref
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
