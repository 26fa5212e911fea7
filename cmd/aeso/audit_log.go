package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	root "github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/client"
	"github.com/aeso-dev/aeso/internal/auditlog"
	"github.com/aeso-dev/aeso/internal/logverify"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/term"
)

func newAuditKeyCmd(cf *clientFlags) *cobra.Command {
	var dataDir string
	cmd := &cobra.Command{
		Use:   "key",
		Short: "Print the audit log's verifier key",
		Long: `Print the public key that checks the audit log's signed checkpoints: from
the server at AESO_URL (no token needed), or with --data-dir from the
server's own key file (<data-dir>/log.key), which is never printed.`,
		Example: `  aeso audit key > aeso-log.vkey
  aeso audit key --data-dir /var/lib/aeso`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var vkey string
			if dataDir != "" {
				skey, err := auditlog.ReadKeyFile(filepath.Join(dataDir, auditlog.KeyFile))
				if err != nil {
					return fmt.Errorf("read the log key: %w", err)
				}
				if vkey, err = auditlog.VerifierKey(skey); err != nil {
					return fmt.Errorf("%s: %w", filepath.Join(dataDir, auditlog.KeyFile), err)
				}
			} else {
				if cf.retryErr != nil {
					return cf.retryErr
				}
				if err := client.CheckBaseURL(cf.url); err != nil {
					return err
				}
				c := client.New(cf.url, os.Getenv("AESO_TOKEN"))
				c.UnreachableHint = "start it with `aeso serve`, set AESO_URL (or --url), or read the key with --data-dir"
				var err error
				if vkey, err = c.AuditKey(cmd.Context()); err != nil {
					return err
				}
				if _, err := note.NewVerifier(vkey); err != nil {
					return fmt.Errorf("%s answered %q, which is not a verifier key", client.DisplayURL(cf.url), vkey)
				}
			}
			_, err := fmt.Fprintln(cmd.OutOrStdout(), vkey)
			return err
		},
	}
	cmd.Flags().StringVar(&dataDir, "data-dir", "", "read the key from this data directory instead of the server")
	return cmd
}

func newAuditExportCmd(cf *clientFlags) *cobra.Command {
	var since int64
	var to string
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Write the audit log's leaves to a file, for `aeso audit verify`",
		Long: `Write the events after --since as JSON Lines, each line exactly the leaf
bytes the log hashes (docs/audit-log.md), in seq order. It writes what the
database holds, even where that no longer matches the log: judging is the
verifier's job. The file appears only once the export is complete.`,
		Example: `  aeso audit export --to audit.jsonl
  aeso audit export --since 1000 --to audit-after-1000.jsonl`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if since < 0 {
				return errors.New("--since must be 0 (from the first event) or a seq")
			}
			if to == "-" {
				return errors.New("--to - would make a file named '-': give the export a file path (it is written whole, or not at all)")
			}
			c, err := cf.client()
			if err != nil {
				return err
			}
			n, last, err := exportLog(cmd, c, since, to)
			if err != nil {
				return err
			}
			if cf.json {
				return printJSON(cmd.OutOrStdout(), map[string]any{"file": to, "events": n, "last_seq": last})
			}
			if n == 0 {
				_, err = fmt.Fprintf(cmd.OutOrStdout(), "no events after seq %d; %s is empty\n", since, to)
			} else {
				_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s (seq %d to %d) written to %s\n", root.Count(int(n), "event"), since+1, last, to)
			}
			return err
		},
	}
	cmd.Flags().Int64Var(&since, "since", 0, "export events after this seq (0: from the first)")
	cmd.Flags().StringVar(&to, "to", "", "file to write (required)")
	_ = cmd.MarkFlagRequired("to")
	return cmd
}

// exportLog streams the export into a temporary file beside path and
// renames it into place, so an interrupted export leaves no file that
// looks whole. It returns how many events it wrote and the last seq.
//
// An interrupt (Ctrl-C, SIGTERM) ends it the same way, its temporary file
// removed; so does a server that sends nothing for exportIdle, and an
// answer that is not an export (a line that is no event's leaf).
func exportLog(cmd *cobra.Command, c *client.Client, since int64, path string) (n, last int64, err error) {
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	idle := time.AfterFunc(exportIdle, func() { cancel(errExportIdle) })
	defer idle.Stop()
	body, err := c.ExportLog(ctx, since)
	if err != nil {
		return 0, 0, err
	}
	defer body.Close()
	defer func() {
		if err != nil && context.Cause(ctx) != nil && !errors.Is(err, context.Cause(ctx)) {
			err = fmt.Errorf("%w (%v)", context.Cause(ctx), err)
		}
	}()
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return 0, 0, err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = os.Remove(tmp) // best effort; err is what the user needs
		}
	}()
	bar := exportProgress(cmd, c, since)
	w := bufio.NewWriterSize(f, 1<<16)
	r := bufio.NewReaderSize(&progressReader{body, func() { idle.Reset(exportIdle) }}, 1<<16)
	for {
		line, rerr := r.ReadSlice('\n')
		if len(line) > 0 && rerr == nil {
			s, ok := seqOf(line)
			if !ok || line[0] != '{' {
				return 0, 0, errors.Join(fmt.Errorf("line %d of the answer is not an event's leaf: %s did not send an export", n+1, client.DisplayURL(c.BaseURL)), f.Close())
			}
			if _, err := w.Write(line); err != nil {
				return 0, 0, errors.Join(err, f.Close())
			}
			n++
			last = s
			if bar != nil {
				_ = bar.Add(1)
			}
			continue
		}
		if errors.Is(rerr, bufio.ErrBufferFull) {
			return 0, 0, errors.Join(errors.New("the export holds a line longer than a leaf can be"), f.Close())
		}
		if rerr == io.EOF && len(line) == 0 {
			break
		}
		if rerr == io.EOF {
			rerr = errors.New("the export ended in the middle of a line")
		}
		return 0, 0, errors.Join(fmt.Errorf("read the export: %w", rerr), f.Close())
	}
	if bar != nil {
		_ = bar.Finish()
	}
	if err := errors.Join(w.Flush(), f.Sync(), f.Close()); err != nil {
		return 0, 0, fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return 0, 0, fmt.Errorf("write %s: %w", path, err)
	}
	return n, last, nil
}

// exportIdle is how long an export waits for the server's next bytes.
const exportIdle = time.Minute

var errExportIdle = fmt.Errorf("the server sent nothing for %s: export ended", exportIdle)

// progressReader calls seen after each read that returned bytes.
type progressReader struct {
	r    io.Reader
	seen func()
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if n > 0 {
		p.seen()
	}
	return n, err
}

// seqOf reads the "seq" member of a leaf for the summary. Members are
// sorted, and only strings follow "seq" (whose quotes are escaped), so its
// last occurrence is the top-level one even when metadata has a "seq".
func seqOf(line []byte) (int64, bool) {
	i := bytes.LastIndex(line, []byte(`,"seq":`))
	if i < 0 {
		return 0, false
	}
	var s int64
	_, err := fmt.Sscanf(string(line[i+len(`,"seq":`):min(len(line), i+len(`,"seq":`)+20)]), "%d", &s)
	return s, err == nil
}

// exportProgress is a bar counting events on a terminal (its total from the
// latest checkpoint), nil elsewhere.
func exportProgress(cmd *cobra.Command, c *client.Client, since int64) *progressbar.ProgressBar {
	w := cmd.ErrOrStderr()
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	total := int64(-1)
	if msg, err := c.Checkpoint(cmd.Context()); err == nil {
		if size, err := logverify.UnverifiedSize(msg); err == nil && size > since {
			total = size - since
		}
	}
	return progressbar.NewOptions64(total,
		progressbar.OptionSetDescription("export"),
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetItsString("events"),
		progressbar.OptionShowIts(),
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(10),
		progressbar.OptionThrottle(65*time.Millisecond),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
		progressbar.OptionFullWidth(),
		progressbar.OptionSetRenderBlankState(true),
	)
}
