package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/aeso-dev/aeso/client"
	"github.com/spf13/cobra"
)

func newGetCmd() *cobra.Command {
	var cf clientFlags
	cmd := &cobra.Command{
		Use:   "get REF",
		Short: "Open the row a reason's ref names (component_status:ID, gate_result:ID, …)",
		Long: `get opens what a ref names, the ref exactly as aeso status, a gate result or a
snapshot prints it: component:NAME, component_status:ID, invariant:ID,
invariant_result:ID, bundle:ID[@DIGEST], item:ID, gate:NAME,
gate_rule:GATE/RULE, gate_result:ID, waiver:ID, gate_withdrawal:ID,
guard_report:ID, reconciliation:ID (or reconciliation:* for the open
records), snapshot:ID. It prints the kind, the API route that answers the
row, and the row; with --json the answer of GET /v1/refs/{ref}. Reading a
kind needs the scope its own route needs.`,
		Example: "  aeso get gate_result:0190a1b2-0000-7000-8000-000000000000\n  aeso status --json | jq -r '.reasons[].ref' | xargs -n1 aeso get",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := cf.client()
			if err != nil {
				return err
			}
			ref, err := c.ResolveRef(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if cf.json {
				return printJSON(cmd.OutOrStdout(), ref)
			}
			return printRef(cmd.OutOrStdout(), ref)
		},
	}
	cf.register(cmd)
	return cmd
}

// printRef prints a resolved ref with the view of its kind; a kind
// without one is printed as indented JSON.
func printRef(w io.Writer, ref *client.Ref) error {
	fmt.Fprintf(w, "%s %s\n", ref.Kind, printable(ref.Ref))
	fmt.Fprintf(w, "GET %s\n\n", printable(ref.URL))
	as := func(v any, print func()) error {
		if err := json.Unmarshal(ref.Object, v); err != nil {
			return fmt.Errorf("the answer for %s is not a %s: %w", ref.Ref, ref.Kind, err)
		}
		print()
		return nil
	}
	switch ref.Kind {
	case "component":
		var v client.Component
		return as(&v, func() { printComponent(w, &v) })
	case "component_status":
		var v client.ComponentReport
		return as(&v, func() { printComponentReport(w, &v) })
	case "invariant":
		var v client.Invariant
		return as(&v, func() { printInvariant(w, &v) })
	case "invariant_result":
		var v client.InvariantResult
		return as(&v, func() { printInvariantResult(w, &v) })
	case "bundle":
		var v client.Bundle
		return as(&v, func() { printBundle(w, &v, 0) })
	case "item":
		var v client.Item
		return as(&v, func() { printItem(w, &v) })
	case "gate_result":
		var v client.GateResult
		return as(&v, func() { printGateResult(w, &v) })
	case "waiver":
		var v client.Waiver
		return as(&v, func() { printWaiver(w, &v) })
	case "gate_withdrawal":
		var v client.Withdrawal
		return as(&v, func() { printWithdrawal(w, &v) })
	case "guard_report":
		var v client.GuardReport
		return as(&v, func() { printGuardReport(w, &v) })
	case "reconciliation":
		if ref.Ref == "reconciliation:*" {
			var v struct {
				Records []client.Reconciliation `json:"records"`
			}
			return as(&v, func() { printReconciliations(w, v.Records) })
		}
		var v client.Reconciliation
		return as(&v, func() { printReconciliation(w, &v) })
	case "snapshot":
		var v client.Status
		return as(&v, func() { printStatus(w, &v) })
	}
	var out bytes.Buffer
	if err := json.Indent(&out, ref.Object, "", "  "); err != nil {
		return err
	}
	for _, line := range strings.Split(out.String(), "\n") {
		fmt.Fprintln(w, printable(line))
	}
	return nil
}
