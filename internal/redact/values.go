package redact

import (
	"encoding/base64"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// valuePattern recognises one kind of credential by shape. Each is anchored
// on a prefix or structure specific enough that ordinary text does not match
// it; the short, generic prefixes (AKIA…, AIza…) also need a word boundary so
// a long base64 blob cannot contain one by chance. Hints are substrings every
// match contains: a value holding none of them skips the regexp, which keeps
// redaction off the profile of a 1000-event batch.
type valuePattern struct {
	need  byteClass // classes every match contains
	hints []string  // any one must occur; lowercase when fold is set
	fold  bool      // look for hints in the lowercased value
	re    *regexp.Regexp
	// accept, when set, must also hold for one of re's matches.
	accept func(match string) bool
}

// byteClass is a set of byte kinds, so one pass over a value tells which
// patterns could match it at all.
type byteClass uint8

const (
	hasDash byteClass = 1 << iota
	hasDot
	hasUnderscore
	hasColon
	hasAt
	hasSpace
	hasUpperA
	hasEquals
)

// classify returns the classes present in s and how many ASCII digits it has.
func classify(s string) (c byteClass, digits int) {
	for i := 0; i < len(s); i++ {
		switch b := s[i]; {
		case b >= '0' && b <= '9':
			digits++
		case b == '-':
			c |= hasDash
		case b == '.':
			c |= hasDot
		case b == '_':
			c |= hasUnderscore
		case b == ':':
			c |= hasColon
		case b == '@':
			c |= hasAt
		case b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\f' || b == '\v':
			c |= hasSpace
		case b == 'A':
			c |= hasUpperA
		case b == '=':
			c |= hasEquals
		}
	}
	return c, digits
}

var secretValuePatterns = []valuePattern{
	// PEM private keys: PKCS#8, RSA, EC, DSA, OPENSSH, ENCRYPTED, PGP.
	{hasDash | hasSpace, []string{"PRIVATE KEY"}, false, regexp.MustCompile(`-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----`), nil},
	// JWT (JWS compact form): the header is base64url JSON, so it starts
	// with "eyJ" ('{"'). The signature may be empty for alg "none".
	{hasDot, []string{"eyJ"}, false, regexp.MustCompile(`eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*`), nil},
	// AWS access key IDs.
	{hasUpperA, []string{"AKIA", "ASIA", "ABIA", "ACCA"}, false, regexp.MustCompile(`\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b`), nil},
	// AWS secret access keys have no prefix of their own; they are caught
	// next to their conventional name (env files, credentials files, JSON).
	{0, []string{"secret"}, true, regexp.MustCompile(`(?i)aws_?secret_?access_?key["']?\s*[:=]\s*["']?[A-Za-z0-9/+=]{16,}`), nil},
	// GitHub classic and fine-grained tokens.
	{hasUnderscore, []string{"gh"}, false, regexp.MustCompile(`gh[pousr]_[A-Za-z0-9]{36,}`), nil},
	{hasUnderscore, []string{"github_pat_"}, false, regexp.MustCompile(`github_pat_[A-Za-z0-9_]{22,}`), nil},
	// GitLab personal access tokens.
	{hasDash, []string{"glpat-"}, false, regexp.MustCompile(`glpat-[A-Za-z0-9_-]{20,}`), nil},
	// Slack bot, user, app, refresh and legacy tokens.
	{hasDash, []string{"xox"}, false, regexp.MustCompile(`xox[bpars]-[A-Za-z0-9-]{10,}`), nil},
	// Google API keys.
	{hasUpperA, []string{"AIza"}, false, regexp.MustCompile(`\bAIza[0-9A-Za-z_-]{35}`), nil},
	// Stripe secret and restricted keys (publishable pk_ keys are public).
	{hasUnderscore, []string{"_live_", "_test_"}, false, regexp.MustCompile(`(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{16,}`), nil},
	// OpenAI (sk-…, sk-proj-…) and Anthropic (sk-ant-…) API keys.
	{hasDash, []string{"sk-"}, false, regexp.MustCompile(`\bsk-[A-Za-z0-9_-]{20,}`), nil},
	// npm access tokens.
	{hasUnderscore, []string{"npm_"}, false, regexp.MustCompile(`\bnpm_[A-Za-z0-9]{36}`), nil},
	// HashiCorp Vault service, batch and recovery tokens.
	{hasDot, []string{"hvs.", "hvb.", "hvr."}, false, regexp.MustCompile(`\bhv[sbr]\.[A-Za-z0-9_-]{24,}`), nil},
	// Azure storage and Service Bus connection strings carry the key itself.
	{hasEquals, []string{"accountkey=", "sharedaccesskey="}, true, regexp.MustCompile(`(?i)(?:AccountKey|SharedAccessKey)=[A-Za-z0-9+/]{20,}`), nil},
	// aeso's own tokens: "aeso_" and at least 20 of base62, '_' and '-':
	// what auth.WellFormed accepts, generated (base62) or set by an
	// operator (AESO_ADMIN_TOKEN), but not aeso's metric names.
	{hasUnderscore, []string{"aeso_"}, false, regexp.MustCompile(`aeso_[0-9A-Za-z_-]{20,}`), notSnakeCase},
	// URLs with a password in the userinfo: scheme://user:pass@host. The
	// user may be empty (redis://:pass@host); '/', '?', '#' end the
	// authority, so host:port/path@x is not mistaken for credentials.
	{hasColon | hasAt, []string{"://"}, false, regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.-]*://[^/?#@\s:]*:[^/?#@\s]+@`), nil},
}

// minSecretLen is the shortest string any rule matches: a secret-named
// key with a one-letter value ("pwd=x").
const minSecretLen = len("pwd=x")

func (p *valuePattern) matches(s, lower string) bool {
	in := s
	if p.fold {
		in = lower
	}
	for _, h := range p.hints {
		if !strings.Contains(in, h) {
			continue
		}
		if p.accept == nil {
			return p.re.MatchString(s)
		}
		for _, m := range p.re.FindAllString(s, -1) {
			if p.accept(m) {
				return true
			}
		}
		return false
	}
	return false
}

// notSnakeCase accepts an aeso token and not one of aeso's own names
// (aeso_http_request_duration_seconds): a token holds a digit, a capital
// or a '-' somewhere after its prefix; a name is lowercase words.
func notSnakeCase(m string) bool {
	return strings.ContainsAny(m[len("aeso_"):], "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-")
}

// bearerPattern, tokenPattern and basicPattern find HTTP credentials. The
// scheme names are English words, so a match is confirmed by the shape of
// what follows.
var (
	bearerPattern = regexp.MustCompile(`(?i)\bbearer\s+([A-Za-z0-9._~+/-]{8,}=*)`)
	tokenPattern  = regexp.MustCompile(`(?i)\btoken\s+([A-Za-z0-9._~+/-]{20,}=*)`)
	basicPattern  = regexp.MustCompile(`(?i)\bbasic\s+([A-Za-z0-9+/]{4,}={0,2})`)
)

// ValueLooksSecret reports whether a string value looks like a secret by its
// shape: private keys, JWTs, HTTP Bearer/Basic credentials, cloud, forge,
// chat and payment API keys, aeso tokens, URLs carrying credentials in their
// userinfo or query, payment card numbers that pass the Luhn check, and any
// value written after a secret-named key ("password=…", "api_key: …"), raw
// or percent-encoded. A string containing any of
// them anywhere is secret as a whole, since cutting the secret out would need
// to know exactly where it ends.
func ValueLooksSecret(s string) bool {
	if len(s) < minSecretLen {
		return false
	}
	class, digits := classify(s)
	if digits >= minCardDigits && containsCardNumber(s) {
		return true
	}
	// The AWS secret pattern needs "key=" or "key:"; Bearer and Basic need
	// a space. Lowercasing is only worth it when one of them can match.
	lower := ""
	if class&(hasEquals|hasColon|hasSpace) != 0 {
		lower = strings.ToLower(s) // no allocation when s has no capitals
	}
	for i := range secretValuePatterns {
		p := &secretValuePatterns[i]
		if class&p.need != p.need || (p.fold && lower == "") {
			continue
		}
		if p.matches(s, lower) {
			return true
		}
	}
	if class&hasSpace != 0 &&
		((strings.Contains(lower, "bearer") && hasBearerToken(s)) ||
			(strings.Contains(lower, "token") && hasTokenCredential(s)) ||
			(strings.Contains(lower, "basic") && hasBasicCredentials(s))) {
		return true
	}
	return (class&(hasEquals|hasColon) != 0 || strings.IndexByte(s, '%') >= 0) && namedSecret(s)
}

// hasBearerToken accepts "Bearer <token>" only when the token has a digit
// or punctuation, as issued tokens do, or is a run of 20 letters or more,
// which no English word after "bearer" is: "the bearer instrument" stays.
func hasBearerToken(s string) bool {
	for _, m := range bearerPattern.FindAllStringSubmatch(s, -1) {
		if len(m[1]) >= 20 || strings.ContainsFunc(m[1], func(r rune) bool { return !unicode.IsLetter(r) }) {
			return true
		}
	}
	return false
}

// hasTokenCredential accepts "Token <token>" (the scheme of Django REST
// framework and others) only when the token is 20 characters or more and
// mixes letters and digits, as issued tokens do: audit text names tokens
// all the time ("rotated token api-key-7"), and those names stay.
func hasTokenCredential(s string) bool {
	for _, m := range tokenPattern.FindAllStringSubmatch(s, -1) {
		if strings.ContainsFunc(m[1], unicode.IsLetter) && strings.ContainsFunc(m[1], unicode.IsDigit) {
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

// TextLooksSecret is ValueLooksSecret under the name free-text fields
// (a test's failure message, a summary, a reason) have always used; both
// find secrets by shape and by the name written before them.
func TextLooksSecret(s string) bool { return ValueLooksSecret(s) }
