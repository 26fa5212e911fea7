package wire

import "time"

// ComponentReportRequest pushes a component's status.
type ComponentReportRequest struct {
	Status        string `json:"status"`
	Detail        string `json:"detail,omitempty"`
	SourceURL     string `json:"source_url,omitempty"`
	ObservedAt    string `json:"observed_at,omitempty"`
	CorrelationID string `json:"correlation_id,omitempty"`
}

// ComponentReport is one status a component pushed.
type ComponentReport struct {
	ID            string    `json:"id"`
	Component     string    `json:"component"`
	Status        string    `json:"status"`
	Detail        string    `json:"detail,omitempty"`
	Source        string    `json:"source"`
	SourceURL     string    `json:"source_url,omitempty"`
	ObservedAt    time.Time `json:"observed_at"`
	RecordedAt    time.Time `json:"recorded_at"`
	CorrelationID string    `json:"correlation_id,omitempty"`
}

// Component is a component's definition and where it stands now: Status is
// what to act on (down once dead, unknown before any report), Freshness
// how old the latest report is.
type Component struct {
	Name        string           `json:"name"`
	Owner       string           `json:"owner"`
	Critical    bool             `json:"critical"`
	StaleAfter  string           `json:"stale_after"`
	DeadAfter   string           `json:"dead_after"`
	Description string           `json:"description,omitempty"`
	Status      string           `json:"status"`
	Freshness   string           `json:"freshness"`
	Latest      *ComponentReport `json:"latest,omitempty"`
}

// ComponentList lists every component with its current status.
type ComponentList struct {
	Components []Component `json:"components"`
}

// ComponentReportPage is one page of a component's history, newest first.
type ComponentReportPage struct {
	Reports    []ComponentReport `json:"reports"`
	NextCursor *string           `json:"next_cursor"`
}
