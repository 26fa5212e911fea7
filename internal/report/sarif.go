package report

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"
)

// parseSARIF summarises a SARIF 2.1.0 log. Every result counts in Total;
// errors and warnings are the findings listed as failures.
func parseSARIF(data []byte) (*Summary, error) {
	log, err := sarif.FromBytes(data)
	if err != nil {
		return nil, jsonError(FormatSARIF, data, err)
	}
	if log.Version != "2.1.0" {
		return nil, parseError(FormatSARIF, 0, 0,
			"version "+strconv.Quote(cut(log.Version, maxContext))+" is not SARIF 2.1.0")
	}
	s := &Summary{}
	var fs failures
	var tools []string
	var seconds float64
	for _, run := range log.Runs {
		if run == nil {
			continue
		}
		if t := toolName(run); t != "" && !slices.Contains(tools, t) {
			tools = append(tools, t)
		}
		seconds += runSeconds(run)
		defaults := ruleLevels(run)
		for _, res := range run.Results {
			if res == nil {
				continue
			}
			s.Counts.Total++
			switch resultLevel(res, defaults) {
			case sarif.LevelError:
				s.Counts.Failed++
			case sarif.LevelWarning:
				s.Counts.Warnings++
			default:
				continue
			}
			fs.add(ruleID(res), sarifLocation(res), sarifMessage(res))
		}
	}
	s.Tool = strings.Join(tools, ", ")
	s.DurationMS = millis(seconds)
	s.Failures, s.Truncated = fs.list, fs.truncated
	switch {
	case s.Counts.Failed > 0:
		s.Result = ResultFail
	case s.Counts.Warnings > 0:
		s.Result = ResultWarn
	default:
		s.Result = ResultPass
	}
	return s, nil
}

// resultLevel is a result's effective level as SARIF §3.27.10 defines it:
// its own level; else, for a problem (kind "fail" or absent), its rule's
// default level, else "warning"; other kinds (pass, review, …) are "none".
// Tools such as staticcheck leave the level to the rule, so reading only
// the result's own field would count every finding as nothing.
// A suppressed result (accepted, or status absent) is "none" too.
func resultLevel(res *sarif.Result, defaults map[string]string) string {
	for _, sup := range res.Suppressions {
		if sup != nil && (sup.Status == nil || *sup.Status == "accepted") {
			return sarif.LevelNone
		}
	}
	level := strings.ToLower(res.Level)
	if level == "" {
		if res.Kind != "" && res.Kind != "fail" {
			return sarif.LevelNone
		}
		level = defaults[ruleID(res)]
	}
	switch level {
	case sarif.LevelError, sarif.LevelNote, sarif.LevelNone:
		return level
	default:
		// Absent, or not a SARIF level: count it rather than lose it.
		return sarif.LevelWarning
	}
}

// ruleLevels maps each rule of the run's driver to its default level.
func ruleLevels(run *sarif.Run) map[string]string {
	levels := map[string]string{}
	if run.Tool == nil || run.Tool.Driver == nil {
		return levels
	}
	for _, rule := range run.Tool.Driver.Rules {
		if rule == nil || rule.ID == nil || rule.DefaultConfiguration == nil {
			continue
		}
		levels[*rule.ID] = strings.ToLower(rule.DefaultConfiguration.Level)
	}
	return levels
}

// ruleID names the rule a result broke: ruleId, or the id of its rule
// reference, which SARIF allows instead.
func ruleID(res *sarif.Result) string {
	if res.RuleID != nil {
		return *res.RuleID
	}
	if res.Rule != nil && res.Rule.ID != nil {
		return *res.Rule.ID
	}
	return ""
}

// sarifLocation is the first physical location as "uri:line".
func sarifLocation(res *sarif.Result) string {
	for _, loc := range res.Locations {
		if loc == nil || loc.PhysicalLocation == nil {
			continue
		}
		pl := loc.PhysicalLocation
		if pl.ArtifactLocation == nil || pl.ArtifactLocation.URI == nil {
			continue
		}
		uri := *pl.ArtifactLocation.URI
		if pl.Region != nil && pl.Region.StartLine != nil && *pl.Region.StartLine > 0 {
			return uri + ":" + strconv.Itoa(*pl.Region.StartLine)
		}
		return uri
	}
	return ""
}

// sarifMessage prefers plain text, then Markdown, then the message id.
func sarifMessage(res *sarif.Result) string {
	m := res.Message
	switch {
	case m == nil:
		return ""
	case m.Text != nil:
		return *m.Text
	case m.Markdown != nil:
		return *m.Markdown
	case m.ID != nil:
		return *m.ID
	}
	return ""
}

// toolName is the run's driver as "name version".
func toolName(run *sarif.Run) string {
	if run.Tool == nil || run.Tool.Driver == nil || run.Tool.Driver.Name == nil {
		return ""
	}
	d := run.Tool.Driver
	name := *d.Name
	switch {
	case d.Version != nil && *d.Version != "":
		name += " " + *d.Version
	case d.SemanticVersion != nil && *d.SemanticVersion != "":
		name += " " + *d.SemanticVersion
	}
	return name
}

// runSeconds is how long the run's invocations took, when they say.
func runSeconds(run *sarif.Run) float64 {
	var total float64
	for _, inv := range run.Invocations {
		if inv == nil || inv.StartTimeUtc == nil || inv.EndTimeUtc == nil {
			continue
		}
		start, err1 := time.Parse(time.RFC3339Nano, *inv.StartTimeUtc)
		end, err2 := time.Parse(time.RFC3339Nano, *inv.EndTimeUtc)
		if err1 == nil && err2 == nil && end.After(start) {
			total += end.Sub(start).Seconds()
		}
	}
	return total
}
