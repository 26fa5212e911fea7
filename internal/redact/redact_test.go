package redact

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func TestObjectWritesCanonicalJSON(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, in, want string
	}{
		{"empty input means an empty object", "", `{}`},
		{"whitespace-only input means an empty object", " \n\t", `{}`},
		{"null means an empty object", " null ", `{}`},
		{
			"nested keys are sorted and whitespace is dropped",
			`{ "b": [1, {"z": true, "a": null}], "a": {"y": "x", "x": false} }`,
			`{"a":{"x":false,"y":"x"},"b":[1,{"a":null,"z":true}]}`,
		},
		{
			"numbers are kept exactly as written",
			`{"price": 1.50, "count": 1e3, "neg": -0, "big": 12345678901234567890}`,
			`{"big":12345678901234567890,"count":1e3,"neg":-0,"price":1.50}`,
		},
		{
			"strings are escaped like encoding/json without HTML escaping",
			`{"s": "<a href=\"x\">&amp;</a>\u00e9\/\u2028\t"}`,
			`{"s":"<a href=\"x\">&amp;</a>é/\u2028\t"}`,
		},
		{
			"keys sort bytewise, so non-ASCII comes after ASCII",
			`{"é": 1, "z": 2, "A": 3, "a": 4}`,
			`{"A":3,"a":4,"z":2,"é":1}`,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, prob := Object([]byte(c.in), MetadataLimits())
			if prob != nil {
				t.Fatalf("Object: %v", prob)
			}
			if string(res.JSON) != c.want {
				t.Errorf("JSON = %s\nwant   %s", res.JSON, c.want)
			}
			if res.Paths == nil || len(res.Paths) != 0 {
				t.Errorf("Paths = %#v, want an empty non-nil slice", res.Paths)
			}
		})
	}
}

func TestObjectIsDeterministicAcrossSpellings(t *testing.T) {
	t.Parallel()
	a, pa := Object([]byte(`{"b":{"d":[1,"x"],"c":2},"a":"ok"}`), MetadataLimits())
	b, pb := Object([]byte("{\n  \"a\" : \"\\u006fk\",\n  \"b\" : { \"c\" : 2, \"d\" : [ 1 , \"x\" ] }\n}\n"), MetadataLimits())
	if pa != nil || pb != nil {
		t.Fatalf("problems: %v, %v", pa, pb)
	}
	if string(a.JSON) != string(b.JSON) {
		t.Errorf("same object encoded differently:\n%s\n%s", a.JSON, b.JSON)
	}
}

func TestObjectRedacts(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		in        string
		wantJSON  string
		wantPaths []string
	}{
		{
			"secret keys hide values of every type and paths come back sorted",
			`{"user":"ada","password":"hunter2","db":{"url":"postgres://app:hunter2@db/x","port":5432},
			  "items":[{"token":{"nested":"x"}},{"name":"ok"}],"pin":1234,"credentials":["a","b"]}`,
			`{"credentials":"[REDACTED]","db":{"port":5432,"url":"postgres://[REDACTED]@db/x"},"items":[{"token":"[REDACTED]"},{"name":"ok"}],"password":"[REDACTED]","pin":"[REDACTED]","user":"ada"}`,
			[]string{"credentials", "db.url", "items[0].token", "password", "pin"},
		},
		{
			"keys that are not identifiers are quoted in paths",
			`{"headers":{"x api key":"k","X-Api-Key":"k2","ok":"v"},"a.b":{"secret":1},"":{"token":2}}`,
			`{"":{"token":"[REDACTED]"},"a.b":{"secret":"[REDACTED]"},"headers":{"X-Api-Key":"[REDACTED]","ok":"v","x api key":"[REDACTED]"}}`,
			[]string{`[""].token`, `["a.b"].secret`, "headers.X-Api-Key", `headers["x api key"]`},
		},
		{
			"secret values are found in arrays and under innocent keys",
			`{"list":["fine","AKIAIOSFODNN7EXAMPLE",["Bearer abc123def456"]],"note":"card 4111 1111 1111 1111"}`,
			`{"list":["fine","[REDACTED]",["[REDACTED]"]],"note":"[REDACTED]"}`,
			[]string{"list[1]", "list[2][0]", "note"},
		},
		{
			"card numbers written as JSON numbers are redacted and other numbers kept",
			`{"card":4111111111111111,"not_luhn":4111111111111112,"ts":1732380000007,"f":4111111111111111.0}`,
			`{"card":"[REDACTED]","f":4111111111111111.0,"not_luhn":4111111111111112,"ts":1732380000007}`,
			[]string{"card"},
		},
		{
			"array indexes order numerically only as strings",
			`{"a":[0,1,2,3,4,5,6,7,8,9,"4111111111111111","ghp_FAKEfakeFAKEfakeFAKEfakeFAKEfake1234"]}`,
			`{"a":[0,1,2,3,4,5,6,7,8,9,"[REDACTED]","[REDACTED]"]}`,
			[]string{"a[10]", "a[11]"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, prob := Object([]byte(c.in), MetadataLimits())
			if prob != nil {
				t.Fatalf("Object: %v", prob)
			}
			if string(res.JSON) != c.wantJSON {
				t.Errorf("JSON = %s\nwant   %s", res.JSON, c.wantJSON)
			}
			if !slices.Equal(res.Paths, c.wantPaths) {
				t.Errorf("Paths = %q, want %q", res.Paths, c.wantPaths)
			}
		})
	}
}

func TestObjectNeverOutputsACanary(t *testing.T) {
	t.Parallel()
	for _, c := range canaries {
		t.Run(c.name+" is replaced wherever it sits", func(t *testing.T) {
			doc, err := json.Marshal(map[string]any{
				"note": "before " + c.value + " after",
				"list": []any{"fine", c.value},
				"deep": map[string]any{"x": map[string]any{"y": c.value}},
			})
			if err != nil {
				t.Fatal(err)
			}
			res, prob := Object(doc, MetadataLimits())
			if prob != nil {
				t.Fatalf("Object: %v", prob)
			}
			if strings.Contains(string(res.JSON), c.value) {
				t.Errorf("output contains the canary: %s", res.JSON)
			}
			want := []string{"deep.x.y", "list[1]", "note"}
			if !slices.Equal(res.Paths, want) {
				t.Errorf("Paths = %q, want %q", res.Paths, want)
			}
		})
	}
}

func TestObjectReportsProblems(t *testing.T) {
	t.Parallel()
	manyKeys := func(n int) string {
		m := map[string]int{}
		for i := range n {
			m[strings.Repeat("k", i+1)] = i
		}
		b, _ := json.Marshal(m)
		return string(b)
	}
	cases := []struct {
		name     string
		in       string
		lim      Limits
		wantCode string
		wantPath string
	}{
		{"truncated input is invalid JSON", `{"password":"hunter2"`, MetadataLimits(), CodeInvalidJSON, ""},
		{"a missing colon is invalid JSON", `{"password" "hunter2"}`, MetadataLimits(), CodeInvalidJSON, ""},
		{"a trailing comma is invalid JSON", `{"a":1,}`, MetadataLimits(), CodeInvalidJSON, ""},
		{"trailing garbage is invalid JSON", `{"a":"hunter2"}hunter2`, MetadataLimits(), CodeInvalidJSON, ""},
		{"a second value is invalid JSON", `{} {"a":"hunter2"}`, MetadataLimits(), CodeInvalidJSON, ""},
		{"a broken array is invalid JSON rather than not an object", `["hunter2",`, MetadataLimits(), CodeInvalidJSON, ""},
		{"an array is not an object", `["hunter2"]`, MetadataLimits(), CodeNotObject, ""},
		{"a string is not an object", `"hunter2"`, MetadataLimits(), CodeNotObject, ""},
		{"a number is not an object", `42`, MetadataLimits(), CodeNotObject, ""},
		{"a boolean is not an object", `true`, MetadataLimits(), CodeNotObject, ""},
		{"a repeated key is a duplicate", `{"a":1,"a":"hunter2"}`, MetadataLimits(), CodeDuplicateKey, "a"},
		{"a repeated nested key names its path", `{"o":{"list":[{"k":1,"k":2}]}}`, MetadataLimits(), CodeDuplicateKey, "o.list[0].k"},
		{"65 keys exceed the metadata limit", manyKeys(65), MetadataLimits(), CodeTooManyKeys, ""},
		{"too many keys in a nested object name it", `{"o":{"a":1,"b":2,"c":3}}`, Limits{MaxKeys: 2}, CodeTooManyKeys, "o"},
		{"a fifth nested object is too deep", `{"a":{"b":{"c":{"d":{}}}}}`, MetadataLimits(), CodeTooDeep, "a.b.c.d"},
		{"arrays count towards depth", `{"a":[[[["hunter2"]]]]}`, MetadataLimits(), CodeTooDeep, "a[0][0][0]"},
		{"size beyond the limit is too large", `{"a":"0123456789"}`, Limits{MaxBytes: 17}, CodeTooLarge, ""},
		{"size counts the input before redaction", `{"password":"a much longer secret than the placeholder"}`, Limits{MaxBytes: 30}, CodeTooLarge, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, prob := Object([]byte(c.in), c.lim)
			if prob == nil {
				t.Fatal("Object accepted the input")
			}
			if prob.Code != c.wantCode || prob.Path != c.wantPath {
				t.Errorf("got code %q path %q (%v), want code %q path %q", prob.Code, prob.Path, prob, c.wantCode, c.wantPath)
			}
			if strings.Contains(prob.Error(), "hunter2") {
				t.Errorf("message echoes a value: %q", prob.Error())
			}
		})
	}
}

func TestObjectAcceptsInputAtTheLimits(t *testing.T) {
	t.Parallel()
	keys := map[string]int{}
	for i := range 64 {
		keys[strings.Repeat("k", i+1)] = i
	}
	sixtyFour, err := json.Marshal(keys)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		in   string
		lim  Limits
	}{
		{"64 keys fit the metadata limit", string(sixtyFour), MetadataLimits()},
		{"depth 4 fits the metadata limit", `{"a":{"b":[{"c":1}]}}`, MetadataLimits()},
		{"size exactly at the limit fits", `{"a":"0123456789"}`, Limits{MaxBytes: 18}},
		{"whitespace does not count towards size", "{  \"a\" :\n\n \"0123456789\"   }", Limits{MaxBytes: 18}},
		{"zero limits enforce nothing but the hard depth cap", `{"a":[[[[[[[[1]]]]]]]]}`, Limits{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, prob := Object([]byte(c.in), c.lim); prob != nil {
				t.Errorf("Object: %v", prob)
			}
		})
	}
}

func TestObjectCapsDepthEvenWithoutALimit(t *testing.T) {
	t.Parallel()
	deep := `{"a":` + strings.Repeat("[", hardMaxDepth) + strings.Repeat("]", hardMaxDepth) + `}`
	_, prob := Object([]byte(deep), Limits{})
	if prob == nil || prob.Code != CodeTooDeep {
		t.Fatalf("got %v, want %s", prob, CodeTooDeep)
	}
}

func TestProblemErrorNamesThePath(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		p    Problem
		want string
	}{
		{"a whole-object problem is just the message", Problem{Code: CodeNotObject, Message: "must be a JSON object"}, "must be a JSON object"},
		{"a nested problem starts with its path", Problem{Path: "a.b", Code: CodeTooDeep, Message: "too deep"}, "a.b: too deep"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.p.Error(); got != c.want {
				t.Errorf("Error() = %q, want %q", got, c.want)
			}
		})
	}
}

func TestASecretUsedAsAKeyIsRefusedWithoutBeingEchoed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, raw, path string
	}{
		{"a token as a top-level key", `{"ghp_CanaryGitHubToken0123456789abcdefABCD":1}`, ""},
		{"an access key as a nested key", `{"seen":{"AKIACANARY7EXAMPLE12":2}}`, "seen"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, p := Object([]byte(tt.raw), MetadataLimits())
			if p == nil || p.Code != CodeSecretKey || p.Path != tt.path {
				t.Fatalf("problem %+v, want %s at %q", p, CodeSecretKey, tt.path)
			}
			if strings.Contains(p.Error(), "CANARY") || strings.Contains(p.Error(), "Canary") {
				t.Errorf("the problem echoes the key: %s", p.Error())
			}
		})
	}
	// A path that runs through a secret-looking key does not show it.
	_, p := Object([]byte(`{"AKIACANARY7EXAMPLE12":{"a":{"b":{"c":{}}}}}`), MetadataLimits())
	if p == nil || strings.Contains(p.Path, "CANARY") {
		t.Errorf("problem %+v shows the key in its path", p)
	}
}

func TestSecretsNamedInFreeTextAreFound(t *testing.T) {
	t.Parallel()
	for text, want := range map[string]bool{
		"login with password=hunter22 worked":          true,
		"Authorization: token abcdef0123456789":        true,
		`{"api_key": "k-1234567"}`:                     true,
		"rotate the token: see runbook":                true, // "passwd: x" must count, so any value does
		"password reset flow covered by TestReset":     false,
		"expected 3 tokens, got 2":                     false,
		"AKIACANARY7EXAMPLE12 leaked in a test output": true,
	} {
		if got := TextLooksSecret(text); got != want {
			t.Errorf("TextLooksSecret(%q) = %v, want %v", text, got, want)
		}
	}
}
