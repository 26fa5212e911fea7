package aeso

import "testing"

func TestUnsafeText(t *testing.T) {
	for _, c := range []struct {
		s         string
		multiline bool
		unsafe    bool
	}{
		{"api@v1.4.2", false, false},
		{"Zoë's release — ok ✓ 日本", false, false},
		{"two\nlines", false, true},
		{"two\nlines\tand a tab\r\n", true, false},
		{"esc \x1b[31m red", true, true},
		{"nul \x00", true, true},
		{"del \x7f", false, true},
		{"c1 \u0085", true, true},
		{"rlo \u202e txt.exe", true, true},
		{"isolate \u2066x\u2069", false, true},
		{"mark \u200f in a right-to-left name", false, false},
		{"embedding \u202b", false, true},
		{"line \u2028 separator", true, true},
		{"paragraph \u2029", true, true},
	} {
		if got := UnsafeText(c.s, c.multiline); got != c.unsafe {
			t.Errorf("UnsafeText(%q, %v) = %v, want %v", c.s, c.multiline, got, c.unsafe)
		}
	}
}
