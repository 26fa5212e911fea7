package redact

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"testing"
	"unicode/utf8"
)

// FuzzObject checks the properties every caller relies on: Object never
// panics, accepts only valid JSON, returns an object, and is a fixed point,
// so re-validating stored metadata neither changes it nor finds new secrets.
func FuzzObject(f *testing.F) {
	seeds := []string{
		``, `null`, `{}`, `[]`, `"x"`, `{"a":1,"a":2}`, `{"a":`,
		`{"password":"hunter2","db":{"url":"postgres://app:hunter2@db/x"}}`,
		`{"list":["4111 1111 1111 1111",4111111111111111,1.50,1e3,null,true]}`,
		`{"a":{"b":{"c":{"d":{}}}}}`,
		`{"h":{"x api key":"AKIAIOSFODNN7EXAMPLE","\u2028":"Bearer abc123def456"}}`,
		`{"jwt":"eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.","s":"\ud800"}`,
		"{\"k\":\"\xff\xfe\"}",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	for _, c := range canaries {
		doc, err := json.Marshal(map[string]string{"v": c.value})
		if err != nil {
			f.Fatal(err)
		}
		f.Add(doc)
	}

	f.Fuzz(func(t *testing.T, raw []byte) {
		// The fast parser must agree with the exact one whenever it accepts.
		if fast, ok := parseFast(raw, MetadataLimits()); ok {
			exact, prob := parseTokens(raw, MetadataLimits())
			if prob != nil || !reflect.DeepEqual(fast, exact) {
				t.Fatalf("fast parse of %q = %v; exact parse = %v, %v", raw, fast, exact, prob)
			}
		}
		res, prob := Object(raw, MetadataLimits())
		if prob != nil {
			if prob.Code == "" || prob.Message == "" {
				t.Fatalf("problem without code or message: %#v", prob)
			}
			return
		}
		if !isBlank(raw) && !json.Valid(raw) {
			t.Fatalf("accepted invalid JSON %q", raw)
		}
		var top any
		if err := json.Unmarshal(res.JSON, &top); err != nil {
			t.Fatalf("output is not valid JSON: %v\n%s", err, res.JSON)
		}
		if _, ok := top.(map[string]any); !ok {
			t.Fatalf("output is not an object: %s", res.JSON)
		}
		if !slices.IsSorted(res.Paths) {
			t.Fatalf("paths not sorted: %q", res.Paths)
		}

		// The output may outgrow MaxBytes by the placeholders, so the
		// second pass lifts only the size limit.
		lim := MetadataLimits()
		lim.MaxBytes = 0
		again, prob := Object(res.JSON, lim)
		if prob != nil {
			t.Fatalf("output rejected: %v\n%s", prob, res.JSON)
		}
		if !bytes.Equal(again.JSON, res.JSON) {
			t.Fatalf("not idempotent:\n%s\n%s", res.JSON, again.JSON)
		}
		for _, p := range again.Paths {
			if !slices.Contains(res.Paths, p) {
				t.Fatalf("second pass redacted new path %q in %s", p, res.JSON)
			}
		}
	})
}

// FuzzStoredStringsNeverLookSecret checks that the named-secret and URL
// rules never panic and that whatever Object keeps of a string (a URL with
// its credentials replaced, or the string untouched) no longer looks secret.
func FuzzStoredStringsNeverLookSecret(f *testing.F) {
	for _, s := range []string{"password=x", "https://u:p@h/?sig=1#access_token=2", "a%3D%", "tokens=5", "x://@", "authToken2=", "https://[REDACTED]@h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return // JSON carries text; invalid UTF-8 is refused before this
		}
		raw, err := json.Marshal(map[string]string{"v": s})
		if err != nil {
			return
		}
		res, p := Object(raw, MetadataLimits())
		if p != nil {
			return
		}
		var out map[string]string
		if err := json.Unmarshal(res.JSON, &out); err != nil {
			t.Fatalf("Object wrote invalid JSON %s: %v", res.JSON, err)
		}
		if ValueLooksSecret(out["v"]) {
			t.Errorf("Object kept %q as %q, which still looks secret", s, out["v"])
		}
		if (out["v"] != s) != (len(res.Paths) == 1) {
			t.Errorf("Object changed %q to %q but recorded paths %v", s, out["v"], res.Paths)
		}
	})
}
