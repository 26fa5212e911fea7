package auth

import (
	"math/rand/v2"
	"testing"

	"github.com/aeso-dev/aeso/internal/redact"
)

// Every token aeso takes is a secret to its redaction, in any text: the
// generated ones, and those an operator sets as AESO_ADMIN_TOKEN, which may
// hold '-' and '_' anywhere. Lowercase words, which redaction cannot tell
// from a name such as aeso_http_requests_total, are refused as a token.
func TestEveryTokenInUseLooksSecret(t *testing.T) {
	t.Parallel()
	looksSecret := func(tok string) {
		t.Helper()
		for _, text := range []string{tok, "sent " + tok + " by mistake", `{"note":"` + tok + `"}`} {
			if !redact.ValueLooksSecret(text) {
				t.Errorf("ValueLooksSecret(%q) = false", text)
			}
		}
	}
	for range 500 {
		secret, err := NewSecret()
		if err != nil {
			t.Fatal(err)
		}
		if !WellFormed(secret) || checkAdminToken(secret) != nil {
			t.Fatalf("a generated token %q is refused", secret)
		}
		looksSecret(secret)
	}
	alphabet := base62 + "_-"
	rng := rand.New(rand.NewPCG(1, 2))
	set := []string{"aeso_Zq3-x_9LmPp2_Rt7Vb4-Nc8Kd1_Wf6Hg5-Ty0Qa", "aeso_--------------------"}
	for range 2000 {
		b := []byte(Prefix)
		for range 20 + rng.IntN(60) {
			b = append(b, alphabet[rng.IntN(len(alphabet))])
		}
		set = append(set, string(b))
	}
	accepted := 0
	for _, tok := range set {
		if checkAdminToken(tok) == nil {
			accepted++
			looksSecret(tok)
		}
	}
	if accepted < len(set)/2 {
		t.Errorf("only %d of %d random admin tokens accepted", accepted, len(set))
	}
	for _, tok := range []string{"aeso_our_admin_token_for_staging", "aeso_a_b_c_d_e_f_g_h_i_j_", "aeso_http_request_duration_seconds"} {
		if checkAdminToken(tok) == nil {
			t.Errorf("%q accepted as an admin token", tok)
		}
		if redact.ValueLooksSecret(tok) {
			t.Errorf("%q looks secret: names of lowercase words are not tokens", tok)
		}
	}
}
