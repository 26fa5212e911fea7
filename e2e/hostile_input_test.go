package e2e

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aeso-dev/aeso/client"
	"github.com/aeso-dev/aeso/internal/apitest"
	"github.com/aeso-dev/aeso/internal/server"
	"github.com/aeso-dev/aeso/internal/testdb"
)

// hostile is one request no JSON route may accept: what it sends and the
// refusal it must get.
type hostile struct {
	name        string
	contentType string // "" sends no Content-Type
	body        string
	status      int
	code        string // the problem's code
	field       string // errors[0].field, "" when the answer has no errors[]
	fieldCode   string
}

// canary is in every hostile value; no answer may repeat it.
const canary = "Cnry7q"

var hostileBodies = []hostile{
	{"an escaped NUL in a string", "application/json", `{"title":"` + canary + `\u0000"}`, 400, "invalid_text", "title", "nul_character"},
	{"a raw NUL in a string", "application/json", "{\"title\":\"" + canary + "\x00\"}", 400, "invalid_text", "title", "nul_character"},
	{"raw invalid UTF-8 in a string", "application/json", "{\"title\":\"" + canary + "\xff\xfe\"}", 400, "invalid_text", "title", "invalid_utf8"},
	{"a lone surrogate escape", "application/json", `{"title":"` + canary + `\ud800"}`, 400, "invalid_text", "title", "invalid_utf8"},
	{"a lone low surrogate in a batch element's metadata", "application/json",
		`{"events":[{"action":"a.b"},{"metadata":{"note":"` + canary + `\udc00x"}}]}`, 400, "invalid_text", "events[1].metadata.note", "invalid_utf8"},
	{"an escaped NUL deep in metadata", "application/json",
		`{"metadata":{"outer":{"list":["ok","` + canary + `\u0000"]}}}`, 400, "invalid_text", "metadata.outer.list[1]", "nul_character"},
	{"an escaped NUL in a member name", "application/json", `{"metadata":{"` + canary + `\u0000":1}}`, 400, "invalid_text", "metadata", "nul_character"},
	{"invalid UTF-8 in a member name", "application/json", "{\"metadata\":{\"" + canary + "\xc0\":1}}", 400, "invalid_text", "metadata", "invalid_utf8"},
	{"a key given twice at the top", "application/json", `{"events":[{"action":"` + canary + `"}],"events":[{"action":"b.c"}]}`, 400, "duplicate_key", "events", "duplicate_key"},
	{"a key given twice in a batch element", "application/json",
		`{"events":[{"action":"a.b"},{"action":"a.b","action":"` + canary + `"}]}`, 400, "duplicate_key", "events[1].action", "duplicate_key"},
	{"a key given twice in nested metadata", "application/json",
		`{"metadata":{"note":{"a":"` + canary + `","a":"b"}}}`, 400, "duplicate_key", "metadata.note.a", "duplicate_key"},
	{"a key given twice under another spelling", "application/json", `{"title":"a","t\u0069tle":"` + canary + `"}`, 400, "duplicate_key", "title", "duplicate_key"},
	{"a form body (curl -d)", "application/x-www-form-urlencoded", `title=` + canary, 415, "unsupported_media_type", "", ""},
	{"plain text", "text/plain", `{"title":"` + canary + `"}`, 415, "unsupported_media_type", "", ""},
	{"multipart", "multipart/form-data; boundary=x", "--x\r\n\r\n" + canary + "\r\n--x--", 415, "unsupported_media_type", "", ""},
	{"JSON in UTF-16", "application/json; charset=utf-16", `{"title":"` + canary + `"}`, 415, "unsupported_media_type", "", ""},
	{"a JSON body with no content type", "", `{"title":"` + canary + `"}`, 415, "unsupported_media_type", "", ""},
}

// TestEveryJSONRouteRefusesHostileInput sends every hostile body to every
// JSON write route of the route table, so a new route is covered without
// editing the test, then hostile path values and query parameters, and
// checks each refusal, its field, that the value is never repeated, and
// that no table gained a row.
func TestEveryJSONRouteRefusesHostileInput(t *testing.T) {
	t.Parallel() // a server and database of its own, no clock boundaries
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		b, err := e.admin.CreateBundle(e.ctx, client.BundleRequest{Kind: "release", Subject: client.Subject{Name: "api", Ref: "v1"}, Title: "t"})
		if err != nil {
			t.Fatal(err)
		}
		before := e.countRows()
		sent, routes := 0, 0
		for _, rt := range (&server.Server{}).Routes() {
			if rt.Body() != server.BodyJSON {
				continue
			}
			routes++
			path := strings.NewReplacer("{id}", b.ID, "{name}", "api").Replace(rt.Path)
			for _, h := range hostileBodies {
				t.Run(rt.Method+" "+rt.Path+": "+h.name, func(t *testing.T) {
					sent++
					h.check(t, e.sendHostile(rt.Method, path, h.contentType, h.body))
				})
			}
		}
		if routes < 14 {
			t.Errorf("the route table has %d JSON write routes, want at least 14", routes)
		}
		for _, h := range []struct {
			hostile
			method, path string
		}{
			{hostile{"a NUL in a path value", "application/json", `{}`, 400, "invalid_text", "id", "nul_character"},
				"POST", "/v1/evidence/bundles/" + canary + "%00/items"},
			{hostile{"invalid UTF-8 in a path value", "application/json", `{}`, 400, "invalid_text", "name", "invalid_utf8"},
				"POST", "/v1/components/" + canary + "%FF/status"},
			{hostile{"a NUL in the id of a read", "", "", 400, "invalid_text", "id", "nul_character"},
				"GET", "/v1/audit/events/" + canary + "%00"},
			{hostile{"invalid UTF-8 in the id of a seal", "", "", 400, "invalid_text", "id", "invalid_utf8"},
				"POST", "/v1/evidence/bundles/" + canary + "%E2%82/seal"},
			{hostile{"a NUL in a query value", "", "", 400, "invalid_text", "action", "nul_character"},
				"GET", "/v1/audit/events?action=" + canary + "%00"},
			{hostile{"invalid UTF-8 in a query value", "", "", 400, "invalid_text", "target_id", "invalid_utf8"},
				"GET", "/v1/audit/events?target_id=" + canary + "%C3%28"},
			{hostile{"invalid UTF-8 in a query name", "", "", 400, "invalid_text", "query", "invalid_utf8"},
				"GET", "/v1/audit/events?" + canary + "%FF=1"},
			{hostile{"a NUL in an upload's query value", "text/plain", `<testsuites/>`, 400, "invalid_text", "name", "nul_character"},
				"POST", "/v1/evidence/bundles/" + b.ID + "/reports?format=junit&name=" + canary + "%00"},
			{hostile{"a valid event with a NUL in its metadata", "application/json",
				`{"actor_user_id":"alice","action":"a.b","result":"success","occurred_at":"2026-01-02T15:04:05Z","metadata":{"note":"` + canary + `\u0000"}}`,
				400, "invalid_text", "metadata.note", "nul_character"}, "POST", "/v1/audit/events"},
			{hostile{"a valid batch given twice", "application/json",
				`{"events":[{"actor_user_id":"alice","action":"a.b","result":"success","occurred_at":"2026-01-02T15:04:05Z"}],` +
					`"events":[{"actor_user_id":"bob","action":"a.b","result":"success","occurred_at":"2026-01-02T15:04:05Z","target_id":"` + canary + `"}]}`,
				400, "duplicate_key", "events", "duplicate_key"}, "POST", "/v1/audit/events"},
			{hostile{"a valid bundle with invalid UTF-8 in its title", "application/json",
				"{\"kind\":\"release\",\"subject\":{\"name\":\"api\",\"ref\":\"v2\"},\"title\":\"" + canary + "\xed\xa0\x80\"}",
				400, "invalid_text", "title", "invalid_utf8"}, "POST", "/v1/evidence/bundles"},
			{hostile{"a valid bundle whose title is given twice in two spellings", "application/json",
				`{"kind":"release","subject":{"name":"api","ref":"v3"},"title":"t","Title":"` + canary + `"}`,
				400, "validation_failed", "Title", "unknown_field"}, "POST", "/v1/evidence/bundles"},
			{hostile{"an unknown member of a nested object, named where it stands", "application/json",
				`{"kind":"release","subject":{"name":"api","ref":"v4","bogus":"` + canary + `"},"title":"t"}`,
				400, "validation_failed", "subject.bogus", "unknown_field"}, "POST", "/v1/evidence/bundles"},
			{hostile{"an unknown member of an array's object, with its index", "application/json",
				`{"component":"api","kind":"drift","severity":"low","owner":"platform","evidence":{"summary":"s","pairs":[{"field":"f"},{"field":"g","bogus":"` + canary + `"}]}}`,
				400, "validation_failed", "evidence.pairs[1].bogus", "unknown_field"}, "POST", "/v1/reconciliations"},
			{hostile{"a free-text subject that matches no bundle", "", "", 404, "no_bundle", "", ""},
				"GET", "/v1/evidence/bundles/latest?kind=release&subject=note%20password%3D" + canary},
			{hostile{"a value sent as an unknown parameter's name", "", "", 400, "validation_failed", "[REDACTED]", "unknown_parameter"},
				"GET", "/v1/audit/events?note%3D" + canary + "=1"},
		} {
			t.Run(h.name, func(t *testing.T) {
				sent++
				h.check(t, e.sendHostile(h.method, h.path, h.contentType, h.body))
			})
		}
		if after := e.countRows(); after != before {
			t.Errorf("hostile requests wrote %d rows", after-before)
		}
		t.Logf("%d hostile requests sent", sent)
	})
}

// TestAWrongTypeIsNamedWhereItStands: a value of the wrong type inside an
// array or an object is named with its index or key, as the client wrote
// it, and a bad time with its field.
func TestAWrongTypeIsNamedWhereItStands(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		before := e.countRows()
		for _, tc := range []struct {
			name, path, body, field, code string
		}{
			{"a guard finding's rule id", "/v1/guards/gosec/reports",
				`{"subject":"api@v3","mode":"warn","findings":[{"rule_id":"R","severity":"low"},{"rule_id":5,"severity":"low"}]}`, "findings[1].rule_id", "type"},
			{"a guard count past any integer", "/v1/guards/gosec/reports",
				`{"subject":"api@v3","mode":"warn","findings":[],"counts":{"high":9223372036854775808}}`, "counts.high", "range"},
			{"a guard count that is no whole number", "/v1/guards/gosec/reports",
				`{"subject":"api@v3","mode":"warn","findings":[],"counts":{"high":1.5}}`, "counts.high", "type"},
			{"a batch of null", "/v1/audit/events", `{"events":null}`, "events", "type"},
			{"a batch of a number", "/v1/audit/events", `{"events":5}`, "events", "type"},
			{"a token's second scope", "/v1/tokens", `{"principal":"ci","scopes":["audit:read",5]}`, "scopes[1]", "type"},
			{"a token's expiry in words", "/v1/tokens", `{"principal":"ci","scopes":["audit:read"],"expires_at":"tomorrow"}`, "expires_at", "format"},
			{"a token's expiry as a number", "/v1/tokens", `{"principal":"ci","scopes":["audit:read"],"expires_at":5}`, "expires_at", "format"},
			{"a bundle label's value", "/v1/evidence/bundles",
				`{"kind":"release","subject":{"name":"api","ref":"v1"},"title":"t","labels":{"ok":"x","team":1}}`, "labels.team", "type"},
			{"a label whose key is no plain name", "/v1/evidence/bundles",
				`{"kind":"release","subject":{"name":"api","ref":"v1"},"title":"t","labels":{"password=` + canary + `":1}}`, "labels.[REDACTED]", "type"},
			{"a bundle label of null, which would be stored as \"\"", "/v1/evidence/bundles",
				`{"kind":"release","subject":{"name":"api","ref":"v1"},"title":"t","labels":{"team":null}}`, "labels.team", "type"},
			{"a body of null, which would be read as {}", "/v1/status/snapshots", `null`, "body", "type"},
			{"a token request of null", "/v1/tokens", ` null `, "body", "type"},
			{"a drift pair's expected value", "/v1/reconciliations",
				`{"component":"api","kind":"drift","severity":"low","owner":"o","evidence":{"summary":"s","pairs":[{"field":"f","expected":"1","observed":"2"},{"field":"g","expected":{}}]}}`, "evidence.pairs[1].expected", "type"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := e.doInvalid("POST", tc.path, adminToken, tc.body)
				p := r.problem(t)
				if r.status != 400 || len(p.Errors) != 1 || p.Errors[0].Field != tc.field || p.Errors[0].Code != tc.code {
					t.Errorf("%d %s %+v, want %s %s", r.status, p.Code, p.Errors, tc.field, tc.code)
				}
				if strings.Contains(string(r.body), canary) {
					t.Errorf("the answer repeats the key: %s", r.body)
				}
			})
		}
		if after := e.countRows(); after != before {
			t.Errorf("refused requests wrote %d rows", after-before)
		}
	})
}

// TestAMissingValueIsRequiredAndABadOneIsNot: a field left out is
// "required", one sent in the wrong form is "format", on every route that
// takes it.
func TestAMissingValueIsRequiredAndABadOneIsNot(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg, withConfigFile(writeConfig(t, statusGateYAML)))
		b, err := e.admin.CreateBundle(e.ctx, client.BundleRequest{Kind: "release", Subject: client.Subject{Name: "api", Ref: "v1"}, Title: "t"})
		if err != nil {
			t.Fatal(err)
		}
		r := e.do("POST", "/v1/reconciliations", adminToken, `{"component":"api","kind":"drift","severity":"low","owner":"o","evidence":{"summary":"s"}}`)
		var rec struct{ ID string }
		r.json(t, &rec)
		if r.status != 201 {
			t.Fatalf("record: %d %s", r.status, r.body)
		}
		for _, tc := range []struct {
			name, path, contentType, body, field, code string
		}{
			{"a waiver without expires_at", "/v1/gates/release/waivers", "application/json", `{"rule":"components","subject":"api@v1","reason":"r"}`, "expires_at", "required"},
			{"a waiver expiring next week", "/v1/gates/release/waivers", "application/json", `{"rule":"components","subject":"api@v1","reason":"r","expires_at":"next week"}`, "expires_at", "format"},
			{"an acceptance without accepted_until", "/v1/reconciliations/" + rec.ID + "/transitions", "application/json", `{"state":"accepted","reason":"r"}`, "accepted_until", "required"},
			{"an acceptance until next week", "/v1/reconciliations/" + rec.ID + "/transitions", "application/json", `{"state":"accepted","reason":"r","accepted_until":"next week"}`, "accepted_until", "format"},
			{"an acceptance in the past", "/v1/reconciliations/" + rec.ID + "/transitions", "application/json", `{"state":"accepted","reason":"r","accepted_until":"2001-01-01T00:00:00Z"}`, "accepted_until", "range"},
			{"a promotion without a stage", "/v1/evidence/bundles/" + b.ID + "/promote", "application/json", `{"reason":"r"}`, "stage", "required"},
			{"a promotion to a stage with spaces", "/v1/evidence/bundles/" + b.ID + "/promote", "application/json", `{"stage":"prod ready","reason":"r"}`, "stage", "pattern"},
			{"an upload without a format", "/v1/evidence/bundles/" + b.ID + "/reports", "application/xml", `<testsuites/>`, "format", "required"},
			{"an upload in an unknown format", "/v1/evidence/bundles/" + b.ID + "/reports?format=tap", "text/plain", `ok 1`, "format", "enum"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := e.sendHostile("POST", tc.path, tc.contentType, tc.body)
				p := r.problem(t)
				if r.status != 400 || len(p.Errors) != 1 || p.Errors[0].Field != tc.field || p.Errors[0].Code != tc.code {
					t.Errorf("%d %s %+v, want %s %s", r.status, p.Code, p.Errors, tc.field, tc.code)
				}
			})
		}
	})
}

// TestAPostThatTakesNoBodyRefusesOne: a seal or a revocation reads no
// body, so one that carries something (options a client thought it could
// give) is refused rather than ignored; nothing, or {}, is no body.
func TestAPostThatTakesNoBodyRefusesOne(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		b, err := e.admin.CreateBundle(e.ctx, client.BundleRequest{Kind: "release", Subject: client.Subject{Name: "api", Ref: "v1"}, Title: "t"})
		if err != nil {
			t.Fatal(err)
		}
		tok, err := e.admin.CreateToken(e.ctx, client.TokenRequest{Principal: "ci", Scopes: []string{"audit:read"}})
		if err != nil {
			t.Fatal(err)
		}
		routes := 0
		for _, rt := range (&server.Server{}).Routes() {
			if rt.Method != "POST" || rt.Body() != server.BodyNone {
				continue
			}
			routes++
			path := strings.NewReplacer("{id}", b.ID).Replace(rt.Path)
			if strings.HasPrefix(rt.Path, "/v1/tokens/") {
				path = strings.NewReplacer("{id}", tok.ID).Replace(rt.Path)
			}
			for _, body := range []string{`{"force":true}`, `null`, `[]`, `{"` + canary + `":1}`} {
				r := e.sendHostile("POST", path, "application/json", body)
				p := r.problem(t)
				if r.status != 400 || len(p.Errors) != 1 || p.Errors[0].Field != "body" || p.Errors[0].Code != "unexpected" {
					t.Errorf("%s with %s: %d %+v", rt.Path, body, r.status, p.Errors)
				}
				if strings.Contains(string(r.body), canary) {
					t.Errorf("the answer repeats the body: %s", r.body)
				}
			}
			if r := e.do("POST", path, adminToken, "{}"); r.status != 200 {
				t.Errorf("%s with {}: %d %s", rt.Path, r.status, r.body)
			}
		}
		if routes < 2 {
			t.Errorf("%d POST routes take no body, want the seal and the revocation at least", routes)
		}
	})
}

// TestAReadFilterIsCheckedAsItsWriteIs: a filter no write could ever have
// stored under is refused, not answered as an empty or "unproven" page
// that repeats it.
func TestAReadFilterIsCheckedAsItsWriteIs(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg, withConfigFile(writeConfig(t, invariantsYAML)))
		// An escape sequence is refused as in any value (control_character),
		// before the filter's own pattern is asked.
		for _, tc := range []struct{ name, path, field, code string }{
			{"an environment with an escape sequence", "/v1/invariants?environment=%1b%5b31m" + canary, "environment", "control_character"},
			{"an environment of 20,000 characters", "/v1/invariants?environment=" + strings.Repeat("p", 20000), "environment", "pattern"},
			{"one invariant in an environment with capitals", "/v1/invariants/INV-BILLING-001?environment=Prod" + canary, "environment", "pattern"},
			{"an invariant's results in an environment with an escape sequence", "/v1/invariants/INV-BILLING-001/results?environment=%1b%5b31m" + canary, "environment", "control_character"},
			{"a guard name of 300 characters", "/v1/guards/" + strings.Repeat("g", 300) + "/reports", "name", "pattern"},
			{"a guard name with capitals", "/v1/guards/Lint" + canary + "/reports", "name", "pattern"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := e.doInvalid("GET", tc.path, adminToken, nil)
				p := r.problem(t)
				if r.status != 400 || len(p.Errors) != 1 || p.Errors[0].Field != tc.field || p.Errors[0].Code != tc.code {
					t.Errorf("%d %+v, want 400 %s %s", r.status, p.Errors, tc.field, tc.code)
				}
				if strings.Contains(string(r.body), canary) || strings.Contains(string(r.body), "ppppp") {
					t.Errorf("the answer repeats the value: %.300s", r.body)
				}
			})
		}
		if r := e.do("GET", "/v1/invariants?environment=production", adminToken, nil); r.status != 200 {
			t.Errorf("a plain environment: %d %s", r.status, r.body)
		}
		if r := e.do("GET", "/v1/guards/lint/reports", adminToken, nil); r.status != 200 {
			t.Errorf("a guard that never reported: %d %s", r.status, r.body)
		}
	})
}

// TestEveryRouteRefusesAParameterItDoesNotTake sends an unknown query
// parameter to every authenticated route of the route table: a misspelt
// filter (?statuss=down) or option (?dryrun=true) must be refused, never
// answered as if it were not there.
func TestEveryRouteRefusesAParameterItDoesNotTake(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		before := e.countRows()
		checked := 0
		for _, rt := range (&server.Server{}).Routes() {
			if rt.Scope == "" {
				continue
			}
			path := strings.NewReplacer("{id}", "01a23c3d-91be-76f4-8ce4-2389284638ad", "{result_id}", "01a23c3d-91be-76f4-8ce4-2389284638ad",
				"{name}", "api", "{rule}", "r", "{ref}", "bundle:x", "{level}", "0", "{n0}", "000", "{n1}", "000", "{n2}", "000", "{n3}", "000").Replace(rt.Path)
			t.Run(rt.Method+" "+rt.Path, func(t *testing.T) {
				checked++
				contentType := ""
				if rt.Body() == server.BodyJSON {
					contentType = "application/json"
				}
				r := e.sendHostile(rt.Method, path+"?"+canary+"_filter=1", contentType, "{}")
				p := r.problem(t)
				if r.status != 400 || len(p.Errors) != 1 || p.Errors[0].Field != canary+"_filter" || p.Errors[0].Code != "unknown_parameter" {
					t.Errorf("%d %+v, want 400 naming the parameter as unknown", r.status, p.Errors)
				}
			})
		}
		if checked < 60 {
			t.Errorf("%d routes checked, want every authenticated route (at least 60)", checked)
		}
		if after := e.countRows(); after != before {
			t.Errorf("requests with an unknown parameter wrote %d rows", after-before)
		}
	})
}

// sendHostile sends a request marked invalid, so only its answer is
// checked against the OpenAPI document; contentType "" sends none.
func (e *env) sendHostile(method, path, contentType, body string) *response {
	e.t.Helper()
	req, err := http.NewRequestWithContext(apitest.InvalidRequest(e.ctx), method, e.main.URL()+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+adminToken)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := (&http.Client{Transport: e.vt}).Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return &response{status: resp.StatusCode, header: resp.Header, body: data}
}

func (h hostile) check(t *testing.T, r *response) {
	t.Helper()
	p := r.problem(t)
	if r.status != h.status || p.Code != h.code {
		t.Fatalf("status %d code %q, want %d %s; body %s", r.status, p.Code, h.status, h.code, r.body)
	}
	if h.field != "" && (len(p.Errors) != 1 || p.Errors[0].Field != h.field || p.Errors[0].Code != h.fieldCode) {
		t.Errorf("errors %+v, want one naming %s with %s", p.Errors, h.field, h.fieldCode)
	}
	if h.code == "unsupported_media_type" && !strings.Contains(p.Detail, "application/json") {
		t.Errorf("detail %q does not say to send application/json", p.Detail)
	}
	if strings.Contains(string(r.body), canary) {
		t.Errorf("the answer repeats the value: %s", r.body)
	}
}

// countRows counts the rows of every table of the database.
func (e *env) countRows() int {
	e.t.Helper()
	// A contentless full-text table holds no rows to count; its shadow
	// tables, which hold what it indexed, are counted.
	list := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'`
	if e.main.DB.Dialect() == "postgres" {
		list = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
	}
	rows, err := e.main.DB.WriteConn().QueryContext(e.ctx, list)
	if err != nil {
		e.t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			e.t.Fatal(err)
		}
		tables = append(tables, name)
	}
	if err := rows.Close(); err != nil {
		e.t.Fatal(err)
	}
	if len(tables) < 10 {
		e.t.Fatalf("found %d tables", len(tables))
	}
	total := 0
	for _, name := range tables {
		var n int
		if err := e.main.DB.WriteConn().QueryRowContext(e.ctx, fmt.Sprintf(`SELECT count(*) FROM %q`, name)).Scan(&n); err != nil {
			e.t.Fatal(err)
		}
		total += n
	}
	return total
}
