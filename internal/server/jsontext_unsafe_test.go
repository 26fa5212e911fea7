package server

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aeso-dev/aeso"
)

// BenchmarkCheckJSONText is the text check of a batch of 1000 events, as
// a client's encoder writes it (< and & escaped as \u003c and \u0026).
func BenchmarkCheckJSONText(b *testing.B) {
	events := make([]map[string]any, 1000)
	for i := range events {
		events[i] = map[string]any{"action": "app.deploy", "actor_user_id": "u-42", "result": "success",
			"occurred_at": "2026-12-03T10:00:00Z", "target_type": "service", "target_id": "api",
			"metadata": map[string]any{"note": "deploy <v1.4.2> & rollout – 10% … done", "region": "eu-west-1"}}
	}
	body, err := json.Marshal(map[string]any{"events": events})
	if err != nil {
		b.Fatal(err)
	}
	if !strings.Contains(string(body), `\u003c`) {
		b.Fatal("the body holds no escape")
	}
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if err := checkJSONText(body); err != nil {
			b.Fatal(err)
		}
	}
}

// Every code point UnsafeText refuses is refused whether the body holds it
// raw or escaped, and every other one is let through: the quick look
// misses none of them.
func TestCheckJSONTextRefusesEveryUnsafeCharacter(t *testing.T) {
	t.Parallel()
	for r := rune(1); r < 0x3000; r++ {
		if r == '"' || r == '\\' || r >= 0xd800 && r <= 0xdfff {
			continue
		}
		escaped := fmt.Sprintf(`{"a":["x\u%04xy"]}`, r)
		bodies := []string{escaped}
		if r >= 0x20 {
			bodies = append(bodies, `{"a":["x`+string(r)+`y"]}`)
		}
		unsafe := aeso.UnsafeText(string(r), true)
		for _, body := range bodies {
			err := checkJSONText([]byte(body))
			switch {
			case unsafe && (err == nil || !strings.Contains(err.Error(), "request is invalid")):
				t.Errorf("U+%04X in %s: %v, want control_character", r, body, err)
			case !unsafe && err != nil:
				t.Errorf("U+%04X in %s: %v, want nothing", r, body, err)
			}
		}
	}
}
