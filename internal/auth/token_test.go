package auth

import (
	"math/rand/v2"
	"testing"

	"github.com/aeso-dev/aeso/internal/redact"
)

// Every value aeso takes as a token is a secret to its redaction, in any
// text: the generated ones and those an operator sets (AESO_ADMIN_TOKEN),
// which may hold '-' and '_' anywhere.
func TestEveryWellFormedTokenLooksSecret(t *testing.T) {
	t.Parallel()
	alphabet := base62 + "_-"
	rng := rand.New(rand.NewPCG(1, 2))
	tokens := []string{"aeso_Zq3-x_9LmPp2_Rt7Vb4-Nc8Kd1_Wf6Hg5-Ty0Qa", "aeso_--------------------", "aeso_a_b_c_d_e_f_g_h_i_j_"}
	for range 2000 {
		b := []byte(Prefix)
		for range 20 + rng.IntN(60) {
			b = append(b, alphabet[rng.IntN(len(alphabet))])
		}
		tokens = append(tokens, string(b))
	}
	for _, tok := range tokens {
		if !WellFormed(tok) {
			t.Fatalf("%q is not well formed", tok)
		}
		for _, text := range []string{tok, "sent " + tok + " by mistake", `{"note":"` + tok + `"}`} {
			if !redact.ValueLooksSecret(text) {
				t.Errorf("ValueLooksSecret(%q) = false", text)
			}
		}
	}
}
