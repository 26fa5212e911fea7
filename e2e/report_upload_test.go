package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/aeso-dev/aeso/client"
	"github.com/aeso-dev/aeso/internal/apitest"
	"github.com/aeso-dev/aeso/internal/report"
	"github.com/aeso-dev/aeso/internal/testdb"
)

// reportFile reads one of the real reports the report package tests with.
func reportFile(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "internal", "report", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestReportsBecomeSummarisedItems(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		b := newBundle(t, e, "reports", "v1")
		for _, tc := range []struct {
			file, format, wantType string
		}{
			{"pytest-xunit2.xml", report.FormatJUnit, "test_report"},
			{"gotest-fail.json", report.FormatGoTest, "test_report"},
			{"staticcheck.sarif", report.FormatSARIF, "scan"},
			{"node-junit-top.xml", report.FormatJUnit, "test_report"},
		} {
			t.Run(tc.file, func(t *testing.T) {
				data := reportFile(t, tc.file)
				want, err := report.Parse(tc.format, bytes.NewReader(data), 10<<20)
				if err != nil {
					t.Fatal(err)
				}
				it, err := e.admin.AddReport(e.ctx, b.ID, client.ReportOptions{Format: tc.format, SourceURL: "https://ci.example.com/j/1"},
					bytes.NewReader(data), int64(len(data)))
				if err != nil {
					t.Fatal(err)
				}
				sum := sha256.Sum256(data)
				if it.Type != tc.wantType || it.Result != want.Result || it.Counts != client.Counts(want.Counts) ||
					it.Report == nil || it.Report.SHA256 != hex.EncodeToString(sum[:]) || it.Report.Size != int64(len(data)) ||
					len(it.Report.Failures) != len(want.Failures) || it.Summary == "" {
					t.Errorf("item %+v report %+v; want result %s counts %+v and the file's digest", it, it.Report, want.Result, want.Counts)
				}
			})
		}
		// Only the summary is kept: a passing test's name never reaches the
		// database, while the failures listed do.
		stored := storedEvidence(t, e)
		if strings.Contains(stored, "TestAdd") || strings.Contains(stored, "test_adds") ||
			!strings.Contains(stored, "TestDiv") || !strings.Contains(stored, "test_divides") {
			t.Errorf("stored evidence holds passing test names (the report whole) or lacks the failures")
		}
	})
}

// storedEvidence returns the text of every evidence row.
func storedEvidence(t *testing.T, e *env) string {
	t.Helper()
	var b strings.Builder
	items, err := e.main.DB.WriteConn().QueryContext(e.ctx, `SELECT name, summary, report FROM platform_evidence_items`)
	if err != nil {
		t.Fatal(err)
	}
	defer items.Close()
	for items.Next() {
		var name, summary string
		var rep *string
		if err := items.Scan(&name, &summary, &rep); err != nil {
			t.Fatal(err)
		}
		b.WriteString(name + summary)
		if rep != nil {
			b.WriteString(*rep)
		}
	}
	return b.String()
}

func TestBrokenAndOversizedReportsAreRefused(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg, withMaxBody(16<<20))
		b := newBundle(t, e, "broken", "v1")
		for _, tc := range []struct {
			name, format string
			body         []byte
			status       int
			code, field  string
		}{
			{"a truncated JUnit file", report.FormatJUnit, reportFile(t, "junit-broken.xml"), 400, "malformed_report", "body:"},
			{"a truncated SARIF log", report.FormatSARIF, reportFile(t, "sarif-broken.sarif"), 400, "malformed_report", "body:"},
			{"a go test stream of garbage", report.FormatGoTest, reportFile(t, "gotest-garbage.json"), 400, "malformed_report", "body:"},
			{"a SARIF log whose runs are null", report.FormatSARIF, reportFile(t, "sarif-runs-null.sarif"), 400, "malformed_report", "body:1:134"},
			{"a SARIF log with no runs", report.FormatSARIF, reportFile(t, "sarif-runs-empty.sarif"), 400, "malformed_report", "body:1:134"},
			{"a SARIF log with only a version", report.FormatSARIF, []byte(`{"version":"2.1.0"}`), 400, "malformed_report", "body:1:19"},
			{"a JUnit testcase holding a failed testcase", report.FormatJUnit,
				[]byte(`<testsuites><testsuite name="s"><testcase name="a"><testcase name="b"><failure/></testcase></testcase></testsuite></testsuites>`),
				400, "malformed_report", "body:1:71"},
			{"two JUnit documents back to back", report.FormatJUnit,
				[]byte("<testsuites><testcase name=\"a\"/></testsuites>\n<testsuites><testcase name=\"b\"/></testsuites>"),
				400, "malformed_report", "body:2:13"},
			{"a go test event with an unknown Action", report.FormatGoTest,
				[]byte("{\"Action\":\"run\",\"Package\":\"p\",\"Test\":\"TestA\"}\n{\"Action\":\"explode\",\"Package\":\"p\",\"Test\":\"TestA\"}\n{\"Action\":\"pass\",\"Package\":\"p\"}\n"),
				400, "malformed_report", "body:2"},
			{"an unknown format", "tap", []byte("ok 1"), 400, "validation_failed", "format"},
			{"a report over 10 MiB", report.FormatJUnit, bytes.Repeat([]byte("<"), 10<<20+1), 413, "payload_too_large", ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := e.admin.AddReport(apitest.InvalidRequest(e.ctx), b.ID, client.ReportOptions{Format: tc.format}, bytes.NewReader(tc.body), int64(len(tc.body)))
				ce, ok := err.(*client.Error)
				if !ok || ce.Status != tc.status || ce.Code != tc.code {
					t.Fatalf("err %v, want %d %s", err, tc.status, tc.code)
				}
				if tc.field != "" && (len(ce.Errors) != 1 || !strings.HasPrefix(ce.Errors[0].Field, tc.field)) {
					t.Errorf("errors %+v, want a field starting %q", ce.Errors, tc.field)
				}
			})
		}
		got, err := e.admin.GetBundle(e.ctx, b.ID, 0)
		if err != nil || len(got.Items) != 0 {
			t.Errorf("refused reports left %d items (%v)", len(got.Items), err)
		}
	})
}

// TestAnUploadIsJudgedByWhatItsClientSent: a report's own text (its tool's
// name) never fails an upload that named nothing, and a bad query value is
// named as the parameter that carried it.
func TestAnUploadIsJudgedByWhatItsClientSent(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		b := newBundle(t, e, "uploads", "v1")
		real := reportFile(t, "staticcheck.sarif")
		withTool := func(name string) []byte {
			quoted := strings.ReplaceAll(strconv.Quote(name), `\a`, `\u0007`) // JSON has no \a
			out := bytes.Replace(real, []byte(`"driver":{"name":"Staticcheck"`), []byte(`"driver":{"name":`+quoted), 1)
			if bytes.Equal(out, real) {
				t.Fatal("the fixture no longer names Staticcheck as its tool")
			}
			return out
		}
		for _, tc := range []struct {
			name, tool, want string
		}{
			// The tool is named with its version, as the report gives it.
			{"a tool name longer than an item's name is cut to 256 bytes", strings.Repeat("Staticcheck ", 750), strings.Repeat("Staticcheck ", 21) + "S…"},
			{"a tool name with a line break and a bell is shown without them", "Static\ncheck\a", "Static\uFFFDcheck\uFFFD 2026.2.2"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				data := withTool(tc.tool)
				it, err := e.admin.AddReport(e.ctx, b.ID, client.ReportOptions{Format: report.FormatSARIF}, bytes.NewReader(data), int64(len(data)))
				if err != nil {
					t.Fatal(err)
				}
				if it.Name != tc.want || !strings.HasPrefix(it.Summary, tc.want[:6]) || it.Result != report.ResultFail {
					t.Errorf("item named %q (summary %q, result %s), want %q", it.Name, it.Summary, it.Result, tc.want)
				}
			})
		}
		for _, tc := range []struct {
			name       string
			opt        client.ReportOptions
			field, why string
		}{
			{"a source URL with a password", client.ReportOptions{SourceURL: "https://ci:hunter2@ci.example.com/j/1"}, "source_url", "credentials"},
			{"a source URL that is no URL", client.ReportOptions{SourceURL: "ci.example.com/j/1"}, "source_url", "format"},
			{"a runner with a line break", client.ReportOptions{Runner: "runner\n1"}, "runner", "control_character"},
			{"a name with a line break", client.ReportOptions{Name: "lint\nscan"}, "name", "control_character"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				tc.opt.Format = report.FormatSARIF
				_, err := e.admin.AddReport(apitest.InvalidRequest(e.ctx), b.ID, tc.opt, bytes.NewReader(real), int64(len(real)))
				ce, ok := err.(*client.Error)
				if !ok || ce.Status != 400 || len(ce.Errors) != 1 || ce.Errors[0].Field != tc.field || ce.Errors[0].Code != tc.why {
					t.Fatalf("err %v, want one problem with %s: %s", err, tc.field, tc.why)
				}
				if strings.Contains(ce.Error(), "hunter2") {
					t.Errorf("the answer repeats the password: %v", ce)
				}
			})
		}
		got, err := e.admin.GetBundle(e.ctx, b.ID, 0)
		if err != nil || len(got.Items) != 2 {
			t.Errorf("the bundle holds %d items (%v), want the two accepted uploads", len(got.Items), err)
		}
	})
}
