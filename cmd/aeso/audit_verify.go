package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/aeso-dev/aeso/internal/logverify"
	"github.com/spf13/cobra"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// verifierKey is the --key flag: the key string, or a file holding it.
type verifierKey struct{ note.Verifier }

func loadVerifierKey(value string) (verifierKey, error) {
	if value == "" {
		return verifierKey{}, errors.New("--key is required: the log's verifier key (`aeso audit key` prints it), or a file holding it")
	}
	v, keyErr := logverify.ParseVerifierKey(value)
	if keyErr == nil {
		return verifierKey{v}, nil
	}
	data, err := readSmallFile(value, maxKeyFile)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return verifierKey{}, fmt.Errorf("--key: %w, and there is no file of that name", keyErr)
		}
		return verifierKey{}, fmt.Errorf("--key: %w", err)
	}
	if v, err = logverify.ParseVerifierKey(string(data)); err != nil {
		return verifierKey{}, fmt.Errorf("--key %s: %w", value, err)
	}
	return verifierKey{v}, nil
}

// verdict turns a *logverify.Tampered into exit code 1; any other error
// exits 2.
func verdict(err error) error {
	var t *logverify.Tampered
	if errors.As(err, &t) {
		return &exitError{code: 1, err: t}
	}
	return err
}

// openCheckpointFile reads and opens a checkpoint file.
func openCheckpointFile(path string, v verifierKey) (logverify.Checkpoint, error) {
	msg, err := readSmallFile(path, maxCheckpointFile)
	if err != nil {
		return logverify.Checkpoint{}, err
	}
	cp, err := logverify.OpenCheckpoint(msg, v.Verifier)
	if err != nil {
		return cp, fmt.Errorf("%s: %w", path, err)
	}
	return cp, nil
}

// verifyReport is the --json answer of verify and witness.
type verifyReport struct {
	Verdict  string  `json:"verdict"` // verified, consistent, recorded (a witness's first run) or tampered
	Origin   string  `json:"origin,omitempty"`
	TreeSize int64   `json:"tree_size"`
	Root     string  `json:"root,omitempty"`
	Checked  []int64 `json:"checked,omitempty"`
	Since    int64   `json:"since,omitempty"`
	Events   int64   `json:"events,omitempty"`
	Compared int64   `json:"compared,omitempty"`
	Beyond   int64   `json:"beyond,omitempty"`
	Previous *int64  `json:"previous_tree_size,omitempty"` // a witness's last checkpoint, 0 included
	Kind     string  `json:"kind,omitempty"`
	Seq      int64   `json:"seq,omitempty"`
	OtherSeq int64   `json:"other_seq,omitempty"`
	Detail   string  `json:"detail,omitempty"`
	// LogRead says whether verify read the log itself (--url): offline it
	// checks the export against the checkpoint, not the log against a
	// rollback. Absent on a witness's report, which always reads it.
	LogRead *bool `json:"log_read,omitempty"`
}

// reportVerdict prints a tampering verdict as JSON, and returns the error
// that sets the exit code.
func reportVerdict(w io.Writer, asJSON bool, err error, against *logverify.Checkpoint) error {
	var t *logverify.Tampered
	if asJSON && errors.As(err, &t) {
		rep := verifyReport{Verdict: "tampered", Kind: string(t.Kind), Seq: t.Seq, OtherSeq: t.OtherSeq, Detail: t.Detail}
		if against != nil {
			// The checkpoint the verdict was reached against, as a
			// verified answer names it.
			rep.Origin, rep.TreeSize, rep.Root = against.Origin, against.Size, against.Root.String()
		}
		if perr := printJSON(w, rep); perr != nil {
			return perr
		}
	}
	return verdict(err)
}

func newAuditVerifyCmd(cf *clientFlags) *cobra.Command {
	var exportPath, key, checkpoint2 string
	var checkpoints []string
	var since int64
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Verify an export against signed checkpoints; exit 0 verified, 1 tampered, 2 error",
		Long: `Verify checks the checkpoint's signature with the verifier key and recomputes
the Merkle root over the checkpoint's tree size from the export (written by
` + "`aeso audit export`" + ` from the first event). Offline, it says whether the
export is the log the checkpoint signed. With --url it first checks that the
log's current checkpoint extends the given one (a smaller tree is a log
rolled back, exit 1), then reads the log's tree hashes (tiles, checked
against the checkpoint first) and names the first seq that differs:
altered, missing, reordered or extra. A log that no longer has the tree
hashes of events the checkpoint covers lost them: missing, exit 1. A log
whose events and tree hashes were both rewritten is caught (the tree no
longer hashes to the signed root: tree mismatch, exit 1) but the seq is not
named; a witness catches such a history on its next run. Given two
checkpoints, it checks that the newer extends the older (from the export's
roots, and with --url from the log's consistency proof).

An export written with --since N holds no event before seq N+1, so it
cannot reproduce a signed root: give verify the same --since N and --url,
and each line is checked against the log's leaf hash at its seq (the tiles
checked against the checkpoint first), naming the first seq that differs.
Without --url such an export is an error (exit 2), as is an export whose
first line is not seq 1 when --since is not given: it is either a partial
export or one missing its first events, and only you know which.

A checkpoint that is not signed by the key, or speaks for another log, is a
verdict (exit 1), not an error: it is not an authentic checkpoint of this log.
An unreadable file, a malformed key or checkpoint, an export whose line
endings were rewritten (CR LF) or whose last line is cut short, or a server
that does not answer is an error (exit 2). Export lines past the checkpoint's
tree size are newer than it and are counted, not judged.`,
		Example: `  aeso audit verify --export audit.jsonl --checkpoint cp.txt --key "$(cat audit.vkey)"
  aeso audit verify --export audit.jsonl --checkpoint cp.txt --key audit.vkey --url https://aeso.example.com
  aeso audit verify --export audit.jsonl --checkpoint old.txt --checkpoint new.txt --key audit.vkey
  aeso audit verify --since 1000 --export after-1000.jsonl --checkpoint cp.txt --key audit.vkey --url https://aeso.example.com`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if checkpoint2 != "" {
				checkpoints = append(checkpoints, checkpoint2)
			}
			if exportPath == "" || len(checkpoints) == 0 {
				return errors.New("--export and --checkpoint are required")
			}
			if len(checkpoints) > 2 {
				return errors.New("give one or two checkpoints")
			}
			if since < 0 {
				return errors.New("--since must be 0 (an export from the first event) or the seq the export was written --since")
			}
			v, err := loadVerifierKey(key)
			if err != nil {
				return err
			}
			var cps []logverify.Checkpoint
			for _, path := range checkpoints {
				cp, err := openCheckpointFile(path, v)
				if err != nil {
					return reportVerdict(cmd.OutOrStdout(), cf.json, err, nil)
				}
				cps = append(cps, cp)
			}
			if len(cps) == 2 && cps[0].Size > cps[1].Size {
				cps[0], cps[1] = cps[1], cps[0]
			}
			top := cps[len(cps)-1]
			f, err := os.Open(exportPath)
			if err != nil {
				return err
			}
			defer f.Close()
			if err := checkStart(f, exportPath, since, cmd.Flags().Changed("since")); err != nil {
				return err
			}

			var log tlog.HashReader
			online := cmd.Flags().Changed("url")
			if since > 0 && !online {
				return fmt.Errorf("%s: %w", exportPath, logverify.ErrPartialNeedsTree)
			}
			if online {
				c, err := cf.client()
				if err != nil {
					return err
				}
				// The log's own checkpoint first: a log that shows fewer
				// events than the checkpoint signed, or another history,
				// was rolled back or rewritten, whatever its tiles say.
				current, err := fetchCheckpoint(cmd.Context(), c, v)
				if err != nil {
					return reportVerdict(cmd.OutOrStdout(), cf.json, err, &top)
				}
				proof, err := fetchConsistency(cmd.Context(), c, top.Size, current.Size)
				if err != nil {
					return err
				}
				if err := logverify.CheckConsistency(top, current, proof); err != nil {
					return reportVerdict(cmd.OutOrStdout(), cf.json, err, &top)
				}
				if len(cps) == 2 {
					proof, err := fetchConsistency(cmd.Context(), c, cps[0].Size, cps[1].Size)
					if err != nil {
						return err
					}
					if err := logverify.CheckConsistency(cps[0], cps[1], proof); err != nil {
						return reportVerdict(cmd.OutOrStdout(), cf.json, err, &cps[1])
					}
				}
				log = logverify.LogFromTiles(top, newHTTPTiles(cmd.Context(), c, current.Size, top.Size))
			}
			res, err := logverify.VerifyPartialExport(f, since, cps, log)
			if err != nil {
				return reportVerdict(cmd.OutOrStdout(), cf.json, fmt.Errorf("%s: %w", exportPath, err), &top)
			}
			rep := verifyReport{Verdict: "verified", Origin: top.Origin, TreeSize: top.Size, Root: top.Root.String(),
				Since: since, Events: res.Events, Compared: res.Compared, Beyond: res.Beyond, LogRead: &online}
			for _, cp := range res.Checked {
				rep.Checked = append(rep.Checked, cp.Size)
			}
			if cf.json {
				return printJSON(cmd.OutOrStdout(), rep)
			}
			printVerified(cmd.OutOrStdout(), rep, online)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&exportPath, "export", "", "export file (JSON Lines, written by aeso audit export)")
	f.StringArrayVar(&checkpoints, "checkpoint", nil, "signed checkpoint file; give it twice to check two checkpoints' consistency")
	f.StringVar(&checkpoint2, "checkpoint2", "", "a second checkpoint file (the same as a second --checkpoint)")
	f.StringVar(&key, "key", "", "verifier key, or a file holding it (aeso audit key prints it)")
	f.Int64Var(&since, "since", 0, "the seq the export was written after (aeso audit export --since N); needs --url")
	return cmd
}

// checkStart refuses an export whose first line cannot be where verify is
// told it starts. Without --since, a first line that is not seq 1 means
// the export was written with --since, or its first events are missing,
// and only the user knows which: guessing the start from the first line
// would accept an export whose first events an attacker deleted. With
// --since N, a first line at seq N or before was not written with it (the
// export holds only seqs above N). The file is left at its start.
func checkStart(f *os.File, path string, since int64, given bool) error {
	line, err := bufio.NewReaderSize(f, 64<<10).ReadSlice('\n')
	if _, serr := f.Seek(0, io.SeekStart); serr != nil {
		return serr
	}
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return err
	}
	seq, ok := logverify.LeafSeq(bytes.TrimSuffix(line, []byte("\n")))
	switch {
	case !ok:
		return nil // a line that is not a leaf is the verification's to judge
	case !given && seq > 1:
		return fmt.Errorf("%s starts at seq %d, not at the first event: if it was written with `aeso audit export --since %d`, verify it with --since %d --url URL; if it was written from the first event, the events before seq %d are missing from it (--since 0 says so and judges it)", path, seq, seq-1, seq-1, seq)
	case since > 0 && seq <= since:
		return fmt.Errorf("%s starts at seq %d, but --since %d says it holds only the events after seq %d: give the --since it was exported with", path, seq, since, since)
	}
	return nil
}

func printVerified(w io.Writer, r verifyReport, online bool) {
	if r.Since > 0 {
		fmt.Fprintf(w, "verified: the export's events from seq %d to %d are the log %s signed (root %s)\n", r.Since+1, r.TreeSize, r.Origin, r.Root)
		fmt.Fprintf(w, "  %d events compared one by one with the log's tree\n", r.Compared)
		if len(r.Checked) > 1 {
			fmt.Fprintf(w, "  checkpoints of %d and %d events are consistent: the log's consistency proof holds\n", r.Checked[0], r.Checked[1])
		}
		if r.Beyond > 0 {
			fmt.Fprintf(w, "  %d later events are newer than the checkpoint and were not checked: verify them against a newer one\n", r.Beyond)
		}
		return
	}
	fmt.Fprintf(w, "verified: the export's first %d events are the log %s signed (root %s)\n", r.TreeSize, r.Origin, r.Root)
	if online {
		fmt.Fprintf(w, "  %d events compared one by one with the log's tree\n", r.Compared)
	}
	if len(r.Checked) > 1 {
		sizes := make([]string, len(r.Checked))
		for i, s := range r.Checked {
			sizes[i] = fmt.Sprint(s)
		}
		how := "the export reproduces both roots"
		if online {
			how += ", and the log's consistency proof holds"
		}
		fmt.Fprintf(w, "  checkpoints of %s events are consistent: %s\n", strings.Join(sizes, " and "), how)
	}
	if r.Beyond > 0 {
		fmt.Fprintf(w, "  %d later events are newer than the checkpoint and were not checked: verify them against a newer one\n", r.Beyond)
	}
	if !online {
		// AESO_URL alone does not make verify read the log: offline is a
		// promise of the command, so say what it did not look at.
		fmt.Fprintln(w, "  offline: the log itself was not read; with --url verify also checks that it was not rolled back and names the first seq that differs")
	}
}
