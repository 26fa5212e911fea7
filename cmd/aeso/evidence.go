package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/aeso-dev/aeso/client"
	"github.com/aeso-dev/aeso/internal/evidence"
	apiserver "github.com/aeso-dev/aeso/internal/server"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
)

func newEvidenceCmd() *cobra.Command {
	var cf clientFlags
	cmd := &cobra.Command{
		Use:   "evidence",
		Short: "Package, seal, promote and verify evidence bundles",
		Example: `  ID=$(aeso evidence create --kind release --subject api --ref v1.4.2 --title "api v1.4.2")
  aeso evidence add --bundle $ID --junit report.xml
  aeso evidence seal $ID
  aeso evidence promote $ID --stage staging-ready --reason "CI green"`,
	}
	cf.register(cmd)
	cmd.AddCommand(newEvidenceCreateCmd(&cf), newEvidenceAddCmd(&cf), newEvidenceSealCmd(&cf),
		newEvidencePromoteCmd(&cf), newEvidenceSupersedeCmd(&cf), newEvidenceShowCmd(&cf),
		newEvidenceListCmd(&cf), newEvidenceLatestCmd(&cf), newEvidenceExportCmd(&cf), newEvidenceVerifyCmd(&cf))
	return cmd
}

func newEvidenceCreateCmd(cf *clientFlags) *cobra.Command {
	var req client.BundleRequest
	var labels []string
	cmd := &cobra.Command{
		Use:     "create",
		Short:   "Open a bundle and print its id",
		Example: `  ID=$(aeso evidence create --kind release --subject api --ref v1.4.2 --title "api v1.4.2" --label team=payments)`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if req.Labels, err = parseLabels(labels); err != nil {
				return err
			}
			c, err := cf.client()
			if err != nil {
				return err
			}
			b, err := c.CreateBundle(cmd.Context(), req)
			if err != nil {
				return err
			}
			if cf.json {
				return printJSON(cmd.OutOrStdout(), b)
			}
			// The id alone, so ID=$(aeso evidence create …) works.
			_, err = fmt.Fprintln(cmd.OutOrStdout(), b.ID)
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&req.Kind, "kind", "", "kind of bundle: "+strings.Join(evidence.Kinds, ", "))
	f.StringVar(&req.Subject.Name, "subject", "", "what the bundle is evidence about, e.g. api")
	f.StringVar(&req.Subject.Ref, "ref", "", "version, commit or environment of the subject, e.g. v1.4.2")
	f.StringVar(&req.Title, "title", "", "title")
	f.StringArrayVar(&labels, "label", nil, "label as key=value (repeatable)")
	f.StringVar(&req.Owner, "owner", "", "owner, e.g. a team")
	f.StringVar(&req.CorrelationID, "correlation-id", "", "correlation id, e.g. the CI run")
	return cmd
}

// parseLabels turns key=value flags into a map; a key given twice is an
// error rather than a silent overwrite.
func parseLabels(kvs []string) (map[string]string, error) {
	if len(kvs) == 0 {
		return nil, nil
	}
	m := make(map[string]string, len(kvs))
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("--label %q must be key=value", kv)
		}
		if _, dup := m[k]; dup {
			return nil, fmt.Errorf("--label %s is given twice", k)
		}
		m[k] = v
	}
	return m, nil
}

// reportFormats are the report formats an upload may carry, each its own flag.
var reportFormats = []string{"junit", "sarif", "gotest"}

func newEvidenceAddCmd(cf *clientFlags) *cobra.Command {
	var bundleID, metadata string
	var files [3]string // indexed like reportFormats
	var links []string
	var item client.ItemRequest
	cmd := &cobra.Command{
		Use:   "add --bundle ID (--junit|--sarif|--gotest FILE | --type T --name N --result R)",
		Short: "Add an uploaded report or a manual result to an open bundle",
		Example: `  aeso evidence add --bundle $ID --junit report.xml --source-url "$CI_JOB_URL"
  go test -json ./... | aeso evidence add --bundle $ID --gotest - --name "unit tests"
  aeso evidence add --bundle $ID --type check --name "migration dry run" --result pass \
      --link 'https://ci.example.com/a/plan.txt#sha256:<64 hex>#1532'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if bundleID == "" {
				return errors.New("--bundle is required: the id printed by `aeso evidence create`")
			}
			format, path := "", ""
			for i, rf := range reportFormats {
				if files[i] != "" {
					format, path = rf, files[i]
				}
			}
			f := cmd.Flags()
			if format != "" {
				for _, manual := range []string{"result", "summary", "link", "metadata", "observed-at"} {
					if f.Changed(manual) {
						return fmt.Errorf("--%s describes a manual item; an uploaded report brings its own result and summary", manual)
					}
				}
			} else if item.Result == "" {
				return errors.New("give a report (--junit, --sarif or --gotest FILE, '-' for stdin) or a manual item (--type, --name and --result)")
			}
			c, err := cf.client()
			if err != nil {
				return err
			}
			var it *client.Item
			if format != "" {
				it, err = uploadReport(cmd, c, bundleID, path, client.ReportOptions{
					Format: format, Name: item.Name, Type: item.Type, SourceURL: item.Source.URL,
					Runner: item.Source.Runner, CorrelationID: item.CorrelationID, ExpiresAt: item.ExpiresAt,
				})
			} else {
				if item.Links, err = parseLinks(links); err != nil {
					return err
				}
				if metadata != "" {
					if !json.Valid([]byte(metadata)) {
						return errors.New(`--metadata must be a JSON object, e.g. '{"environment":"staging"}'`)
					}
					item.Metadata = json.RawMessage(metadata)
				}
				it, err = c.AddItem(cmd.Context(), bundleID, item)
			}
			if err != nil {
				return err
			}
			if cf.json {
				return printJSON(cmd.OutOrStdout(), it)
			}
			printItem(cmd.OutOrStdout(), it)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&bundleID, "bundle", "", "id of the open bundle")
	for i, rf := range reportFormats {
		f.StringVar(&files[i], rf, "", "upload a "+rf+" report file ('-' for stdin)")
	}
	cmd.MarkFlagsMutuallyExclusive("junit", "sarif", "gotest")
	f.StringVar(&item.Type, "type", "", "item type: "+strings.Join(evidence.ItemTypes, ", ")+" (reports default to test_report, SARIF to scan)")
	f.StringVar(&item.Name, "name", "", "item name (reports default to the tool's name)")
	f.StringVar(&item.Result, "result", "", "manual item's result: "+strings.Join(evidence.Results, ", "))
	f.StringVar(&item.Summary, "summary", "", "manual item's summary")
	f.StringArrayVar(&links, "link", nil, "artifact as URL#sha256:HEX#SIZE (repeatable)")
	f.StringVar(&metadata, "metadata", "", "manual item's metadata as a JSON object")
	f.StringVar(&item.ObservedAt, "observed-at", "", "when a manual result was observed (RFC 3339, default now)")
	f.StringVar(&item.Source.URL, "source-url", "", "where the result came from, e.g. the CI job URL")
	f.StringVar(&item.Source.Runner, "runner", "", "runner or host that produced the result")
	f.StringVar(&item.CorrelationID, "correlation-id", "", "correlation id")
	f.StringVar(&item.ExpiresAt, "expires-at", "", "when the proof goes stale (RFC 3339)")
	return cmd
}

// parseLinks reads URL#sha256:HEX#SIZE from the right, so the URL may carry
// a fragment of its own.
func parseLinks(specs []string) ([]client.Link, error) {
	var out []client.Link
	for _, spec := range specs {
		rest, size, ok1 := cutLast(spec, "#")
		u, sum, ok2 := cutLast(rest, "#")
		hex, ok3 := strings.CutPrefix(sum, "sha256:")
		n, err := strconv.ParseInt(size, 10, 64)
		if !ok1 || !ok2 || !ok3 || u == "" || err != nil {
			return nil, fmt.Errorf("--link %q must be URL#sha256:HEX#SIZE, e.g. https://ci.example.com/plan.txt#sha256:<64 hex>#1532", spec)
		}
		out = append(out, client.Link{URL: u, SHA256: hex, Size: n})
	}
	return out, nil
}

func cutLast(s, sep string) (before, after string, found bool) {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[:i], s[i+len(sep):], true
	}
	return s, "", false
}

// uploadReport streams a report file with its size as Content-Length, so
// the server can refuse an oversized one before reading it, showing
// progress when stderr is a terminal.
func uploadReport(cmd *cobra.Command, c *client.Client, bundleID, path string, o client.ReportOptions) (*client.Item, error) {
	body, size, name, err := openReport(path, cmd.InOrStdin())
	if err != nil {
		return nil, err
	}
	defer body.Close()
	if size > apiserver.MaxReportBody {
		return nil, fmt.Errorf("%s is %d bytes; a report may be at most %d bytes", name, size, apiserver.MaxReportBody)
	}
	var rd io.Reader = io.LimitReader(body, size)
	bar := uploadProgress(cmd.ErrOrStderr(), size, "upload "+filepath.Base(name))
	if bar != nil {
		pr := progressbar.NewReader(rd, bar)
		rd = &pr
	}
	it, err := c.AddReport(cmd.Context(), bundleID, o, rd, size)
	if bar != nil && !bar.IsFinished() {
		_ = bar.Exit() // ends the bar's line, so an error starts on its own
	}
	return it, err
}

func newEvidenceSealCmd(cf *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "seal ID",
		Short: "Seal an open bundle and print its digest",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := cf.client()
			if err != nil {
				return err
			}
			b, err := c.SealBundle(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if cf.json {
				return printJSON(cmd.OutOrStdout(), b)
			}
			_, err = fmt.Fprintln(cmd.OutOrStdout(), b.Digest)
			return err
		},
	}
}

func newEvidencePromoteCmd(cf *clientFlags) *cobra.Command {
	var stage, reason string
	cmd := &cobra.Command{
		Use:     "promote ID",
		Short:   "Record that a sealed bundle reached a stage",
		Example: `  aeso evidence promote $ID --stage production-ready --reason "UAT signed off"`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := cf.client()
			if err != nil {
				return err
			}
			p, created, err := c.PromoteBundle(cmd.Context(), args[0], stage, reason)
			if err != nil {
				return err
			}
			if cf.json {
				return printJSON(cmd.OutOrStdout(), map[string]any{"promotion": p, "created": created})
			}
			printPromotion(cmd.OutOrStdout(), p, created)
			return nil
		},
	}
	cmd.Flags().StringVar(&stage, "stage", "", "stage reached, e.g. staging-ready or production-ready")
	cmd.Flags().StringVar(&reason, "reason", "", "why the bundle may move on")
	return cmd
}

func newEvidenceSupersedeCmd(cf *clientFlags) *cobra.Command {
	var req client.SupersedeRequest
	var labels []string
	cmd := &cobra.Command{
		Use:     "supersede ID",
		Short:   "Correct a sealed bundle with a new open one and print the new id",
		Example: `  NEW=$(aeso evidence supersede $ID --reason "rerun after flaky test" --title "api v1.4.2 (rerun)")`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if req.Labels, err = parseLabels(labels); err != nil {
				return err
			}
			c, err := cf.client()
			if err != nil {
				return err
			}
			b, err := c.SupersedeBundle(cmd.Context(), args[0], req)
			if err != nil {
				return err
			}
			if cf.json {
				return printJSON(cmd.OutOrStdout(), b)
			}
			_, err = fmt.Fprintln(cmd.OutOrStdout(), b.ID)
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&req.Reason, "reason", "", "why the sealed bundle is corrected")
	f.StringVar(&req.Title, "title", "", "title of the new bundle (default: the old one's)")
	f.StringArrayVar(&labels, "label", nil, "label of the new bundle as key=value (repeatable; default: the old one's)")
	f.StringVar(&req.Owner, "owner", "", "owner of the new bundle (default: the old one's)")
	f.StringVar(&req.CorrelationID, "correlation-id", "", "correlation id of the new bundle (default: the old one's)")
	return cmd
}

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
	cmd.Flags().DurationVar(&maxAge, "max-age", 0, "mark the bundle stale when sealed longer ago than this, e.g. 168h")
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
	f.DurationVar(&maxAge, "max-age", 0, "mark the bundle stale when sealed longer ago than this, e.g. 168h")
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
			for flag, v := range map[string]struct {
				s   string
				dst *time.Time
			}{"--since": {since, &q.Since}, "--until": {until, &q.Until}} {
				if v.s == "" {
					continue
				}
				if *v.dst, err = time.Parse(time.RFC3339Nano, v.s); err != nil {
					return fmt.Errorf("%s must be an RFC 3339 time, e.g. 2026-01-02T15:04:05Z", flag)
				}
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
					fmt.Fprintf(cmd.ErrOrStderr(), "wrote %s: %s bundle %s, %d items\n", out, res.Digest, res.BundleID, res.Items)
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
	var pinned string
	cmd := &cobra.Command{
		Use:   "verify FILE",
		Short: "Check an export document against its digest, offline",
		Long: `verify recomputes the digest of an exported bundle from the document it
carries, and checks that every promotion in it names that digest. It needs no
server and no token. A file could be rewritten together with its digest, so
pin the digest recorded elsewhere (the aeso.evidence.seal audit event, a
pipeline log) with --digest to prove it is the bundle that was sealed.
Exit codes: 0 the document is what was sealed, 1 it is not (or does not
match --digest), 2 the file is unreadable or not an evidence export.`,
		Example: "  aeso evidence verify evidence-api-v1.4.2.json --digest sha256:3f0c…",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var data []byte
			var err error
			if args[0] == "-" {
				data, err = io.ReadAll(cmd.InOrStdin())
			} else {
				data, err = os.ReadFile(args[0])
			}
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			res, err := evidence.Verify(data)
			if err != nil && !errors.Is(err, evidence.ErrDigestMismatch) && !errors.Is(err, evidence.ErrPromotionMismatch) {
				return &exitError{code: 2, err: fmt.Errorf("%s: %w", args[0], err)}
			}
			if err == nil && pinned != "" && pinned != res.Computed {
				err = fmt.Errorf("the document's digest %s is not the pinned %s", res.Computed, pinned)
			}
			w := cmd.OutOrStdout()
			if cf.json {
				if perr := printJSON(w, map[string]any{"ok": err == nil, "bundle_id": res.BundleID,
					"items": res.Items, "digest": res.Digest, "computed": res.Computed}); perr != nil {
					return perr
				}
			} else if err == nil {
				fmt.Fprintf(w, "OK %s bundle %s, %d items\n", res.Digest, printable(res.BundleID), res.Items)
			} else {
				fmt.Fprintf(w, "MISMATCH bundle %s, %d items\n  recorded  %s\n  computed  %s\n",
					printable(res.BundleID), res.Items, printable(res.Digest), res.Computed)
			}
			if err != nil {
				return &exitError{code: 1, err: fmt.Errorf("%s: %w", args[0], err)}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&pinned, "digest", "", "the digest the bundle must have (sha256:…), as recorded elsewhere")
	return cmd
}
