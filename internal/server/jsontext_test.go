package server

import (
	"errors"
	"testing"

	"github.com/aeso-dev/aeso"
)

func TestCheckJSONTextNamesTheField(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, body          string
		reason, field, code string
	}{
		{"a valid body passes", `{"a":"x","m":{"n":[1,"\ud83d\ude00"]}}`, "", "", ""},
		{"an escaped backslash before u0000 is not a NUL", `{"a":"\\u0000"}`, "", "", ""},
		{"bad syntax is left to the decoder", `{"a":`, "", "", ""},
		{"an empty body is left to the decoder", ``, "", "", ""},
		{"an escaped NUL in a value", `{"events":[{"metadata":{"note":"a\u0000b"}}]}`, reasonInvalidText, "events[0].metadata.note", codeNUL},
		{"a raw NUL in a value", "{\"title\":\"a\x00b\"}", reasonInvalidText, "title", codeNUL},
		{"an escaped NUL in a name names the object", `{"metadata":{"a\u0000":1}}`, reasonInvalidText, "metadata", codeNUL},
		{"an escaped NUL at top level", `"\u0000"`, reasonInvalidText, "body", codeNUL},
		{"a NUL in an array element", `{"labels":["ok","\u0000"]}`, reasonInvalidText, "labels[1]", codeNUL},
		{"raw invalid UTF-8 in a value", "{\"m\":{\"n\":\"\xff\"}}", reasonInvalidText, "m.n", codeInvalidUTF8},
		{"raw invalid UTF-8 in a name names the object", "{\"m\":{\"k\xff\":1}}", reasonInvalidText, "m", codeInvalidUTF8},
		{"a lone high surrogate", `{"events":[{"metadata":{"note":"\ud800"}}]}`, reasonInvalidText, "events[0].metadata.note", codeInvalidUTF8},
		{"a lone low surrogate", `{"a":"x\uDC00y"}`, reasonInvalidText, "a", codeInvalidUTF8},
		{"a duplicate at top level", `{"events":[{}],"events":[{}]}`, reasonDuplicateKey, "events", reasonDuplicateKey},
		{"a duplicate in a batch element", `{"events":[{},{"action":"a","action":"b"}]}`, reasonDuplicateKey, "events[1].action", reasonDuplicateKey},
		{"a duplicate in nested metadata", `{"metadata":{"x":{"n":1,"n":2}}}`, reasonDuplicateKey, "metadata.x.n", reasonDuplicateKey},
		{"a duplicate spelt with an escape", `{"title":"a","t\u0069tle":"b"}`, reasonDuplicateKey, "title", reasonDuplicateKey},
		{"a duplicate name that is not plain is not repeated", `{"m":{"pass word":1,"pass word":2}}`, reasonDuplicateKey, "m.[REDACTED]", reasonDuplicateKey},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := checkJSONText([]byte(c.body))
			if c.reason == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var e *aeso.Error
			if !errors.As(err, &e) {
				t.Fatalf("got %v, want a %s refusal", err, c.reason)
			}
			if e.Reason != c.reason || len(e.Fields) != 1 || e.Fields[0].Field != c.field || e.Fields[0].Code != c.code {
				t.Errorf("got %s %+v, want %s field %s code %s", e.Reason, e.Fields, c.reason, c.field, c.code)
			}
		})
	}
}

func TestJSONMediaTypes(t *testing.T) {
	t.Parallel()
	for ct, want := range map[string]bool{
		"application/json":                  true,
		"application/json; charset=utf-8":   true,
		"Application/JSON; charset=UTF-8":   true,
		"application/merge-patch+json":      true,
		"application/json; charset=utf-16":  false,
		"application/x-www-form-urlencoded": false,
		"text/plain":                        false,
		"application/+json":                 false,
		"multipart/form-data; boundary=x":   false,
		"text/json":                         false,
		"application/jsonx":                 false,
		"application/json;;":                false,
	} {
		if got := isJSONMediaType(ct); got != want {
			t.Errorf("isJSONMediaType(%q) = %v, want %v", ct, got, want)
		}
	}
}
