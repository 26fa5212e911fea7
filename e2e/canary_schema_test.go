package e2e

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
)

// The canary test finds what to fill by reading the OpenAPI document, so a
// field added to a request schema is planted with canaries without anyone
// editing the test. These helpers turn a request schema into a valid-looking
// JSON value and list the string fields in it.

// omit, as a fixture value, removes the generated member.
type omit struct{}

// exampleOf builds a value for schema: every property, not only the required
// ones, so optional fields get planted too; one element per array and one
// member per free-form map. Strings take an enum's first value, an example,
// or a value of their format (a member named like a URL is one); a fixture
// overrides what must be specific.
func exampleOf(ref *openapi3.SchemaRef, name string, depth int) any {
	if ref == nil || ref.Value == nil || depth > 8 {
		return nil
	}
	s := ref.Value
	switch {
	case len(s.AllOf) > 0:
		merged := map[string]any{}
		for _, part := range s.AllOf {
			if m, ok := exampleOf(part, name, depth+1).(map[string]any); ok {
				merge(merged, m)
			}
		}
		return merged
	case len(s.Properties) == 0 && len(s.OneOf) > 0:
		return exampleOf(s.OneOf[0], name, depth+1)
	case len(s.Properties) == 0 && len(s.AnyOf) > 0:
		return exampleOf(s.AnyOf[0], name, depth+1)
	case s.Const != nil:
		return s.Const
	case len(s.Enum) > 0:
		return s.Enum[0]
	}
	switch {
	case s.Type.Includes("object") || len(s.Properties) > 0:
		obj := map[string]any{}
		for prop, p := range s.Properties {
			obj[prop] = exampleOf(p, prop, depth+1)
		}
		if ap := s.AdditionalProperties; ap.Schema != nil {
			obj["note"] = exampleOf(ap.Schema, "note", depth+1)
		} else if len(s.Properties) == 0 && (ap.Has == nil || *ap.Has) {
			obj["note"] = "plain"
		}
		return obj
	case s.Type.Includes("array"):
		return []any{exampleOf(s.Items, name, depth+1)}
	case s.Type.Includes("integer"), s.Type.Includes("number"):
		if s.Min != nil && *s.Min > 0 {
			return *s.Min
		}
		return 1
	case s.Type.Includes("boolean"):
		return false
	case s.Type.Includes("string"):
		if ex, ok := s.Example.(string); ok {
			return ex
		}
		switch {
		case s.Format == "date-time":
			return time.Now().UTC().Add(-time.Minute).Format(time.RFC3339)
		case s.Format == "uri" || strings.HasSuffix(name, "url"):
			return "https://ci.example.com/job/1"
		}
		return "plain-1"
	}
	return nil
}

// merge writes src into dst, descending into objects and removing members
// whose value is omit.
func merge(dst, src map[string]any) {
	for k, v := range src {
		if _, drop := v.(omit); drop {
			delete(dst, k)
			continue
		}
		sub, isMap := v.(map[string]any)
		if have, ok := dst[k].(map[string]any); ok && isMap {
			merge(have, sub)
			continue
		}
		dst[k] = v
	}
}

// stringPaths lists the string leaves of v as paths ("a.b", "a.list[0]"),
// sorted so that runs are repeatable.
func stringPaths(v any, prefix string) []string {
	var out []string
	switch t := v.(type) {
	case string:
		out = append(out, prefix)
	case map[string]any:
		for k, el := range t {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			out = append(out, stringPaths(el, p)...)
		}
	case []any:
		for i, el := range t {
			out = append(out, stringPaths(el, prefix+"["+strconv.Itoa(i)+"]")...)
		}
	}
	sort.Strings(out)
	return out
}

// withString returns a deep copy of v with the string at path replaced by s.
func withString(v any, path, s string) any {
	switch t := v.(type) {
	case map[string]any:
		key, rest, _ := strings.Cut(path, ".")
		if i := strings.IndexByte(key, '['); i >= 0 {
			key, rest = key[:i], path[i:]
			rest = strings.TrimPrefix(rest, ".")
		}
		out := make(map[string]any, len(t))
		for k, el := range t {
			if k == key {
				if rest == "" {
					out[k] = s
				} else {
					out[k] = withString(el, rest, s)
				}
				continue
			}
			out[k] = copyValue(el)
		}
		return out
	case []any:
		// path is "[i]" or "[i].rest" or "[i][j]…"
		end := strings.IndexByte(path, ']')
		i, _ := strconv.Atoi(path[1:end])
		rest := strings.TrimPrefix(path[end+1:], ".")
		out := make([]any, len(t))
		for j, el := range t {
			switch {
			case j != i:
				out[j] = copyValue(el)
			case rest == "":
				out[j] = s
			default:
				out[j] = withString(el, rest, s)
			}
		}
		return out
	}
	return v
}

func copyValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, el := range t {
			out[k] = copyValue(el)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, el := range t {
			out[i] = copyValue(el)
		}
		return out
	}
	return v
}
