package netcheck

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"syscall"
	"time"

	"github.com/parleybot/parley/skills"
)

// Defaults for the zero fields of HTTPOptions, and fixed limits.
const (
	DefaultHTTPTimeout  = 5 * time.Second
	DefaultMaxRedirects = 3

	maxBody      = 64 << 10 // bytes of body read, then discarded
	certWarnDays = 30       // a certificate closer to expiry is mentioned
	maxShownURL  = 200      // longest redirect target quoted in a reply
)

// HTTPOptions configures the HTTP check.
type HTTPOptions struct {
	// Timeout bounds the whole request, body included (DefaultHTTPTimeout
	// when zero). A caller's earlier deadline wins.
	Timeout time.Duration
	// MaxRedirects is how many redirects are followed (DefaultMaxRedirects
	// when zero); a negative value follows none and reports the redirect.
	MaxRedirects int
	// Client, when set, makes the requests; its redirect policy is
	// replaced by MaxRedirects and Allow and Deny do not apply. Tests pass
	// an httptest server's client.
	Client *http.Client
	// Deny lists networks the check never connects to, redirects
	// included; nil means DefaultDeny. The check runs on the address about
	// to be connected, so no DNS name can lead past it.
	Deny []netip.Prefix
	// Allow, when not empty, is the only networks it connects to.
	Allow []netip.Prefix
}

// DefaultDeny is the link-local networks, where cloud metadata services
// hand out credentials to whoever asks from the machine: a person who may
// check a URL must not make the bot fetch those.
var DefaultDeny = []netip.Prefix{
	netip.MustParsePrefix("169.254.0.0/16"),
	netip.MustParsePrefix("fe80::/10"),
}

// refusedError is a connection the network policy did not allow.
type refusedError struct {
	ip     netip.Addr
	denied bool
}

func (e *refusedError) Error() string {
	if e.denied {
		return fmt.Sprintf("%s is on a network the check may not reach", e.ip)
	}
	return fmt.Sprintf("%s is not on a network the check may reach", e.ip)
}

// policy reports why ip may not be connected to, or nil.
func policy(allow, deny []netip.Prefix, ip netip.Addr) error {
	ip = ip.Unmap().WithZone("")
	for _, p := range deny {
		if p.Contains(ip) {
			return &refusedError{ip: ip, denied: true}
		}
	}
	if len(allow) == 0 {
		return nil
	}
	for _, p := range allow {
		if p.Contains(ip) {
			return nil
		}
	}
	return &refusedError{ip: ip}
}

// errTooManyRedirects stops a redirect chain longer than allowed.
var errTooManyRedirects = errors.New("too many redirects")

type httpCheck struct {
	client       *http.Client
	timeout      time.Duration
	maxRedirects int
}

// HTTP returns an executor that fetches its "url" argument with GET and
// answers like
//
//	https://x/health → 200 OK in 43 ms (TLS certificate expires in 23 days)
//
// The certificate note appears when it expires within 30 days of the
// call's Time. A status other than 2xx is not an error: the answer starts
// with "⚠". Failing to get a response at all is a *skills.UserError with a
// short reason such as "could not connect" or "timed out after 5s".
func HTTP(opts HTTPOptions) skills.Executor {
	h := &httpCheck{timeout: opts.Timeout, maxRedirects: opts.MaxRedirects}
	if h.timeout <= 0 {
		h.timeout = DefaultHTTPTimeout
	}
	if h.maxRedirects == 0 {
		h.maxRedirects = DefaultMaxRedirects
	}
	var c http.Client
	if opts.Client != nil {
		c = *opts.Client
	} else {
		deny := opts.Deny
		if deny == nil {
			deny = DefaultDeny
		}
		c.Transport = newTransport(opts.Allow, deny)
	}
	limit := h.maxRedirects
	c.CheckRedirect = func(_ *http.Request, via []*http.Request) error {
		switch {
		case limit < 0:
			return http.ErrUseLastResponse
		case len(via) > limit:
			return errTooManyRedirects
		}
		return nil
	}
	h.client = &c
	return h
}

// newTransport connects only where allow and deny let it. It takes no
// proxy from the environment: through a proxy, the policy would judge the
// proxy's address and not the target's.
func newTransport(allow, deny []netip.Prefix) *http.Transport {
	d := &net.Dialer{
		Timeout:   5 * time.Second,
		KeepAlive: 30 * time.Second,
		Control: func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("unexpected dial address %q: %w", address, err)
			}
			return policy(allow, deny, ap.Addr())
		},
	}
	return &http.Transport{
		DialContext:           d.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          10,
		IdleConnTimeout:       30 * time.Second,
		TLSHandshakeTimeout:   5 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
}

// Execute performs the check.
func (h *httpCheck) Execute(ctx context.Context, call skills.Call) (skills.Result, error) {
	raw := call.Args.String("url")
	u, err := url.Parse(raw)
	if err != nil {
		return skills.Result{}, skills.Errorf("that is not a URL")
	}
	// Passwords in the URL are masked wherever it is shown.
	shown := u.Redacted()
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return skills.Result{}, skills.Errorf("%s is not an http or https URL", shown)
	}
	limit := h.timeout
	if dl, ok := ctx.Deadline(); ok {
		limit = min(limit, time.Until(dl))
	}
	reqCtx, cancel := context.WithTimeout(ctx, h.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(reqCtx, http.MethodGet, u.String(), nil)
	if err != nil {
		return skills.Result{}, fmt.Errorf("netcheck: request for %s: %w", shown, err)
	}
	req.Header.Set("User-Agent", "parley-netcheck")

	start := time.Now()
	resp, err := h.client.Do(req)
	if err != nil {
		if ctx.Err() != nil && errors.Is(err, context.Canceled) {
			return skills.Result{}, fmt.Errorf("netcheck: GET %s: %w", shown, err)
		}
		return skills.Result{}, skills.Errorf("GET %s failed: %s", shown, h.reason(err, limit))
	}
	// The body only matters for timing; a slow or broken body still
	// leaves the status to report.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody))
	_ = resp.Body.Close()
	elapsed := time.Since(start)

	text := fmt.Sprintf("%s → %s in %d ms", shown, statusText(resp.StatusCode), elapsed.Milliseconds())
	if final := resp.Request.URL; final.String() != u.String() {
		text += " (redirected to " + clip(final.Redacted(), maxShownURL) + ")"
	}
	if resp.TLS != nil {
		now := call.Time
		if now.IsZero() {
			now = time.Now()
		}
		if note := certNote(resp.TLS, now); note != "" {
			text += " (" + note + ")"
		}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		text = "⚠ " + text
	}
	return skills.Result{Text: text}, nil
}

// statusText is "503 Service Unavailable" from the code alone, so a
// server's own reason phrase never reaches the reply.
func statusText(code int) string {
	s := strconv.Itoa(code)
	if t := http.StatusText(code); t != "" {
		s += " " + t
	}
	return s
}

// certNote mentions the earliest expiry in the server's certificate chain
// when it is less than certWarnDays away from now.
func certNote(state *tls.ConnectionState, now time.Time) string {
	chain := state.PeerCertificates
	if len(state.VerifiedChains) > 0 {
		chain = state.VerifiedChains[0]
	}
	var notAfter time.Time
	for _, c := range chain {
		if notAfter.IsZero() || c.NotAfter.Before(notAfter) {
			notAfter = c.NotAfter
		}
	}
	if notAfter.IsZero() {
		return ""
	}
	left := notAfter.Sub(now)
	days := int(left / (24 * time.Hour))
	switch {
	case left <= 0:
		return "TLS certificate has expired"
	case days >= certWarnDays:
		return ""
	case days == 0:
		return "TLS certificate expires within a day"
	case days == 1:
		return "TLS certificate expires in 1 day"
	}
	return fmt.Sprintf("TLS certificate expires in %d days", days)
}

// reason is a short, plain account of why no response came back.
func (h *httpCheck) reason(err error, limit time.Duration) string {
	if errors.Is(err, errTooManyRedirects) {
		return fmt.Sprintf("more than %d redirects", h.maxRedirects)
	}
	if e, ok := errors.AsType[*refusedError](err); ok {
		return "refused: " + e.Error()
	}
	timeout, ok := errors.AsType[interface {
		error
		Timeout() bool
	}](err)
	if errors.Is(err, context.DeadlineExceeded) || (ok && timeout.Timeout()) {
		return "timed out after " + roundLimit(limit).String()
	}
	if _, ok := errors.AsType[x509.UnknownAuthorityError](err); ok {
		return "TLS error: certificate signed by unknown authority"
	}
	if e, ok := errors.AsType[x509.HostnameError](err); ok {
		return "TLS error: certificate is not valid for " + clip(e.Host, 100)
	}
	if e, ok := errors.AsType[x509.CertificateInvalidError](err); ok {
		if e.Reason == x509.Expired {
			return "TLS error: certificate has expired or is not yet valid"
		}
		return "TLS error: certificate is not valid"
	}
	if _, ok := errors.AsType[tls.RecordHeaderError](err); ok {
		return "TLS error: the server did not answer with TLS"
	}
	if e, ok := errors.AsType[tls.AlertError](err); ok {
		return "TLS error: " + e.Error()
	}
	if e, ok := errors.AsType[*net.DNSError](err); ok {
		if e.IsNotFound {
			return "the host does not resolve"
		}
		return "DNS lookup failed"
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		return "could not connect (connection refused)"
	}
	if e, ok := errors.AsType[*net.OpError](err); ok && e.Op == "dial" {
		return "could not connect"
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) {
		return "the server closed the connection"
	}
	return "request failed"
}

// roundLimit renders a time limit for people: whole seconds from a second
// up, milliseconds below.
func roundLimit(d time.Duration) time.Duration {
	if d >= time.Second {
		return d.Round(time.Second)
	}
	return max(d.Round(time.Millisecond), 0)
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
