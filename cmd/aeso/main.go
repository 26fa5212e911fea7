// Command aeso is the Audit, Evidence and Status/Ops service and its
// command-line client.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/aeso-dev/aeso/client"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// exitError carries a verdict's exit code: 1 for a gate's block, a degraded
// posture or a bundle that does not verify, 3 for a blocked posture. Every
// other error exits 2 (see run), so a pipeline never reads a failure to ask
// as an answer.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }

func (e *exitError) Unwrap() error { return e.err }

// usageError is a command line aeso cannot act on: an unknown command or
// flag, a missing or extra argument. It exits 2 and points at the help.
type usageError struct {
	cmd *cobra.Command
	err error
}

func (e *usageError) Error() string { return e.err.Error() }

func (e *usageError) Unwrap() error { return e.err }

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes the command line and returns the exit code. It is the one
// place that decides it: 0 on success, a verdict's own code (exitError),
// and 2 for every error, whether the command line, the server, the network
// or a file is at fault.
func run(args []string, stdout, stderr io.Writer) int {
	root := newRoot(stdout, stderr)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return 0
	}
	fmt.Fprintln(stderr, "aeso:", err)
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", ue.cmd.CommandPath())
	}
	var ee *exitError
	if errors.As(err, &ee) && ee.code != 0 {
		return ee.code
	}
	return 2
}

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:           "aeso",
		Short:         "Audit, Evidence and Status/Ops service",
		Long:          "aeso records privileged actions in an append-only audit trail and answers what happened, by whom, and why.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	// A mistyped flag is an error of its own (exit 2), never to be read as
	// a verdict such as "blocked" or "degraded".
	root.SetFlagErrorFunc(flagError)
	// A page of no rows is no page: --limit 0 or -3 is refused rather than
	// read as "the server's default" (it is the default only when absent).
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		if f := cmd.Flags().Lookup("limit"); f != nil && f.Changed {
			if n, err := strconv.Atoi(f.Value.String()); err == nil && n < 1 {
				return &usageError{cmd: cmd, err: fmt.Errorf("--limit must be at least 1, not %d", n)}
			}
		}
		return nil
	}
	root.AddCommand(newServeCmd(), newMigrateCmd(), newAuditCmd(), newEvidenceCmd(), newGateCmd(), newStatusCmd(),
		newComponentCmd(), newInvariantCmd(), newGuardCmd(), newReconcileCmd(), newGetCmd(), newTokenCmd(), &cobra.Command{
			Use:   "version",
			Short: "Print the version",
			Args:  cobra.NoArgs,
			Run:   func(cmd *cobra.Command, _ []string) { fmt.Fprintln(cmd.OutOrStdout(), "aeso", version) },
		})
	root.SetHelpCommand(newHelpCmd(root))
	// Added now rather than by Execute, so the walk below covers it too.
	root.InitDefaultCompletionCmd()
	refuseUnknownCommands(root)
	return root
}

// env returns the environment variable or def.
func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

// clientFlags are the flags every client command shares.
type clientFlags struct {
	url      string
	json     bool
	retryFor time.Duration
	retryErr error // AESO_RETRY_FOR is not a duration
}

// defaultRetryFor rides out a server restart or a short database outage
// without holding a pipeline for long.
const defaultRetryFor = 30 * time.Second

func (f *clientFlags) register(cmd *cobra.Command) {
	cmd.PersistentFlags().StringVar(&f.url, "url", env("AESO_URL", "http://127.0.0.1:8080"), "server URL (AESO_URL)")
	cmd.PersistentFlags().BoolVar(&f.json, "json", false, "print JSON for scripts instead of a table")
	retryFor, err := time.ParseDuration(env("AESO_RETRY_FOR", defaultRetryFor.String()))
	if err != nil {
		f.retryErr = fmt.Errorf("AESO_RETRY_FOR must be a duration such as 30s or 0 (no retries), not %q", os.Getenv("AESO_RETRY_FOR"))
	}
	durationVar(cmd.PersistentFlags(), &f.retryFor, "retry-for", retryFor,
		"retry reads and idempotent writes this long while aeso is unreachable or answers 502, 503 or 504 (AESO_RETRY_FOR; 0 disables)")
}

// client builds an API client; the token comes only from AESO_TOKEN so it
// never shows in a process list or shell history.
func (f *clientFlags) client() (*client.Client, error) {
	tok := os.Getenv("AESO_TOKEN")
	if tok == "" {
		return nil, errors.New("AESO_TOKEN is not set: export a token (the first admin token is in <data-dir>/admin.token)")
	}
	if f.retryErr != nil {
		return nil, f.retryErr
	}
	if err := client.CheckBaseURL(f.url); err != nil {
		return nil, err
	}
	c := client.New(f.url, tok)
	c.RetryFor = f.retryFor
	c.UnreachableHint = "start it with `aeso serve`, or set AESO_URL (or --url) to where it runs"
	if term.IsTerminal(int(os.Stderr.Fd())) {
		// A person at a terminal sees why nothing happens; scripts and
		// logs get only the final answer.
		c.OnRetry = func(err error) {
			fmt.Fprintf(os.Stderr, "aeso: %v; retrying for up to %s (--retry-for 0 to fail at once)\n", err, f.retryFor)
		}
	}
	return c, nil
}
