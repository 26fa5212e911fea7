package audit

// Built-in actions: aeso audits its own privileged mutations (principle 6).
const (
	ActionTokenCreate       = "aeso.token.create"
	ActionTokenRevoke       = "aeso.token.revoke"
	ActionEvidenceSeal      = "aeso.evidence.seal"
	ActionEvidencePromote   = "aeso.evidence.promote"
	ActionEvidenceSupersede = "aeso.evidence.supersede"
	ActionInvariantDefine   = "aeso.invariant.define"
	ActionInvariantRetire   = "aeso.invariant.retire"
	ActionGateEvaluate      = "aeso.gate.evaluate"
	ActionGateWaive         = "aeso.gate.waive"
	ActionGateWithdraw      = "aeso.gate.withdraw"

	ActionReconciliationDetect     = "aeso.reconciliation.detect"
	ActionReconciliationTransition = "aeso.reconciliation.transition"
	ActionStatusSnapshot           = "aeso.status.snapshot"

	// Sign-ins to the operator console, refused ones included (result
	// denied), and sign-outs.
	ActionConsoleSignIn        = "aeso.console.sign_in"
	ActionConsoleSignInRefused = "aeso.console.sign_in_refused"
	ActionConsoleSignOut       = "aeso.console.sign_out"
)

// BuiltinActions returns the presentation rules of aeso's own actions.
func BuiltinActions() []ActionDef {
	return []ActionDef{
		{
			Action: ActionTokenCreate, Category: CategoryPlatform, Family: "Access tokens",
			Label: "Create access token", TargetTypeLabel: "Access token",
			Severity:    SeverityPair{Success: "medium", Failure: "high"},
			SafeDetails: []string{"principal", "scopes", "name"},
			Summary:     "{actor} created {target_type} {target}", BuiltIn: true,
		},
		{
			Action: ActionTokenRevoke, Category: CategoryPlatform, Family: "Access tokens",
			Label: "Revoke access token", TargetTypeLabel: "Access token",
			Severity:    SeverityPair{Success: "medium", Failure: "high"},
			SafeDetails: []string{"principal", "name"},
			Summary:     "{actor} revoked {target_type} {target}", BuiltIn: true,
		},
		{
			Action: ActionEvidenceSeal, Category: CategoryPlatform, Family: "Evidence",
			Label: "Seal evidence bundle", TargetTypeLabel: "Evidence bundle",
			Severity:    SeverityPair{Success: "low", Failure: "medium"},
			SafeDetails: []string{"kind", "subject", "ref", "digest", "digest_version", "items"},
			Summary:     "{actor} sealed {target_type} {target}", BuiltIn: true,
		},
		{
			Action: ActionEvidencePromote, Category: CategoryPlatform, Family: "Evidence",
			Label: "Promote evidence bundle", TargetTypeLabel: "Evidence bundle",
			Severity:    SeverityPair{Success: "medium", Failure: "high"},
			SafeDetails: []string{"kind", "subject", "ref", "stage", "digest", "digest_version"},
			Summary:     "{actor} promoted {target_type} {target}", BuiltIn: true,
		},
		{
			Action: ActionEvidenceSupersede, Category: CategoryPlatform, Family: "Evidence",
			Label: "Supersede evidence bundle", TargetTypeLabel: "Evidence bundle",
			Severity:    SeverityPair{Success: "medium", Failure: "high"},
			SafeDetails: []string{"kind", "subject", "ref", "superseded_by", "digest", "digest_version"},
			Summary:     "{actor} superseded {target_type} {target}", BuiltIn: true,
		},
		{
			Action: ActionInvariantDefine, Category: CategoryPlatform, Family: "Definitions",
			Label: "Define product invariant", TargetTypeLabel: "Invariant",
			Severity:    SeverityPair{Success: "low", Failure: "medium"},
			SafeDetails: []string{"owner", "severity", "critical", "required", "max_age"},
			Summary:     "{actor} defined {target_type} {target}", BuiltIn: true,
		},
		{
			Action: ActionInvariantRetire, Category: CategoryPlatform, Family: "Definitions",
			Label: "Retire product invariant", TargetTypeLabel: "Invariant",
			Severity:    SeverityPair{Success: "medium", Failure: "medium"},
			SafeDetails: []string{"owner", "severity"},
			Summary:     "{actor} retired {target_type} {target}", BuiltIn: true,
		},
		{
			Action: ActionGateEvaluate, Category: CategoryPlatform, Family: "Gates",
			Label: "Evaluate release gate", TargetTypeLabel: "Gate",
			Severity:    SeverityPair{Success: "info", Failure: "medium"},
			SafeDetails: []string{"verdict", "subject", "inputs_digest", "result_id", "ruleset_version", "warnings"},
			Summary:     "{actor} evaluated {target_type} {target}: {result}", BuiltIn: true,
		},
		{
			Action: ActionGateWaive, Category: CategoryPlatform, Family: "Gates",
			Label: "Waive gate rule", TargetTypeLabel: "Gate",
			Severity:    SeverityPair{Success: "high", Failure: "high"},
			SafeDetails: []string{"rule", "subject", "expires_at"},
			Summary:     "{actor} waived {target_type} {target}", BuiltIn: true,
		},
		{
			Action: ActionGateWithdraw, Category: CategoryPlatform, Family: "Gates",
			Label: "Withdraw subject from posture", TargetTypeLabel: "Gate",
			Severity:    SeverityPair{Success: "high", Failure: "high"},
			SafeDetails: []string{"subject", "result_id", "verdict"},
			Summary:     "{actor} withdrew a subject of {target_type} {target} from the posture", BuiltIn: true,
		},
		{
			Action: ActionReconciliationDetect, Category: CategoryPlatform, Family: "Reconciliation",
			Label: "Record detected drift", TargetTypeLabel: "Reconciliation record",
			Severity:    SeverityPair{Success: "medium", Failure: "medium"},
			SafeDetails: []string{"kind", "severity", "owner", "component", "invariant_id", "state"},
			Summary:     "{actor} recorded {target_type} {target}", BuiltIn: true,
		},
		{
			Action: ActionReconciliationTransition, Category: CategoryPlatform, Family: "Reconciliation",
			Label: "Move reconciliation record", TargetTypeLabel: "Reconciliation record",
			Severity:    SeverityPair{Success: "low", Failure: "medium"},
			SafeDetails: []string{"kind", "severity", "owner", "from", "state"},
			Summary:     "{actor} moved {target_type} {target}", BuiltIn: true,
		},
		{
			Action: ActionStatusSnapshot, Category: CategoryPlatform, Family: "Status",
			Label: "Take readiness snapshot", TargetTypeLabel: "Readiness snapshot",
			Severity:    SeverityPair{Success: "info", Failure: "low"},
			SafeDetails: []string{"posture", "cause", "inputs_digest"},
			Summary:     "{actor} took {target_type} {target}", BuiltIn: true,
		},
		{
			Action: ActionConsoleSignIn, Category: CategoryPlatform, Family: "Console",
			Label: "Sign in to the console", TargetTypeLabel: "Console session",
			Severity:    SeverityPair{Success: "low", Failure: "medium"},
			SafeDetails: []string{"opened_with", "remote_addr"},
			Summary:     "{actor} signed in to the console", BuiltIn: true,
		},
		{
			Action: ActionConsoleSignInRefused, Category: CategoryPlatform, Family: "Console",
			Label: "Refused console sign-in", TargetTypeLabel: "Console session",
			Severity:    SeverityPair{Success: "medium", Failure: "medium"},
			SafeDetails: []string{"reason", "remote_addr"},
			Summary:     "A sign-in to the console was refused", BuiltIn: true,
		},
		{
			Action: ActionConsoleSignOut, Category: CategoryPlatform, Family: "Console",
			Label: "Sign out of the console", TargetTypeLabel: "Console session",
			Severity:    SeverityPair{Success: "info", Failure: "low"},
			SafeDetails: []string{"opened_with"},
			Summary:     "{actor} signed out of the console", BuiltIn: true,
		},
	}
}

// BuiltinActionNames lists the built-in actions, which a config file may not redefine.
func BuiltinActionNames() []string {
	var out []string
	for _, d := range BuiltinActions() {
		out = append(out, d.Action)
	}
	return out
}
