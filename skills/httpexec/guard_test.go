package httpexec

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"testing"

	"github.com/parleybot/parley/skills"
)

func TestClassify(t *testing.T) {
	tests := []struct{ ip, want string }{
		{"127.0.0.1", "a loopback address"},
		{"127.8.9.10", "a loopback address"},
		{"::1", "a loopback address"},
		{"::ffff:127.0.0.1", "a loopback address"},
		{"10.1.2.3", "a private address"},
		{"172.16.0.1", "a private address"},
		{"192.168.1.1", "a private address"},
		{"fd00::1", "a private address"},
		{"169.254.169.254", "a link-local address"},
		{"fe80::1", "a link-local address"},
		{"fe80::1%eth0", "a link-local address"},
		{"0.0.0.0", "an unspecified address"},
		{"::", "an unspecified address"},
		{"224.0.0.1", "a multicast address"},
		{"ff02::1", "a multicast address"},
		{"255.255.255.255", "not a unicast address"},
		{"100.64.0.1", "an internal address"},
		{"0.1.2.3", "an internal address"},
		{"198.18.0.1", "an internal address"},
		{"240.0.0.1", "an internal address"},
		{"64:ff9b::7f00:1", "an internal address"},
		{"2002:7f00:1::1", "an internal address"},
		{"::127.0.0.1", "an internal address"},
		{"8.8.8.8", ""},
		{"93.184.216.34", ""},
		{"2606:4700:4700::1111", ""},
		{"::ffff:8.8.8.8", ""},
	}
	for _, tt := range tests {
		if got := classify(netip.MustParseAddr(tt.ip)); got != tt.want {
			t.Errorf("classify(%s) = %q, want %q", tt.ip, got, tt.want)
		}
	}
}

func TestAllowList(t *testing.T) {
	a, err := newAllowList([]string{"API.example.com.", "*.corp.example", "10.0.0.5", "[::1]", "192.168.0.0/16", "fe80::/10"})
	if err != nil {
		t.Fatal(err)
	}
	hosts := []struct {
		host string
		want bool
	}{
		{"api.example.com", true},
		{"Api.Example.Com.", true},
		{"example.com", false},
		{"evil-api.example.com", false},
		{"api.example.com.evil.io", false},
		{"a.corp.example", true},
		{"a.b.corp.example", true},
		{"corp.example", false},
		{"evilcorp.example", false},
		{"10.0.0.5", true},
		{"10.0.0.6", false},
		{"::1", true},
		{"[::1]", true},
		{"192.168.44.1", true},
		{"::ffff:10.0.0.5", true},
	}
	for _, tt := range hosts {
		if got := a.host(tt.host); got != tt.want {
			t.Errorf("host(%q) = %v, want %v", tt.host, got, tt.want)
		}
	}
	addrs := []struct {
		ip   string
		want bool
	}{
		{"10.0.0.5", true},
		{"10.0.0.6", false},
		{"::1", true},
		{"127.0.0.1", false},
		{"192.168.3.4", true},
		{"fe80::1%eth0", true},
	}
	for _, tt := range addrs {
		if got := a.addr(netip.MustParseAddr(tt.ip)); got != tt.want {
			t.Errorf("addr(%s) = %v, want %v", tt.ip, got, tt.want)
		}
	}
	for _, bad := range [][]string{nil, {}, {""}, {"*"}, {"*.com"}, {"exa mple.com"}, {"http://x.io"}, {"x.io:443"}, {"-x.io"}} {
		if _, err := newAllowList(bad); err == nil {
			t.Errorf("newAllowList(%q) accepted", bad)
		}
	}
}

// TestLoopbackRefused checks that a host name on the allow-list that
// resolves to a loopback address is refused, while naming the address, or
// its network, lets the call through.
func TestLoopbackRefused(t *testing.T) {
	t.Parallel()
	srv := newServer(t, nil)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	r := newRunner(t, Spec{URL: "http://localhost:" + port + "/ok", AllowHosts: []string{"localhost"}}, skillOf(nil))
	_, err := r.run(context.Background(), nil)
	msg := userError(t, err)
	if !strings.HasPrefix(msg, "refusing to connect to localhost: ") || !strings.Contains(msg, "a loopback address not on the allow-list") {
		t.Errorf("message %q", msg)
	}
	if n := len(srv.requests()); n != 0 {
		t.Fatalf("the server received %d requests", n)
	}

	for _, allowed := range [][]string{{"localhost", "127.0.0.1", "::1"}, {"localhost", "127.0.0.0/8", "::1/128"}} {
		r := newRunner(t, Spec{URL: "http://localhost:" + port + "/ok", AllowHosts: allowed}, skillOf(nil))
		if got := r.text(nil); got != "HTTP 200 OK\n{\"ok\": true}" {
			t.Errorf("allowed %v: %q", allowed, got)
		}
	}
}

func TestDialerChecksTheResolvedAddress(t *testing.T) {
	t.Parallel()
	srv := newServer(t, nil)
	a, err := newAllowList([]string{"example.com"})
	if err != nil {
		t.Fatal(err)
	}
	conn, err := a.dialer()(context.Background(), "tcp", srv.Listener.Addr().String())
	var ae *addrError
	if !errors.As(err, &ae) {
		if conn != nil {
			_ = conn.Close()
		}
		t.Fatalf("dialing %s: %v, want an address error", srv.Listener.Addr(), err)
	}
	if ae.host != "127.0.0.1" || ae.ip != netip.MustParseAddr("127.0.0.1") {
		t.Errorf("address error %+v", ae)
	}
}

func TestHostNotAllowed(t *testing.T) {
	_, err := New(Spec{URL: "http://127.0.0.1:8080/x", AllowHosts: []string{"api.example.com"}}, nil)
	if err == nil || !strings.Contains(err.Error(), "host 127.0.0.1 is not on allow_hosts") {
		t.Errorf("New: %v", err)
	}
}

func TestRedirects(t *testing.T) {
	t.Parallel()
	plain := newServer(t, nil)
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/self":
			http.Redirect(w, r, "/ok", http.StatusMovedPermanently)
		case r.URL.Path == "/evil":
			http.Redirect(w, r, "http://evil.example/steal", http.StatusFound)
		case r.URL.Path == "/file":
			http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
		case strings.HasPrefix(r.URL.Path, "/loop/"):
			http.Redirect(w, r, r.URL.Path+"x", http.StatusFound)
		default:
			_, _ = io.WriteString(w, `{"at": "`+r.URL.Path+`"}`)
		}
	})
	tls := newTLSServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, plain.URL+"/ok", http.StatusFound)
	})

	r := newRunner(t, Spec{URL: srv.URL + "/self", AllowHosts: local, Response: "{.at}"}, skillOf(nil))
	if got := r.text(nil); got != "/ok" {
		t.Errorf("redirect on the same host: %q", got)
	}

	tests := []struct {
		url  string
		want string
	}{
		{srv.URL + "/evil", "refusing to follow a redirect to evil.example: the host is not on the allow-list"},
		{srv.URL + "/file", "refusing to follow a redirect to a file: URL"},
		{srv.URL + "/loop/", "refusing to follow more than 3 redirects"},
		{tls.URL, "refusing to follow a redirect from https to http://" + strings.TrimPrefix(plain.URL, "http://")},
	}
	for _, tt := range tests {
		r := newRunner(t, Spec{URL: tt.url, AllowHosts: local, InsecureSkipVerify: true}, skillOf(nil))
		_, err := r.run(context.Background(), nil)
		if msg := userError(t, err); msg != tt.want {
			t.Errorf("%s: %q\nwant %q", tt.url, msg, tt.want)
		}
	}
	loops := 0
	for _, req := range srv.requests() {
		if strings.HasPrefix(req.requestURI, "/loop/") {
			loops++
		}
	}
	if loops != 1+MaxRedirects {
		t.Errorf("the redirect loop made %d requests, want %d", loops, 1+MaxRedirects)
	}
	if n := len(plain.requests()); n != 0 {
		t.Errorf("the downgrade reached the plain server %d times", n)
	}
}

func TestTLSVerification(t *testing.T) {
	t.Parallel()
	srv := newTLSServer(t, nil)
	r := newRunner(t, Spec{URL: srv.URL + "/ok", AllowHosts: local}, skillOf(nil))
	_, err := r.run(context.Background(), nil)
	if msg := userError(t, err); msg != "the TLS certificate of 127.0.0.1 is not trusted" {
		t.Errorf("self-signed certificate: %q", msg)
	}
	if n := len(srv.requests()); n != 0 {
		t.Errorf("a request went through an untrusted connection")
	}
	r = newRunner(t, Spec{URL: srv.URL + "/ok", AllowHosts: local, InsecureSkipVerify: true}, skillOf(nil))
	if got := r.text(nil); got != "HTTP 200 OK\n{\"ok\": true}" {
		t.Errorf("with verification off: %q", got)
	}
}

func TestConnectionErrors(t *testing.T) {
	t.Parallel()
	// A listener closed at once leaves a port nobody listens on.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	r := newRunner(t, Spec{URL: "http://" + addr + "/", AllowHosts: local}, skillOf(nil))
	_, err = r.run(context.Background(), nil)
	if msg := userError(t, err); msg != "127.0.0.1 refused the connection" {
		t.Errorf("closed port: %q", msg)
	}
	r = newRunner(t, Spec{URL: "http://no-such-host.invalid/", AllowHosts: []string{"no-such-host.invalid"}}, skillOf(nil))
	_, err = r.run(context.Background(), nil)
	var ue *skills.UserError
	if errors.As(err, &ue) && ue.Msg != "no such host: no-such-host.invalid" {
		t.Errorf("unknown host: %q", ue.Msg)
	}
}
