package e2e

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aeso-dev/aeso/client"
	"github.com/aeso-dev/aeso/internal/audit"
)

// outageWriter keeps writing while the database goes away, and remembers
// what it was told, so the test can check afterwards that each write is
// all there or not there at all.
type outageWriter struct {
	e      *env
	c      *client.Client
	prefix string

	mu      sync.Mutex
	batches map[string]bool // correlation id → acknowledged
	bundles map[string]bool // bundle id → seal acknowledged
	ok      int
	failed  int
}

const outageBatch = 10

func newOutageWriter(e *env, c *client.Client, prefix string) *outageWriter {
	return &outageWriter{e: e, c: c, prefix: prefix, batches: map[string]bool{}, bundles: map[string]bool{}}
}

// run writes until stop is closed: a batch of events, then a bundle with
// an item, sealed (the seal and its audit event are one transaction).
func (w *outageWriter) run(ctx context.Context, stop <-chan struct{}) error {
	for i := 0; ; i++ {
		select {
		case <-stop:
			return nil
		default:
		}
		corr := fmt.Sprintf("%s-%d", w.prefix, i)
		ins := make([]client.EventInput, outageBatch)
		for k := range ins {
			ins[k] = client.EventInput{ActorUserID: "alice", Action: "deploy.release.start", TargetType: "service",
				TargetID: "api", Result: "success", CorrelationID: corr, OccurredAt: time.Now().UTC().Format(time.RFC3339Nano)}
		}
		_, err := w.c.EmitEvents(ctx, ins)
		if err := w.note(err); err != nil {
			return err
		}
		w.mu.Lock()
		w.batches[corr] = err == nil
		w.mu.Unlock()

		b, err := w.c.CreateBundle(ctx, client.BundleRequest{Kind: "smoke", Subject: client.Subject{Name: "api", Ref: corr}, Title: corr})
		if err := w.note(err); err != nil || b.ID == "" {
			if err != nil {
				return err
			}
			continue
		}
		w.mu.Lock()
		w.bundles[b.ID] = false
		w.mu.Unlock()
		_, err = w.c.AddItem(ctx, b.ID, client.ItemRequest{Type: "check", Name: "health", Result: "pass", Counts: client.Counts{Total: 1, Passed: 1}})
		if err := w.note(err); err != nil {
			return err
		}
		_, err = w.c.SealBundle(ctx, b.ID)
		if err := w.note(err); err != nil {
			return err
		}
		w.mu.Lock()
		w.bundles[b.ID] = err == nil
		w.mu.Unlock()
	}
}

// note counts an outcome: success or 503 unavailable. Anything else (a
// 500, a conflict, a lost connection) ends the run as a failure.
func (w *outageWriter) note(err error) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	var ce *client.Error
	switch {
	case err == nil:
		w.ok++
		return nil
	case errors.As(err, &ce) && ce.Status == http.StatusServiceUnavailable && ce.Code == "unavailable":
		w.failed++
		return nil
	}
	return fmt.Errorf("a write during the outage: %w", err)
}

func (w *outageWriter) counts() (ok, failed int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.ok, w.failed
}

// checkWhole asserts that every acknowledged write is stored whole and
// every refused one is stored whole or not at all: no batch in part, no
// sealed bundle without its seal event or the other way round.
func (w *outageWriter) checkWhole(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	for corr, acked := range w.batches {
		page, err := w.c.ListEvents(ctx, client.ListOptions{CorrelationID: corr, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		n := len(page.Events)
		if (acked && n != outageBatch) || (n != 0 && n != outageBatch) {
			t.Errorf("batch %s (acknowledged %v) has %d of its %d events", corr, acked, n, outageBatch)
		}
	}
	for id, acked := range w.bundles {
		b, err := w.c.GetBundle(ctx, id, 0)
		if err != nil {
			t.Fatal(err)
		}
		page, err := w.c.ListEvents(ctx, client.ListOptions{Action: audit.ActionEvidenceSeal, TargetID: id, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		sealed := b.State == "sealed"
		if (acked && !sealed) || sealed != (len(page.Events) == 1) || len(page.Events) > 1 {
			t.Errorf("bundle %s: state %s, seal acknowledged %v, %d seal events", id, b.State, acked, len(page.Events))
		}
	}
}
