package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/aeso-dev/aeso/internal/audit"
)

// stored is what the reference listing needs of an event.
type stored struct {
	audit.Event
	words []string // of the search document, as both databases split it
}

// allEvents reads every event with a plain scan, for a reference listing
// computed in Go.
func allEvents(t *testing.T, db *DB) []stored {
	t.Helper()
	rows, err := db.read.QueryContext(context.Background(), `SELECT seq, actor_user_id, actor_service_account_id,
		actor_role, action, target_type, target_id, result, correlation_id, occurred_at, metadata FROM audit_logs ORDER BY seq DESC`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []stored
	for rows.Next() {
		var e stored
		var at dbTime
		var md string
		if err := rows.Scan(&e.Seq, &e.ActorUserID, &e.ActorServiceAccountID, &e.ActorRole, &e.Action, &e.TargetType,
			&e.TargetID, &e.Result, &e.CorrelationID, &at, &md); err != nil {
			t.Fatal(err)
		}
		e.OccurredAt = at.Time
		doc := strings.Join([]string{e.ActorUserID, e.ActorServiceAccountID, e.ActorRole, e.Action, e.TargetType,
			e.TargetID, e.CorrelationID, strings.ReplaceAll(md, "[REDACTED]", " ")}, " ")
		e.words = strings.FieldsFunc(strings.ToLower(doc), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// matches is the meaning of a filter, written plainly.
func matches(e stored, f audit.Filter) bool {
	eq := func(want, got string) bool { return want == "" || want == got }
	ok := eq(f.ActorUserID, e.ActorUserID) && eq(f.ActorServiceAccountID, e.ActorServiceAccountID) &&
		eq(f.Action, e.Action) && eq(f.TargetType, e.TargetType) && eq(f.TargetID, e.TargetID) &&
		eq(f.Result, e.Result) && eq(f.CorrelationID, e.CorrelationID) &&
		strings.HasPrefix(e.Action, f.ActionPrefix) &&
		(f.Actions == nil || slices.Contains(f.Actions, e.Action)) && !slices.Contains(f.ExcludeActions, e.Action) &&
		(f.Since.IsZero() || !e.OccurredAt.Before(f.Since)) && (f.Until.IsZero() || e.OccurredAt.Before(f.Until)) &&
		(f.BeforeSeq == 0 || e.Seq < f.BeforeSeq)
	for _, term := range f.Search {
		found := false
		for i := 0; !found && i+len(term) <= len(e.words); i++ {
			found = slices.Equal(e.words[i:i+len(term)], term)
		}
		ok = ok && found
	}
	return ok
}

// checkListings compares ListEvents with the plain reference for every
// filter and window of the plan test, on its first and second page.
func checkListings(t *testing.T, db *DB, filters []audit.Filter) {
	t.Helper()
	all := allEvents(t, db)
	if len(all) != planEvents {
		t.Fatalf("%d events stored, want %d", len(all), planEvents)
	}
	for _, f := range filters {
		var want []int64
		for _, e := range all {
			if len(want) < f.Limit && matches(e, f) {
				want = append(want, e.Seq)
			}
		}
		events, err := db.ListEvents(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		got := make([]int64, len(events))
		for i, e := range events {
			got[i] = e.Seq
		}
		if !slices.Equal(got, want) {
			t.Errorf("%+v:\n got %d events %v\nwant %d events %v", f, len(got), head(got), len(want), head(want))
		}
	}
}

func head(s []int64) string {
	if len(s) > 8 {
		return fmt.Sprint(s[:8], "…")
	}
	return fmt.Sprint(s)
}
