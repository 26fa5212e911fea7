package main

import (
	"errors"
	"fmt"

	"github.com/aeso-dev/aeso/client"
	"github.com/spf13/cobra"
)

func newReconcileCmd() *cobra.Command {
	var cf clientFlags
	cmd := &cobra.Command{Use: "reconcile", Short: "Read, open and move reconciliation records (drift and failed invariants)"}
	cf.register(cmd)

	var q client.ReconciliationQuery
	list := &cobra.Command{
		Use:     "list [--open] [--component NAME] [--severity LEVEL]",
		Short:   "List records, newest first, a page at a time",
		Example: "  aeso reconcile list --open\n  aeso reconcile list --component api --severity high",
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := cf.client()
			if err != nil {
				return err
			}
			page, err := c.ReconciliationPage(cmd.Context(), q)
			if err != nil {
				return err
			}
			if cf.json {
				return printJSON(cmd.OutOrStdout(), page.Records)
			}
			printReconciliations(cmd.OutOrStdout(), page.Records)
			more(cmd.OutOrStdout(), page.NextCursor)
			return nil
		},
	}
	list.Flags().BoolVar(&q.Open, "open", false, "only records not yet resolved")
	list.Flags().StringVar(&q.Component, "component", "", "only records on this component")
	list.Flags().StringVar(&q.InvariantID, "invariant", "", "only records on this invariant")
	list.Flags().StringVar(&q.Owner, "owner", "", "only records of this owner")
	list.Flags().StringVar(&q.Severity, "severity", "", "only records of this severity: low, medium, high or critical")
	list.Flags().IntVar(&q.Limit, "limit", 0, "at most this many records (default: the server's)")
	list.Flags().StringVar(&q.Cursor, "cursor", "", "the page after this cursor (printed under a page that has more)")

	show := &cobra.Command{
		Use:   "show ID",
		Short: "Show a record with its timeline",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := cf.client()
			if err != nil {
				return err
			}
			r, err := c.Reconciliation(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if cf.json {
				return printJSON(cmd.OutOrStdout(), r)
			}
			printReconciliation(cmd.OutOrStdout(), r)
			return nil
		},
	}

	var req client.ReconciliationRequest
	open := &cobra.Command{
		Use:     "open (--component NAME | --invariant ID) --severity LEVEL --owner TEAM --summary TEXT",
		Short:   "Record detected drift or a failed invariant (audited)",
		Example: "  aeso reconcile open --component api --kind drift --severity high --owner platform --summary 'replicas 2, want 3'",
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := cf.client()
			if err != nil {
				return err
			}
			r, err := c.OpenReconciliation(cmd.Context(), req)
			if err != nil {
				return err
			}
			if cf.json {
				return printJSON(cmd.OutOrStdout(), r)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "reconciliation %s: %s %s, %s\n", r.ID, r.Severity, printable(r.Kind), r.State)
			return nil
		},
	}
	open.Flags().StringVar(&req.Component, "component", "", "the component that drifted")
	open.Flags().StringVar(&req.InvariantID, "invariant", "", "the invariant that failed")
	open.Flags().StringVar(&req.Kind, "kind", "drift", "what was found, e.g. drift")
	open.Flags().StringVar(&req.Severity, "severity", "", "low, medium, high or critical")
	open.Flags().StringVar(&req.Owner, "owner", "", "who repairs it")
	open.Flags().StringVar(&req.Evidence.Summary, "summary", "", "what shows the drift")
	open.Flags().StringVar(&req.CorrelationID, "correlation-id", "", "correlation id, e.g. the detecting job's id")

	var tr client.TransitionRequest
	move := &cobra.Command{
		Use:   "move ID --to STATE [--reason TEXT]",
		Short: "Move a record to another state (audited)",
		Long: `move walks a record through its states: detected → repairing → repaired /
cleaned_up / blocked (with --next-action and --next-action-owner) / accepted
(with --accepted-until) → resolved. aeso reconcile show ID lists the states
it may move to.`,
		Example: "  aeso reconcile move 0190… --to blocked --next-action 'raise the quota' --next-action-owner capacity",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if tr.State == "" {
				return &usageError{cmd: cmd, err: errors.New("--to is required")}
			}
			c, err := cf.client()
			if err != nil {
				return err
			}
			r, err := c.MoveReconciliation(cmd.Context(), args[0], tr)
			if err != nil {
				return err
			}
			if cf.json {
				return printJSON(cmd.OutOrStdout(), r)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "reconciliation %s is %s\n", r.ID, r.State)
			return nil
		},
	}
	move.Flags().StringVar(&tr.State, "to", "", "the state to move to")
	move.Flags().StringVar(&tr.Reason, "reason", "", "why")
	move.Flags().StringVar(&tr.NextAction, "next-action", "", "with --to blocked: what must happen next")
	move.Flags().StringVar(&tr.NextActionOwner, "next-action-owner", "", "with --to blocked: who does it")
	move.Flags().StringVar(&tr.AcceptedUntil, "accepted-until", "", "with --to accepted: until when (RFC 3339)")
	cmd.AddCommand(list, show, open, move)
	return cmd
}
