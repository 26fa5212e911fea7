package apitest

import (
	"bytes"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// bodySchemas checks JSON bodies against the document's schemas, each
// compiled once. kin-openapi validates OpenAPI 3.1 bodies with the same
// JSON Schema 2020-12 validator (santhosh-tekuri/jsonschema) but compiles
// the schema anew for every value, which made validation most of the cost
// of an end-to-end request under the race detector.
type bodySchemas struct {
	mu       sync.Mutex
	compiler *jsonschema.Compiler
	compiled map[string]*jsonschema.Schema
}

// documentURL names the OpenAPI document as a JSON Schema resource; schemas
// are compiled by their JSON pointer in it, so "$ref"s to components
// resolve as they do in the document.
const documentURL = "file:///openapi.json"

func newBodySchemas(document []byte) (*bodySchemas, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(document))
	if err != nil {
		return nil, fmt.Errorf("openapi document: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource(documentURL, doc); err != nil {
		return nil, fmt.Errorf("openapi document: %w", err)
	}
	return &bodySchemas{compiler: c, compiled: map[string]*jsonschema.Schema{}}, nil
}

// schema compiles, once, the schema at JSON pointer ptr of the document.
func (b *bodySchemas) schema(ptr string) (*jsonschema.Schema, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if s, ok := b.compiled[ptr]; ok {
		return s, nil
	}
	s, err := b.compiler.Compile(documentURL + "#" + (&url.URL{Fragment: ptr}).EscapedFragment())
	if err != nil {
		return nil, fmt.Errorf("compile %s: %w", ptr, err)
	}
	b.compiled[ptr] = s
	return s, nil
}

// pointerToken escapes one JSON pointer token (RFC 6901).
func pointerToken(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// answer is where the document defines an answer: the JSON pointer of its
// body's schema, and of each header it declares.
type answer struct {
	body    string
	headers []answerHeader
}

type answerHeader struct {
	name     string
	required bool
	schema   string
}

// findAnswer finds where the document defines route's answer with status
// and content type ct, or ok false when the document says something this
// fast path does not read (no such response, no JSON content, a wildcard
// media type, a header that is not a string), for the full validation to
// judge.
func findAnswer(route *routers.Route, status int, ct string) (a answer, ok bool) {
	if route.Operation == nil || route.Operation.Responses == nil {
		return a, false
	}
	var key string
	var ref *openapi3.ResponseRef
	for _, k := range []string{strconv.Itoa(status), fmt.Sprintf("%dXX", status/100), "default"} {
		if r := route.Operation.Responses.Value(k); r != nil {
			key, ref = k, r
			break
		}
	}
	if ref == nil || ref.Value == nil {
		return a, false
	}
	base := "/paths/" + pointerToken(route.Path) + "/" + strings.ToLower(route.Method) + "/responses/" + pointerToken(key)
	if ref.Ref != "" {
		r, isLocal := strings.CutPrefix(ref.Ref, "#")
		if !isLocal {
			return a, false
		}
		base = r
	}
	if a.body, ok = jsonSchemaOf(ref.Value.Content, base, ct); !ok {
		return a, false
	}
	for name, h := range ref.Value.Headers {
		if strings.EqualFold(name, "Content-Type") {
			continue
		}
		if h == nil || h.Value == nil || h.Value.Content != nil || h.Value.Schema == nil || h.Value.Schema.Value == nil ||
			!h.Value.Schema.Value.Type.Is("string") {
			return a, false
		}
		ptr := base + "/headers/" + pointerToken(name) + "/schema"
		if r, isLocal := strings.CutPrefix(h.Ref, "#"); isLocal && r != "" {
			ptr = r + "/schema"
		} else if h.Ref != "" {
			return a, false
		}
		a.headers = append(a.headers, answerHeader{name: name, required: h.Value.Required, schema: ptr})
	}
	slices.SortFunc(a.headers, func(x, y answerHeader) int { return strings.Compare(x.name, y.name) })
	return a, true
}

// check validates an answer's headers and body as the document defines
// them in a.
func (b *bodySchemas) check(a answer, header http.Header, body []byte) error {
	for _, h := range a.headers {
		values := header.Values(h.name)
		if len(values) == 0 {
			if h.required {
				return fmt.Errorf("response header %q missing", h.name)
			}
			continue
		}
		s, err := b.schema(h.schema)
		if err != nil {
			return err
		}
		if err := s.Validate(values[0]); err != nil {
			return fmt.Errorf("response header %q doesn't match schema: %w", h.name, err)
		}
	}
	return b.checkBody("response", a.body, body)
}

// checkBody validates the JSON body of a request or response (what)
// against the schema at ptr.
func (b *bodySchemas) checkBody(what, ptr string, body []byte) error {
	s, err := b.schema(ptr)
	if err != nil {
		return err
	}
	value, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("failed to decode %s body: %w", what, err)
	}
	if err := s.Validate(value); err != nil {
		return fmt.Errorf("%s body doesn't match schema %s: %w", what, ptr, err)
	}
	return nil
}

// requestBodySchema finds the JSON pointer of the schema of route's
// request body with content type ct, or ok false when the fast path does
// not read it (no JSON body documented, or a body the operation lacks),
// for the full validation to judge.
func requestBodySchema(route *routers.Route, ct string) (ptr string, ok bool) {
	if route.Operation == nil || route.Operation.RequestBody == nil || route.Operation.RequestBody.Value == nil {
		return "", false
	}
	rb := route.Operation.RequestBody
	base := "/paths/" + pointerToken(route.Path) + "/" + strings.ToLower(route.Method) + "/requestBody"
	if rb.Ref != "" {
		r, isLocal := strings.CutPrefix(rb.Ref, "#")
		if !isLocal {
			return "", false
		}
		base = r
	}
	return jsonSchemaOf(rb.Value.Content, base, ct)
}

// jsonSchemaOf is the pointer of the schema content (defined at base)
// gives a JSON body of content type ct, or ok false for JSON Lines, text,
// bytes or a type content does not list by name, which are left to the
// full validation.
func jsonSchemaOf(content openapi3.Content, base, ct string) (ptr string, ok bool) {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/json" && !strings.HasSuffix(mt, "+json") {
		return "", false
	}
	media, found := content[mt]
	if !found || media == nil || media.Schema == nil {
		return "", false
	}
	if r, isLocal := strings.CutPrefix(media.Schema.Ref, "#"); isLocal && r != "" {
		return r, true
	}
	return base + "/content/" + pointerToken(mt) + "/schema", true
}
