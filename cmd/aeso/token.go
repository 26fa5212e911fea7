package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aeso-dev/aeso/client"
	"github.com/spf13/cobra"
)

func newTokenCmd() *cobra.Command {
	var cf clientFlags
	cmd := &cobra.Command{Use: "token", Short: "Create, list and revoke access tokens (admin)"}
	cf.register(cmd)

	var req client.TokenRequest
	var expiresIn time.Duration
	create := &cobra.Command{
		Use:     "create",
		Short:   "Create a token; its secret is printed once",
		Example: "  aeso token create --principal ci-deployer --scope audit:write --scope audit:read --expires-in 2160h",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := cf.client()
			if err != nil {
				return err
			}
			if expiresIn > 0 {
				t := time.Now().Add(expiresIn).UTC()
				req.ExpiresAt = &t
			}
			t, err := c.CreateToken(cmd.Context(), req)
			if err != nil {
				return err
			}
			if cf.json {
				return printJSON(cmd.OutOrStdout(), t)
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "token %s for %s (%s); the secret below is shown only once:\n",
				t.ID, t.Principal, strings.Join(t.Scopes, ", "))
			fmt.Fprintln(cmd.OutOrStdout(), t.Secret)
			return nil
		},
	}
	create.Flags().StringVar(&req.Principal, "principal", "", "identity recorded as the source of what the token sends")
	create.Flags().StringVar(&req.Name, "name", "", "a description, e.g. 'GitLab deploy job'")
	create.Flags().StringSliceVar(&req.Scopes, "scope", nil, "scope to grant (repeatable): audit:write, audit:read, evidence:write, evidence:read, status:write, status:read, gates:write, gates:override, admin")
	durationVar(create.Flags(), &expiresIn, "expires-in", 0, "lifetime, e.g. 720h (default: no expiry)")

	list := &cobra.Command{
		Use:   "list",
		Short: "List tokens (never their secrets)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := cf.client()
			if err != nil {
				return err
			}
			tokens, err := c.ListTokens(cmd.Context())
			if err != nil {
				return err
			}
			if cf.json {
				return printJSON(cmd.OutOrStdout(), tokens)
			}
			printTokens(cmd.OutOrStdout(), tokens)
			return nil
		},
	}
	revoke := &cobra.Command{
		Use:   "revoke ID",
		Short: "Revoke a token (at once here, within a second on other replicas)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := cf.client()
			if err != nil {
				return err
			}
			t, err := c.RevokeToken(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if cf.json {
				return printJSON(cmd.OutOrStdout(), t)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "revoked token %s (%s)\n", t.ID, t.Principal)
			return nil
		},
	}
	cmd.AddCommand(create, list, revoke)
	return cmd
}

func printTokens(w io.Writer, tokens []client.Token) {
	tw := table(w)
	fmt.Fprintln(tw, "ID\tPRINCIPAL\tNAME\tSCOPES\tCREATED\tSTATE")
	for _, t := range tokens {
		state := "active"
		switch {
		case t.RevokedAt != nil:
			state = "revoked " + t.RevokedAt.Format(time.RFC3339)
		case !t.Active:
			state = "expired"
		case t.ExpiresAt != nil:
			state = "active until " + t.ExpiresAt.Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Principal, printable(t.Name),
			strings.Join(t.Scopes, ","), t.CreatedAt.Format(time.RFC3339), state)
	}
	tw.Flush()
}
