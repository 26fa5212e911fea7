package redact

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/gowebpki/jcs"
)

// CodeNumberNotExact is the code of a number RFC 8785 canonical JSON cannot
// write with its value. Object keeps numbers as written; a caller whose JSON
// is later canonicalised (a seal, an audit log leaf) refuses them with
// InexactNumber before storing anything.
const CodeNumberNotExact = "number_not_exact"

// InexactNumberMessage explains CodeNumberNotExact without the number,
// which may be a secret.
const InexactNumberMessage = "the number has no exact canonical form (more precision or range than an IEEE 754 double); send it as a string"

// InexactNumber finds the first number in the JSON document raw (keys in
// sorted order) that JCS would change in value: JCS writes every number as
// the shortest form of the nearest IEEE 754 double, so 12345678901234567891
// would become 12345678901234567000, and 1e400 has no double at all. 1.50
// and 1e3 are fine: they become 1.5 and 1000, the same values. It returns
// the number's path (as Problem.Path) and true when there is one; raw that
// is not JSON has none (whoever encodes it reports that).
func InexactNumber(raw []byte) (string, bool) {
	if !mayHoldInexactNumber(raw) {
		return "", false
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return "", false
	}
	var path []segment
	if walkNumbers(tree, &path) {
		return formatPath(path), true
	}
	return "", false
}

// walkNumbers reports whether v holds an inexact number, leaving its path
// in path.
func walkNumbers(v any, path *[]segment) bool {
	switch t := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			*path = append(*path, segment{key: k, index: -1})
			if walkNumbers(t[k], path) {
				return true
			}
			*path = (*path)[:len(*path)-1]
		}
	case []any:
		for i, el := range t {
			*path = append(*path, segment{index: i})
			if walkNumbers(el, path) {
				return true
			}
			*path = (*path)[:len(*path)-1]
		}
	case json.Number:
		return !ExactNumber(string(t))
	}
	return false
}

// Field names a problem at path inside the request field base, as
// validation errors name fields: "metadata", "metadata.a.b",
// "metadata[2]", `metadata["x y"]`.
func Field(base, path string) string {
	switch {
	case path == "":
		return base
	case strings.HasPrefix(path, "["):
		return base + path
	}
	return base + "." + path
}

// ExactNumber reports whether JCS writes the JSON number s with the same
// decimal value: the nearest double, in its shortest form, denotes exactly
// the number that was written.
func ExactNumber(s string) bool {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return false // out of range, or not a number
	}
	out, err := jcs.NumberToJSON(f)
	if err != nil {
		return false
	}
	a, ok1 := decimalValue(s)
	b, ok2 := decimalValue(out)
	return ok1 && ok2 && a == b
}

// decimalValue reduces a JSON number to sign, significant digits and a
// power of ten ("-1.50e2" → "-15e1"), so equal values compare equal as
// strings. Zero of either sign is "0".
func decimalValue(s string) (string, bool) {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	mant, expPart, hasExp := strings.Cut(strings.ToLower(s), "e")
	exp := 0
	if hasExp {
		e, err := strconv.Atoi(expPart)
		if err != nil {
			return "", false
		}
		exp = e
	}
	intPart, frac, _ := strings.Cut(mant, ".")
	digits := strings.TrimLeft(intPart+frac, "0")
	exp -= len(frac)
	if digits == "" {
		return "0", true
	}
	for strings.HasSuffix(digits, "0") {
		digits = digits[:len(digits)-1]
		exp++
	}
	sign := ""
	if neg {
		sign = "-"
	}
	return sign + digits + "e" + strconv.Itoa(exp), true
}

// mayHoldInexactNumber scans raw without decoding it and reports whether a
// number in it might not be exact: one with an exponent or with more than
// 15 significant digits. A decimal of at most 15 significant digits is
// always the shortest form of its nearest double (15 is DBL_DIG), so JCS
// writes it with the same value. Most metadata holds no other number, and
// the scan costs a fraction of decoding it, on every event ingested.
func mayHoldInexactNumber(raw []byte) bool {
	inString := false
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if inString {
			switch c {
			case '\\':
				i++ // the escaped byte cannot end the string
			case '"':
				inString = false
			}
			continue
		}
		switch {
		case c == '"':
			inString = true
		case c == '-' || c >= '0' && c <= '9':
			digits, leading := 0, true
			for ; i < len(raw); i++ {
				c = raw[i]
				switch {
				case c == 'e' || c == 'E':
					return true
				case c == '0' && leading:
				case c >= '0' && c <= '9':
					leading = false
					digits++
				case c == '-' || c == '+' || c == '.':
				default:
					i-- // the byte after the number is read by the outer loop
					goto next
				}
			}
		next:
			if digits > 15 {
				return true
			}
		}
	}
	return false
}
