package netcheck

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/parleybot/parley/skills"
)

// call binds raw for a one-parameter skill and returns the call.
func call(t *testing.T, param, typ, value string) skills.Call {
	t.Helper()
	s := &skills.Skill{Name: "check", Params: []skills.Param{{Name: param, Type: skills.MustType(skills.TypeSpec{Name: typ})}}}
	args, err := s.Bind(map[string]string{param: value}, skills.Caller{User: "alice"})
	if err != nil {
		t.Fatalf("Bind(%s=%q): %v", param, value, err)
	}
	return skills.Call{Skill: s, Args: args, Time: time.Now()}
}

// fakeResolver answers from maps, fails with err, or, when block is set,
// waits for the context like a resolver that gets no answer.
type fakeResolver struct {
	addrs  map[string][]string
	cnames map[string]string
	err    error
	block  bool
}

func (f fakeResolver) LookupHost(ctx context.Context, host string) ([]string, error) {
	switch {
	case f.block:
		<-ctx.Done()
		return nil, &net.DNSError{Err: ctx.Err().Error(), Name: host, IsTimeout: errors.Is(ctx.Err(), context.DeadlineExceeded)}
	case f.err != nil:
		return nil, f.err
	}
	return f.addrs[host], nil
}

func (f fakeResolver) LookupCNAME(ctx context.Context, host string) (string, error) {
	if c, ok := f.cnames[host]; ok {
		return c, nil
	}
	return host + ".", nil
}

func TestDNS(t *testing.T) {
	const host = "api.example.com"
	tests := []struct {
		name    string
		r       fakeResolver
		want    string // the answer, or the *skills.UserError message
		wantErr bool
	}{
		{
			name: "addresses and CNAME",
			r: fakeResolver{
				addrs:  map[string][]string{host: {"2606:2800::1", "93.184.216.34"}},
				cnames: map[string]string{host: "edge.example.net."},
			},
			want: "api.example.com → 93.184.216.34, 2606:2800::1 (CNAME edge.example.net)",
		},
		{
			name: "sorted, IPv4 first, duplicates once",
			r: fakeResolver{addrs: map[string][]string{host: {
				"2606:2800::1", "10.0.0.10", "2001:db8::1", "10.0.0.2", "::ffff:10.0.0.2", "10.0.0.10",
			}}},
			want: "api.example.com → 10.0.0.2, 10.0.0.10, 2001:db8::1, 2606:2800::1",
		},
		{
			name: "at most ten",
			r: fakeResolver{addrs: map[string][]string{host: {
				"10.0.0.12", "10.0.0.11", "10.0.0.10", "10.0.0.9", "10.0.0.8", "10.0.0.7",
				"10.0.0.6", "10.0.0.5", "10.0.0.4", "10.0.0.3", "10.0.0.2", "10.0.0.1",
			}}},
			want: "api.example.com → 10.0.0.1, 10.0.0.2, 10.0.0.3, 10.0.0.4, 10.0.0.5, 10.0.0.6, 10.0.0.7, 10.0.0.8, 10.0.0.9, 10.0.0.10 and 2 more",
		},
		{
			name:    "NXDOMAIN",
			r:       fakeResolver{err: &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}},
			want:    "api.example.com does not resolve.",
			wantErr: true,
		},
		{
			name:    "no addresses",
			r:       fakeResolver{addrs: map[string][]string{}},
			want:    "api.example.com does not resolve.",
			wantErr: true,
		},
		{
			name:    "resolver timeout",
			r:       fakeResolver{err: &net.DNSError{Err: "i/o timeout", Name: host, Server: "10.0.0.53:53", IsTimeout: true}},
			want:    "DNS lookup of api.example.com failed: timed out",
			wantErr: true,
		},
		{
			name:    "deadline",
			r:       fakeResolver{block: true},
			want:    "DNS lookup of api.example.com failed: timed out",
			wantErr: true,
		},
		{
			name:    "server failure",
			r:       fakeResolver{err: &net.DNSError{Err: "server misbehaving", Name: host, Server: "10.0.0.53:53"}},
			want:    "DNS lookup of api.example.com failed: server misbehaving",
			wantErr: true,
		},
		{
			name:    "other error",
			r:       fakeResolver{err: errors.New("dial udp 10.0.0.53:53: socket: too many open files")},
			want:    "DNS lookup of api.example.com failed",
			wantErr: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			res, err := DNS(tt.r).Execute(ctx, call(t, "hostname", "hostname", host))
			if !tt.wantErr {
				if err != nil {
					t.Fatal(err)
				}
				if res.Text != tt.want {
					t.Fatalf("Text = %q, want %q", res.Text, tt.want)
				}
				return
			}
			ue, ok := errors.AsType[*skills.UserError](err)
			if !ok {
				t.Fatalf("error = %v (%T), want a *skills.UserError", err, err)
			}
			if ue.Msg != tt.want {
				t.Fatalf("message = %q, want %q", ue.Msg, tt.want)
			}
		})
	}
}

func TestDNSCancelIsNotShown(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := fakeResolver{err: &net.DNSError{Err: "operation was canceled", Name: "a.example.com"}}
	r.err = errors.Join(r.err, context.Canceled)
	_, err := DNS(r).Execute(ctx, call(t, "hostname", "hostname", "a.example.com"))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v, want one wrapping context.Canceled", err)
	}
	if _, ok := errors.AsType[*skills.UserError](err); ok {
		t.Fatalf("a cancelled lookup is reported to the person: %v", err)
	}
}
