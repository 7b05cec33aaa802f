package config

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// The interfaces a tcp: or tcp6: endpoint listens on when none is given.
// twistd listens on every interface; gowsgi is a development server, so it
// stays on loopback unless told otherwise.
const (
	DefaultInterface  = "127.0.0.1"
	DefaultInterface6 = "::1"
)

// endpointParams lists, per endpoint type, the parameters in the order
// twistd accepts them positionally (tcp:8080:127.0.0.1 is port, interface).
var endpointParams = map[string][]string{
	"tcp":  {"port", "interface", "backlog"},
	"tcp6": {"port", "interface", "backlog"},
	"unix": {"address", "mode", "backlog", "lockfile"},
	"ssl":  {"port", "privateKey", "certKey", "interface", "backlog", "extraCertChain", "sslmethod", "dhParameters"},
	// Twisted's order; a bare number is the index (systemd:0), see below.
	"systemd": {"domain", "index"},
}

const endpointExamples = "e.g. tcp:8080, tcp:8080:interface=0.0.0.0, tcp6:8080, ssl:8443 or unix:/tmp/app.sock"

// ParseEndpoint parses a twistd strports description as given to --listen:
//
//	tcp:PORT[:interface=ADDR][:backlog=N]   (also tcp:port=PORT:...)
//	tcp6:PORT[:interface=ADDR]              (interface defaults to ::1)
//	unix:PATH[:mode=0660]                   (also unix:address=PATH)
//	ssl:PORT[:privateKey=KEY.pem][:certKey=CERT.pem][:interface=ADDR]
//	                                        (no key: a self-signed localhost certificate)
//	systemd:INDEX[:domain=INET]             (a socket systemd passed: 0 is fd 3)
//	8080                                    (shorthand for tcp:8080)
//
// A backslash escapes the next character, so an IPv6 interface is written
// tcp:8080:interface=\:\:1. Port 0 picks a free port. backlog and lockfile
// are accepted and ignored. Errors name the spec and how to fix it.
func ParseEndpoint(spec string) (Listener, error) {
	fail := func(format string, args ...any) (Listener, error) {
		if ip := unescapedIPv6(spec); ip != "" {
			// The real mistake is almost always this one; say so instead.
			return Listener{}, fmt.Errorf("%q: escape the colons of an IPv6 address: interface=%s", spec, escapeStrport(ip))
		}
		return Listener{}, fmt.Errorf("%q: %s", spec, fmt.Sprintf(format, args...))
	}
	parts, err := splitStrport(spec)
	if err != nil {
		return fail("%v", err)
	}
	if len(parts) == 0 || (len(parts) == 1 && parts[0].value == "" && !parts[0].hasKey) {
		return fail("empty endpoint; %s", endpointExamples)
	}
	kind := parts[0]
	if kind.hasKey {
		return fail("the endpoint must start with its type; %s", endpointExamples)
	}
	typ := kind.value
	args := parts[1:]
	if isDigits(typ) {
		// twistd's legacy shorthand: a bare port number means tcp:PORT.
		typ, args = "tcp", parts
	}

	switch typ {
	case "tcp", "tcp6", "unix", "ssl", "systemd":
	case "haproxy":
		return fail("%s: endpoints are not supported; use tcp:PORT or unix:PATH", typ)
	default:
		if host, port, err := net.SplitHostPort(spec); err == nil && isDigits(port) && looksLikeHost(host) {
			if host == "" {
				return fail("write tcp:%s for loopback, or tcp:%s:interface=0.0.0.0 for every interface", port, port)
			}
			return fail("unknown endpoint type %q; for an address and a port write tcp:%s:interface=%s", typ, port, escapeStrport(host))
		}
		return fail("unknown endpoint type %q; %s", typ, endpointExamples)
	}

	names := endpointParams[typ]
	values := map[string]string{}
	positional := 0
	for _, a := range args {
		name := a.key
		if !a.hasKey {
			if positional >= len(names) {
				return fail("too many values; %s takes %s", typ, strings.Join(names, ", "))
			}
			name = names[positional]
			positional++
		} else if !slices.Contains(names, name) {
			return fail("unknown option %q for %s; %s takes %s", name, typ, typ, strings.Join(names, ", "))
		}
		if _, dup := values[name]; dup {
			return fail("%s is given twice", name)
		}
		values[name] = a.value
	}
	if v, ok := values["backlog"]; ok && !isDigits(v) {
		return fail("backlog %q is not a number (gowsgi ignores backlog anyway; drop it)", v)
	}

	e := Listener{Spec: spec}
	if typ == "systemd" {
		// Twisted writes systemd:domain=INET:index=0; gowsgi also takes the
		// index alone, systemd:0, and a bare domain positionally.
		if d, ok := values["domain"]; ok && (d == "" || isDigits(d)) && values["index"] == "" {
			values["index"] = d
			delete(values, "domain")
		}
		if d, ok := values["domain"]; ok && !slices.Contains([]string{"INET", "INET6", "UNIX"}, d) {
			return fail("domain %q is not INET, INET6 or UNIX (and gowsgi takes the socket as it is anyway)", d)
		}
		index, ok := values["index"]
		if !ok || !isDigits(index) || len(index) > 4 {
			return fail("want the index of a socket systemd passed, e.g. systemd:0 (fd 3) or systemd:domain=INET:index=0")
		}
		e.Network = "systemd"
		e.Address = strings.TrimLeft(index, "0")
		if e.Address == "" {
			e.Address = "0"
		}
		return e, nil
	}
	if typ == "unix" {
		e.Network = "unix"
		e.Address = values["address"]
		if e.Address == "" {
			return fail("missing the socket path; e.g. unix:/tmp/app.sock")
		}
		if v, ok := values["mode"]; ok {
			mode, err := parseMode(v)
			if err != nil {
				return fail("%v; e.g. mode=0660", err)
			}
			e.Mode = mode
		}
		if v, ok := values["lockfile"]; ok && v != "0" && v != "1" {
			return fail("lockfile must be 0 or 1 (got %q)", v)
		}
		return e, nil
	}

	if typ == "ssl" {
		// twistd's privateKey defaults to server.pem; gowsgi's to a
		// self-signed certificate for localhost, made on first use.
		e.TLS = &TLS{Key: values["privateKey"], Cert: values["certKey"]}
		if e.TLS.Cert == "" {
			e.TLS.Cert = e.TLS.Key
		}
		if e.TLS.Key == "" && e.TLS.Cert != "" {
			return fail("certKey without privateKey; give privateKey=KEY.pem too (or neither, for a self-signed certificate)")
		}
		if v := values["extraCertChain"]; v != "" {
			e.TLS.Chain = []string{v}
		}
	}
	e.Network = "tcp"
	portText, ok := values["port"]
	if !ok || portText == "" {
		return fail("missing the port; e.g. %s:8080 (port 0 picks a free one)", typ)
	}
	port, err := strconv.ParseUint(portText, 10, 16)
	if err != nil || !isDigits(portText) {
		return fail("port %q is not a number from 0 to 65535; e.g. %s:8080", portText, typ)
	}
	iface, ok := values["interface"]
	if !ok {
		iface = DefaultInterface
		if typ == "tcp6" {
			iface = DefaultInterface6
		}
	}
	switch {
	case iface == "":
		// twistd takes it for every interface; a stray ":" must not open
		// the server to the network.
		return fail("the interface is empty; leave it out for %s, or write interface=0.0.0.0 for every IPv4 interface", DefaultInterface)
	case !isHostName(iface):
		if _, err := netip.ParseAddr(iface); err != nil {
			return fail("interface %q is not an IP address or a host name", iface)
		}
	}
	if typ == "tcp6" {
		if ip := net.ParseIP(iface); ip != nil && ip.To4() != nil {
			return fail("interface %s is IPv4 but tcp6 listens on IPv6; use tcp:%d:interface=%s", iface, port, iface)
		}
	}
	e.Address = net.JoinHostPort(iface, strconv.FormatUint(port, 10))
	return e, nil
}

// strportPart is one ":"-separated piece of a strports description.
type strportPart struct {
	key, value string
	hasKey     bool
}

// splitStrport splits on unescaped ":" and each piece at its first unescaped
// "=", undoing backslash escapes.
func splitStrport(spec string) ([]strportPart, error) {
	var parts []strportPart
	var cur strportPart
	var buf strings.Builder
	for i := 0; i < len(spec); i++ {
		c := spec[i]
		switch {
		case c == '\\':
			if i+1 == len(spec) {
				return nil, errors.New(`it ends with a lone "\"; escape a colon as \:`)
			}
			i++
			buf.WriteByte(spec[i])
		case c == ':':
			cur.value = buf.String()
			parts = append(parts, cur)
			cur = strportPart{}
			buf.Reset()
		case c == '=' && !cur.hasKey:
			cur.key, cur.hasKey = buf.String(), true
			buf.Reset()
		default:
			buf.WriteByte(c)
		}
	}
	cur.value = buf.String()
	return append(parts, cur), nil
}

// unescapedIPv6 returns the IPv6 address written after "interface=" without
// escaping its colons, or "".
func unescapedIPv6(spec string) string {
	_, rest, ok := strings.Cut(spec, "interface=")
	if !ok {
		return ""
	}
	end := 0
	for end < len(rest) && strings.IndexByte("0123456789abcdefABCDEF:.", rest[end]) >= 0 {
		end++
	}
	candidate := rest[:end]
	if ip := net.ParseIP(candidate); ip != nil && ip.To4() == nil && strings.Contains(candidate, ":") {
		return candidate
	}
	return ""
}

// escapeStrport writes s so that splitStrport reads it back as one value.
func escapeStrport(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `:`, `\:`, `=`, `\=`)
	return r.Replace(s)
}

// parseMode reads an octal permission mode such as 0660, 660 or 0o660.
func parseMode(s string) (uint32, error) {
	digits := strings.TrimPrefix(strings.TrimPrefix(s, "0o"), "0O")
	m, err := strconv.ParseUint(digits, 8, 32)
	if err != nil || digits == "" || m > 0o777 {
		return 0, fmt.Errorf("mode %q is not an octal permission mode from 0001 to 0777", s)
	}
	if m == 0 {
		return 0, fmt.Errorf("mode %q would let nobody connect", s)
	}
	return uint32(m), nil
}

// looksLikeHost tells an address someone wrote as host:port (127.0.0.1:8080,
// localhost:8080, :8080) from a misspelt endpoint type.
func looksLikeHost(s string) bool {
	return s == "" || s == "localhost" || net.ParseIP(s) != nil || strings.Contains(s, ".") && isHostName(s)
}

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

// Loopback reports whether only this machine can reach the endpoint:
// loopback IPs and "localhost". Not a unix socket: it is what nginx or
// another proxy forwards the network's requests to.
func (e Listener) Loopback() bool {
	if e.Network == "unix" {
		return false
	}
	host, _, err := net.SplitHostPort(e.Address)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	if i := strings.IndexByte(host, '%'); i >= 0 {
		host = host[:i] // fe80::1%eth0
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// isHostName reports a DNS host name: dot-separated labels of letters,
// digits and hyphens (and underscores, which some local names have).
func isHostName(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(strings.TrimSuffix(s, "."), ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}
