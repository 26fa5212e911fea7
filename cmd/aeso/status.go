package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/aeso-dev/aeso/client"
)

// postureVerdict is how aeso status ends for a posture: nil when healthy,
// a verdict when degraded (exit 1) or blocked (exit 3), and an error
// (exit 2) for a posture this client does not know, which it will not read
// as healthy.
func postureVerdict(posture string) error {
	switch posture {
	case "healthy":
		return nil
	case "degraded":
		return &exitError{code: 1, err: errors.New("posture is degraded")}
	case "blocked":
		return &exitError{code: 3, err: errors.New("posture is blocked")}
	}
	return fmt.Errorf("the server answered an unknown posture %q", posture)
}

func newStatusCmd() *cobra.Command {
	var cf clientFlags
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Print the posture and its reasons; exit 0 healthy, 1 degraded, 3 blocked, 2 error",
		Long: `status asks aeso whether the platform is healthy, degraded or blocked, and
prints every reason with the row that caused it, then each component.
Exit codes: 0 healthy, 1 degraded, 3 blocked, 2 error, so a script or a
pipeline can act on it.`,
		Example: "  aeso status\n  aeso status --json | jq '.reasons[] | select(.level == \"blocked\")'",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := cf.client()
			if err != nil {
				return err
			}
			st, err := c.Status(cmd.Context())
			if err != nil {
				return err
			}
			if err := printStatusAs(cmd.OutOrStdout(), st, cf.json); err != nil {
				return err
			}
			return postureVerdict(st.Posture)
		},
	}
	cf.register(cmd)

	var interval time.Duration
	var count int
	watch := &cobra.Command{
		Use:   "watch",
		Short: "Refresh the posture until interrupted",
		Long: `watch asks for the posture every --interval. On a terminal it redraws the
screen; otherwise it prints the posture whenever it changes: its level or
any reason (source, ref, level or message), so a component going from
stale to dead is printed even though the level stays the same. A failed
request is shown and retried at the next tick.
When it stops (after --count reads, or interrupted) it exits as status does
for the last read: 0 healthy, 1 degraded, 3 blocked, 2 if that read failed.`,
		Example: "  aeso status watch --interval 10s",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if interval < time.Second {
				return fmt.Errorf("--interval must be at least 1s")
			}
			c, err := cf.client()
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return watchStatus(ctx, cmd.OutOrStdout(), c, interval, count, cf.json)
		},
	}
	durationVar(watch.Flags(), &interval, "interval", 5*time.Second, "how often to ask")
	watch.Flags().IntVar(&count, "count", 0, "stop after this many refreshes (0: until interrupted)")

	var note string
	snapshot := &cobra.Command{
		Use:     "snapshot",
		Short:   "Store the posture now as a readiness snapshot (history that never changes)",
		Example: "  aeso status snapshot --note 'before the v1.4.2 rollout'",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := cf.client()
			if err != nil {
				return err
			}
			st, err := c.TakeSnapshot(cmd.Context(), note)
			if err != nil {
				return err
			}
			return printStatusAs(cmd.OutOrStdout(), st, cf.json)
		},
	}
	snapshot.Flags().StringVar(&note, "note", "", "why the snapshot is taken")

	var limit int
	var cursor string
	history := &cobra.Command{
		Use:   "history [SNAPSHOT_ID]",
		Short: "List readiness snapshots, or print one",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := cf.client()
			if err != nil {
				return err
			}
			if len(args) == 1 {
				st, err := c.Snapshot(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				return printStatusAs(cmd.OutOrStdout(), st, cf.json)
			}
			page, err := c.Snapshots(cmd.Context(), cursor, limit)
			if err != nil {
				return err
			}
			if cf.json {
				return printJSON(cmd.OutOrStdout(), page)
			}
			printSnapshots(cmd.OutOrStdout(), page)
			return nil
		},
	}
	history.Flags().IntVar(&limit, "limit", 20, "snapshots per page")
	history.Flags().StringVar(&cursor, "cursor", "", "next_cursor of the previous page")
	cmd.AddCommand(watch, snapshot, history)
	return cmd
}

func printStatusAs(w io.Writer, st *client.Status, asJSON bool) error {
	if asJSON {
		return printJSON(w, st)
	}
	printStatus(w, st)
	return nil
}

// watchStatus prints the posture until count reads are done or ctx ends,
// then ends as aeso status would for the last read: the posture's verdict,
// or the error when that read failed, so a script that watches for a while
// still learns how things stand.
func watchStatus(ctx context.Context, w io.Writer, c *client.Client, interval time.Duration, count int, asJSON bool) error {
	f, isFile := w.(*os.File)
	redraw := isFile && term.IsTerminal(int(f.Fd())) && !asJSON
	last := ""
	t := time.NewTicker(interval)
	defer t.Stop()
	ended := errors.New("stopped before the posture was read")
	for n := 1; ; n++ {
		st, err := c.Status(ctx)
		if ctx.Err() != nil {
			return ended
		}
		if err != nil {
			ended = fmt.Errorf("the last read of the posture failed: %w", err)
		} else {
			ended = postureVerdict(st.Posture)
		}
		switch {
		case redraw:
			fmt.Fprint(w, "\x1b[H\x1b[2J")
			fmt.Fprintf(w, "every %s, Ctrl-C to stop; last asked %s\n\n", interval, time.Now().Format(time.TimeOnly))
			if err != nil {
				fmt.Fprintf(w, "could not read the posture: %v\n", err)
			} else {
				printStatus(w, st)
			}
		case err != nil:
			fmt.Fprintf(w, "%s could not read the posture: %v\n", time.Now().UTC().Format(time.RFC3339), err)
			last = ""
		case reasonsKey(st) != last:
			last = reasonsKey(st)
			if err := printStatusAs(w, st, asJSON); err != nil {
				return err
			}
			if !asJSON {
				fmt.Fprintln(w)
			}
		}
		if count > 0 && n >= count {
			return ended
		}
		select {
		case <-ctx.Done():
			return ended
		case <-t.C:
		}
	}
}

// reasonsKey is what watch compares between polls: the level and every
// reason's source, ref, level and message. The inputs digest leaves out
// messages, so it cannot tell "stale" from "dead" on the same report.
func reasonsKey(st *client.Status) string {
	var b strings.Builder
	b.WriteString(st.Posture)
	for _, r := range st.Reasons {
		fmt.Fprintf(&b, "\x00%s\x00%s\x00%s\x00%s", r.Source, r.Ref, r.Level, r.Message)
	}
	return b.String()
}

func printStatus(w io.Writer, st *client.Status) {
	if st.Kind == "snapshot" && st.Snapshot != nil {
		s := st.Snapshot
		fmt.Fprintf(w, "SNAPSHOT %s taken %s by %s (%s): history, not the posture now\n", s.ID,
			s.TakenAt.UTC().Format(time.RFC3339), printable(s.TakenBy), s.Cause)
		if s.Note != "" {
			fmt.Fprintf(w, "note: %s\n", printable(s.Note))
		}
	}
	where := ""
	if st.Environment != "" {
		where = ", invariants in " + st.Environment
	}
	fmt.Fprintf(w, "%s (at %s%s; inputs %s)\n", strings.ToUpper(st.Posture), st.EvaluatedAt.UTC().Format(time.RFC3339), where, st.InputsDigest)
	if len(st.Reasons) == 0 {
		fmt.Fprintln(w, "no reasons: every rule holds")
		if len(st.Components) == 0 {
			fmt.Fprintln(w, "(no components are defined: the config's components section lists what to watch)")
		}
	} else {
		tw := table(w)
		fmt.Fprintln(tw, "LEVEL\tSOURCE\tSINCE\tMESSAGE\tREF")
		for _, r := range st.Reasons {
			since := "-"
			if r.Since != nil {
				since = r.Since.UTC().Format(time.RFC3339)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Level, r.Source, since, clip(printable(r.Message), 120), printable(r.Ref))
		}
		tw.Flush()
	}
	if len(st.Components) > 0 {
		fmt.Fprintln(w)
		tw := table(w)
		fmt.Fprintln(tw, "COMPONENT\tSTATUS\tFRESHNESS\tPOSTURE\tLAST REPORT")
		for _, c := range st.Components {
			last := "never"
			if c.ObservedAt != nil {
				last = c.ObservedAt.UTC().Format(time.RFC3339)
			}
			name := c.Name
			if c.Critical {
				name += " (critical)"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", name, c.Status, c.Freshness, c.Posture, last)
		}
		tw.Flush()
	}
	o := st.OpenReconciliations
	if total := o["critical"] + o["high"] + o["medium"] + o["low"]; total > 0 {
		fmt.Fprintf(w, "\nopen reconciliation records: %d critical, %d high, %d medium, %d low\n",
			o["critical"], o["high"], o["medium"], o["low"])
	}
}

func printSnapshots(w io.Writer, page *client.SnapshotPage) {
	if len(page.Snapshots) == 0 {
		fmt.Fprintln(w, "no snapshots")
		return
	}
	tw := table(w)
	fmt.Fprintln(tw, "TAKEN\tPOSTURE\tCAUSE\tBY\tNOTE\tID")
	for _, s := range page.Snapshots {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", s.TakenAt.UTC().Format(time.RFC3339), s.Posture, s.Cause,
			printable(s.TakenBy), clip(printable(s.Note), 60), s.ID)
	}
	tw.Flush()
	if page.NextCursor != nil {
		fmt.Fprintf(w, "more: --cursor %s\n", *page.NextCursor)
	}
}
