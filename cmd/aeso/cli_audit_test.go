package main

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/aeso-dev/aeso/client"
	"github.com/aeso-dev/aeso/internal/testdb"
)

func TestAuditCommandsRecordAndShowEvents(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		var args []string
		if tg.URL != "" {
			args = []string{"--database-url", tg.URL}
		}
		s := startServer(t, tg.DataDir, nil, args...)
		admin := s.env(s.adminToken(t))
		var id string

		ok := t.Run("emit from flags prints the event's summary", func(t *testing.T) {
			r := mustRun(t, admin, "audit", "emit", "--action", "credentials.api_key.rotate",
				"--actor-user", "alice", "--target-type", "api_key", "--target-id", "key-42",
				"--metadata", `{"key_name":"deploy","password":"hunter2"}`)
			want := "alice performed credentials.api_key.rotate on API key key-42"
			if !strings.Contains(r.stdout, want) {
				t.Errorf("stdout lacks the summary %q:\n%s", want, r.stdout)
			}
		})
		ok = ok && t.Run("list --json shows the event with its password redacted", func(t *testing.T) {
			r := mustRun(t, admin, "audit", "list", "--json")
			var page client.EventPage
			decode(t, r, &page)
			if len(page.Events) == 0 {
				t.Fatalf("no events listed:\n%s", r.stdout)
			}
			ev := page.Events[0]
			if ev.Action != "credentials.api_key.rotate" {
				t.Fatalf("newest event action = %q, want credentials.api_key.rotate", ev.Action)
			}
			var md map[string]any
			if err := json.Unmarshal(ev.Metadata, &md); err != nil {
				t.Fatalf("metadata %s: %v", ev.Metadata, err)
			}
			if md["password"] != "[REDACTED]" || md["key_name"] != "deploy" {
				t.Errorf("metadata = %v, want password [REDACTED] and key_name deploy", md)
			}
			if strings.Contains(r.stdout, "hunter2") {
				t.Errorf("the password appears in the listing")
			}
			id = ev.ID
		})
		if !ok {
			return
		}

		t.Run("list --search finds the event by a word of its metadata, never by its password", func(t *testing.T) {
			var page client.EventPage
			decode(t, mustRun(t, admin, "audit", "list", "--search", "DEPLOY key-42", "--json"), &page)
			if len(page.Events) != 1 || page.Events[0].ID != id {
				t.Errorf("--search 'DEPLOY key-42' listed %d events, want the one emitted (%s):\n%+v", len(page.Events), id, page.Events)
			}
			decode(t, mustRun(t, admin, "audit", "list", "--search", "hunter2", "--json"), &page)
			if len(page.Events) != 0 {
				t.Errorf("--search hunter2 found %d events by a redacted password", len(page.Events))
			}
			if r := aeso(t, admin, "audit", "list", "--search", " "); r.code == 0 || !strings.Contains(r.stderr, "--search") {
				t.Errorf("--search without words: exit %d, stderr %q; want an error naming --search", r.code, r.stderr)
			}
		})
		t.Run("get names the redacted metadata paths", func(t *testing.T) {
			r := mustRun(t, admin, "audit", "get", id)
			var redacted string
			for line := range strings.SplitSeq(r.stdout, "\n") {
				if strings.HasPrefix(line, "Redacted") {
					redacted = line
				}
			}
			if !strings.Contains(redacted, "password") {
				t.Errorf("no Redacted line naming password in:\n%s", r.stdout)
			}
			if !strings.Contains(r.stdout, id) || strings.Contains(r.stdout, "hunter2") {
				t.Errorf("want the event %s without its password:\n%s", id, r.stdout)
			}
		})
		t.Run("get --json returns the event", func(t *testing.T) {
			var ev client.Event
			decode(t, mustRun(t, admin, "audit", "get", id, "--json"), &ev)
			if ev.ID != id || !slices.Equal(ev.RedactedPaths, []string{"password"}) {
				t.Errorf("got id %s redacted %v, want id %s redacted [password]", ev.ID, ev.RedactedPaths, id)
			}
		})
		t.Run("emit --file stores every event of a JSON array", func(t *testing.T) {
			var receipt client.BatchReceipt
			decode(t, mustRun(t, admin, "audit", "emit", "--file", "testdata/two-events.json", "--json"), &receipt)
			if receipt.Created != 2 || len(receipt.Events) != 2 {
				t.Fatalf("receipt %+v, want 2 created", receipt)
			}
			var actions []string
			for _, rc := range receipt.Events {
				var ev client.Event
				decode(t, mustRun(t, admin, "audit", "get", rc.ID, "--json"), &ev)
				actions = append(actions, ev.Action)
			}
			if want := []string{"deploy.release.approve", "deploy.release.start"}; !slices.Equal(actions, want) {
				t.Errorf("stored actions = %v, want %v", actions, want)
			}
		})

		t.Run("emit --file takes one event whose metadata mentions events", func(t *testing.T) {
			var receipt client.BatchReceipt
			decode(t, mustRun(t, admin, "audit", "emit", "--file", "testdata/event-with-events-metadata.json", "--json"), &receipt)
			if len(receipt.Events) != 1 {
				t.Fatalf("receipt %+v, want one event", receipt)
			}
			var ev client.Event
			decode(t, mustRun(t, admin, "audit", "get", receipt.Events[0].ID, "--json"), &ev)
			var compact bytes.Buffer
			if err := json.Compact(&compact, ev.Metadata); err != nil || ev.Action != "deploy.release.start" || compact.String() != `{"events":3}` {
				t.Errorf("stored %s with metadata %s", ev.Action, ev.Metadata)
			}
		})

		for _, tc := range []struct {
			name       string
			env        []string
			args       []string
			wantStderr string
		}{
			{
				name:       "emit --file refuses a misspelt field instead of dropping it",
				env:        admin,
				args:       []string{"audit", "emit", "--file", "testdata/misspelt-field.json"},
				wantStderr: `unknown field "metdata"`,
			},
			{
				name:       "emit with an invalid action names the field",
				env:        admin,
				args:       []string{"audit", "emit", "--action", "Bad", "--actor-user", "alice"},
				wantStderr: "\n  action: ",
			},
			{
				name:       "a command without AESO_TOKEN says to set it",
				env:        []string{"AESO_URL=" + s.URL},
				args:       []string{"audit", "list"},
				wantStderr: "AESO_TOKEN is not set",
			},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := aeso(t, tc.env, tc.args...)
				if r.code != 2 || !strings.Contains(r.stderr, tc.wantStderr) {
					t.Errorf("exit code %d, stderr:\n%s\nwant exit code 2 and stderr containing %q", r.code, r.stderr, tc.wantStderr)
				}
			})
		}
		// Checked last: the startup line may be written just after /readyz answers.
		if want := "database=" + tg.Dialect; !strings.Contains(s.stderr.String(), want) {
			t.Errorf("server log lacks %s, so another database was under test", want)
		}
	})
}
