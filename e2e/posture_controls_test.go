package e2e

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aeso-dev/aeso/client"
	"github.com/aeso-dev/aeso/internal/testdb"
)

// The controls an operator has over the posture: a dry run that leaves no
// trace, a withdrawal that takes an abandoned subject out, and waivers
// that excuse in the posture what they excuse in a gate, and no longer.

// resultCount counts the release gate's recorded results for subject.
func (w *world) resultCount(subject string) int {
	w.t.Helper()
	r := w.e.do("GET", "/v1/gates/release/results?limit=500&subject="+url.QueryEscape(subject), adminToken, nil)
	if r.status != 200 {
		w.t.Fatalf("results: %d %s", r.status, r.body)
	}
	var page struct {
		Results []json.RawMessage `json:"results"`
	}
	r.json(w.t, &page)
	return len(page.Results)
}

func TestADryRunRecordsNothingAndJudgesTheSame(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		w := newWorld(t, tg)
		w.healthy()
		before := summary(w.status())
		events, results := w.e.countEvents(), w.resultCount("web@v2")

		// web@v2 has no sealed evidence: the gate blocks it.
		dry, err := w.e.admin.DryRunGate(w.e.ctx, "release", "web@v2", "pipeline-7")
		if err != nil {
			t.Fatal(err)
		}
		if dry.Recorded || dry.ID != "" || dry.Verdict != "block" {
			t.Errorf("dry run: recorded %v, id %q, verdict %s", dry.Recorded, dry.ID, dry.Verdict)
		}
		if got := w.e.countEvents(); got != events {
			t.Errorf("a dry run wrote %d audit events", got-events)
		}
		if got := w.resultCount("web@v2"); got != results {
			t.Errorf("a dry run stored %d gate results", got-results)
		}
		if after := summary(w.status()); after != before {
			t.Errorf("a dry run moved the posture:\n%s\nwas\n%s", after, before)
		}

		rec, err := w.e.admin.EvaluateGate(w.e.ctx, "release", "web@v2", "pipeline-7")
		if err != nil {
			t.Fatal(err)
		}
		if !rec.Recorded || rec.ID == "" {
			t.Errorf("recorded evaluation: recorded %v, id %q", rec.Recorded, rec.ID)
		}
		dj, _ := json.Marshal(dry.Reasons)
		rj, _ := json.Marshal(rec.Reasons)
		if rec.Verdict != dry.Verdict || rec.InputsDigest != dry.InputsDigest || string(dj) != string(rj) {
			t.Errorf("the dry run judged otherwise:\ndry %s %s %s\nrec %s %s %s", dry.Verdict, dry.InputsDigest, dj,
				rec.Verdict, rec.InputsDigest, rj)
		}
		if got := w.e.countEvents(); got != events+1 {
			t.Errorf("a recorded evaluation wrote %d audit events, want 1", got-events)
		}

		// A dry run is an evaluation: it needs gates:write.
		reader := w.e.newToken("viewer", "status:read")
		if r := w.e.do("POST", "/v1/gates/release/evaluate?dry_run=true", reader, `{"subject":"web@v2"}`); r.status != 403 {
			t.Errorf("dry run with status:read: %d", r.status)
		}
		// Anything but true or false is refused, a bare ?dry_run too: read
		// as false it would record what was meant as a dry run.
		evBefore := w.e.countEvents()
		for _, q := range []string{"dry_run=yes", "dry_run", "dry_run=", "dry_run=TRUE"} {
			r := w.e.doInvalid("POST", "/v1/gates/release/evaluate?"+q, adminToken, `{"subject":"web@v2"}`)
			if p := r.problem(t); r.status != 400 || len(p.Errors) != 1 || p.Errors[0].Field != "dry_run" || p.Errors[0].Code != "format" {
				t.Errorf("?%s: %d %+v", q, r.status, p.Errors)
			}
		}
		if got := w.e.countEvents(); got != evBefore {
			t.Errorf("refused evaluations wrote %d audit events", got-evBefore)
		}
		if r := w.e.do("POST", "/v1/gates/nope/evaluate?dry_run=true", adminToken, `{"subject":"web@v2"}`); r.status != 404 || r.problem(t).Code != "unknown_gate" {
			t.Errorf("dry run of an unknown gate: %d", r.status)
		}
	})
}

func TestAWithdrawnSubjectLeavesThePostureUntilItIsEvaluatedAgain(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		w := newWorld(t, tg)
		w.healthy()
		w.seal("shop", "v2.0.2")
		w.evaluate("release", "shop@v2.0.2")
		// The old release is checked again: it has no evidence, so it blocks
		// and, being the newest result for shop, blocks the platform.
		w.clk.advance(time.Second)
		w.evaluate("release", "shop@v2.0.1")
		if got, want := summary(w.status()), "blocked\nblocked gate gate_result: gate release blocked shop@v2.0.1 at T (evidence-security)"; got != want {
			t.Fatalf("after the recheck:\n%s", got)
		}

		for name, tc := range map[string]struct {
			path, body string
			status     int
			code       string
		}{
			"no reason":      {"/v1/gates/release/withdrawals", `{"subject":"shop@v2.0.1"}`, 400, "validation_failed"},
			"a blank reason": {"/v1/gates/release/withdrawals", `{"subject":"shop@v2.0.1","reason":"  "}`, 400, "validation_failed"},
			"no subject":     {"/v1/gates/release/withdrawals", `{"reason":"abandoned"}`, 400, "validation_failed"},
			"an unknown gate": {"/v1/gates/nope/withdrawals", `{"subject":"shop@v2.0.1","reason":"abandoned"}`,
				404, "unknown_gate"},
			"a subject never evaluated": {"/v1/gates/release/withdrawals", `{"subject":"shop@v9","reason":"abandoned"}`,
				404, "no_gate_result"},
		} {
			send := w.e.do
			if tc.status == 400 {
				send = w.e.doInvalid // a missing field breaks the document on purpose
			}
			r := send("POST", tc.path, adminToken, tc.body)
			if p := r.problem(t); r.status != tc.status || p.Code != tc.code {
				t.Errorf("%s: %d %s", name, r.status, r.body)
			} else if tc.status == 400 && (len(p.Errors) != 1 || !strings.Contains(name, p.Errors[0].Field)) {
				t.Errorf("%s: fields %+v", name, p.Errors)
			}
		}
		for _, scope := range []string{"status:read", "gates:write"} {
			tok := w.e.newToken("viewer", scope)
			if r := w.e.do("POST", "/v1/gates/release/withdrawals", tok, `{"subject":"shop@v2.0.1","reason":"abandoned"}`); r.status != 403 {
				t.Errorf("withdraw with %s: %d", scope, r.status)
			}
		}
		events := w.e.countEvents()

		wd, err := w.e.admin.WithdrawSubject(w.e.ctx, "release", "shop@v2.0.1", "rechecked by mistake; v2.0.2 is live")
		if err != nil {
			t.Fatal(err)
		}
		if wd.Verdict != "block" || wd.ResultID == "" || wd.WithdrawnBy == "" {
			t.Errorf("withdrawal: %+v", wd)
		}
		if got := w.e.countEvents(); got != events+1 {
			t.Errorf("a withdrawal wrote %d audit events, want 1", got-events)
		}
		page, err := w.e.admin.ListEvents(w.e.ctx, client.ListOptions{Action: "aeso.gate.withdraw"})
		if err != nil || len(page.Events) != 1 {
			t.Fatalf("the withdrawal in the audit trail: %+v %v", page, err)
		}
		ev := page.Events[0]
		var md map[string]string
		_ = json.Unmarshal(ev.Metadata, &md)
		if ev.ActorServiceAccountID != wd.WithdrawnBy || ev.TargetID != "release" || ev.Presentation.ActionCategory != "Platform" ||
			md["reason"] != "rechecked by mistake; v2.0.2 is live" || md["subject"] != "shop@v2.0.1" || md["result_id"] != wd.ResultID {
			t.Errorf("audit event: actor %q target %q category %q metadata %v", ev.ActorServiceAccountID, ev.TargetID,
				ev.Presentation.ActionCategory, md)
		}

		// The platform is healthy again, and says why the result is ignored.
		want := "healthy\nhealthy gate gate_withdrawal: gate release result for shop@v2.0.1 (block at T) was withdrawn by " +
			wd.WithdrawnBy + " at T: rechecked by mistake; v2.0.2 is live"
		if got := summary(w.status()); got != want {
			t.Errorf("after the withdrawal:\n%s\nwant\n%s", got, want)
		}
		if r := w.e.do("POST", "/v1/gates/release/withdrawals", adminToken, `{"subject":"shop@v2.0.1","reason":"again"}`); r.status != 409 || r.problem(t).Code != "already_withdrawn" {
			t.Errorf("withdrawing twice: %d %s", r.status, r.body)
		}
		list, err := w.e.admin.GateWithdrawals(w.e.ctx, "release", "shop@v2.0.1")
		if err != nil || len(list) != 1 || list[0].ID != wd.ID {
			t.Errorf("withdrawals listed: %+v %v", list, err)
		}
		if r := w.e.do("GET", "/v1/gates/nope/withdrawals", adminToken, nil); r.status != 404 {
			t.Errorf("withdrawals of an unknown gate: %d", r.status)
		}

		// A dry run changes nothing; a recorded evaluation counts again.
		if _, err := w.e.admin.DryRunGate(w.e.ctx, "release", "shop@v2.0.1", ""); err != nil {
			t.Fatal(err)
		}
		if got := summary(w.status()); got != want {
			t.Errorf("after a dry run:\n%s", got)
		}
		w.clk.advance(time.Second)
		w.evaluate("release", "shop@v2.0.1")
		if got, want := summary(w.status()), "blocked\nblocked gate gate_result: gate release blocked shop@v2.0.1 at T (evidence-security)"; got != want {
			t.Errorf("evaluated again:\n%s", got)
		}
	})
}

// A withdrawal takes its subject out of the posture and nothing else: the
// block of another version of the same name, hidden while the withdrawn
// result was the newest, counts again; an older result of the withdrawn
// subject does not come back.
func TestAWithdrawalDoesNotHideAnotherVersionsBlock(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		w := newWorld(t, tg)
		w.healthy()
		w.evaluate("release", "shop@v2.0.2") // no evidence for it: blocks
		w.clk.advance(time.Second)
		w.evaluate("release", "shop@v2.0.1")
		w.clk.advance(time.Second)
		w.evaluate("release", "shop@v2.0.1")
		wd, err := w.e.admin.WithdrawSubject(w.e.ctx, "release", "shop@v2.0.1", "rechecked by mistake")
		if err != nil {
			t.Fatal(err)
		}
		want := "blocked\n" +
			"blocked gate gate_result: gate release blocked shop@v2.0.2 at T (evidence-security)\n" +
			"healthy gate gate_withdrawal: gate release result for shop@v2.0.1 (block at T) was withdrawn by " +
			wd.WithdrawnBy + " at T: rechecked by mistake"
		if got := summary(w.status()); got != want {
			t.Errorf("after withdrawing v2.0.1:\n%s\nwant\n%s", got, want)
		}
		// The subject's latest result is withdrawn already; a newer version
		// of the name does not make the withdrawal a different one.
		if r := w.e.do("POST", "/v1/gates/release/withdrawals", adminToken, `{"subject":"shop@v2.0.1","reason":"again"}`); r.status != 409 || r.problem(t).Code != "already_withdrawn" {
			t.Errorf("withdrawing v2.0.1 twice: %d %s", r.status, r.body)
		}
		if _, err := w.e.admin.WithdrawSubject(w.e.ctx, "release", "shop@v2.0.2", "abandoned"); err != nil {
			t.Fatal(err)
		}
		if got := summary(w.status()); !strings.HasPrefix(got, "healthy\n") || strings.Contains(got, "blocked") {
			t.Errorf("after withdrawing both versions:\n%s", got)
		}
	})
}

// A withdrawn subject's guard reports leave the posture with it: the
// blocking scan of the abandoned release no longer blocks, and the scan of
// the live version, hidden while the withdrawn one was newer, counts again.
func TestAWithdrawnSubjectsGuardReportsDoNotCount(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		w := newWorld(t, tg)
		w.healthy()
		w.seal("shop", "v2.0.2")
		w.evaluate("release", "shop@v2.0.2")
		w.guardFor("policy", "shop@v2.0.2", "blocking", 1)
		w.clk.advance(time.Second)
		w.evaluate("release", "shop@v2.0.1")
		w.guardFor("policy", "shop@v2.0.1", "blocking", 2)
		if got, want := summary(w.status()), "blocked\n"+
			"blocked gate gate_result: gate release blocked shop@v2.0.1 at T (evidence-security)\n"+
			"blocked guard guard_report: guard policy (blocking) has 2 open findings for shop@v2.0.1: 2 high"; got != want {
			t.Fatalf("before the withdrawal:\n%s\nwant\n%s", got, want)
		}
		wd, err := w.e.admin.WithdrawSubject(w.e.ctx, "release", "shop@v2.0.1", "rechecked by mistake")
		if err != nil {
			t.Fatal(err)
		}
		by := " was withdrawn by " + wd.WithdrawnBy + " at T: rechecked by mistake"
		want := "blocked\n" +
			"blocked guard guard_report: guard policy (blocking) has 1 open finding for shop@v2.0.2: 1 high\n" +
			"healthy gate gate_withdrawal: gate release result for shop@v2.0.1 (block at T)" + by + "\n" +
			"healthy guard gate_withdrawal: guard policy (blocking) has 2 open findings for shop@v2.0.1: 2 high: does not count, shop@v2.0.1 from gate release" + by
		st := w.status()
		if got := summary(st); got != want {
			t.Errorf("after the withdrawal:\n%s\nwant\n%s", got, want)
		}
		for _, r := range st.Reasons {
			if r.Source == "guard" && r.Level == "healthy" && r.Ref != "gate_withdrawal:"+wd.ID {
				t.Errorf("the withdrawn guard report names %s, want the withdrawal %s", r.Ref, wd.ID)
			}
		}
		// Evaluated again, the subject and its guard reports count again.
		w.clk.advance(time.Second)
		w.evaluate("release", "shop@v2.0.1")
		if got := summary(w.status()); !strings.Contains(got, "blocked guard guard_report: guard policy (blocking) has 2 open findings for shop@v2.0.1") {
			t.Errorf("evaluated again:\n%s", got)
		}
	})
}

func TestAWaivedGuardDoesNotBlockThePostureUntilTheWaiverExpires(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		w := newWorld(t, tg)
		w.healthy()
		w.guard("policy", "blocking", 2)
		w.evaluate("release", "api@v1")
		blocked := "blocked\n" +
			"blocked gate gate_result: gate release blocked api@v1 at T (guards)\n" +
			"blocked guard guard_report: guard policy (blocking) has 2 open findings for api@v1: 2 high"
		if got := summary(w.status()); got != blocked {
			t.Fatalf("before the waiver:\n%s", got)
		}

		// A waiver given after the evaluation excuses the stored block too:
		// the posture asks the waivers in force now.
		wv, err := w.e.admin.WaiveGateRule(w.e.ctx, "release", "guards", "api@v1", "CVE fix ships Friday", w.now().Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		until := " until T by " + wv.CreatedBy + ": CVE fix ships Friday"
		want := "healthy\n" +
			"healthy gate waiver: gate release would block api@v1 on rule guards: waived for gate release rule guards" + until + "\n" +
			"healthy guard waiver: guard policy (blocking) has 2 open findings for api@v1: 2 high: waived for gate release rule guards" + until
		st := w.status()
		if got := summary(st); got != want {
			t.Errorf("with the waiver:\n%s\nwant\n%s", got, want)
		}
		for _, r := range st.Reasons {
			if r.Ref != "waiver:"+wv.ID || !strings.Contains(r.Message, wv.ExpiresAt.UTC().Format(time.RFC3339)) {
				t.Errorf("a waived reason names %s and %q, want waiver %s until %s", r.Ref, r.Message, wv.ID, wv.ExpiresAt)
			}
		}
		// The gate judges the same: a new evaluation passes, waived.
		res := w.e.evaluate(t, "api@v1")
		if outcomes(res) != "pass: evidence-security=pass, guards=waived" {
			t.Errorf("evaluation with the waiver: %s", outcomes(res))
		}
		if got := summary(w.status()); got != want {
			t.Errorf("with a waived result:\n%s", got)
		}

		// Expired, it excuses nothing, in the posture as in the gate, for
		// the result recorded while it held too.
		w.advance(time.Hour + time.Second)
		lapsed := "blocked\n" +
			"blocked gate gate_result: gate release passed api@v1 at T under a waiver no longer in force: it blocks now (guards)\n" +
			"blocked guard guard_report: guard policy (blocking) has 2 open findings for api@v1: 2 high"
		if got := summary(w.status()); got != lapsed {
			t.Errorf("after expiry:\n%s\nwant\n%s", got, lapsed)
		}
		if res := w.e.evaluate(t, "api@v1"); outcomes(res) != "block: evidence-security=pass, guards=block" {
			t.Errorf("evaluation after expiry: %s", outcomes(res))
		}
	})
}

// waive excuses a rule of the release gate for subject for an hour.
func (w *world) waive(rule, subject, reason string) {
	w.t.Helper()
	w.post("/v1/gates/release/waivers", fmt.Sprintf(`{"rule":%q,"subject":%q,"reason":%q,"expires_at":%q}`,
		rule, subject, reason, w.now().Add(time.Hour).Format(time.RFC3339Nano)), 201)
}

func TestPostureWaivers(t *testing.T) {
	t.Parallel()
	const by = "(required by gate release rule evidence-security)"
	runPostureCases(t, []postureCase{
		{"old evidence waived for its subject is healthy, and says so", func(w *world) {
			w.healthy()
			w.advance(168*time.Hour + time.Second)
			w.waive("evidence-security", "api@v1", "scan rerun in OPS-12")
		}, []string{"healthy", "healthy evidence waiver: the newest security evidence (api@v1) was sealed at T, past max_age 168h " + by +
			", would be degraded: waived for gate release rule evidence-security until T by admin: scan rerun in OPS-12"}},
		{"a waiver for another subject excuses nothing", func(w *world) {
			w.healthy()
			w.advance(168*time.Hour + time.Second)
			w.waive("evidence-security", "api@v2", "scan rerun in OPS-12")
		}, []string{"degraded", "degraded evidence bundle: the newest security evidence (api@v1) was sealed at T, past max_age 168h " + by}},
		{"a waiver of another rule excuses nothing", func(w *world) {
			w.healthy()
			w.guard("policy", "blocking", 1)
			w.waive("evidence-security", "api@v1", "not this one")
		}, []string{"blocked", "blocked guard guard_report: guard policy (blocking) has 1 open finding for api@v1: 1 high"}},
	})
}
