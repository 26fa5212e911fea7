package redact

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestExactNumbers(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in    string
		exact bool
	}{
		{"0", true}, {"-0", true}, {"1.50", true}, {"1e3", true}, {"1E+3", true}, {"-12.5e-1", true},
		{"0.1", true}, {"9007199254740992", true}, {"1e21", true}, {"123456789012345678", false},
		{"9007199254740993", false}, {"12345678901234567891", false}, {"0.12345678901234567891", false},
		{"1e400", false}, {"-1e400", false}, {"1e-400", false}, {"4.9e-324", false}, {"5e-324", true},
		{"0e99999999999999999999", false},
	} {
		if got := ExactNumber(c.in); got != c.exact {
			t.Errorf("ExactNumber(%s) = %v, want %v", c.in, got, c.exact)
		}
	}
}

func TestInexactNumberNamesTheFirstNumberByPath(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, in, path string
		found          bool
	}{
		{"exact numbers only", `{"a":1.50,"b":[1e3,-0]}`, "", false},
		{"a number out of the double range", `{"n":1e400}`, "n", true},
		{"an integer past 2^53", `{"id":12345678901234567891}`, "id", true},
		{"the first in key order", `{"z":1e400,"a":{"b":[1,0.12345678901234567891]}}`, "a.b[1]", true},
		{"a key that is not an identifier", `{"x y":1e400}`, `["x y"]`, true},
		{"not JSON", `{"n":`, "", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			path, found := InexactNumber([]byte(c.in))
			if path != c.path || found != c.found {
				t.Errorf("InexactNumber(%s) = %q, %v; want %q, %v", c.in, path, found, c.path, c.found)
			}
		})
	}
}

func TestFieldJoinsAPathToItsRequestField(t *testing.T) {
	t.Parallel()
	for path, want := range map[string]string{"": "metadata", "n": "metadata.n", "a.b[1]": "metadata.a.b[1]",
		"[2]": "metadata[2]", `["x y"]`: `metadata["x y"]`} {
		if got := Field("metadata", path); got != want {
			t.Errorf("Field(metadata, %q) = %q, want %q", path, got, want)
		}
	}
}

// TestTheNumberScanMissesNoInexactNumber holds the scan that spares most
// metadata a decode to the decode: wherever the decode finds an inexact
// number, the scan must have said there may be one.
func TestTheNumberScanMissesNoInexactNumber(t *testing.T) {
	docs := []string{
		`{"n":1e400}`, `{"n":-1E-400}`, `{"n":12345678901234567891}`, `{"n":1.2345678901234567}`,
		`{"a":[1,2,{"b":123456789012345678}]}`, `{"s":"1e400","n":99999999999999999}`,
		`{"s":"a\"b","n":0.10000000000000000555}`, `{"s":"\\","n":18446744073709551615}`,
		`[1,2,3]`, `{"n":1.50}`, `{"n":-0.000123}`, `{"s":"1e400 in a string"}`, `{"s":"\\\"1e400"}`,
		`{"n":123456789012345}`, `{"n":0.00000000000000000001}`, `{"t":true,"f":false,"z":null}`,
	}
	for _, d := range docs {
		raw := []byte(d)
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var tree any
		if err := dec.Decode(&tree); err != nil {
			t.Fatalf("%s: %v", d, err)
		}
		var path []segment
		if walkNumbers(tree, &path) && !mayHoldInexactNumber(raw) {
			t.Errorf("%s holds an inexact number the scan missed", d)
		}
	}
	for _, d := range []string{`{"n":1.50,"m":42,"s":"1e400"}`, `{"a":[-1,0,3.25]}`} {
		if mayHoldInexactNumber([]byte(d)) {
			t.Errorf("%s: the scan sends exact numbers to the decode", d)
		}
	}
}
