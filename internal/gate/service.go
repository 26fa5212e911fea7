package gate

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"time"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/audit"
	"github.com/aeso-dev/aeso/internal/component"
	"github.com/aeso-dev/aeso/internal/evidence"
	"github.com/aeso-dev/aeso/internal/guard"
	"github.com/aeso-dev/aeso/internal/invariant"
	"github.com/aeso-dev/aeso/internal/paging"
	"github.com/aeso-dev/aeso/internal/reconcile"
	"github.com/aeso-dev/aeso/internal/redact"
)

// Store is what gates need from storage. Results and waivers are stored
// with their audit events in one transaction.
type Store interface {
	AddGateResult(ctx context.Context, r *Result, ev *audit.Event) error
	LatestGateResult(ctx context.Context, gate, subject string) (*Result, error)
	GateResults(ctx context.Context, gate, subject, beforeID string, limit int) ([]*Result, error)
	// LatestGateResults returns, for each gate named, the newest result
	// of each subject name that is not withdrawn, and the withdrawn latest
	// results newer than it, by subject and newest first.
	LatestGateResults(ctx context.Context, gates []string) ([]*Result, error)
	AddGateWaiver(ctx context.Context, w *Waiver, ev *audit.Event) error
	GateWaivers(ctx context.Context, gate, subject string) ([]*Waiver, error)
	GateWaiverPage(ctx context.Context, gate, subject, beforeID string, limit int) ([]*Waiver, error)
	WithdrawalStore
	RowStore
	StandingStore
}

// Service evaluates gates from stored rows.
type Service struct {
	Defs            []Def
	Store           Store
	Audit           *audit.Service
	Evidence        *evidence.Service
	Invariants      *invariant.Service
	Guards          *guard.Service
	Components      *component.Service
	Reconciliations *reconcile.Service
	Now             func() time.Time
	NewID           func() string
}

// Def returns the definition of a gate, or unknown_gate.
func (s *Service) Def(name string) (*Def, error) {
	for i := range s.Defs {
		if s.Defs[i].Name == name {
			return &s.Defs[i], nil
		}
	}
	return nil, aeso.Reasonf(aeso.ENOTFOUND, "unknown_gate", "no gate has this name; define it in the config's gates section")
}

// MaxSubject bounds a subject reference.
const MaxSubject = 256

// checkSubject adds the subject's problem, if any, to v.
func checkSubject(v *aeso.Validation, subject string) {
	switch {
	case subject == "":
		v.Add("subject", "required", "is required: what is being released, as name or name@ref (e.g. api@v1.4.2), at most 256 characters")
	case len(subject) > MaxSubject:
		v.Add("subject", "too_long", "must be at most %d bytes", MaxSubject)
	case strings.HasPrefix(subject, "@") || strings.HasSuffix(subject, "@"):
		// "@v1" names no subject and "api@" no ref: both would be read
		// as something else than what was meant.
		v.Add("subject", "format", "must be name or name@ref (e.g. api@v1.4.2): a name before @ and a ref after it")
	case strings.TrimSpace(subject) != subject:
		// " api@v1" would be another subject than "api@v1", and look the same.
		v.Add("subject", "format", "must not begin or end with white space")
	case aeso.UnsafeText(subject, false):
		v.Add("subject", "control_character", "must not contain control characters, bidirectional overrides or line separators")
	case redact.ValueLooksSecret(subject):
		v.Add("subject", "secret_detected", "looks like a secret; name what is being released (e.g. api@v1.4.2)")
	}
}

// Evaluate reads the stored evidence, invariant results, guard reports,
// component status, reconciliation records and waivers, stores the result
// as history and audits it.
func (s *Service) Evaluate(ctx context.Context, o audit.Origin, name, subject, correlationID string) (*Result, error) {
	r, err := s.judge(ctx, o, name, subject, correlationID)
	if err != nil {
		return nil, err
	}
	r.ID = s.NewID()
	result := audit.ResultSuccess
	if r.Verdict == VerdictBlock {
		result = audit.ResultDenied
	}
	md, _ := json.Marshal(map[string]string{"verdict": r.Verdict, "subject": subject, "inputs_digest": r.InputsDigest,
		"result_id": r.ID, "ruleset_version": r.RulesetVersion, "warnings": strings.Join(r.Warnings, ",")})
	ev, err := s.Audit.Prepare(o, audit.Input{
		ActorServiceAccountID: o.Source, Action: audit.ActionGateEvaluate, TargetType: "gate", TargetID: name,
		TargetDisplayName: name + " for " + subject, Result: result, CorrelationID: correlationID,
		OccurredAt: r.EvaluatedAt.Format(time.RFC3339Nano), Metadata: md,
	})
	if err != nil {
		return nil, err
	}
	if err := s.Store.AddGateResult(ctx, r, ev); err != nil {
		return nil, err
	}
	return r, nil
}

// DryRun evaluates like Evaluate from the same rows by the same rules, and
// records nothing: no result, no audit event. The result has no ID, which
// is how it tells that it was never stored.
func (s *Service) DryRun(ctx context.Context, o audit.Origin, name, subject, correlationID string) (*Result, error) {
	return s.judge(ctx, o, name, subject, correlationID)
}

// judge evaluates a gate for a subject from stored rows; it writes nothing.
func (s *Service) judge(ctx context.Context, o audit.Origin, name, subject, correlationID string) (*Result, error) {
	d, err := s.Def(name)
	if err != nil {
		return nil, err
	}
	var sv aeso.Validation
	checkSubject(&sv, subject)
	// An evaluation's audit event checks its correlation id; a dry run
	// records none, so it checks the id the same way here.
	switch {
	case len(correlationID) > 128:
		sv.Add("correlation_id", "too_long", "must be at most 128 bytes")
	case aeso.UnsafeText(correlationID, false):
		sv.Add("correlation_id", "control_character", "must not contain control characters, bidirectional overrides or line separators")
	case redact.ValueLooksSecret(correlationID):
		sv.Add("correlation_id", "secret_detected", "looks like a secret; send secrets nowhere")
	}
	if err := sv.Err(); err != nil {
		return nil, err
	}
	now := s.Now().UTC().Truncate(time.Microsecond)
	waivers, err := s.Store.GateWaivers(ctx, name, subject)
	if err != nil {
		return nil, err
	}
	waivers = s.ForRules(waivers)
	reasons, err := evaluate(d, inputs{
		now: now, subject: subject, waivers: waivers,
		evidence: func(kind, n, ref, stage string) (*evidence.View, error) {
			return s.Evidence.Latest(ctx, kind, n, ref, stage, 0)
		},
		invariants: func(env string) ([]*invariant.View, error) { return s.Invariants.ViewsAt(ctx, env, now) },
		guards: func(names []string) ([]*guard.Report, []string, error) {
			return s.Guards.LatestForSubject(ctx, subject, names)
		},
		components: func() ([]*component.View, error) { return s.Components.ViewsAt(ctx, now) },
		reconciliations: func() ([]*reconcile.Record, error) {
			records, _, err := s.Reconciliations.Open(ctx, MaxReconciliations+1)
			return records, err
		},
	})
	if err != nil {
		return nil, err
	}
	v, warnings := Verdict(reasons)
	return &Result{
		Gate: name, Subject: subject, Verdict: v, Warnings: warnings, Reasons: reasons,
		InputsDigest: inputsDigest(d, subject, reasons), RulesetVersion: d.Version(), Evaluator: o.Source,
		EvaluatedAt: now, CorrelationID: correlationID,
	}, nil
}

// Latest returns the newest result of a gate for a subject.
func (s *Service) Latest(ctx context.Context, name, subject string) (*Result, error) {
	if _, err := s.Def(name); err != nil {
		return nil, err
	}
	return s.Store.LatestGateResult(ctx, name, subject)
}

// LatestBySubject returns the newest result of gate name for each subject
// name, as the posture counts them: a subject withdrawn from the gate shows
// its withdrawn result, and a newer ref of a subject replaces an older one.
func (s *Service) LatestBySubject(ctx context.Context, name string) ([]*Result, error) {
	if _, err := s.Def(name); err != nil {
		return nil, err
	}
	all, err := s.Store.LatestGateResults(ctx, []string{name})
	if err != nil {
		return nil, err
	}
	out := []*Result{}
	seen := map[string]bool{}
	for _, r := range all {
		if !seen[r.Subject] {
			seen[r.Subject] = true
			out = append(out, r)
		}
	}
	return out, nil
}

// History lists a gate's results, newest first.
func (s *Service) History(ctx context.Context, name, subject, cursor string, limit int) ([]*Result, string, error) {
	if _, err := s.Def(name); err != nil {
		return nil, "", err
	}
	return paging.ReadByID(cursor, limit, func(before string, n int) ([]*Result, error) {
		return s.Store.GateResults(ctx, name, subject, before, n)
	}, func(r *Result) string { return r.ID })
}

// WaiverRequest asks for a waiver.
type WaiverRequest struct {
	Rule      string
	Subject   string
	Reason    string
	ExpiresAt string
}

// MaxWaiver is the longest a waiver may last: exceptions are temporary.
const MaxWaiver = 30 * 24 * time.Hour

// Waive creates a time-limited, reasoned exception to one rule for one
// subject, and audits it.
func (s *Service) Waive(ctx context.Context, o audit.Origin, name string, req WaiverRequest) (*Waiver, error) {
	d, err := s.Def(name)
	if err != nil {
		return nil, err
	}
	now := s.Now().UTC().Truncate(time.Microsecond)
	var v aeso.Validation
	var keys []string
	var rule *Rule
	for i := range d.Rules {
		keys = append(keys, d.Rules[i].Key())
		if d.Rules[i].Key() == req.Rule {
			rule = &d.Rules[i]
		}
	}
	if rule == nil {
		sort.Strings(keys)
		v.Add("rule", "unknown", "must be one of this gate's rules: %s", strings.Join(keys, ", "))
	}
	checkSubject(&v, req.Subject)
	reason := strings.TrimSpace(req.Reason)
	switch {
	case reason == "" || len(reason) > 1024:
		v.Add("reason", "required", "is required: why the rule may be skipped, at most 1024 characters")
	case aeso.UnsafeText(reason, true):
		v.Add("reason", "control_character", "must not contain control characters, bidirectional overrides or line separators")
	case redact.TextLooksSecret(reason):
		v.Add("reason", "secret_detected", "looks like a secret; say why the rule may be skipped without quoting credentials")
	}
	expires, err := time.Parse(time.RFC3339Nano, req.ExpiresAt)
	switch {
	case req.ExpiresAt == "":
		v.Add("expires_at", "required", "is required: an RFC 3339 time no more than 30 days ahead")
	case err != nil:
		v.Add("expires_at", "format", "must be an RFC 3339 time (e.g. 2026-01-02T15:04:05Z) no more than 30 days ahead")
	case !expires.After(now):
		v.Add("expires_at", "past", "must lie in the future")
	case expires.Sub(now) > MaxWaiver:
		v.Add("expires_at", "range", "must lie within 30 days: waivers are temporary")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	w := &Waiver{ID: s.NewID(), Gate: name, Rule: req.Rule, Subject: req.Subject, Reason: reason,
		CreatedBy: o.Source, CreatedAt: now, ExpiresAt: expires.UTC().Truncate(time.Microsecond), RuleVersion: rule.Version()}
	md, _ := json.Marshal(map[string]string{"rule": w.Rule, "subject": w.Subject, "reason": w.Reason,
		"expires_at": w.ExpiresAt.Format(time.RFC3339), "rule_version": w.RuleVersion})
	ev, err := s.Audit.Prepare(o, audit.Input{
		ActorServiceAccountID: o.Source, Action: audit.ActionGateWaive, TargetType: "gate", TargetID: name,
		TargetDisplayName: name + " rule " + w.Rule, Result: audit.ResultSuccess,
		OccurredAt: now.Format(time.RFC3339Nano), Metadata: md,
	})
	if err != nil {
		return nil, err
	}
	if err := s.Store.AddGateWaiver(ctx, w, ev); err != nil {
		return nil, err
	}
	return w, nil
}

// Waivers lists a gate's waivers, for a subject when set.
func (s *Service) Waivers(ctx context.Context, name, subject string) ([]*Waiver, error) {
	if _, err := s.Def(name); err != nil {
		return nil, err
	}
	return s.Store.GateWaivers(ctx, name, subject)
}

// WaiverPage lists one page of a gate's waivers, newest first, for a
// subject when set, after cursor, with the cursor of the next page ("" on
// the last).
func (s *Service) WaiverPage(ctx context.Context, name, subject, cursor string, limit int) ([]*Waiver, string, error) {
	if _, err := s.Def(name); err != nil {
		return nil, "", err
	}
	return paging.ReadByID(cursor, limit, func(before string, n int) ([]*Waiver, error) {
		return s.Store.GateWaiverPage(ctx, name, subject, before, n)
	}, func(w *Waiver) string { return w.ID })
}
