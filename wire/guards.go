package wire

import "time"

// GuardCounts are a guard run's findings by severity, as the guard counted
// them (they may exceed the findings listed).
type GuardCounts struct {
	Critical int `json:"critical"`
	High     int `json:"high"`
	Medium   int `json:"medium"`
	Low      int `json:"low"`
	Info     int `json:"info"`
}

// GuardFinding is one finding of a guard run; in a request Fingerprint may
// be empty, and the server derives it.
type GuardFinding struct {
	RuleID      string `json:"rule_id"`
	Severity    string `json:"severity"`
	Location    string `json:"location,omitempty"`
	Message     string `json:"message,omitempty"`
	Fingerprint string `json:"fingerprint"`
}

// GuardReportRequest is a guard run as a caller sends it. Counts, when
// absent, are counted from the findings.
type GuardReportRequest struct {
	Subject       string         `json:"subject"`
	Mode          string         `json:"mode"`
	Counts        *GuardCounts   `json:"counts,omitempty"`
	Findings      []GuardFinding `json:"findings,omitempty"`
	SourceURL     string         `json:"source_url,omitempty"`
	ObservedAt    string         `json:"observed_at,omitempty"`
	CorrelationID string         `json:"correlation_id,omitempty"`
}

// GuardReport is a guard run's summary.
type GuardReport struct {
	ID            string         `json:"id"`
	Guard         string         `json:"guard"`
	Subject       string         `json:"subject"`
	Mode          string         `json:"mode"`
	Open          bool           `json:"open"`
	Counts        GuardCounts    `json:"counts"`
	Findings      []GuardFinding `json:"findings"`
	Duplicates    int            `json:"duplicates"`
	SourceURL     string         `json:"source_url,omitempty"`
	ObservedAt    time.Time      `json:"observed_at"`
	RecordedAt    time.Time      `json:"recorded_at"`
	CorrelationID string         `json:"correlation_id,omitempty"`
	Source        string         `json:"source"`
}

// GuardReportPage is one page of a guard's reports, newest first.
type GuardReportPage struct {
	Reports    []GuardReport `json:"reports"`
	NextCursor *string       `json:"next_cursor"`
}
