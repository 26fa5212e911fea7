package wire_test

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/aeso-dev/aeso/internal/apitest"
	"github.com/aeso-dev/aeso/internal/evidence"
	"github.com/aeso-dev/aeso/wire"
)

// shape ties a Go type to the OpenAPI schema that describes it: a name in
// components.schemas, "METHOD /path STATUS" for a response body written in
// its operation, or "METHOD /path request" for a request body written there.
type shape struct {
	value  any
	schema string
	// request marks a body the client sends. A field the client always
	// sends may be optional in the schema, if it can never be null.
	request bool
}

// shapes lists every body of the API once. A wire type nested in another
// (Presentation in Event) is checked through its parent.
var shapes = []shape{
	// Audit trail.
	{wire.EventInput{}, "AuditEventInput", true},
	{wire.EventBatch{}, "AuditEventBatchInput", true},
	{wire.Event{}, "AuditEvent", false},
	{wire.BatchReceipt{}, "AuditBatchReceipt", false},
	{wire.EventPage{}, "AuditEventPage", false},
	{wire.ActionList{}, "GET /v1/audit/actions 200", false},
	{wire.InclusionProof{}, "GET /v1/audit/proof/inclusion 200", false},
	{wire.ConsistencyProof{}, "GET /v1/audit/proof/consistency 200", false},

	// Tokens, errors, health.
	{wire.TokenRequest{}, "TokenCreateRequest", true},
	{wire.Token{}, "Token", false},
	{wire.CreatedToken{}, "CreatedToken", false},
	{wire.TokenList{}, "GET /v1/tokens 200", false},
	{wire.Problem{}, "Problem", false},
	{wire.Health{}, "Health", false},
	{wire.Ready{}, "Ready", false},

	// Evidence.
	{wire.BundleRequest{}, "EvidenceBundleRequest", true},
	{wire.Bundle{}, "EvidenceBundle", false},
	{wire.BundleView{}, "EvidenceBundleView", false},
	{wire.BundlePage{}, "EvidenceBundlePage", false},
	{wire.ItemRequest{}, "EvidenceItemRequest", true},
	{wire.Item{}, "EvidenceItem", false},
	{wire.PromoteRequest{}, "EvidencePromoteRequest", true},
	{wire.Promotion{}, "EvidencePromotion", false},
	{wire.SupersedeRequest{}, "EvidenceSupersedeRequest", true},
	// The export is the evidence package's own file format, served as it
	// is; its shape is held to the document here too.
	{evidence.Export{}, "EvidenceExport", false},

	// Components, invariants, guards.
	{wire.ComponentReportRequest{}, "ComponentReportRequest", true},
	{wire.ComponentReport{}, "ComponentReport", false},
	{wire.Component{}, "Component", false},
	{wire.ComponentList{}, "GET /v1/components 200", false},
	{wire.ComponentReportPage{}, "ComponentReportPage", false},
	{wire.InvariantResultRequest{}, "InvariantResultRequest", true},
	{wire.InvariantResult{}, "InvariantResult", false},
	{wire.Invariant{}, "Invariant", false},
	{wire.InvariantList{}, "GET /v1/invariants 200", false},
	{wire.InvariantResultPage{}, "InvariantResultPage", false},
	{wire.GuardReportRequest{}, "GuardReportRequest", true},
	{wire.GuardReport{}, "GuardReport", false},
	{wire.GuardReportPage{}, "GuardReportPage", false},

	// Gates.
	{wire.Gate{}, "Gate", false},
	{wire.GateList{}, "GET /v1/gates 200", false},
	{wire.GateRuleRef{}, "GateRuleRef", false},
	{wire.GateEvaluateRequest{}, "GateEvaluateRequest", true},
	{wire.GateResult{}, "GateResult", false},
	{wire.GateResultPage{}, "GateResultPage", false},
	{wire.WaiverRequest{}, "GateWaiverRequest", true},
	{wire.Waiver{}, "GateWaiver", false},
	{wire.WaiverList{}, "GET /v1/gates/{name}/waivers 200", false},
	{wire.WithdrawalRequest{}, "GateWithdrawalRequest", true},
	{wire.Withdrawal{}, "GateWithdrawal", false},
	{wire.WithdrawalList{}, "GET /v1/gates/{name}/withdrawals 200", false},

	// Status and reconciliation.
	{wire.Status{}, "Status", false},
	{wire.SnapshotRequest{}, "POST /v1/status/snapshots request", true},
	{wire.SnapshotMeta{}, "SnapshotMeta", false},
	{wire.SnapshotPage{}, "SnapshotPage", false},
	{wire.ReconciliationRequest{}, "ReconciliationCreateRequest", true},
	{wire.Reconciliation{}, "Reconciliation", false},
	{wire.TransitionRequest{}, "ReconciliationTransitionRequest", true},
	{wire.ReconciliationList{}, "ReconciliationList", false},
	{wire.Ref{}, "ResolvedRef", false},
}

// TestWireMatchesOpenAPI compares each body's Go type with its schema in
// the served document: the same field names, a field required exactly when
// it is never omitted (for a request: never omitted when required), and
// the same nesting of objects and arrays, all the way down.
func TestWireMatchesOpenAPI(t *testing.T) {
	t.Parallel()
	doc, err := apitest.LoadSpec()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[reflect.Type]bool{}
	for _, sh := range shapes {
		typ := reflect.TypeOf(sh.value)
		t.Run(typ.String()+" is "+sh.schema, func(t *testing.T) {
			s, err := locate(doc, sh.schema)
			if err != nil {
				t.Fatal(err)
			}
			c := &comparison{request: sh.request, seen: seen}
			c.value(typ, s, typ.Name())
			for _, p := range c.problems {
				t.Error(p)
			}
		})
	}

	t.Run("every wire type is checked", func(t *testing.T) {
		for _, name := range wireTypes(t) {
			found := false
			for typ := range seen {
				found = found || (typ.PkgPath() == reflect.TypeFor[wire.Event]().PkgPath() && typ.Name() == name)
			}
			if !found {
				t.Errorf("wire.%s is in no body of the table in this test: add it, or the type it is part of", name)
			}
		}
	})
}

// TestTheComparisonCatchesDrift makes sure the comparison can fail: a
// type with a field too many, one too few, or a wrong omitempty, each
// against a schema that says otherwise.
func TestTheComparisonCatchesDrift(t *testing.T) {
	t.Parallel()
	schema := openapi3.NewObjectSchema().
		WithProperty("id", openapi3.NewStringSchema()).
		WithProperty("tags", openapi3.NewArraySchema().WithItems(openapi3.NewStringSchema())).
		WithProperty("note", openapi3.NewStringSchema())
	schema.Required = []string{"id", "tags"}
	type exact struct {
		ID   string   `json:"id"`
		Tags []string `json:"tags"`
		Note string   `json:"note,omitempty"`
	}
	type extra struct {
		exact
		Extra int `json:"extra"`
	}
	type missing struct {
		ID   string   `json:"id"`
		Tags []string `json:"tags"`
	}
	type optionalID struct {
		ID   string   `json:"id,omitempty"`
		Tags []string `json:"tags"`
		Note string   `json:"note,omitempty"`
	}
	type nullTags struct {
		ID   string   `json:"id"`
		Tags []string `json:"tags"`
		Note *string  `json:"note"`
	}
	type nested struct {
		ID   string `json:"id"`
		Tags []struct {
			Name string `json:"name"`
		} `json:"tags"`
		Note string `json:"note,omitempty"`
	}
	for _, tc := range []struct {
		name    string
		value   any
		request bool
		want    string
	}{
		{"an exact type passes", exact{}, false, ""},
		{"a field the schema lacks fails", extra{}, false, "extra"},
		{"a property the type lacks fails", missing{}, false, "note"},
		{"an omitted required field fails", optionalID{}, false, "id"},
		{"an optional field a response always sends fails", nullTags{}, false, "note"},
		{"an optional field a request sends as null fails", nullTags{}, true, "note"},
		{"an object where the schema has a string fails", nested{}, false, "tags"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &comparison{request: tc.request, seen: map[reflect.Type]bool{}}
			c.value(reflect.TypeOf(tc.value), schema, "x")
			got := strings.Join(c.problems, "\n")
			if tc.want == "" && got != "" || tc.want != "" && !strings.Contains(got, "x."+tc.want) {
				t.Errorf("problems %q, want one about x.%s", got, tc.want)
			}
		})
	}
}

// locate finds a schema by name, or a body in an operation.
func locate(doc *openapi3.T, where string) (*openapi3.Schema, error) {
	parts := strings.Fields(where)
	if len(parts) == 1 {
		ref := doc.Components.Schemas[where]
		if ref == nil || ref.Value == nil {
			return nil, fmt.Errorf("components.schemas has no %s", where)
		}
		return ref.Value, nil
	}
	if len(parts) != 3 {
		return nil, fmt.Errorf("%q is neither a schema name nor METHOD /path STATUS|request", where)
	}
	item := doc.Paths.Value(parts[1])
	if item == nil || item.GetOperation(parts[0]) == nil {
		return nil, fmt.Errorf("the document has no operation %s %s", parts[0], parts[1])
	}
	op := item.GetOperation(parts[0])
	var content openapi3.Content
	if parts[2] == "request" {
		if op.RequestBody == nil || op.RequestBody.Value == nil {
			return nil, fmt.Errorf("%s %s has no request body", parts[0], parts[1])
		}
		content = op.RequestBody.Value.Content
	} else {
		resp := op.Responses.Value(parts[2])
		if resp == nil || resp.Value == nil {
			return nil, fmt.Errorf("%s %s has no response %s", parts[0], parts[1], parts[2])
		}
		content = resp.Value.Content
	}
	mt := content.Get("application/json")
	if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
		return nil, fmt.Errorf("%s has no application/json schema", where)
	}
	return mt.Schema.Value, nil
}

type comparison struct {
	request  bool
	seen     map[reflect.Type]bool
	problems []string
}

func (c *comparison) fail(path, format string, args ...any) {
	c.problems = append(c.problems, path+": "+fmt.Sprintf(format, args...))
}

var (
	rawType  = reflect.TypeFor[json.RawMessage]()
	timeType = reflect.TypeFor[time.Time]()
)

// value compares one Go type with the schema a value of it must match.
func (c *comparison) value(t reflect.Type, s *openapi3.Schema, path string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Name() != "" {
		c.seen[t] = true
	}
	switch {
	case t == rawType || t.Kind() == reflect.Interface:
		return // any JSON: the schema says what it holds
	case t == timeType:
		c.wantType(s, "string", path)
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		if c.wantType(s, "object", path) {
			c.object(t, s, path)
		}
	case reflect.Slice, reflect.Array:
		if c.wantType(s, "array", path) {
			if s.Items == nil || s.Items.Value == nil {
				c.fail(path, "the schema's array declares no items")
				return
			}
			c.value(t.Elem(), s.Items.Value, path+"[]")
		}
	case reflect.Map:
		if c.wantType(s, "object", path) {
			// A map's keys are data; with a schema for every value, the
			// values must match it.
			if ap := s.AdditionalProperties.Schema; ap != nil && ap.Value != nil {
				c.value(t.Elem(), ap.Value, path+"{}")
			}
		}
	case reflect.String:
		c.wantType(s, "string", path)
	case reflect.Bool:
		c.wantType(s, "boolean", path)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		c.wantType(s, "integer", path)
	case reflect.Float32, reflect.Float64:
		c.wantType(s, "number", path)
	default:
		c.fail(path, "Go type %s has no JSON shape this test knows", t)
	}
}

// wantType checks that the schema allows JSON values of type typ; a schema
// that names no type (a const, a union) allows any.
func (c *comparison) wantType(s *openapi3.Schema, typ, path string) bool {
	if s.Type.IsEmpty() {
		return true
	}
	if s.Type.Includes(typ) || typ == "integer" && s.Type.Includes("number") {
		return true
	}
	c.fail(path, "Go encodes a JSON %s, the schema says %v", typ, s.Type.Slice())
	return false
}

// object compares a struct's JSON fields with an object schema's
// properties.
func (c *comparison) object(t reflect.Type, s *openapi3.Schema, path string) {
	fields := jsonFields(t)
	required := map[string]bool{}
	for _, name := range s.Required {
		required[name] = true
	}
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		f := fields[name]
		p := path + "." + name
		prop := s.Properties[name]
		if prop == nil || prop.Value == nil {
			c.fail(p, "a field of %s that the schema does not describe", t)
			continue
		}
		switch {
		case required[name] && f.omittable:
			c.fail(p, "required by the schema, but Go omits it when empty")
		case !c.request && !required[name] && !f.omittable:
			c.fail(p, "always sent, but optional in the schema: mark it required, or omitempty")
		case c.request && !required[name] && !f.omittable && nillable(f.typ) && !prop.Value.Type.IncludesNull():
			c.fail(p, "optional in the schema, but the client sends null when it is unset: add omitempty")
		}
		c.value(f.typ, prop.Value, p)
	}
	props := make([]string, 0, len(s.Properties))
	for name := range s.Properties {
		props = append(props, name)
	}
	sort.Strings(props)
	for _, name := range props {
		if _, ok := fields[name]; !ok {
			c.fail(path+"."+name, "in the schema, but %s has no such field", t)
		}
	}
	for _, name := range s.Required {
		if s.Properties[name] == nil {
			c.fail(path+"."+name, "required by the schema, which does not describe it")
		}
	}
}

type field struct {
	typ       reflect.Type
	omittable bool // encoding/json may leave it out
}

// jsonFields lists a struct's fields as encoding/json writes them,
// embedded structs' fields promoted.
func jsonFields(t reflect.Type) map[string]field {
	out := map[string]field{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for n, sub := range jsonFields(ft) {
					out[n] = sub
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		options := strings.Split(opts, ",")
		omitempty := slices.Contains(options, "omitempty") && omitsWhenEmpty(f.Type)
		out[name] = field{typ: f.Type, omittable: omitempty || slices.Contains(options, "omitzero")}
	}
	return out
}

// omitsWhenEmpty says whether omitempty can leave a value of t out:
// encoding/json never leaves out a struct.
func omitsWhenEmpty(t reflect.Type) bool {
	return t.Kind() != reflect.Struct
}

func nillable(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
		return true
	}
	return false
}

// wireTypes lists the exported struct types declared in package wire.
func wireTypes(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var names []string
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range file.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, spec := range gd.Specs {
				ts := spec.(*ast.TypeSpec)
				if _, isStruct := ts.Type.(*ast.StructType); isStruct && ts.Name.IsExported() {
					names = append(names, ts.Name.Name)
				}
			}
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		t.Fatal("found no types in package wire")
	}
	return names
}
