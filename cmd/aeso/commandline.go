package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// refuseUnknownCommands makes every command in the tree fail closed on a
// command line it does not understand. Left alone, cobra prints the help of
// a command group and exits 0 when a subcommand is mistyped (`aeso evidence
// seall ID`), and a leaf without an Args rule ignores extra arguments; a
// pipeline would go on as if the bundle had been sealed. It walks the tree,
// so a command added later is covered without touching this function:
//   - a group (subcommands, nothing to run itself) refuses an unknown
//     subcommand with a suggestion, and prints its help to stderr and exits 2
//     when given none;
//   - a leaf that declares no Args rule takes no arguments;
//   - every argument error is a usage error (exit 2, pointing at --help).
func refuseUnknownCommands(cmd *cobra.Command) {
	if cmd.HasSubCommands() && !cmd.Runnable() {
		cmd.Args = cobra.ArbitraryArgs // runGroup judges them, with suggestions
		cmd.RunE = runGroup
	}
	if cmd.Args == nil {
		cmd.Args = cobra.NoArgs
	}
	cmd.Args = usageArgs(cmd.Args)
	for _, sub := range cmd.Commands() {
		refuseUnknownCommands(sub)
	}
}

// usageArgs marks the errors of an Args rule as usage errors, and names the
// closest subcommands when the command has some.
func usageArgs(rule cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		err := rule(cmd, args)
		if err == nil {
			return nil
		}
		if cmd.HasAvailableSubCommands() && len(args) > 0 {
			err = unknownCommand(cmd, args[0])
		}
		return &usageError{cmd: cmd, err: err}
	}
}

// flagError makes a flag cobra cannot parse a usage error. Under a group,
// the flag usually belongs to a mistyped subcommand (aeso token crete
// --principal ci): that subcommand is the error worth naming.
func flagError(cmd *cobra.Command, err error) error {
	if args := cmd.Flags().Args(); cmd.HasAvailableSubCommands() && len(args) > 0 {
		err = unknownCommand(cmd, args[0])
	}
	return &usageError{cmd: cmd, err: err}
}

// runGroup runs when a command group is given no subcommand, or one it does
// not have.
func runGroup(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return &usageError{cmd: cmd, err: unknownCommand(cmd, args[0])}
	}
	// The help goes to stderr: stdout stays empty, so nothing downstream
	// in a pipeline mistakes it for an answer.
	cmd.SetOut(cmd.ErrOrStderr())
	if err := cmd.Help(); err != nil {
		return err
	}
	return &usageError{cmd: cmd, err: fmt.Errorf("%q needs a command: %s", cmd.CommandPath(), strings.Join(commandNames(cmd), ", "))}
}

// unknownCommand is the error for a subcommand cmd does not have, with the
// nearest names in the words of cobra's own message for the root command.
func unknownCommand(cmd *cobra.Command, name string) error {
	msg := fmt.Sprintf("unknown command %q for %q", name, cmd.CommandPath())
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 2
	}
	if name != "" {
		if s := cmd.SuggestionsFor(name); len(s) > 0 {
			msg += "\n\nDid you mean this?\n\t" + strings.Join(s, "\n\t") + "\n"
		}
	}
	return errors.New(msg)
}

func commandNames(cmd *cobra.Command) []string {
	var names []string
	for _, sub := range cmd.Commands() {
		if sub.IsAvailableCommand() {
			names = append(names, sub.Name())
		}
	}
	return names
}

// newHelpCmd replaces cobra's help command, which answers an unknown topic
// with the root's usage and exit 0.
func newHelpCmd(root *cobra.Command) *cobra.Command {
	return &cobra.Command{
		Use:   "help [command]",
		Short: "Help about any command",
		Long:  "help prints the help of any command, e.g. aeso help evidence seal.",
		Args:  cobra.ArbitraryArgs,
		ValidArgsFunction: func(_ *cobra.Command, args []string, prefix string) ([]cobra.Completion, cobra.ShellCompDirective) {
			var names []cobra.Completion
			if target, rest, err := root.Find(args); err == nil && len(rest) == 0 {
				for _, sub := range target.Commands() {
					if sub.IsAvailableCommand() && strings.HasPrefix(sub.Name(), prefix) {
						names = append(names, cobra.CompletionWithDesc(sub.Name(), sub.Short))
					}
				}
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			target, rest, err := root.Find(args)
			if err != nil {
				return &usageError{cmd: cmd, err: err}
			}
			if len(rest) > 0 {
				return &usageError{cmd: cmd, err: unknownCommand(target, rest[0])}
			}
			target.InitDefaultHelpFlag() // so the help lists --help as --help does
			return target.Help()
		},
	}
}
