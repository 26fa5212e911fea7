package console

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aeso-dev/aeso/internal/server"
)

// Every ref kind the resolver knows links to a console page that one of
// the console's routes serves.
func TestEveryRefKindLinksToAConsolePage(t *testing.T) {
	t.Parallel()
	const id = "01a2351d-0522-7cab-9b12-221fb9b4d945"
	samples := map[string]string{
		"component": "api", "gate": "release", "invariant": "INV-BILLING-001",
		"gate_rule": "release/evidence-security", "bundle": id + "@sha256:ab12",
	}
	mux := http.NewServeMux()
	for _, rt := range (&Console{}).routes() {
		mux.HandleFunc(rt.Method+" "+rt.Path, func(http.ResponseWriter, *http.Request) {})
	}
	kinds := server.RefKinds()
	if len(kinds) < 14 {
		t.Fatalf("ref kinds %v", kinds)
	}
	for _, kind := range append(kinds, "reconciliation") {
		sample := samples[kind]
		if sample == "" {
			sample = id
		}
		ref := kind + ":" + sample
		u := refURL(ref)
		if !strings.HasPrefix(u, "/ui/") {
			t.Errorf("%s links to %q", ref, u)
			continue
		}
		if _, pattern := mux.Handler(httptest.NewRequest("GET", u, nil)); pattern == "" {
			t.Errorf("%s links to %s, which no console route serves", ref, u)
		}
	}
	for ref, want := range map[string]string{
		"reconciliation:*":            "/ui/reconciliations?open=true",
		"gate_rule:rel ease/a b":      "/ui/gates/rel%20ease/rules/a%20b",
		"bundle:" + id + "@sha256:ab": "/ui/evidence/" + id + "?digest=sha256%3Aab",
		"component:a/b":               "/ui/components/a%2Fb",
		"nonsense:1":                  "",
		"no colon":                    "",
	} {
		if got := refURL(ref); got != want {
			t.Errorf("refURL(%q) = %q, want %q", ref, got, want)
		}
	}
}
