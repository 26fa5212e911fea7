package redact

import "testing"

func TestSecretsAfterASecretNameAreFound(t *testing.T) {
	t.Parallel()
	secret := []string{
		"password=hunter2",
		"login failed: password=hunter2 for alice",
		"passwd: x",
		"pwd=x",
		"PASSWORD = 'hunter2'",
		`{"password": "hunter2"}`,
		"token=abc",
		"Token: abc123",
		"secret=s",
		"client_secret=abc",
		"api_key=k",
		"API-Key: k",
		"x-api-key=k",
		"apiKey=k",
		"Authorization: Basic dXNlcjpwYXNz",
		"authorization=whatever",
		"db_password_old=x",
		"DB_PASSWORD=x",
		"authToken2=x",
		"github.token=x",
		"private_key: abc",
		"credentials=user:pw",
		"secrets=s3cr3t",
		"passwords=hunter2",
		"pin=1234",
		"otp: 123456",
		"sig=AbC",
		"cookie: session=1",
		"sessionid=abc",
		"pass=hunter2",
		"set password := hunter2",
		"password=>hunter2",
		"tokens=ghp",
		"a=1;password=x",
		"rotate the token: see runbook",
		"DB_HOST=db DB_PASS=hunter14",
		"SMTP_PASS=hunter15",
		"DB_PASS_OLD=hunter16",
		"MYSQL_PWD=hunter3 mysql -u root",
		"basic_auth: admin:pw",
		"session_key=abc",
		"jwt=abc",
	}
	for _, s := range secret {
		if !ValueLooksSecret(s) {
			t.Errorf("ValueLooksSecret(%q) = false, want true", s)
		}
	}
}

func TestNearMissesOfSecretNamesStay(t *testing.T) {
	t.Parallel()
	plain := []string{
		"tokens=5",
		"max_tokens=4096",
		"tokens_used: 12",
		"pass: 3 fail: 0",
		"unit_pass: 3 unit_fail: 0",
		"auth_method=saml",
		"skip_auth=true",
		"secretary=Jane",
		"tokenizer=bpe",
		"passwordless=true",
		"signatures=2",
		"author=ada",
		"keyboard=us",
		"password: required",
		"token=none",
		"auth: disabled",
		"password=[REDACTED]",
		"password=***",
		"password=",
		"password reset covered by TestReset",
		"expected 3 tokens, got 2",
		"the token expired at 12:00",
		"see https://example.com/docs/password",
		"ratio=3:1",
		"aeso_service_account_id=sa-1",
	}
	for _, s := range plain {
		if ValueLooksSecret(s) {
			t.Errorf("ValueLooksSecret(%q) = true, want false", s)
		}
	}
}

func TestPasswordPolicyIsRedactedLikeItsKey(t *testing.T) {
	t.Parallel()
	// "password_policy" is a secret key in metadata (greedy on purpose, so
	// "db_password_old" never slips); free text follows the same rule
	// rather than a second, looser one.
	if !KeyLooksSecret("password_policy") || !ValueLooksSecret("password_policy=strict") {
		t.Error("password_policy=strict is not redacted like its key")
	}
}

func TestCredentialsInURLsAreFound(t *testing.T) {
	t.Parallel()
	secret := []string{
		"https://user:pass@example.com/repo.git",
		"https://ghp_token@github.com/org/repo",
		"https://x-access-token:abc@github.com/org/repo",
		"wss://tok@stream.example.com/",
		"redis://:pw@cache:6379/0",
		"postgres://app:pw@db/x",
		"see https://user:pass@example.com for the build",
		"https://example.com/p?access_token=abc",
		"https://example.com/p?a=1&token=abc",
		"https://s3.amazonaws.com/b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=abcdef",
		"https://acct.blob.core.windows.net/c/b?sv=2022-11-02&sig=AbC%2Bd",
		"https://storage.googleapis.com/b/o?X-Goog-Signature=abc",
		"https://example.com/login?password=hunter2",
		"https://example.com/cb?client_secret=s3",
		// Percent-encoded, once or twice.
		"https://example.com/p?access_token%3Dabc",
		"https://example.com/p?next=%2Fcb%3Ftoken%3Dabc",
		"https://example.com/p?next=https%3A%2F%2Fuser%3Apass%40other.example",
		"https%3A%2F%2Fuser%3Apass%40example.com%2F",
		"https://example.com/p?q=password%253Dhunter2",
		"https://example.com/p?api%5Fkey=abc",
		"https://tok%40en@example.com/",
		"//deploy:s3cr3t@git.example.com/app.git",
		"clone //deploy:s3cr3t@git.example.com/app.git",
		"git+https://0123456789abcdef0123456789abcdef01234567@github.com/org/repo.git",
		"url='//u:p@h/x'",
	}
	for _, s := range secret {
		if !ValueLooksSecret(s) {
			t.Errorf("ValueLooksSecret(%q) = false, want true", s)
		}
	}
	plain := []string{
		"https://example.com/",
		"https://example.com:8443/path@v2?x=1#frag",
		"https://ci.example.com/job/42?tab=logs&page=2",
		"https://example.com/search?q=password+reset",
		"https://example.com/p?tokens=5",
		"https://example.com/a%2Fb?x=%20y",
		"ssh://git@github.com/org/repo.git",
		"postgres://app@db/x",
		"git@github.com:org/repo.git",
		"mailto:ada@example.com",
		"https://@example.com/",
		"https://example.com/users/@ada",
		"//cdn.example.com/app.js",
		"//git@github.com/org/repo.git",
		"a//b:c@d",
		"git+ssh://git@github.com/org/repo.git",
	}
	for _, s := range plain {
		if ValueLooksSecret(s) {
			t.Errorf("ValueLooksSecret(%q) = true, want false", s)
		}
	}
}

func TestPercentDecodeLeavesBrokenEscapes(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"a%3Db":  "a=b",
		"%253D":  "%3D",
		"100%":   "100%",
		"%zz%4":  "%zz%4",
		"%e2%82": "\xe2\x82",
	} {
		if got := percentDecode(in); got != want {
			t.Errorf("percentDecode(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCheckingNamesInPlainValuesDoesNotAllocate(t *testing.T) {
	// Metadata is full of "key: value" and "a=b" strings; a 1000-event
	// batch must not pay an allocation per separator.
	for _, s := range []string{"https://ci.example.com/j/1?tab=logs&page=2", "key_name: deploy", "a=1;b=2;c=3"} {
		if n := testing.AllocsPerRun(100, func() { ValueLooksSecret(s) }); n != 0 {
			t.Errorf("ValueLooksSecret(%q) allocates %v times", s, n)
		}
	}
}
