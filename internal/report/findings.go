package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sort"
	"strings"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"
)

// Finding is one distinct SARIF result normalised for a guard summary.
type Finding struct {
	RuleID      string
	Level       string // error, warning, note or none: the result's effective level; "" when suppressed
	Location    string
	Message     string // cut to MaxMessage, secrets replaced
	Fingerprint string // findingKey: the same for the same finding in every log of the same tool
}

// SARIFLog is what a guard keeps of a SARIF log: the same distinct results
// an evidence item counts, and the runs that did not finish.
type SARIFLog struct {
	Summary    *Summary     // as Parse returns it
	Findings   []Finding    // every distinct result of level error, warning or note (not suppressed), in report order
	Duplicates int          // results dropped because their fingerprint repeated
	Incomplete []Incomplete // runs that did not finish; their findings are not the whole truth
}

// ReadSARIF reads a SARIF 2.1.0 log (the whole log in data, already
// bounded by the caller) for a guard report. It refuses and counts
// exactly as Parse does, so a log reads the same as an evidence item and
// as a guard report. A *ParseError says where the log broke.
func ReadSARIF(data []byte) (*SARIFLog, error) {
	l, err := readSARIF(data)
	if err != nil {
		return nil, err
	}
	out := &SARIFLog{Summary: l.summary, Findings: []Finding{}, Duplicates: l.duplicates, Incomplete: l.incomplete}
	for _, e := range l.entries {
		if e.bucket >= bucketNote {
			out.Findings = append(out.Findings, e.finding)
		}
	}
	out.Summary.Format = FormatSARIF
	out.Summary.Tool = cleanLine(out.Summary.Tool)
	return out, nil
}

// FallbackFingerprint identifies a finding whose tool gave it no
// fingerprint: the same rule at the same place with the same message is
// the same finding.
func FallbackFingerprint(ruleID, location, message string) string {
	sum := sha256.Sum256([]byte(ruleID + "\x00" + location + "\x00" + message))
	return hex.EncodeToString(sum[:16])
}

// findingKey identifies a distinct result of a log: the same tool's same
// rule with the same fingerprint is the same finding. A tool fingerprint
// alone does not do: CodeQL's primaryLocationLineHash hashes a line's
// text, so two rules in two files can share it. A partial fingerprint
// (partialFingerprints, which SARIF says a consumer must combine with
// other information) is taken together with the result's location. With
// no fingerprint from the tool, rule, place and message identify it. The
// tool is its driver's name without the version, so upgrading a scanner
// does not make every finding new. Evidence items and guard reports
// count through this one key.
func findingKey(driver, ruleID, location, message string, res *sarif.Result) string {
	fp, partial := fingerprintOf(res)
	parts := []string{driver, ruleID, fp}
	switch {
	case fp == "":
		parts = []string{driver, ruleID, "", location, message}
	case partial:
		parts = append(parts, location)
	}
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:16])
}

// fingerprintOf picks a stable fingerprint the tool computed, preferring
// full fingerprints to partial ones (partial says which it found), and
// the first key in sorted order so the choice never depends on map order.
func fingerprintOf(res *sarif.Result) (fp string, partial bool) {
	for i, m := range []map[string]string{res.Fingerprints, res.PartialFingerprints} {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if v := m[k]; v != "" {
				return k + ":" + v, i == 1
			}
		}
	}
	return "", false
}

// sarifPos is where the runs of a log are: the byte offset of the runs
// value (or, when there is none, of the end of the log object) and of
// each run, so a refusal can say where the problem is without quoting
// the log.
type sarifPos struct {
	runsAt int64
	runs   []int64
}

// sarifPositions finds the runs of a log that encoding/json has already
// accepted. With "runs" given twice the last counts, as for Unmarshal.
func sarifPositions(data []byte) (sarifPos, error) {
	var p sarifPos
	d := json.NewDecoder(bytes.NewReader(data))
	fail := func(err error) (sarifPos, error) { return p, jsonError(FormatSARIF, data, err) }
	if _, err := d.Token(); err != nil {
		return fail(err)
	}
	var skip json.RawMessage
	for d.More() {
		key, err := d.Token()
		if err != nil {
			return fail(err)
		}
		if key != "runs" {
			if err := d.Decode(&skip); err != nil {
				return fail(err)
			}
			continue
		}
		p.runsAt, p.runs = valueStart(data, d.InputOffset()), nil
		if p.runsAt >= int64(len(data)) || data[p.runsAt] != '[' {
			if err := d.Decode(&skip); err != nil {
				return fail(err)
			}
			continue
		}
		if _, err := d.Token(); err != nil {
			return fail(err)
		}
		for d.More() {
			p.runs = append(p.runs, valueStart(data, d.InputOffset()))
			if err := d.Decode(&skip); err != nil {
				return fail(err)
			}
		}
		if _, err := d.Token(); err != nil {
			return fail(err)
		}
	}
	if p.runsAt == 0 {
		p.runsAt = valueStart(data, d.InputOffset())
	}
	return p, nil
}

// valueStart skips the blanks, colons and commas from off to where the
// next JSON value (or closing bracket) starts.
func valueStart(data []byte, off int64) int64 {
	for off < int64(len(data)) {
		switch data[off] {
		case ' ', '\t', '\r', '\n', ':', ',':
			off++
		default:
			return off
		}
	}
	return off
}
