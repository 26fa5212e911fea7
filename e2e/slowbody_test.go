package e2e

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aeso-dev/aeso/internal/testdb"
)

// TestARefusedRequestIsAnsweredBeforeItsBodyArrives: a request without a
// valid token is refused at once, even while its body is still being
// sent a byte at a time, and the connection is closed; it does not hold
// the connection until the read timeout.
func TestARefusedRequestIsAnsweredBeforeItsBodyArrives(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		addr := strings.TrimPrefix(e.main.URL(), "http://")
		for _, c := range []struct{ name, auth string }{
			{"no token", ""},
			{"a wrong token", "Authorization: Bearer aeso_not-a-token\r\n"},
		} {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			head := "POST /v1/audit/events HTTP/1.1\r\nHost: " + addr + "\r\nContent-Type: application/json\r\n" +
				c.auth + "Content-Length: 1000\r\n\r\n{"
			if _, err := conn.Write([]byte(head)); err != nil {
				t.Fatal(err)
			}
			// 995 bytes are never sent; the answer must not wait for them.
			if err := conn.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
				t.Fatal(err)
			}
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatalf("%s: no answer while the body is unsent: %v", c.name, err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized || !resp.Close {
				t.Errorf("%s: %d, close %v; want 401 and the connection closed", c.name, resp.StatusCode, resp.Close)
			}
		}
	})
}

// TestACompressedBodyIsRefusedAsUnsupported: aeso reads bodies as sent, so
// a body with a Content-Encoding (compressed, or only marked so) is
// refused with 415 rather than read as malformed JSON or stored as sent.
func TestACompressedBodyIsRefusedAsUnsupported(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		before := e.countEvents()
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		if _, err := zw.Write([]byte(`{"actor_user_id":"alice","action":"app.deploy","result":"success","occurred_at":"2026-12-01T10:00:00Z"}`)); err != nil {
			t.Fatal(err)
		}
		zw.Close()
		for _, c := range []struct {
			name, encoding string
			body           []byte
		}{
			{"a gzip body", "gzip", gz.Bytes()},
			{"a plain body marked br", "br", []byte(`{"actor_user_id":"alice","action":"app.deploy","result":"success","occurred_at":"2026-12-01T10:00:00Z"}`)},
		} {
			req, err := http.NewRequest("POST", e.main.URL()+"/v1/audit/events", bytes.NewReader(c.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+adminToken)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Content-Encoding", c.encoding)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			data, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnsupportedMediaType || !strings.Contains(string(data), `"unsupported_media_type"`) {
				t.Errorf("%s: %d %s; want 415 unsupported_media_type", c.name, resp.StatusCode, data)
			}
		}
		if n := e.countEvents() - before; n != 0 {
			t.Errorf("%d events stored; want none", n)
		}
	})
}
