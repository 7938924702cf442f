package httpexec

import (
	"context"
	"errors"
	"io"
	"log"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/parleybot/parley/skills"
)

// received is one request as a test server saw it.
type received struct {
	method     string
	requestURI string
	header     http.Header
	body       []byte
}

// server is an httptest server that records every request before handing
// it to its handler.
type server struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []received
}

func newServer(t *testing.T, h http.HandlerFunc) *server {
	t.Helper()
	s := &server{}
	s.Server = httptest.NewServer(s.record(h))
	t.Cleanup(s.Close)
	return s
}

func newTLSServer(t *testing.T, h http.HandlerFunc) *server {
	t.Helper()
	s := &server{}
	s.Server = httptest.NewUnstartedServer(s.record(h))
	// The TLS handshake errors of refused clients are expected.
	s.Config.ErrorLog = log.New(io.Discard, "", 0)
	s.StartTLS()
	t.Cleanup(s.Close)
	return s
}

func (s *server) record(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.reqs = append(s.reqs, received{method: r.Method, requestURI: r.RequestURI, header: r.Header.Clone(), body: body})
		s.mu.Unlock()
		if h == nil {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"ok": true}`)
			return
		}
		h(w, r)
	}
}

// requests returns what the server received so far.
func (s *server) requests() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.reqs)
}

// last returns the last request the server received, failing when none.
func (s *server) last(t *testing.T) received {
	t.Helper()
	reqs := s.requests()
	if len(reqs) == 0 {
		t.Fatal("the server received no request")
	}
	return reqs[len(reqs)-1]
}

// Parameter types the tests use.
var (
	textType = skills.MustType(skills.TypeSpec{Name: "text"})
	daysType = skills.MustType(skills.TypeSpec{Name: "int", Min: 1, Max: 90})
)

// skillOf declares a skill whose parameters have the given types.
func skillOf(types map[string]skills.Type, secret ...string) *skills.Skill {
	s := &skills.Skill{Name: "test"}
	for _, n := range slices.Sorted(maps.Keys(types)) {
		s.Params = append(s.Params, skills.Param{Name: n, Type: types[n], Secret: slices.Contains(secret, n)})
	}
	return s
}

// runner is an executor and the skill whose arguments it takes.
type runner struct {
	t     *testing.T
	skill *skills.Skill
	exec  *Executor
}

func newRunner(t *testing.T, spec Spec, skill *skills.Skill) *runner {
	t.Helper()
	var names []string
	for _, p := range skill.Params {
		names = append(names, p.Name)
	}
	e, err := New(spec, names)
	if err != nil {
		t.Fatalf("New(%v): %v", spec, err)
	}
	return &runner{t: t, skill: skill, exec: e}
}

func (r *runner) run(ctx context.Context, raw map[string]string) (skills.Result, error) {
	r.t.Helper()
	who := skills.Caller{User: "alice"}
	args, err := r.skill.Bind(raw, who)
	if err != nil {
		r.t.Fatalf("Bind(%v): %v", raw, err)
	}
	return r.exec.Execute(ctx, skills.Call{Skill: r.skill, Args: args, Caller: who, Time: time.Now()})
}

// text runs the executor and returns its reply, failing on any error.
func (r *runner) text(raw map[string]string) string {
	r.t.Helper()
	res, err := r.run(context.Background(), raw)
	if err != nil {
		r.t.Fatalf("Execute(%v): %v", raw, err)
	}
	return res.Text
}

// userError returns the message of a *skills.UserError, failing otherwise.
func userError(t *testing.T, err error) string {
	t.Helper()
	var ue *skills.UserError
	if !errors.As(err, &ue) {
		t.Fatalf("error = %v (%T), want a *skills.UserError", err, err)
	}
	return ue.Msg
}

// local allows the httptest servers, which listen on 127.0.0.1.
var local = []string{"127.0.0.1"}
