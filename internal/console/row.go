package console

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/redact"
	"github.com/aeso-dev/aeso/internal/server"
)

// rowView is the data of the generic row page.
type rowView struct {
	Ref, Kind, APIURL string
	Fields            []field
}

// field is one line of a row, flattened: nested objects give dotted names.
type field struct {
	Name, Value string
	Ref         string // set when the value is itself a ref
}

// rowPage shows the row a ref names, read through the ref resolver (which
// checks the token's scope for that kind). The ref is kind and the path
// values of params joined by "/"; with no params it is "kind:*".
func (c *Console) rowPage(kind string, params ...string) func(http.ResponseWriter, *http.Request, *visit) {
	return func(w http.ResponseWriter, r *http.Request, v *visit) {
		parts := make([]string, len(params))
		for i, p := range params {
			parts[i] = r.PathValue(p)
		}
		id := strings.Join(parts, "/")
		if len(params) == 0 {
			id = "*"
		}
		if d := r.URL.Query().Get("digest"); d != "" && kind == "bundle" {
			id += "@" + d
		}
		ref := kind + ":" + id
		res, err := c.ResolveRef(r.Context(), v.Principal, ref)
		switch errorCode(err) {
		case "":
		case aeso.EFORBIDDEN:
			scope, _ := server.RefScope(kind)
			c.lacks(w, r, v, scope)
			return
		case aeso.ENOTFOUND, aeso.EINVALID:
			what := ref
			if redact.ValueLooksSecret(ref) {
				what = "this ref" // a secret pasted into the address is not shown back
			}
			c.fail(w, r, v, http.StatusNotFound, "Not found", "Nothing matches "+what+".")
			return
		default:
			c.Logger.ErrorContext(r.Context(), "console row failed", "ref", ref, "err", err)
			c.fail(w, r, v, http.StatusServiceUnavailable, "Unavailable", "The row could not be read; retry in a moment.")
			return
		}
		b, err := json.Marshal(res.Object)
		var obj any
		if err == nil {
			err = json.Unmarshal(b, &obj)
		}
		if err != nil {
			c.fail(w, r, v, http.StatusInternalServerError, "Internal error", "The row could not be shown.")
			return
		}
		var fields []field
		flatten("", obj, &fields)
		c.render(w, r, v, http.StatusOK, "row", ref, rowView{Ref: ref, Kind: kind, APIURL: res.URL, Fields: fields})
	}
}

// flatten lists the leaves of a decoded JSON value under dotted names.
func flatten(prefix string, v any, out *[]field) {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			name := k
			if prefix != "" {
				name = prefix + "." + k
			}
			flatten(name, x[k], out)
		}
	case []any:
		if len(x) == 0 {
			*out = append(*out, field{Name: prefix, Value: "(none)"})
		}
		for i, e := range x {
			flatten(prefix+"["+strconv.Itoa(i)+"]", e, out)
		}
	case nil:
		*out = append(*out, field{Name: prefix, Value: "–"})
	default:
		b, _ := json.Marshal(x)
		s := strings.Trim(string(b), `"`)
		if str, ok := x.(string); ok {
			s = str
		}
		f := field{Name: prefix, Value: s}
		if strings.HasSuffix(prefix, "ref") && refURL(s) != "" {
			f.Ref = s
		}
		*out = append(*out, f)
	}
}
