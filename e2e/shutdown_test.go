package e2e

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
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
		// The server is inside the handler once its metrics count the
		// request beside the scrape that reads them.
		for inFlight(t, e) < 2 {
			select {
			case err := <-failed:
				t.Fatalf("the request in flight failed: %v", err)
			case <-time.After(5 * time.Millisecond):
			}
		}
		stopped := make(chan error, 1)
		e.stopped = true
		go func() { stopped <- e.main.Shutdown(context.Background()) }()
		// Shutdown first closes the listener; from then on it waits for the
		// request, whose body is still half sent.
		addr := strings.TrimPrefix(e.main.URL(), "http://")
		for {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				break
			}
			conn.Close()
			time.Sleep(5 * time.Millisecond)
		}
		select {
		case err := <-stopped:
			t.Fatalf("shutdown returned (%v) while a request was in flight", err)
		default:
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

// inFlight reads aeso_http_requests_in_flight from the server's metrics.
func inFlight(t *testing.T, e *env) int {
	t.Helper()
	for _, line := range strings.Split(e.metrics(t, http.DefaultClient), "\n") {
		if v, ok := strings.CutPrefix(line, "aeso_http_requests_in_flight "); ok {
			n, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("aeso_http_requests_in_flight %q: %v", v, err)
			}
			return int(n)
		}
	}
	t.Fatal("the metrics have no aeso_http_requests_in_flight")
	return 0
}
