package server

import (
	"bytes"
	"encoding"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/aeso-dev/aeso"
)

// checkExactNames refuses a member whose name matches a field of dst only
// when letter case is ignored ("Title" for "title"). encoding/json fills
// the field anyway, so {"title":"a","Title":"b"} would keep "b": a key
// given twice under two spellings. Members of maps and raw JSON (metadata)
// keep any name. data must have passed checkJSONText; anything the walk
// does not expect (a wrong type, bad syntax) is left to the decoder.
func checkExactNames(data []byte, dst any, prefix, expect string) error {
	dec := jsontext.NewDecoder(bytes.NewBuffer(data))
	w := nameWalk{dec: dec, expect: expect}
	w.value(reflect.TypeOf(dst), strings.TrimSuffix(prefix, "."))
	return w.v.Err()
}

type nameWalk struct {
	dec     *jsontext.Decoder
	expect  string
	v       aeso.Validation
	failed  bool     // the decoder stopped; the walk is over
	unknown []string // the paths of names that match no field, in order
}

// unknownFieldPath returns where in data the first member that matches no
// field of dst stands ("evidence.pairs[0].bogus", after prefix), its name
// replaced when it is not fit to repeat; "" when the walk finds none.
// encoding/json names only the member, not where it is.
func unknownFieldPath(data []byte, dst any, prefix string) string {
	w := nameWalk{dec: jsontext.NewDecoder(bytes.NewBuffer(data))}
	w.value(reflect.TypeOf(dst), strings.TrimSuffix(prefix, "."))
	if len(w.unknown) == 0 {
		return ""
	}
	return w.unknown[0]
}

var (
	rawMessageType  = reflect.TypeFor[json.RawMessage]()
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	textType        = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// value reads one value expected to be of type t at path.
func (w *nameWalk) value(t reflect.Type, path string) {
	if w.failed {
		return
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	opaque := t == rawMessageType || reflect.PointerTo(t).Implements(unmarshalerType) || reflect.PointerTo(t).Implements(textType)
	switch k := w.dec.PeekKind(); {
	case !opaque && t.Kind() == reflect.Struct && k == 'n' && path == "":
		// encoding/json reads a body of null as {}: a snapshot would be
		// taken, a request sent by mistake answered as if meant.
		w.v.Add("body", "type", "must be a JSON object: %s", w.expect)
		w.skip()
	case !opaque && t.Kind() == reflect.Struct && k == '{':
		w.object(t, path)
	case !opaque && t.Kind() == reflect.Map && t.Elem().Kind() == reflect.String && k == '{':
		w.strings(path)
	case !opaque && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) && k == '[':
		w.array(t.Elem(), path)
	default:
		w.skip()
	}
}

func (w *nameWalk) object(t reflect.Type, path string) {
	if _, err := w.dec.ReadToken(); err != nil {
		w.failed = true
		return
	}
	fields := jsonFields(t)
	for !w.failed && w.dec.PeekKind() == '"' {
		tok, err := w.dec.ReadToken()
		if err != nil {
			w.failed = true
			return
		}
		name := tok.String()
		field := joinField(path, name)
		if ft, ok := fields.exact[name]; ok {
			w.value(ft, field)
			continue
		}
		if want, ok := fields.folded[strings.ToLower(name)]; ok {
			w.v.Add(joinField(path, safeFieldName(name)), "unknown_field",
				"is not a field of %s; names are exact (%s)", w.expect, want)
		} else {
			// A name matching nothing is the decoder's unknown_field;
			// the walk only says where it is.
			w.unknown = append(w.unknown, joinField(path, safeFieldName(name)))
		}
		w.skip()
	}
	if _, err := w.dec.ReadToken(); err != nil {
		w.failed = true
	}
}

// strings reads a map of strings (labels): encoding/json stores a null
// value as "", a label nobody set.
func (w *nameWalk) strings(path string) {
	if _, err := w.dec.ReadToken(); err != nil {
		w.failed = true
		return
	}
	for !w.failed && w.dec.PeekKind() == '"' {
		tok, err := w.dec.ReadToken()
		if err != nil {
			w.failed = true
			return
		}
		if w.dec.PeekKind() == 'n' {
			w.v.Add(joinField(path, safeFieldName(tok.String())), "type", "must be a string, not null")
		}
		w.skip()
	}
	if _, err := w.dec.ReadToken(); err != nil {
		w.failed = true
	}
}

func (w *nameWalk) array(elem reflect.Type, path string) {
	if _, err := w.dec.ReadToken(); err != nil {
		w.failed = true
		return
	}
	for i := 0; !w.failed && w.dec.PeekKind() != ']' && w.dec.PeekKind() != 0; i++ {
		w.value(elem, path+"["+strconv.Itoa(i)+"]")
	}
	if _, err := w.dec.ReadToken(); err != nil {
		w.failed = true
	}
}

func (w *nameWalk) skip() {
	if err := w.dec.SkipValue(); err != nil {
		w.failed = true
	}
}

func joinField(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// fieldSet is what encoding/json matches in a struct: exact JSON names,
// and the same names folded to lower case.
type fieldSet struct {
	exact  map[string]reflect.Type
	folded map[string]string
}

var fieldSets sync.Map // reflect.Type → fieldSet

func jsonFields(t reflect.Type) fieldSet {
	if fs, ok := fieldSets.Load(t); ok {
		return fs.(fieldSet)
	}
	fs := fieldSet{exact: map[string]reflect.Type{}, folded: map[string]string{}}
	addFields(t, fs)
	fieldSets.Store(t, fs)
	return fs
}

func addFields(t reflect.Type, fs fieldSet) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if f.Anonymous && name == "" && ft.Kind() == reflect.Struct {
			addFields(ft, fs) // promoted fields, as encoding/json reads them
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fs.exact[name] = f.Type
		fs.folded[strings.ToLower(name)] = name
	}
}
