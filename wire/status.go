package wire

import "time"

// Status is a posture with its reasons. Kind tells current truth
// ("current", computed for the request) from history ("snapshot", as it
// stood when taken); a snapshot also carries Snapshot.
type Status struct {
	Kind        string             `json:"kind"`
	Posture     string             `json:"posture"`
	EvaluatedAt time.Time          `json:"evaluated_at"`
	Environment string             `json:"environment,omitempty"`
	Reasons     []StatusReason     `json:"reasons"`
	Components  []ComponentPosture `json:"components"`
	// OpenReconciliations counts records not yet resolved, accepted ones
	// included, by severity.
	OpenReconciliations map[string]int `json:"open_reconciliations"`
	InputsDigest        string         `json:"inputs_digest"`
	Snapshot            *SnapshotMeta  `json:"snapshot,omitempty"`
}

// StatusReason is one contribution to a posture. Ref names the row that
// caused it, or what is missing; Since is when the condition began, when
// that is known.
type StatusReason struct {
	Source    string     `json:"source"`
	Ref       string     `json:"ref"`
	Level     string     `json:"level"`
	Message   string     `json:"message"`
	Since     *time.Time `json:"since"`
	Component string     `json:"component,omitempty"`
}

// ComponentPosture is one component's share of a posture.
type ComponentPosture struct {
	Name       string         `json:"name"`
	Owner      string         `json:"owner"`
	Critical   bool           `json:"critical"`
	Status     string         `json:"status"`
	Freshness  string         `json:"freshness"`
	ObservedAt *time.Time     `json:"observed_at"`
	Posture    string         `json:"posture"`
	Reasons    []StatusReason `json:"reasons"`
}

// SnapshotRequest takes a readiness snapshot; the body may be empty.
type SnapshotRequest struct {
	Note string `json:"note"`
}

// SnapshotMeta describes a readiness snapshot.
type SnapshotMeta struct {
	ID           string    `json:"id"`
	TakenAt      time.Time `json:"taken_at"`
	TakenBy      string    `json:"taken_by"`
	Cause        string    `json:"cause"`
	Note         string    `json:"note,omitempty"`
	Posture      string    `json:"posture"`
	InputsDigest string    `json:"inputs_digest"`
}

// SnapshotPage is one page of snapshots, newest first.
type SnapshotPage struct {
	Snapshots  []SnapshotMeta `json:"snapshots"`
	NextCursor *string        `json:"next_cursor"`
}
