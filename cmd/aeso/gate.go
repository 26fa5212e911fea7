package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aeso-dev/aeso/client"
	"github.com/spf13/cobra"
)

func newGateCmd() *cobra.Command {
	var cf clientFlags
	cmd := &cobra.Command{Use: "gate", Short: "Evaluate release gates, waive their rules, read their results and waivers"}
	cf.register(cmd)

	var subject, correlation string
	var dryRun bool
	check := &cobra.Command{
		Use:   "check GATE --subject REF [--dry-run]",
		Short: "Evaluate a gate; exit 0 on pass, 1 on block, 2 on error",
		Long: `check evaluates GATE for the subject (name or name@ref, e.g. api@v1.4.2) from
the evidence, invariant results, guard reports, component status and open
reconciliation records aeso holds, stores the result, and prints one reason
per rule. Exit codes: 0 pass, 1 block, 2 error, so a pipeline step is one line.

With --dry-run it evaluates the same way and records nothing: no result, no
audit event, and the posture does not change. Use it to look at an old
release, or before the pipeline's real check.`,
		Example: "  aeso gate check release --subject api@$CI_COMMIT_TAG\n  aeso gate check release --subject shop@v2.0.1 --dry-run",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if subject == "" {
				return errors.New("--subject is required (e.g. api@v1.4.2)")
			}
			c, err := cf.client()
			if err != nil {
				return err
			}
			evaluate := c.EvaluateGate
			if dryRun {
				evaluate = c.DryRunGate
			}
			res, err := evaluate(cmd.Context(), args[0], subject, correlation)
			if err != nil {
				return err
			}
			if cf.json {
				if err := printJSON(cmd.OutOrStdout(), res); err != nil {
					return err
				}
			} else {
				printGateResult(cmd.OutOrStdout(), res)
			}
			if res.Verdict != "pass" {
				return &exitError{code: 1, err: fmt.Errorf("gate %s blocks %s", args[0], subject)}
			}
			return nil
		},
	}
	check.Flags().StringVar(&subject, "subject", "", "what is being released: name or name@ref")
	check.Flags().StringVar(&correlation, "correlation-id", "", "correlation id, e.g. the pipeline id")
	check.Flags().BoolVar(&dryRun, "dry-run", false, "evaluate without recording the result")

	var rule, reason string
	var wsubject string
	var expiresIn time.Duration
	waive := &cobra.Command{
		Use:     "waive GATE --rule RULE --subject REF --reason TEXT --expires-in 24h",
		Short:   "Excuse one rule of a gate for one subject, for a while (audited; needs gates:override)",
		Example: "  aeso gate waive release --rule guards --subject api@v1.4.2 --reason 'CVE fix ships Friday' --expires-in 72h",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := cf.client()
			if err != nil {
				return err
			}
			w, err := c.WaiveGateRule(cmd.Context(), args[0], rule, wsubject, reason, time.Now().Add(expiresIn))
			if err != nil {
				return err
			}
			if cf.json {
				return printJSON(cmd.OutOrStdout(), w)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "waiver %s: rule %s of %s is excused for %s until %s\n",
				w.ID, w.Rule, w.Gate, w.Subject, w.ExpiresAt.Format(time.RFC3339))
			return nil
		},
	}
	waive.Flags().StringVar(&rule, "rule", "", "the rule to excuse (see GET /v1/gates for rule names)")
	waive.Flags().StringVar(&wsubject, "subject", "", "the subject it is excused for")
	waive.Flags().StringVar(&reason, "reason", "", "why (recorded and audited)")
	durationVar(waive.Flags(), &expiresIn, "expires-in", 24*time.Hour, "how long the waiver lasts (at most 720h)")
	var wdSubject, wdReason string
	withdraw := &cobra.Command{
		Use:   "withdraw GATE --subject REF --reason TEXT",
		Short: "Take a subject's latest result of a gate out of the posture (audited)",
		Long: `withdraw takes the subject's latest result of GATE out of the posture: the
release was abandoned, or an old release was checked again by mistake. The
result stays in the gate's history and the posture lists the withdrawal;
the newest result of another version of the name counts instead. Once the
subject is withdrawn from every posture gate that checked it, its guard
reports no longer count either. A later check of the subject records a new
result, which counts again. It needs a token with gates:override.`,
		Example: "  aeso gate withdraw release --subject shop@v2.0.1 --reason 'rechecked by mistake; v2.0.2 is live'",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if wdSubject == "" || strings.TrimSpace(wdReason) == "" {
				return errors.New("--subject and --reason are required")
			}
			c, err := cf.client()
			if err != nil {
				return err
			}
			w, err := c.WithdrawSubject(cmd.Context(), args[0], wdSubject, wdReason)
			if err != nil {
				return err
			}
			if cf.json {
				if err := printJSON(cmd.OutOrStdout(), w); err != nil {
					return err
				}
				return nil
			}
			fmt.Fprintf(cmd.OutOrStdout(), "withdrawal %s: result %s (%s) of %s for %s no longer counts in the posture\n",
				w.ID, w.ResultID, w.Verdict, w.Gate, printable(w.Subject))
			return nil
		},
	}
	withdraw.Flags().StringVar(&wdSubject, "subject", "", "the subject as it was checked: name or name@ref")
	withdraw.Flags().StringVar(&wdReason, "reason", "", "why it no longer counts (recorded and audited)")
	cmd.AddCommand(check, waive, withdraw, newGateResultsCmd(&cf), newGateWaiversCmd(&cf))
	return cmd
}

func printGateResult(w io.Writer, r *client.GateResult) {
	fmt.Fprintf(w, "%s %s for %s (rules %s, inputs %s)\n", strings.ToUpper(r.Verdict), r.Gate, printable(r.Subject),
		r.RulesetVersion, r.InputsDigest)
	if !r.Recorded {
		fmt.Fprintln(w, "dry run: not recorded")
	}
	if c := r.Current; c != nil && (c.Verdict != r.Verdict || len(c.Notes) > 0) {
		fmt.Fprintf(w, "now %s (evaluated %s):\n", strings.ToUpper(c.Verdict), stamp(r.EvaluatedAt))
		for _, n := range c.Notes {
			fmt.Fprintf(w, "  %s\n", printable(n))
		}
	}
	tw := table(w)
	fmt.Fprintln(tw, "RULE\tOUTCOME\tDETAIL")
	for _, reason := range r.Reasons {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", reason.Rule, reason.Outcome, printable(reason.Detail))
	}
	tw.Flush()
}
