package redact

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// secretKeyParts mark a key as secret wherever they appear in its normalized
// form. Matching by substring is deliberately greedy: "tokens_used" or
// "signature_algorithm" lose their values too, which is a cheap mistake,
// while "github_token_backup" or "db_password_old" must never slip through.
// Normalizing first makes "api_key", "API-Key", "apiKey" and "x-api-key" one
// case, and covers the auth_token/auth-token/authToken family via "token".
var secretKeyParts = [...]string{
	"password", "passwd", "passphrase", "passcode",
	"secret", "token", "apikey", "authorization", "bearer",
	"cookie", "sessionid", "credential", "signature",
	"privatekey", "privkey", "sshkey", "accesskey",
	"cardnumber", "creditcard", "cvv", "cvc", "basicauth",
}

// secretKeyEnds mark a key as secret where its normalized form ends with
// them: "session_key" and "id_jwt" hold secrets, while "session_key_id",
// "signing_key_id" and "jwt_issuer" name one or say how it is used.
var secretKeyEnds = [...]string{"jwt", "authkey", "sessionkey", "signingkey", "encryptionkey", "masterkey", "hmackey"}

// secretKeyExact are too short to match inside other words ("auth" is in
// "author", "pin" in "shipping", "otp" in "otp_enabled" holds a flag), so
// they count only as the whole normalized key. "sig" is the signature of
// Azure SAS and other pre-signed URLs.
var secretKeyExact = [...]string{"auth", "pass", "pwd", "pin", "pincode", "otp", "sig"}

// secretLastWords count as a key's last word as well ("DB_PASS",
// "MYSQL_PWD", "ADMIN_PWD_2"): the environment's way of naming passwords.
// "auth", "pin" and "sig" do not: "requires_auth", "version_pin" and
// "commit_sig" are flags, versions and public signatures.
var secretLastWords = [...]string{"pass", "pwd"}

// versionWords say which of several secrets a key holds, not what it is:
// "DB_PASS_OLD" and "SMTP_PWD_NEXT" are passwords as "DB_PASS" is, so the
// last word is read before them.
var versionWords = [...]string{
	"old", "new", "prev", "previous", "current", "curr", "next", "last",
	"orig", "original", "backup", "bak", "tmp", "temp", "primary", "secondary",
}

// KeyLooksSecret reports whether a key's name marks its value as secret. The
// key is lowercased and stripped of everything but letters and digits, then
// checked for secretKeyParts anywhere in it, secretKeyEnds at its end,
// secretKeyExact as a whole and secretLastWords as its last word.
func KeyLooksSecret(key string) bool {
	if !isASCII(key) {
		key = foldKey(key)
	}
	norm := normalizeKey(key)
	for _, w := range secretKeyExact {
		if norm == w {
			return true
		}
	}
	if lastWordSecret(key) {
		return true
	}
	for _, w := range secretKeyEnds {
		if strings.HasSuffix(norm, w) {
			return true
		}
	}
	for _, w := range secretKeyParts {
		if strings.Contains(norm, w) {
			return true
		}
	}
	return false
}

// normalizeKey lowercases key and drops separators, so that spelling
// conventions (snake, kebab, camel, header case) cannot hide a secret key.
func normalizeKey(key string) string {
	var small [64]byte
	if n, ok := normalizeASCII(key, small[:]); ok {
		return string(small[:n])
	}
	var b strings.Builder
	b.Grow(len(key))
	for _, r := range key {
		r = unicode.ToLower(r)
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// normalizeASCII is normalizeKey for short ASCII keys, without allocating
// a builder; ok is false when key is too long or not ASCII.
func normalizeASCII(key string, dst []byte) (int, bool) {
	if len(key) > len(dst) {
		return 0, false
	}
	n := 0
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case c >= 0x80:
			return 0, false
		case c >= 'A' && c <= 'Z':
			dst[n] = c + ('a' - 'A')
			n++
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			dst[n] = c
			n++
		}
	}
	return n, true
}

// lastWord returns the last word of an ASCII key, lowercased, trailing
// digits, separators and version words dropped: words end at separators
// and where camel case starts one ("MYSQL_PWD" → "pwd", "dbPass2" →
// "pass", "DB_PASS_2" → "pass", "HTTPAuth" → "auth", "DB_PASS_OLD" →
// "pass"). whole says that the word is all that is left of the key once
// version words are dropped ("pin_old" → "pin", true).
// It is "" for a key of one word, which the whole-key check covers, and
// for keys that are not ASCII.
func lastWord(key string) (word string, whole bool) {
	if !isASCII(key) {
		return "", false
	}
	end, dropped := len(key), false
	for {
		for end > 0 && (!isAlnum(key[end-1]) || isDigit(key[end-1])) {
			end-- // separators and digits: "ADMIN_PWD_2" ends its word at D
		}
		start := wordStart(key, end)
		if start == end {
			return "", false
		}
		w := strings.ToLower(key[start:end])
		if start > 0 && isVersionWord(w) {
			end, dropped = start, true
			continue
		}
		if start == 0 {
			if dropped {
				return w, true
			}
			return "", false
		}
		return w, false
	}
}

// lastWordSecret reports whether key's last word names a password
// (secretLastWords), or the key is one of secretKeyExact but for version
// words ("pin_old").
func lastWordSecret(key string) bool {
	last, whole := lastWord(key)
	if last == "" {
		return false
	}
	for _, w := range secretLastWords {
		if last == w {
			return true
		}
	}
	if whole {
		for _, w := range secretKeyExact {
			if last == w {
				return true
			}
		}
	}
	return false
}

// wordStart returns where the word ending at end starts.
func wordStart(key string, end int) int {
	start := end
	for start > 0 && isAlnum(key[start-1]) {
		c, prev := key[start-1], byte(0)
		if start > 1 {
			prev = key[start-2]
		}
		start--
		if isUpper(c) && (isLower(prev) || isDigit(prev) || isUpper(prev) && start+1 < end && isLower(key[start+1])) {
			break
		}
	}
	return start
}

func isVersionWord(w string) bool {
	for _, v := range versionWords {
		if w == v {
			return true
		}
	}
	return false
}

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }
func isLower(c byte) bool { return c >= 'a' && c <= 'z' }

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// foldKey writes a key as it reads: compatibility forms folded (NFKC:
// fullwidth letters, the long s, ligatures) and the Cyrillic and Greek
// letters that look Latin replaced by those, in the same case, so
// "pаssword" with a Cyrillic а, "DB_РАSS" or "ｔｏｋｅｎ" is the secret key
// it looks like.
func foldKey(key string) string {
	return strings.Map(func(r rune) rune {
		if l, ok := lookalikes[r]; ok {
			return l
		}
		if l, ok := lookalikes[unicode.ToLower(r)]; ok {
			return unicode.ToUpper(l)
		}
		return r
	}, norm.NFKC.String(key))
}

// lookalikes map Cyrillic and Greek letters to the Latin letter they are
// drawn like (after Unicode's confusables). A capital not listed is read
// as its lowercase letter's, in capitals; those listed look unlike their
// lowercase (Greek Η is H, η is not h).
var lookalikes = map[rune]rune{
	'а': 'a', 'в': 'b', 'е': 'e', 'ё': 'e', 'к': 'k', 'м': 'm', 'н': 'h', 'о': 'o', 'р': 'p', 'с': 'c',
	'т': 't', 'у': 'y', 'х': 'x', 'ѕ': 's', 'і': 'i', 'ї': 'i', 'ј': 'j', 'ԁ': 'd', 'ԛ': 'q', 'ԝ': 'w', 'һ': 'h',
	'ѵ': 'v', 'ɡ': 'g', 'ο': 'o', 'α': 'a', 'ι': 'i', 'κ': 'k', 'ν': 'v', 'ρ': 'p', 'τ': 't', 'υ': 'u',
	'χ': 'x', 'ε': 'e', 'ϲ': 'c',
	'Υ': 'Y', 'Η': 'H', 'Ν': 'N', 'Β': 'B', 'Ζ': 'Z', 'Μ': 'M', 'Ρ': 'P', 'Χ': 'X', 'Τ': 'T',
	'В': 'B', 'Н': 'H', 'М': 'M', 'Т': 'T', 'У': 'Y',
}
