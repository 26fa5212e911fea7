package audit

// Built-in actions: aeso audits its own privileged mutations (principle 6).
const (
	ActionTokenCreate = "aeso.token.create"
	ActionTokenRevoke = "aeso.token.revoke"
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
