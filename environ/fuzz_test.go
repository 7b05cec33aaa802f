package environ

import (
	"bufio"
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gowsgi/gowsgi/runner/wire"
)

// FuzzBuild turns what net/http parses from arbitrary bytes into an
// environ, under an arbitrary mount prefix: Build never panics, and what it
// builds is a valid pairs payload with the keys PEP 3333 requires, in which
// SCRIPT_NAME and PATH_INFO put the path back together.
func FuzzBuild(f *testing.F) {
	f.Add("GET /a/b?x=1 HTTP/1.1\r\nHost: example.com:8080\r\nX-Multi: 1\r\nX-Multi: 2\r\nCookie: a=1\r\nCookie: b=2\r\n\r\n", "")
	f.Add("POST /api/items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}", "/api")
	f.Add("PUT /up HTTP/1.1\r\nHost: [::1]:80\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", "/")
	f.Add("GET http://other.example/abs%2Fpath%00 HTTP/1.0\r\nX_Under: 1\r\n\r\n", "/abs")
	f.Add("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n", "")
	f.Fuzz(func(t *testing.T, raw, prefix string) {
		r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw)))
		if err != nil {
			return
		}
		dst := []byte("KEPT\x00value")
		out, err := Build(dst, r, Site{ScriptName: prefix})
		if err != nil {
			if string(out) != "KEPT\x00value" {
				t.Fatalf("Build failed (%v) and changed dst to %q", err, out)
			}
			return
		}
		pairs, err := wire.Pairs(out)
		if err != nil {
			t.Fatalf("not a pairs payload: %v: %q", err, out)
		}
		env := map[string]string{}
		for _, kv := range pairs {
			if _, dup := env[kv[0]]; dup {
				t.Fatalf("key %q twice in %q", kv[0], out)
			}
			env[kv[0]] = kv[1]
		}
		for _, k := range []string{"KEPT", "REQUEST_METHOD", "SCRIPT_NAME", "PATH_INFO", "QUERY_STRING", "SERVER_NAME", "SERVER_PORT", "SERVER_PROTOCOL", "wsgi.url_scheme"} {
			if _, ok := env[k]; !ok {
				t.Fatalf("no %s in %q", k, out)
			}
		}
		path := r.URL.Path
		if path == "" {
			path = "/"
		}
		if env["SCRIPT_NAME"]+env["PATH_INFO"] != path {
			t.Fatalf("SCRIPT_NAME %q + PATH_INFO %q is not the path %q", env["SCRIPT_NAME"], env["PATH_INFO"], path)
		}
		if p := env["PATH_INFO"]; p != "" && p[0] != '/' {
			t.Fatalf("PATH_INFO %q", p)
		}
		for k := range env {
			if strings.HasPrefix(k, "HTTP_") && (strings.ToUpper(k) != k || strings.ContainsAny(k, "-") ||
				k == "HTTP_CONTENT_LENGTH" || k == "HTTP_CONTENT_TYPE" || k == "HTTP_TRANSFER_ENCODING") {
				t.Fatalf("header key %q", k)
			}
		}
	})
}

// FuzzBuildFields builds an environ from a request made in Go code, which
// net/http has not checked at all.
func FuzzBuildFields(f *testing.F) {
	f.Add("GET", "/a b", "q=%00", "example.com", "X-Name", "value")
	f.Add("", "", "", "", "", "")
	f.Add("P\x00ST", "/\x00", "", "[::1", "X_Y", "a\x00b")
	f.Fuzz(func(t *testing.T, method, path, query, host, name, value string) {
		r := &http.Request{Method: method, URL: &url.URL{Path: path, RawQuery: query}, Host: host, Proto: "HTTP/1.1",
			Header: http.Header{name: {value}}, RemoteAddr: "192.0.2.1:1234"}
		out, err := Build(nil, r, Site{})
		if err != nil {
			if len(out) != 0 {
				t.Fatalf("Build failed (%v) and returned %q", err, out)
			}
			return
		}
		if _, err := wire.Pairs(out); err != nil || bytes.Count(out, []byte{0})%2 != 1 {
			t.Fatalf("not a pairs payload: %v: %q", err, out)
		}
	})
}

// FuzzCheck: whatever status and header CheckStatus and CheckHeader let
// through, a strict HTTP/1.1 parser (net/http's client) reads back as that
// status and that one header, with nothing injected.
func FuzzCheck(f *testing.F) {
	f.Add("200 OK", "Content-Type", "text/plain")
	f.Add("299 Custom Thing", "Content-Length", "5")
	f.Add("404 Nicht gefunden \xfc", "X-Latin", "caf\xe9\tb")
	f.Add("200 OK\r\nX-Injected: 1", "Set-Cookie", "a=1\r\nX-Injected: 1")
	f.Add("100 Continue", "Transfer-Encoding", "chunked")
	f.Add("200 ", "Content-Length", "+5")
	f.Fuzz(func(t *testing.T, status, name, value string) {
		code, err := CheckStatus(status)
		if err != nil {
			status = "200 OK"
			code = 200
		} else if code < 200 || code > 999 || status[:3] != strings.TrimLeft(status[:3], " ") {
			t.Fatalf("CheckStatus(%q) = %d", status, code)
		}
		if err := CheckHeader(name, value); err != nil {
			name, value = "X-Checked", "refused"
		}
		raw := "HTTP/1.1 " + status + "\r\n" + name + ": " + value + "\r\nContent-Length: 0\r\n\r\n"
		if strings.EqualFold(name, "Content-Length") {
			raw = "HTTP/1.1 " + status + "\r\n" + name + ": " + value + "\r\n\r\n" + strings.Repeat("x", 100)
		}
		resp, err := http.ReadResponse(bufio.NewReader(strings.NewReader(raw)), nil)
		if err != nil {
			t.Fatalf("%q: %v", raw, err)
		}
		if resp.StatusCode != code || resp.Status != status {
			t.Fatalf("status %q read back as %d %q", status, resp.StatusCode, resp.Status)
		}
		want := 2
		if strings.EqualFold(name, "Content-Length") {
			want = 1
		}
		if len(resp.Header) != want || resp.Header.Get(name) != strings.Trim(value, " \t") {
			t.Fatalf("header %q: %q read back as %q", name, value, resp.Header)
		}
	})
}
