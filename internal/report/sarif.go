package report

import (
	"slices"
	"strconv"
	"strings"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"
)

// Buckets a SARIF result is counted in: exactly one each.
const (
	bucketSuppressed = iota
	bucketNone
	bucketNote
	bucketWarning
	bucketError
)

// sarifEntry is one distinct result of a log.
type sarifEntry struct {
	bucket  int
	finding Finding
}

// sarifLog is a SARIF log read once for both of its uses: an evidence
// item's summary and a guard report's findings.
type sarifLog struct {
	summary    *Summary
	entries    []sarifEntry
	duplicates int
	incomplete []Incomplete
}

// Incomplete is a run whose tool says, or whose log shows, that it did not
// finish: its results are not the whole truth.
type Incomplete struct {
	Tool   string // the run's driver, "" when it names none
	Reason string // why the run counts as unfinished
}

// parseSARIF summarises a SARIF 2.1.0 log.
func parseSARIF(data []byte) (*Summary, error) {
	l, err := readSARIF(data)
	if err != nil {
		return nil, err
	}
	return l.summary, nil
}

// readSARIF checks that a log proves something and counts its results.
//
// A log with no runs (absent, null or empty) or a run without a tool name
// breaks the schema and is refused. A run whose tool says it did not
// finish (an invocation with executionSuccessful false, or an error-level
// tool notification), that has no results array, or whose Staticcheck run
// could not compile a package, counts in Errored and makes the report an
// error, whatever its results say.
//
// Every distinct result counts in exactly one bucket: suppressed (every
// suppression accepted or without a status), else its effective level
// error (Failed), warning (Warnings), note (Notes) or none (None). A
// result listed twice (same findingKey: tool, rule and the tool's
// fingerprint, else rule, place and message) counts once, in the worse of
// its buckets, and in Duplicates:
// a scanner run over overlapping inputs finds each problem once however
// many times it prints it, and a guard report counts it the same way.
func readSARIF(data []byte) (*sarifLog, error) {
	if pe := checkJSON(FormatSARIF, data); pe != nil {
		return nil, pe
	}
	// Decoded into the library's types with names matched exactly (SARIF
	// property names are case-sensitive): encoding/json, which the
	// library's FromBytes uses, would read "Results" as "results", so a
	// second, differently cased key could empty a run. Unlike FromBytes
	// without its strict option, this leaves an absent results array
	// absent, which runIncomplete needs to see.
	log := &sarif.Report{}
	if err := jsonv2.Unmarshal(data, log); err != nil {
		return nil, jsonError(FormatSARIF, data, err)
	}
	if log.Version != "2.1.0" {
		return nil, parseError(FormatSARIF, 1, 1, "the version is not 2.1.0")
	}
	pos, err := sarifPositions(data)
	if err != nil {
		return nil, err
	}
	if len(log.Runs) == 0 || len(pos.runs) != len(log.Runs) {
		line, column := position(data, pos.runsAt+1)
		return nil, parseError(FormatSARIF, line, column, "no runs: the log does not show that any tool ran")
	}
	shape, err := readSARIFShape(data)
	if err != nil {
		return nil, err
	}
	l := &sarifLog{summary: &Summary{}}
	at := map[string]int{} // finding key → index in l.entries
	var tools []string
	var seconds float64
	for i, run := range log.Runs {
		name := toolName(run)
		if run == nil || name == "" {
			line, column := position(data, pos.runs[i]+1)
			return nil, parseError(FormatSARIF, line, column, "run "+strconv.Itoa(i)+" names no tool (tool.driver.name)")
		}
		if !slices.Contains(tools, name) {
			tools = append(tools, name)
		}
		seconds += runSeconds(run)
		if why := runIncomplete(run); why != "" {
			l.incomplete = append(l.incomplete, Incomplete{Tool: cleanLine(name), Reason: clean(why)})
		}
		rules := &ruleFinder{run: run}
		driver := *run.Tool.Driver.Name
		for j, res := range run.Results {
			if res == nil {
				continue
			}
			var resAt int64
			if i < len(shape.results) && j < len(shape.results[i]) {
				resAt = shape.results[i][j]
			}
			rule, problem := rules.find(res, resAt, shape.indices[[2]int{i, j}])
			if problem != nil {
				line, column := position(data, problem.at+1)
				return nil, parseError(FormatSARIF, line, column, "run "+strconv.Itoa(i)+", result "+strconv.Itoa(j)+": "+problem.msg)
			}
			id := ruleID(res, rule)
			e := sarifEntry{bucket: bucketOf(res, rule), finding: Finding{
				RuleID: cut(cleanLine(id), 128), Location: cleanLine(sarifLocation(res)),
				Message: clean(sarifMessage(res)),
			}}
			e.finding.Level = levelName[e.bucket]
			e.finding.Fingerprint = findingKey(driver, id, sarifLocation(res), sarifMessage(res), res)
			if j, ok := at[e.finding.Fingerprint]; ok {
				l.duplicates++
				if e.bucket > l.entries[j].bucket {
					l.entries[j] = e
				}
				continue
			}
			at[e.finding.Fingerprint] = len(l.entries)
			l.entries = append(l.entries, e)
		}
	}
	s := l.summary
	s.Tool = strings.Join(tools, ", ")
	s.DurationMS = millis(seconds)
	var fs failures
	for _, inc := range l.incomplete {
		fs.add(inc.Tool, "", inc.Reason)
	}
	for _, e := range l.entries {
		switch e.bucket {
		case bucketError:
			s.Counts.Failed++
		case bucketWarning:
			s.Counts.Warnings++
		case bucketNote:
			s.Counts.Notes++
		case bucketNone:
			s.Counts.None++
		default:
			s.Counts.Suppressed++
		}
		if e.bucket >= bucketWarning {
			fs.add(e.finding.RuleID, e.finding.Location, e.finding.Message)
		}
	}
	s.Counts.Total = len(l.entries)
	s.Counts.Errored = len(l.incomplete)
	s.Counts.Duplicates = l.duplicates
	s.Failures, s.Truncated = fs.list, fs.truncated
	s.Result = resultOf(FormatSARIF, s.Counts)
	return l, nil
}

// levelName names each bucket as a SARIF level ("" for suppressed).
var levelName = map[int]string{bucketError: sarif.LevelError, bucketWarning: sarif.LevelWarning,
	bucketNote: sarif.LevelNote, bucketNone: sarif.LevelNone}

// runIncomplete says why a run did not finish, or "" when nothing shows it.
// These are the signs SARIF gives a consumer: an invocation that was not
// successful, an error-level notification about the tool's execution or
// configuration, and a run without a results array (which the standard
// reserves for a tool that produced none, as against an empty array for a
// clean run) unless an invocation says it finished: Staticcheck leaves the
// array out of a clean run that it reports successful. Staticcheck reports a package it could not compile as a
// "compile" result and still calls the run successful; such a run did
// not check that package.
func runIncomplete(run *sarif.Run) string {
	succeeded := false
	for _, inv := range run.Invocations {
		if inv == nil {
			continue
		}
		if inv.ExecutionSuccessful != nil && !*inv.ExecutionSuccessful {
			return "the tool reports that it did not finish (executionSuccessful is false)" + firstError(run, inv)
		}
		if msg := firstError(run, inv); msg != "" {
			return "the tool reports an error" + msg
		}
		succeeded = succeeded || inv.ExecutionSuccessful != nil
	}
	if run.Results == nil && !succeeded {
		return "the run has no results array and no invocation that finished"
	}
	if strings.HasPrefix(toolName(run), "Staticcheck") {
		for _, res := range run.Results {
			if res != nil && ruleID(res, nil) == "compile" {
				return "a package did not compile, so it was not checked"
			}
		}
	}
	return ""
}

// firstError is ": " and the message of the invocation's first
// error-level notification, or "".
func firstError(run *sarif.Run, inv *sarif.Invocation) string {
	for _, list := range [][]*sarif.Notification{inv.ToolExecutionNotifications, inv.ToolConfigurationNotifications} {
		for _, n := range list {
			if n == nil || notificationLevel(run, n) != sarif.LevelError {
				continue
			}
			if n.Message != nil && n.Message.Text != nil {
				return ": " + *n.Message.Text
			}
			return ": an error-level notification"
		}
	}
	return ""
}

// bucketOf is the one bucket a result counts in: suppressed when it has
// suppressions and every one is accepted or has no status (SARIF §3.35.3:
// no status means accepted); a suppression under review or rejected
// leaves the result in its level's bucket, since nobody has yet agreed to
// ignore it. Otherwise its effective level.
func bucketOf(res *sarif.Result, rule *sarif.ReportingDescriptor) int {
	suppressed := len(res.Suppressions) > 0
	for _, sup := range res.Suppressions {
		if sup == nil || sup.Status != nil && *sup.Status != "accepted" {
			suppressed = false
		}
	}
	if suppressed {
		return bucketSuppressed
	}
	switch resultLevel(res, rule) {
	case sarif.LevelError:
		return bucketError
	case sarif.LevelWarning:
		return bucketWarning
	case sarif.LevelNote:
		return bucketNote
	default:
		return bucketNone
	}
}

// resultLevel is a result's effective level as SARIF §3.27.10 defines it:
// its own level; else, for a problem (kind "fail" or absent), the
// defaultConfiguration.level of its rule (found by ruleFinder.find), else
// "warning". Tools such as staticcheck and CodeQL leave the level to the
// rule, so reading only the result's own field would count every finding
// as nothing, and missing the rule would count an error as a warning.
//
// What the standard does not allow is read so that no problem is lost:
// a kind that is not SARIF's is a problem; "open" (the tool could not
// tell) and "review" (a person must look) are not the absence of one, and
// count as warnings; a problem whose level is "none" (which SARIF reserves
// for kinds other than fail; Trivy writes it for an unknown severity)
// counts as a note; a level that is not SARIF's counts as an error. Only
// "pass", "informational" and "notApplicable" are none.
func resultLevel(res *sarif.Result, rule *sarif.ReportingDescriptor) string {
	level := strings.ToLower(res.Level)
	switch res.Kind {
	case "pass", "informational", "notApplicable":
		if level == "" || level == sarif.LevelNone {
			return sarif.LevelNone
		}
	case "open", "review":
		if level == "" || level == sarif.LevelNone {
			return sarif.LevelWarning
		}
	}
	if level == "" && rule != nil && rule.DefaultConfiguration != nil {
		level = strings.ToLower(rule.DefaultConfiguration.Level)
	}
	switch level {
	case sarif.LevelError, sarif.LevelWarning, sarif.LevelNote:
		return level
	case sarif.LevelNone:
		return sarif.LevelNote
	case "":
		return sarif.LevelWarning
	default:
		return sarif.LevelError
	}
}

// notificationLevel is a notification's level as SARIF §3.58.6 defines
// it: its own; else the defaultConfiguration.level of the notification
// descriptor it names; else "warning".
func notificationLevel(run *sarif.Run, n *sarif.Notification) string {
	if n.Level != "" {
		return strings.ToLower(n.Level)
	}
	if d := notificationDescriptor(run, n.Descriptor); d != nil && d.DefaultConfiguration != nil && d.DefaultConfiguration.Level != "" {
		return strings.ToLower(d.DefaultConfiguration.Level)
	}
	return sarif.LevelWarning
}

// notificationDescriptor finds the descriptor a reference names: in the
// tool component it names (an extension, by guid, name or index), else in
// the driver; there by guid, else by id, else by index. The library reads
// an absent index as 0, a valid index, so an index is used only when the
// reference gives nothing else (SARIF requires one of them).
func notificationDescriptor(run *sarif.Run, ref *sarif.ReportingDescriptorReference) *sarif.ReportingDescriptor {
	if ref == nil || run.Tool == nil {
		return nil
	}
	comp := run.Tool.Driver
	if tc := ref.ToolComponent; tc != nil {
		comp = nil
		for i, ext := range run.Tool.Extensions {
			switch {
			case ext == nil:
			case tc.GuID != nil:
				if sameString(ext.GuID, tc.GuID) {
					comp = ext
				}
			case tc.Name != nil:
				if ext.Name != nil && *ext.Name == *tc.Name {
					comp = ext
				}
			case i == tc.Index:
				comp = ext
			}
			if comp != nil {
				break
			}
		}
	}
	if comp == nil {
		return nil
	}
	for i, d := range comp.Notifications {
		switch {
		case d == nil:
		case ref.GuID != nil:
			if sameString(d.GuID, ref.GuID) {
				return d
			}
		case ref.ID != nil:
			if d.ID != nil && *d.ID == *ref.ID {
				return d
			}
		case i == ref.Index:
			return d
		}
	}
	return nil
}

// ruleID names the rule a result broke: ruleId, or the id of its rule
// reference, which SARIF allows instead, or else the id of the rule its
// index points at.
func ruleID(res *sarif.Result, rule *sarif.ReportingDescriptor) string {
	switch {
	case res.RuleID != nil:
		return *res.RuleID
	case res.Rule != nil && res.Rule.ID != nil:
		return *res.Rule.ID
	case rule != nil && rule.ID != nil:
		return *rule.ID
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
	if run == nil || run.Tool == nil || run.Tool.Driver == nil || run.Tool.Driver.Name == nil {
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
