package main

import (
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// usageCase is one command line that aeso must refuse before doing anything.
type usageCase struct {
	name       string
	args       []string
	wantStderr []string
}

// usageCases walks the real command tree, so a command added later is
// tried without editing this test: every command with an unknown flag,
// every group with an unknown and with no subcommand, every leaf with a
// missing and with extra arguments, where its Args rule refuses them.
func usageCases(t *testing.T) []usageCase {
	t.Helper()
	var cases []usageCase
	var walk func(cmd *cobra.Command)
	walk = func(cmd *cobra.Command) {
		path := strings.Fields(cmd.CommandPath())[1:]
		quoted := `"` + cmd.CommandPath() + `"`
		hint := "Run '" + cmd.CommandPath() + " --help' for usage."
		with := func(extra ...string) []string { return append(append([]string{}, path...), extra...) }
		cases = append(cases, usageCase{cmd.CommandPath() + " with an unknown flag", with("--no-such-flag"),
			[]string{"unknown flag: --no-such-flag", hint}})
		switch {
		case cmd.HasAvailableSubCommands():
			cases = append(cases, usageCase{cmd.CommandPath() + " with an unknown subcommand", with("no-such-command", "x"),
				[]string{`unknown command "no-such-command" for ` + quoted, hint}})
			if isGroup(cmd) {
				cases = append(cases, usageCase{cmd.CommandPath() + " with no subcommand", path,
					[]string{"Usage:", quoted + " needs a command", hint}})
			}
		case cmd.Name() == "help":
			// Takes any path; an unknown one is tried in TestUnknownCommands.
		default:
			if cmd.Args(cmd, nil) != nil {
				cases = append(cases, usageCase{cmd.CommandPath() + " with a missing argument", path,
					[]string{"arg(s), received 0", hint}})
			}
			if cmd.Args(cmd, []string{"x", "y", "z"}) != nil {
				cases = append(cases, usageCase{cmd.CommandPath() + " with extra arguments", with("x", "y", "z"),
					[]string{hint}})
			}
			if cmd.Flags().Lookup("limit") != nil {
				var arg []string
				if cmd.Args(cmd, nil) != nil {
					arg = []string{"x"}
				}
				for _, n := range []string{"0", "-3"} {
					cases = append(cases, usageCase{cmd.CommandPath() + " with --limit " + n, with(append(arg, "--limit", n)...),
						[]string{"--limit must be at least 1, not " + n, hint}})
				}
			}
		}
		for _, sub := range cmd.Commands() {
			walk(sub)
		}
	}
	walk(newRoot(io.Discard, io.Discard))
	if len(cases) < 60 {
		t.Fatalf("the command tree gave only %d cases; did the walk stop early?", len(cases))
	}
	return cases
}

// isGroup says whether cmd only holds subcommands (it runs runGroup).
func isGroup(cmd *cobra.Command) bool {
	return cmd.RunE != nil && reflect.ValueOf(cmd.RunE).Pointer() == reflect.ValueOf(runGroup).Pointer()
}

// deadServer is the environment of a client pointed at a port nobody
// listens on, with a token: a command line that slipped past the usage
// checks would fail differently (no "for usage" hint), so the test sees it.
func deadServer(t *testing.T) []string {
	return []string{"AESO_URL=http://" + closedAddr(t), "AESO_TOKEN=aeso_notATokenNotATokenNotATokenNotATokenNot"}
}

func TestEveryCommandRefusesACommandLineItDoesNotKnow(t *testing.T) {
	t.Parallel()
	env := deadServer(t)
	cases := usageCases(t)
	t.Logf("%d command lines tried", len(cases))
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := aeso(t, env, tc.args...)
			if r.code != 2 {
				t.Errorf("aeso %s: exit code %d, want 2; stderr:\n%s", strings.Join(tc.args, " "), r.code, r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("aeso %s printed on stdout, which a pipeline would read as an answer:\n%s", strings.Join(tc.args, " "), r.stdout)
			}
			for _, want := range tc.wantStderr {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("aeso %s: stderr lacks %q:\n%s", strings.Join(tc.args, " "), want, r.stderr)
				}
			}
		})
	}
}

func TestUnknownCommands(t *testing.T) {
	t.Parallel()
	env := deadServer(t)
	for _, tc := range []usageCase{
		{"a misspelt seal suggests seal", []string{"evidence", "seall", "01a209c9-bfe3-7d15-a072-fbf9990082b1"},
			[]string{`unknown command "seall" for "aeso evidence"`, "Did you mean this?\n\tseal\n"}},
		{"a misspelt create suggests create", []string{"token", "crete", "--principal", "ci"},
			[]string{`unknown command "crete" for "aeso token"`, "\tcreate\n"}},
		{"a misspelt list suggests list", []string{"audit", "lsit"}, []string{`unknown command "lsit" for "aeso audit"`, "\tlist\n"}},
		{"a misspelt watch suggests watch", []string{"status", "wacth"}, []string{`unknown command "wacth" for "aeso status"`, "\twatch\n"}},
		{"an unknown top-level command", []string{"nope"}, []string{`unknown command "nope" for "aeso"`}},
		{"an unknown flag of a group", []string{"evidence", "--bogus"}, []string{"unknown flag: --bogus", "Run 'aeso evidence --help' for usage."}},
		{"help on an unknown command", []string{"help", "nope"}, []string{`unknown command "nope" for "aeso"`}},
		{"help on an unknown subcommand", []string{"help", "evidence", "seall"}, []string{`unknown command "seall" for "aeso evidence"`, "\tseal\n"}},
		{"a bad flag value", []string{"audit", "list", "--limit", "many"}, []string{`invalid argument "many" for "--limit"`, "Run 'aeso audit list --help' for usage."}},
		{"a duration in days", []string{"gate", "waive", "release", "--rule", "guards", "--subject", "api@v1", "--reason", "r", "--expires-in", "31d"},
			[]string{`"31d" is not a duration; use a Go duration such as 30m, 24h or 168h`, "31 days are 744h"}},
		{"a subject with its ref", []string{"evidence", "create", "--kind", "release", "--subject", "api@v1", "--title", "t"},
			[]string{`--subject "api@v1" holds a ref: give the name alone and the ref with --ref (--subject api --ref v1)`}},
		{"aeso alone", nil, []string{"Usage:", `"aeso" needs a command`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := aeso(t, env, tc.args...)
			if r.code != 2 || r.stdout != "" {
				t.Errorf("exit code %d, stdout %q; want 2 and nothing on stdout", r.code, r.stdout)
			}
			for _, want := range tc.wantStderr {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
				}
			}
		})
	}
	// Asking for help is not an error: it answers on stdout and exits 0.
	for _, args := range [][]string{{"--help"}, {"help"}, {"help", "evidence", "seal"}, {"evidence", "--help"}, {"status", "watch", "-h"}} {
		if r := aeso(t, env, args...); r.code != 0 || !strings.Contains(r.stdout, "Usage:") || r.stderr != "" {
			t.Errorf("aeso %s: exit code %d, stdout %q, stderr %q; want 0 and the help on stdout", strings.Join(args, " "), r.code, r.stdout, r.stderr)
		}
	}
}
