package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aeso-dev/aeso/client"
	"github.com/aeso-dev/aeso/internal/testdb"
)

var digestPattern = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

func TestEvidenceCommandsPackageSealPromoteAndVerify(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		var args []string
		if tg.URL != "" {
			args = []string{"--database-url", tg.URL}
		}
		s := startServer(t, tg.DataDir, nil, args...)
		admin := s.env(s.adminToken(t))
		var id, digest string

		// The CI flow: every step is one command whose output the next can use.
		ok := t.Run("create prints the bundle id alone so a shell can capture it", func(t *testing.T) {
			r := mustRun(t, admin, "evidence", "create", "--kind", "release", "--subject", "api", "--ref", "v1.4.2",
				"--title", "API release candidate", "--label", "team=payments", "--owner", "payments")
			id = strings.TrimSuffix(r.stdout, "\n")
			if id == "" || strings.ContainsAny(id, " \t\n") {
				t.Fatalf("stdout = %q, want one id and a newline", r.stdout)
			}
		})
		ok = ok && t.Run("add --junit uploads the report and prints its result and first failures", func(t *testing.T) {
			r := mustRun(t, admin, "evidence", "add", "--bundle", id, "--junit", "../../internal/report/testdata/gotestsum-fail.xml",
				"--source-url", "https://ci.example.com/jobs/42")
			for _, want := range []string{"Result   fail", "11 total, 7 passed, 3 failed, 1 skipped", "First failures:", "TestDiv"} {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
				}
			}
			if r.stderr != "" {
				t.Errorf("stderr is not a terminal, yet got output there (a progress bar?):\n%s", r.stderr)
			}
		})
		ok = ok && t.Run("seal prints the digest alone", func(t *testing.T) {
			r := mustRun(t, admin, "evidence", "seal", id)
			digest = strings.TrimSuffix(r.stdout, "\n")
			if !digestPattern.MatchString(digest) {
				t.Fatalf("stdout = %q, want sha256:<64 hex>", r.stdout)
			}
		})
		ok = ok && t.Run("promote records the stage", func(t *testing.T) {
			r := mustRun(t, admin, "evidence", "promote", id, "--stage", "staging-ready", "--reason", "CI green")
			if want := "promoted " + id + " to staging-ready (" + digest + ")"; !strings.HasPrefix(r.stdout, want) {
				t.Errorf("stdout = %q, want it to start with %q", r.stdout, want)
			}
		})
		if !ok {
			return
		}

		t.Run("promoting to the same stage again says already promoted", func(t *testing.T) {
			r := mustRun(t, admin, "evidence", "promote", id, "--stage", "staging-ready", "--reason", "rerun")
			if !strings.HasPrefix(r.stdout, "already promoted "+id+" to staging-ready") || !strings.Contains(r.stdout, "CI green") {
				t.Errorf("stdout = %q, want already promoted with the first promotion's reason", r.stdout)
			}
		})
		t.Run("adding a report to a sealed bundle fails with bundle_sealed", func(t *testing.T) {
			r := aeso(t, admin, "evidence", "add", "--bundle", id, "--junit", "../../internal/report/testdata/gotestsum-fail.xml")
			if r.code != 2 || !strings.Contains(r.stderr, "bundle_sealed") {
				t.Errorf("exit code %d, stderr:\n%s\nwant exit code 2 and bundle_sealed", r.code, r.stderr)
			}
		})
		t.Run("show prints the header, items, promotions", func(t *testing.T) {
			r := mustRun(t, admin, "evidence", "show", id)
			for _, want := range []string{"Bundle", id, "Digest", digest, "Subject", "api @ v1.4.2", "team=payments",
				"promoted to staging-ready", "Items (1):", "POS", "test_report", "Promotions (1):", "CI green"} {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("show lacks %q:\n%s", want, r.stdout)
				}
			}
			if !regexp.MustCompile(`(?m)^1\s+test_report\s+.+\s+fail\s+11 total, 7 passed, 3 failed, 1 skipped\s*$`).MatchString(r.stdout) {
				t.Errorf("no item row with position, type, name, result and counts:\n%s", r.stdout)
			}
			if strings.Contains(r.stdout, "STALE:") {
				t.Errorf("a fresh bundle is marked stale:\n%s", r.stdout)
			}
		})
		t.Run("show --max-age marks an older bundle stale", func(t *testing.T) {
			// Sealed before this command started, so older than any 1ns.
			r := mustRun(t, admin, "evidence", "show", id, "--max-age", "1ns")
			if !strings.Contains(r.stdout, "STALE: older than --max-age 1ns") {
				t.Errorf("no stale marker:\n%s", r.stdout)
			}
		})
		t.Run("show --json returns the bundle with its item and stages", func(t *testing.T) {
			var b client.Bundle
			decode(t, mustRun(t, admin, "evidence", "show", id, "--json"), &b)
			if b.ID != id || b.Digest != digest || len(b.Items) != 1 || !slices.Equal(b.Stages, []string{"staging-ready"}) {
				t.Fatalf("got id %s digest %s, %d items, stages %v", b.ID, b.Digest, len(b.Items), b.Stages)
			}
			it := b.Items[0]
			if it.Result != "fail" || it.Counts.Failed != 3 || it.Report == nil || it.Report.Format != "junit" ||
				it.Source.URL != "https://ci.example.com/jobs/42" {
				t.Errorf("item %+v, want a failed junit report with 3 failures from the CI job", it)
			}
		})
		t.Run("list filters by label and prints a table", func(t *testing.T) {
			r := mustRun(t, admin, "evidence", "list", "--subject", "api", "--label", "team=payments")
			if !strings.Contains(r.stdout, "ID") || !strings.Contains(r.stdout, id) || !strings.Contains(r.stdout, "API release candidate") {
				t.Errorf("listing lacks the bundle:\n%s", r.stdout)
			}
			var page client.BundlePage
			decode(t, mustRun(t, admin, "evidence", "list", "--label", "team=other", "--json"), &page)
			if len(page.Bundles) != 0 {
				t.Errorf("--label team=other listed %d bundles, want none", len(page.Bundles))
			}
			decode(t, mustRun(t, admin, "evidence", "list", "--stage", "staging-ready", "--json"), &page)
			if len(page.Bundles) != 1 || page.Bundles[0].ID != id {
				t.Errorf("--stage staging-ready listed %+v, want only %s", page.Bundles, id)
			}
		})

		file := filepath.Join(t.TempDir(), "export.json")
		ok = t.Run("export writes an indented document that verify accepts offline", func(t *testing.T) {
			mustRun(t, admin, "evidence", "export", id, "-o", file)
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(data, []byte("\n  \"document\": {")) {
				t.Errorf("export is not indented JSON:\n%.300s", data)
			}
			r := aeso(t, nil, "evidence", "verify", file) // no server, no token
			if want := "OK " + digest + " (aeso-evidence-v2) bundle " + id + ", 1 item\n"; r.code != 0 || r.stdout != want {
				t.Errorf("exit code %d, stdout %q, stderr %q; want 0 and %q", r.code, r.stdout, r.stderr, want)
			}
			if r := aeso(t, nil, "evidence", "verify", file, "--digest", digest); r.code != 0 {
				t.Errorf("verify pinned to its own digest: exit %d, stderr %q", r.code, r.stderr)
			}
			other := "sha256:" + strings.Repeat("0", 64)
			if r := aeso(t, nil, "evidence", "verify", file, "--digest", other); r.code != 1 || !strings.Contains(r.stderr, "not the pinned") {
				t.Errorf("verify pinned to another digest: exit %d, stderr %q; want 1", r.code, r.stderr)
			}
		})
		ok = ok && t.Run("verify exits 1 and prints both digests once one byte changed", func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			from, to := []byte(`"title": "API release candidate"`), []byte(`"title": "API release candidatE"`)
			if bytes.Count(data, from) != 1 {
				t.Fatalf("export holds %q %d times, want once", from, bytes.Count(data, from))
			}
			tampered := filepath.Join(t.TempDir(), "tampered.json")
			if err := os.WriteFile(tampered, bytes.Replace(data, from, to, 1), 0o600); err != nil {
				t.Fatal(err)
			}
			r := aeso(t, nil, "evidence", "verify", tampered)
			if r.code != 1 || !strings.Contains(r.stdout, "recorded  "+digest) || !strings.Contains(r.stdout, "computed  sha256:") ||
				!strings.Contains(r.stderr, "digest mismatch") {
				t.Errorf("exit code %d, stdout:\n%s\nstderr:\n%s\nwant exit code 1 with both digests", r.code, r.stdout, r.stderr)
			}
		})
		ok = ok && t.Run("verify exits 1 on a name given twice, which another reader may take first", func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			// The title is given twice: encoding/json keeps the last, the
			// sealed one, so only the duplicate betrays the edit.
			from := []byte(`"title": "API release candidate"`)
			to := append([]byte(`"title": "a title nobody sealed", `), from...)
			tampered := filepath.Join(t.TempDir(), "twice.json")
			if err := os.WriteFile(tampered, bytes.Replace(data, from, to, 1), 0o600); err != nil {
				t.Fatal(err)
			}
			r := aeso(t, nil, "evidence", "verify", tampered)
			if r.code != 1 || !strings.Contains(r.stdout, "MISMATCH") || !strings.Contains(r.stderr, "duplicate") ||
				!strings.Contains(r.stderr, "was edited") {
				t.Errorf("exit code %d, stdout:\n%s\nstderr:\n%s\nwant exit code 1, a mismatch naming the duplicate name", r.code, r.stdout, r.stderr)
			}
		})
		if !ok {
			return
		}
		t.Run("export to stdout verifies from stdin", func(t *testing.T) {
			exp := mustRun(t, admin, "evidence", "export", id)
			r := aesoStdin(t, nil, exp.stdout, "evidence", "verify", "-")
			if r.code != 0 || !strings.HasPrefix(r.stdout, "OK "+digest) {
				t.Errorf("exit code %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
			}
		})
	})
}

func TestEvidenceManualItemsAndSupersession(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		var args []string
		if tg.URL != "" {
			args = []string{"--database-url", tg.URL}
		}
		s := startServer(t, tg.DataDir, nil, args...)
		admin := s.env(s.adminToken(t))
		id := strings.TrimSpace(mustRun(t, admin, "evidence", "create", "--kind", "uat", "--subject", "web", "--ref", "2026.11",
			"--title", "web UAT").stdout)
		sum := strings.Repeat("ab", 32)

		t.Run("add a manual item with a link and metadata", func(t *testing.T) {
			var it client.Item
			decode(t, mustRun(t, admin, "evidence", "add", "--bundle", id, "--type", "check", "--name", "migration dry run",
				"--result", "pass", "--summary", "42 migrations applied", "--link", "https://ci.example.com/plan.txt#frag#sha256:"+sum+"#1532",
				"--metadata", `{"environment":"staging"}`, "--json"), &it)
			want := client.Link{URL: "https://ci.example.com/plan.txt#frag", SHA256: sum, Size: 1532}
			if it.Type != "check" || it.Result != "pass" || it.Position != 1 || len(it.Links) != 1 || it.Links[0] != want {
				t.Errorf("item %+v, want a passing check at position 1 with link %+v", it, want)
			}
		})
		t.Run("add a manual test report with its counts", func(t *testing.T) {
			var it client.Item
			decode(t, mustRun(t, admin, "evidence", "add", "--bundle", id, "--type", "test_report", "--name", "device farm",
				"--result", "pass", "--passed", "42", "--skipped", "3", "--json"), &it)
			if it.Type != "test_report" || it.Result != "pass" || it.Counts != (client.Counts{Total: 45, Passed: 42, Skipped: 3}) {
				t.Errorf("item %+v, want a passing test report of 45 tests, 42 passed and 3 skipped", it)
			}
			// A passing test report that counts no passed test proves nothing.
			r := aeso(t, admin, "evidence", "add", "--bundle", id, "--type", "test_report", "--name", "device farm", "--result", "pass", "--skipped", "3")
			if r.code != 2 || !strings.Contains(r.stderr, "counts.passed") {
				t.Errorf("a pass of skipped tests only: exit %d\n%s", r.code, r.stderr)
			}
		})
		t.Run("add --gotest - reads the report from a pipe", func(t *testing.T) {
			data, err := os.ReadFile("../../internal/report/testdata/gotest-pass.json")
			if err != nil {
				t.Fatal(err)
			}
			r := aesoStdin(t, admin, string(data), "evidence", "add", "--bundle", id, "--gotest", "-", "--name", "unit tests")
			if r.code != 0 || !strings.Contains(r.stdout, "Result   pass") || !strings.Contains(r.stdout, "test_report unit tests") {
				t.Errorf("exit code %d, stdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
			}
		})

		for _, tc := range []struct {
			name       string
			args       []string
			wantStderr string
		}{
			{"add without a report or a result says what to give", []string{"evidence", "add", "--bundle", id, "--name", "x"}, "give a report"},
			{"add with a report and --result refuses the mix", []string{"evidence", "add", "--bundle", id, "--junit", "../../internal/report/testdata/gotestsum-fail.xml", "--result", "pass"}, "--result describes a manual item"},
			{"add with a report and --passed refuses the mix", []string{"evidence", "add", "--bundle", id, "--junit", "../../internal/report/testdata/gotestsum-fail.xml", "--passed", "3"}, "--passed describes a manual item"},
			{"add with a malformed link names the form", []string{"evidence", "add", "--bundle", id, "--type", "check", "--name", "x", "--result", "pass", "--link", "https://x.example"}, "URL#sha256:HEX#SIZE"},
			{"add with an unknown result names the field", []string{"evidence", "add", "--bundle", id, "--type", "check", "--name", "x", "--result", "great"}, "result: must be one of"},
			{"add a report that is not there names the file", []string{"evidence", "add", "--bundle", id, "--junit", "testdata/evidence-missing.xml"}, "evidence-missing.xml"},
			{"export of an open bundle is refused", []string{"evidence", "export", id}, "bundle_not_sealed"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := aeso(t, admin, tc.args...)
				if r.code != 2 || !strings.Contains(r.stderr, tc.wantStderr) {
					t.Errorf("exit code %d, stderr:\n%s\nwant exit code 2 and stderr containing %q", r.code, r.stderr, tc.wantStderr)
				}
			})
		}

		digest := strings.TrimSpace(mustRun(t, admin, "evidence", "seal", id).stdout)
		var next string
		t.Run("supersede prints the new bundle's id", func(t *testing.T) {
			next = strings.TrimSuffix(mustRun(t, admin, "evidence", "supersede", id, "--reason", "wrong environment", "--title", "web UAT, again").stdout, "\n")
			if next == "" || next == id || strings.ContainsAny(next, " \n") {
				t.Fatalf("supersede printed %q, want a new id", next)
			}
		})
		t.Run("show of the new bundle prints the chain", func(t *testing.T) {
			r := mustRun(t, admin, "evidence", "show", next)
			for _, want := range []string{"Chain (oldest first):", "  " + id, "* " + next, "wrong environment", "Supersedes"} {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("show lacks %q:\n%s", want, r.stdout)
				}
			}
			old := mustRun(t, admin, "evidence", "show", id)
			if !strings.Contains(old.stdout, "superseded by "+next) || !strings.Contains(old.stdout, digest) {
				t.Errorf("the old bundle does not point at the new one:\n%s", old.stdout)
			}
		})
	})
}

func TestEvidenceVerifyRejectsWhatIsNotAnExport(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, content, wantStderr string
	}{
		{"garbage", "not json", "not an evidence export"},
		{"another JSON document", `{"format":"something-else","document":{}}`, "not an evidence export"},
		{"an export without its document", `{"format":"aeso-evidence-export/v1","digest":"sha256:00"}`, "no document"},
	} {
		t.Run("verify of "+tc.name+" exits 2", func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".json")
			if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			r := aeso(t, nil, "evidence", "verify", path)
			if r.code != 2 || !strings.Contains(r.stderr, tc.wantStderr) {
				t.Errorf("exit code %d, stderr %q; want 2 and %q", r.code, r.stderr, tc.wantStderr)
			}
		})
	}
	t.Run("verify of a missing file exits 2", func(t *testing.T) {
		r := aeso(t, nil, "evidence", "verify", filepath.Join(dir, "absent.json"))
		if r.code != 2 || !strings.Contains(r.stderr, "absent.json") {
			t.Errorf("exit code %d, stderr %q; want 2 naming the file", r.code, r.stderr)
		}
	})
}

// aesoStdin runs aeso with stdin fed from a pipe.
func aesoStdin(t *testing.T, env []string, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, aesoBin, args...)
	cmd.Env = cliEnv(env...)
	cmd.Stdin = strings.NewReader(stdin) // not an *os.File: exec copies it through a pipe
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	var exitErr *exec.ExitError
	if err := cmd.Run(); err != nil && !errors.As(err, &exitErr) {
		t.Fatalf("aeso %s: %v", strings.Join(args, " "), err)
	}
	return result{code: cmd.ProcessState.ExitCode(), stdout: stdout.String(), stderr: stderr.String()}
}

// An export written before DigestV2 (internal/evidence/testdata, made by a
// real server of that version) keeps verifying offline by its own rules,
// and says which rules those were.
func TestEvidenceVerifyOfAnExportSealedBeforeV2(t *testing.T) {
	file := filepath.Join("..", "..", "internal", "evidence", "testdata", "export-v1.json")
	const digest = "sha256:afa4ea02c93da6f6bb52980a5bc88440ae41bd02f04d25d4dfd38bcc2cd48590"
	r := aeso(t, nil, "evidence", "verify", file, "--digest", digest)
	if want := "OK " + digest + " (aeso-evidence-v1) bundle 01a2346a-0df5-76b0-acab-cfb391edbe31, 1 item\n"; r.code != 0 || r.stdout != want {
		t.Errorf("exit code %d, stdout %q, stderr %q; want 0 and %q", r.code, r.stdout, r.stderr, want)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	tampered := filepath.Join(t.TempDir(), "tampered.json")
	if err := os.WriteFile(tampered, bytes.Replace(data, []byte(`"n": 1.50`), []byte(`"n": 1.5`), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	// v1 kept numbers as written: 1.5 is another document than 1.50.
	if r := aeso(t, nil, "evidence", "verify", tampered); r.code != 1 || !strings.Contains(r.stderr, "digest mismatch") {
		t.Errorf("v1 export with a number rewritten: exit %d, stderr %q; want 1", r.code, r.stderr)
	}
}
