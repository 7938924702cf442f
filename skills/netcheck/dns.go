package netcheck

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"

	"github.com/parleybot/parley/skills"
)

// Resolver looks names up in DNS. *net.Resolver satisfies it.
// Implementations must be safe for concurrent use.
type Resolver interface {
	LookupHost(ctx context.Context, host string) ([]string, error)
	LookupCNAME(ctx context.Context, host string) (string, error)
}

var _ Resolver = (*net.Resolver)(nil)

// maxAddrs is how many addresses a DNS answer lists.
const maxAddrs = 10

// DNS returns an executor that resolves its "hostname" argument with r and
// answers like
//
//	api.example.com → 93.184.216.34, 2606:2800::1 (CNAME edge.example.net)
//
// Addresses are sorted, IPv4 first, and at most ten are listed. A name that
// does not exist is reported as not resolving; other failures give a short
// reason. Both are *skills.UserError.
func DNS(r Resolver) skills.Executor {
	return skills.ExecutorFunc(func(ctx context.Context, call skills.Call) (skills.Result, error) {
		host := call.Args.String("hostname")
		if host == "" {
			return skills.Result{}, errors.New("netcheck: dns check called without a hostname")
		}
		addrs, err := r.LookupHost(ctx, host)
		if err != nil {
			return skills.Result{}, dnsFailure(ctx, host, err)
		}
		if len(addrs) == 0 {
			return skills.Result{}, skills.Errorf("%s does not resolve.", host)
		}
		text := host + " → " + formatAddrs(addrs)
		if cname, err := r.LookupCNAME(ctx, host); err == nil {
			c := strings.TrimSuffix(cname, ".")
			if c != "" && !strings.EqualFold(c, strings.TrimSuffix(host, ".")) {
				text += " (CNAME " + c + ")"
			}
		}
		return skills.Result{Text: text}, nil
	})
}

// formatAddrs sorts and de-duplicates addresses, IPv4 before IPv6, each in
// numeric order, anything unparseable last, and lists at most maxAddrs.
func formatAddrs(addrs []string) string {
	var (
		ips   []netip.Addr
		other []string
	)
	for _, a := range addrs {
		if ip, err := netip.ParseAddr(a); err == nil {
			ips = append(ips, ip.Unmap())
		} else {
			other = append(other, a)
		}
	}
	// Compare puts shorter addresses first: IPv4 before IPv6.
	slices.SortFunc(ips, netip.Addr.Compare)
	ips = slices.Compact(ips)
	slices.Sort(other)
	other = slices.Compact(other)

	list := make([]string, 0, len(ips)+len(other))
	for _, ip := range ips {
		list = append(list, ip.String())
	}
	list = append(list, other...)
	if extra := len(list) - maxAddrs; extra > 0 {
		return strings.Join(list[:maxAddrs], ", ") + fmt.Sprintf(" and %d more", extra)
	}
	return strings.Join(list, ", ")
}

// dnsFailure turns a lookup error into a reply. A cancelled call is not the
// person's business and stays an ordinary wrapped error.
func dnsFailure(ctx context.Context, host string, err error) error {
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		return fmt.Errorf("netcheck: lookup %s: %w", host, err)
	}
	dnsErr, isDNS := errors.AsType[*net.DNSError](err)
	switch {
	case isDNS && dnsErr.IsNotFound:
		return skills.Errorf("%s does not resolve.", host)
	case errors.Is(err, context.DeadlineExceeded), isDNS && dnsErr.IsTimeout:
		return skills.Errorf("DNS lookup of %s failed: timed out", host)
	case isDNS && dnsErr.Err != "":
		return skills.Errorf("DNS lookup of %s failed: %s", host, shortReason(dnsErr.Err))
	}
	return skills.Errorf("DNS lookup of %s failed", host)
}

// shortReason keeps a resolver's reason to one printable line of modest
// length.
func shortReason(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
	if r := []rune(s); len(r) > 80 {
		s = string(r[:80]) + "…"
	}
	return s
}
