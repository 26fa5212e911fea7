package server_test

import (
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/aeso-dev/aeso/internal/apitest"
	"github.com/aeso-dev/aeso/internal/server"
)

// TestOpenAPIDocumentIsValid checks that the embedded document is valid
// OpenAPI 3.1 and describes exactly the route table: the same paths and
// methods, public routes without security, the others with bearer and the
// route's scope.
func TestOpenAPIDocumentIsValid(t *testing.T) {
	t.Parallel()
	doc, err := apitest.LoadSpec()
	if err != nil {
		t.Fatalf("LoadSpec: %v", err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q, want 3.1.0", doc.OpenAPI)
	}
	if len(doc.Servers) != 0 {
		t.Errorf("the document declares servers %v; it must not, so it matches any host", doc.Servers)
	}
	if _, ok := doc.Components.SecuritySchemes["bearer"]; !ok {
		t.Fatalf("components.securitySchemes.bearer is missing")
	}

	routes := (&server.Server{}).Routes()
	if len(routes) == 0 {
		t.Fatal("the route table is empty")
	}
	inRoutes := map[string]bool{}
	for _, rt := range routes {
		key := rt.Method + " " + rt.Path
		inRoutes[key] = true
		item := doc.Paths.Value(rt.Path)
		if item == nil {
			t.Errorf("%s: path missing from the OpenAPI document", key)
			continue
		}
		op := item.GetOperation(rt.Method)
		if op == nil {
			t.Errorf("%s: method missing from the OpenAPI document", key)
			continue
		}
		if op.Summary == "" {
			t.Errorf("%s: operation has no summary", key)
		}
		checkSecurity(t, doc, key, op, rt.Scope)
		checkResponses(t, key, op, rt.Scope)
		checkPathParams(t, key, rt.Path, item, op)
	}

	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			if key := method + " " + path; !inRoutes[key] {
				t.Errorf("%s: documented, but routes.go has no such route", key)
			}
		}
	}
}

// checkSecurity wants "security: []" on public routes, and on the others a
// bearer requirement naming the route's scope (OpenAPI 3.1 role names).
func checkSecurity(t *testing.T, doc *openapi3.T, key string, op *openapi3.Operation, scope string) {
	t.Helper()
	effective := doc.Security
	if op.Security != nil {
		effective = *op.Security
	}
	if scope == "" {
		if op.Security == nil || len(*op.Security) != 0 {
			t.Errorf("%s: public route must declare security: [] (got %v)", key, effective)
		}
		return
	}
	if len(effective) != 1 {
		t.Errorf("%s: want exactly one security requirement (bearer), got %v", key, effective)
		return
	}
	scopes, ok := effective[0]["bearer"]
	if !ok || len(effective[0]) != 1 {
		t.Errorf("%s: security requirement %v must be bearer only", key, effective[0])
		return
	}
	if scope == server.ScopeAnyToken {
		if len(scopes) != 0 {
			t.Errorf("%s: a route any token may call lists no scopes, got %v", key, scopes)
		}
		return
	}
	if !slices.Equal(scopes, []string{scope}) {
		t.Errorf("%s: bearer requirement lists %v, routes.go requires scope %q", key, scopes, scope)
	}
}

// checkResponses wants every response to declare X-Request-Id, protected
// routes to document 401 and 403, and every route 500.
func checkResponses(t *testing.T, key string, op *openapi3.Operation, scope string) {
	t.Helper()
	if op.Responses == nil {
		t.Errorf("%s: no responses", key)
		return
	}
	want := []int{http.StatusInternalServerError}
	if scope != "" {
		want = append(want, http.StatusUnauthorized, http.StatusForbidden)
	}
	for _, code := range want {
		if op.Responses.Status(code) == nil {
			t.Errorf("%s: response %d is not documented", key, code)
		}
	}
	codes := make([]string, 0, op.Responses.Len())
	for code := range op.Responses.Map() {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	for _, code := range codes {
		ref := op.Responses.Value(code)
		if ref == nil || ref.Value == nil {
			t.Errorf("%s %s: unresolved response", key, code)
			continue
		}
		if _, ok := ref.Value.Headers["X-Request-Id"]; !ok {
			t.Errorf("%s %s: response does not declare the X-Request-Id header", key, code)
		}
		if strings.HasPrefix(code, "4") || strings.HasPrefix(code, "5") {
			if ref.Value.Content.Get("application/problem+json") == nil {
				t.Errorf("%s %s: error response is not application/problem+json", key, code)
			}
		}
	}
}

// checkPathParams wants each {name} of the path declared as a required
// path parameter.
func checkPathParams(t *testing.T, key, path string, item *openapi3.PathItem, op *openapi3.Operation) {
	t.Helper()
	for _, seg := range strings.Split(path, "/") {
		if !strings.HasPrefix(seg, "{") || !strings.HasSuffix(seg, "}") {
			continue
		}
		name := strings.Trim(seg, "{}")
		p := op.Parameters.GetByInAndName(openapi3.ParameterInPath, name)
		if p == nil {
			p = item.Parameters.GetByInAndName(openapi3.ParameterInPath, name)
		}
		if p == nil || !p.Required {
			t.Errorf("%s: path parameter %q is not declared as a required path parameter", key, name)
		}
	}
}
