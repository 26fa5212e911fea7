package e2e

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/aeso-dev/aeso/client"
	"github.com/aeso-dev/aeso/internal/testdb"
)

// The audit log's leaf and an evidence seal are RFC 8785 canonical JSON,
// which writes every number as an IEEE 754 double: a number without an
// exact double form is refused where it is sent, naming its path, rather
// than failing the write (1e400) or being rounded in the log
// (12345678901234567891).

// lastSeq returns the highest seq the trail holds.
func (e *env) lastSeq(t *testing.T) int64 {
	t.Helper()
	page, err := e.admin.ListEvents(e.ctx, client.ListOptions{Limit: 1})
	if err != nil || len(page.Events) == 0 {
		t.Fatalf("latest event: %v", err)
	}
	return page.Events[0].Seq
}

// wantNumberNotExact checks that r refused exactly one number, at field.
func wantNumberNotExact(t *testing.T, r *response, field string) {
	t.Helper()
	p := r.problem(t)
	if r.status != http.StatusBadRequest || p.Code != "validation_failed" || len(p.Errors) != 1 ||
		p.Errors[0].Code != "number_not_exact" || p.Errors[0].Field != field {
		t.Errorf("status %d %s, want 400 number_not_exact at %s", r.status, r.body, field)
	}
}

func TestAnEventWithANumberTheLogCannotKeepIsRefused(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		before := e.countEvents()
		for _, c := range []struct{ name, metadata, field string }{
			{"a number beyond the double range", `{"n":1e400}`, "metadata.n"},
			{"an integer past 2^53", `{"n":12345678901234567891}`, "metadata.n"},
			{"a nested number", `{"a":{"list":[1,-1e400]}}`, "metadata.a.list[1]"},
		} {
			t.Run(c.name, func(t *testing.T) {
				ev := validEvent()
				ev["metadata"] = json.RawMessage(c.metadata)
				wantNumberNotExact(t, e.doInvalid("POST", "/v1/audit/events", adminToken, ev), c.field)
			})
		}
		if after := e.countEvents(); after != before {
			t.Errorf("refused events wrote %d rows", after-before)
		}

		// Redaction comes first: a number under a secret-looking key is
		// replaced, so nothing is left to refuse.
		ev := validEvent()
		ev["metadata"] = json.RawMessage(`{"token":1e400,"n":1.50}`)
		r := e.doInvalid("POST", "/v1/audit/events", adminToken, ev)
		if r.status != http.StatusCreated {
			t.Fatalf("a redacted number: status %d %s, want 201", r.status, r.body)
		}
	})
}

func TestABatchWithANumberTheLogCannotKeepStoresNothing(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		seq := e.lastSeq(t)
		before := e.countEvents()
		bad := validEvent()
		bad["metadata"] = json.RawMessage(`{"n":1e400}`)
		r := e.doInvalid("POST", "/v1/audit/events", adminToken, map[string]any{"events": []any{validEvent(), bad}})
		wantNumberNotExact(t, r, "events[1].metadata.n")
		if after := e.countEvents(); after != before {
			t.Errorf("a refused batch wrote %d rows", after-before)
		}

		// No seq was consumed: the next event takes the one after the last.
		r = e.do("POST", "/v1/audit/events", adminToken, map[string]any{"events": []any{validEvent()}})
		var out client.BatchReceipt
		r.json(t, &out)
		if r.status != http.StatusCreated || len(out.Events) != 1 || out.Events[0].Seq != seq+1 {
			t.Errorf("the next event: status %d %s, want 201 at seq %d", r.status, r.body, seq+1)
		}
	})
}

func TestAnInvariantResultWithANumberCanonicalJSONCannotKeepIsRefused(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg, withConfigFile(writeConfig(t, invariantsYAML)))
		for _, c := range []struct{ name, details, field string }{
			{"a number beyond the double range", `{"n":1e400}`, "details.n"},
			{"an integer past 2^53", `{"n":12345678901234567891}`, "details.n"},
			{"a nested number", `{"runs":[{"ms":0.12345678901234567891}]}`, "details.runs[0].ms"},
		} {
			t.Run(c.name, func(t *testing.T) {
				r := e.doInvalid("POST", "/v1/invariants/INV-BILLING-001/results", adminToken,
					`{"status":"pass","environment":"production","details":`+c.details+`}`)
				wantNumberNotExact(t, r, c.field)
			})
		}
		page, err := e.admin.InvariantHistory(e.ctx, "INV-BILLING-001", "", "", 0)
		if err != nil || len(page.Results) != 0 {
			t.Errorf("refused results left %+v (%v)", page, err)
		}

		r := e.do("POST", "/v1/invariants/INV-BILLING-001/results", adminToken,
			`{"status":"pass","environment":"production","details":{"token":12345678901234567891,"checked":1e3}}`)
		if r.status != http.StatusCreated {
			t.Errorf("a redacted number and an exact one: status %d %s, want 201", r.status, r.body)
		}
	})
}
