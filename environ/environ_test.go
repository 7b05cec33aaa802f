package environ

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gowsgi/gowsgi/runner/wire"
)

// parse reads a raw HTTP request the way net/http's server does, so Host,
// Content-Length, Transfer-Encoding and Body end up where they would.
func parse(t testing.TB, raw string) *http.Request {
	t.Helper()
	r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw)))
	if err != nil {
		t.Fatalf("ReadRequest(%q): %v", raw, err)
	}
	return r
}

// get is a minimal raw GET for target with a Host header.
func get(t testing.TB, target string) *http.Request {
	return parse(t, "GET "+target+" HTTP/1.1\r\nHost: example.com\r\n\r\n")
}

// withLocal puts addr where net/http's server puts the listener's address.
func withLocal(r *http.Request, addr net.Addr) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), http.LocalAddrContextKey, addr))
}

// decode splits a pairs payload into keys (in order) and a map, failing on
// a repeated key, which the worker's dict would silently collapse.
func decode(t testing.TB, payload []byte) ([]string, map[string]string) {
	t.Helper()
	pairs, err := wire.Pairs(payload)
	if err != nil {
		t.Fatalf("wire.Pairs: %v (payload %q)", err, payload)
	}
	keys := make([]string, 0, len(pairs))
	m := make(map[string]string, len(pairs))
	for _, p := range pairs {
		if _, dup := m[p[0]]; dup {
			t.Fatalf("key %q appears twice in %q", p[0], payload)
		}
		keys = append(keys, p[0])
		m[p[0]] = p[1]
	}
	return keys, m
}

func mustBuild(t testing.TB, r *http.Request, site Site) map[string]string {
	t.Helper()
	b, err := Build(nil, r, site)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	_, m := decode(t, b)
	return m
}

func TestBuildWholeEnviron(t *testing.T) {
	r := parse(t, "POST /api/items/caf%C3%A9?x=1&y=%20 HTTP/1.1\r\n"+
		"Host: example.com:8443\r\n"+
		"User-Agent: test/1.0\r\n"+
		"Content-Type: application/json\r\n"+
		"Content-Length: 2\r\n"+
		"Accept: text/html\r\n"+
		"Accept: application/json\r\n"+
		"X-Forwarded-For: 10.0.0.1\r\n"+
		"X_Forwarded_For: 6.6.6.6\r\n"+
		"\r\n{}")
	r.RemoteAddr = "192.0.2.7:51234"
	r = withLocal(r, &net.TCPAddr{IP: net.ParseIP("192.0.2.1"), Port: 8443})

	b, err := Build(nil, r, Site{ScriptName: "/api", URLScheme: "https"})
	if err != nil {
		t.Fatal(err)
	}
	keys, got := decode(t, b)
	want := map[string]string{
		"REQUEST_METHOD":       "POST",
		"SCRIPT_NAME":          "/api",
		"PATH_INFO":            "/items/caf\xc3\xa9",
		"QUERY_STRING":         "x=1&y=%20",
		"RAW_URI":              "/api/items/caf%C3%A9?x=1&y=%20",
		"CONTENT_TYPE":         "application/json",
		"CONTENT_LENGTH":       "2",
		"HTTP_HOST":            "example.com:8443",
		"HTTP_USER_AGENT":      "test/1.0",
		"HTTP_ACCEPT":          "text/html,application/json",
		"HTTP_X_FORWARDED_FOR": "10.0.0.1",
		"SERVER_NAME":          "example.com",
		"SERVER_PORT":          "8443",
		"SERVER_PROTOCOL":      "HTTP/1.1",
		"SERVER_SOFTWARE":      "gowsgi",
		"REMOTE_ADDR":          "192.0.2.7",
		"REMOTE_PORT":          "51234",
		"wsgi.url_scheme":      "https",
		"gowsgi.body":          "1",
	}
	if !reflect.DeepEqual(got, want) {
		for k, v := range want {
			if g, ok := got[k]; !ok || g != v {
				t.Errorf("%s = %q (present %v), want %q", k, g, ok, v)
			}
		}
		for k, v := range got {
			if _, ok := want[k]; !ok {
				t.Errorf("unexpected key %s = %q", k, v)
			}
		}
	}

	// The fixed keys come in the documented order; headers sit between
	// CONTENT_LENGTH and SERVER_NAME in map order.
	fixed := []string{"REQUEST_METHOD", "SCRIPT_NAME", "PATH_INFO", "QUERY_STRING", "RAW_URI",
		"CONTENT_TYPE", "CONTENT_LENGTH", "SERVER_NAME", "SERVER_PORT", "SERVER_PROTOCOL",
		"SERVER_SOFTWARE", "REMOTE_ADDR", "REMOTE_PORT", "wsgi.url_scheme", "gowsgi.body"}
	var order []string
	for i, k := range keys {
		if strings.HasPrefix(k, "HTTP_") {
			if i < 7 || i >= len(keys)-8 {
				t.Errorf("header key %s at position %d, outside the header block", k, i)
			}
			continue
		}
		order = append(order, k)
	}
	if !reflect.DeepEqual(order, fixed) {
		t.Errorf("key order\n got %q\nwant %q", order, fixed)
	}
}

func TestBuildAppendsToDst(t *testing.T) {
	r := get(t, "/")
	prefix := wire.AppendPair(nil, "before", "x")
	b, err := Build(append([]byte(nil), prefix...), r, Site{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, prefix) {
		t.Fatalf("Build did not keep dst's contents: %q", b)
	}
	_, m := decode(t, b)
	if m["before"] != "x" || m["REQUEST_METHOD"] != "GET" {
		t.Fatalf("appended payload does not split into pairs: %q", b)
	}

	// On error dst comes back as it was, ready for reuse.
	bad := get(t, "/a%00b")
	out, err := Build(prefix, bad, Site{})
	if err == nil {
		t.Fatal("no error for a NUL in the path")
	}
	if !bytes.Equal(out, prefix) {
		t.Fatalf("on error Build returned %q, want dst unchanged %q", out, prefix)
	}
}

func TestPathInfo(t *testing.T) {
	tests := []struct {
		target string
		want   string
	}{
		{"/", "/"},
		{"/a%20b", "/a b"},
		{"/caf%C3%A9", "/caf\xc3\xa9"}, // latin-1 on the Python side: "/cafÃ©"
		{"/caf%e9", "/caf\xe9"},        // a latin-1 byte, not UTF-8: "/café"
		{"/a%2Fb", "/a/b"},             // %2F decodes, like other WSGI servers
		{"/a%2fb/c", "/a/b/c"},
		{"/a+b", "/a+b"}, // "+" is a space only in queries
		{"/%7Euser/", "/~user/"},
		{"/a;b=c/d", "/a;b=c/d"},
		{"//double//slash", "//double//slash"}, // not cleaned
		{"/x/../y", "/x/../y"},                 // not cleaned either: the app sees what was asked
		{"/a%25b", "/a%b"},
		{"http://other.example/abs?q=1", "/abs"}, // absolute-form
		{"http://other.example", "/"},            // empty path means "/"
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			m := mustBuild(t, get(t, tt.target), Site{})
			if m["PATH_INFO"] != tt.want {
				t.Errorf("PATH_INFO = %q, want %q", m["PATH_INFO"], tt.want)
			}
			if m["SCRIPT_NAME"] != "" {
				t.Errorf("SCRIPT_NAME = %q, want empty", m["SCRIPT_NAME"])
			}
			if m["RAW_URI"] != tt.target {
				t.Errorf("RAW_URI = %q, want %q", m["RAW_URI"], tt.target)
			}
		})
	}
}

func TestScriptName(t *testing.T) {
	tests := []struct {
		mount, target  string
		script, path   string
		wantErrContain string
	}{
		{"", "/", "", "/", ""},
		{"", "/api/x", "", "/api/x", ""},
		{"/api", "/api", "/api", "", ""},
		{"/api", "/api/", "/api", "/", ""},
		{"/api", "/api/x/y", "/api", "/x/y", ""},
		{"/api", "/api?q=1", "/api", "", ""},
		{"/api", "/ap%69/x", "/api", "/x", ""}, // matched on the decoded path
		{"/api", "/api%2Fx", "/api", "/x", ""}, // likewise
		{"/api/", "/api/x", "/api", "/x", ""},  // trailing slash tolerated
		{"/", "/x", "", "/x", ""},              // "/" is the root
		{"/a/b", "/a/b/c", "/a/b", "/c", ""},   // nested mount
		{"/api", "/apix", "", "", "outside the mount prefix"},
		{"/api", "/apix/y", "", "", "outside the mount prefix"},
		{"/api", "/", "", "", "outside the mount prefix"},
		{"/api", "/API/x", "", "", "outside the mount prefix"}, // case matters
		{"/api", "/ap", "", "", "outside the mount prefix"},
		{"api", "/api/x", "", "", "must start with"},
	}
	for _, tt := range tests {
		t.Run(tt.mount+" "+tt.target, func(t *testing.T) {
			b, err := Build(nil, get(t, tt.target), Site{ScriptName: tt.mount})
			if tt.wantErrContain != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErrContain) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErrContain)
				}
				if len(b) != 0 {
					t.Fatalf("payload %q returned with an error", b)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			_, m := decode(t, b)
			if m["SCRIPT_NAME"] != tt.script || m["PATH_INFO"] != tt.path {
				t.Errorf("SCRIPT_NAME, PATH_INFO = %q, %q; want %q, %q", m["SCRIPT_NAME"], m["PATH_INFO"], tt.script, tt.path)
			}
		})
	}
}

func TestQueryStringAndRawURI(t *testing.T) {
	tests := []struct {
		target, query string
	}{
		{"/", ""},
		{"/?", ""},
		{"/p?a=1&b=2", "a=1&b=2"},
		{"/p?a=%20b&c=d+e", "a=%20b&c=d+e"}, // raw, undecoded
		{"/p?a=%00", "a=%00"},               // still encoded, so no NUL
		{"/p?x=caf%C3%A9;y=1", "x=caf%C3%A9;y=1"},
		{"/p?q=a?b", "q=a?b"},
	}
	for _, tt := range tests {
		m := mustBuild(t, get(t, tt.target), Site{})
		q, ok := m["QUERY_STRING"]
		if !ok || q != tt.query {
			t.Errorf("%s: QUERY_STRING = %q (present %v), want %q", tt.target, q, ok, tt.query)
		}
		if m["RAW_URI"] != tt.target {
			t.Errorf("%s: RAW_URI = %q", tt.target, m["RAW_URI"])
		}
	}

	// A request built in Go code has no RequestURI; RAW_URI falls back to
	// the URL's.
	r, _ := http.NewRequest("GET", "http://example.com/a%20b?x=1", nil)
	if m := mustBuild(t, r, Site{}); m["RAW_URI"] != "/a%20b?x=1" {
		t.Errorf("RAW_URI for a client request = %q", m["RAW_URI"])
	}
}

func TestContentKeys(t *testing.T) {
	tests := []struct {
		name       string
		raw        string
		ctype      string // "-" for absent
		clen       string // "-" for absent
		body       string
		bodyReader func() *http.Request
	}{
		{
			name: "GET without body",
			raw:  "GET / HTTP/1.1\r\nHost: h\r\n\r\n",
			// Absent rather than "": wsgiref's validator refuses an empty CONTENT_LENGTH.
			ctype: "-", clen: "-", body: "0",
		},
		{
			name:  "POST with a body",
			raw:   "POST / HTTP/1.1\r\nHost: h\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 5\r\n\r\nhello",
			ctype: "text/plain; charset=utf-8", clen: "5", body: "1",
		},
		{
			name:  "POST with Content-Length 0",
			raw:   "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n",
			ctype: "-", clen: "0", body: "0",
		},
		{
			name:  "GET with a body",
			raw:   "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc",
			ctype: "-", clen: "3", body: "1",
		},
		{
			name:  "chunked",
			raw:   "POST / HTTP/1.1\r\nHost: h\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
			ctype: "text/plain", clen: "-", body: "1",
		},
		{
			// net/http drops Content-Length when Transfer-Encoding overrides it.
			name:  "chunked with a Content-Length",
			raw:   "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
			ctype: "-", clen: "-", body: "1",
		},
		{
			name:  "empty Content-Type",
			raw:   "POST / HTTP/1.1\r\nHost: h\r\nContent-Type:\r\nContent-Length: 1\r\n\r\nx",
			ctype: "", clen: "1", body: "1",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mustBuild(t, parse(t, tt.raw), Site{})
			check := func(key, want string) {
				got, ok := m[key]
				if want == "-" {
					if ok {
						t.Errorf("%s = %q, want it absent", key, got)
					}
					return
				}
				if !ok || got != want {
					t.Errorf("%s = %q (present %v), want %q", key, got, ok, want)
				}
			}
			check("CONTENT_TYPE", tt.ctype)
			check("CONTENT_LENGTH", tt.clen)
			check("gowsgi.body", tt.body)
			for _, k := range []string{"HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH", "HTTP_TRANSFER_ENCODING"} {
				if v, ok := m[k]; ok {
					t.Errorf("%s = %q is set; it must not be", k, v)
				}
			}
		})
	}

	// Requests built in Go code: httptest knows the length of a
	// strings.Reader but sets no header; an unknown reader is chunked-like.
	r := httptest.NewRequest("POST", "/", strings.NewReader("hello"))
	if m := mustBuild(t, r, Site{}); m["CONTENT_LENGTH"] != "5" || m["gowsgi.body"] != "1" {
		t.Errorf("httptest request with a body: CONTENT_LENGTH %q, gowsgi.body %q", m["CONTENT_LENGTH"], m["gowsgi.body"])
	}
	r = httptest.NewRequest("POST", "/", io.MultiReader(strings.NewReader("x")))
	if m := mustBuild(t, r, Site{}); m["gowsgi.body"] != "1" {
		t.Errorf("unknown-length body: gowsgi.body %q", m["gowsgi.body"])
	} else if v, ok := m["CONTENT_LENGTH"]; ok {
		t.Errorf("unknown-length body: CONTENT_LENGTH %q", v)
	}
	r = httptest.NewRequest("GET", "/", nil)
	if m := mustBuild(t, r, Site{}); m["gowsgi.body"] != "0" {
		t.Errorf("no body: gowsgi.body %q", m["gowsgi.body"])
	}
	r.Body = nil
	if m := mustBuild(t, r, Site{}); m["gowsgi.body"] != "0" {
		t.Errorf("nil Body: gowsgi.body %q", m["gowsgi.body"])
	}
}

func TestHeaders(t *testing.T) {
	r := parse(t, "GET / HTTP/1.1\r\n"+
		"Host: example.com\r\n"+
		"Accept: a\r\n"+
		"Accept: b\r\n"+
		"accept: c\r\n"+ // canonicalized to Accept by net/http
		"X-Empty:\r\n"+
		"X-Spaces:   v  \r\n"+
		"Cookie: a=1\r\n"+
		"Cookie: b=2\r\n"+
		"X-Real-IP: 10.1.1.1\r\n"+
		"X_Real_IP: 6.6.6.6\r\n"+ // would collide with X-Real-IP: dropped
		"X-Only_Underscore: 1\r\n"+
		"Connection: keep-alive\r\n"+
		"X-Latin: caf\xe9\r\n"+
		"WWW-Authenticate: x\r\n"+
		"\r\n")
	m := mustBuild(t, r, Site{})
	want := map[string]string{
		"HTTP_HOST":             "example.com",
		"HTTP_ACCEPT":           "a,b,c",
		"HTTP_X_EMPTY":          "",
		"HTTP_X_SPACES":         "v",
		"HTTP_COOKIE":           "a=1; b=2", // RFC 6265/9113: one cookie string
		"HTTP_X_REAL_IP":        "10.1.1.1",
		"HTTP_CONNECTION":       "keep-alive",
		"HTTP_X_LATIN":          "caf\xe9",
		"HTTP_WWW_AUTHENTICATE": "x",
	}
	got := map[string]string{}
	for k, v := range m {
		if strings.HasPrefix(k, "HTTP_") {
			got[k] = v
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("HTTP_ keys\n got %q\nwant %q", got, want)
	}

	// No Host at all (HTTP/1.0): no HTTP_HOST rather than an empty one.
	m = mustBuild(t, parse(t, "GET / HTTP/1.0\r\n\r\n"), Site{})
	if v, ok := m["HTTP_HOST"]; ok {
		t.Errorf("HTTP_HOST = %q without a Host header", v)
	}

	// Requests built in Go code may carry Host in the map too; r.Host wins
	// and the key is not repeated (decode fails on repeats).
	r = httptest.NewRequest("GET", "http://example.com/", nil)
	r.Header["Host"] = []string{"other.example"}
	r.Header["Content-Length"] = []string{"0"}
	r.Header["Transfer-Encoding"] = []string{"chunked"}
	r.Header["X-Nothing"] = nil
	m = mustBuild(t, r, Site{})
	if m["HTTP_HOST"] != "example.com" {
		t.Errorf("HTTP_HOST = %q, want r.Host", m["HTTP_HOST"])
	}
	for _, k := range []string{"HTTP_CONTENT_LENGTH", "HTTP_TRANSFER_ENCODING", "HTTP_X_NOTHING"} {
		if _, ok := m[k]; ok {
			t.Errorf("%s is set", k)
		}
	}
}

func TestBuildRefuses(t *testing.T) {
	tests := []struct {
		name    string
		req     func(t *testing.T) *http.Request
		site    Site
		wantErr string
	}{
		{"NUL in path", func(t *testing.T) *http.Request { return get(t, "/a%00b") }, Site{}, "NUL"},
		{"NUL in path under mount", func(t *testing.T) *http.Request { return get(t, "/api/%00") }, Site{ScriptName: "/api"}, "NUL"},
		{"NUL in query", func(t *testing.T) *http.Request {
			r := get(t, "/")
			r.URL.RawQuery = "a=\x00"
			return r
		}, Site{}, "query string"},
		{"NUL in header value", func(t *testing.T) *http.Request {
			r := get(t, "/")
			r.Header.Set("X-Evil", "a\x00b")
			return r
		}, Site{}, `"X-Evil"`},
		{"NUL in Host", func(t *testing.T) *http.Request {
			r := get(t, "/")
			r.Host = "a\x00b"
			return r
		}, Site{}, "Host"},
		{"NUL in header name", func(t *testing.T) *http.Request {
			r := get(t, "/")
			r.Header["X-\x00"] = []string{"v"}
			return r
		}, Site{}, "not a valid HTTP token"},
		{"space in header name", func(t *testing.T) *http.Request {
			r := get(t, "/")
			r.Header["X Y"] = []string{"v"}
			return r
		}, Site{}, "not a valid HTTP token"},
		{"empty header name", func(t *testing.T) *http.Request {
			r := get(t, "/")
			r.Header[""] = []string{"v"}
			return r
		}, Site{}, "empty name"},
		{"NUL from the listener", func(t *testing.T) *http.Request {
			r := get(t, "/")
			r.Host = ""
			return withLocal(r, fakeAddr("192.0.2.9:7\x000"))
		}, Site{}, "listener address"},
		{"Host with a bad port", func(t *testing.T) *http.Request {
			r := get(t, "/")
			r.Host = "example.com:x"
			return r
		}, Site{}, `Host "example.com:x"`},
		{"Host with a broken IPv6 literal", func(t *testing.T) *http.Request {
			return parse(t, "GET / HTTP/1.1\r\nHost: [::1\r\n\r\n")
		}, Site{}, `Host "[::1"`},
		{"Host with an IPv4 literal in brackets", func(t *testing.T) *http.Request {
			return parse(t, "GET / HTTP/1.1\r\nHost: [127.0.0.1]:80\r\n\r\n")
		}, Site{}, "Host"},
		{"Host with two colons", func(t *testing.T) *http.Request {
			return parse(t, "GET / HTTP/1.1\r\nHost: a:1:2\r\n\r\n")
		}, Site{}, "Host"},
		{"Host with a bare percent", func(t *testing.T) *http.Request {
			return parse(t, "GET / HTTP/1.1\r\nHost: a%zz\r\n\r\n")
		}, Site{}, "Host"},
		{"Host with a non-ASCII byte", func(t *testing.T) *http.Request {
			return parse(t, "GET / HTTP/1.1\r\nHost: caf\xc3\xa9.example\r\n\r\n")
		}, Site{}, "Host"},
		{"OPTIONS *", func(t *testing.T) *http.Request {
			return parse(t, "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n")
		}, Site{}, "not a path"},
		{"bad scheme", func(t *testing.T) *http.Request { return get(t, "/") }, Site{URLScheme: "ftp"}, "wsgi.url_scheme"},
		{"no URL", func(t *testing.T) *http.Request {
			r := get(t, "/")
			r.URL = nil
			return r
		}, Site{}, "no URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Build(nil, tt.req(t), tt.site)
			if err == nil {
				t.Fatalf("no error; payload %q", b)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not mention %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "\x00") {
				t.Errorf("error %q carries a raw NUL; it should be quoted", err)
			}
			if len(b) != 0 {
				t.Errorf("payload %q returned with an error", b)
			}
		})
	}
}

func TestServerNameAndPort(t *testing.T) {
	tcp := func(ip string, port int) net.Addr { return &net.TCPAddr{IP: net.ParseIP(ip), Port: port} }
	unix := &net.UnixAddr{Name: "/run/gowsgi.sock", Net: "unix"}
	tests := []struct {
		name       string
		host       string
		local      net.Addr // nil: not set in the context
		scheme     string
		sname, prt string
	}{
		{"host and tcp", "example.com:8080", tcp("127.0.0.1", 9000), "", "example.com", "9000"},
		{"host without port", "example.com", tcp("127.0.0.1", 9000), "", "example.com", "9000"},
		{"ipv6 host", "[::1]:8080", tcp("::1", 9000), "", "[::1]", "9000"},
		{"ipv6 host without port", "[2001:db8::1]", tcp("::1", 9000), "", "[2001:db8::1]", "9000"},
		{"no host, tcp v4", "", tcp("10.0.0.1", 80), "", "10.0.0.1", "80"},
		{"no host, tcp v6", "", tcp("2001:db8::2", 443), "https", "[2001:db8::2]", "443"},
		{"no host, v4-mapped", "", &net.TCPAddr{IP: net.ParseIP("::ffff:10.0.0.1"), Port: 81}, "", "10.0.0.1", "81"},
		{"unix with host port", "example.com:8080", unix, "", "example.com", "8080"},
		{"unix with host", "example.com", unix, "", "example.com", "80"},
		{"unix https", "example.com", unix, "https", "example.com", "443"},
		{"unix without host", "", unix, "", "localhost", "80"},
		{"no local addr", "example.com:8080", nil, "", "example.com", "8080"},
		{"no local addr, no host", "", nil, "https", "localhost", "443"},
		{"other addr type", "", fakeAddr("192.0.2.9:7000"), "", "192.0.2.9", "7000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := get(t, "/")
			r.Host = tt.host
			if tt.local != nil {
				r = withLocal(r, tt.local)
			}
			m := mustBuild(t, r, Site{URLScheme: tt.scheme})
			if m["SERVER_NAME"] != tt.sname || m["SERVER_PORT"] != tt.prt {
				t.Errorf("SERVER_NAME, SERVER_PORT = %q, %q; want %q, %q", m["SERVER_NAME"], m["SERVER_PORT"], tt.sname, tt.prt)
			}
		})
	}
}

type fakeAddr string

func (a fakeAddr) Network() string { return "fake" }
func (a fakeAddr) String() string  { return string(a) }

func TestSplitHost(t *testing.T) {
	tests := []struct{ in, name, port string }{
		{"", "", ""},
		{"example.com", "example.com", ""},
		{"example.com:80", "example.com", "80"},
		{"example.com:", "example.com", ""},
		{"[::1]", "[::1]", ""},
		{"[::1]:8080", "[::1]", "8080"},
		{"[::1]:", "[::1]", ""},
		{"[::1", "[::1", ""},
		{"::1", "::1", ""},
		{"1.2.3.4:5", "1.2.3.4", "5"},
	}
	for _, tt := range tests {
		if n, p := splitHost(tt.in); n != tt.name || p != tt.port {
			t.Errorf("splitHost(%q) = %q, %q; want %q, %q", tt.in, n, p, tt.name, tt.port)
		}
	}
}

func TestValidHost(t *testing.T) {
	for _, h := range []string{"example.com", "example.com:8080", "EXAMPLE.com:", "127.0.0.1:80", "[::1]", "[::1]:8080",
		"[2001:db8::1]:443", "a_b.local", "xn--caf-dma.example", "a%2Db", "sub-delims!$&'()*+,;=.example", "localhost:0"} {
		if !validHost(h) {
			t.Errorf("validHost(%q) = false", h)
		}
	}
	for _, h := range []string{"[::1", "::1", "[::1]x", "[::1]:a", "[127.0.0.1]", "a:1:2", "a b", "a/b", "a@b", "a%2", "a%zz",
		"caf\xc3\xa9", "a:8080x", "[]", "a\x00b", "a\"b", "a{b}"} {
		if validHost(h) {
			t.Errorf("validHost(%q) = true", h)
		}
	}
}

func TestRemoteAddr(t *testing.T) {
	tests := []struct {
		remote     string
		addr, port string // "-" for absent
	}{
		{"192.0.2.1:1234", "192.0.2.1", "1234"},
		{"[2001:db8::1]:443", "2001:db8::1", "443"}, // no brackets
		{"[fe80::1%eth0]:5", "fe80::1%eth0", "5"},
		{"192.0.2.1", "192.0.2.1", "-"},
		{"@", "-", "-"}, // unix socket peer
		{"", "-", "-"},
		{"/tmp/client.sock", "-", "-"},
	}
	for _, tt := range tests {
		r := get(t, "/")
		r.RemoteAddr = tt.remote
		m := mustBuild(t, r, Site{})
		for _, kv := range [][2]string{{"REMOTE_ADDR", tt.addr}, {"REMOTE_PORT", tt.port}} {
			got, ok := m[kv[0]]
			if kv[1] == "-" {
				if ok {
					t.Errorf("RemoteAddr %q: %s = %q, want absent", tt.remote, kv[0], got)
				}
			} else if got != kv[1] {
				t.Errorf("RemoteAddr %q: %s = %q (present %v), want %q", tt.remote, kv[0], got, ok, kv[1])
			}
		}
	}
}

func TestMethodProtocolScheme(t *testing.T) {
	m := mustBuild(t, parse(t, "DELETE /x HTTP/1.0\r\n\r\n"), Site{})
	if m["REQUEST_METHOD"] != "DELETE" || m["SERVER_PROTOCOL"] != "HTTP/1.0" || m["SERVER_SOFTWARE"] != "gowsgi" {
		t.Errorf("got %q %q %q", m["REQUEST_METHOD"], m["SERVER_PROTOCOL"], m["SERVER_SOFTWARE"])
	}
	for scheme, want := range map[string]string{"": "http", "http": "http", "https": "https"} {
		if m := mustBuild(t, get(t, "/"), Site{URLScheme: scheme}); m["wsgi.url_scheme"] != want {
			t.Errorf("URLScheme %q: wsgi.url_scheme = %q", scheme, m["wsgi.url_scheme"])
		}
	}
	// A client-style request with no method means GET, as in net/http.
	r := get(t, "/")
	r.Method = ""
	r.Proto = ""
	if m := mustBuild(t, r, Site{}); m["REQUEST_METHOD"] != "GET" || m["SERVER_PROTOCOL"] != "HTTP/1.1" {
		t.Errorf("defaults: %q %q", m["REQUEST_METHOD"], m["SERVER_PROTOCOL"])
	}
}

// echoEnviron is a handler that answers with Build's payload, or 400 and
// the error.
func echoEnviron(site Site) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Read the body first, as the runner would, so the connection stays usable.
		io.Copy(io.Discard, r.Body)
		b, err := Build(nil, r, site)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Write(b)
	})
}

// roundTrip writes raw to a fresh connection and returns the response and
// the connection's local address.
func roundTrip(t *testing.T, network, addr, raw string) (*http.Response, []byte, net.Addr) {
	t.Helper()
	c, err := net.Dial(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body, c.LocalAddr()
}

func TestRealServer(t *testing.T) {
	srv := httptest.NewServer(echoEnviron(Site{ScriptName: "/app"}))
	defer srv.Close()
	addr := srv.Listener.Addr().(*net.TCPAddr)
	port := strconv.Itoa(addr.Port)

	tests := []struct {
		name string
		raw  string
		want map[string]string // "-" for absent
	}{
		{
			name: "GET",
			raw:  "GET /app/caf%C3%A9/a%2Fb?x=%20y HTTP/1.1\r\nHost: example.com:1234\r\nX-A: 1\r\nX-A: 2\r\nX_A: 3\r\nConnection: close\r\n\r\n",
			want: map[string]string{
				"REQUEST_METHOD": "GET", "SCRIPT_NAME": "/app", "PATH_INFO": "/caf\xc3\xa9/a/b",
				"QUERY_STRING": "x=%20y", "RAW_URI": "/app/caf%C3%A9/a%2Fb?x=%20y",
				"HTTP_HOST": "example.com:1234", "HTTP_X_A": "1,2", "HTTP_CONNECTION": "close",
				"SERVER_NAME": "example.com", "SERVER_PORT": port, "SERVER_PROTOCOL": "HTTP/1.1",
				"REMOTE_ADDR": "127.0.0.1", "CONTENT_LENGTH": "-", "CONTENT_TYPE": "-",
				"gowsgi.body": "0", "wsgi.url_scheme": "http",
			},
		},
		{
			name: "mount root, HTTP/1.0 without Host",
			raw:  "GET /app HTTP/1.0\r\n\r\n",
			want: map[string]string{
				"SCRIPT_NAME": "/app", "PATH_INFO": "", "HTTP_HOST": "-",
				"SERVER_NAME": "127.0.0.1", "SERVER_PORT": port, "SERVER_PROTOCOL": "HTTP/1.0",
			},
		},
		{
			name: "chunked POST",
			raw: "POST /app/ HTTP/1.1\r\nHost: h\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" +
				"5\r\nhello\r\n0\r\n\r\n",
			want: map[string]string{
				"PATH_INFO": "/", "CONTENT_TYPE": "text/plain", "CONTENT_LENGTH": "-",
				"HTTP_TRANSFER_ENCODING": "-", "gowsgi.body": "1",
			},
		},
		{
			name: "POST with length",
			raw:  "POST /app/x HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc",
			want: map[string]string{"CONTENT_LENGTH": "3", "HTTP_CONTENT_LENGTH": "-", "gowsgi.body": "1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body, local := roundTrip(t, "tcp", addr.String(), tt.raw)
			if resp.StatusCode != 200 {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			_, m := decode(t, body)
			for k, v := range tt.want {
				got, ok := m[k]
				if v == "-" {
					if ok {
						t.Errorf("%s = %q, want absent", k, got)
					}
				} else if got != v {
					t.Errorf("%s = %q (present %v), want %q", k, got, ok, v)
				}
			}
			// The peer is this test's own end of the connection.
			if _, p, _ := net.SplitHostPort(local.String()); m["REMOTE_PORT"] != p {
				t.Errorf("REMOTE_PORT = %q, want %q", m["REMOTE_PORT"], p)
			}
		})
	}

	// Refusals reach the client as 400 with the reason.
	for _, raw := range []string{
		"GET /app/a%00b HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
		"GET /apix HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
	} {
		resp, body, _ := roundTrip(t, "tcp", addr.String(), raw)
		if resp.StatusCode != 400 {
			t.Errorf("%q: status %d, want 400 (%s)", raw, resp.StatusCode, body)
		}
	}
}

func TestRealUnixServer(t *testing.T) {
	dir, err := os.MkdirTemp("", "gowsgi") // short: sun_path is ~108 bytes
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	sock := filepath.Join(dir, "s")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Skipf("no unix sockets: %v", err)
	}
	srv := &http.Server{Handler: echoEnviron(Site{URLScheme: "https"})}
	go srv.Serve(ln)
	defer srv.Close()

	_, body, _ := roundTrip(t, "unix", sock, "GET / HTTP/1.0\r\n\r\n")
	_, m := decode(t, body)
	if m["SERVER_NAME"] != "localhost" || m["SERVER_PORT"] != "443" {
		t.Errorf("no Host over unix: SERVER_NAME, SERVER_PORT = %q, %q", m["SERVER_NAME"], m["SERVER_PORT"])
	}
	for _, k := range []string{"REMOTE_ADDR", "REMOTE_PORT"} {
		if v, ok := m[k]; ok {
			t.Errorf("%s = %q over a unix socket, want absent", k, v)
		}
	}

	_, body, _ = roundTrip(t, "unix", sock, "GET / HTTP/1.1\r\nHost: example.com:8443\r\nConnection: close\r\n\r\n")
	_, m = decode(t, body)
	if m["SERVER_NAME"] != "example.com" || m["SERVER_PORT"] != "8443" {
		t.Errorf("Host over unix: SERVER_NAME, SERVER_PORT = %q, %q", m["SERVER_NAME"], m["SERVER_PORT"])
	}
}

// validatorScript decodes payloads exactly as the worker does (latin-1, split
// on NUL), adds the worker's non-string keys and runs wsgiref's own checks
// with warnings as errors. Input: uint32 BE length-prefixed payloads.
const validatorScript = `
import io, json, struct, sys, warnings
from wsgiref import validate
warnings.simplefilter("error")
data = sys.stdin.buffer.read()
out = []
while data:
    n = struct.unpack(">I", data[:4])[0]
    payload, data = data[4:4+n], data[4+n:]
    fields = payload.decode("latin-1").split("\0")
    env = dict(zip(fields[0::2], fields[1::2]))
    env.update({"wsgi.version": (1, 0), "wsgi.input": io.BytesIO(), "wsgi.errors": io.StringIO(),
                "wsgi.multithread": True, "wsgi.multiprocess": True, "wsgi.run_once": False,
                "wsgi.input_terminated": True})
    try:
        validate.check_environ(env)
        out.append({"ok": True, "PATH_INFO": env["PATH_INFO"]})
    except BaseException as e:
        out.append({"ok": False, "error": repr(e)})
json.dump(out, sys.stdout)
`

func TestWsgirefValidator(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not found")
	}
	local := &net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 8000}
	reqs := []struct {
		r        *http.Request
		site     Site
		pathInfo string // as Python sees it
	}{
		{get(t, "/"), Site{}, "/"},
		{get(t, "/caf%C3%A9"), Site{}, "/caf\u00c3\u00a9"}, // latin-1 mojibake, per PEP 3333
		{get(t, "/api"), Site{ScriptName: "/api"}, ""},
		{get(t, "/api/x?y=1"), Site{ScriptName: "/api", URLScheme: "https"}, "/x"},
		{parse(t, "POST /p HTTP/1.1\r\nHost: h\r\nContent-Type: text/plain\r\nContent-Length: 0\r\n\r\n"), Site{}, "/p"},
		{parse(t, "PUT /p HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"), Site{}, "/p"},
		{parse(t, "GET / HTTP/1.0\r\n\r\n"), Site{}, "/"},
	}
	var in bytes.Buffer
	for _, q := range reqs {
		q.r.RemoteAddr = "127.0.0.1:5000"
		b, err := Build(nil, withLocal(q.r, local), q.site)
		if err != nil {
			t.Fatal(err)
		}
		in.Write(binary.BigEndian.AppendUint32(nil, uint32(len(b))))
		in.Write(b)
	}
	cmd := exec.Command(python, "-c", validatorScript)
	cmd.Stdin = &in
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python: %v", err)
	}
	var results []struct {
		OK       bool   `json:"ok"`
		Error    string `json:"error"`
		PathInfo string `json:"PATH_INFO"`
	}
	if err := json.Unmarshal(out, &results); err != nil {
		t.Fatalf("python output %q: %v", out, err)
	}
	if len(results) != len(reqs) {
		t.Fatalf("%d results for %d requests", len(results), len(reqs))
	}
	for i, res := range results {
		if !res.OK {
			t.Errorf("request %d (%s): wsgiref.validate: %s", i, reqs[i].r.RequestURI, res.Error)
			continue
		}
		if res.PathInfo != reqs[i].pathInfo {
			t.Errorf("request %d: Python PATH_INFO = %q, want %q", i, res.PathInfo, reqs[i].pathInfo)
		}
	}
}

// benchRequest is a realistic browser request, parsed as net/http would.
func benchRequest(b testing.TB) *http.Request {
	r := parse(b, "GET /api/v1/items/42?page=2&sort=name HTTP/1.1\r\n"+
		"Host: app.example.com\r\n"+
		"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n"+
		"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"+
		"Accept-Language: en-US,en;q=0.5\r\n"+
		"Accept-Encoding: gzip, deflate, br, zstd\r\n"+
		"Referer: https://app.example.com/api/v1/items\r\n"+
		"Cookie: sessionid=abcdef0123456789; csrftoken=0123456789abcdef\r\n"+
		"Connection: keep-alive\r\n"+
		"Upgrade-Insecure-Requests: 1\r\n"+
		"X-Forwarded-For: 203.0.113.9\r\n"+
		"\r\n")
	r.RemoteAddr = "127.0.0.1:53412"
	return withLocal(r, &net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 8000})
}

func TestBuildAllocs(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation counts are not checked in -short mode")
	}
	r := benchRequest(t)
	site := Site{ScriptName: "/api", URLScheme: "https"}
	buf := make([]byte, 0, 4096)
	allocs := testing.AllocsPerRun(100, func() {
		var err error
		if buf, err = Build(buf[:0], r, site); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("Build allocates %.1f times per request with a reused buffer, want 0", allocs)
	}
}

func BenchmarkBuild(b *testing.B) {
	r := benchRequest(b)
	site := Site{ScriptName: "/api", URLScheme: "https"}
	buf := make([]byte, 0, 4096)
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if buf, err = Build(buf[:0], r, site); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(len(buf)))
}
