package e2e

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/aeso-dev/aeso/internal/apitest"
	"github.com/aeso-dev/aeso/internal/store"
	"github.com/aeso-dev/aeso/internal/testdb"
)

// canaryTally counts what the canary test did, for its closing log line.
type canaryTally struct {
	routes, fields, planted int
	byStatus                map[int]int
}

// TestCanariesLeaveNoTrace plants a canary of every secret pattern into
// every string field of every write route, one field at a time, found by
// walking the request schemas of /openapi.json. Whatever the route answers
// (stored with the secret redacted, or refused), no canary's secret part may
// appear in any answer, in the server log, in the SQLite files or in a dump
// of the PostgreSQL schema.
func TestCanariesLeaveNoTrace(t *testing.T) {
	t.Parallel() // a server and database of its own, no clock boundaries
	doc, err := apitest.LoadSpec()
	if err != nil {
		t.Fatal(err)
	}
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg, withConfigFile(writeConfig(t, canaryConfig)))
		// A canary planted in a path parameter may hold '/', which the
		// document's router cannot match; the answer is still checked here.
		e.vt.Allow = func(r *http.Request) bool { return strings.Contains(r.URL.EscapedPath(), "%2F") }
		fixtures := canaryFixtures()
		tally := canaryTally{byStatus: map[int]int{}}
		paths := make([]string, 0, doc.Paths.Len())
		for p := range doc.Paths.Map() {
			paths = append(paths, p)
		}
		sort.Strings(paths)
		for _, p := range paths {
			for method, op := range doc.Paths.Value(p).Operations() {
				if method == "GET" || method == "HEAD" {
					continue
				}
				fx, ok := fixtures[op.OperationID]
				if !ok {
					t.Errorf("%s %s (%s) has no canary fixture; add one to canaryFixtures", method, p, op.OperationID)
					continue
				}
				tally.routes++
				e.plantRoute(t, method, p, op, fx, &tally)
				e.checkAtRest(t, op.OperationID)
			}
		}
		if tally.routes < len(fixtures) {
			t.Errorf("%d write routes in the document, %d fixtures: a fixture names a route that is gone", tally.routes, len(fixtures))
		}
		if tally.fields < 50 || tally.byStatus[201]+tally.byStatus[200] == 0 {
			t.Errorf("only %d fields planted and %d canaries stored: the walk found too little to prove anything",
				tally.fields, tally.byStatus[201]+tally.byStatus[200])
		}
		t.Logf("%d write routes, %d string fields, %d canary patterns, %d requests planted; answers by status %v",
			tally.routes, tally.fields, len(secretCanaries), tally.planted, tally.byStatus)
	})
}

// plantRoute sends the route's valid request once as a control, then once
// per field and canary with the canary in that field.
func (e *env) plantRoute(t *testing.T, method, template string, op *openapi3.Operation, fx routeFixture, tally *canaryTally) {
	t.Helper()
	var base map[string]any
	if rb := op.RequestBody; rb != nil && rb.Value != nil {
		if mt := rb.Value.Content.Get("application/json"); mt != nil {
			base, _ = exampleOf(mt.Schema, "", 0).(map[string]any)
			if base == nil {
				base = map[string]any{}
			}
			merge(base, fx.body)
		}
	}
	var fields []string
	if base != nil {
		fields = stringPaths(base, "")
	}
	for _, prm := range op.Parameters {
		if v := prm.Value; v != nil && v.In == "query" && v.Schema != nil && v.Schema.Value.Type.Includes("string") {
			fields = append(fields, "?"+v.Name)
		}
		if v := prm.Value; v != nil && v.In == "path" && fx.params[v.Name] != "" {
			fields = append(fields, "path:"+v.Name)
		}
	}
	if fx.raw != nil && op.OperationID == "addEvidenceReport" {
		fields = append(fields, "report:failure message")
	}
	if op.OperationID == "ingestAuditEvents" {
		fields = append(fields, "header:X-Request-Id")
	}
	send := func(field, value string) *response {
		t.Helper()
		q := url.Values{}
		for k, v := range fx.query {
			q[k] = v
		}
		var body any
		if base != nil {
			body = base
		}
		if fx.raw != nil {
			body = fx.raw(t)
		}
		var headers []string
		switch {
		case field == "":
		case strings.HasPrefix(field, "?"):
			q.Set(field[1:], value)
		case field == "header:X-Request-Id":
			headers = []string{"X-Request-Id", value}
		case field == "report:failure message":
			var esc bytes.Buffer
			_ = xml.EscapeText(&esc, []byte(value))
			body = bytes.Replace(fx.raw(t), []byte(`message="Failed"`), []byte(`message="`+esc.String()+`"`), 1)
		default:
			body = withString(base, field, value)
		}
		path := fx.path(t, e)
		if name, ok := strings.CutPrefix(field, "path:"); ok {
			path = template
			for k, v := range fx.params {
				if k == name {
					v = value
				}
				path = strings.ReplaceAll(path, "{"+k+"}", url.PathEscape(v))
			}
		}
		if len(q) > 0 {
			path += "?" + q.Encode()
		}
		if field != "" {
			// A canary may break a field's pattern or enum on purpose.
			return e.doInvalid(method, path, adminToken, body, headers...)
		}
		return e.do(method, path, adminToken, body, headers...)
	}
	if r := send("", ""); r.status >= 300 {
		t.Errorf("%s: the control request without canaries answers %d %s; fix the fixture", op.OperationID, r.status, r.body)
		return
	}
	tally.fields += len(fields)
	accepted := make([][]string, len(secretCanaries)) // body fields that stored each canary
	for _, f := range fields {
		for i, c := range secretCanaries {
			if strings.HasPrefix(f, "header:") && strings.Contains(c.value, "\n") {
				continue // HTTP cannot carry a line break in a header
			}
			r := send(f, c.value)
			tally.planted++
			tally.byStatus[r.status]++
			if r.status >= 500 {
				t.Errorf("%s %s with the %s canary: %d %s", op.OperationID, f, c.name, r.status, r.body)
			}
			if bytes.Contains(r.body, []byte(c.needle)) {
				t.Errorf("%s %s: the answer (%d) repeats the %s canary: %s", op.OperationID, f, r.status, c.name, r.body)
			}
			if r.status == 400 && !namesField(r.body, f) {
				t.Errorf("%s %s: the %s canary is refused without naming the field: %s", op.OperationID, f, c.name, r.body)
			}
			if r.status < 300 && base != nil && !strings.Contains(f, ":") && !strings.HasPrefix(f, "?") {
				accepted[i] = append(accepted[i], f)
			}
		}
	}
	// Then the same canary in every field that stored it, at once: a value
	// built from two fields (a label from a name and a principal) must not
	// put a secret back together.
	for i, c := range secretCanaries {
		if len(accepted[i]) < 2 {
			continue
		}
		var body any = base
		for _, f := range accepted[i] {
			body = withString(body, f, c.value)
		}
		path := fx.path(t, e)
		if len(fx.query) > 0 {
			path += "?" + fx.query.Encode()
		}
		r := e.do(method, path, adminToken, body)
		tally.planted++
		tally.byStatus[r.status]++
		if r.status >= 300 || bytes.Contains(r.body, []byte(c.needle)) {
			t.Errorf("%s with the %s canary in %d fields at once: %d %s", op.OperationID, c.name, len(accepted[i]), r.status, r.body)
		}
	}
}

// checkAtRest looks for every canary in the log and in the database as it
// lies on disk (SQLite's file, WAL and shared memory) or as pg_dump writes
// it, after the route's requests.
func (e *env) checkAtRest(t *testing.T, route string) {
	t.Helper()
	places := map[string][]byte{"the server log": []byte(e.logs.String())}
	if e.tg.URL == "" {
		for _, suffix := range []string{"", "-wal", "-shm"} {
			name := store.SQLiteFile + suffix
			data, err := os.ReadFile(filepath.Join(e.tg.DataDir, name))
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			places[name] = data
		}
	} else {
		places["pg_dump"] = pgDump(t, e.tg.URL)
	}
	for where, data := range places {
		for _, c := range secretCanaries {
			if bytes.Contains(data, []byte(c.needle)) {
				t.Errorf("after %s: %s holds the %s canary", route, where, c.name)
			}
		}
	}
}

// pgDump dumps the test's own schema, named by the URL's search_path.
func pgDump(t *testing.T, raw string) []byte {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	schema := q.Get("search_path")
	q.Del("search_path")
	u.RawQuery = q.Encode()
	out, err := exec.Command("pg_dump", "--schema="+schema, "--no-owner", "-d", u.String()).Output()
	if err != nil {
		t.Fatalf("pg_dump: %v", err)
	}
	if !bytes.Contains(out, []byte("audit_logs")) {
		t.Fatalf("pg_dump of %s holds no audit_logs table; the dump proves nothing", schema)
	}
	return out
}

// namesField reports whether a 400 answer names the planted field among its
// errors, so a refusal points at what to fix rather than at a field the
// server derived from it.
func namesField(body []byte, field string) bool {
	var p struct {
		Errors []struct {
			Field string `json:"field"`
		} `json:"errors"`
	}
	if json.Unmarshal(body, &p) != nil {
		return false
	}
	if strings.HasPrefix(field, "path:") || strings.HasPrefix(field, "report:") {
		return true // named by the route, or by a position in the report
	}
	want := strings.TrimPrefix(field, "?")
	for _, e := range p.Errors {
		switch {
		case e.Field == want:
		// A query parameter may fill a body field: ?runner is source.runner.
		case want != field && (strings.HasSuffix(e.Field, "."+want) || e.Field == strings.ReplaceAll(want, "_", ".")):
		// A malformed time fails while the body is decoded, before fields
		// have names.
		case e.Field == "body" && strings.HasSuffix(want, "_at"):
		default:
			continue
		}
		return true
	}
	return false
}
