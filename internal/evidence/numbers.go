package evidence

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gowebpki/jcs"
)

// InexactNumberError names a number that RFC 8785 canonical JSON cannot
// write with its value: JCS writes every number as the shortest form of the
// nearest IEEE 754 double, so 12345678901234567891 would become
// 12345678901234567000.
type InexactNumberError struct{ Path string }

const inexactMessage = "the number has no exact canonical form (more precision or range than an IEEE 754 double); send it as a string"

func (e *InexactNumberError) Error() string { return e.Path + ": " + inexactMessage }

// inexactNumber finds the first number in raw (keys in sorted order) that
// JCS would change in value. 1.50 and 1e3 are fine: they become 1.5 and
// 1000, the same values. It returns the number's path and false.
func inexactNumber(raw []byte) (string, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return "", true // not JSON: the encoder reports it
	}
	return walkNumbers(tree, "")
}

func walkNumbers(v any, path string) (string, bool) {
	switch t := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			p := k
			if path != "" {
				p = path + "." + k
			}
			if bad, ok := walkNumbers(t[k], p); !ok {
				return bad, false
			}
		}
	case []any:
		for i, el := range t {
			if bad, ok := walkNumbers(el, fmt.Sprintf("%s[%d]", path, i)); !ok {
				return bad, false
			}
		}
	case json.Number:
		if !ExactNumber(string(t)) {
			return path, false
		}
	}
	return "", true
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
