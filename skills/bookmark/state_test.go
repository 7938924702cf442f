package bookmark

import (
	"context"
	"slices"
	"strconv"
	"sync"

	"github.com/parleybot/parley/skills"
)

// memState is a minimal skills.State. When fail is set, calls of the
// method named failOn (or of every method, when failOn is empty) return it.
type memState struct {
	mu     sync.Mutex
	kv     map[string][]byte
	lists  map[string][][]byte
	fail   error
	failOn string
}

func newMemState() *memState {
	return &memState{kv: map[string][]byte{}, lists: map[string][][]byte{}}
}

var _ skills.State = (*memState)(nil)

func (m *memState) Get(_ context.Context, key string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failing("Get") {
		return nil, m.fail
	}
	v, ok := m.kv[key]
	if !ok {
		return nil, skills.ErrNotFound
	}
	return slices.Clone(v), nil
}

func (m *memState) Put(_ context.Context, key string, val []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failing("Put") {
		return m.fail
	}
	m.kv[key] = slices.Clone(val)
	return nil
}

func (m *memState) Incr(_ context.Context, key string) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failing("Incr") {
		return 0, m.fail
	}
	n, _ := strconv.ParseInt(string(m.kv[key]), 10, 64)
	n++
	m.kv[key] = []byte(strconv.FormatInt(n, 10))
	return n, nil
}

func (m *memState) Append(_ context.Context, key string, val []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failing("Append") {
		return m.fail
	}
	m.lists[key] = append(m.lists[key], slices.Clone(val))
	return nil
}

func (m *memState) List(_ context.Context, key string) ([][]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failing("List") {
		return nil, m.fail
	}
	out := make([][]byte, len(m.lists[key]))
	for i, v := range m.lists[key] {
		out[i] = slices.Clone(v)
	}
	return out, nil
}

// failing reports whether op must fail; the caller holds mu.
func (m *memState) failing(op string) bool {
	return m.fail != nil && (m.failOn == "" || m.failOn == op)
}

// setFail makes op (every method, when op is empty) return err.
func (m *memState) setFail(op string, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.fail, m.failOn = err, op
}
