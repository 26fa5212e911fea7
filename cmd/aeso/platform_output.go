package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aeso-dev/aeso/client"
)

// Tables and key/value views of components, invariants, guard reports,
// reconciliation records and gate rows. Text recorded by others goes
// through printable.

// kv is a two-column view that leaves out empty values.
type kv struct{ tw *tabwriter.Writer }

func newKV(w io.Writer) kv { return kv{table(w)} }

func (k kv) row(key, value string) {
	if value != "" {
		fmt.Fprintf(k.tw, "%s\t%s\n", key, printable(value))
	}
}

func (k kv) flush() { k.tw.Flush() }

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func stampPtr(t *time.Time) string {
	if t == nil {
		return ""
	}
	return stamp(*t)
}

// more says how to ask for the next page.
func more(w io.Writer, next *string) {
	if next != nil {
		fmt.Fprintf(w, "more: --cursor %s\n", *next)
	}
}

func printComponents(w io.Writer, cs []client.Component) {
	if len(cs) == 0 {
		fmt.Fprintln(w, "no components (the config's components section lists what to watch)")
		return
	}
	tw := table(w)
	fmt.Fprintln(tw, "COMPONENT\tSTATUS\tFRESHNESS\tOWNER\tLAST REPORT\tREPORT ID")
	for _, c := range cs {
		name, last, id := c.Name, "never", ""
		if c.Critical {
			name += " (critical)"
		}
		if c.Latest != nil {
			last, id = stamp(c.Latest.ObservedAt), c.Latest.ID
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", name, c.Status, c.Freshness, printable(c.Owner), last, id)
	}
	tw.Flush()
}

func printComponent(w io.Writer, c *client.Component) {
	k := newKV(w)
	k.row("Component", c.Name)
	k.row("Owner", c.Owner)
	k.row("Critical", fmt.Sprint(c.Critical))
	k.row("Status", c.Status)
	k.row("Freshness", c.Freshness)
	k.row("Stale after", c.StaleAfter)
	k.row("Dead after", c.DeadAfter)
	k.row("Description", c.Description)
	if c.Latest != nil {
		k.row("Last report", c.Latest.ID)
		k.row("Reported", c.Latest.Status+" at "+stamp(c.Latest.ObservedAt))
		k.row("Detail", c.Latest.Detail)
	} else {
		k.row("Last report", "never")
	}
	k.flush()
}

func printComponentReports(w io.Writer, page *client.ComponentReportPage) {
	if len(page.Reports) == 0 {
		fmt.Fprintln(w, "no reports")
		return
	}
	tw := table(w)
	fmt.Fprintln(tw, "OBSERVED\tSTATUS\tSOURCE\tDETAIL\tID")
	for _, r := range page.Reports {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", stamp(r.ObservedAt), r.Status, printable(r.Source), clip(printable(r.Detail), 80), r.ID)
	}
	tw.Flush()
	more(w, page.NextCursor)
}

func printComponentReport(w io.Writer, r *client.ComponentReport) {
	k := newKV(w)
	k.row("Report", r.ID)
	k.row("Component", r.Component)
	k.row("Status", r.Status)
	k.row("Detail", r.Detail)
	k.row("Observed", stamp(r.ObservedAt))
	k.row("Recorded", stamp(r.RecordedAt))
	k.row("Source", r.Source)
	k.row("Source URL", r.SourceURL)
	k.row("Correlation", r.CorrelationID)
	k.flush()
}

func printInvariants(w io.Writer, invs []client.Invariant) {
	if len(invs) == 0 {
		fmt.Fprintln(w, "no invariants (the config's invariants section defines them)")
		return
	}
	tw := table(w)
	fmt.Fprintln(tw, "INVARIANT\tTITLE\tENVIRONMENT\tSTATE\tSINCE\tLATEST RESULT")
	for _, inv := range invs {
		id := inv.ID
		if inv.Critical {
			id += " (critical)"
		}
		if len(inv.States) == 0 {
			fmt.Fprintf(tw, "%s\t%s\t-\tunproven\t-\t-\n", id, clip(printable(inv.Title), 40))
		}
		for _, st := range inv.States {
			latest := "-"
			if st.Latest != nil {
				latest = st.Latest.ID
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", id, clip(printable(inv.Title), 40), printable(st.Environment), st.State,
				stampPtr(st.Since), latest)
		}
	}
	tw.Flush()
}

func printInvariant(w io.Writer, inv *client.Invariant) {
	k := newKV(w)
	k.row("Invariant", inv.ID)
	k.row("Title", inv.Title)
	k.row("Owner", inv.Owner)
	k.row("Severity", inv.Severity)
	k.row("Critical", fmt.Sprint(inv.Critical))
	k.row("Required", fmt.Sprint(inv.Required))
	k.row("Max age", inv.MaxAge)
	k.row("First seen", stamp(inv.FirstSeen))
	k.row("Retired", stampPtr(inv.RetiredAt))
	k.flush()
	if len(inv.States) == 0 {
		fmt.Fprintln(w, "no results: unproven")
		return
	}
	fmt.Fprintln(w)
	tw := table(w)
	fmt.Fprintln(tw, "ENVIRONMENT\tSTATE\tSINCE\tLATEST RESULT")
	for _, st := range inv.States {
		latest := "-"
		if st.Latest != nil {
			latest = st.Latest.Status + " " + st.Latest.ID
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", printable(st.Environment), st.State, stampPtr(st.Since), latest)
	}
	tw.Flush()
}

func printInvariantResults(w io.Writer, page *client.InvariantResultPage) {
	if len(page.Results) == 0 {
		fmt.Fprintln(w, "no results")
		return
	}
	tw := table(w)
	fmt.Fprintln(tw, "OBSERVED\tSTATUS\tENVIRONMENT\tSOURCE\tID")
	for _, r := range page.Results {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", stamp(r.ObservedAt), r.Status, printable(r.Environment), printable(r.Source), r.ID)
	}
	tw.Flush()
	more(w, page.NextCursor)
}

func printInvariantResult(w io.Writer, r *client.InvariantResult) {
	k := newKV(w)
	k.row("Result", r.ID)
	k.row("Invariant", r.InvariantID)
	k.row("Status", r.Status)
	k.row("Environment", r.Environment)
	k.row("Observed", stamp(r.ObservedAt))
	k.row("Recorded", stamp(r.RecordedAt))
	k.row("Source", r.Source)
	k.row("Correlation", r.CorrelationID)
	k.row("Bundle", r.BundleID)
	k.row("Item", r.ItemID)
	if d := strings.TrimSpace(string(r.Details)); d != "" && d != "{}" && d != "null" {
		k.row("Details", clip(d, 200))
	}
	if len(r.RedactedPaths) > 0 {
		k.row("Redacted", strings.Join(r.RedactedPaths, ", "))
	}
	k.flush()
}

func printGuardReports(w io.Writer, page *client.GuardReportPage) {
	if len(page.Reports) == 0 {
		fmt.Fprintln(w, "no reports")
		return
	}
	tw := table(w)
	fmt.Fprintln(tw, "OBSERVED\tSUBJECT\tMODE\tOPEN\tCRIT\tHIGH\tMED\tLOW\tINFO\tID")
	for _, r := range page.Reports {
		c := r.Counts
		fmt.Fprintf(tw, "%s\t%s\t%s\t%t\t%d\t%d\t%d\t%d\t%d\t%s\n", stamp(r.ObservedAt), printable(r.Subject), r.Mode, r.Open,
			c.Critical, c.High, c.Medium, c.Low, c.Info, r.ID)
	}
	tw.Flush()
	more(w, page.NextCursor)
}

func printGuardReport(w io.Writer, r *client.GuardReport) {
	k := newKV(w)
	k.row("Report", r.ID)
	k.row("Guard", r.Guard)
	k.row("Subject", r.Subject)
	k.row("Mode", r.Mode)
	k.row("Open", fmt.Sprint(r.Open))
	c := r.Counts
	k.row("Counts", fmt.Sprintf("%d critical, %d high, %d medium, %d low, %d info", c.Critical, c.High, c.Medium, c.Low, c.Info))
	k.row("Observed", stamp(r.ObservedAt))
	k.row("Recorded", stamp(r.RecordedAt))
	k.row("Source", r.Source)
	k.row("Source URL", r.SourceURL)
	k.row("Correlation", r.CorrelationID)
	k.flush()
	if len(r.Findings) == 0 {
		return
	}
	fmt.Fprintln(w)
	tw := table(w)
	fmt.Fprintln(tw, "SEVERITY\tRULE\tLOCATION\tMESSAGE")
	for _, f := range r.Findings {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", f.Severity, printable(f.RuleID), printable(f.Location), clip(printable(f.Message), 100))
	}
	tw.Flush()
}

func printReconciliations(w io.Writer, rs []client.Reconciliation) {
	if len(rs) == 0 {
		fmt.Fprintln(w, "no reconciliation records")
		return
	}
	tw := table(w)
	fmt.Fprintln(tw, "SEVERITY\tSTATE\tKIND\tON\tOWNER\tUPDATED\tSUMMARY\tID")
	for _, r := range rs {
		on := r.Component
		if on == "" {
			on = r.InvariantID
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Severity, r.State, printable(r.Kind), printable(on),
			printable(r.Owner), stamp(r.UpdatedAt), clip(printable(r.Evidence.Summary), 60), r.ID)
	}
	tw.Flush()
}

func printReconciliation(w io.Writer, r *client.Reconciliation) {
	k := newKV(w)
	k.row("Record", r.ID)
	k.row("Kind", r.Kind)
	k.row("Component", r.Component)
	k.row("Invariant", r.InvariantID)
	k.row("Severity", r.Severity)
	k.row("Owner", r.Owner)
	k.row("State", r.State)
	k.row("May move to", strings.Join(r.AllowedNext, ", "))
	k.row("Next action", r.NextAction)
	k.row("Next action by", r.NextActionOwner)
	k.row("Accepted until", stampPtr(r.AcceptedUntil))
	k.row("Summary", r.Evidence.Summary)
	k.row("Created", stamp(r.CreatedAt)+" by "+r.CreatedBy)
	k.row("Updated", stamp(r.UpdatedAt))
	k.row("Resolved", stampPtr(r.ResolvedAt))
	k.row("Correlation", r.CorrelationID)
	k.flush()
	if len(r.Timeline) == 0 {
		return
	}
	fmt.Fprintln(w)
	tw := table(w)
	fmt.Fprintln(tw, "AT\tFROM\tTO\tBY\tREASON")
	for _, t := range r.Timeline {
		from := t.From
		if from == "" {
			from = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", stamp(t.At), from, t.To, printable(t.Actor), clip(printable(t.Reason), 80))
	}
	tw.Flush()
}

func printGateResults(w io.Writer, page *client.GateResultPage) {
	if len(page.Results) == 0 {
		fmt.Fprintln(w, "no results")
		return
	}
	tw := table(w)
	fmt.Fprintln(tw, "EVALUATED\tSUBJECT\tVERDICT\tNOW\tBLOCKING\tBY\tID")
	for _, r := range page.Results {
		var blocking []string
		for _, reason := range r.Reasons {
			if reason.Outcome == "block" {
				blocking = append(blocking, reason.Rule)
			}
		}
		b := strings.Join(blocking, ",")
		if b == "" {
			b = "-"
		}
		now := "-"
		if r.Current != nil {
			now = r.Current.Verdict
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", stamp(r.EvaluatedAt), printable(r.Subject), r.Verdict, now, b, printable(r.Evaluator), r.ID)
	}
	tw.Flush()
	more(w, page.NextCursor)
}

func printWaivers(w io.Writer, ws []client.Waiver) {
	if len(ws) == 0 {
		fmt.Fprintln(w, "no waivers")
		return
	}
	tw := table(w)
	fmt.Fprintln(tw, "RULE\tSUBJECT\tACTIVE\tEXPIRES\tBY\tREASON\tID")
	for _, wv := range ws {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", wv.Rule, printable(wv.Subject), waiverState(&wv), stamp(wv.ExpiresAt),
			printable(wv.CreatedBy), clip(printable(wv.Reason), 60), wv.ID)
	}
	tw.Flush()
}

// waiverState says whether a waiver excuses its rule: true, or false and
// why not when it is the rule that changed.
func waiverState(wv *client.Waiver) string {
	if wv.RuleChanged {
		return "false (rule changed)"
	}
	return fmt.Sprint(wv.Active)
}

func printWaiver(w io.Writer, wv *client.Waiver) {
	k := newKV(w)
	k.row("Waiver", wv.ID)
	k.row("Gate", wv.Gate)
	k.row("Rule", wv.Rule)
	k.row("Subject", wv.Subject)
	k.row("Active", waiverState(wv))
	k.row("Expires", stamp(wv.ExpiresAt))
	k.row("Created", stamp(wv.CreatedAt)+" by "+wv.CreatedBy)
	k.row("Reason", wv.Reason)
	k.flush()
}

func printWithdrawal(w io.Writer, wd *client.Withdrawal) {
	k := newKV(w)
	k.row("Withdrawal", wd.ID)
	k.row("Gate", wd.Gate)
	k.row("Subject", wd.Subject)
	k.row("Result", wd.ResultID+" ("+wd.Verdict+")")
	k.row("Withdrawn", stamp(wd.WithdrawnAt)+" by "+wd.WithdrawnBy)
	k.row("Reason", wd.Reason)
	k.flush()
}
