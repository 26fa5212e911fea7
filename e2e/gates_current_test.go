package e2e

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/aeso-dev/aeso/internal/testdb"
	"github.com/aeso-dev/aeso/wire"
)

// A stored gate result keeps the verdict it was given, and every read of
// it says whether that verdict still holds (its "current"), judged as the
// posture judges it: a pipeline or an operator reading the latest result
// of a subject must not see a pass that a since-expired waiver made.

// readResults reads the release gate's stored results for subject every
// way the API serves one: the latest, by id, in the history, by ref.
func (w *world) readResults(subject string) map[string]wire.GateResult {
	w.t.Helper()
	out := map[string]wire.GateResult{}
	var latest wire.GateResult
	w.e.do("GET", "/v1/gates/release/results/latest?subject="+url.QueryEscape(subject), adminToken, nil).json(w.t, &latest)
	out["latest"] = latest
	var byID wire.GateResult
	w.e.do("GET", "/v1/gates/release/results/"+latest.ID, adminToken, nil).json(w.t, &byID)
	out["by id"] = byID
	var page wire.GateResultPage
	w.e.do("GET", "/v1/gates/release/results?limit=1&subject="+url.QueryEscape(subject), adminToken, nil).json(w.t, &page)
	if len(page.Results) != 1 {
		w.t.Fatalf("history: %+v", page)
	}
	out["history"] = page.Results[0]
	var ref struct {
		Object wire.GateResult `json:"object"`
	}
	w.e.do("GET", "/v1/refs/gate_result:"+latest.ID, adminToken, nil).json(w.t, &ref)
	out["ref"] = ref.Object
	return out
}

// current checks that every read of subject's latest result has verdict
// and says now (and only) what notes hold, each a part of one note.
func (w *world) current(subject, verdict, now string, notes ...string) {
	w.t.Helper()
	for how, res := range w.readResults(subject) {
		c := res.Current
		if res.Verdict != verdict || c == nil || c.Verdict != now || len(c.Notes) != len(notes) {
			w.t.Errorf("%s: verdict %s, current %+v; want %s, now %s with %d notes", how, res.Verdict, c, verdict, now, len(notes))
			continue
		}
		for i, n := range notes {
			if !strings.Contains(c.Notes[i], n) {
				w.t.Errorf("%s: note %q, want it to say %q", how, c.Notes[i], n)
			}
		}
		if d := c.At.Sub(w.clk.now()); d < -time.Minute || d > time.Minute {
			w.t.Errorf("%s: judged at %s, not now (%s)", how, c.At, w.now())
		}
	}
}

func TestAStoredResultSaysWhetherItStillHolds(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		w := newWorld(t, tg)
		w.healthy()
		w.guard("policy", "blocking", 2)
		w.evaluate("release", "api@v1")
		w.current("api@v1", "block", "block")

		// A waiver given after the block excuses it now, as in the
		// posture; the stored block stays what it was.
		wv, err := w.e.admin.WaiveGateRule(w.e.ctx, "release", "guards", "api@v1", "CVE fix ships Friday", w.now().Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		w.current("api@v1", "block", "pass", "rule guards would block and is now waived by waiver "+wv.ID)

		// Evaluated with the waiver: a pass that holds while it does.
		w.evaluate("release", "api@v1")
		w.current("api@v1", "pass", "pass")

		// Expired, the stored pass no longer holds: every read says so,
		// the console too, and the posture agrees.
		w.advance(time.Hour + time.Second)
		w.current("api@v1", "pass", "block", "rule guards counts as block again: waiver "+wv.ID+" is no longer in force")
		if st := w.status(); st.Posture != "blocked" {
			t.Errorf("posture after expiry: %s", summary(st))
		}
		b := w.e.browser()
		b.mustSignIn(adminToken)
		wants(t, "the gate page", b.get("/ui/gates/release"), 200,
			`Now <span class="badge o-block">block</span></strong>: this pass no longer holds`,
			"rule guards counts as block again: waiver "+wv.ID+" is no longer in force")
		wants(t, "the gate list", b.get("/ui/gates"), 200, "1 evaluated", `<span class="badge o-block">1 blocked</span>`)
		wants(t, "the rule page", b.get("/ui/gates/release/rules/guards"), 200,
			`<span class="badge o-waived">waived</span><br>now <span class="badge o-block">block</span>`)
		_, history, _ := strings.Cut(b.get("/ui/gates/release").body, `id="history-h"`)
		if row := (&page{body: history}).row("api@v1</td>"); !strings.Contains(row, `<span class="badge o-pass">pass</span></td>
  <td><span class="badge o-block">block</span></td>`) {
			t.Errorf("the history row says nothing of now: %s", row)
		}
		id := w.readResults("api@v1")["latest"].ID
		wants(t, "the result page", b.get("/ui/gate-results/"+id), 200, "this pass no longer holds")

		// A new evaluation is judged now and needs no second opinion.
		r := w.e.do("POST", "/v1/gates/release/evaluate", adminToken, map[string]string{"subject": "api@v1"})
		var fresh wire.GateResult
		r.json(t, &fresh)
		if r.status != 201 || fresh.Verdict != "block" || fresh.Current != nil {
			t.Errorf("evaluation: %d %+v", r.status, fresh)
		}
		w.current("api@v1", "block", "block")
		if p := b.get("/ui/gates/release"); strings.Contains(p.body, "no longer holds") {
			t.Errorf("the gate page still says a result no longer holds: %s", p.row("api@v1"))
		}
	})
}

func TestAPassUnderOldRulesIsUnknownUntilEvaluatedAgain(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		v1, v2 := releaseOnAPI, releaseOnAPIAndEvidence
		e := start(t, tg, withConfigFile(writeConfig(t, v1)))
		if r := e.do("POST", "/v1/components/api/status", adminToken, `{"status":"healthy"}`); r.status != 201 {
			t.Fatalf("api: %d %s", r.status, r.body)
		}
		passed := e.evaluate(t, "api@v1")
		e.stop()
		e2 := startAgain(t, e, withConfigFile(writeConfig(t, v2)))
		var latest wire.GateResult
		e2.do("GET", "/v1/gates/release/results/latest?subject=api@v1", adminToken, nil).json(t, &latest)
		c := latest.Current
		if latest.Verdict != "pass" || c == nil || c.Verdict != "unknown" || len(c.Notes) != 1 ||
			!strings.Contains(c.Notes[0], "rules changed since ("+latest.RulesetVersion) || !strings.HasSuffix(c.Notes[0], "evaluate it again") {
			t.Errorf("a pass under v1 read under v2: %+v %+v (evaluated %+v)", latest, c, passed)
		}
		b := e2.browser()
		b.mustSignIn(adminToken)
		wants(t, "the gate list", b.get("/ui/gates"), 200, `<span class="badge o-unknown">1 to evaluate again</span>`)
		wants(t, "the rule page", b.get("/ui/gates/release/rules/components"), 200, "rules changed since: evaluate again")
		// A block under old rules stays a block.
		if res := e2.evaluate(t, "api@v1"); res.Verdict != "block" {
			t.Fatalf("under v2 there is no release evidence: %+v", res)
		}
		e2.stop()
		e3 := startAgain(t, e2, withConfigFile(writeConfig(t, v1)))
		e3.do("GET", "/v1/gates/release/results/latest?subject=api@v1", adminToken, nil).json(t, &latest)
		if c := latest.Current; latest.Verdict != "block" || c == nil || c.Verdict != "block" || len(c.Notes) != 1 ||
			!strings.HasPrefix(c.Notes[0], "the gate's rules changed since") {
			t.Errorf("a block under v2 read under v1: %+v %+v", latest, c)
		}
	})
}

// A waiver excuses a rule as it stood when it was given. Once the config
// changes that rule (here: the guards it reads), the waiver excuses
// nothing, in evaluations, the posture and every read of it; a change to
// another rule of the gate leaves it in force. A waiver given before rule
// versions were kept applies until it expires.
func TestAWaiverDoesNotOutliveTheRuleItExcuses(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		gates := func(components, guards string) string {
			return componentsYAML + `gates:
  - name: release
    affects_posture: true
    rules:
      - {components: [` + components + `]}
      - {guards: ` + guards + `}
`
		}
		v1, v2, v3 := gates("api", "blocking"), gates("api, worker", "blocking"), gates("api, worker", "[policy]")
		e := start(t, tg, withConfigFile(writeConfig(t, v1)))
		report := func(e *env) {
			t.Helper()
			for _, c := range []string{"api", "worker"} {
				if r := e.do("POST", "/v1/components/"+c+"/status", adminToken, `{"status":"healthy"}`); r.status != 201 {
					t.Fatalf("%s: %d %s", c, r.status, r.body)
				}
			}
		}
		report(e)
		if r := e.do("POST", "/v1/guards/policy/reports", adminToken,
			`{"subject":"api@v1","mode":"blocking","findings":[{"rule_id":"R1","severity":"high"}]}`); r.status != 201 {
			t.Fatalf("guard report: %d %s", r.status, r.body)
		}
		wv, err := e.admin.WaiveGateRule(e.ctx, "release", "guards", "api@v1", "the fix ships Friday", time.Now().Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if wv.RuleVersion == "" || !wv.Active || wv.RuleChanged {
			t.Fatalf("a new waiver: %+v", wv)
		}
		posture := func(e *env) string {
			var st struct{ Posture string }
			e.do("GET", "/v1/status", adminToken, nil).json(t, &st)
			return st.Posture
		}
		waiver := func(e *env) wire.Waiver {
			var got wire.Waiver
			e.do("GET", "/v1/gates/release/waivers/"+wv.ID, adminToken, nil).json(t, &got)
			return got
		}
		if res := e.evaluate(t, "api@v1"); outcomes(res) != "pass: components=pass, guards=waived" || posture(e) != "healthy" {
			t.Fatalf("under v1 with the waiver: %s, posture %s", outcomes(res), posture(e))
		}

		// Another rule changes: the waiver still holds.
		e.stop()
		e2 := startAgain(t, e, withConfigFile(writeConfig(t, v2)))
		report(e2)
		if got := waiver(e2); !got.Active || got.RuleChanged {
			t.Errorf("under v2: %+v", got)
		}
		if res := e2.evaluate(t, "api@v1"); outcomes(res) != "pass: components=pass, guards=waived" || posture(e2) != "healthy" {
			t.Errorf("under v2: %s, posture %s", outcomes(res), posture(e2))
		}

		// The waived rule changes: the waiver is void everywhere.
		e2.stop()
		e3 := startAgain(t, e2, withConfigFile(writeConfig(t, v3)))
		report(e3)
		if got := waiver(e3); got.Active || !got.RuleChanged || got.RuleVersion != wv.RuleVersion {
			t.Errorf("under v3: %+v", got)
		}
		var latest wire.GateResult
		e3.do("GET", "/v1/gates/release/results/latest?subject=api@v1", adminToken, nil).json(t, &latest)
		if c := latest.Current; latest.Verdict != "pass" || c == nil || c.Verdict != "block" {
			t.Errorf("the v2 pass read under v3: %+v %+v", latest, c)
		}
		if p := posture(e3); p != "blocked" {
			t.Errorf("posture under v3 before an evaluation: %s", p)
		}
		if res := e3.evaluate(t, "api@v1"); outcomes(res) != "block: components=pass, guards=block" || posture(e3) != "blocked" {
			t.Errorf("under v3: %s, posture %s", outcomes(res), posture(e3))
		}
		b := e3.browser()
		b.mustSignIn(adminToken)
		wants(t, "the waiver page", b.get("/ui/waivers/"+wv.ID), 200, "the config has changed or removed the rule")
		wants(t, "the gate page", b.get("/ui/gates/release"), 200, "void: the rule changed")

		// A waiver stored before rule versions were kept has none, and
		// applies until it expires.
		if err := e3.main.DB.Exec(e3.ctx, `INSERT INTO platform_gate_waivers (id, gate, rule, subject, reason, created_by, created_at, expires_at)
			SELECT '`+uuid.NewString()+`', gate, rule, subject, reason, created_by, created_at, expires_at FROM platform_gate_waivers WHERE id = '`+wv.ID+`'`); err != nil {
			t.Fatal(err)
		}
		if res := e3.evaluate(t, "api@v1"); outcomes(res) != "pass: components=pass, guards=waived" {
			t.Errorf("with a waiver of no rule version: %s", outcomes(res))
		}
	})
}

// A waiver given after the config changed a rule excuses the rule as it
// stands now, not a block judged under the rule as it stood: the stored
// block stays a block in every read and in the posture until the gate is
// evaluated again, when the waiver applies.
func TestAWaiverGivenAfterARuleChangeDoesNotExcuseAnOlderBlock(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		gates := func(guards string) string {
			return `gates:
  - name: release
    affects_posture: true
    rules:
      - {guards: [` + guards + `]}
`
		}
		e := start(t, tg, withConfigFile(writeConfig(t, gates("policy"))))
		if r := e.do("POST", "/v1/guards/policy/reports", adminToken,
			`{"subject":"api@v1","mode":"blocking","findings":[{"rule_id":"R1","severity":"high"}]}`); r.status != 201 {
			t.Fatalf("guard report: %d %s", r.status, r.body)
		}
		if res := e.evaluate(t, "api@v1"); outcomes(res) != "block: guards=block" {
			t.Fatalf("under the first rules: %s", outcomes(res))
		}
		e.stop()
		e2 := startAgain(t, e, withConfigFile(writeConfig(t, gates("policy, trivy"))))
		if _, err := e2.admin.WaiveGateRule(e2.ctx, "release", "guards", "api@v1", "trivy is rolling out", time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		var latest wire.GateResult
		e2.do("GET", "/v1/gates/release/results/latest?subject=api@v1", adminToken, nil).json(t, &latest)
		if c := latest.Current; latest.Verdict != "block" || c == nil || c.Verdict != "block" {
			t.Errorf("the block read after the rule changed and a waiver was given: %+v %+v", latest, c)
		}
		var st struct {
			Posture string
			Reasons []struct{ Message string }
		}
		e2.do("GET", "/v1/status", adminToken, nil).json(t, &st)
		if st.Posture != "blocked" {
			t.Errorf("posture: %+v, want blocked by the stored block", st)
		}
		for _, r := range st.Reasons {
			if strings.Contains(r.Message, "passed") {
				t.Errorf("the posture says of a block that it passed: %s", r.Message)
			}
		}
		if res := e2.evaluate(t, "api@v1"); outcomes(res) != "pass: guards=waived" {
			t.Errorf("evaluated under the new rules with the waiver: %s", outcomes(res))
		}
	})
}
