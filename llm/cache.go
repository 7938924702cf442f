package llm

import (
	"container/list"
	"sync"
	"time"
)

// replyCache is a least-recently-used cache of model replies whose
// entries also expire. It is safe for concurrent use.
type replyCache struct {
	size int
	ttl  time.Duration

	mu    sync.Mutex
	order *list.List // of *cacheEntry, most recent first
	byKey map[string]*list.Element
}

type cacheEntry struct {
	key     string
	val     reply
	expires time.Time
}

func newReplyCache(size int, ttl time.Duration) *replyCache {
	return &replyCache{size: size, ttl: ttl, order: list.New(), byKey: make(map[string]*list.Element, size)}
}

func (c *replyCache) get(key string, now time.Time) (reply, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.byKey[key]
	if !ok {
		return reply{}, false
	}
	e := el.Value.(*cacheEntry)
	if !now.Before(e.expires) {
		c.order.Remove(el)
		delete(c.byKey, key)
		return reply{}, false
	}
	c.order.MoveToFront(el)
	return e.val, true
}

func (c *replyCache) put(key string, val reply, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.byKey[key]; ok {
		e := el.Value.(*cacheEntry)
		e.val, e.expires = val, now.Add(c.ttl)
		c.order.MoveToFront(el)
		return
	}
	c.byKey[key] = c.order.PushFront(&cacheEntry{key: key, val: val, expires: now.Add(c.ttl)})
	for c.order.Len() > c.size {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.byKey, last.Value.(*cacheEntry).key)
	}
}

func (c *replyCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}
