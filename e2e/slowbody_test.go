package e2e

import (
	"bufio"
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
