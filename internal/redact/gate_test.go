package redact

import "testing"

// valueLooksSecretUngated is ValueLooksSecret without the byte-class and
// hint gates: every pattern and every check runs on every value.
func valueLooksSecretUngated(s string) bool {
	for _, p := range secretValuePatterns {
		if p.re.MatchString(s) {
			return true
		}
	}
	return hasBearerToken(s) || hasTokenCredential(s) || hasBasicCredentials(s) || containsCardNumber(s) || namedSecret(s)
}

// FuzzValueGates checks that the gates that keep redaction fast never
// change an answer.
func FuzzValueGates(f *testing.F) {
	for _, c := range canaries {
		f.Add(c.value)
		f.Add("prefix " + c.value + " suffix")
	}
	for _, s := range []string{"", "deploy", "scheduled rotation", "eu-west-1", "Bearer\fabc123def456",
		"AWS_SECRET_ACCESS_KEY: abcdefghijklmnop1234", "x://:p@h", "4111-1111-1111-1111"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := ValueLooksSecret(s), valueLooksSecretUngated(s); got != want {
			t.Fatalf("ValueLooksSecret(%q) = %v, ungated %v", s, got, want)
		}
	})
}
