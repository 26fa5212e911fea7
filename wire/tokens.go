package wire

import "time"

// TokenRequest asks for a new token.
type TokenRequest struct {
	Principal string     `json:"principal"`
	Name      string     `json:"name,omitempty"`
	Scopes    []string   `json:"scopes"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

// Token is an access token as the server describes it; the secret is never
// part of it.
type Token struct {
	ID        string     `json:"id"`
	Principal string     `json:"principal"`
	Name      string     `json:"name,omitempty"`
	Scopes    []string   `json:"scopes"`
	CreatedAt time.Time  `json:"created_at"`
	CreatedBy string     `json:"created_by"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
	RevokedBy string     `json:"revoked_by,omitempty"`
	Active    bool       `json:"active"`
}

// CreatedToken answers a token's creation, the only time its secret is
// shown.
type CreatedToken struct {
	Token
	Secret string `json:"token"`
}

// TokenList lists every token.
type TokenList struct {
	Tokens []Token `json:"tokens"`
}
