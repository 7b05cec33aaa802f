// Package environ builds the string part of a WSGI environ (PEP 3333) from
// an *http.Request, and checks the status and headers a WSGI app answers with.
//
// Values are Go strings holding raw bytes. The worker decodes the whole
// request frame as latin-1, so byte b becomes chr(b): that is exactly PEP
// 3333's "native string" rule, and it is why nothing here transcodes. A path
// sent as /caf%C3%A9 reaches the app as PATH_INFO "cafÃ©", as with every
// other WSGI server; frameworks re-encode it as latin-1 and decode as UTF-8.
package environ

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"

	"github.com/gowsgi/gowsgi/runner/wire"
)

// Site is what the runner knows about where a request arrived, beyond the request itself.
type Site struct {
	ScriptName string // the mount prefix: "" for the root, else "/api" (no trailing slash)
	URLScheme  string // "http" or "https"; "" means "http"
}

// Build appends the environ's string pairs for r to dst in the wire "pairs"
// format and returns it. Like wire.AppendPair, it separates its first pair
// from what dst already holds with a NUL, so dst must be empty or end with a
// complete pair (reserve a frame header elsewhere, not in dst).
//
// An error means the request cannot be expressed as a WSGI environ (a NUL
// byte, which the wire format cannot carry; a path outside the mount; a
// malformed header name) or that site is invalid; dst is then returned
// unchanged. The runner answers such a request with 400.
func Build(dst []byte, r *http.Request, site Site) ([]byte, error) {
	start := len(dst)
	p := pairs{b: dst}
	err := p.build(r, site)
	if err == nil {
		// The wire separates fields with NUL, so a NUL inside one would
		// shift every key after it. net/http refuses raw NULs but %00
		// decodes to one, and requests built in Go code are not checked at
		// all. Counting the separators once is cheaper than searching each
		// value; only a bad request pays for finding the culprit.
		want := 2*p.n - 1
		if start > 0 {
			want++
		}
		if bytes.Count(p.b[start:], nul) != want {
			err = findNUL(r, site)
		}
	}
	if err != nil {
		return dst[:start], err
	}
	return p.b, nil
}

var nul = []byte{0}

// pairs is a payload under construction and the number of pairs in it.
type pairs struct {
	b []byte
	n int
}

// add appends a pair. A value may also be appended after add(k, "").
func (p *pairs) add(k, v string) {
	p.b = wire.AppendPair(p.b, k, v)
	p.n++
}

func (p *pairs) build(r *http.Request, site Site) error {
	// Tolerate "/" and "/api/": the validator forbids SCRIPT_NAME "/" and a
	// trailing slash would make PATH_INFO lose its leading one.
	scriptName := strings.TrimRight(site.ScriptName, "/")
	if scriptName != "" && scriptName[0] != '/' {
		return fmt.Errorf("mount prefix %q must start with \"/\"", site.ScriptName)
	}
	scheme := site.URLScheme
	switch scheme {
	case "":
		scheme = "http"
	case "http", "https":
	default:
		return fmt.Errorf("URL scheme %q must be \"http\" or \"https\" (wsgi.url_scheme)", site.URLScheme)
	}
	if r.URL == nil {
		return errors.New("request has no URL")
	}

	method := r.Method
	if method == "" {
		method = http.MethodGet // as net/http's client reads it
	}
	proto := r.Proto
	if proto == "" {
		proto = "HTTP/1.1"
	}

	// URL.Path is the fully percent-decoded path: %2F is "/" there, as
	// PATH_INFO is in CGI and in other WSGI servers.
	path := r.URL.Path
	if path == "" {
		path = "/" // RFC 9112 3.2.1: "http://host" means "http://host/"
	}
	if path[0] != '/' {
		// "OPTIONS *", which net/http answers itself unless told not to.
		return fmt.Errorf("request target %q is not a path", clip(rawURI(r)))
	}
	pathInfo := path
	if scriptName != "" {
		// The prefix must end at a segment boundary: /api matches /api and
		// /api/x, never /apix.
		if !strings.HasPrefix(path, scriptName) || len(path) > len(scriptName) && path[len(scriptName)] != '/' {
			return fmt.Errorf("request path %q is outside the mount prefix %q", clip(path), scriptName)
		}
		pathInfo = path[len(scriptName):]
	}

	p.add("REQUEST_METHOD", method)
	p.add("SCRIPT_NAME", scriptName)
	p.add("PATH_INFO", pathInfo)
	p.add("QUERY_STRING", r.URL.RawQuery)
	p.add("RAW_URI", rawURI(r))

	// CONTENT_TYPE and CONTENT_LENGTH carry no HTTP_ prefix (CGI, PEP 3333).
	if ct, ok := r.Header["Content-Type"]; ok {
		p.add("CONTENT_TYPE", "")
		p.b = appendValues(p.b, "Content-Type", ct)
	}
	// Absent rather than empty when unknown: wsgiref's validator insists. A
	// chunked body has ContentLength -1 and so no CONTENT_LENGTH; the app
	// reads wsgi.input to EOF (wsgi.input_terminated). A positive length
	// without the header only happens for requests built in Go code.
	if r.ContentLength > 0 || r.ContentLength == 0 && len(r.Header["Content-Length"]) > 0 {
		p.add("CONTENT_LENGTH", "")
		p.b = strconv.AppendInt(p.b, r.ContentLength, 10)
	}

	// net/http moves Host out of the header map, and checks only its bytes.
	if r.Host != "" {
		if !validHost(r.Host) {
			// RFC 9112 3.2: a server MUST answer an invalid Host with 400.
			return fmt.Errorf("request Host %q is not a host name or address with an optional port (RFC 9110 7.2)", clip(r.Host))
		}
		p.add("HTTP_HOST", r.Host)
	}
	for name, vals := range r.Header {
		if len(vals) == 0 || skipHeader(name) {
			continue
		}
		if name == "" {
			return errors.New("request has a header with an empty name")
		}
		// The key is built in place, separated as wire.AppendPair does:
		// copy the name, then map it byte by byte.
		mark := len(p.b)
		if mark > 0 {
			p.b = append(p.b, 0)
		}
		p.b = append(p.b, "HTTP_"...)
		p.b = append(p.b, name...)
		key := p.b[len(p.b)-len(name):]
		drop := false
		for i, c := range key {
			m := cgiName[c]
			if m > 1 {
				key[i] = m
				continue
			}
			if m == 0 {
				return fmt.Errorf("request header name %q is not a valid HTTP token", clip(name))
			}
			// X-Foo_Bar and X-Foo-Bar both map to HTTP_X_FOO_BAR; a client
			// could use "_" to spoof a header a proxy set with "-". Drop
			// it, as gunicorn, nginx and Apache do.
			drop = true
			break
		}
		if drop {
			p.b = p.b[:mark]
			continue
		}
		p.b = appendValues(append(p.b, 0), name, vals)
		p.n++
	}

	// SERVER_NAME is the name the client asked for, as in CGI (RFC 3875
	// 4.1.14, IPv6 literals keep their brackets); SERVER_PORT is the port
	// the connection arrived on.
	hostName, hostPort := splitHost(r.Host)
	var localIP netip.Addr
	var localPort string
	localPortNum := -1
	switch a := r.Context().Value(http.LocalAddrContextKey).(type) {
	case *net.TCPAddr:
		if ip, ok := netip.AddrFromSlice(a.IP); ok {
			localIP = ip.Unmap().WithZone(a.Zone)
		}
		localPortNum = a.Port
	case *net.UnixAddr, nil:
	case net.Addr:
		// Some other listener; take what its string form offers.
		if h, p, err := net.SplitHostPort(a.String()); err == nil {
			localIP, _ = netip.ParseAddr(h)
			localPort = p
		}
	}

	p.add("SERVER_NAME", "")
	switch {
	case hostName != "":
		p.b = append(p.b, hostName...)
	case localIP.Is6():
		p.b = append(p.b, '[')
		p.b = localIP.AppendTo(p.b)
		p.b = append(p.b, ']')
	case localIP.IsValid():
		p.b = localIP.AppendTo(p.b)
	default:
		p.b = append(p.b, "localhost"...) // a unix socket and no Host
	}
	p.add("SERVER_PORT", "")
	switch {
	case localPortNum >= 0:
		p.b = strconv.AppendInt(p.b, int64(localPortNum), 10)
	case localPort != "":
		p.b = append(p.b, localPort...)
	case hostPort != "":
		p.b = append(p.b, hostPort...)
	case scheme == "https":
		p.b = append(p.b, "443"...)
	default:
		p.b = append(p.b, "80"...)
	}
	p.add("SERVER_PROTOCOL", proto)
	p.add("SERVER_SOFTWARE", "gowsgi")

	// REMOTE_ADDR is a bare address (no brackets, RFC 3875 4.1.8). Over a
	// unix socket RemoteAddr is "@" or "": no address is known, so neither
	// key is set rather than set to something that is not an address.
	if h, port, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		if h != "" {
			p.add("REMOTE_ADDR", h)
		}
		if port != "" {
			p.add("REMOTE_PORT", port)
		}
	} else if _, err := netip.ParseAddr(r.RemoteAddr); err == nil {
		p.add("REMOTE_ADDR", r.RemoteAddr)
	}

	p.add("wsgi.url_scheme", scheme)

	// Lets the worker give the app an input already at EOF without a round
	// trip. net/http sets Body to NoBody when there is certainly none.
	body := "1"
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 && len(r.TransferEncoding) == 0 {
		body = "0"
	}
	p.add("gowsgi.body", body)
	return nil
}

// rawURI is the request target as the client sent it; requests built in Go
// code have none, and get their URL's.
func rawURI(r *http.Request) string {
	if r.RequestURI != "" {
		return r.RequestURI
	}
	return r.URL.RequestURI()
}

// appendValues appends a header's values joined as one.
func appendValues(dst []byte, name string, vals []string) []byte {
	// Repeated fields join with "," (RFC 9110 5.3, CGI). Cookie is the
	// exception: RFC 6265 allows one Cookie field whose pairs are split by
	// "; ", and HTTP/2 clients split it into many fields that must be
	// rejoined with "; " (RFC 9113 8.2.3, which net/http's HTTP/2 server
	// already does); "," would corrupt cookie parsing.
	sep := ","
	if name == "Cookie" {
		sep = "; "
	}
	for i, v := range vals {
		if i > 0 {
			dst = append(dst, sep...)
		}
		dst = append(dst, v...)
	}
	return dst
}

// findNUL names the part of r that holds a NUL byte, for the error message.
func findNUL(r *http.Request, site Site) error {
	check := func(what, v string) error {
		if strings.IndexByte(v, 0) < 0 {
			return nil
		}
		return fmt.Errorf("request %s %q contains a NUL byte (%%00), which a WSGI environ cannot carry", what, clip(v))
	}
	for _, f := range [...]struct{ what, v string }{
		{"path", r.URL.Path},
		{"query string", r.URL.RawQuery},
		{"target", rawURI(r)},
		{"method", r.Method},
		{"protocol", r.Proto},
		{"Host header", r.Host},
		{"remote address", r.RemoteAddr},
		{"mount prefix", site.ScriptName},
	} {
		if err := check(f.what, f.v); err != nil {
			return err
		}
	}
	for name, vals := range r.Header {
		for _, v := range vals {
			if strings.IndexByte(v, 0) >= 0 {
				return fmt.Errorf("request header %q contains a NUL byte, which a WSGI environ cannot carry", clip(name))
			}
		}
	}
	if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if err := check("listener address", a.String()); err != nil {
			return err
		}
	}
	return errors.New("request contains a NUL byte, which a WSGI environ cannot carry")
}

// skipHeader reports the headers that do not become HTTP_ keys: those with
// their own keys (Host, Content-Type, Content-Length) and Transfer-Encoding,
// which net/http has consumed (the body arrives de-chunked).
func skipHeader(name string) bool {
	switch len(name) {
	case 4:
		return strings.EqualFold(name, "Host")
	case 12:
		return strings.EqualFold(name, "Content-Type")
	case 14:
		return strings.EqualFold(name, "Content-Length")
	case 17:
		return strings.EqualFold(name, "Transfer-Encoding")
	}
	return false
}

// cgiName maps a header name byte to its byte in the HTTP_ key: letters
// upper-cased, "-" to "_". 0 marks a byte that is not a token character and
// 1 marks "_", whose header is dropped.
var cgiName = func() (t [256]byte) {
	for c := 0; c < 256; c++ {
		if isTokenChar(byte(c)) {
			t[c] = byte(c)
		}
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = byte(c) - 'a' + 'A'
	}
	t['-'] = '_'
	t['_'] = 1
	return t
}()

// splitHost splits a Host header into name and port without allocating.
// The name keeps IPv6 brackets; the port is "" unless it is all digits.
func splitHost(host string) (name, port string) {
	if host == "" {
		return "", ""
	}
	if host[0] == '[' {
		end := strings.IndexByte(host, ']')
		if end < 0 {
			return host, ""
		}
		name, rest := host[:end+1], host[end+1:]
		if len(rest) > 1 && rest[0] == ':' && isDigits(rest[1:]) {
			return name, rest[1:]
		}
		return name, ""
	}
	i := strings.LastIndexByte(host, ':')
	if i < 0 {
		return host, ""
	}
	if strings.IndexByte(host[:i], ':') >= 0 {
		return host, "" // a bare IPv6 literal; nothing can be told apart
	}
	if isDigits(host[i+1:]) {
		return host[:i], host[i+1:]
	}
	return host[:i], ""
}

// validHost reports a Host value that RFC 9110 7.2 allows: uri-host
// [":" port], where uri-host is an IPv6 literal in brackets or a reg-name
// (which covers IPv4 addresses and DNS names) and port is digits.
func validHost(h string) bool {
	name, port := h, ""
	if h[0] == '[' {
		end := strings.IndexByte(h, ']')
		if end < 0 {
			return false
		}
		if ip, err := netip.ParseAddr(h[1:end]); err != nil || !ip.Is6() {
			return false
		}
		name = ""
		if rest := h[end+1:]; rest != "" {
			if rest[0] != ':' {
				return false
			}
			port = rest[1:]
		}
	} else if i := strings.IndexByte(h, ':'); i >= 0 {
		name, port = h[:i], h[i+1:]
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case regNameTable[c]:
		case c == '%' && i+2 < len(name) && isHex(name[i+1]) && isHex(name[i+2]):
			i += 2
		default:
			return false
		}
	}
	for i := 0; i < len(port); i++ {
		if port[i] < '0' || port[i] > '9' {
			return false
		}
	}
	return true
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

// regNameTable marks RFC 3986's unreserved and sub-delims characters.
var regNameTable = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for _, c := range "-._~!$&'()*+,;=" {
		t[c] = true
	}
	return t
}()

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// clip shortens s for an error message so a huge header does not flood the log.
func clip(s string) string {
	const max = 80
	if len(s) <= max {
		return s
	}
	return s[:max] + "..."
}
