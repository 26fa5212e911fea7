package redact

import "strings"

// redactURL replaces the credentials a URL carries and keeps the rest
// byte for byte: the userinfo when it is a credential, and each query or
// fragment parameter whose name is secret ("access_token", "X-Amz-Signature",
// "sig") or whose value looks secret. A link to a build or an artifact is
// useful context in metadata; its signature is not. ok is false when s is
// not one URL (free text around it, or no scheme), so the caller hides the
// whole value instead.
func redactURL(s string) (out string, ok bool) {
	if strings.ContainsAny(s, " \t\r\n") {
		return "", false
	}
	i := strings.Index(s, "://")
	if i <= 0 || !isScheme(s[:i]) {
		return "", false
	}
	scheme := strings.ToLower(s[:i])
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i+3])
	rest := s[i+3:]
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	authority := rest[:end]
	if at := strings.LastIndexByte(authority, '@'); at > 0 {
		user, pass, hasPass := strings.Cut(authority[:at], ":")
		if hasPass && pass != "" || !hasPass && userIsCredential(scheme) && user != Placeholder {
			authority = Placeholder + authority[at:]
		}
	}
	b.WriteString(authority)
	rest = rest[end:]
	// The path is kept; what follows holds name=value parameters, in the
	// query or the fragment (OAuth's implicit flow puts access_token there).
	q := strings.IndexAny(rest, "?#")
	if q < 0 {
		q = len(rest)
	}
	b.WriteString(rest[:q])
	for rest = rest[q:]; rest != ""; {
		b.WriteByte(rest[0])
		rest = rest[1:]
		n := strings.IndexAny(rest, "?#&;")
		if n < 0 {
			n = len(rest)
		}
		b.WriteString(redactParam(rest[:n]))
		rest = rest[n:]
	}
	return b.String(), true
}

// redactParam returns one query parameter with its value replaced when its
// name or value marks it as a credential. A parameter whose '=' is itself
// percent-encoded is judged decoded, and replaced whole.
func redactParam(part string) string {
	name, value, found := strings.Cut(part, "=")
	if !found {
		if ValueLooksSecret(percentDecode(part)) {
			return Placeholder
		}
		return part
	}
	// The same rule as in text, so "tokens=5" stays in a URL as it does
	// in a sentence.
	if value != "" && (hasSecretAssignment(percentDecode(name)+"="+value) || ValueLooksSecret(percentDecode(value))) {
		return name + "=" + Placeholder
	}
	return part
}

// isScheme reports whether s is a URL scheme: a letter, then letters,
// digits, '+', '-' or '.'.
func isScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && (isDigit(c) || c == '+' || c == '-' || c == '.')) {
			return false
		}
	}
	return s != ""
}
