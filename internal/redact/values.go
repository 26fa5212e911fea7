package redact

import (
	"encoding/base64"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// secretValuePatterns recognise credentials by shape. Each is anchored on a
// prefix or structure specific enough that ordinary text does not match it;
// the short, generic prefixes (AKIA…, AIza…) also need a word boundary so a
// long base64 blob cannot contain one by chance.
var secretValuePatterns = []*regexp.Regexp{
	// PEM private keys: PKCS#8, RSA, EC, DSA, OPENSSH, ENCRYPTED, PGP.
	regexp.MustCompile(`-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----`),
	// JWT (JWS compact form): the header is base64url JSON, so it starts
	// with "eyJ" ('{"'). The signature may be empty for alg "none".
	regexp.MustCompile(`eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*`),
	// AWS access key IDs.
	regexp.MustCompile(`\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b`),
	// AWS secret access keys have no prefix of their own; they are caught
	// next to their conventional name (env files, credentials files, JSON).
	regexp.MustCompile(`(?i)aws_?secret_?access_?key["']?\s*[:=]\s*["']?[A-Za-z0-9/+=]{16,}`),
	// GitHub classic and fine-grained tokens.
	regexp.MustCompile(`gh[pousr]_[A-Za-z0-9]{36,}`),
	regexp.MustCompile(`github_pat_[A-Za-z0-9_]{22,}`),
	// GitLab personal access tokens.
	regexp.MustCompile(`glpat-[A-Za-z0-9_-]{20,}`),
	// Slack bot, user, app, refresh and legacy tokens.
	regexp.MustCompile(`xox[bpars]-[A-Za-z0-9-]{10,}`),
	// Google API keys.
	regexp.MustCompile(`\bAIza[0-9A-Za-z_-]{35}`),
	// Stripe secret and restricted keys (publishable pk_ keys are public).
	regexp.MustCompile(`(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{16,}`),
	// aeso's own tokens: "aeso_" and base62 (see internal/auth).
	regexp.MustCompile(`aeso_[0-9A-Za-z]{20,}`),
	// URLs with a password in the userinfo: scheme://user:pass@host. The
	// user may be empty (redis://:pass@host); '/', '?', '#' end the
	// authority, so host:port/path@x is not mistaken for credentials.
	regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.-]*://[^/?#@\s:]*:[^/?#@\s]+@`),
}

// bearerPattern and basicPattern find HTTP credentials. Both scheme names are
// English words, so a match is confirmed by the shape of what follows.
var (
	bearerPattern = regexp.MustCompile(`(?i)\bbearer\s+([A-Za-z0-9._~+/-]{8,}=*)`)
	basicPattern  = regexp.MustCompile(`(?i)\bbasic\s+([A-Za-z0-9+/]{4,}={0,2})`)
)

// ValueLooksSecret reports whether a string value looks like a secret by its
// shape: private keys, JWTs, HTTP Bearer/Basic credentials, cloud, forge,
// chat and payment API keys, aeso tokens, URLs carrying a password, and
// payment card numbers that pass the Luhn check. A string containing any of
// them anywhere is secret as a whole, since cutting the secret out would need
// to know exactly where it ends.
func ValueLooksSecret(s string) bool {
	for _, re := range secretValuePatterns {
		if re.MatchString(s) {
			return true
		}
	}
	return hasBearerToken(s) || hasBasicCredentials(s) || containsCardNumber(s)
}

// hasBearerToken accepts "Bearer <token>" only when the token has a digit or
// punctuation, as issued tokens do, so "the bearer instrument" stays.
func hasBearerToken(s string) bool {
	for _, m := range bearerPattern.FindAllStringSubmatch(s, -1) {
		if strings.ContainsFunc(m[1], func(r rune) bool { return !unicode.IsLetter(r) }) {
			return true
		}
	}
	return false
}

// hasBasicCredentials accepts "Basic <b64>" only when the payload decodes to
// printable "user:password", so "Basic information" stays.
func hasBasicCredentials(s string) bool {
	for _, m := range basicPattern.FindAllStringSubmatch(s, -1) {
		b, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(m[1], "="))
		if err != nil || !utf8.Valid(b) {
			continue
		}
		text := string(b)
		if strings.Contains(text, ":") && !strings.ContainsFunc(text, func(r rune) bool { return !unicode.IsPrint(r) }) {
			return true
		}
	}
	return false
}
