package e2e

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aeso-dev/aeso/client"
	"github.com/aeso-dev/aeso/internal/testdb"
	_ "github.com/jackc/pgx/v5/stdlib"
)

// canaries are secrets of every pattern aeso must catch. Each is unique so
// a leak names its pattern.
var canaries = map[string]string{
	"password field":    "canary-Passw0rd-7f3a",
	"JWT":               "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJjYW5hcnktand0In0.c2lnbmF0dXJlLWNhbmFyeS1qd3Q",
	"PEM private key":   "-----BEGIN RSA PRIVATE KEY-----\nMIIEcanaryPEMkeyMATERIALxyz\n-----END RSA PRIVATE KEY-----",
	"Bearer token":      "Bearer canaryBearer9f8e7d6c5b4a",
	"AWS access key":    "AKIACANARY7EXAMPLE12",
	"GitHub token":      "ghp_CanaryGitHubToken0123456789abcdefABCD",
	"GitLab token":      "glpat-CanaryGitLab01234567xyz",
	"card number":       "4111 1111 1111 1111",
	"URL with password": "postgres://app:canaryUrlPw55@db.internal:5432/app",
	"aeso token":        "aeso_CanaryAesoToken0123456789abcdefghij",
	"Slack token":       "xoxb-CanarySlack-0123456789",
	"Google API key":    "AIzaCanaryGoogleKey0123456789abcdefghijk",
	"Stripe key":        "sk_live_CanaryStripe0123456789",
	"GitHub PAT":        "github_pat_CanaryFineGrained0123456789ab",
	"AWS secret":        "aws_secret_access_key=CanaryAwsSecret0123456789abcdef",
	"Basic credentials": "Basic " + "Y2FuYXJ5LXVzZXI6Y2FuYXJ5LXB3", // canary-user:canary-pw
	"OpenSSH key":       "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1jYW5hcnk=\n-----END OPENSSH PRIVATE KEY-----",
}

// needles are the parts of each canary that must never appear anywhere.
func needles() []string {
	return []string{
		"canary-Passw0rd-7f3a", "c2lnbmF0dXJlLWNhbmFyeS1qd3Q", "MIIEcanaryPEMkeyMATERIALxyz",
		"canaryBearer9f8e7d6c5b4a", "AKIACANARY7EXAMPLE12", "ghp_CanaryGitHubToken0123456789abcdefABCD",
		"glpat-CanaryGitLab01234567xyz", "4111 1111 1111 1111", "canaryUrlPw55",
		"aeso_CanaryAesoToken0123456789abcdefghij", "xoxb-CanarySlack-0123456789",
		"AIzaCanaryGoogleKey0123456789abcdefghijk", "sk_live_CanaryStripe0123456789",
		"github_pat_CanaryFineGrained0123456789ab", "CanaryAwsSecret0123456789abcdef",
		"Y2FuYXJ5LXVzZXI6Y2FuYXJ5LXB3", "b3BlbnNzaC1jYW5hcnk=", "5500005555555559",
		"canary-key-api", "canary-key-authz", "canary-key-cookie", "canary-key-cvv",
		"canary-key-private", "canary-key-ssh",
	}
}

func TestSecretsNeverLeaveIngest(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		ev := validEvent()
		ev["action"] = "credentials.api_key.rotate"
		ev["metadata"] = map[string]any{
			"password": canaries["password field"],
			"session":  map[string]any{"id_token_hint": canaries["JWT"]},
			"key":      canaries["PEM private key"],
			"headers":  []any{"Accept: json", canaries["Bearer token"]},
			"aws":      canaries["AWS access key"],
			"note":     "pushed with " + canaries["GitHub token"],
			"ci":       canaries["GitLab token"],
			"payment":  map[string]any{"pan": canaries["card number"]},
			"dsn":      canaries["URL with password"],
			"minted":   canaries["aeso token"],
			"key_name": "deploy",
			"chat":     canaries["Slack token"],
			"maps":     canaries["Google API key"],
			"billing":  []any{canaries["Stripe key"], 5500005555555559}, // a card as a JSON number
			"forge":    canaries["GitHub PAT"],
			"env":      canaries["AWS secret"],
			"proxy":    canaries["Basic credentials"],
			"deploy":   map[string]any{"key": canaries["OpenSSH key"]},
			"headers2": map[string]any{
				"X-Api-Key": "canary-key-api", "Authorization": "canary-key-authz", "Cookie": "canary-key-cookie",
			},
			"card":  map[string]any{"cvv": "canary-key-cvv"},
			"creds": map[string]any{"private_key": "canary-key-private", "sshKey": "canary-key-ssh"},
		}
		r := e.do("POST", "/v1/audit/events", adminToken, ev)
		if r.status != 201 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		var created client.Event
		r.json(t, &created)
		want := []string{"aws", "billing[0]", "billing[1]", "card.cvv", "chat", "ci", "creds.private_key", "creds.sshKey",
			"deploy.key", "dsn", "env", "forge", "headers2.Authorization", "headers2.Cookie", "headers2.X-Api-Key",
			"headers[1]", "key", "maps", "minted", "note", "password", "payment.pan", "proxy", "session.id_token_hint"}
		if strings.Join(created.RedactedPaths, ",") != strings.Join(want, ",") {
			t.Errorf("redacted_paths %v, want %v", created.RedactedPaths, want)
		}
		if !strings.Contains(string(created.Metadata), `"key_name":"deploy"`) {
			t.Errorf("harmless metadata was lost: %s", created.Metadata)
		}

		// Every surface a reader sees.
		surfaces := map[string]string{"ingest answer": string(r.body)}
		surfaces["get"] = string(e.do("GET", "/v1/audit/events/"+created.ID, adminToken, nil).body)
		surfaces["list"] = string(e.do("GET", "/v1/audit/events?limit=1000", adminToken, nil).body)
		surfaces["server log"] = e.logs.String()
		surfaces["stored rows"] = storedText(t, e)
		for where, text := range surfaces {
			for _, n := range needles() {
				if strings.Contains(text, n) {
					t.Errorf("%s contains the canary %q", where, n)
				}
			}
		}
	})
}

// storedText returns everything the database holds, as bytes on disk
// (SQLite's file and its WAL) or as the text of every PostgreSQL row.
func storedText(t *testing.T, e *env) string {
	t.Helper()
	if e.tg.Dialect == "sqlite" {
		var all strings.Builder
		files, _ := filepath.Glob(filepath.Join(e.tg.DataDir, "aeso.db*"))
		if len(files) == 0 {
			t.Fatal("no SQLite files found")
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			all.Write(b)
		}
		if !strings.Contains(all.String(), "credentials.api_key.rotate") {
			t.Fatal("the SQLite files do not hold the event at all; the check would prove nothing")
		}
		return all.String()
	}
	db, err := sql.Open("pgx", e.tg.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var text string
	err = db.QueryRowContext(context.Background(),
		`SELECT string_agg(a::text, E'\n') FROM (SELECT l::text AS a FROM audit_logs l
		 UNION ALL SELECT d::text FROM audit_display_names d UNION ALL SELECT k::text FROM api_tokens k) x`).Scan(&text)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "credentials.api_key.rotate") {
		t.Fatal("the PostgreSQL rows do not hold the event at all; the check would prove nothing")
	}
	return text
}

func TestTokenSecretsAreStoredOnlyAsHashes(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		secret := e.newToken("ci", "audit:write")
		if _, _, err := e.client(secret).EmitEvent(e.ctx, client.EventInput{
			ActorServiceAccountID: "ci", Action: "credentials.api_key.rotate", Result: "success",
			OccurredAt: "2026-01-02T15:04:05Z",
		}); err != nil {
			t.Fatal(err)
		}
		list := string(e.do("GET", "/v1/tokens", adminToken, nil).body)
		for where, text := range map[string]string{"token list": list, "server log": e.logs.String(), "stored rows": storedText(t, e)} {
			for _, s := range []string{secret, adminToken} {
				if strings.Contains(text, s) {
					t.Errorf("%s contains a token secret", where)
				}
			}
		}
	})
}
