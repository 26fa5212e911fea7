package slow

import "testing"

func TestQuick(t *testing.T) {}

func TestHangs(t *testing.T) {
	t.Log("waiting for a channel nobody closes")
	Wait(make(chan struct{}))
}
