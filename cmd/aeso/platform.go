package main

import (
	"errors"

	"github.com/aeso-dev/aeso/client"

	"github.com/spf13/cobra"
)

// Reading components, invariants and guard reports: tables by default,
// --json for scripts.

// pageFlags are the paging flags of a history command.
type pageFlags struct {
	cursor string
	limit  int
}

func (p *pageFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&p.cursor, "cursor", "", "the cursor a previous page printed")
	cmd.Flags().IntVar(&p.limit, "limit", 0, "rows per page (default: the server's)")
}

func newComponentCmd() *cobra.Command {
	var cf clientFlags
	cmd := &cobra.Command{Use: "component", Short: "Read components, their current status and history"}
	cf.register(cmd)
	list := &cobra.Command{
		Use:   "list",
		Short: "List every component with its status and freshness",
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := cf.client()
			if err != nil {
				return err
			}
			cs, err := c.Components(cmd.Context())
			if err != nil {
				return err
			}
			if cf.json {
				return printJSON(cmd.OutOrStdout(), cs)
			}
			printComponents(cmd.OutOrStdout(), cs)
			return nil
		},
	}
	show := &cobra.Command{
		Use:   "show NAME",
		Short: "Show one component and its latest report",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := cf.client()
			if err != nil {
				return err
			}
			v, err := c.Component(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if cf.json {
				return printJSON(cmd.OutOrStdout(), v)
			}
			printComponent(cmd.OutOrStdout(), v)
			return nil
		},
	}
	var pf pageFlags
	history := &cobra.Command{
		Use:   "history NAME",
		Short: "List a component's status reports, newest first",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := cf.client()
			if err != nil {
				return err
			}
			page, err := c.ComponentHistory(cmd.Context(), args[0], pf.cursor, pf.limit)
			if err != nil {
				return err
			}
			if cf.json {
				return printJSON(cmd.OutOrStdout(), page)
			}
			printComponentReports(cmd.OutOrStdout(), page)
			return nil
		},
	}
	pf.register(history)
	cmd.AddCommand(list, show, history)
	return cmd
}

func newInvariantCmd() *cobra.Command {
	var cf clientFlags
	var env string
	cmd := &cobra.Command{Use: "invariant", Short: "Read product invariants, their state per environment and history"}
	cf.register(cmd)
	cmd.PersistentFlags().StringVar(&env, "environment", "", "only this environment, e.g. production")
	list := &cobra.Command{
		Use:   "list",
		Short: "List every invariant with its state per environment",
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := cf.client()
			if err != nil {
				return err
			}
			invs, err := c.Invariants(cmd.Context(), env)
			if err != nil {
				return err
			}
			if cf.json {
				return printJSON(cmd.OutOrStdout(), invs)
			}
			printInvariants(cmd.OutOrStdout(), invs)
			return nil
		},
	}
	show := &cobra.Command{
		Use:   "show ID",
		Short: "Show one invariant and its state per environment",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := cf.client()
			if err != nil {
				return err
			}
			inv, err := c.Invariant(cmd.Context(), args[0], env)
			if err != nil {
				return err
			}
			if cf.json {
				return printJSON(cmd.OutOrStdout(), inv)
			}
			printInvariant(cmd.OutOrStdout(), inv)
			return nil
		},
	}
	var pf pageFlags
	history := &cobra.Command{
		Use:   "history ID",
		Short: "List an invariant's results, newest first",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := cf.client()
			if err != nil {
				return err
			}
			page, err := c.InvariantHistory(cmd.Context(), args[0], env, pf.cursor, pf.limit)
			if err != nil {
				return err
			}
			if cf.json {
				return printJSON(cmd.OutOrStdout(), page)
			}
			printInvariantResults(cmd.OutOrStdout(), page)
			return nil
		},
	}
	pf.register(history)
	cmd.AddCommand(list, show, history)
	return cmd
}

func newGuardCmd() *cobra.Command {
	var cf clientFlags
	cmd := &cobra.Command{Use: "guard", Short: "Read guard reports and their findings"}
	cf.register(cmd)
	var subject string
	var pf pageFlags
	list := &cobra.Command{
		Use:     "list GUARD [--subject REF]",
		Short:   "List a guard's reports, newest first",
		Example: "  aeso guard list gosec --subject api@v1.4.2",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := cf.client()
			if err != nil {
				return err
			}
			page, err := c.GuardReports(cmd.Context(), args[0], subject, pf.cursor, pf.limit)
			if err != nil {
				return err
			}
			if cf.json {
				return printJSON(cmd.OutOrStdout(), page)
			}
			printGuardReports(cmd.OutOrStdout(), page)
			return nil
		},
	}
	list.Flags().StringVar(&subject, "subject", "", "only reports for this subject")
	pf.register(list)
	var latestFor string
	show := &cobra.Command{
		Use:     "show GUARD [ID | --subject REF]",
		Short:   "Show one report with its findings: by id, or the newest for a subject",
		Example: "  aeso guard show gosec 0190a1b2-0000-7000-8000-000000000000\n  aeso guard show gosec --subject api@v1.4.2",
		Args:    cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if (len(args) == 2) == (latestFor != "") {
				return &usageError{cmd: cmd, err: errors.New("give a report ID or --subject, not both")}
			}
			c, err := cf.client()
			if err != nil {
				return err
			}
			var rep *client.GuardReport
			if latestFor != "" {
				rep, err = c.LatestGuardReport(cmd.Context(), args[0], latestFor)
			} else {
				rep, err = c.GuardReport(cmd.Context(), args[0], args[1])
			}
			if err != nil {
				return err
			}
			if cf.json {
				return printJSON(cmd.OutOrStdout(), rep)
			}
			printGuardReport(cmd.OutOrStdout(), rep)
			return nil
		},
	}
	show.Flags().StringVar(&latestFor, "subject", "", "show the newest report for this subject")
	cmd.AddCommand(list, show)
	return cmd
}
