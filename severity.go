package aeso

// Severities, least to most severe: of an audited action, a guard finding,
// an invariant, and (from low) a reconciliation record.
var Severities = []string{"info", "low", "medium", "high", "critical"}

// SeverityRank orders severities, info lowest (0); a severity that is not
// one of them ranks -1.
func SeverityRank(severity string) int {
	for i, s := range Severities {
		if s == severity {
			return i
		}
	}
	return -1
}
