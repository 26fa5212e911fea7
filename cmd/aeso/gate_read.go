package main

import (
	"github.com/spf13/cobra"
)

// newGateResultsCmd lists a gate's stored results.
func newGateResultsCmd(cf *clientFlags) *cobra.Command {
	var subject string
	var pf pageFlags
	cmd := &cobra.Command{
		Use:     "results GATE [--subject REF]",
		Short:   "List a gate's results, newest first",
		Example: "  aeso gate results release --subject api@v1.4.2\n  aeso get gate_result:ID   # one result with its reasons",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := cf.client()
			if err != nil {
				return err
			}
			page, err := c.GateResults(cmd.Context(), args[0], subject, pf.cursor, pf.limit)
			if err != nil {
				return err
			}
			if cf.json {
				return printJSON(cmd.OutOrStdout(), page)
			}
			printGateResults(cmd.OutOrStdout(), page)
			return nil
		},
	}
	cmd.Flags().StringVar(&subject, "subject", "", "only results for this subject")
	pf.register(cmd)
	return cmd
}

// newGateWaiversCmd lists a gate's waivers, expired ones included.
func newGateWaiversCmd(cf *clientFlags) *cobra.Command {
	var subject string
	var pf pageFlags
	cmd := &cobra.Command{
		Use:   "waivers GATE [--subject REF]",
		Short: "List a gate's waivers, newest first, with whether each is active",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := cf.client()
			if err != nil {
				return err
			}
			page, err := c.GateWaiverPage(cmd.Context(), args[0], subject, pf.cursor, pf.limit)
			if err != nil {
				return err
			}
			if cf.json {
				return printJSON(cmd.OutOrStdout(), page.Waivers)
			}
			printWaivers(cmd.OutOrStdout(), page.Waivers)
			more(cmd.OutOrStdout(), page.NextCursor)
			return nil
		},
	}
	cmd.Flags().StringVar(&subject, "subject", "", "only waivers for this subject")
	pf.register(cmd)
	return cmd
}
