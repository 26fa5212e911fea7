package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/aeso-dev/aeso/client"
	"github.com/aeso-dev/aeso/internal/testdb"
)

func TestBundleListingFiltersAndPages(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		start := time.Now().UTC().Add(-time.Second)
		var ids []string
		for i := 0; i < 7; i++ {
			kind := []string{"release", "security"}[i%2]
			b, err := e.admin.CreateBundle(e.ctx, client.BundleRequest{
				Kind: kind, Subject: client.Subject{Name: []string{"api", "web"}[i%3%2], Ref: fmt.Sprint("v", i)},
				Title: fmt.Sprint("b", i), Labels: map[string]string{"team": []string{"pay", "core"}[i%2], "n": fmt.Sprint(i)},
			})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, b.ID)
		}
		for _, i := range []int{0, 2} {
			if _, err := e.admin.SealBundle(e.ctx, ids[i]); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := e.admin.PromoteBundle(e.ctx, ids[2], "prod", "ok"); err != nil {
			t.Fatal(err)
		}
		titles := func(q client.BundleQuery) string {
			t.Helper()
			page, err := e.admin.ListBundles(e.ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, b := range page.Bundles {
				out = append(out, b.Title)
			}
			return fmt.Sprint(out)
		}
		for _, tc := range []struct {
			name string
			q    client.BundleQuery
			want string
		}{
			{"everything comes newest first", client.BundleQuery{}, "[b6 b5 b4 b3 b2 b1 b0]"},
			{"by kind", client.BundleQuery{Kind: "security"}, "[b5 b3 b1]"},
			{"by subject", client.BundleQuery{Subject: "web"}, "[b4 b1]"},
			{"by subject and ref", client.BundleQuery{Subject: "web", Ref: "v4"}, "[b4]"},
			{"sealed and not promoted", client.BundleQuery{State: "sealed"}, "[b0]"},
			{"promoted", client.BundleQuery{State: "promoted"}, "[b2]"},
			{"open", client.BundleQuery{State: "open"}, "[b6 b5 b4 b3 b1]"},
			{"by stage", client.BundleQuery{Stage: "prod"}, "[b2]"},
			{"by two labels", client.BundleQuery{Labels: map[string]string{"team": "pay", "n": "4"}}, "[b4]"},
			{"by creation time", client.BundleQuery{Since: start, Until: time.Now().Add(time.Hour)}, "[b6 b5 b4 b3 b2 b1 b0]"},
			{"nothing before the start", client.BundleQuery{Until: start}, "[]"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if got := titles(tc.q); got != tc.want {
					t.Errorf("got %s, want %s", got, tc.want)
				}
			})
		}
		// Keyset pages of three: every bundle once, in order.
		var paged []string
		q := client.BundleQuery{Limit: 3}
		for pages := 0; ; pages++ {
			page, err := e.admin.ListBundles(e.ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			for _, b := range page.Bundles {
				paged = append(paged, b.Title)
			}
			if page.NextCursor == nil || pages > 5 {
				break
			}
			q.Cursor = *page.NextCursor
		}
		if fmt.Sprint(paged) != "[b6 b5 b4 b3 b2 b1 b0]" {
			t.Errorf("pages gave %v", paged)
		}
		for query, field := range map[string]string{
			"kind=misc": "kind", "state=final": "state", "limit=0": "limit", "label=novalue": "label",
			"cursor=x": "cursor", "since=yesterday": "since", "colour=red": "colour",
		} {
			r := e.doInvalid("GET", "/v1/evidence/bundles?"+query, adminToken, nil)
			if p := r.problem(t); r.status != 400 || len(p.Errors) != 1 || p.Errors[0].Field != field {
				t.Errorf("%s: %d %+v", query, r.status, p.Errors)
			}
		}
		if r := e.doInvalid("GET", "/v1/evidence/bundles/latest?kind=release", adminToken, nil); r.status != 400 {
			t.Errorf("latest without a subject: %d", r.status)
		}
	})
}
