package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	root "github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/client"
)

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func table(w io.Writer) *tabwriter.Writer { return tabwriter.NewWriter(w, 0, 4, 2, ' ', 0) }

// printable replaces control characters, bidirectional overrides and line
// separators, so text recorded by others (before aeso refused them, or in
// fields that allow them) cannot move the cursor, recolour the terminal
// or reorder what whoever reads it sees.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if root.UnsafeText(string(r), false) {
			return '�'
		}
		return r
	}, s)
}

func printEvents(w io.Writer, events []client.Event) {
	if len(events) == 0 {
		fmt.Fprintln(w, "no events")
		return
	}
	tw := table(w)
	fmt.Fprintln(tw, "SEQ\tOCCURRED\tSEVERITY\tRESULT\tCATEGORY\tSUMMARY\tID")
	for _, e := range events {
		p := e.Presentation
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", e.Seq, e.OccurredAt.Format(time.RFC3339),
			p.Severity, p.ResultLabel, p.ActionCategory, clip(printable(p.Summary), 80), e.ID)
	}
	tw.Flush()
}

func printReceipt(w io.Writer, r *client.BatchReceipt) {
	tw := table(w)
	fmt.Fprintln(tw, "SEQ\tSTATUS\tID")
	for _, e := range r.Events {
		fmt.Fprintf(tw, "%d\t%s\t%s\n", e.Seq, e.Status, e.ID)
	}
	tw.Flush()
	fmt.Fprintf(w, "%d created, %d replayed\n", r.Created, r.Replayed)
}

func printEvent(w io.Writer, e *client.Event) {
	p := e.Presentation
	tw := table(w)
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "%s\t%s\n", printable(k), printable(v))
		}
	}
	row("Summary", p.Summary)
	row("Action", fmt.Sprintf("%s (%s / %s / %s)", e.Action, p.ActionCategory, p.ActionFamily, p.ActionLabel))
	row("Result", p.ResultLabel)
	row("Severity", p.Severity)
	row("Actor", p.ActorLabel+" ["+p.DebugRefs.ActorRef+"]")
	row("Actor role", e.ActorRole)
	if p.DebugRefs.TargetRef != "" {
		row("Target", p.TargetTypeLabel+" "+p.TargetLabel+" ["+p.DebugRefs.TargetRef+"]")
	}
	row("Occurred", e.OccurredAt.Format(time.RFC3339Nano))
	row("Recorded", e.RecordedAt.Format(time.RFC3339Nano))
	row("ID", e.ID)
	row("Seq", fmt.Sprint(e.Seq))
	row("Source", e.Source)
	row("Correlation", e.CorrelationID)
	row("Request", e.RequestID)
	row("Trace", e.TraceID)
	if !p.Registered {
		row("Registered", "no (fallback labels)")
	}
	keys := make([]string, 0, len(p.SafeDetails))
	for k := range p.SafeDetails {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		row("Detail "+k, fmt.Sprint(p.SafeDetails[k]))
	}
	if len(e.RedactedPaths) > 0 {
		row("Redacted", strings.Join(e.RedactedPaths, ", "))
	}
	tw.Flush()
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// parseTimeFlags parses optional RFC 3339 flag values into their targets.
func parseTimeFlags(flags map[string]struct {
	s   string
	dst *time.Time
}) error {
	for flag, v := range flags {
		if v.s == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, v.s)
		if err != nil {
			return fmt.Errorf("%s must be an RFC 3339 time, e.g. 2026-01-02T15:04:05Z", flag)
		}
		*v.dst = t
	}
	return nil
}
