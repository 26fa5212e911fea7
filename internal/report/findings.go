package report

import (
	"sort"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"
)

// Finding is one SARIF result normalised for a guard summary.
type Finding struct {
	RuleID      string
	Level       string // error, warning or note: the result's effective level
	Location    string
	Message     string // cut to MaxMessage, secrets replaced
	Fingerprint string // from the log's fingerprints, "" when it has none
}

// SARIFFindings reads every error, warning and note of a SARIF 2.1.0 log (the
// whole log in data, already bounded by the caller). Failures are reported
// as for Parse: a *ParseError says where the log broke.
func SARIFFindings(data []byte) ([]Finding, error) {
	if _, err := parseSARIF(data); err != nil {
		return nil, err
	}
	log, err := sarif.FromBytes(data)
	if err != nil {
		return nil, jsonError(FormatSARIF, data, err)
	}
	var out []Finding
	for _, run := range log.Runs {
		if run == nil {
			continue
		}
		defaults := ruleLevels(run)
		for _, res := range run.Results {
			if res == nil {
				continue
			}
			level := resultLevel(res, defaults)
			if level != sarif.LevelError && level != sarif.LevelWarning && level != sarif.LevelNote {
				continue
			}
			out = append(out, Finding{
				RuleID: clean(cut(ruleID(res), 128)), Level: level, Location: clean(sarifLocation(res)),
				Message: clean(sarifMessage(res)), Fingerprint: fingerprintOf(res),
			})
		}
	}
	return out, nil
}

// fingerprintOf picks a stable fingerprint the tool computed, preferring
// full fingerprints to partial ones, and the first key in sorted order so
// the choice never depends on map order.
func fingerprintOf(res *sarif.Result) string {
	for _, m := range []map[string]string{res.Fingerprints, res.PartialFingerprints} {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if v := m[k]; v != "" {
				return cut(k+":"+v, 128)
			}
		}
	}
	return ""
}
