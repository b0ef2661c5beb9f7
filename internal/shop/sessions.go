package shop

import (
	"sync"
	"time"

	"github.com/oc-pizza/ocpizza/internal/account"
)

// Every authenticated request needs the actor behind its token. A busy
// evening sends the same few hundred tokens many times a second, and
// reading each from the database was a fifth of an order's round trips on
// PostgreSQL. The actor is kept for a moment instead. Signing out forgets
// it at once here; a sign-out, role change or expiry seen through another
// instance takes effect within sessionCacheTTL.
const sessionCacheTTL = 2 * time.Second

// sessionCacheMax bounds the memory a flood of distinct tokens can take.
const sessionCacheMax = 10000

type sessionCache struct {
	mu      sync.Mutex
	entries map[string]cachedActor
}

type cachedActor struct {
	actor account.Actor
	until time.Time
}

func (c *sessionCache) get(tokenHash string, now time.Time) (account.Actor, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[tokenHash]
	if !ok || !now.Before(e.until) {
		return account.Actor{}, false
	}
	return e.actor, true
}

func (c *sessionCache) put(tokenHash string, a account.Actor, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[string]cachedActor{}
	}
	if len(c.entries) >= sessionCacheMax {
		for k, e := range c.entries {
			if !now.Before(e.until) {
				delete(c.entries, k)
			}
		}
		if len(c.entries) >= sessionCacheMax {
			clear(c.entries)
		}
	}
	c.entries[tokenHash] = cachedActor{actor: a, until: now.Add(sessionCacheTTL)}
}

func (c *sessionCache) forget(tokenHash string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, tokenHash)
}

// forgetUser drops every cached session of a user.
func (c *sessionCache) forgetUser(userID int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.entries {
		if e.actor.UserID == userID {
			delete(c.entries, k)
		}
	}
}
