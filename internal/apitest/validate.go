// Package apitest checks HTTP traffic against aeso's OpenAPI document, so
// every test that talks to the server also proves the document right: each
// request must be one the document describes, and each answer too.
//
// Typical use in a test:
//
//	vt, err := apitest.NewValidatingTransport(nil) // nil: http.DefaultTransport
//	if err != nil { t.Fatal(err) }
//	client := vt.Client()              // or &http.Client{Transport: vt}
//	... exercise the server through client ...
//	vt.Check(t)                        // one t.Errorf per undocumented request or response
//
// A test that sends a bad request on purpose marks it, and only its
// request is exempt; the answer must still be documented:
//
//	req = req.WithContext(apitest.InvalidRequest(req.Context()))
package apitest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/aeso-dev/aeso/internal/server"
)

// LoadSpec loads the OpenAPI document the server serves at /openapi.json
// and validates it (as OpenAPI 3.1, which kin-openapi detects from the
// document's version).
func LoadSpec() (*openapi3.T, error) {
	data, err := server.OpenAPIJSON()
	if err != nil {
		return nil, err
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("load openapi document: %w", err)
	}
	if !doc.IsOpenAPI31OrLater() {
		return nil, fmt.Errorf("openapi document declares version %q; want 3.1.x", doc.OpenAPI)
	}
	if err := doc.Validate(loader.Context, openapi3.EnableSchemaFormatValidation()); err != nil {
		return nil, fmt.Errorf("validate openapi document: %w", err)
	}
	return doc, nil
}

// ValidatingTransport is an http.RoundTripper that validates each request
// against Spec (path, query and header parameters, content type and body),
// performs it with Base and validates the response: the status must be
// documented for the operation, and the content type, the documented
// headers (X-Request-Id everywhere) and the body must match. A mismatch is
// recorded in Failures; the response is returned to the caller unchanged
// and the request never fails because of validation.
//
// A request to a path or method the document lacks is a failure too, except
// that a 405 answer on a documented path is checked against the document's
// generic MethodNotAllowed response. Requests for which Allow returns true
// are not validated at all (e.g. a test that deliberately calls a wrong
// path). A request whose context was made by InvalidRequest is sent as it
// is and only its response is validated.
type ValidatingTransport struct {
	Base   http.RoundTripper // nil means http.DefaultTransport
	Spec   *openapi3.T
	Router routers.Router
	bodies *bodySchemas
	// Allow, when set and true for a request, exempts it from validation.
	Allow func(*http.Request) bool

	mu       sync.Mutex
	Failures []string
}

// shared is the document and router every ValidatingTransport of the
// process uses: loading and validating the document takes about a second
// under the race detector, and a test server starts in less. Both are only
// read once built.
var shared struct {
	once   sync.Once
	doc    *openapi3.T
	router routers.Router
	bodies *bodySchemas
	err    error
}

func sharedRouter() (*openapi3.T, routers.Router, error) {
	shared.once.Do(func() {
		doc, err := LoadSpec()
		if err != nil {
			shared.err = err
			return
		}
		// Match any host (test servers listen on http://127.0.0.1:PORT): the
		// document should declare no servers, and any it does are ignored here.
		doc.Servers = nil
		for _, item := range doc.Paths.Map() {
			item.Servers = nil
		}
		// The audit export streams JSON Lines, which the validator reads
		// as the string its schema declares.
		openapi3filter.RegisterBodyDecoder("application/x-ndjson", openapi3filter.FileBodyDecoder)
		router, err := legacy.NewRouter(doc)
		if err != nil {
			shared.err = fmt.Errorf("openapi router: %w", err)
			return
		}
		data, err := server.OpenAPIJSON()
		if err != nil {
			shared.err = err
			return
		}
		bodies, err := newBodySchemas(data)
		if err != nil {
			shared.err = err
			return
		}
		shared.doc, shared.router, shared.bodies = doc, router, bodies
	})
	return shared.doc, shared.router, shared.err
}

// NewValidatingTransport returns a transport validating every response that
// passes through base against the spec (see LoadSpec), which is loaded once
// per process and shared.
func NewValidatingTransport(base http.RoundTripper) (*ValidatingTransport, error) {
	doc, router, err := sharedRouter()
	if err != nil {
		return nil, err
	}
	return &ValidatingTransport{Base: base, Spec: doc, Router: router, bodies: shared.bodies}, nil
}

// Client returns an *http.Client using v.
func (v *ValidatingTransport) Client() *http.Client { return &http.Client{Transport: v} }

type invalidKey struct{}

// InvalidRequest returns a context marking a request as deliberately
// invalid (hostile input, a wrong content type): the transport does not
// validate the request, only the answer.
func InvalidRequest(ctx context.Context) context.Context {
	return context.WithValue(ctx, invalidKey{}, true)
}

func isInvalidRequest(ctx context.Context) bool {
	b, _ := ctx.Value(invalidKey{}).(bool)
	return b
}

// RoundTrip validates req, performs it and validates the response. Both
// bodies are read in full; the request is sent as a copy with its body
// restored, and the response body is restored so the caller reads it as
// usual.
func (v *ValidatingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := v.Base
	if base == nil {
		base = http.DefaultTransport
	}
	allowed := v.Allow != nil && v.Allow(req)
	if !allowed && !isInvalidRequest(req.Context()) {
		var reqBody []byte
		if req.Body != nil && req.Body != http.NoBody {
			var err error
			reqBody, err = io.ReadAll(req.Body)
			_ = req.Body.Close()
			if err != nil {
				return nil, fmt.Errorf("reading the request body: %w", err)
			}
			req = req.Clone(req.Context())
			req.Body = io.NopCloser(bytes.NewReader(reqBody))
			req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(reqBody)), nil }
		}
		if err := v.validateRequest(req, reqBody); err != nil {
			v.record("request", req, 0, err, reqBody)
		}
	}
	resp, err := base.RoundTrip(req)
	if err != nil || resp == nil {
		return resp, err
	}
	body, readErr := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if readErr != nil {
		// Give the caller what arrived, then the same error.
		resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), errReader{readErr}))
		v.fail(req, resp.StatusCode, fmt.Errorf("reading the response body: %w", readErr), nil)
		return resp, nil
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if allowed {
		return resp, nil
	}
	if err := v.validate(req, resp, body); err != nil {
		v.fail(req, resp.StatusCode, err, body)
	}
	return resp, nil
}

// findRoute finds req's operation by its escaped path when it has one, so
// a path segment holding an escaped "/" (a gate_rule ref) stays one
// segment, as it does for the server's router.
func (v *ValidatingTransport) findRoute(req *http.Request) (*routers.Route, map[string]string, error) {
	if req.URL.RawPath == "" {
		return v.Router.FindRoute(req)
	}
	probe := req.Clone(req.Context())
	probe.URL.Path, probe.URL.RawPath = req.URL.EscapedPath(), ""
	route, params, err := v.Router.FindRoute(probe)
	for k, p := range params {
		if u, uerr := url.PathUnescape(p); uerr == nil {
			params[k] = u
		}
	}
	return route, params, err
}

// validateRequest checks req against its operation. A route the document
// lacks is left to the response check, which reports it.
func (v *ValidatingTransport) validateRequest(req *http.Request, body []byte) error {
	route, pathParams, err := v.findRoute(req)
	if err != nil {
		return nil
	}
	probe := req.Clone(req.Context())
	probe.Body = io.NopCloser(bytes.NewReader(body))
	input := &openapi3filter.RequestValidationInput{
		Request:    probe,
		PathParams: pathParams,
		Route:      route,
		Options:    v.options(),
	}
	ptr, fast := requestBodySchema(route, req.Header.Get("Content-Type"))
	if fast && len(body) > 0 && v.bodies != nil {
		// Parameters by kin-openapi, a JSON body by its schema compiled once.
		input.Options.ExcludeRequestBody = true
		if err := openapi3filter.ValidateRequest(context.Background(), input); err != nil {
			return err
		}
		return v.bodies.checkBody("request", ptr, body)
	}
	return openapi3filter.ValidateRequest(context.Background(), input)
}

func (v *ValidatingTransport) validate(req *http.Request, resp *http.Response, body []byte) error {
	route, pathParams, err := v.findRoute(req)
	if err != nil {
		var re *routers.RouteError
		notAllowed := errors.Is(err, routers.ErrMethodNotAllowed) ||
			(errors.As(err, &re) && re.Reason == routers.ErrMethodNotAllowed.Error())
		if !notAllowed {
			return fmt.Errorf("the OpenAPI document has no route for %s %s (%v); set Allow to exempt deliberate calls", req.Method, req.URL.Path, err)
		}
		if resp.StatusCode != http.StatusMethodNotAllowed {
			return fmt.Errorf("the OpenAPI document has no %s operation on %s, and the answer is not 405", req.Method, req.URL.Path)
		}
		route, err = v.methodNotAllowedRoute(req)
		if err != nil {
			return err
		}
	}
	if a, ok := findAnswer(route, resp.StatusCode, resp.Header.Get("Content-Type")); ok && v.bodies != nil && fastStatus(req, resp.StatusCode) {
		// A documented JSON answer: its headers and body are checked
		// against their schemas compiled once.
		return v.bodies.check(a, resp.Header, body)
	}
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request:    req,
			PathParams: pathParams,
			Route:      route,
			Options:    v.options(),
		},
		Status:  resp.StatusCode,
		Header:  resp.Header,
		Options: v.options(),
	}
	input.SetBodyBytes(body)
	return openapi3filter.ValidateResponse(context.Background(), input)
}

// fastStatus reports whether kin-openapi would validate an answer with
// status to req at all (it skips HEAD and some redirects), so the fast body
// check does just as much.
func fastStatus(req *http.Request, status int) bool {
	switch status {
	case http.StatusNotModified, http.StatusPermanentRedirect, http.StatusTemporaryRedirect, http.StatusMovedPermanently:
		return false
	}
	return req.Method != http.MethodHead
}

func (v *ValidatingTransport) options() *openapi3filter.Options {
	o := &openapi3filter.Options{
		IncludeResponseStatus: true,
		MultiError:            true,
		// Security is the server's to check, and tests send bad tokens
		// on purpose.
		AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
	}
	o.WithCustomSchemaErrorFunc(compactSchemaError)
	return o
}

// compactSchemaError leaves the schema dump out of messages (the failure
// carries the start of the body instead); "" keeps the default message.
func compactSchemaError(err *openapi3.SchemaError) string {
	if err.Origin != nil || err.Reason == "" {
		return ""
	}
	if p := err.JSONPointer(); len(p) > 0 {
		return fmt.Sprintf("at %q: %s", "/"+strings.Join(p, "/"), err.Reason)
	}
	return err.Reason
}

// methodNotAllowedRoute is a synthetic route whose only response is the
// document's generic 405 (components.responses.MethodNotAllowed).
func (v *ValidatingTransport) methodNotAllowedRoute(req *http.Request) (*routers.Route, error) {
	var ref *openapi3.ResponseRef
	if v.Spec.Components != nil {
		ref = v.Spec.Components.Responses["MethodNotAllowed"]
	}
	if ref == nil || ref.Value == nil {
		return nil, fmt.Errorf("%s %s answered 405 but the OpenAPI document has no components.responses.MethodNotAllowed", req.Method, req.URL.Path)
	}
	op := openapi3.NewOperation()
	op.Responses = openapi3.NewResponses(openapi3.WithStatus(http.StatusMethodNotAllowed,
		&openapi3.ResponseRef{Ref: "#/components/responses/MethodNotAllowed", Value: ref.Value}))
	return &routers.Route{Spec: v.Spec, Path: req.URL.Path, Method: req.Method, Operation: op}, nil
}

func (v *ValidatingTransport) fail(req *http.Request, status int, err error, body []byte) {
	v.record("response", req, status, err, body)
}

// record keeps one failure; what is "request" or "response", and status is
// 0 for a request.
func (v *ValidatingTransport) record(what string, req *http.Request, status int, err error, body []byte) {
	msg := fmt.Sprintf("%s does not match the OpenAPI document: %s %s", what, req.Method, req.URL.RequestURI())
	if status != 0 {
		msg += fmt.Sprintf(" -> %d", status)
	}
	msg += fmt.Sprintf(": %v", err)
	if len(body) > 0 {
		const max = 512
		b := string(body)
		if len(b) > max {
			b = b[:max] + "…"
		}
		msg += "\n\tbody: " + strings.TrimSpace(b)
	}
	v.mu.Lock()
	v.Failures = append(v.Failures, msg)
	v.mu.Unlock()
}

// Check reports every failure recorded so far with t.Errorf, and forgets
// them, so a transport shared by subtests reports each failure once.
func (v *ValidatingTransport) Check(t testing.TB) {
	t.Helper()
	for _, f := range v.TakeFailures() {
		t.Errorf("%s", f)
	}
}

// TakeFailures returns the failures recorded so far and forgets them.
func (v *ValidatingTransport) TakeFailures() []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	f := v.Failures
	v.Failures = nil
	return f
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }
