package server

import (
	"errors"
	"strings"
	"testing"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/wire"
)

func TestFieldNamesAreExact(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, body, field string
	}{
		{"exact names pass", `{"kind":"release","subject":{"name":"a","ref":"b"},"title":"t","labels":{"Team":"x"}}`, ""},
		{"raw metadata keeps any name", `{"type":"check","name":"n","result":"pass","metadata":{"Note":1,"note":2}}`, ""},
		{"a capitalised field", `{"kind":"release","subject":{"name":"a","ref":"b"},"Title":"t"}`, "Title"},
		{"a second spelling of a field", `{"kind":"release","subject":{"name":"a","ref":"b"},"title":"a","TITLE":"b"}`, "TITLE"},
		{"a capitalised nested field", `{"kind":"release","subject":{"name":"a","Ref":"b"},"title":"t"}`, "subject.Ref"},
		{"a capitalised field in an array element", `{"type":"artifact","name":"n","result":"pass","links":[{"url":"https://x.example/a","SHA256":"a"}]}`, "links[0].SHA256"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var dst any = &wire.BundleRequest{}
			if c.body[2:6] == "type" {
				dst = &wire.ItemRequest{}
			}
			err := decodeObject([]byte(c.body), dst, "", "a request")
			if c.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var e *aeso.Error
			if !errors.As(err, &e) || len(e.Fields) != 1 || e.Fields[0].Field != c.field || e.Fields[0].Code != "unknown_field" {
				t.Fatalf("got %v, want unknown_field at %s", err, c.field)
			}
		})
	}
}

func TestATypeErrorDoesNotRepeatAMapKey(t *testing.T) {
	t.Parallel()
	for body, field := range map[string]string{
		`{"kind":"release","labels":{"note password=hunter2":5}}`: "labels.[REDACTED]",
		`{"kind":"release","labels":{"team":5}}`:                  "labels.team",
	} {
		err := decodeObject([]byte(body), &wire.BundleRequest{}, "", "a bundle")
		var e *aeso.Error
		if !errors.As(err, &e) || len(e.Fields) != 1 || e.Fields[0].Field != field || e.Fields[0].Code != "type" || strings.Contains(e.Error(), "hunter2") {
			t.Errorf("got %v, want a type error at %s that does not repeat a secret key", err, field)
		}
	}
}
