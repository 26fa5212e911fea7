package gate

import (
	"context"
	"encoding/json"
	"github.com/aeso-dev/aeso/internal/paging"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/audit"
	"github.com/aeso-dev/aeso/internal/redact"
)

// Withdrawal takes a subject's latest result of a gate out of the posture:
// the release was abandoned, or an old release was checked again by
// mistake. It names the result it withdrew, so a later evaluation of the
// subject, a new result, counts again without undoing anything.
type Withdrawal struct {
	ID          string
	Gate        string
	Subject     string
	ResultID    string // the result withdrawn
	Verdict     string // that result's verdict, kept for the reader
	Reason      string
	WithdrawnBy string
	WithdrawnAt time.Time
}

// WithdrawalStore is what withdrawals need from storage. A withdrawal is
// stored with its audit event in one transaction; a second withdrawal of
// the same result is a conflict.
type WithdrawalStore interface {
	AddGateWithdrawal(ctx context.Context, w *Withdrawal, ev *audit.Event) error
	GateWithdrawals(ctx context.Context, gate, subject string) ([]*Withdrawal, error)
	GateWithdrawalPage(ctx context.Context, gate, subject, beforeID string, limit int) ([]*Withdrawal, error)
}

// WithdrawalRequest asks to withdraw a subject.
type WithdrawalRequest struct {
	Subject string
	Reason  string
}

// MaxReason bounds the reason of a waiver or a withdrawal.
const MaxReason = 1024

// Withdraw takes the subject's latest result of the gate out of the
// posture, with a reason, and audits it. The result itself stays: results
// are history.
func (s *Service) Withdraw(ctx context.Context, o audit.Origin, name string, req WithdrawalRequest) (*Withdrawal, error) {
	if _, err := s.Def(name); err != nil {
		return nil, err
	}
	var v aeso.Validation
	checkSubject(&v, req.Subject)
	reason := strings.TrimSpace(req.Reason)
	switch {
	case reason == "" || utf8.RuneCountInString(reason) > MaxReason:
		v.Add("reason", "required", "is required: why this subject no longer counts (e.g. release abandoned), at most 1024 characters")
	case aeso.UnsafeText(reason, true):
		v.Add("reason", "control_character", "must not contain control characters, bidirectional overrides or line separators")
	case redact.TextLooksSecret(reason):
		v.Add("reason", "secret_detected", "looks like a secret; say why the subject no longer counts without quoting credentials")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	latest, err := s.Store.LatestGateResult(ctx, name, req.Subject)
	if err != nil {
		return nil, err
	}
	now := s.Now().UTC().Truncate(time.Microsecond)
	w := &Withdrawal{ID: s.NewID(), Gate: name, Subject: req.Subject, ResultID: latest.ID, Verdict: latest.Verdict,
		Reason: reason, WithdrawnBy: o.Source, WithdrawnAt: now}
	md, _ := json.Marshal(map[string]string{"subject": w.Subject, "result_id": w.ResultID, "verdict": w.Verdict,
		"reason": w.Reason})
	ev, err := s.Audit.Prepare(o, audit.Input{
		ActorServiceAccountID: o.Source, Action: audit.ActionGateWithdraw, TargetType: "gate", TargetID: name,
		TargetDisplayName: name + " for " + w.Subject, Result: audit.ResultSuccess,
		OccurredAt: now.Format(time.RFC3339Nano), Metadata: md,
	})
	if err != nil {
		return nil, err
	}
	if err := s.Store.AddGateWithdrawal(ctx, w, ev); err != nil {
		return nil, err
	}
	return w, nil
}

// Withdrawals lists a gate's withdrawals, newest first, for a subject when
// set.
func (s *Service) Withdrawals(ctx context.Context, name, subject string) ([]*Withdrawal, error) {
	if _, err := s.Def(name); err != nil {
		return nil, err
	}
	return s.Store.GateWithdrawals(ctx, name, subject)
}

// WithdrawalPage lists one page of a gate's withdrawals, newest first, for
// a subject when set, after cursor, with the cursor of the next page (""
// on the last).
func (s *Service) WithdrawalPage(ctx context.Context, name, subject, cursor string, limit int) ([]*Withdrawal, string, error) {
	if _, err := s.Def(name); err != nil {
		return nil, "", err
	}
	return paging.ReadByID(cursor, limit, func(before string, n int) ([]*Withdrawal, error) {
		return s.Store.GateWithdrawalPage(ctx, name, subject, before, n)
	}, func(w *Withdrawal) string { return w.ID })
}
