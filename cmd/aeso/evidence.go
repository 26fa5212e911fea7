package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

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
			if name, ref, ok := strings.Cut(req.Subject.Name, "@"); ok {
				// The server would name its own fields (subject.name);
				// here the flags are what to fix.
				return &usageError{cmd: cmd, err: fmt.Errorf("--subject %q holds a ref: give the name alone and the ref with --ref (--subject %s --ref %s)",
					req.Subject.Name, name, ref)}
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
				return printJSON(cmd.OutOrStdout(), &b.Bundle) // as answered: no items, promotions or chain
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
      --link 'https://ci.example.com/a/plan.txt#sha256:<64 hex>#1532'
  aeso evidence add --bundle $ID --type test_report --name "device farm" --result pass --passed 42 --skipped 3`,
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
				for _, manual := range []string{"result", "summary", "link", "metadata", "observed-at", "passed", "failed", "skipped", "errored"} {
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
				n := &item.Counts
				n.Total = n.Passed + n.Failed + n.Skipped + n.Errored
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
	f.IntVar(&item.Counts.Passed, "passed", 0, "manual item's tests that passed (a passing test_report counts at least one)")
	f.IntVar(&item.Counts.Failed, "failed", 0, "manual item's tests that failed")
	f.IntVar(&item.Counts.Skipped, "skipped", 0, "manual item's tests that were skipped")
	f.IntVar(&item.Counts.Errored, "errored", 0, "manual item's tests that errored")
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
				return printJSON(cmd.OutOrStdout(), &b.Bundle) // as answered: no items, promotions or chain
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
				return printJSON(cmd.OutOrStdout(), &b.Bundle) // as answered: no items, promotions or chain
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
