package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aeso-dev/aeso/internal/testdb"
)

// TestConsoleSaysWhenAnAcceptanceLapsed: a record accepted until a time
// now past counts again; its list row and its page say so, not a plain
// "accepted".
func TestConsoleSaysWhenAnAcceptanceLapsed(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		clk := &clock{}
		e := start(t, tg, withConfigFile(writeConfig(t, recordsYAML)), withClock(clk))
		b := e.browser()
		b.mustSignIn(adminToken)
		r := e.do("POST", "/v1/reconciliations", adminToken,
			`{"kind":"drift","severity":"high","owner":"platform","component":"api","evidence":{"summary":"replicas 2/3"}}`)
		if r.status != 201 {
			t.Fatalf("record: %d %s", r.status, r.body)
		}
		id := idOf(t, r.body)
		if r := e.do("POST", "/v1/reconciliations/"+id+"/transitions", adminToken, fmt.Sprintf(
			`{"state":"accepted","reason":"quota request filed","accepted_until":%q}`, clk.now().Add(time.Minute).UTC().Format(time.RFC3339))); r.status != 200 {
			t.Fatalf("accept: %d %s", r.status, r.body)
		}
		if list := b.get("/ui/reconciliations"); list.status != 200 || strings.Contains(list.body, "lapsed") {
			t.Errorf("an acceptance still running reads as lapsed: %d", list.status)
		}
		clk.advance(2 * time.Minute)
		wants(t, "the list once the acceptance lapsed", b.get("/ui/reconciliations"), 200, "<strong>lapsed")
		wants(t, "the record once the acceptance lapsed", b.get("/ui/reconciliations/"+id), 200, "it counts again")
	})
}
