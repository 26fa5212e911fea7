// Printing for the evidence commands, and the files and terminal they
// read and write besides the API.

package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/aeso-dev/aeso/client"
	apiserver "github.com/aeso-dev/aeso/internal/server"
	"github.com/aeso-dev/aeso/wire"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// maxFailuresShown bounds the failures printed after an upload; the item
// keeps more, and --json shows them all.
const maxFailuresShown = 5

func printItem(w io.Writer, it *client.Item) {
	tw := table(w)
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "%s\t%s\n", k, printable(v))
		}
	}
	row("Item", fmt.Sprintf("%s (position %d in bundle %s)", it.ID, it.Position, it.BundleID))
	row("Name", it.Type+" "+it.Name)
	row("Result", it.Result)
	row("Counts", countsText(it.Counts))
	row("Summary", it.Summary)
	if it.ExpiresAt != nil {
		row("Expires", it.ExpiresAt.Format(time.RFC3339))
	}
	for _, l := range it.Links {
		row("Link", fmt.Sprintf("%s (sha256:%s, %d bytes)", l.URL, l.SHA256, l.Size))
	}
	if r := it.Report; r != nil {
		row("Report", fmt.Sprintf("%s, %d bytes, sha256:%s", r.Format, r.Size, r.SHA256))
	}
	tw.Flush()
	if it.Report == nil || len(it.Report.Failures) == 0 {
		return
	}
	fs := it.Report.Failures
	more := len(fs) > maxFailuresShown || it.Report.Truncated
	if len(fs) > maxFailuresShown {
		fs = fs[:maxFailuresShown]
	}
	fmt.Fprintln(w, "First failures:")
	for _, f := range fs {
		line := "  " + f.Name
		if f.Location != "" {
			line += " (" + f.Location + ")"
		}
		if msg, _, _ := strings.Cut(strings.TrimSpace(f.Message), "\n"); msg != "" {
			line += ": " + clip(msg, 120)
		}
		fmt.Fprintln(w, printable(line))
	}
	if more {
		fmt.Fprintln(w, "  … more in --json and in the report itself")
	}
}

// countsText says what the counts hold, leaving out the zero ones.
func countsText(c client.Counts) string {
	parts := []string{fmt.Sprintf("%d total", c.Total)}
	for _, p := range []struct {
		n    int
		name string
	}{{c.Passed, "passed"}, {c.Failed, "failed"}, {c.Errored, "errored"}, {c.Skipped, "skipped"}, {c.Warnings, "warnings"},
		{c.Notes, "notes"}, {c.None, "none"}, {c.Suppressed, "suppressed"}, {c.Duplicates, "duplicates"}} {
		if p.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", p.n, p.name))
		}
	}
	if len(parts) == 1 && c.Total == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}

func printPromotion(w io.Writer, p *client.Promotion, created bool) {
	verb := "promoted"
	if !created {
		verb = "already promoted"
	}
	fmt.Fprintf(w, "%s %s to %s (%s) at %s by %s: %s\n", verb, p.BundleID, printable(p.Stage), p.Digest,
		p.PromotedAt.Format(time.RFC3339), printable(p.PromotedBy), printable(p.Reason))
}

func printBundle(w io.Writer, b *client.Bundle, maxAge time.Duration) {
	tw := table(w)
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "%s\t%s\n", k, printable(v))
		}
	}
	row("Bundle", b.ID)
	row("Title", b.Title)
	row("Kind", b.Kind)
	row("Subject", b.Subject.Name+" @ "+b.Subject.Ref)
	state := b.State
	if len(b.Stages) > 0 {
		state += " to " + strings.Join(b.Stages, ", ")
	}
	if b.SupersededBy != "" {
		state += ", superseded by " + b.SupersededBy
	}
	row("State", state)
	if b.Stale {
		row("Stale", fmt.Sprintf("STALE: older than --max-age %s", maxAge))
	}
	row("Digest", b.Digest)
	if b.SealedAt != nil {
		row("Sealed", b.SealedAt.Format(time.RFC3339)+" by "+b.SealedBy)
	}
	row("Created", b.CreatedAt.Format(time.RFC3339)+" by "+b.CreatedBy)
	row("Owner", b.Owner)
	row("Correlation", b.CorrelationID)
	row("Labels", labelsText(b.Labels))
	if b.Supersedes != "" {
		row("Supersedes", b.Supersedes+": "+b.SupersedeReason)
	}
	tw.Flush()

	fmt.Fprintf(w, "\nItems (%d):\n", len(b.Items))
	if len(b.Items) > 0 {
		tw = table(w)
		fmt.Fprintln(tw, "POS\tTYPE\tNAME\tRESULT\tCOUNTS\tSTALE")
		for _, it := range b.Items {
			stale := ""
			if it.Stale {
				stale = "STALE"
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", it.Position, printable(it.Type), clip(printable(it.Name), 50),
				printable(it.Result), countsText(it.Counts), stale)
		}
		tw.Flush()
	}

	fmt.Fprintf(w, "\nPromotions (%d):\n", len(b.Promotions))
	if len(b.Promotions) > 0 {
		tw = table(w)
		fmt.Fprintln(tw, "STAGE\tPROMOTED\tBY\tREASON")
		for _, p := range b.Promotions {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", printable(p.Stage), p.PromotedAt.Format(time.RFC3339),
				printable(p.PromotedBy), clip(printable(p.Reason), 60))
		}
		tw.Flush()
	}

	if len(b.Chain) > 0 {
		fmt.Fprintln(w, "\nChain (oldest first):")
		tw = table(w)
		for _, l := range b.Chain {
			mark := " "
			if l.ID == b.ID {
				mark = "*"
			}
			reason := ""
			if l.SupersedeReason != "" {
				reason = "supersedes the previous: " + l.SupersedeReason
			}
			fmt.Fprintf(tw, "%s %s\t%s\t%s\t%s\n", mark, l.ID, l.State, clip(printable(l.Title), 40), clip(printable(reason), 60))
		}
		tw.Flush()
	}
}

func labelsText(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, k := range keys {
		keys[i] = k + "=" + m[k]
	}
	return strings.Join(keys, " ")
}

func printBundles(w io.Writer, bundles []wire.Bundle) {
	if len(bundles) == 0 {
		fmt.Fprintln(w, "no bundles")
		return
	}
	tw := table(w)
	fmt.Fprintln(tw, "ID\tKIND\tSUBJECT\tREF\tSTATE\tCREATED\tTITLE")
	for _, b := range bundles {
		state := b.State
		if b.SupersededBy != "" {
			state += " (superseded)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", b.ID, b.Kind, clip(printable(b.Subject.Name), 30),
			clip(printable(b.Subject.Ref), 30), state, b.CreatedAt.Format(time.RFC3339), clip(printable(b.Title), 60))
	}
	tw.Flush()
}

// uploadProgress returns a byte progress bar on w, or nil when w is not a
// terminal: a CI log gets no carriage-return noise.
func uploadProgress(w io.Writer, size int64, desc string) *progressbar.ProgressBar {
	f, ok := w.(*os.File)
	if !ok || size == 0 || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return progressbar.NewOptions64(size,
		progressbar.OptionSetDescription(desc),
		progressbar.OptionSetWriter(w),
		progressbar.OptionShowBytes(true),
		progressbar.OptionShowTotalBytes(true),
		progressbar.OptionSetWidth(10),
		progressbar.OptionThrottle(65*time.Millisecond),
		progressbar.OptionShowCount(),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
		progressbar.OptionSpinnerType(14),
		progressbar.OptionFullWidth(),
		progressbar.OptionSetRenderBlankState(true),
	)
}

// writeFileAtomic writes data beside path and renames it into place, so an
// interrupted export never leaves half a document that looks like evidence.
func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(0o644)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp) // best effort; err is what the user needs
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// openReport opens a report file, or stdin for "-". Stdin that is not a
// regular file (a pipe) is read into memory, bounded, to learn its size.
func openReport(path string, stdin io.Reader) (body io.ReadCloser, size int64, name string, err error) {
	if path == "-" {
		if f, ok := stdin.(*os.File); ok {
			if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
				return io.NopCloser(f), fi.Size(), "stdin", nil
			}
		}
		data, err := io.ReadAll(io.LimitReader(stdin, apiserver.MaxReportBody+1))
		if err != nil {
			return nil, 0, "", fmt.Errorf("read stdin: %w", err)
		}
		if len(data) > apiserver.MaxReportBody {
			return nil, 0, "", fmt.Errorf("stdin holds more than %d bytes, the most a report may have", apiserver.MaxReportBody)
		}
		return io.NopCloser(bytes.NewReader(data)), int64(len(data)), "stdin", nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, "", err
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = fmt.Errorf("%s is not a regular file", path)
	}
	if err != nil {
		f.Close()
		return nil, 0, "", err
	}
	return f, fi.Size(), path, nil
}
