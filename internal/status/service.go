package status

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/audit"
	"github.com/aeso-dev/aeso/internal/component"
	"github.com/aeso-dev/aeso/internal/evidence"
	"github.com/aeso-dev/aeso/internal/gate"
	"github.com/aeso-dev/aeso/internal/invariant"
	"github.com/aeso-dev/aeso/internal/judge"
	"github.com/aeso-dev/aeso/internal/paging"
	"github.com/aeso-dev/aeso/internal/reconcile"
	"github.com/aeso-dev/aeso/internal/redact"
)

// Store is where snapshots are kept. The posture reads every other row
// through the services of its domain (gates, components, invariants,
// evidence, reconciliation records), the same way gate evaluations read
// them.
type Store interface {
	// AddSnapshot stores a snapshot and its audit event. With minGap set it
	// stores nothing, and answers false, when a scheduled snapshot was
	// taken less than minGap before this one (another replica took it).
	AddSnapshot(ctx context.Context, s *Snapshot, ev *audit.Event, minGap time.Duration) (bool, error)
	GetSnapshot(ctx context.Context, id string) (*Snapshot, error)
	Snapshots(ctx context.Context, beforeID string, limit int) ([]*Snapshot, error)
}

// Config is the config file's status section.
type Config struct {
	// Environment is where invariants are judged; empty means every
	// environment they reported in.
	Environment string `json:"environment,omitempty" yaml:"environment"`
	// SnapshotEvery, when set, takes a readiness snapshot on this schedule.
	SnapshotEvery aeso.Duration `json:"snapshot_every,omitempty" yaml:"snapshot_every"`
}

var envPattern = regexp.MustCompile(`^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$`)

// MinSnapshotEvery is the shortest schedule: snapshots are history, not a
// time series.
const MinSnapshotEvery = time.Minute

// Validate returns problems with fields relative to the section.
func (c *Config) Validate() []aeso.FieldError {
	var v aeso.Validation
	if c.Environment != "" && (!envPattern.MatchString(c.Environment) || len(c.Environment) > 64) {
		v.Add("environment", "pattern", "must be an environment name such as production")
	}
	if d := c.SnapshotEvery.Duration; d != 0 && d < MinSnapshotEvery {
		v.Add("snapshot_every", "range", "must be at least 1m, or left out for no scheduled snapshots")
	}
	return v.Fields
}

// MaxOpenRecords bounds how many open reconciliation records one posture
// reads; beyond it the posture says so.
const MaxOpenRecords = 5000

// Service computes the posture and keeps snapshots of it.
type Service struct {
	Config          Config
	Gates           *gate.Service // definitions, and the rows of those that affect posture
	Store           Store
	Audit           *audit.Service
	Components      *component.Service
	Invariants      *invariant.Service
	Evidence        *evidence.Service
	Reconciliations *reconcile.Service
	Now             func() time.Time
	NewID           func() string
	Logger          *slog.Logger
	// Ticker, when set, replaces the real ticker of scheduled snapshots.
	Ticker func(time.Duration) (<-chan time.Time, func())
}

// Current computes the posture now from stored rows.
func (s *Service) Current(ctx context.Context) (*Posture, error) {
	in := Inputs{Now: s.Now().UTC().Truncate(time.Microsecond), Environment: s.Config.Environment}
	var err error
	if in.Components, err = s.Components.ViewsAt(ctx, in.Now); err != nil {
		return nil, err
	}
	if in.Invariants, err = s.Invariants.ViewsAt(ctx, s.Config.Environment, in.Now); err != nil {
		return nil, err
	}
	standing, err := s.Gates.Standing(ctx, in.Now)
	if err != nil {
		return nil, err
	}
	byGate := map[string][]*gate.Result{}
	for _, r := range standing.Results {
		byGate[r.Gate] = append(byGate[r.Gate], r)
	}
	in.Waivers, in.Guards = standing.Waivers, standing.Guards
	newest := map[[2]string]*evidence.Bundle{}
	proofs := map[string]*judge.EvidenceItems{} // by bundle id
	for i := range s.Gates.Defs {
		d := &s.Gates.Defs[i]
		if !d.AffectsPosture {
			continue
		}
		in.PostureGates = append(in.PostureGates, d)
		for _, r := range byGate[d.Name] {
			in.Gates = append(in.Gates, GateInput{Def: d, Latest: r, Withdrawal: standing.Withdrawals[r.ID]})
		}
		for j := range d.Rules {
			r := &d.Rules[j]
			if r.Evidence == nil {
				continue
			}
			key := [2]string{r.Evidence.Kind, r.Evidence.Stage}
			b, seen := newest[key]
			if !seen {
				if b, err = s.Evidence.Standing(ctx, r.Evidence.Kind, r.Evidence.Stage); err != nil {
					return nil, err
				}
				newest[key] = b
			}
			var proof *judge.EvidenceItems
			if b != nil && b.SealedAt != nil {
				if proof, seen = proofs[b.ID]; !seen {
					items, err := s.Evidence.Items(ctx, b.ID)
					if err != nil {
						return nil, err
					}
					p := judge.ItemsOf(items, in.Now)
					p.Failing, p.Errored = nil, nil
					proof, proofs[b.ID] = &p, &p
				}
			}
			in.Evidence = append(in.Evidence, EvidenceInput{Gate: d.Name, Rule: r.Key(), Kind: r.Evidence.Kind,
				Stage: r.Evidence.Stage, MaxAge: r.Evidence.MaxAge.Duration, BlockAge: r.Evidence.BlockAge.Duration, Bundle: b, Proof: proof})
		}
	}
	if in.Records, in.OpenCounts, err = s.Reconciliations.Open(ctx, MaxOpenRecords+1); err != nil {
		return nil, err
	}
	if len(in.Records) > MaxOpenRecords {
		in.Records, in.RecordsCapped = in.Records[:MaxOpenRecords], true
	}
	return Evaluate(in), nil
}

// Causes of a snapshot.
const (
	CauseManual   = "manual"
	CauseSchedule = "schedule"
)

// Snapshot is a posture as it stood when it was taken: history, not
// current truth. Body is the posture's JSON, stored whole.
type Snapshot struct {
	ID           string
	TakenAt      time.Time
	TakenBy      string
	Cause        string
	Note         string
	Posture      string
	InputsDigest string
	Body         []byte
}

// Decode returns the stored posture.
func (s *Snapshot) Decode() (*Posture, error) {
	var p Posture
	if err := json.Unmarshal(s.Body, &p); err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", s.ID, err)
	}
	return &p, nil
}

// MaxNote bounds a snapshot's note.
const MaxNote = 1024

// TakeSnapshot computes the posture now and stores it as a snapshot, with
// its audit event in the same transaction.
func (s *Service) TakeSnapshot(ctx context.Context, o audit.Origin, note string) (*Snapshot, error) {
	note = strings.TrimSpace(note)
	var v aeso.Validation
	switch {
	case utf8.RuneCountInString(note) > MaxNote:
		v.Add("note", "invalid", "must be at most %d characters and hold no secret", MaxNote)
	case aeso.UnsafeText(note, true):
		v.Add("note", "control_character", "must not contain control characters, bidirectional overrides or line separators")
	case redact.TextLooksSecret(note):
		v.Add("note", "secret_detected", "looks like it holds a secret; say why the snapshot was taken without credentials")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	snap, _, err := s.take(ctx, o, CauseManual, note, 0)
	return snap, err
}

func (s *Service) take(ctx context.Context, o audit.Origin, cause, note string, minGap time.Duration) (*Snapshot, bool, error) {
	p, err := s.Current(ctx)
	if err != nil {
		return nil, false, err
	}
	body, err := json.Marshal(p)
	if err != nil {
		return nil, false, err
	}
	snap := &Snapshot{ID: s.NewID(), TakenAt: p.EvaluatedAt, TakenBy: o.Source, Cause: cause, Note: note,
		Posture: p.Posture, InputsDigest: p.InputsDigest, Body: body}
	md, _ := json.Marshal(map[string]string{"posture": p.Posture, "cause": cause, "inputs_digest": p.InputsDigest})
	ev, err := s.Audit.Prepare(o, audit.Input{
		ActorServiceAccountID: o.Source, Action: audit.ActionStatusSnapshot, TargetType: "readiness_snapshot",
		TargetID: snap.ID, Result: audit.ResultSuccess, OccurredAt: p.EvaluatedAt.Format(time.RFC3339Nano), Metadata: md,
	})
	if err != nil {
		return nil, false, err
	}
	stored, err := s.Store.AddSnapshot(ctx, snap, ev, minGap)
	if err != nil || !stored {
		return nil, false, err
	}
	return snap, true, nil
}

// GetSnapshot returns one snapshot.
func (s *Service) GetSnapshot(ctx context.Context, id string) (*Snapshot, error) {
	return s.Store.GetSnapshot(ctx, id)
}

// Snapshots lists snapshots, newest first.
func (s *Service) Snapshots(ctx context.Context, cursor string, limit int) ([]*Snapshot, string, error) {
	return paging.ReadByID(cursor, limit, func(before string, n int) ([]*Snapshot, error) {
		return s.Store.Snapshots(ctx, before, n)
	}, func(snap *Snapshot) string { return snap.ID })
}

// SchedulePrincipal is who takes scheduled snapshots.
const SchedulePrincipal = "aeso-scheduler"

func (s *Service) ticker(d time.Duration) (<-chan time.Time, func()) {
	if s.Ticker != nil {
		return s.Ticker(d)
	}
	t := time.NewTicker(d)
	return t.C, t.Stop
}

// RunSchedule takes a snapshot every Config.SnapshotEvery until ctx ends,
// and one at once when the last scheduled snapshot is older than that (so
// restarts more frequent than the interval do not starve the schedule).
// Replicas sharing a database each run it; a replica skips its turn when a
// scheduled snapshot was taken within nine tenths of the interval.
func (s *Service) RunSchedule(ctx context.Context) {
	every := s.Config.SnapshotEvery.Duration
	if every <= 0 {
		return
	}
	ticks, stop := s.ticker(every)
	defer stop()
	for {
		snap, stored, err := s.take(ctx, audit.Origin{Source: SchedulePrincipal}, CauseSchedule, "", every*9/10)
		switch {
		case err != nil && ctx.Err() == nil:
			s.Logger.Error("scheduled readiness snapshot failed", "err", err)
		case stored:
			s.Logger.Info("readiness snapshot taken", "id", snap.ID, "posture", snap.Posture)
		}
		select {
		case <-ctx.Done():
			return
		case <-ticks:
		}
	}
}
