package redact

import (
	"strings"
)

// A secret is often recognisable only by the name written before it:
// "password=hunter2" in a log line, "passwd: x" in a config dump,
// "?access_token=…" in a URL. The rules here find such assignments, and the
// credentials a URL carries in its userinfo, anywhere in a string. They run
// on every text field, identifiers included, so they must be cheap when the
// string holds no '=', ':' or '%'.

// maxDecodeRounds bounds how often percent-encoding is peeled off: a secret
// encoded twice ("%253D") is still one a lenient client would decode.
const maxDecodeRounds = 3

// namedSecret reports whether s holds an assignment of a secret-named key or
// a URL carrying credentials, raw or percent-encoded.
func namedSecret(s string) bool {
	for range maxDecodeRounds + 1 {
		if hasSecretAssignment(s) || hasURLCredentials(s) {
			return true
		}
		if !strings.Contains(s, "%") {
			return false
		}
		d := percentDecode(s)
		if d == s {
			return false
		}
		s = d
	}
	return false
}

// hasSecretAssignment finds "name=value" or "name: value" (quotes allowed
// around either, as in JSON or YAML) whose name is a secret key in text and
// whose value is not a word that only says a secret's state.
func hasSecretAssignment(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '=' && c != ':' {
			continue
		}
		key := keyBefore(s, i)
		if key == "" {
			continue
		}
		if c == ':' && strings.HasPrefix(s[i+1:], "//") {
			continue // a URL's scheme, not an assignment
		}
		plural, ok := textKeyLooksSecret(key)
		if !ok {
			continue
		}
		if v := valueAfter(s, i+1); v != "" && !benignValue(v, plural || isPassKey(key) || strings.EqualFold(key, "pass")) {
			return true
		}
	}
	return false
}

// keyBefore returns the run of key characters ending just before s[end],
// skipping one closing quote and spaces ("api_key" : …).
func keyBefore(s string, end int) string {
	j := end
	for j > 0 && (s[j-1] == ' ' || s[j-1] == '\t') {
		j--
	}
	if j > 0 && (s[j-1] == '"' || s[j-1] == '\'') {
		j--
	}
	k := j
	for k > 0 && isKeyByte(s[k-1]) {
		k--
	}
	return s[k:j]
}

// valueAfter returns the value starting at s[start]: spaces, one opening
// quote, ':' or '>' of ":=" and "=>" skipped; it ends at whitespace, a quote
// or a separator of lists and queries.
func valueAfter(s string, start int) string {
	i := start
	if i < len(s) && (s[i] == '=' || s[i] == '>') {
		i++
	}
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	if i < len(s) && (s[i] == '"' || s[i] == '\'') {
		i++
	}
	j := i
	for j < len(s) && !strings.ContainsRune(" \t\r\n\"',;&", rune(s[j])) {
		j++
	}
	return s[i:j]
}

func isKeyByte(c byte) bool { return isAlnum(c) || c == '_' || c == '-' || c == '.' }

// benignValues say what state a secret is in without being one:
// "password: required", "token=none", "auth: disabled".
var benignValues = map[string]bool{
	"true": true, "false": true, "yes": true, "no": true, "on": true, "off": true,
	"none": true, "null": true, "nil": true, "empty": true, "unset": true, "missing": true,
	"required": true, "optional": true, "enabled": true, "disabled": true,
	"invalid": true, "expired": true, "ok": true, "redacted": true,
	"set": true, "valid": true, "verified": true, "present": true,
}

// benignValue reports whether v is a state word, a mask ("***",
// "[REDACTED]"), or, after a count-like key (a plural such as "tokens", or
// "pass" as in "pass: 3 fail: 0"), a plain number.
func benignValue(v string, countKey bool) bool {
	if benignValues[strings.ToLower(v)] || strings.HasPrefix(v, Placeholder) || strings.Trim(v, "*") == "" {
		return true
	}
	return countKey && strings.Trim(v, "0123456789") == ""
}

// textKeyLooksSecret is KeyLooksSecret for a name written in text. Prose
// has words that merely begin with a secret word ("secretary", "tokenizer",
// "passwordless"), so a part counts only where the name's word ends: at its
// end, before a separator, a capital or a digit ("db_password_old",
// "authToken2"). A plural ("tokens", "secrets") counts too, but plural
// reports it, since "tokens=5" is a count while "secrets=s3cr3t" is not.
func textKeyLooksSecret(key string) (plural, ok bool) {
	var normBuf [64]byte
	var atBuf [64]int
	norm, at := normalizeKeyIndexed(key, normBuf[:0], atBuf[:0])
	for _, w := range secretKeyExact {
		if string(norm) == w {
			return false, true
		}
	}
	if lastWordSecret(key) {
		return false, true
	}
	for _, w := range secretKeyEnds {
		if strings.HasSuffix(string(norm), w) {
			return false, true
		}
	}
	for _, w := range secretKeyParts {
		for i := 0; i+len(w) <= len(norm); i++ {
			if !hasPrefixBytes(norm[i:], w) {
				continue
			}
			end := i + len(w)
			switch {
			case wordEndsAt(key, norm, at, end):
				return false, true
			case norm[end] == 's' && wordEndsAt(key, norm, at, end+1):
				return true, true
			}
		}
	}
	return false, false
}

func hasPrefixBytes(b []byte, prefix string) bool {
	if len(b) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		if b[i] != prefix[i] {
			return false
		}
	}
	return true
}

// wordEndsAt reports whether normalized position end (exclusive) ends a word
// of the original key.
func wordEndsAt(key string, norm []byte, at []int, end int) bool {
	if end == len(norm) {
		return true
	}
	next := key[at[end]]
	return at[end] > at[end-1]+1 || next >= 'A' && next <= 'Z' && !(key[at[end-1]] >= 'A' && key[at[end-1]] <= 'Z') || isDigit(next)
}

// normalizeKeyIndexed is normalizeKey for an ASCII key run, with the index
// in key of each byte kept; it appends to norm and at, so a short key is
// checked without allocating.
func normalizeKeyIndexed(key string, norm []byte, at []int) ([]byte, []int) {
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case c >= 'A' && c <= 'Z':
			norm = append(norm, c+('a'-'A'))
		case c >= 'a' && c <= 'z', isDigit(c):
			norm = append(norm, c)
		default:
			continue
		}
		at = append(at, i)
	}
	return norm, at
}

// userOnlySchemes are the schemes where a user name without a password is
// itself the credential: HTTP clients send "https://TOKEN@host" as Basic
// auth, which is how forges and registries take tokens. A user alone in
// ssh:// or postgres:// is a login name.
var userOnlySchemes = map[string]bool{"http": true, "https": true, "ws": true, "wss": true, "ftp": true, "ftps": true}

// hasURLCredentials finds a URL whose authority carries a password
// ("scheme://user:pass@host", or a scheme-relative "//user:pass@host"), or
// a user where the user is the credential.
func hasURLCredentials(s string) bool {
	for off := 0; ; {
		i := strings.Index(s[off:], "//")
		if i < 0 {
			return false
		}
		i += off
		off = i + 2
		var scheme string
		switch {
		case i > 0 && s[i-1] == ':':
			j := i - 1
			for j > 0 && (isAlnum(s[j-1]) || s[j-1] == '+' || s[j-1] == '.' || s[j-1] == '-') {
				j--
			}
			if scheme = strings.ToLower(s[j : i-1]); scheme == "" {
				continue
			}
		case i == 0 || strings.IndexByte(" \t\r\n\"'=(<", s[i-1]) >= 0:
			// Scheme-relative: only a password marks it.
		default:
			continue // a path's "//", as in "a//b"
		}
		rest := s[i+2:]
		if k := strings.IndexAny(rest, "/?#\\ \t\r\n\"'<>"); k >= 0 {
			rest = rest[:k]
		}
		at := strings.LastIndexByte(rest, '@')
		if at <= 0 {
			continue
		}
		user, pass, hasPass := strings.Cut(rest[:at], ":")
		if hasPass && pass != "" || !hasPass && user != "" && user != Placeholder && userIsCredential(scheme) {
			return true
		}
	}
}

// userIsCredential reports whether a user alone in a URL of scheme is a
// credential: the scheme, or the transport named after its '+'
// ("git+https"), is one of userOnlySchemes.
func userIsCredential(scheme string) bool {
	if i := strings.LastIndexByte(scheme, '+'); i >= 0 {
		scheme = scheme[i+1:]
	}
	return userOnlySchemes[scheme]
}

// percentDecode decodes every valid %XX escape and leaves invalid ones as
// they are, as lenient clients do.
func percentDecode(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isHex(c byte) bool { return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

func unhex(c byte) byte {
	switch {
	case isDigit(c):
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// isPassKey reports whether key's last word is "pass", which in text is
// as often a count ("pass: 3 fail: 0") as a password.
func isPassKey(key string) bool {
	w, _ := lastWord(key)
	return w == "pass"
}
