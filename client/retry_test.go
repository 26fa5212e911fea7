package client

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// A call that is retried says so once, with the first failure, and then
// answers as the server finally does.
func TestARetriedCallSaysWhyOnce(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if calls.Add(1) <= 3 {
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte(`{"status":503,"code":"unavailable","detail":"the database is unavailable"}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"posture":"healthy","reasons":[]}`))
	}))
	t.Cleanup(srv.Close)
	c := New(srv.URL, "token")
	c.RetryFor = 30 * time.Second
	var told []string
	c.OnRetry = func(err error) { told = append(told, err.Error()) }
	st, err := c.Status(context.Background())
	if err != nil || st.Posture != "healthy" {
		t.Fatalf("status: %+v %v", st, err)
	}
	if n := calls.Load(); n != 4 {
		t.Errorf("%d calls, want 4", n)
	}
	if len(told) != 1 || !strings.Contains(told[0], "the database is unavailable") {
		t.Errorf("told %q, want the first failure once", told)
	}
}
