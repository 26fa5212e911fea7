package redact

import "testing"

func TestURLsKeepEverythingButTheirCredentials(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, want string }{
		{"https://user:pass@example.com/repo.git", "https://[REDACTED]@example.com/repo.git"},
		{"https://ghp_token@github.com/org/repo", "https://[REDACTED]@github.com/org/repo"},
		{"postgres://app:pw@db:5432/x?sslmode=disable", "postgres://[REDACTED]@db:5432/x?sslmode=disable"},
		{"https://example.com/p?a=1&access_token=abc&b=2", "https://example.com/p?a=1&access_token=[REDACTED]&b=2"},
		{"https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20260101&X-Amz-Signature=abc",
			"https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=[REDACTED]&X-Amz-Signature=[REDACTED]"},
		{"https://acct.blob.core.windows.net/c/b?sv=2022-11-02&sig=AbC%2Bd", "https://acct.blob.core.windows.net/c/b?sv=2022-11-02&sig=[REDACTED]"},
		{"https://app.example.com/cb#access_token=abc&state=x", "https://app.example.com/cb#access_token=[REDACTED]&state=x"},
		{"https://example.com/p?api%5Fkey=abc", "https://example.com/p?api%5Fkey=[REDACTED]"},
		{"https://example.com/p?access_token%3Dabc", "https://example.com/p?[REDACTED]"},
		{"https://example.com/p?next=%2Fcb%3Ftoken%3Dabc", "https://example.com/p?next=[REDACTED]"},
		{"https://example.com/p?tokens=5&token=abc&password=none", "https://example.com/p?tokens=5&token=[REDACTED]&password=none"},
	}
	for _, c := range cases {
		got, ok := redactURL(c.in)
		if !ok || got != c.want {
			t.Errorf("redactURL(%q) = %q, %v; want %q", c.in, got, ok, c.want)
		}
		if ValueLooksSecret(got) {
			t.Errorf("redactURL(%q) = %q still looks secret", c.in, got)
		}
	}
}

func TestURLsWithoutCredentialsStayByteIdentical(t *testing.T) {
	t.Parallel()
	for _, s := range []string{
		"https://example.com",
		"https://example.com:8443/a/b%2Fc;v=1?x=1&y=%20z&flag#frag",
		"https://ci.example.com/job/42?tab=logs&page=2",
		"ssh://git@github.com/org/repo.git",
		"postgres://app@db/x",
		"https://example.com/p?tokens=",
	} {
		if got, ok := redactURL(s); !ok || got != s {
			t.Errorf("redactURL(%q) = %q, %v; want it unchanged", s, got, ok)
		}
		res, p := Object([]byte(`{"u":"`+s+`"}`), MetadataLimits())
		if p != nil || string(res.JSON) != `{"u":"`+s+`"}` || len(res.Paths) != 0 {
			t.Errorf("Object kept %q as %s, paths %v, problem %v", s, res.JSON, res.Paths, p)
		}
	}
}

func TestTextAroundAURLOrASecretInItsPathIsHiddenWhole(t *testing.T) {
	t.Parallel()
	if _, ok := redactURL("see https://user:pw@example.com"); ok {
		t.Error("free text around a URL was taken for one URL")
	}
	res, p := Object([]byte(`{"a":"see https://user:pw@example.com","b":"https://user:pw@example.com/keys/AKIAIOSFODNN7EXAMPLE"}`), MetadataLimits())
	if p != nil || string(res.JSON) != `{"a":"[REDACTED]","b":"[REDACTED]"}` {
		t.Errorf("got %s, %v", res.JSON, p)
	}
	if len(res.Paths) != 2 {
		t.Errorf("paths %v", res.Paths)
	}
}

func TestAURLInMetadataIsRedactedInPlace(t *testing.T) {
	t.Parallel()
	res, p := Object([]byte(`{"build":{"url":"https://ci.example.com/j/1?token=abc"}}`), MetadataLimits())
	if p != nil || string(res.JSON) != `{"build":{"url":"https://ci.example.com/j/1?token=[REDACTED]"}}` ||
		len(res.Paths) != 1 || res.Paths[0] != "build.url" {
		t.Errorf("got %s, paths %v, problem %v", res.JSON, res.Paths, p)
	}
}
