package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/parleybot/parley/skills"
)

// FileStore keeps two-factor data in one JSON file (0600) for setups
// without Redis, so enrolments survive a restart. Every change rewrites
// the file atomically (write, sync, rename). One process at a time.
type FileStore struct {
	mu   sync.Mutex
	path string
	data map[string][]byte
}

// OpenFileStore reads (or starts) the file at path.
func OpenFileStore(path string) (*FileStore, error) {
	s := &FileStore{path: path, data: map[string][]byte{}}
	raw, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return nil, err
	default:
		if err := json.Unmarshal(raw, &s.data); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	return s, nil
}

// Get returns the value at key, or skills.ErrNotFound.
func (s *FileStore) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.data[key]
	if !ok {
		return nil, skills.ErrNotFound
	}
	return append([]byte(nil), v...), nil
}

// Put sets key to val.
func (s *FileStore) Put(_ context.Context, key string, val []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.data[key] = append([]byte(nil), val...)
	return s.save()
}

// Incr adds one to the counter at key.
func (s *FileStore) Incr(_ context.Context, key string) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, _ := strconv.ParseInt(string(s.data[key]), 10, 64)
	n++
	s.data[key] = []byte(strconv.FormatInt(n, 10))
	return n, s.save()
}

func (s *FileStore) save() error {
	raw, err := json.Marshal(s.data)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(s.path), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(s.path), ".2fa-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(raw); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), s.path)
}
