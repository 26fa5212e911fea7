package e2e

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/aeso-dev/aeso/internal/testdb"
)

// chromium starts one headless Debian Chromium for the calling test and
// returns a context its tabs are made from. The test is skipped when
// Chromium is not installed; .ci/run installs it and fails when a browser
// test was skipped.
func chromium(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("Chromium is not installed (apt-get install chromium); skipping the browser test")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.WindowSize(1280, 900))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("start Chromium: %v", err)
	}
	return ctx
}

// tab is one browser tab that records every console error and uncaught
// exception of its pages.
type tab struct {
	t    *testing.T
	ctx  context.Context
	base string
	mu   sync.Mutex
	errs []string
}

func newTab(t *testing.T, browserCtx context.Context, base string) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browserCtx)
	t.Cleanup(cancel)
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(cancelTimeout)
	tb := &tab{t: t, ctx: ctx, base: base}
	if err := chromedp.Listen(ctx, func(ev any) {
		var msg string
		switch e := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeAssert {
				msg = "console." + string(e.Type)
			}
		case *runtime.EventExceptionThrown:
			msg = "exception: " + e.ExceptionDetails.Text
		case *log.EventEntryAdded:
			if e.Entry.Level == log.EntryLevelError {
				msg = "log: " + e.Entry.Text + " " + e.Entry.URL
			}
		}
		if msg != "" {
			tb.mu.Lock()
			tb.errs = append(tb.errs, msg)
			tb.mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	return tb
}

// run runs steps, failing the test with what was being done.
func (tb *tab) run(what string, steps ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	if err := chromedp.Do(tb.ctx, steps...); err != nil {
		loc, _ := chromedp.Run(tb.ctx, chromedp.Location())
		tb.t.Fatalf("%s (at %s): %v", what, loc, err)
	}
}

// follow runs a step that loads a new page (a click on a link or a submit
// button) and waits until that page has loaded, then for the element sel.
func (tb *tab) follow(what string, step chromedp.Action[chromedp.Void], sel string) {
	tb.t.Helper()
	resp, err := chromedp.RunResponse(tb.ctx, step)
	if err != nil {
		tb.t.Fatalf("%s: %v", what, err)
	}
	if resp.Status != 200 {
		tb.t.Fatalf("%s: status %d at %s", what, resp.Status, resp.URL)
	}
	tb.run(what, chromedp.WaitVisible(chromedp.CSS(sel)))
}

// text returns the visible text of the first element matching sel.
func (tb *tab) text(sel string) string {
	tb.t.Helper()
	s, err := chromedp.Run(tb.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		tb.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// count returns how many elements match sel.
func (tb *tab) count(sel string) int {
	tb.t.Helper()
	n, err := chromedp.Run(tb.ctx, chromedp.Evaluate[int](fmt.Sprintf("document.querySelectorAll(%q).length", sel)))
	if err != nil {
		tb.t.Fatalf("count %s: %v", sel, err)
	}
	return n
}

func (tb *tab) location() string {
	tb.t.Helper()
	loc, err := chromedp.Run(tb.ctx, chromedp.Location())
	if err != nil {
		tb.t.Fatal(err)
	}
	return strings.TrimPrefix(loc, tb.base)
}

// clean fails the test if any page logged an error or threw.
func (tb *tab) clean() {
	tb.t.Helper()
	tb.mu.Lock()
	defer tb.mu.Unlock()
	for _, e := range tb.errs {
		tb.t.Errorf("browser console: %s", e)
	}
}

// An operator's journey in a real browser, on each database: sign in, follow
// the reason that blocks the posture to its row, filter the audit trail,
// pivot by correlation id, sign out.
func TestBrowserOperatorJourney(t *testing.T) {
	browserCtx := chromium(t)
	forEachDB(t, func(t *testing.T, e *env) {
		down := e.pushStatus("api", "down", "connection refused")
		for i := 0; i < 3; i++ {
			ev := validEvent()
			ev["correlation_id"] = "deploy-7"
			ev["target_id"] = fmt.Sprintf("key-%d", i)
			if r := e.do("POST", "/v1/audit/events", adminToken, ev); r.status != 201 {
				t.Fatalf("emit: %d %s", r.status, r.body)
			}
		}
		tb := newTab(t, browserCtx, e.main.URL())
		tb.run("open the console", chromedp.Navigate(e.main.URL()+"/"), chromedp.WaitVisible(chromedp.ID("token")))
		if loc := tb.location(); !strings.HasPrefix(loc, "/ui/signin") {
			t.Fatalf("without a session / led to %s", loc)
		}
		tb.follow("sign in", chromedp.Steps(chromedp.SendKeys(chromedp.ID("token"), adminToken),
			chromedp.Click(chromedp.CSS(`.signin button[type=submit]`))), "#level")
		if got := strings.ToLower(tb.text("#level")); !strings.Contains(got, "blocked") {
			t.Errorf("posture heading %q, want blocked", got)
		}
		if got := tb.text("table.reasons tbody tr"); !strings.Contains(got, "api (critical) reports down: connection refused") {
			t.Errorf("first reason %q", got)
		}
		tb.follow("follow the blocking reason", chromedp.Click(chromedp.CSS(`a[href="/ui/component-reports/`+down+`"]`)), "main h1")
		if got := tb.text("main"); !strings.Contains(got, "component_status:"+down) || !strings.Contains(got, "connection refused") {
			t.Errorf("the reason's row shows %q", got)
		}
		tb.follow("open the audit trail", chromedp.Click(chromedp.CSS(`nav a[href="/ui/audit"]`)), "#f-corr")
		tb.follow("filter by correlation id", chromedp.Steps(chromedp.SendKeys(chromedp.ID("f-corr"), "deploy-7"),
			chromedp.Click(chromedp.CSS(`.filters button[type=submit]`))), "table.events")
		if n := tb.count("td.summary"); n != 3 || tb.location() != "/ui/audit?correlation_id=deploy-7" {
			t.Errorf("filtered trail: %d rows at %s", n, tb.location())
		}
		tb.follow("open an event", chromedp.Click(chromedp.CSS("td.summary a")), ".pivots")
		if got := tb.text("h1"); !strings.Contains(got, "alice rotated API key") {
			t.Errorf("event heading %q", got)
		}
		tb.follow("pivot by correlation id", chromedp.Click(chromedp.CSS(`.pivots a[href="/ui/audit?correlation_id=deploy-7"]`)), "table.events")
		if n := tb.count("td.summary"); n != 3 {
			t.Errorf("the correlation pivot shows %d events, want 3", n)
		}
		tb.follow("sign out", chromedp.Click(chromedp.CSS(`.signout button`)), "#token")
		tb.follow("come back", chromedp.Navigate(e.main.URL()+"/ui/audit"), "#token")
		if loc := tb.location(); !strings.HasPrefix(loc, "/ui/signin") {
			t.Errorf("after sign-out /ui/audit led to %s", loc)
		}
		tb.clean()
	})
}

// forEachDB runs fn on a server with consoleYAML on each database.
func forEachDB(t *testing.T, fn func(t *testing.T, e *env)) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		fn(t, start(t, tg, withConfigFile(writeConfig(t, consoleYAML))))
	})
}
