package console

import "testing"

// An id put in a link's path cannot name another path: escaped, and no
// link at all for "." or "..", which escaping leaves as they are.
func TestLinkFromKeepsTheIdInItsPlace(t *testing.T) {
	t.Parallel()
	const path = "https://logs.example/requests/{request_id}/view"
	for _, tc := range []struct{ id, want string }{
		{"01a2-b", "https://logs.example/requests/01a2-b/view"},
		{"a/b?c#d", "https://logs.example/requests/a%2Fb%3Fc%23d/view"},
		{"a..b", "https://logs.example/requests/a..b/view"},
		{"..", ""},
		{".", ""},
		{"...", ""},
		{"", ""},
	} {
		if got := linkFrom(path, "{request_id}", tc.id); got != tc.want {
			t.Errorf("%q: %q, want %q", tc.id, got, tc.want)
		}
	}
}
