package audit

import "testing"

func TestFallbackLabelsReadAsText(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"credentials.api_key.rotate": "Credentials API key rotate",
		"fleet.node_pool.drain":      "Fleet node pool drain",
		"ci.job.retry":               "CI job retry",
		"api_key":                    "API key",
		"":                           "",
	} {
		if got := humanize(in); got != want {
			t.Errorf("humanize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSafeDetailsAreCutOnARuneBoundary(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		n        int
		want     string
	}{
		{"a short value stays whole", "deploy", 10, "deploy"},
		{"ASCII is cut and marked", "abcdefghij", 8, "abcde…"},
		{"a multi-byte rune is never split", "ééééé", 8, "éé…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := truncate(tt.in, tt.n); got != tt.want || len(got) > tt.n {
				t.Errorf("truncate(%q, %d) = %q (%d bytes), want %q", tt.in, tt.n, got, len(got), tt.want)
			}
		})
	}
}
