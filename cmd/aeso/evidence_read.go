package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	root "github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/client"
	"github.com/aeso-dev/aeso/internal/evidence"
	"github.com/spf13/cobra"
)

func newEvidenceShowCmd(cf *clientFlags) *cobra.Command {
	var maxAge time.Duration
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show a bundle with its items, promotions and supersession chain",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if maxAge < 0 {
				return errors.New("--max-age must be a positive duration such as 168h")
			}
			c, err := cf.client()
			if err != nil {
				return err
			}
			b, err := c.GetBundle(cmd.Context(), args[0], maxAge)
			if err != nil {
				return err
			}
			if cf.json {
				return printJSON(cmd.OutOrStdout(), b)
			}
			printBundle(cmd.OutOrStdout(), b, maxAge)
			return nil
		},
	}
	durationVar(cmd.Flags(), &maxAge, "max-age", 0, "mark the bundle stale when sealed longer ago than this, e.g. 168h")
	return cmd
}

func newEvidenceLatestCmd(cf *clientFlags) *cobra.Command {
	var kind, subject, ref, stage string
	var maxAge time.Duration
	cmd := &cobra.Command{
		Use:   "latest",
		Short: "Show the newest sealed bundle of a kind for a subject, as a release gate asks",
		Long: `latest shows the newest sealed bundle of --kind for --subject (and --ref),
promoted to --stage when given. When that bundle was superseded by a correction
that is not sealed or promoted yet, there is no answer (exit 1): an older
bundle does not stand in for a pending correction.`,
		Example: "  aeso evidence latest --kind security --subject api --stage production-ready --max-age 168h",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := cf.client()
			if err != nil {
				return err
			}
			b, err := c.LatestBundle(cmd.Context(), kind, subject, ref, stage, maxAge)
			if err != nil {
				return err
			}
			if cf.json {
				return printJSON(cmd.OutOrStdout(), b)
			}
			printBundle(cmd.OutOrStdout(), b, maxAge)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&kind, "kind", "", "kind of bundle (required)")
	f.StringVar(&subject, "subject", "", "subject name (required)")
	f.StringVar(&ref, "ref", "", "subject ref")
	f.StringVar(&stage, "stage", "", "promoted to this stage")
	durationVar(f, &maxAge, "max-age", 0, "mark the bundle stale when sealed longer ago than this, e.g. 168h")
	return cmd
}

func newEvidenceListCmd(cf *clientFlags) *cobra.Command {
	var q client.BundleQuery
	var labels []string
	var since, until string
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List bundles, newest first",
		Example: "  aeso evidence list --kind release --subject api --stage production-ready --label team=payments",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if q.Labels, err = parseLabels(labels); err != nil {
				return err
			}
			if err := parseTimeFlags(map[string]struct {
				s   string
				dst *time.Time
			}{"--since": {since, &q.Since}, "--until": {until, &q.Until}}); err != nil {
				return err
			}
			c, err := cf.client()
			if err != nil {
				return err
			}
			page, err := c.ListBundles(cmd.Context(), q)
			if err != nil {
				return err
			}
			if cf.json {
				return printJSON(cmd.OutOrStdout(), page)
			}
			printBundles(cmd.OutOrStdout(), page.Bundles)
			if page.NextCursor != nil {
				fmt.Fprintf(cmd.ErrOrStderr(), "more: --cursor %s\n", *page.NextCursor)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&q.Kind, "kind", "", "kind of bundle")
	f.StringVar(&q.Subject, "subject", "", "subject name")
	f.StringVar(&q.Ref, "ref", "", "subject ref")
	f.StringVar(&q.State, "state", "", "open, sealed (not promoted) or promoted")
	f.StringVar(&since, "since", "", "created at or after (RFC 3339)")
	f.StringVar(&until, "until", "", "created before (RFC 3339)")
	f.StringVar(&q.Stage, "stage", "", "promoted to this stage")
	f.StringArrayVar(&labels, "label", nil, "carrying label key=value (repeatable; all must match)")
	f.IntVar(&q.Limit, "limit", 50, "bundles per page")
	f.StringVar(&q.Cursor, "cursor", "", "cursor of the next page, from a previous listing")
	return cmd
}

func newEvidenceExportCmd(cf *clientFlags) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:     "export ID",
		Short:   "Write a sealed bundle's export document, which `aeso evidence verify` checks offline",
		Example: "  aeso evidence export $ID -o evidence-api-v1.4.2.json",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := cf.client()
			if err != nil {
				return err
			}
			raw, err := c.ExportBundle(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			// Indented for people; the digest covers the document's
			// canonical encoding, which no whitespace changes.
			var doc bytes.Buffer
			if err := json.Indent(&doc, raw, "", "  "); err != nil {
				return fmt.Errorf("the server's export is not JSON: %w", err)
			}
			doc.WriteByte('\n')
			res, verr := evidence.Verify(doc.Bytes())
			if out == "" || out == "-" {
				if _, err := cmd.OutOrStdout().Write(doc.Bytes()); err != nil {
					return err
				}
			} else {
				if err := writeFileAtomic(out, doc.Bytes()); err != nil {
					return err
				}
				if verr == nil {
					fmt.Fprintf(cmd.ErrOrStderr(), "wrote %s: %s bundle %s, %s\n", out, res.Digest, res.BundleID, root.Count(res.Items, "item"))
				}
			}
			if verr != nil {
				return fmt.Errorf("the export of %s does not verify: %w", args[0], verr)
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "write to this file instead of stdout")
	return cmd
}

func newEvidenceVerifyCmd(cf *clientFlags) *cobra.Command {
	var pinned, checkpoint, key string
	cmd := &cobra.Command{
		Use:   "verify FILE [--checkpoint FILE --key VKEY]",
		Short: "Check an export document against its digest, offline, and its seal against the signed audit log",
		Long: `verify recomputes the digest of an exported bundle from the document it
carries, and checks that every promotion in it names that digest. It needs no
server and no token. A file could be rewritten together with its digest, so
pin the digest recorded elsewhere (the aeso.evidence.seal audit event, a
pipeline log) with --digest to prove it is the bundle that was sealed.

With --checkpoint (a signed checkpoint of the audit log, e.g. from
GET /v1/audit/checkpoint, kept by a witness) and --key (the log's verifier
key, or a file holding it), verify also proves that the log committed to the
seal: it checks the checkpoint's signature, reads the bundle's seal event,
its leaf and its inclusion proof from the server (AESO_URL, a token with
audit:read), checks that the leaf is the seal of this bundle with this
digest, and that the proof leads to the checkpoint's root. The server is
trusted for nothing that is not checked against the signed checkpoint.
Exit codes: 0 the document is what was sealed (and the log proves the seal),
1 it is not (or does not match --digest, or the checkpoint's signature or
the log's proof fails), 2 the file is unreadable or not an evidence export,
or the log could not be read.`,
		Example: "  aeso evidence verify evidence-api-v1.4.2.json --digest sha256:3f0c…\n" +
			"  aeso evidence verify evidence-api-v1.4.2.json --checkpoint checkpoint.txt --key \"$(cat aeso-log.vkey)\"",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if (checkpoint == "") != (key == "") {
				return &usageError{cmd: cmd, err: errors.New("--checkpoint and --key go together")}
			}
			var data []byte
			var err error
			if args[0] == "-" {
				data, err = io.ReadAll(cmd.InOrStdin())
			} else {
				data, err = os.ReadFile(args[0])
			}
			if err != nil {
				return err
			}
			res, err := evidence.Verify(data)
			if err != nil && !errors.Is(err, evidence.ErrDigestMismatch) && !errors.Is(err, evidence.ErrPromotionMismatch) {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			if err == nil && pinned != "" && pinned != res.Computed {
				err = fmt.Errorf("the document's digest %s is not the pinned %s", res.Computed, pinned)
			}
			var inLog *sealProof
			if err == nil && checkpoint != "" {
				c, cerr := cf.client()
				if cerr != nil {
					return cerr
				}
				inLog, err = proveSealInLog(cmd.Context(), c, res, checkpoint, key)
				if err != nil && !proofFailed(err) {
					return err
				}
			}
			w := cmd.OutOrStdout()
			if cf.json {
				out := map[string]any{"ok": err == nil, "bundle_id": res.BundleID, "items": res.Items,
					"digest": res.Digest, "digest_version": res.DigestVersion, "computed": res.Computed}
				if inLog != nil {
					out["log"] = inLog
				}
				if perr := printJSON(w, out); perr != nil {
					return perr
				}
			} else if err == nil {
				fmt.Fprintf(w, "OK %s (%s) bundle %s, %s\n", res.Digest, res.DigestVersion, printable(res.BundleID), root.Count(res.Items, "item"))
				if inLog != nil {
					fmt.Fprintf(w, "IN LOG sealed at seq %d, proven by the checkpoint of %d events of %s\n", inLog.Seq, inLog.TreeSize, printable(inLog.Origin))
				}
			} else if proofFailed(err) {
				fmt.Fprintf(w, "NOT IN LOG bundle %s, %s, %s\n", printable(res.BundleID), root.Count(res.Items, "item"), res.Computed)
			} else {
				fmt.Fprintf(w, "MISMATCH bundle %s, %s\n  recorded  %s\n  computed  %s\n",
					printable(res.BundleID), root.Count(res.Items, "item"), printable(res.Digest), res.Computed)
			}
			if err != nil {
				return &exitError{code: 1, err: fmt.Errorf("%s: %w", args[0], err)}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&pinned, "digest", "", "the digest the bundle must have (sha256:…), as recorded elsewhere")
	cmd.Flags().StringVar(&checkpoint, "checkpoint", "", "a signed checkpoint of the audit log: also prove the seal is in the log (needs AESO_URL and a token with audit:read)")
	cmd.Flags().StringVar(&key, "key", "", "the audit log's verifier key (GET /v1/audit/key), or a file holding it")
	return cmd
}
