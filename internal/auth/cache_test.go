package auth_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/audit"
	"github.com/aeso-dev/aeso/internal/auth"
	"github.com/aeso-dev/aeso/internal/store"
	"github.com/aeso-dev/aeso/internal/testdb"
	"github.com/google/uuid"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// countingStore is the real store, counting the token reads that reach it.
type countingStore struct {
	*store.DB
	reads atomic.Int64
}

func (s *countingStore) TokenByHash(ctx context.Context, hash string) (*auth.Token, error) {
	s.reads.Add(1)
	return s.DB.TokenByHash(ctx, hash)
}

// replica is one process's view of a shared database: its own connection
// pool and its own token service, as each aeso replica has.
type replica struct {
	db  *countingStore
	svc *auth.Service
}

func newReplica(t *testing.T, tg testdb.Target, clk *fakeClock, maxCached int) *replica {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, store.Options{URL: tg.URL, DataDir: tg.DataDir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	reg, err := audit.NewRegistry(audit.BuiltinActions())
	if err != nil {
		t.Fatal(err)
	}
	newID := func() string { return uuid.Must(uuid.NewV7()).String() }
	cs := &countingStore{DB: db}
	auditSvc := &audit.Service{Store: db, Registry: reg, Now: clk.now, NewID: newID}
	return &replica{db: cs, svc: &auth.Service{Store: cs, Audit: auditSvc, Now: clk.now, NewID: newID, MaxCachedTokens: maxCached}}
}

var admin = &auth.Principal{Name: "admin", Scopes: []string{auth.ScopeAdmin}}

func (r *replica) mint(t *testing.T, req auth.CreateRequest) (string, *auth.Token) {
	t.Helper()
	secret, tok, err := r.svc.Create(context.Background(), admin, audit.Origin{Source: "admin"}, req)
	if err != nil {
		t.Fatal(err)
	}
	return secret, tok
}

func (r *replica) accepts(t *testing.T, secret string) bool {
	t.Helper()
	p, err := r.svc.Authenticate(context.Background(), secret)
	switch {
	case err == nil && p != nil:
		return true
	case aeso.ErrorCode(err) == aeso.EUNAUTHORIZED:
		return false
	}
	t.Fatalf("authenticate: %v", err)
	return false
}

func reader() auth.CreateRequest {
	return auth.CreateRequest{Principal: "reader", Scopes: []string{auth.ScopeAuditRead}}
}

func TestAVerifiedTokenIsAnsweredFromMemory(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		clk := &fakeClock{t: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)}
		r := newReplica(t, tg, clk, 0)
		secret, tok := r.mint(t, reader())
		for i := 0; i < 100; i++ {
			if !r.accepts(t, secret) {
				t.Fatal("a fresh token was refused")
			}
		}
		if n := r.db.reads.Load(); n != 1 {
			t.Errorf("100 uses within a second read the token %d times, want 1", n)
		}
		// Past the bound the database is asked again.
		clk.advance(auth.MaxCacheAge)
		if !r.accepts(t, secret) || r.db.reads.Load() != 2 {
			t.Errorf("after %v: reads %d, want 2", auth.MaxCacheAge, r.db.reads.Load())
		}
		p, err := r.svc.Authenticate(context.Background(), secret)
		if err != nil || p.TokenID != tok.ID || p.Name != "reader" || !p.Has(auth.ScopeAuditRead) || p.Has(auth.ScopeAuditWrite) {
			t.Errorf("cached principal %+v %v", p, err)
		}
	})
}

func TestUnknownTokensDoNotFillTheCache(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		clk := &fakeClock{t: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)}
		r := newReplica(t, tg, clk, 3)
		secret, _ := r.mint(t, reader())
		if !r.accepts(t, secret) {
			t.Fatal("a fresh token was refused")
		}
		for i := 0; i < 500; i++ {
			fake, err := auth.NewSecret()
			if err != nil {
				t.Fatal(err)
			}
			if r.accepts(t, fake) {
				t.Fatal("a made-up token was accepted")
			}
		}
		if n := r.svc.CachedTokens(); n != 1 {
			t.Errorf("after a flood of made-up tokens the cache holds %d, want 1", n)
		}
		before := r.db.reads.Load()
		if !r.accepts(t, secret) || r.db.reads.Load() != before {
			t.Errorf("the real token was pushed out by made-up ones: %d reads, want %d", r.db.reads.Load(), before)
		}
		// Real tokens past the bound replace each other; the size holds.
		for i := 0; i < 5; i++ {
			s, _ := r.mint(t, reader())
			if !r.accepts(t, s) {
				t.Fatal("a fresh token was refused")
			}
			if n := r.svc.CachedTokens(); n > 3 {
				t.Fatalf("the cache holds %d tokens, bound 3", n)
			}
		}
	})
}

func TestAnExpiredTokenIsRefusedAtOnceEvenWhenCached(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		clk := &fakeClock{t: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)}
		r := newReplica(t, tg, clk, 0)
		req := reader()
		expires := clk.now().Add(300 * time.Millisecond)
		req.ExpiresAt = &expires
		secret, _ := r.mint(t, req)
		if !r.accepts(t, secret) {
			t.Fatal("a fresh token was refused")
		}
		clk.advance(299 * time.Millisecond)
		if !r.accepts(t, secret) {
			t.Fatal("refused before its expiry")
		}
		// Still well within the cache's bound, but expired.
		clk.advance(time.Millisecond)
		if r.accepts(t, secret) {
			t.Error("an expired token was accepted from the cache")
		}
		if n := r.db.reads.Load(); n != 1 {
			t.Errorf("reads %d, want 1: the refusal comes from the cached expiry", n)
		}
	})
}

func TestARevocationHereTakesEffectAtOnce(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		clk := &fakeClock{t: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)}
		r := newReplica(t, tg, clk, 0)
		secret, tok := r.mint(t, reader())
		if !r.accepts(t, secret) {
			t.Fatal("a fresh token was refused")
		}
		if _, err := r.svc.Revoke(context.Background(), admin, audit.Origin{Source: "admin"}, tok.ID); err != nil {
			t.Fatal(err)
		}
		if r.accepts(t, secret) {
			t.Error("a token revoked through this service was accepted from its cache")
		}
	})
}

func TestARevocationElsewhereTakesEffectWithinTheBound(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		clk := &fakeClock{t: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)}
		a, b := newReplica(t, tg, clk, 0), newReplica(t, tg, clk, 0)
		secret, tok := a.mint(t, reader())
		if !a.accepts(t, secret) || !b.accepts(t, secret) {
			t.Fatal("a fresh token was refused")
		}
		clk.advance(400 * time.Millisecond)
		if !b.accepts(t, secret) {
			t.Fatal("refused before the revocation")
		}
		if _, err := a.svc.Revoke(context.Background(), admin, audit.Origin{Source: "admin"}, tok.ID); err != nil {
			t.Fatal(err)
		}
		revoked := clk.now()
		if a.accepts(t, secret) {
			t.Error("the replica that revoked it still accepts it")
		}
		// Poll the other replica as the clock moves on, up to a deadline
		// well past the bound.
		const step = 50 * time.Millisecond
		for b.accepts(t, secret) {
			if clk.now().Sub(revoked) > 3*auth.MaxCacheAge {
				t.Fatalf("the other replica still accepts the token %v after its revocation", clk.now().Sub(revoked))
			}
			clk.advance(step)
		}
		if late := clk.now().Sub(revoked); late > auth.MaxCacheAge {
			t.Errorf("the other replica refused the token %v after its revocation, bound %v", late, auth.MaxCacheAge)
		}
	})
}
