package httpexec

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"regexp"
	"strings"
	"syscall"
	"time"
)

// MaxRedirects is how many redirects a request follows.
const MaxRedirects = 3

// allowList is the set of hosts, and of internal addresses, a skill may
// reach.
type allowList struct {
	exact    map[string]bool // lower-case host names
	suffixes []string        // ".example.com" for "*.example.com"
	nets     []netip.Prefix  // addresses and networks named explicitly
}

// hostnameRE is what a host name on the allow-list may look like.
var hostnameRE = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// newAllowList reads allow-list entries: host names ("api.example.com"),
// wildcards for the subdomains of one ("*.example.com", not the name
// itself), IP addresses ("10.0.0.5", "::1") and networks ("10.0.0.0/8").
// Only addresses and networks listed here can make an internal address
// reachable.
func newAllowList(entries []string) (*allowList, error) {
	if len(entries) == 0 {
		return nil, errors.New("allow_hosts is empty: name the hosts this skill may call")
	}
	a := &allowList{exact: map[string]bool{}}
	for _, e := range entries {
		h := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(e)), ".")
		if p, err := netip.ParsePrefix(h); err == nil {
			a.nets = append(a.nets, p.Masked())
			continue
		}
		if ip, err := netip.ParseAddr(strings.Trim(h, "[]")); err == nil {
			ip = ip.Unmap()
			a.nets = append(a.nets, netip.PrefixFrom(ip, ip.BitLen()))
			continue
		}
		if rest, ok := strings.CutPrefix(h, "*."); ok {
			if !hostnameRE.MatchString(rest) || !strings.Contains(rest, ".") {
				return nil, fmt.Errorf("allow_hosts entry %q: a wildcard covers the subdomains of a domain with a dot, like *.example.com", e)
			}
			a.suffixes = append(a.suffixes, "."+rest)
			continue
		}
		if !hostnameRE.MatchString(h) {
			return nil, fmt.Errorf("allow_hosts entry %q: want a host name, *.domain, an IP address or a network", e)
		}
		a.exact[h] = true
	}
	return a, nil
}

// host reports whether a URL's host (without port) may be called.
func (a *allowList) host(h string) bool {
	h = strings.TrimSuffix(strings.ToLower(h), ".")
	if ip, err := netip.ParseAddr(strings.Trim(h, "[]")); err == nil {
		return a.addr(ip)
	}
	if a.exact[h] {
		return true
	}
	for _, s := range a.suffixes {
		if strings.HasSuffix(h, s) {
			return true
		}
	}
	return false
}

// addr reports whether the allow-list names ip or a network holding it.
func (a *allowList) addr(ip netip.Addr) bool {
	ip = ip.Unmap().WithZone("")
	for _, p := range a.nets {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// internalNets are the networks besides loopback, private and link-local
// ones that reach something other than the public internet, or carry an
// IPv4 address inside an IPv6 one.
var internalNets = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("::/96"),           // IPv4-compatible, deprecated
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved
	netip.MustParsePrefix("64:ff9b::/96"),    // NAT64
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local NAT64
	netip.MustParsePrefix("2001::/32"),       // Teredo
	netip.MustParsePrefix("2002::/16"),       // 6to4
	netip.MustParsePrefix("fec0::/10"),       // site-local, deprecated
	netip.MustParsePrefix("::ffff:0:0:0/96"), // IPv4-translated
}

// classify names the kind of internal address ip is, or returns "" for a
// public one.
func classify(ip netip.Addr) string {
	ip = ip.Unmap().WithZone("")
	switch {
	case ip.IsLoopback():
		return "a loopback address"
	case ip.IsPrivate():
		return "a private address"
	case ip.IsLinkLocalUnicast():
		return "a link-local address"
	case ip.IsUnspecified():
		return "an unspecified address"
	case ip.IsMulticast() || ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast():
		return "a multicast address"
	case !ip.IsGlobalUnicast():
		return "not a unicast address"
	}
	for _, p := range internalNets {
		if p.Contains(ip) {
			return "an internal address"
		}
	}
	return ""
}

// addrError is a connection the guard refused.
type addrError struct {
	host string // as dialled, without port; empty until the dial returns
	ip   netip.Addr
	why  string
}

func (e *addrError) Error() string {
	return fmt.Sprintf("refusing to connect to %s: %s is %s not on the allow-list", e.host, e.ip, e.why)
}

// hostError is a request or redirect to a host off the allow-list.
type hostError struct {
	host     string
	redirect bool
	reason   string
}

func (e *hostError) Error() string {
	switch {
	case e.reason != "":
		return e.reason
	case e.redirect:
		return fmt.Sprintf("refusing to follow a redirect to %s: the host is not on the allow-list", e.host)
	}
	return fmt.Sprintf("refusing to call %s: the host is not on the allow-list", e.host)
}

// errTooManyRedirects ends a chain of more than MaxRedirects redirects.
var errTooManyRedirects = fmt.Errorf("stopped after %d redirects", MaxRedirects)

// dialer connects only to public addresses and to internal ones the
// allow-list names. The check runs on the resolved address that is about
// to be connected, so DNS cannot smuggle an internal address past it.
func (a *allowList) dialer() func(ctx context.Context, network, addr string) (net.Conn, error) {
	d := &net.Dialer{
		Timeout:   30 * time.Second,
		KeepAlive: 30 * time.Second,
		Control: func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("unexpected dial address %q: %w", address, err)
			}
			ip := ap.Addr().Unmap()
			if why := classify(ip); why != "" && !a.addr(ip) {
				return &addrError{ip: ip, why: why}
			}
			return nil
		},
	}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := d.DialContext(ctx, network, addr)
		var ae *addrError
		if errors.As(err, &ae) {
			host, _, _ := net.SplitHostPort(addr)
			return nil, &addrError{host: host, ip: ae.ip, why: ae.why}
		}
		return conn, err
	}
}

// redirectPolicy follows at most MaxRedirects redirects, each to an
// allowed host and never from https to http. No Referer is sent, and
// headers that carry secrets are dropped when a redirect leaves the
// original host and port.
func (a *allowList) redirectPolicy(sensitive []string) func(req *http.Request, via []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if len(via) > MaxRedirects {
			return errTooManyRedirects
		}
		first := via[0].URL
		switch {
		case req.URL.Scheme != "http" && req.URL.Scheme != "https":
			return &hostError{host: req.URL.Host, redirect: true, reason: fmt.Sprintf("refusing to follow a redirect to a %s: URL", req.URL.Scheme)}
		case first.Scheme == "https" && req.URL.Scheme == "http":
			return &hostError{host: req.URL.Host, redirect: true, reason: fmt.Sprintf("refusing to follow a redirect from https to http://%s", req.URL.Host)}
		case !a.host(req.URL.Hostname()):
			return &hostError{host: req.URL.Hostname(), redirect: true}
		}
		// The client would tell the next host the previous URL, query
		// (and any secret in it) included.
		req.Header.Del("Referer")
		if !strings.EqualFold(req.URL.Host, first.Host) {
			for _, h := range sensitive {
				req.Header.Del(h)
			}
		}
		return nil
	}
}
