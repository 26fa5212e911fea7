package wire

import "time"

// Gate is a gate's definition.
type Gate struct {
	Name           string     `json:"name"`
	AffectsPosture bool       `json:"affects_posture"`
	Rules          []GateRule `json:"rules"`
	// Version is the first 12 hex digits of the sha256 of the definition;
	// results name the version they were evaluated under.
	Version   string   `json:"version"`
	RuleNames []string `json:"rule_names"`
}

// GateRule is one condition of a gate; exactly one of Evidence,
// Invariants, Guards, Components and Reconciliation is set.
type GateRule struct {
	Name           string                  `json:"name,omitempty"`
	Evidence       *GateEvidenceRule       `json:"evidence,omitempty"`
	Invariants     []string                `json:"invariants,omitempty"`
	Environment    string                  `json:"environment,omitempty"`
	Guards         *GateGuardsRule         `json:"guards,omitempty"`
	Components     []string                `json:"components,omitempty"`
	Reconciliation *GateReconciliationRule `json:"reconciliation,omitempty"`
}

// GateEvidenceRule asks for a sealed bundle of a kind for the subject.
// MaxAge and BlockAge are Go durations ("168h0m0s"), "0s" for no limit.
type GateEvidenceRule struct {
	Kind         string `json:"kind"`
	Stage        string `json:"stage,omitempty"`
	MaxAge       string `json:"max_age"`
	BlockAge     string `json:"block_age"`
	AllowFailing bool   `json:"allow_failing,omitempty"`
}

// GateGuardsRule judges the latest report of each guard for the subject.
type GateGuardsRule struct {
	Names []string `json:"names,omitempty"`
}

// GateReconciliationRule judges the open reconciliation records.
type GateReconciliationRule struct {
	MaxOpenSeverity string `json:"max_open_severity"`
}

// GateList lists every gate.
type GateList struct {
	Gates []Gate `json:"gates"`
}

// GateRuleRef is one rule of a gate, what a gate_rule ref names.
type GateRuleRef struct {
	Gate       string   `json:"gate"`
	Rule       string   `json:"rule"`
	Definition GateRule `json:"definition"`
}

// GateEvaluateRequest asks for a gate's verdict on a subject.
type GateEvaluateRequest struct {
	Subject       string `json:"subject"`
	CorrelationID string `json:"correlation_id,omitempty"`
}

// GateReason is one rule's outcome in a gate result.
type GateReason struct {
	Rule    string   `json:"rule"`
	Kind    string   `json:"kind"`
	Outcome string   `json:"outcome"`
	Detail  string   `json:"detail"`
	Refs    []string `json:"refs"`
	Waiver  string   `json:"waiver,omitempty"`
	// WaivedOutcome is what a waived rule would have been: warn or block.
	WaivedOutcome string `json:"waived_outcome,omitempty"`
}

// GateResult is one evaluation of a gate for a subject. A dry run has
// Recorded false and no ID: it was never stored.
type GateResult struct {
	ID             string       `json:"id,omitempty"`
	Recorded       bool         `json:"recorded"`
	Gate           string       `json:"gate"`
	Subject        string       `json:"subject"`
	Verdict        string       `json:"verdict"`
	Warnings       []string     `json:"warnings"`
	Reasons        []GateReason `json:"reasons"`
	InputsDigest   string       `json:"inputs_digest"`
	RulesetVersion string       `json:"ruleset_version"`
	Evaluator      string       `json:"evaluator"`
	EvaluatedAt    time.Time    `json:"evaluated_at"`
	CorrelationID  string       `json:"correlation_id,omitempty"`
	// Current says whether a stored result still holds when it is read;
	// absent on an evaluation's own answer, which is judged now.
	Current *GateCurrent `json:"current,omitempty"`
}

// GateCurrent is what a stored result says when it is read: its verdict
// judged again with the waivers in force then and the gate's rules as
// they are (unknown for a pass under rules the gate no longer has), and
// what changed since the evaluation.
type GateCurrent struct {
	Verdict string    `json:"verdict"`
	Notes   []string  `json:"notes"`
	At      time.Time `json:"at"`
}

// GateResultPage is one page of a gate's results, newest first.
type GateResultPage struct {
	Results    []GateResult `json:"results"`
	NextCursor *string      `json:"next_cursor"`
}

// WaiverRequest asks to excuse one rule of a gate for one subject until
// ExpiresAt (RFC 3339).
type WaiverRequest struct {
	Rule      string `json:"rule"`
	Subject   string `json:"subject"`
	Reason    string `json:"reason"`
	ExpiresAt string `json:"expires_at"`
}

// Waiver excuses one rule of a gate for one subject until it expires.
type Waiver struct {
	ID        string    `json:"id"`
	Gate      string    `json:"gate"`
	Rule      string    `json:"rule"`
	Subject   string    `json:"subject"`
	Reason    string    `json:"reason"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	// Active is true while the waiver excuses its rule: until it expires,
	// and only while the rule stays as it was when it was given.
	Active      bool   `json:"active"`
	RuleVersion string `json:"rule_version"`
	RuleChanged bool   `json:"rule_changed"`
}

// WaiverList is one page of a gate's waivers, newest first.
type WaiverList struct {
	Waivers    []Waiver `json:"waivers"`
	NextCursor *string  `json:"next_cursor"`
}

// WithdrawalRequest asks to take a subject's latest result of a gate out
// of the posture.
type WithdrawalRequest struct {
	Subject string `json:"subject"`
	Reason  string `json:"reason"`
}

// Withdrawal takes a subject's latest result of a gate out of the posture.
type Withdrawal struct {
	ID          string    `json:"id"`
	Gate        string    `json:"gate"`
	Subject     string    `json:"subject"`
	ResultID    string    `json:"result_id"`
	Verdict     string    `json:"verdict"`
	Reason      string    `json:"reason"`
	WithdrawnBy string    `json:"withdrawn_by"`
	WithdrawnAt time.Time `json:"withdrawn_at"`
}

// WithdrawalList is one page of a gate's withdrawals, newest first.
type WithdrawalList struct {
	Withdrawals []Withdrawal `json:"withdrawals"`
	NextCursor  *string      `json:"next_cursor"`
}
