package auth

import (
	"sync"
	"time"
)

// MaxCacheAge is how long a verified token is trusted without asking the
// database again. It is the bound on how late a revocation made through
// another replica takes effect here: an entry counts from the moment its
// database read began, so a revocation committed after that read is seen at
// most MaxCacheAge later. A revocation through this process takes effect at
// once, and expiry is checked at every use from the cached expiry time.
const MaxCacheAge = time.Second

// DefaultMaxCachedTokens bounds the cache unless Service.MaxCachedTokens
// says otherwise. Only verified tokens enter it, so its size follows the
// tokens in use, not the bearer values callers make up.
const DefaultMaxCachedTokens = 10000

// cachedToken is a token verified against the database at checked.
type cachedToken struct {
	token     *Token
	principal *Principal
	checked   time.Time
}

// tokenCache holds verified tokens keyed by the SHA-256 of their secret;
// the secret itself is never kept. The zero value is ready to use.
type tokenCache struct {
	mu      sync.Mutex
	entries map[string]cachedToken
	// gen counts revocations seen by this process. A lookup that began
	// before one must not store what it read: the row it read may predate
	// the revocation.
	gen uint64
}

// cacheState is what the cache knows of a token at a moment.
type cacheState int

const (
	cacheMiss    cacheState = iota // unknown, or verified too long ago
	cacheHit                       // verified less than MaxCacheAge ago and not expired
	cacheExpired                   // known, and expired: that never comes undone
)

// lookup returns what the cache knows of hash at now. Expired and stale
// entries are dropped.
func (c *tokenCache) lookup(hash string, now time.Time) (*Principal, cacheState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[hash]
	switch {
	case !ok:
		return nil, cacheMiss
	case e.token.ExpiresAt != nil && !now.Before(*e.token.ExpiresAt):
		delete(c.entries, hash)
		return nil, cacheExpired
	}
	// A clock that went back counts as stale too.
	if age := now.Sub(e.checked); age < 0 || age >= MaxCacheAge {
		delete(c.entries, hash)
		return nil, cacheMiss
	}
	return e.principal, cacheHit
}

// generation returns the revocation count, to pass to store.
func (c *tokenCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// store keeps a token verified by a read that began at checked, unless a
// revocation was seen since gen. When the cache is full it drops stale
// entries first, then arbitrary ones: every entry is a real token, so no
// caller can push others out with made-up values.
func (c *tokenCache) store(hash string, e cachedToken, gen uint64, max int) {
	if max <= 0 {
		max = DefaultMaxCachedTokens
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if c.entries == nil {
		c.entries = map[string]cachedToken{}
	}
	if _, ok := c.entries[hash]; !ok && len(c.entries) >= max {
		for h, old := range c.entries {
			if age := e.checked.Sub(old.checked); age < 0 || age >= MaxCacheAge {
				delete(c.entries, h)
			}
		}
		for h := range c.entries {
			if len(c.entries) < max {
				break
			}
			delete(c.entries, h)
		}
	}
	c.entries[hash] = e
}

// forget drops hash and fails every lookup in flight, so a revocation
// through this process takes effect at once.
func (c *tokenCache) forget(hash string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	delete(c.entries, hash)
}

// size is how many tokens are cached.
func (c *tokenCache) size() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}
