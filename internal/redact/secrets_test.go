package redact

import "testing"

// canaries are fake but realistically shaped secrets. Each must be caught by
// ValueLooksSecret and must never appear in Object's output.
var canaries = []struct{ name, value string }{
	{"a PKCS#8 PEM private key", "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----"},
	{"an RSA PEM private key", "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcN\n-----END RSA PRIVATE KEY-----"},
	{"an EC PEM private key", "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBkg4LVWM9nuwNSk\n-----END EC PRIVATE KEY-----"},
	{"an OpenSSH private key", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----"},
	{"an encrypted PEM private key", "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFHDBOBgkqhkiG9w0BBQ0w\n-----END ENCRYPTED PRIVATE KEY-----"},
	{"a JWT", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"},
	{"an unsigned JWT", "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0."},
	{"a Bearer header value", "Bearer mF_9.B5f-4.1JqM"},
	{"a lowercase bearer credential in a log line", "sent authorization: bearer 8f14e45fceea167a5a36dedd4bea2543 upstream"},
	{"a Basic header value", "Basic YWRtaW46aHVudGVyMg=="},
	{"an AWS access key ID", "AKIAIOSFODNN7EXAMPLE"},
	{"an AWS temporary access key ID", "key ASIAY34FZKBOKMUTVV7A in use"},
	{"an AWS secret access key assignment", "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"},
	{"a GitHub personal access token", "ghp_FAKEfakeFAKEfakeFAKEfakeFAKEfake1234"},
	{"a GitHub app installation token", "ghs_FAKEfakeFAKEfakeFAKEfakeFAKEfake5678"},
	{"a GitHub fine-grained token", "github_pat_11AAAAAAA0FAKEfakeFAKE_fakeFAKEfakeFAKEfakeFAKEfake"},
	{"a GitLab token", "glpat-FAKEfake1234FAKEfake"},
	{"a Slack bot token", "xoxb-1234567890-1234567890123-FAKEfakeFAKEfake"},
	{"a Google API key", "AIzaSyFAKEfakeFAKEfakeFAKEfake123456789"},
	{"a Stripe live secret key", "sk_live_FAKEfakeFAKEfake1234"},
	{"a Stripe test secret key", "sk_test_FAKEfakeFAKEfake1234"},
	{"a Stripe restricted key", "rk_live_FAKEfakeFAKEfake1234"},
	{"an aeso token", "aeso_FAKEfakeFAKEfake1234567890abc"},
	{"an aeso token set by an operator, with - and _", "aeso_Zq3-x_9LmPp2_Rt7Vb4-Nc8Kd1_Wf6Hg5-Ty0Qa"},
	{"a Bearer token of letters only", "Bearer abcdefghijklmnopqrstuv"},
	{"a Token scheme credential", "Authorization: Token 9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"},
	{"an OpenAI API key", "sk-FAKEfakeFAKEfakeFAKEfake1234"},
	{"an OpenAI project key", "sk-proj-FAKEfake_FAKEfake-FAKEfake1234"},
	{"an Anthropic API key", "sk-ant-api03-FAKEfakeFAKEfakeFAKEfake-1234"},
	{"an npm token", "npm_FAKEfakeFAKEfakeFAKEfakeFAKEfake1234"},
	{"a Vault service token", "hvs.CAESIFAKEfakeFAKEfakeFAKEfake1234"},
	{"an Azure storage connection string", "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=FAKEfakeFAKEfake1234FAKE+fake/FAKE==;EndpointSuffix=core.windows.net"},
	{"a spaced Visa number", "4111 1111 1111 1111"},
	{"a dashed Visa number", "4111-1111-1111-1111"},
	{"a Mastercard number in a sentence", "charged card 5555555555554444."},
	{"an Amex number", "378282246310005"},
	{"a Discover number", "6011111111111117"},
	{"a database URL with a password", "postgres://app:hunter2@db/x"},
	{"a Redis URL with only a password", "redis://:s3cretpw@cache:6379/0"},
	{"an HTTPS URL with credentials in text", "fetched https://deploy:tok3n@example.com/repo.git ok"},
}

func TestValueLooksSecret(t *testing.T) {
	t.Parallel()
	for _, c := range canaries {
		t.Run(c.name+" is secret", func(t *testing.T) {
			if !ValueLooksSecret(c.value) {
				t.Errorf("ValueLooksSecret(%q) = false, want true", c.value)
			}
		})
	}

	plain := []struct{ name, value string }{
		{"an empty string", ""},
		{"the placeholder itself", Placeholder},
		{"a UUID", "123e4567-e89b-12d3-a456-426614174000"},
		{"an all-digit UUID", "41111111-1111-1111-1111-111111111111"},
		{"an ISO date", "2026-11-23"},
		{"an RFC 3339 timestamp", "2026-11-23T18:37:00.123456Z"},
		{"a 16-digit number failing Luhn", "4111111111111112"},
		{"a millisecond timestamp passing Luhn", "1732380000007"},
		{"a Luhn-valid number outside card prefixes", "9000000000000001"},
		{"a short number", "1234"},
		{"a phone number", "+1 555-123-4567"},
		{"a sha256 hex digest", "a3f41111111111111111b2c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f70"},
		{"a decimal with many digits", "0.4111111111111111"},
		{"a URL with a port and no credentials", "https://example.com:8443/path@v2"},
		{"a URL with a user but no password", "postgres://app@db/x"},
		{"the word basic in prose", "Basic information about the plan"},
		{"the word bearer in prose", "the bearer instrument was transferred"},
		{"the word token in prose", "token expiry was extended by an hour"},
		{"a token named in audit text", "rotated token api-key-7 for the billing service"},
		{"a long token name in audit text", "revoked token deploy-pipeline-production-eu"},
		{"a task name with sk-", "risk-assessment-for-the-quarterly-review"},
		{"a short sk- name", "sk-1234"},
		{"an Azure connection string without a key", "DefaultEndpointsProtocol=https;AccountName=acct;EndpointSuffix=core.windows.net"},
		{"an email address", "ada@example.com"},
		{"a JWT-like prefix alone", "eyJ"},
		{"a truncated GitHub token", "ghp_short"},
		{"the start of an AWS key", "AKIA"},
		{"an aeso identifier that is not a token", "aeso_service_account_id"},
		{"an aeso metric name", "aeso_http_request_duration_seconds p99 above 1s"},
		{"another aeso metric name", "aeso_audit_ingest_rejected_total"},
		{"a Stripe publishable key", "pk_live_FAKEfakeFAKEfake1234"},
		{"a PEM certificate", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"},
	}
	for _, c := range plain {
		t.Run(c.name+" is not secret", func(t *testing.T) {
			if ValueLooksSecret(c.value) {
				t.Errorf("ValueLooksSecret(%q) = true, want false", c.value)
			}
		})
	}
}

func TestKeyLooksSecret(t *testing.T) {
	t.Parallel()
	cases := []struct {
		key  string
		want bool
	}{
		{"password", true},
		{"Password", true},
		{"db_password_old", true},
		{"passwd", true},
		{"passphrase", true},
		{"client_secret", true},
		{"SECRET_KEY", true},
		{"access_token", true},
		{"refreshToken", true},
		{"auth_token", true},
		{"auth-token", true},
		{"api_key", true},
		{"apiKey", true},
		{"X-API-Key", true},
		{"Authorization", true},
		{"proxy-authorization", true},
		{"Cookie", true},
		{"Set-Cookie", true},
		{"private_key", true},
		{"ssh_key", true},
		{"card_number", true},
		{"credit_card", true},
		{"cvv", true},
		{"cvc", true},
		{"credentials", true},
		{"aws_access_key_id", true},
		{"session_id", true},
		{"bearer", true},
		{"signature", true},
		{"auth", true},
		{"AUTH", true},
		{"pin", true},
		{"pwd", true},
		{"otp", true},
		// pass and pwd count as a key's last word too, as environment
		// variables name passwords; auth, pin and sig do not.
		{"db_pass", true},
		{"SMTP_PASS", true},
		{"admin_pwd", true},
		{"MYSQL_PWD", true},
		{"dbPwd2", true},
		{"DB_PASS_2", true},
		{"ADMIN_PWD_1", true},
		{"INIT_PWD", true},
		// A version word after the last word says which password it is.
		{"DB_PASS_OLD", true},
		{"SMTP_PASS_NEW", true},
		{"admin_pwd_prev_2", true},
		{"dbPassOld", true},
		{"MYSQL_PWD_BACKUP", true},
		{"pass_old", true},
		{"PIN_NEW", true},
		{"old", false},
		{"pass_count_old", false},
		{"version_pin_old", false},
		{"requires_auth_new", false},
		{"basic_auth", true},
		{"basicAuth", true},
		{"jwt", true},
		{"id_jwt", true},
		{"auth_key", true},
		{"session_key", true},
		{"signingKey", true},
		{"encryption_key", true},
		{"tests_passed", false},
		{"bypass", false},
		{"pass_count", false},
		{"DBPassword_hint", true},
		// Names, versions and flags about secrets are not secrets.
		{"jwt_issuer", false},
		{"jwt_alg", false},
		{"signing_key_id", false},
		{"encryption_key_id", false},
		{"kms_master_key_arn", false},
		{"session_key_id", false},
		{"version_pin", false},
		{"cert_pin", false},
		{"requires_auth", false},
		{"skip_auth", false},
		{"two_factor_auth", false},
		{"commit_sig", false},
		{"key_name", false},
		// Look-alike letters read as the key they look like.
		{"pаssword", true}, // Cyrillic а
		{"tоken", true},    // Cyrillic о
		{"ｐａｓｓｗｏｒｄ", true}, // fullwidth
		{"ſecret", true},   // long s
		{"ΑPI_KΕΥ", true},  // Greek capitals
		{"DB_РАSS", true},  // Cyrillic capitals, last word
		{"имя", false},
		{"städte", false},
		// Substring matching is greedy on purpose: a counter named like a
		// token loses its value, which is cheaper than missing a token.
		{"tokens_used", true},
		{"signature_algorithm", true},
		{"author", false},
		{"auth_method", false},
		{"oauth_provider", false},
		{"shipping_address", false},
		{"opinion", false},
		{"otp_enabled", false},
		{"user_id", false},
		{"email", false},
		{"keyboard_layout", false},
		{"monkey", false},
		{"", false},
	}
	for _, c := range cases {
		verb := "is not"
		if c.want {
			verb = "is"
		}
		t.Run("key "+c.key+" "+verb+" secret", func(t *testing.T) {
			if got := KeyLooksSecret(c.key); got != c.want {
				t.Errorf("KeyLooksSecret(%q) = %v, want %v", c.key, got, c.want)
			}
		})
	}
}
