package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/auth"
	"github.com/aeso-dev/aeso/internal/console"
	"github.com/aeso-dev/aeso/internal/testdb"
	"github.com/google/uuid"
)

func TestConsoleSessionsEndOnceAndAreClearedAtTheNextSignIn(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		ctx := context.Background()
		db := open(t, tg)
		tok := &auth.Token{ID: uuid.Must(uuid.NewV7()).String(), Principal: "ops", Scopes: []string{"status:read"},
			Hash: "token-hash", CreatedAt: t0, CreatedBy: "test"}
		if err := db.CreateToken(ctx, tok, event(0)); err != nil {
			t.Fatal(err)
		}
		session := func(hash string, at time.Time, i int) *console.Session {
			s := &console.Session{ID: uuid.Must(uuid.NewV7()).String(), TokenID: tok.ID, Principal: "ops",
				CreatedAt: at, LastSeenAt: at, ExpiresAt: at.Add(time.Hour)}
			if err := db.CreateConsoleSession(ctx, s, hash, event(i)); err != nil {
				t.Fatal(err)
			}
			return s
		}
		ended := session("secret-1", t0, 1)
		session("secret-2", t0, 2) // expires at t0+1h, never ended
		got, err := db.ConsoleSession(ctx, "secret-1")
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != ended.ID || got.TokenHash != "token-hash" || got.Principal != "ops" || !got.ExpiresAt.Equal(t0.Add(time.Hour)) || got.EndedAt != nil {
			t.Errorf("session read back as %+v", got)
		}
		if err := db.TouchConsoleSession(ctx, ended.ID, t0.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		for i, want := range []bool{true, false} {
			did, err := db.EndConsoleSession(ctx, ended.ID, t0.Add(2*time.Minute), event(3+i))
			if err != nil || did != want {
				t.Errorf("end #%d: %v, %v; want %v", i+1, did, err, want)
			}
		}
		if n := count(t, db); n != 4 {
			t.Errorf("%d events; want the token's, two sign-ins' and one sign-out's", n)
		}
		got, err = db.ConsoleSession(ctx, "secret-1")
		if err != nil || got.EndedAt == nil || !got.EndedAt.Equal(t0.Add(2*time.Minute)) || !got.LastSeenAt.Equal(t0.Add(time.Minute)) {
			t.Errorf("ended session: %+v, %v", got, err)
		}
		session("secret-3", t0.Add(2*time.Hour), 5)
		for _, hash := range []string{"secret-1", "secret-2"} {
			if _, err := db.ConsoleSession(ctx, hash); aeso.ErrorCode(err) != aeso.ENOTFOUND {
				t.Errorf("%s after a later sign-in: %v, want not found", hash, err)
			}
		}
		if _, err := db.ConsoleSession(ctx, "secret-3"); err != nil {
			t.Errorf("the new session: %v", err)
		}
	})
}
