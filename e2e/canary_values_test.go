package e2e

import "encoding/base64"

// secretCanary is a fake credential of one pattern. needle is its secret
// part: the bytes that must appear in no answer, log line or database file,
// whatever happens to the text around them.
type secretCanary struct{ name, value, needle string }

// secretCanaries covers every pattern aeso redacts or refuses. Each needle is
// unique, so a leak names its pattern.
var secretCanaries = []secretCanary{
	// A secret named by the key written before it.
	{"password=", "login failed with password=CnryPassEq01 for alice", "CnryPassEq01"},
	{"passwd:", "passwd: CnryPasswdColon02", "CnryPasswdColon02"},
	{"token=", "token=CnryTokenEq03", "CnryTokenEq03"},
	{"secret=", "client secret=CnrySecretEq04 rotated", "CnrySecretEq04"},
	{"api_key=", "api_key=CnryApiKey05", "CnryApiKey05"},
	{"JSON api key", `{"apiKey": "CnryJsonApiKey06"}`, "CnryJsonApiKey06"},
	{"DB_PASSWORD=", "DB_PASSWORD=CnryEnvPw07", "CnryEnvPw07"},
	{"Authorization: Basic", "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte("ci:CnryBasicPw08")),
		base64.StdEncoding.EncodeToString([]byte("ci:CnryBasicPw08"))},
	{"Authorization: token", "Authorization: token CnryAuthzToken09", "CnryAuthzToken09"},
	{"pin=", "pin=CnryPin10", "CnryPin10"},
	// HTTP credentials by shape.
	{"Bearer token", "Bearer CnryBearer11.abc-def", "CnryBearer11"},
	{"Basic credentials", "Basic " + base64.StdEncoding.EncodeToString([]byte("svc:CnryBasic12")),
		base64.StdEncoding.EncodeToString([]byte("svc:CnryBasic12"))},
	// URL userinfo.
	{"URL user and password", "https://deploy:CnryUrlPw13@git.example.com/repo.git", "CnryUrlPw13"},
	{"URL token as user", "https://CnryUrlTok14@github.com/org/repo.git", "CnryUrlTok14"},
	{"database URL", "postgres://app:CnryDbPw15@db.internal:5432/app", "CnryDbPw15"},
	{"URL userinfo encoded", "https://ci%3ACnryUrlEnc16%40git.example.com/repo", "CnryUrlEnc16"},
	// URL query secrets, raw and encoded.
	{"access_token query", "https://ci.example.com/a?access_token=CnryQsTok17", "CnryQsTok17"},
	{"X-Amz-Signature query", "https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=CnryAmzSig18", "CnryAmzSig18"},
	{"sig query", "https://acct.blob.core.windows.net/c/b?sv=2022-11-02&sig=CnrySasSig19", "CnrySasSig19"},
	{"password query", "https://ci.example.com/login?user=a&password=CnryQsPw20", "CnryQsPw20"},
	{"encoded query", "https://ci.example.com/a?next=%2Fcb%3Ftoken%3DCnryQsEnc21", "CnryQsEnc21"},
	{"double-encoded query", "https://ci.example.com/a?q=api_key%253DCnryQsEnc22", "CnryQsEnc22"},
	// Credentials by shape.
	{"JWT", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJjbnJ5In0.CnryJwtSig23xyz", "CnryJwtSig23xyz"},
	{"PEM private key", "-----BEGIN RSA PRIVATE KEY-----\nMIIECnryPem24\n-----END RSA PRIVATE KEY-----", "MIIECnryPem24"},
	{"OpenSSH private key", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlCnrySsh25\n-----END OPENSSH PRIVATE KEY-----", "b3BlCnrySsh25"},
	{"AWS access key", "AKIACNRY26EXAMPLEXYZ", "AKIACNRY26EXAMPLEXYZ"},
	{"AWS secret key", "aws_secret_access_key=CnryAwsSecret27abcdefghijkl", "CnryAwsSecret27abcdefghijkl"},
	{"GitHub token", "ghp_CnryGitHub28abcdefghijklmnopqrstuvwxyz", "ghp_CnryGitHub28abcdefghijklmnopqrstuvwxyz"},
	{"GitHub fine-grained token", "github_pat_CnryGitHubPat29abcdefghijkl", "github_pat_CnryGitHubPat29abcdefghijkl"},
	{"GitLab token", "glpat-CnryGitLab30abcdefghij", "glpat-CnryGitLab30abcdefghij"},
	{"Slack token", "xoxb-CnrySlack31-0123456789", "xoxb-CnrySlack31-0123456789"},
	{"Google API key", "AIzaCnryGoogle32abcdefghijklmnopqrstuvw", "AIzaCnryGoogle32abcdefghijklmnopqrstuvw"},
	{"Stripe key", "sk_live_CnryStripe33abcdefgh", "sk_live_CnryStripe33abcdefgh"},
	{"aeso token", "aeso_CnryAeso34abcdefghijklmnopqrst", "aeso_CnryAeso34abcdefghijklmnopqrst"},
	{"spaced card number", "card 4012 8888 8888 1881 declined", "4012 8888 8888 1881"},
	{"plain card number", "5105105105105100", "5105105105105100"},
}
