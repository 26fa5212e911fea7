package deps

import "testing"

func TestPreferred(t *testing.T) {
	if got := Preferred("de-CH, en;q=0.5"); got != "de-CH" {
		t.Errorf("Preferred = %q", got)
	}
}
