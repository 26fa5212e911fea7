package server

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/aeso-dev/aeso/internal/paging"
)

// history describes a paged history listing: the query parameters it
// filters by besides limit and cursor, and its default and greatest page
// size.
type history struct {
	filters  []string
	def, max int
}

// serveHistory answers one page of a history: the parameters checked
// (nothing unknown, a limit in range, a cursor one of our listings handed
// out), a page read by list, each item shaped by item and the page by
// pageOf, the listing's wire type.
func serveHistory[T, J, P any](s *Server, w http.ResponseWriter, r *http.Request, h history,
	list func(q url.Values, cursor string, limit int) ([]T, string, error), item func(T) J,
	pageOf func(items []J, next *string) P) {
	q := r.URL.Query()
	if err := onlyParams(q, slices.Concat(h.filters, []string{"limit", "cursor"})...); err != nil {
		s.writeError(w, r, err)
		return
	}
	limit, cursor, err := pageParams(q, h.def, h.max)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	items, next, err := list(q, cursor, limit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := make([]J, len(items))
	for i, it := range items {
		out[i] = item(it)
	}
	s.writeJSON(w, r, http.StatusOK, pageOf(out, nextCursor(next)))
}

// pageParams reads the limit and cursor of a history listing. A cursor
// that is not one a listing handed out is refused rather than quietly
// answered with the first page; the service reads it again, but checking
// it here refuses it with the other parameters, before any name in the
// path is looked up.
func pageParams(q url.Values, def, max int) (int, string, error) {
	limit, err := limitParam(q, def, max)
	if err != nil {
		return 0, "", err
	}
	cursor := q.Get("cursor")
	if _, err := paging.CheckID(cursor); err != nil {
		return 0, "", err
	}
	return limit, cursor, nil
}

// nextCursor is a listing's next_cursor: null on the last page.
func nextCursor(next string) *string {
	if next == "" {
		return nil
	}
	return &next
}
