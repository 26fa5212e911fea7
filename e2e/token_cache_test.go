package e2e

import (
	"testing"
	"time"

	"github.com/aeso-dev/aeso/internal/auth"
	"github.com/aeso-dev/aeso/internal/testdb"
)

// Two servers on one database, as two replicas: each keeps verified tokens
// in memory for at most auth.MaxCacheAge, so a token revoked through one is
// refused by the other within that bound, and by the one at once.
func TestATokenRevokedOnOneReplicaIsRefusedByTheOtherWithinASecond(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		clk := &clock{}
		one := start(t, tg, withClock(clk))
		other := start(t, tg, withClock(clk))
		secret := one.newToken("reader", "audit:read")
		for _, e := range []*env{one, other, one, other} {
			if r := e.do("GET", "/v1/audit/actions", secret, nil); r.status != 200 {
				t.Fatalf("a fresh token: %d %s", r.status, r.body)
			}
		}
		tokens, err := one.admin.ListTokens(one.ctx)
		if err != nil {
			t.Fatal(err)
		}
		id := ""
		for _, tok := range tokens {
			if tok.Principal == "reader" {
				id = tok.ID
			}
		}
		if _, err := one.admin.RevokeToken(one.ctx, id); err != nil {
			t.Fatal(err)
		}
		revoked := clk.now()
		if r := one.do("GET", "/v1/audit/actions", secret, nil); r.status != 401 {
			t.Errorf("the replica that revoked the token answered %d, want 401 at once", r.status)
		}
		// Poll the other replica while the clock moves on; every answer it
		// still accepts must come less than the bound after the revocation.
		var lastAccepted time.Duration
		for {
			at := clk.now().Sub(revoked)
			if at > 5*auth.MaxCacheAge {
				t.Fatalf("the other replica still accepts the token %v after its revocation", at)
			}
			r := other.do("GET", "/v1/audit/actions", secret, nil)
			if r.status == 401 {
				break
			}
			if r.status != 200 {
				t.Fatalf("the other replica answered %d %s", r.status, r.body)
			}
			lastAccepted = at
			clk.advance(20 * time.Millisecond)
		}
		if lastAccepted >= auth.MaxCacheAge {
			t.Errorf("the other replica accepted the token %v after its revocation, bound %v", lastAccepted, auth.MaxCacheAge)
		}
		t.Logf("last accepted %v after the revocation", lastAccepted)
	})
}
