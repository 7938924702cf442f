package httpexec

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/parleybot/parley/skills"
)

// Defaults for the zero fields of a Spec.
const (
	DefaultTimeout = 10 * time.Second
	DefaultMaxBody = 1 << 20
)

const (
	// errorBody is how many characters of a failed response's body an
	// error shows.
	errorBody = 200
	// plainBody is how many characters of the body a reply without a
	// response template shows.
	plainBody = 500
	// userAgent is sent unless the Spec sets its own.
	userAgent = "Parley"
)

// Body formats.
const (
	FormatJSON = "json"
	FormatForm = "form"
	FormatText = "text"
)

// Spec configures an HTTP skill.
type Spec struct {
	// Method is GET (the default), POST, PUT, PATCH or DELETE.
	Method string
	// URL is the request template, e.g.
	// "https://api.example.com/v1/accounts/{account}?days={days}".
	// A placeholder in the path becomes one escaped path segment (it can
	// never add "/" or make a "." or ".." segment), one in the query one
	// escaped query value. The scheme and host are fixed text. Secrets
	// (${NAME}) may fill query values but not the path. "{{" and "}}" are
	// literal braces.
	URL string
	// Headers are templates over parameters and secrets, e.g.
	// {"Authorization": "Bearer ${BILLING_TOKEN}"}. A header whose value
	// is only an optional parameter that is not given is left out.
	Headers map[string]string
	// Body is the request body template, written in BodyFormat.
	Body string
	// BodyFormat is required with a Body:
	//   - "json": Body is JSON with {name} where a value goes, e.g.
	//     {"account": {account}, "days": {days}}; integer parameters
	//     become numbers, others strings, and inside a JSON string a
	//     placeholder becomes escaped text. Braces are JSON's own, except
	//     that inside a JSON string "{{" and "}}" are literal braces.
	//   - "form": Body is "account={account}&days={days}", sent as
	//     application/x-www-form-urlencoded with each value escaped.
	//   - "text": Body is filled as it is, without any escaping.
	BodyFormat string
	// Secrets maps a name to its value, resolved by the caller (from the
	// environment, typically); templates refer to them as ${NAME}. Their
	// values never appear in a Result or an error.
	Secrets map[string]string
	// Timeout bounds each call, reading the response included
	// (DefaultTimeout when zero). A caller's earlier deadline wins.
	Timeout time.Duration
	// AllowHosts lists what the skill may call, redirects included: host
	// names ("api.example.com"), subdomains ("*.example.com"), and IP
	// addresses or networks ("10.1.2.3", "10.0.0.0/8"). It must name the
	// URL's host. Loopback, private, link-local and other internal
	// addresses are refused unless an address or network entry covers
	// them: naming a host whose DNS says 10.1.2.3 is not enough.
	AllowHosts []string
	// InsecureSkipVerify turns off TLS certificate verification.
	InsecureSkipVerify bool
	// Response is the reply template over the JSON response and the
	// skill's parameters: "Trial for {.account.name} ends
	// {.account.trial_ends}". Paths: .a.b, .items[0].name, .items[-1],
	// .items[*].name (values joined with ", "), .["odd key"], and "."
	// for the whole document; a path that finds nothing shows "?". Empty
	// means the status line and the start of the body.
	Response string
	// MaxBody is how many bytes of the response are read (DefaultMaxBody
	// when zero).
	MaxBody int
}

// String describes the Spec without secret values.
func (s Spec) String() string {
	method := s.Method
	if method == "" {
		method = http.MethodGet
	}
	out := method + " " + s.URL
	if len(s.Secrets) > 0 {
		out += " (secrets: " + strings.Join(slices.Sorted(maps.Keys(s.Secrets)), ", ") + ")"
	}
	return out
}

// LogValue logs the Spec without secret values.
func (s Spec) LogValue() slog.Value { return slog.StringValue(s.String()) }

// Executor calls one configured HTTP API with a skill's arguments. It is
// immutable after New and safe for concurrent use.
type Executor struct {
	method   string
	url      *urlTmpl
	headers  []header
	format   string
	json     jsonBody
	form     []pair
	text     tmpl
	secrets  map[string]string
	scrub    scrubber
	timeout  time.Duration
	maxBody  int
	response tmpl
	client   *http.Client
}

var _ skills.Executor = (*Executor)(nil)

// String describes the executor without secret values.
func (e *Executor) String() string {
	return "http " + e.method + " " + e.url.scheme + "://" + e.url.host
}

// New checks spec against the names of the skill's parameters and returns
// its executor. Every placeholder must name a parameter and every ${NAME}
// a secret; the host must be fixed and on the allow-list; the method,
// headers, body format and response paths must be valid.
func New(spec Spec, params []string) (*Executor, error) {
	n := &names{params: map[string]bool{}, secrets: map[string]string{}}
	for _, p := range params {
		n.params[p] = true
	}
	for name, v := range spec.Secrets {
		switch {
		case !secretNameOK(name):
			return nil, fmt.Errorf("httpexec: secret name %q: use letters, digits and '_'", name)
		case v == "":
			return nil, fmt.Errorf("httpexec: secret %s is empty", name)
		case strings.ContainsAny(v, "\r\n\x00"):
			return nil, fmt.Errorf("httpexec: secret %s holds a line break or NUL", name)
		}
		n.secrets[name] = v
	}

	e := &Executor{method: strings.ToUpper(spec.Method), secrets: n.secrets, timeout: spec.Timeout, maxBody: spec.MaxBody}
	switch e.method {
	case "":
		e.method = http.MethodGet
	case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
	default:
		return nil, fmt.Errorf("httpexec: method %q: want GET, POST, PUT, PATCH or DELETE", spec.Method)
	}

	hosts, err := newAllowList(spec.AllowHosts)
	if err != nil {
		return nil, fmt.Errorf("httpexec: %w", err)
	}
	if e.url, err = n.parseURL(spec.URL); err != nil {
		return nil, fmt.Errorf("httpexec: url %q: %w", spec.URL, err)
	}
	if !hosts.host(e.url.name) {
		return nil, fmt.Errorf("httpexec: url %q: host %s is not on allow_hosts", spec.URL, e.url.name)
	}

	seen := map[string]bool{}
	for _, name := range slices.Sorted(maps.Keys(spec.Headers)) {
		h, err := n.parseHeader(name, spec.Headers[name])
		if err != nil {
			return nil, fmt.Errorf("httpexec: %w", err)
		}
		if seen[h.name] {
			return nil, fmt.Errorf("httpexec: header %s is given twice", h.name)
		}
		seen[h.name] = true
		e.headers = append(e.headers, h)
	}

	if err := e.parseBody(n, spec); err != nil {
		return nil, fmt.Errorf("httpexec: body: %w", err)
	}
	if e.response, err = n.parse(spec.Response, allow{params: true, paths: true}); err != nil {
		return nil, fmt.Errorf("httpexec: response %q: %w", spec.Response, err)
	}

	switch {
	case spec.Timeout < 0:
		return nil, fmt.Errorf("httpexec: negative timeout %v", spec.Timeout)
	case spec.Timeout == 0:
		e.timeout = DefaultTimeout
	}
	switch {
	case spec.MaxBody < 0:
		return nil, fmt.Errorf("httpexec: negative max_body %d", spec.MaxBody)
	case spec.MaxBody == 0:
		e.maxBody = DefaultMaxBody
	}

	e.scrub = newScrubber(slices.Collect(maps.Values(n.secrets)))
	var sensitive []string
	for _, h := range e.headers {
		if h.sensitive {
			sensitive = append(sensitive, h.name)
		}
	}
	transport := &http.Transport{
		// No proxy: the address guard must see the real destination.
		Proxy:       nil,
		DialContext: hosts.dialer(),
		TLSClientConfig: &tls.Config{
			InsecureSkipVerify: spec.InsecureSkipVerify, // only when the configuration says so
			MinVersion:         tls.VersionTLS12,
		},
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           8,
		IdleConnTimeout:        90 * time.Second,
		TLSHandshakeTimeout:    10 * time.Second,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: 64 << 10,
	}
	e.client = &http.Client{Transport: transport, CheckRedirect: hosts.redirectPolicy(sensitive)}
	return e, nil
}

func (e *Executor) parseBody(n *names, spec Spec) error {
	switch {
	case spec.Body == "" && spec.BodyFormat == "":
		return nil
	case spec.Body == "":
		return fmt.Errorf("body_format %q without a body", spec.BodyFormat)
	case e.method == http.MethodGet:
		return errors.New("a GET request has no body")
	}
	e.format = spec.BodyFormat
	var err error
	switch spec.BodyFormat {
	case FormatJSON:
		e.json, err = n.parseJSON(spec.Body)
	case FormatForm:
		e.form, err = n.parsePairs(spec.Body)
	case FormatText:
		e.text, err = n.parse(spec.Body, allow{params: true, secrets: true})
	case "":
		err = errors.New("a body needs body_format json, form or text")
	default:
		err = fmt.Errorf("body_format %q: want json, form or text", spec.BodyFormat)
	}
	return err
}

// Execute sends the request with the call's arguments and renders the
// response.
//
// A response outside 2xx, a timeout, a host or address the allow-list does
// not cover, a redirect off it, an untrusted certificate, an unknown host
// and a refused connection are *skills.UserErrors. If ctx is cancelled,
// the error wraps ctx.Err(); any other failure is an internal error. No
// Result or error ever holds a secret value.
func (e *Executor) Execute(ctx context.Context, call skills.Call) (skills.Result, error) {
	sc := e.scrubberFor(call.Args)
	limit := e.timeout
	if dl, ok := ctx.Deadline(); ok {
		limit = min(limit, time.Until(dl))
	}
	runCtx, cancel := context.WithTimeout(ctx, e.timeout)
	defer cancel()

	req, err := e.request(runCtx, call.Args)
	if err != nil {
		var ue *skills.UserError
		if errors.As(err, &ue) {
			return skills.Result{}, err
		}
		return skills.Result{}, fmt.Errorf("httpexec: %s: %s", e, sc.scrub(err.Error()))
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return skills.Result{}, e.failure(ctx, runCtx, err, limit, sc)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, int64(e.maxBody)+1))
	if err != nil {
		return skills.Result{}, e.failure(ctx, runCtx, err, limit, sc)
	}
	over := len(body) > e.maxBody
	if over {
		body = body[:e.maxBody]
	}

	status := statusLine(resp.StatusCode)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		if s := sc.short(body, over, errorBody); s != "" {
			status += ": " + s
		}
		return skills.Result{}, skills.Errorf("%s", status)
	}
	if len(e.response) == 0 {
		text := status
		if s := strings.TrimSpace(cut(strings.TrimSpace(sc.visible(body, over)), plainBody)); s != "" {
			text += "\n" + s
		}
		return skills.Result{Text: text}, nil
	}
	var doc any
	if e.response.uses(jsonPath) && len(bytes.TrimSpace(body)) > 0 {
		if over {
			return skills.Result{}, skills.Errorf("%s, but the response is larger than %d bytes", status, e.maxBody)
		}
		if doc, err = decodeJSON(body); err != nil {
			return skills.Result{}, skills.Errorf("%s, but the response is not JSON: %s", status, sc.short(body, over, errorBody))
		}
	}
	// Masking the whole reply as well catches a secret split between the
	// template and a value.
	return skills.Result{Text: sc.scrub(e.reply(doc, call.Args, sc))}, nil
}

// request builds the HTTP request for a call.
func (e *Executor) request(ctx context.Context, args skills.Args) (*http.Request, error) {
	target, err := e.url.build(args, e.secrets)
	if err != nil {
		return nil, err
	}
	var (
		body        io.Reader
		contentType string
	)
	switch e.format {
	case FormatJSON:
		body, contentType = bytes.NewReader(e.json.fill(args, e.secrets)), "application/json"
	case FormatForm:
		form, err := encodePairs(e.form, args, e.secrets)
		if err != nil {
			return nil, err
		}
		body, contentType = strings.NewReader(form), "application/x-www-form-urlencoded"
	case FormatText:
		text, err := filler{args: args, secrets: e.secrets, encode: identity}.fill(e.text)
		if err != nil {
			return nil, err
		}
		body, contentType = strings.NewReader(text), "text/plain; charset=utf-8"
	}
	req, err := http.NewRequestWithContext(ctx, e.method, target, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", userAgent)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if e.response.uses(jsonPath) {
		req.Header.Set("Accept", "application/json")
	}
	f := filler{args: args, secrets: e.secrets, encode: identity}
	for _, h := range e.headers {
		if name, ok := h.value.sole(); ok {
			if _, set := args.Get(name); !set {
				req.Header.Del(h.name)
				continue
			}
		}
		v, err := f.fill(h.value)
		if err != nil {
			return nil, fmt.Errorf("header %s: %w", h.name, err)
		}
		if strings.ContainsAny(v, "\r\n\x00") {
			return nil, fmt.Errorf("header %s: the value holds a line break or NUL", h.name)
		}
		req.Header.Set(h.name, v)
	}
	return req, nil
}

func identity(s string) string { return s }

// reply renders the response template.
func (e *Executor) reply(doc any, args skills.Args, sc scrubber) string {
	var b strings.Builder
	for _, p := range e.response {
		switch p.kind {
		case literal:
			b.WriteString(p.text)
		case param:
			if v, ok := args.Get(p.text); ok {
				b.WriteString(v.Display())
			} else {
				b.WriteString(missing)
			}
		case jsonPath:
			b.WriteString(p.path.render(doc, sc))
		}
	}
	return b.String()
}

// scrubberFor adds the call's secret parameters to the Spec's secrets.
func (e *Executor) scrubberFor(args skills.Args) scrubber {
	var extra []string
	for _, name := range args.Names() {
		if v, _ := args.Get(name); v.Display() != v.String() {
			extra = append(extra, v.String())
		}
	}
	if len(extra) == 0 {
		return e.scrub
	}
	return newScrubber(append(slices.Collect(maps.Values(e.secrets)), extra...))
}

// statusLine is "HTTP 503 Service Unavailable": the reason is the standard
// one, never the server's own text.
func statusLine(code int) string {
	if t := http.StatusText(code); t != "" {
		return fmt.Sprintf("HTTP %d %s", code, t)
	}
	return fmt.Sprintf("HTTP %d", code)
}

// failure turns a failed request into what Execute returns.
func (e *Executor) failure(ctx, runCtx context.Context, err error, limit time.Duration, sc scrubber) error {
	host := e.url.name
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil && u.Hostname() != "" {
			host = u.Hostname()
		}
	}
	var (
		ae      *addrError
		he      *hostError
		dnsErr  *net.DNSError
		certErr *tls.CertificateVerificationError
		unknown x509.UnknownAuthorityError
		badName x509.HostnameError
		invalid x509.CertificateInvalidError
	)
	switch {
	case errors.Is(ctx.Err(), context.Canceled):
		return fmt.Errorf("httpexec: %s: %w", e, ctx.Err())
	case errors.As(err, &ae):
		return skills.Errorf("%s", ae.Error())
	case errors.As(err, &he):
		return skills.Errorf("%s", he.Error())
	case errors.Is(err, errTooManyRedirects):
		return skills.Errorf("refusing to follow more than %d redirects", MaxRedirects)
	case runCtx.Err() != nil:
		return skills.Errorf("timed out after %s", roundLimit(limit))
	case errors.As(err, &certErr), errors.As(err, &unknown), errors.As(err, &badName), errors.As(err, &invalid):
		return skills.Errorf("the TLS certificate of %s is not trusted", host)
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		return skills.Errorf("no such host: %s", host)
	case errors.Is(err, syscall.ECONNREFUSED):
		return skills.Errorf("%s refused the connection", host)
	}
	return fmt.Errorf("httpexec: %s: %s", e, sc.scrub(err.Error()))
}

// roundLimit renders a time limit for people: whole seconds from a second
// up, milliseconds below.
func roundLimit(d time.Duration) time.Duration {
	if d >= time.Second {
		return d.Round(time.Second)
	}
	return max(d.Round(time.Millisecond), 0)
}
