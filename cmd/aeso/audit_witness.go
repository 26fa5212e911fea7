package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/aeso-dev/aeso/internal/logverify"
	"github.com/spf13/cobra"
)

func newAuditWitnessCmd(cf *clientFlags) *cobra.Command {
	var key, state string
	var requireState bool
	cmd := &cobra.Command{
		Use:   "witness",
		Short: "Check the log's latest checkpoint against the last one seen; exit 0 consistent, 1 rewritten, 2 error",
		Long: `Witness fetches the log's latest signed checkpoint, checks its signature, and
checks that it extends the checkpoint recorded in --state by the last run
(with the log's consistency proof). It then records the new checkpoint there
(written to a temporary file and renamed, mode 0600). Run it from a cron job
or a CI step on another machine: it exits 1 when the history was rewritten
(a proof that fails, a smaller tree than last seen, the same size with
another root, a checkpoint not signed by the key) and leaves the state as it
was, so every later run fails too until someone looks. It exits 2 when it
cannot check (the server does not answer, the state file is unreadable).

A run holds a lock on <state>.lock from reading the state to writing it, so
two runs at once cannot move the state back; a run that finds the lock
taken exits 2. With --require-state a missing state file is an error
(exit 2), not a first run: where the state lives in a cache that can be
evicted, an eviction must not silently start trust over.`,
		Example: `  AESO_TOKEN=… aeso audit witness --url https://aeso.example.com --key audit.vkey --state /var/lib/aeso-witness/checkpoint`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if state == "" {
				return errors.New("--state is required: the file that keeps the last checkpoint seen")
			}
			v, err := loadVerifierKey(key)
			if err != nil {
				return err
			}
			unlock, err := lockState(state)
			if err != nil {
				return err
			}
			defer unlock()
			var last *logverify.Checkpoint
			if msg, err := readSmallFile(state, maxCheckpointFile); err == nil {
				cp, err := logverify.OpenCheckpoint(msg, v.Verifier)
				if err != nil {
					// Ours to keep: if it no longer opens, it was changed
					// or belongs to another log; a person must decide.
					return fmt.Errorf("--state %s does not hold a checkpoint signed by the key (%v); move it aside to start again", state, err)
				}
				last = &cp
			} else if !errors.Is(err, os.ErrNotExist) {
				return err
			} else if requireState {
				return fmt.Errorf("--state %s does not exist, and --require-state says a checkpoint was recorded before: restore it (or run once without --require-state to start again)", state)
			}
			c, err := cf.client()
			if err != nil {
				return err
			}
			cp, err := fetchCheckpoint(cmd.Context(), c, v)
			if err != nil {
				return reportVerdict(cmd.OutOrStdout(), cf.json, err, last)
			}
			// A first run checks nothing and says so: "recorded", not
			// "consistent", so a script can tell trust starting over from
			// a check that held.
			rep := verifyReport{Verdict: "recorded", Origin: cp.Origin, TreeSize: cp.Size, Root: cp.Root.String()}
			if last != nil {
				rep.Verdict = "consistent"
				rep.Previous = &last.Size
				proof, err := fetchConsistency(cmd.Context(), c, last.Size, cp.Size)
				if err != nil {
					return err
				}
				if err := logverify.CheckConsistency(*last, cp, proof); err != nil {
					return reportVerdict(cmd.OutOrStdout(), cf.json, err, &cp)
				}
			}
			if err := writeStateFile(state, cp.Note); err != nil {
				return fmt.Errorf("record the checkpoint: %w", err)
			}
			if cf.json {
				return printJSON(cmd.OutOrStdout(), rep)
			}
			switch {
			case last == nil:
				fmt.Fprintf(cmd.OutOrStdout(), "recorded: %s at %d events (root %s); later runs check the log extends it\n", cp.Origin, cp.Size, cp.Root)
			case last.Size == cp.Size:
				fmt.Fprintf(cmd.OutOrStdout(), "consistent: %s unchanged at %d events (root %s)\n", cp.Origin, cp.Size, cp.Root)
			default:
				fmt.Fprintf(cmd.OutOrStdout(), "consistent: %s grew from %d to %d events (root %s)\n", cp.Origin, last.Size, cp.Size, cp.Root)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&key, "key", "", "verifier key, or a file holding it (aeso audit key prints it)")
	f.StringVar(&state, "state", "", "file keeping the last checkpoint seen (created on the first run)")
	f.BoolVar(&requireState, "require-state", false, "exit 2 when the state file is missing instead of starting again")
	return cmd
}

// writeStateFile replaces path with data, readable by its owner only, so that
// a crash leaves the old checkpoint or the new, never half of one (and fsyncs
// it: a witness that forgets what it saw forgets what it must check).
//
// A state file that is a link is written where it points, so a link into
// a kept volume keeps the checkpoint there rather than being replaced.
func writeStateFile(path string, data []byte) error {
	path = followLinks(path)
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename, there is nothing left to remove
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// followLinks returns where path leads when it is a link, even to a file
// not yet there (a first run writes it), or path itself.
func followLinks(path string) string {
	for range 40 {
		fi, err := os.Lstat(path)
		if err != nil || fi.Mode()&os.ModeSymlink == 0 {
			return path
		}
		target, err := os.Readlink(path)
		if err != nil {
			return path
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(path), target)
		}
		path = target
	}
	return path
}
