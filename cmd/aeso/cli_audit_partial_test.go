package main

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aeso-dev/aeso/client"
	"github.com/aeso-dev/aeso/internal/testdb"
	"golang.org/x/mod/sumdb/note"
)

// TestAuditVerifyChecksAnExportThatStartsLater is `aeso audit export
// --since S` against aeso itself: with the log's URL each line is checked
// at its seq, tampering inside the range (in the file or in the database)
// is named, and what cannot be checked is an error that says why.
func TestAuditVerifyChecksAnExportThatStartsLater(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		var args []string
		if tg.URL != "" {
			args = []string{"--database-url", tg.URL}
		}
		s := startServer(t, tg.DataDir, nil, args...)
		env := s.env(s.adminToken(t))
		dir := t.TempDir()
		p := func(name string) string { return filepath.Join(dir, name) }
		emit := func(name string, n int) int64 {
			var batch strings.Builder
			batch.WriteString("[")
			for i := range n {
				if i > 0 {
					batch.WriteString(",")
				}
				fmt.Fprintf(&batch, `{"action":"credentials.api_key.rotate","actor_user_id":"alice","target_type":"api_key","target_id":"%s-%d","result":"success","occurred_at":"2026-11-23T12:00:00Z","metadata":{"n":%d}}`, name, i, i)
			}
			batch.WriteString("]")
			writeFile(t, p(name+".json"), batch.String())
			mustRun(t, env, "audit", "emit", "--file", p(name+".json"))
			var page client.EventPage
			decode(t, mustRun(t, env, "audit", "list", "--json", "--limit", "1"), &page)
			return page.Events[0].Seq
		}
		first := emit("first", 20)
		writeFile(t, p("old.txt"), string(s.checkpointCovering(t, first)))
		last := emit("second", 40)
		writeFile(t, p("cp.txt"), string(s.checkpointCovering(t, last)))
		writeFile(t, p("audit.vkey"), mustRun(t, env, "audit", "key").stdout)
		_, otherKey, err := note.GenerateKey(rand.Reader, "aeso.local/audit")
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, p("other.vkey"), otherKey)

		since := first + 5 // after the old checkpoint's end
		mustRun(t, env, "audit", "export", "--since", fmt.Sprint(since), "--to", p("part.jsonl"))
		mustRun(t, env, "audit", "export", "--to", p("whole.jsonl"))
		lines := readLines(t, p("part.jsonl"))
		if n := int64(len(lines)); n != last-since {
			t.Fatalf("the export holds %d lines, want %d (seq %d to %d)", n, last-since, since+1, last)
		}
		variant := func(name string, change func([][]byte) [][]byte) string {
			writeFile(t, p(name), string(export(change(slices.Clone(lines)))))
			return p(name)
		}
		at := func(seq int64) int { return int(seq - since - 1) } // line index of seq
		altered := variant("altered.jsonl", func(ls [][]byte) [][]byte {
			ls[at(since+7)] = bytes.Replace(ls[at(since+7)], []byte(`"alice"`), []byte(`"mallory"`), 1)
			return ls
		})
		missing := variant("missing.jsonl", func(ls [][]byte) [][]byte { return slices.Delete(ls, at(since+9), at(since+9)+1) })
		lastGone := variant("last-gone.jsonl", func(ls [][]byte) [][]byte { return ls[:len(ls)-1] })
		extra := variant("extra.jsonl", func(ls [][]byte) [][]byte {
			forged := bytes.Replace(ls[at(since+4)], []byte(`"alice"`), []byte(`"mallory"`), 1)
			return slices.Insert(ls, at(since+4), forged)
		})

		online := []string{"--url", s.URL, "--since", fmt.Sprint(since)}
		tests := []struct {
			name string
			args []string
			code int
			want string
		}{
			{"an intact partial export", slices.Concat([]string{"--export", p("part.jsonl"), "--checkpoint", p("cp.txt")}, online),
				0, fmt.Sprintf("verified: the export's events from seq %d to %d are the log aeso.local/audit signed", since+1, last)},
			{"and every line compared", slices.Concat([]string{"--export", p("part.jsonl"), "--checkpoint", p("cp.txt")}, online),
				0, fmt.Sprintf("%d events compared one by one", last-since)},
			{"two checkpoints", slices.Concat([]string{"--export", p("part.jsonl"), "--checkpoint", p("old.txt"), "--checkpoint", p("cp.txt")}, online),
				0, "consistent: the log's consistency proof holds"},
			{"a line altered", slices.Concat([]string{"--export", altered, "--checkpoint", p("cp.txt")}, online),
				1, fmt.Sprintf("tampered: altered at seq %d", since+7)},
			{"a line missing", slices.Concat([]string{"--export", missing, "--checkpoint", p("cp.txt")}, online),
				1, fmt.Sprintf("tampered: missing at seq %d", since+9)},
			{"the last line missing", slices.Concat([]string{"--export", lastGone, "--checkpoint", p("cp.txt")}, online),
				1, fmt.Sprintf("tampered: missing at seq %d", last)},
			{"a line added", slices.Concat([]string{"--export", extra, "--checkpoint", p("cp.txt")}, online),
				1, fmt.Sprintf("tampered: extra at seq %d", since+4)},
			{"the wrong key", slices.Concat([]string{"--export", p("part.jsonl"), "--checkpoint", p("cp.txt"), "--key", p("other.vkey")}, online),
				1, "tampered: bad signature"},
			{"a checkpoint older than the export", slices.Concat([]string{"--export", p("part.jsonl"), "--checkpoint", p("old.txt")}, online),
				2, "vouches for none of the export's events"},
			{"offline", []string{"--export", p("part.jsonl"), "--checkpoint", p("cp.txt"), "--since", fmt.Sprint(since)},
				2, "can only be checked against the log's tree: give the log's URL"},
			{"without --since", []string{"--export", p("part.jsonl"), "--checkpoint", p("cp.txt"), "--url", s.URL},
				2, fmt.Sprintf("starts at seq %d, not at the first event", since+1)},
			{"claimed to start later than it does", []string{"--export", p("part.jsonl"), "--checkpoint", p("cp.txt"), "--url", s.URL, "--since", fmt.Sprint(since + 3)},
				2, fmt.Sprintf("starts at seq %d, but --since %d says", since+1, since+3)},
			{"claimed to start earlier than it does", []string{"--export", p("part.jsonl"), "--checkpoint", p("cp.txt"), "--url", s.URL, "--since", fmt.Sprint(since - 3)},
				1, fmt.Sprintf("tampered: missing at seq %d", since-2)},
			{"a whole export given --since", []string{"--export", p("whole.jsonl"), "--checkpoint", p("cp.txt"), "--url", s.URL, "--since", fmt.Sprint(since)},
				2, fmt.Sprintf("starts at seq 1, but --since %d says", since)},
			{"claimed to start at the first event", []string{"--export", p("part.jsonl"), "--checkpoint", p("cp.txt"), "--url", s.URL, "--since", "0"},
				1, "tampered: missing at seq 1"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				args := append([]string{"audit", "verify"}, tt.args...)
				if !slices.Contains(args, "--key") {
					args = append(args, "--key", p("audit.vkey"))
				}
				r := aeso(t, env, args...)
				if r.code != tt.code || !strings.Contains(r.stdout+r.stderr, tt.want) {
					t.Errorf("exit %d, want %d with %q:\n%s%s", r.code, tt.code, tt.want, r.stdout, r.stderr)
				}
			})
		}

		// The attacker with the database, inside the exported range: what
		// the export then holds is named at its seq.
		db := attackerConnection(t, tg)
		for _, step := range []struct {
			name   string
			tamper func()
			want   string
		}{
			{"a row altered in the database", func() {
				attack(t, db, `UPDATE audit_logs SET actor_user_id = 'mallory' WHERE seq = $1`, since+12)
			}, fmt.Sprintf("tampered: altered at seq %d", since+12)},
			{"the range's first row deleted from the database", func() {
				attack(t, db, `DELETE FROM audit_display_names WHERE seq = $1`, since+1)
				attack(t, db, `DELETE FROM audit_logs WHERE seq = $1`, since+1)
			}, fmt.Sprintf("tampered: missing at seq %d", since+1)},
		} {
			ok := t.Run(step.name, func(t *testing.T) {
				step.tamper()
				mustRun(t, env, "audit", "export", "--since", fmt.Sprint(since), "--to", p("now.jsonl"))
				r := aeso(t, env, slices.Concat([]string{"audit", "verify", "--export", p("now.jsonl"),
					"--checkpoint", p("cp.txt"), "--key", p("audit.vkey")}, online)...)
				if r.code != 1 || !strings.Contains(r.stdout+r.stderr, step.want) {
					t.Errorf("exit %d, want 1 with %q:\n%s%s", r.code, step.want, r.stdout, r.stderr)
				}
			})
			if !ok {
				break
			}
		}
	})
}

// readLines reads an export file as its lines, without their newlines.
func readLines(t *testing.T, path string) [][]byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
}
