package audit

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aeso-dev/aeso"
)

func TestSearchTermsAreWordsNeverSyntax(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		q, want, code string
	}{
		{"deploy-key-7 rotate", "[[deploy key 7] [rotate]]", ""},
		{"  ALICE\tBob  ", "[[alice] [bob]]", ""},
		{`"alice" OR bob* NEAR(x, 2) -y:z ^w`, "[[alice] [or] [bob] [near x] [2] [y z] [w]]", ""},
		{"credentials.api_key.rotate", "[[credentials api key rotate]]", ""},
		{"Café Ünal 日本", "[[café] [ünal] [日本]]", ""},
		{"", "[]", "empty"},
		{` "*" - ( ) : `, "[]", "empty"},
		{strings.Repeat("a", MaxSearchLength), "[[" + strings.Repeat("a", MaxSearchLength) + "]]", ""},
		{strings.Repeat("a", MaxSearchLength+1), "[]", "too_long"},
		{strings.Repeat("a ", MaxSearchWords), fmt.Sprint([][]string{{"a"}, {"a"}, {"a"}, {"a"}, {"a"}, {"a"}, {"a"}, {"a"}, {"a"}, {"a"}, {"a"}, {"a"}, {"a"}, {"a"}, {"a"}, {"a"}}), ""},
		{strings.Repeat("a-", MaxSearchWords+1), "[]", "too_many_words"},
		{"bad \xc0 byte", "[]", "encoding"},
	} {
		t.Run(fmt.Sprintf("%.30q", tt.q), func(t *testing.T) {
			var v aeso.Validation
			got := searchTerms(tt.q, &v)
			code := ""
			if len(v.Fields) > 0 {
				code = v.Fields[0].Code
				if v.Fields[0].Field != "q" {
					t.Errorf("field %q, want q", v.Fields[0].Field)
				}
			}
			if fmt.Sprint(got) != tt.want || code != tt.code {
				t.Errorf("searchTerms(%q) = %v, code %q; want %s, code %q", tt.q, got, code, tt.want, tt.code)
			}
		})
	}
}
