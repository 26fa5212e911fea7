package server

import (
	"bytes"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/aeso-dev/aeso"
)

// BodyKind says what a route reads from the request body.
type BodyKind int

const (
	// BodyNone: the route reads no body.
	BodyNone BodyKind = iota
	// BodyJSON: the body is a JSON document, sent as application/json
	// (or a +json type) and checked for NUL, invalid UTF-8 and duplicate
	// keys before the handler sees it.
	BodyJSON
	// BodyReport: the body is an uploaded report whose format is named by
	// ?format= (or is SARIF); its content type is not looked at, since
	// curl --data-binary sends a form type by default.
	BodyReport
)

// Body says what the route reads from the request body. Every write route
// reads JSON unless it is listed here, so a new route is checked by default.
func (rt Route) Body() BodyKind {
	switch rt.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch:
	default:
		return BodyNone
	}
	switch rt.Path {
	case "/v1/evidence/bundles/{id}/reports", "/v1/guards/{name}/reports/sarif":
		return BodyReport
	case "/v1/evidence/bundles/{id}/seal", "/v1/tokens/{id}/revoke":
		return BodyNone
	}
	return BodyJSON
}

// checkInput refuses, before the handler runs, a query parameter or path
// value holding NUL or invalid UTF-8, and on a JSON route a body of another
// content type (415) or one holding such text or a duplicate key (400).
// A JSON body passes to the handler through readBody, read once. Public
// routes (health, metrics, the document) read no input and are left alone,
// so a probe never fails on its query string.
func (s *Server) checkInput(rt Route, next http.HandlerFunc) http.HandlerFunc {
	if rt.Scope == "" {
		return next
	}
	wildcards := pathWildcards(rt.Path)
	body := rt.Body()
	// The query parameters the OpenAPI document declares for the route:
	// any other is refused, so a filter the route does not know is an
	// error rather than a silently unfiltered answer. A route the
	// document does not list (none should; a test holds them together)
	// is not checked here.
	declared, err := declaredQuery()
	if err != nil {
		panic(err) // the embedded document is tested to parse
	}
	allowed, listed := declared[rt.Method+" "+rt.Path]
	return func(w http.ResponseWriter, r *http.Request) {
		if err := checkParams(r, wildcards); err != nil {
			s.writeError(w, r, err)
			return
		}
		if listed {
			if err := knownParams(r.URL.Query(), allowed...); err != nil {
				s.writeError(w, r, err)
				return
			}
		}
		if err := checkEncoding(r); err != nil {
			closeUnread(w, r)
			s.writeError(w, r, err)
			return
		}
		if body == BodyNone && rt.Method == http.MethodPost {
			if err := refuseBody(r); err != nil {
				closeUnread(w, r)
				s.writeError(w, r, err)
				return
			}
		}
		if body == BodyJSON {
			data, err := readJSONBody(r, s.MaxBody)
			if err != nil {
				s.writeError(w, r, err)
				return
			}
			ri := requestInfoFrom(r.Context())
			ri.body, ri.bodyRead = data, true
		}
		next(w, r)
	}
}

// refuseBody refuses a body sent to a POST that takes none (a seal, a
// revocation): what it carried would be ignored, and a client that sent
// options there should learn they did nothing. Nothing, white space or {}
// is no body.
func refuseBody(r *http.Request) error {
	data, err := io.ReadAll(io.LimitReader(r.Body, 64))
	if t := bytes.TrimSpace(data); err == nil && (len(t) == 0 || string(t) == "{}") {
		return nil
	}
	return &aeso.Error{Code: aeso.EINVALID, Reason: "validation_failed", Message: "request is invalid",
		Fields: []aeso.FieldError{{Field: "body", Code: "unexpected", Message: "this endpoint takes no request body; send none (or {})"}}}
}

// readJSONBody checks the content type, reads the bounded body and checks
// its text. A body sent with no Content-Type at all is refused too (RFC
// 9110 lets a server take it for application/octet-stream); only an empty
// body may come without one, e.g. POST /v1/status/snapshots with nothing.
func readJSONBody(r *http.Request, limit int64) ([]byte, error) {
	ct := r.Header.Get("Content-Type")
	if (ct != "" && !isJSONMediaType(ct)) || (ct == "" && r.ContentLength > 0) {
		return nil, unsupportedMediaType()
	}
	data, err := readBody(r, limit)
	if err != nil {
		return nil, err
	}
	if ct == "" && len(data) > 0 {
		return nil, unsupportedMediaType()
	}
	if err := checkJSONText(data); err != nil {
		return nil, err
	}
	return data, nil
}

// checkEncoding refuses a body sent with a Content-Encoding: aeso reads a
// body as sent, so a compressed one would otherwise be refused as
// malformed, or a body marked compressed but sent plain stored as if it
// had been decoded.
func checkEncoding(r *http.Request) error {
	ce := strings.TrimSpace(r.Header.Get("Content-Encoding"))
	if r.ContentLength == 0 || ce == "" || strings.EqualFold(ce, "identity") {
		return nil
	}
	return aeso.Reasonf(aeso.EUNSUPPORTED, "unsupported_media_type",
		"aeso reads request bodies uncompressed: send the body without a Content-Encoding")
}

func unsupportedMediaType() error {
	return aeso.Reasonf(aeso.EUNSUPPORTED, "unsupported_media_type",
		"this route reads JSON: send the body with Content-Type: application/json")
}

// isJSONMediaType accepts application/json and application/*+json, with
// parameters; a charset other than UTF-8 is refused, as JSON is UTF-8 here.
func isJSONMediaType(ct string) bool {
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") && !strings.EqualFold(cs, "utf8") {
		return false
	}
	sub, ok := strings.CutPrefix(mt, "application/")
	return ok && (sub == "json" || (strings.HasSuffix(sub, "+json") && len(sub) > len("+json")))
}

// pathWildcards lists the {names} of a route pattern.
func pathWildcards(pattern string) []string {
	var out []string
	for _, seg := range strings.Split(pattern, "/") {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			out = append(out, strings.TrimSuffix(strings.Trim(seg, "{}"), "..."))
		}
	}
	return out
}

// checkParams refuses a path value or query parameter (name or value) that
// holds NUL or invalid UTF-8: no store keeps them faithfully, and a lookup
// by such a value would answer differently on each database.
func checkParams(r *http.Request, wildcards []string) error {
	var v, ctl aeso.Validation
	unsafe := func(field, s string) bool {
		if !aeso.UnsafeText(s, false) {
			return false
		}
		// As in a body: what would change how the text around it is
		// shown, in a value a report upload stores (source_url,
		// correlation_id) or a filter echoes.
		ctl.Add(field, "control_character", "must not contain control characters, bidirectional overrides or line separators")
		return true
	}
	for _, name := range wildcards {
		if code := badText(r.PathValue(name)); code != "" {
			v.Add(name, code, "%s", badTextMessage(code))
		} else {
			unsafe(name, r.PathValue(name))
		}
	}
	for name, values := range r.URL.Query() {
		if code := badText(name); code != "" {
			v.Add("query", code, "a parameter name %s", badTextMessage(code))
			continue
		}
		for _, val := range values {
			if code := badText(val); code != "" {
				v.Add(safeFieldName(name), code, "%s", badTextMessage(code))
				break
			}
			if unsafe(safeFieldName(name), val) {
				break // one error per parameter, as above
			}
		}
	}
	if len(v.Fields) == 0 {
		return ctl.Err()
	}
	return &aeso.Error{Code: aeso.EINVALID, Reason: reasonInvalidText,
		Message: "a path or query value holds text that cannot be stored faithfully; send UTF-8 without NUL characters", Fields: v.Fields}
}

func badText(s string) string {
	switch {
	case strings.IndexByte(s, 0) >= 0:
		return codeNUL
	case !utf8.ValidString(s):
		return codeInvalidUTF8
	}
	return ""
}

func badTextMessage(code string) string {
	if code == codeNUL {
		return "holds a NUL character"
	}
	return "is not valid UTF-8"
}
