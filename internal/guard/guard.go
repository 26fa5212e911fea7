// Package guard holds guard summaries: the normalised findings of a guard
// run (a linter, a policy check, a scanner acting as a gate) in
// report_only, warn or blocking mode. It imports no database driver and no
// net/http.
package guard

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/paging"
	"github.com/aeso-dev/aeso/internal/redact"
	"github.com/aeso-dev/aeso/internal/report"
)

// Modes a guard runs in.
const (
	ModeReportOnly = "report_only"
	ModeWarn       = "warn"
	ModeBlocking   = "blocking"
)

// MaxFindings bounds the findings kept per report.
const MaxFindings = 100

var namePattern = regexp.MustCompile(`^[a-z0-9]([a-z0-9._-]{0,62}[a-z0-9])?$`)

// Finding is one normalised finding. Its JSON, and Counts', is a storage
// shape: a stored report keeps its findings and counts in it.
type Finding struct {
	RuleID      string `json:"rule_id"`
	Severity    string `json:"severity"`
	Location    string `json:"location,omitempty"`
	Message     string `json:"message,omitempty"`
	Fingerprint string `json:"fingerprint"`
}

// Counts are findings by severity, as the guard counted them (they may
// exceed the findings listed).
type Counts struct {
	Critical int `json:"critical"`
	High     int `json:"high"`
	Medium   int `json:"medium"`
	Low      int `json:"low"`
	Info     int `json:"info"`
}

// Total is the number of findings counted. Record keeps every total
// within report.MaxCount; a report stored before that bound may hold
// counts whose sum passes the largest int, and its total then stops there
// rather than wrap to a small or negative number.
func (c Counts) Total() int {
	total := 0
	for _, n := range c.bySeverity() {
		if n > 0 && total > math.MaxInt-n {
			return math.MaxInt
		}
		total += n
	}
	return total
}

func (c Counts) bySeverity() [5]int { return [5]int{c.Critical, c.High, c.Medium, c.Low, c.Info} }

// severityNames name bySeverity's entries, as the JSON does.
var severityNames = [5]string{"critical", "high", "medium", "low", "info"}

// check refuses counts that are negative, or that a JSON number (a double)
// could not carry exactly: each count, and their total, is at most
// report.MaxCount, so no total computed from them can overflow.
func (c Counts) check(v *aeso.Validation) bool {
	if c.Critical < 0 || c.High < 0 || c.Medium < 0 || c.Low < 0 || c.Info < 0 {
		v.Add("counts", "negative", "counts must not be negative")
		return false
	}
	names := [5]string{"critical", "high", "medium", "low", "info"}
	ok := true
	for i, n := range c.bySeverity() {
		if int64(n) > report.MaxCount {
			v.Add("counts."+names[i], "range", "must be at most %d (2^53): a larger count is not exact as a JSON number", report.MaxCount)
			ok = false
		}
	}
	if ok && int64(c.Total()) > report.MaxCount {
		v.Add("counts", "range", "the counts add up to more than %d (2^53), which is not exact as a JSON number", report.MaxCount)
		ok = false
	}
	return ok
}

// Report is one stored guard run.
type Report struct {
	ID            string
	Guard         string
	Subject       string
	Mode          string
	Counts        Counts
	Findings      []Finding
	Duplicates    int // findings dropped because their fingerprint repeated
	SourceURL     string
	ObservedAt    time.Time
	RecordedAt    time.Time
	CorrelationID string
	Source        string
}

// Open reports whether the run has findings: what makes a blocking guard
// block and a warn guard warn. It asks whether any severity counts a
// finding rather than whether the total is positive, so no sum, however
// large, can read as closed.
func (r *Report) Open() bool {
	for _, n := range r.Counts.bySeverity() {
		if n > 0 {
			return true
		}
	}
	return false
}

// Request is a guard report as a caller sends it.
type Request struct {
	Subject       string
	Mode          string
	Counts        *Counts // default: counted from findings
	Findings      []Finding
	SourceURL     string
	ObservedAt    string
	CorrelationID string
	// Duplicates already dropped before Record (a SARIF log's repeated
	// results); never read from a request body.
	Duplicates int
	// MayWeakenMode says the sender may run the guard in a weaker mode
	// than its last run for the subject (see checkMode); set from the
	// sender's scopes, never from a request body.
	MayWeakenMode bool
}

// Store is what guard summaries need from storage.
type Store interface {
	AddGuardReport(ctx context.Context, r *Report) error
	// LatestGuardReport returns the newest report (by observed_at) of a
	// guard for a subject, or not_found.
	LatestGuardReport(ctx context.Context, guard, subject string) (*Report, error)
	// LatestGuardReportForName returns the newest report of a guard for any
	// subject of a name (name or name@ref), or not_found: the one the
	// posture counts for that name.
	LatestGuardReportForName(ctx context.Context, guard, name string) (*Report, error)
	// LatestGuardReportsForSubject returns the newest report of every guard
	// that reported for subject.
	LatestGuardReportsForSubject(ctx context.Context, subject string) ([]*Report, error)
	// GuardReports lists a guard's reports newest first; subject filters
	// when set; beforeID pages.
	GuardReports(ctx context.Context, guard, subject, beforeID string, limit int) ([]*Report, error)
	// GuardReport returns one report by id, or not_found.
	GuardReport(ctx context.Context, id string) (*Report, error)
}

// Service records and reads guard summaries.
type Service struct {
	Store Store
	Now   func() time.Time
	NewID func() string
	// runs makes a run's mode check and its insert one step against the
	// runs of this process, so two uploads at once cannot both pass the
	// check on the run before them (see Record).
	runs sync.Mutex
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}

// Fingerprint derives a stable fingerprint for a finding that has none:
// the same rule at the same place with the same message is the same
// finding. It is the rule a SARIF log's results are told apart by.
func Fingerprint(f Finding) string {
	return report.FallbackFingerprint(f.RuleID, f.Location, f.Message)
}

// Record validates, normalises and stores a report of guard for its subject.
func (s *Service) Record(ctx context.Context, source, guard string, req Request) (*Report, error) {
	now := s.Now().UTC().Truncate(time.Microsecond)
	var v aeso.Validation
	switch {
	case !namePattern.MatchString(guard):
		v.Add("guard", "pattern", "guard names are lowercase letters, digits, '.', '_' or '-', at most 64 characters")
	case redact.ValueLooksSecret(guard):
		// A card number fits the name pattern; the name is stored and shown.
		v.Add("guard", "secret_detected", "looks like a secret (a card number); name the guard after the tool")
	}
	req.Subject = strings.TrimSpace(req.Subject)
	switch {
	case req.Subject == "" || len(req.Subject) > 256:
		v.Add("subject", "required", "is required: what the guard ran on (e.g. api@v1.4.2), at most 256 characters")
	case aeso.UnsafeText(req.Subject, false):
		v.Add("subject", "control_character", "must not contain control characters, bidirectional overrides or line separators")
	case redact.ValueLooksSecret(req.Subject):
		v.Add("subject", "secret_detected", "looks like a secret; name what the guard ran on (e.g. api@v1.4.2)")
	}
	switch req.Mode {
	case ModeReportOnly, ModeWarn, ModeBlocking:
	default:
		v.Add("mode", "enum", "must be one of report_only, warn, blocking")
	}
	if len(req.Findings) > MaxFindings {
		v.Add("findings", "too_many", "at most %d findings; send the counts for the rest", MaxFindings)
	}
	r := &Report{ID: s.NewID(), Guard: guard, Subject: req.Subject, Mode: req.Mode, SourceURL: req.SourceURL,
		ObservedAt: now, RecordedAt: now, CorrelationID: req.CorrelationID, Source: source, Findings: []Finding{},
		Duplicates: max(req.Duplicates, 0)}
	at := map[string]int{} // fingerprint → index in r.Findings
	for i, f := range req.Findings {
		field := fmt.Sprintf("findings[%d]", i)
		if f.RuleID == "" || len(f.RuleID) > 128 {
			v.Add(field+".rule_id", "required", "is required, at most 128 characters")
		} else if redact.ValueLooksSecret(f.RuleID) {
			v.Add(field+".rule_id", "secret_detected", "looks like a secret")
		}
		if aeso.SeverityRank(f.Severity) < 0 {
			v.Add(field+".severity", "enum", "must be one of %s", strings.Join(aeso.Severities, ", "))
		}
		// Judged whole and as kept: a secret cut short no longer has the
		// shape that shows it, but is still most of a secret.
		f.Location, f.Message = clipSafe(f.Location, 512), clipSafe(f.Message, 512)
		if f.Fingerprint == "" {
			f.Fingerprint = Fingerprint(f)
		} else if len(f.Fingerprint) > 128 || redact.ValueLooksSecret(f.Fingerprint) {
			v.Add(field+".fingerprint", "invalid", "must be at most 128 characters and no secret")
		}
		// A repeated fingerprint is one finding; it keeps its most severe
		// report so a duplicate cannot hide a worse severity.
		if j, ok := at[f.Fingerprint]; ok {
			r.Duplicates++
			if aeso.SeverityRank(f.Severity) > aeso.SeverityRank(r.Findings[j].Severity) {
				r.Findings[j] = f
			}
			continue
		}
		at[f.Fingerprint] = len(r.Findings)
		r.Findings = append(r.Findings, f)
	}
	counted := Counts{}
	for _, f := range r.Findings {
		addCount(&counted, f.Severity)
	}
	r.Counts = counted
	if req.Counts != nil {
		// Sent counts may exceed the findings listed (a summary of a long
		// scan), never fall below them, severity by severity: two critical
		// findings are not "2 info".
		c := *req.Counts
		if c.check(&v) {
			sent, listed := c.bySeverity(), counted.bySeverity()
			for i, name := range severityNames {
				if sent[i] < listed[i] {
					v.Add("counts."+name, "too_few", "count at least the %s listed", aeso.Count(listed[i], name+" finding"))
				}
			}
		}
		r.Counts = c
	}
	switch u := req.SourceURL; {
	case u == "":
	case len(u) > 2048 || !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://"):
		v.Add("source_url", "format", "must be an http(s) URL without credentials, at most 2048 bytes")
	case redact.ValueLooksSecret(u):
		// Refused, not cut: see component.checkSourceURL.
		v.Add("source_url", "secret_detected", "carries a credential (userinfo, or a token or signature parameter); send the URL without it")
	}
	switch {
	case len(req.CorrelationID) > 128:
		v.Add("correlation_id", "invalid", "must be at most 128 characters and no secret")
	case redact.ValueLooksSecret(req.CorrelationID):
		v.Add("correlation_id", "secret_detected", "looks like a secret")
	}
	r.ObservedAt = aeso.ObservedAt(&v, req.ObservedAt, now)
	if err := v.Err(); err != nil {
		return nil, err
	}
	s.runs.Lock()
	defer s.runs.Unlock()
	if err := s.checkMode(ctx, guard, r.Subject, r.Mode, req.MayWeakenMode); err != nil {
		return nil, err
	}
	// Stamped and named under the lock, a run the server dates is newer
	// than every run stored before it (its time, or at the same time its
	// time-ordered id), so the run that passed the check last is the
	// latest.
	r.ID = s.NewID()
	stamp := s.Now().UTC().Truncate(time.Microsecond)
	if stamp.After(r.RecordedAt) {
		if r.ObservedAt.Equal(r.RecordedAt) {
			r.ObservedAt = stamp
		}
		r.RecordedAt = stamp
	}
	if err := s.Store.AddGuardReport(ctx, r); err != nil {
		return nil, err
	}
	return r, nil
}

func addCount(c *Counts, severity string) {
	switch severity {
	case "critical":
		c.Critical++
	case "high":
		c.High++
	case "medium":
		c.Medium++
	case "low":
		c.Low++
	default:
		c.Info++
	}
}

// Latest returns the newest report of a guard for a subject.
func (s *Service) Latest(ctx context.Context, guard, subject string) (*Report, error) {
	if !namePattern.MatchString(guard) || subject == "" {
		return nil, aeso.Reasonf(aeso.ENOTFOUND, "no_guard_report", "no report of this guard for this subject")
	}
	return s.Store.LatestGuardReport(ctx, guard, subject)
}

// History lists a guard's reports, newest first.
func (s *Service) History(ctx context.Context, guard, subject, cursor string, limit int) ([]*Report, string, error) {
	if !namePattern.MatchString(guard) {
		// No report could be stored under it: say so, not "none yet".
		var v aeso.Validation
		v.Add("name", "pattern", "a guard name is lowercase letters, digits, '.', '_' or '-', at most 64 characters")
		return nil, "", v.Err()
	}
	return paging.ReadByID(cursor, limit, func(before string, n int) ([]*Report, error) {
		return s.Store.GuardReports(ctx, guard, subject, before, n)
	}, func(r *Report) string { return r.ID })
}

// severityOfLevel maps a SARIF level to a finding's severity.
var severityOfLevel = map[string]string{"error": "high", "warning": "medium", "note": "low"}

// RuleRunIncomplete is the rule of the finding a SARIF guard report gets
// for each run whose tool did not finish.
const RuleRunIncomplete = "aeso.run_incomplete"

// RecordSARIF stores a SARIF log as a guard report. It counts what an
// evidence item of the same log counts: every distinct result of level
// error, warning or note (suppressed ones are not open), and lists the
// first MaxFindings.
//
// A run whose tool did not finish proves nothing about what it did not
// reach, so it must not read as "no open findings": each such run becomes
// a critical finding of rule RuleRunIncomplete, listed first. The report
// is then open, so a blocking guard blocks and a warn guard warns until
// a run that finished replaces it, and the finding says why. (Refusing
// the upload instead would leave the guard's previous report standing,
// which may be a clean one.)
func (s *Service) RecordSARIF(ctx context.Context, source, guard string, req Request, log *report.SARIFLog) (*Report, error) {
	counts := Counts{}
	req.Findings = []Finding{}
	add := func(f Finding) {
		addCount(&counts, f.Severity)
		if len(req.Findings) < MaxFindings {
			req.Findings = append(req.Findings, f)
		}
	}
	for _, inc := range log.Incomplete {
		f := Finding{RuleID: RuleRunIncomplete, Severity: "critical", Message: inc.Tool + " did not finish: " + inc.Reason}
		if inc.Tool == "" {
			f.Message = "a run did not finish: " + inc.Reason
		}
		f.Fingerprint = report.FallbackFingerprint(f.RuleID, f.Location, f.Message)
		add(f)
	}
	for _, rf := range log.Findings {
		f := Finding{RuleID: rf.RuleID, Severity: severityOfLevel[rf.Level], Location: rf.Location,
			Message: rf.Message, Fingerprint: rf.Fingerprint}
		if f.RuleID == "" {
			f.RuleID = "unnamed"
		}
		add(f)
	}
	req.Counts = &counts
	req.Duplicates = log.Duplicates
	return s.Record(ctx, source, guard, req)
}

// LatestForSubject returns the newest report of each named guard for
// subject (every guard that reported, when names is empty), and the named
// guards that never reported for it.
func (s *Service) LatestForSubject(ctx context.Context, subject string, names []string) ([]*Report, []string, error) {
	all, err := s.Store.LatestGuardReportsForSubject(ctx, subject)
	if err != nil || len(names) == 0 {
		return all, nil, err
	}
	byGuard := map[string]*Report{}
	for _, r := range all {
		byGuard[r.Guard] = r
	}
	var out []*Report
	var missing []string
	for _, n := range names {
		if r := byGuard[n]; r != nil {
			out = append(out, r)
		} else {
			missing = append(missing, n)
		}
	}
	return out, missing, nil
}

// modeRank orders the modes by what a run in them can hold back.
var modeRank = map[string]int{ModeReportOnly: 0, ModeWarn: 1, ModeBlocking: 2}

// checkMode refuses a run that would weaken its guard's mode for subject
// (blocking to warn or report_only, warn to report_only) unless mayWeaken.
// The newest run of a guard decides, so without this a pipeline could lift
// the block its own scan gave by sending the same scan again in
// report_only mode: lifting a block is a waiver's job, which needs
// gates:override. Record calls it, under its lock, once the run is valid
// (its guard, trimmed subject and mode checked).
func (s *Service) checkMode(ctx context.Context, guard, subject, mode string, mayWeaken bool) error {
	if mayWeaken {
		return nil
	}
	// The posture counts a guard's newest run per subject name, so a run
	// for a new ref (api@v2 after api@v1) replaces the last one there as a
	// run for the same subject does.
	name, _, _ := strings.Cut(subject, "@")
	for _, latest := range []func() (*Report, error){
		func() (*Report, error) { return s.Store.LatestGuardReport(ctx, guard, subject) },
		func() (*Report, error) { return s.Store.LatestGuardReportForName(ctx, guard, name) },
	} {
		last, err := latest()
		switch {
		case aeso.ErrorCode(err) == aeso.ENOTFOUND:
		case err != nil:
			return err
		case modeRank[mode] < modeRank[last.Mode]:
			which := "this subject"
			if last.Subject != subject {
				which = fmt.Sprintf("%s (%s), which a run for %s replaces in the posture", name, last.Subject, subject)
			}
			return aeso.Reasonf(aeso.EFORBIDDEN, "forbidden",
				"guard %s last ran in %s mode for %s; a run in %s mode would lift what that run holds, which needs the scope gates:override (or a waiver)",
				guard, last.Mode, which, mode)
		}
	}
	return nil
}

// clipSafe is clip for text that may hold a secret: the placeholder when
// the text looks secret whole or clipped.
func clipSafe(s string, n int) string {
	if redact.TextLooksSecret(s) {
		return redact.Placeholder
	}
	if s = clip(s, n); redact.TextLooksSecret(s) {
		return redact.Placeholder
	}
	return s
}
