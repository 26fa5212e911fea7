package e2e

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/aeso-dev/aeso/client"
	"github.com/aeso-dev/aeso/internal/testdb"
)

func TestShutdownDrainsARequestInFlight(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		body, err := json.Marshal(validEvent())
		if err != nil {
			t.Fatal(err)
		}
		// The body arrives in two halves; shutdown starts in between, while
		// the handler is still reading.
		pr, pw := io.Pipe()
		req, err := http.NewRequest("POST", e.main.URL()+"/v1/audit/events", pr)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+adminToken)
		req.Header.Set("Content-Type", "application/json")
		req.ContentLength = int64(len(body))
		answered := make(chan *http.Response, 1)
		failed := make(chan error, 1)
		go func() {
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				failed <- err
				return
			}
			answered <- resp
		}()
		if _, err := pw.Write(body[:len(body)/2]); err != nil {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond) // the server is now inside the handler
		stopped := make(chan error, 1)
		e.stopped = true
		go func() { stopped <- e.main.Shutdown(context.Background()) }()
		select {
		case err := <-stopped:
			t.Fatalf("shutdown returned (%v) while a request was in flight", err)
		case <-time.After(200 * time.Millisecond):
		}
		if _, err := pw.Write(body[len(body)/2:]); err != nil {
			t.Fatal(err)
		}
		pw.Close()
		var resp *http.Response
		select {
		case resp = <-answered:
		case err := <-failed:
			t.Fatalf("the request in flight failed: %v", err)
		}
		var ev client.Event
		err = json.NewDecoder(resp.Body).Decode(&ev)
		resp.Body.Close()
		if resp.StatusCode != 201 || err != nil {
			t.Fatalf("the request in flight answered %d (%v)", resp.StatusCode, err)
		}
		if err := <-stopped; err != nil {
			t.Fatalf("shutdown: %v", err)
		}
		// The event answered 201 is there after a restart.
		again := startAgain(t, e)
		got, err := again.admin.GetEvent(again.ctx, ev.ID)
		if err != nil || got.Seq != ev.Seq {
			t.Errorf("after restart: %+v %v", got, err)
		}
	})
}
