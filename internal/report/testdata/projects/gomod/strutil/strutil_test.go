package strutil

import "testing"

func TestShout(t *testing.T) {
	if got := Shout("hi"); got != "HI!" {
		t.Errorf("Shout = %q", got)
	}
}

func TestShoutEmpty(t *testing.T) {
	for _, s := range []string{"", "a"} {
		t.Run("len"+string(rune('0'+len(s))), func(t *testing.T) {
			if got := Shout(s); len(got) != len(s)+1 {
				t.Errorf("Shout(%q) = %q", s, got)
			}
		})
	}
}
