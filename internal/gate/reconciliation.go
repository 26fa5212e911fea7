package gate

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aeso-dev/aeso/internal/judge"
	"github.com/aeso-dev/aeso/internal/reconcile"
)

// MaxReconciliations is how many open records one evaluation reads. Far
// more open drift than this is a problem of its own, and the detail says
// when the list was cut.
const MaxReconciliations = 10000

// maxNamed is how many records a detail names before "and N more".
const maxNamed = 5

// reconciliationReason judges the open records: one above max_open_severity
// or in state blocked blocks, others warn. A record accepted until a time
// still ahead does not count; once its acceptance lapses it counts again
// at its severity.
func reconciliationReason(r *Rule, in inputs) (Reason, error) {
	records, err := in.reconciliations()
	if err != nil {
		return Reason{}, err
	}
	cut := len(records) > MaxReconciliations
	if cut {
		records = records[:MaxReconciliations]
	}
	var blocking, warning, accepted []*reconcile.Record
	for _, rec := range records {
		j := judge.Record(rec, r.Reconciliation.MaxOpenSeverity, in.now)
		switch {
		case j.Accepted:
			accepted = append(accepted, rec)
		case j.Level == judge.Block:
			blocking = append(blocking, rec)
		case j.Level == judge.Warn:
			warning = append(warning, rec)
		}
	}
	for _, list := range [][]*reconcile.Record{blocking, warning, accepted} {
		sortBySeverity(list)
	}
	refs := []string{}
	for _, list := range [][]*reconcile.Record{blocking, warning, accepted} {
		for _, rec := range list {
			refs = append(refs, "reconciliation:"+rec.ID)
		}
	}
	threshold := r.Reconciliation.MaxOpenSeverity
	var outcome, detail string
	switch {
	case len(blocking) > 0 && threshold == SeverityNone:
		outcome = OutcomeBlock
		detail = fmt.Sprintf("%s open (max_open_severity none lets none through): %s",
			countRecords(len(blocking)), describeRecords(blocking, in.now))
	case len(blocking) > 0:
		outcome = OutcomeBlock
		detail = fmt.Sprintf("%s above %s or in state blocked: %s", countRecords(len(blocking)), threshold, describeRecords(blocking, in.now))
		if len(warning) > 0 {
			detail += fmt.Sprintf("; %d more at or below %s", len(warning), threshold)
		}
	case len(warning) > 0:
		outcome = OutcomeWarn
		detail = fmt.Sprintf("%s open at or below %s: %s", countRecords(len(warning)), threshold, describeRecords(warning, in.now))
	default:
		outcome = OutcomePass
		detail = "no open reconciliation records"
	}
	if len(accepted) > 0 {
		detail += fmt.Sprintf("; %d accepted and not yet expired", len(accepted))
	}
	if cut {
		detail += fmt.Sprintf(" (only the weightiest %d open records were read)", MaxReconciliations)
	}
	return Reason{Outcome: outcome, Refs: refs, Detail: detail}, nil
}

// countRecords counts records in words: "1 record", "3 records".
func countRecords(n int) string {
	if n == 1 {
		return "1 record"
	}
	return fmt.Sprintf("%d records", n)
}

// sortBySeverity puts the worst first: a blocked record, then by severity,
// then newest (ids are time-ordered).
func sortBySeverity(list []*reconcile.Record) {
	sort.SliceStable(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if (a.State == reconcile.StateBlocked) != (b.State == reconcile.StateBlocked) {
			return a.State == reconcile.StateBlocked
		}
		if ra, rb := judge.OpenSeverityRank(a.Severity), judge.OpenSeverityRank(b.Severity); ra != rb {
			return ra > rb
		}
		return a.ID > b.ID
	})
}

// describeRecords names at most maxNamed records, each with what an
// operator needs to find it: "<id> (high drift on api, repairing)".
func describeRecords(list []*reconcile.Record, now time.Time) string {
	var parts []string
	for i, rec := range list {
		if i == maxNamed {
			parts[len(parts)-1] += fmt.Sprintf(" and %d more", len(list)-maxNamed)
			break
		}
		target := rec.Component
		if target == "" {
			target = rec.InvariantID
		}
		state := rec.State
		if judge.AcceptanceLapsed(rec, now) {
			state = "accepted until " + rec.AcceptedUntil.UTC().Format(time.RFC3339) + ", expired"
		}
		parts = append(parts, fmt.Sprintf("%s (%s %s on %s, %s)", rec.ID, rec.Severity, rec.Kind, target, state))
	}
	return strings.Join(parts, ", ")
}
