package apitest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

const problem401 = `{"type":"about:blank","title":"Unauthorized","status":401,"detail":"send a token as Authorization: Bearer aeso_…","code":"unauthorized","request_id":"req-1"}`

func serve(t *testing.T, status int, contentType, body string, headers ...string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", "req-1")
		for i := 0; i+1 < len(headers); i += 2 {
			if headers[i+1] == "" {
				w.Header().Del(headers[i])
			} else {
				w.Header().Set(headers[i], headers[i+1])
			}
		}
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestValidatingTransport(t *testing.T) {
	t.Parallel()
	const event = `{"id":"0190d3b2-7c4e-7a10-9a4e-1f2b3c4d5e6f","seq":1,"actor_user_id":"u-1","action":"a.b","result":"success",
		"occurred_at":"2026-01-02T15:04:05Z","recorded_at":"2026-01-02T15:04:06Z","metadata":{},"redacted_paths":[],"source":"ci",
		"presentation":{"actor_label":"u-1","target_label":"","target_type_label":"","action_label":"A b","action_category":"Uncategorized",
		"action_family":"A","summary":"u-1 performed a.b","result_label":"Succeeded","severity":"info","safe_details":{},
		"debug_refs":{"actor_ref":"user:u-1"},"registered":false}}`
	cases := []struct {
		name        string
		method      string
		path        string
		status      int
		contentType string
		body        string
		headers     []string
		allow       bool
		wantFail    bool
	}{
		{name: "problem 401 passes", method: "GET", path: "/v1/audit/events", status: 401,
			contentType: "application/problem+json", body: problem401, headers: []string{"WWW-Authenticate", `Bearer realm="aeso"`}},
		{name: "401 with another code is a failure", method: "GET", path: "/v1/audit/events", status: 401,
			contentType: "application/problem+json", body: strings.Replace(problem401, `"unauthorized"`, `"forbidden"`, 1),
			headers: []string{"WWW-Authenticate", `Bearer realm="aeso"`}, wantFail: true},
		{name: "wrong body is a failure", method: "GET", path: "/v1/audit/events", status: 200,
			contentType: "application/json", body: `{"events": "nope"}`, wantFail: true},
		{name: "last page with null cursor passes", method: "GET", path: "/v1/audit/events?limit=1", status: 200,
			contentType: "application/json", body: `{"events":[` + event + `],"next_cursor":null}`},
		{name: "extra field in an event is a failure", method: "GET", path: "/v1/audit/events/x", status: 200,
			contentType: "application/json", body: strings.Replace(event, `"seq":1`, `"seq":1,"surprise":true`, 1), wantFail: true},
		{name: "undocumented status is a failure", method: "GET", path: "/v1/audit/actions", status: 418,
			contentType: "application/problem+json", body: problem401, wantFail: true},
		{name: "missing X-Request-Id is a failure", method: "GET", path: "/healthz", status: 200,
			contentType: "application/json", body: `{"status":"ok","version":""}`, headers: []string{"X-Request-Id", ""}, wantFail: true},
		{name: "405 on a known path passes", method: "DELETE", path: "/v1/tokens", status: 405,
			contentType: "application/problem+json", headers: []string{"Allow", "GET, POST"},
			body: `{"type":"about:blank","title":"Method Not Allowed","status":405,"detail":"DELETE is not allowed here; use GET, POST","code":"method_not_allowed"}`},
		{name: "unknown route is a failure", method: "GET", path: "/v1/nope", status: 404,
			contentType: "application/problem+json", body: `{"type":"about:blank","title":"Not Found","status":404,"detail":"no such route","code":"not_found"}`, wantFail: true},
		{name: "allowed unknown route passes", method: "GET", path: "/v1/nope", status: 404, allow: true,
			contentType: "application/problem+json", body: `{}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := serve(t, tc.status, tc.contentType, tc.body, tc.headers...)
			vt, err := NewValidatingTransport(nil)
			if err != nil {
				t.Fatal(err)
			}
			if tc.allow {
				vt.Allow = func(r *http.Request) bool { return r.URL.Path == "/v1/nope" }
			}
			req, err := http.NewRequest(tc.method, srv.URL+tc.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := vt.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil || string(got) != tc.body {
				t.Errorf("body not restored: %q, %v", got, err)
			}
			if resp.StatusCode != tc.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.status)
			}
			failures := vt.TakeFailures()
			if tc.wantFail && len(failures) == 0 {
				t.Errorf("want a recorded failure, got none")
			}
			if !tc.wantFail && len(failures) > 0 {
				t.Errorf("want no failure, got %q", failures)
			}
			for _, f := range failures {
				t.Logf("recorded: %s", f)
			}
		})
	}
}

func TestValidatingTransportChecksRequests(t *testing.T) {
	t.Parallel()
	const badRequest = `{"type":"about:blank","title":"Bad Request","status":400,"detail":"request is invalid","code":"validation_failed","request_id":"req-1"}`
	cases := []struct {
		name, contentType, body string
		invalid, wantFail       bool
	}{
		{name: "a request the document describes passes", contentType: "application/json",
			body: `{"principal":"ci","scopes":["audit:read"]}`},
		{name: "an unknown scope is a failure", contentType: "application/json",
			body: `{"principal":"ci","scopes":["audit:delete"]}`, wantFail: true},
		{name: "a missing body is a failure", contentType: "application/json", wantFail: true},
		{name: "a form body is a failure", contentType: "application/x-www-form-urlencoded",
			body: `principal=ci`, wantFail: true},
		{name: "a request marked invalid is not checked", contentType: "application/json",
			body: `{"principal":"ci","scopes":["audit:delete"]}`, invalid: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				got = string(b)
				w.Header().Set("X-Request-Id", "req-1")
				w.Header().Set("Content-Type", "application/problem+json")
				w.WriteHeader(400)
				_, _ = io.WriteString(w, badRequest)
			}))
			t.Cleanup(srv.Close)
			vt, err := NewValidatingTransport(nil)
			if err != nil {
				t.Fatal(err)
			}
			req, err := http.NewRequest("POST", srv.URL+"/v1/tokens", strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if tc.body == "" {
				req.Body = nil
			}
			req.Header.Set("Content-Type", tc.contentType)
			if tc.invalid {
				req = req.WithContext(InvalidRequest(req.Context()))
			}
			resp, err := vt.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if got != tc.body {
				t.Errorf("the server read %q, want the body sent %q", got, tc.body)
			}
			failures := vt.TakeFailures()
			if tc.wantFail != (len(failures) > 0) {
				t.Errorf("failures %q, want a failure: %v", failures, tc.wantFail)
			}
		})
	}
}
