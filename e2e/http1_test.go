package e2e

// HTTP/1.x as it is on the wire: status lines, lengths and keep-alive, seen
// through raw TCP, where a client library would smooth them over.

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// response is one answer as it came on the wire.
type response struct {
	statusLine string
	header     http.Header
	body       string
}

// pipeline sends requests on one connection, all at once, and reads the
// answers until the server closes it: the last request should close it.
func pipeline(t *testing.T, s *server, requests ...string) []response {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, strings.Join(requests, "")); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(30 * time.Second)) // a hang guard
	br := bufio.NewReader(conn)
	var out []response
	for {
		if _, err := br.Peek(1); err == io.EOF {
			return out
		}
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("after %d answers: %v", len(out), err)
		}
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatalf("answer %d (%s): body: %v", len(out)+1, resp.Status, err)
		}
		out = append(out, response{resp.Proto + " " + resp.Status, resp.Header, string(body)})
	}
}

func get11(path string) string { return "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n" }

func last11(path string) string {
	return "GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
}

// TestReasonPhrase: the status line is the app's, reason phrase and all
// (PEP 3333), also when a second start_response replaces the first; the
// connection stays in use.
func TestReasonPhrase(t *testing.T) {
	forEachEngine(t, func(t *testing.T, flags []string) {
		s := start(t, testApps, append(flags, "--wsgi", "pure.router")...)
		got := pipeline(t, s, get11("/custom-reason"), get11("/replaced-reason"), get11("/changed-mind"), get11("/nowhere"), last11("/"))
		want := []string{"HTTP/1.1 299 Custom Thing", "HTTP/1.1 500 Oops Replaced", "HTTP/1.1 503 Changed Mind", "HTTP/1.1 404 Not Found", "HTTP/1.1 200 OK"}
		var lines []string
		for _, r := range got {
			lines = append(lines, r.statusLine)
		}
		if strings.Join(lines, "\n") != strings.Join(want, "\n") {
			t.Errorf("status lines on one connection:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
		}
		if len(got) == 5 && (got[0].body != "custom\n" || got[1].body != "replaced\n" || got[4].body != "Hello, world!\n") {
			t.Errorf("bodies: %q %q %q", got[0].body, got[1].body, got[4].body)
		}
	})
}

// TestContentLengthOverflowKeepsConnection: an app that sends more than
// its Content-Length has the declared bytes sent and the rest dropped; the
// next request on the connection is answered in step.
func TestContentLengthOverflowKeepsConnection(t *testing.T) {
	forEachEngine(t, func(t *testing.T, flags []string) {
		s := start(t, testApps, append(flags, "--wsgi", "pure.router")...)
		got := pipeline(t, s, get11("/content-length-lie?declared=5&sent=11"), last11("/"))
		if len(got) != 2 || got[0].statusLine != "HTTP/1.1 200 OK" || got[0].body != "yyyyy" || got[1].body != "Hello, world!\n" {
			t.Fatalf("answers: %+v", got)
		}
		s.waitLog(`warning: .*GET /content-length-lie: the app sent 11 bytes, more than its Content-Length of 5: the rest was dropped`, 5*time.Second)
	})
}

// recordedRE finds what testapps/recorder.py logs for each request it gets.
var recordedRE = regexp.MustCompile(`recorded (\S+ \S*) \d+`)

// TestRequestSmugglingRefused: a request with both Content-Length and
// Transfer-Encoding gets a 400 before any app sees it, and the connection
// closes, so that what follows in the stream never runs as a request.
func TestRequestSmugglingRefused(t *testing.T) {
	s := start(t, testApps, "--python", venvPy, "--wsgi", "recorder.application")
	smuggled := get11("/smuggled")
	got := pipeline(t, s,
		get11("/before"),
		"POST /cl-te HTTP/1.1\r\nHost: x\r\nContent-Length: "+fmt.Sprint(5+len(smuggled))+"\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"+smuggled,
		smuggled)
	if len(got) != 2 || got[0].statusLine != "HTTP/1.1 200 OK" || got[1].statusLine != "HTTP/1.1 400 Bad Request" {
		t.Fatalf("answers: %+v; want a 200, a 400, and the connection closed", got)
	}
	s.waitLog(`warning: refused a request from 127\.0\.0\.1:\d+: the request has both Content-Length and Transfer-Encoding`, 5*time.Second)
	if code, _ := s.get("/after"); code != 200 {
		t.Fatalf("a good request after: %d", code)
	}
	s.waitLog(`recorded GET /after`, 5*time.Second)
	var seen []string
	for _, m := range recordedRE.FindAllStringSubmatch(s.out.String(), -1) {
		seen = append(seen, m[1])
	}
	if strings.Join(seen, ",") != "GET /before,GET /after" {
		t.Errorf("the app got %q, want only /before and /after", seen)
	}
}

// TestMalformedChunkedBody: a chunked body that breaks its framing is the
// client's fault: 400, no traceback, nothing blamed on the app.
func TestMalformedChunkedBody(t *testing.T) {
	forEachEngine(t, func(t *testing.T, flags []string) {
		s := start(t, testApps, append(flags, "--wsgi", "pure.router")...)
		got := pipeline(t, s, "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nzz\r\n\r\n")
		if len(got) != 1 || got[0].statusLine != "HTTP/1.1 400 Bad Request" ||
			!strings.Contains(got[0].body, "the request body is malformed") || strings.Contains(got[0].body, "Traceback") {
			t.Fatalf("answers: %+v", got)
		}
		s.waitLog(`POST\s+/echo\s+400 .*the request body is malformed`, 5*time.Second)
		if out := s.out.String(); strings.Contains(out, "Traceback") || strings.Contains(out, "raised") {
			t.Errorf("the app was blamed:\n%s", out)
		}
	})
}

// TestContentLengthRules: two different lengths, or one that is not
// digits, break the rules (500 naming it); the same length twice goes out
// once.
func TestContentLengthRules(t *testing.T) {
	s := start(t, testApps, "--python", venvPy, "--wsgi", "pure.router")
	got := pipeline(t, s, get11("/two-lengths"), get11("/signed-length"), last11("/same-length-twice"))
	if len(got) != 3 {
		t.Fatalf("answers: %+v", got)
	}
	for i, want := range []string{`two different Content-Length headers, "5" and "6"`, `"Content-Length" with value "+5"`} {
		if got[i].statusLine != "HTTP/1.1 500 Internal Server Error" || !strings.Contains(got[i].body, want) {
			t.Errorf("answer %d: %s %q, want a 500 saying %s", i+1, got[i].statusLine, got[i].body, want)
		}
	}
	if got[2].statusLine != "HTTP/1.1 200 OK" || fmt.Sprint(got[2].header["Content-Length"]) != "[5]" || got[2].body != "12345" {
		t.Errorf("the same length twice: %s %v %q", got[2].statusLine, got[2].header, got[2].body)
	}
}

// TestIPv4Interface: interface=0.0.0.0 listens on IPv4 only, and the
// banner says so.
func TestIPv4Interface(t *testing.T) {
	s := launchRaw(t, testApps, nil, "-n", "web", "--listen", "tcp:0:interface=0.0.0.0", "--python", venvPy, "--wsgi", "pure.application")
	m := s.waitLog(`listening on http://0\.0\.0\.0:(\d+)/`, 30*time.Second)
	port := m[1]
	if c, err := net.Dial("tcp4", "127.0.0.1:"+port); err != nil {
		t.Fatalf("over IPv4: %v", err)
	} else {
		c.Close()
	}
	if c, err := net.Dial("tcp6", "[::1]:"+port); err == nil {
		c.Close()
		t.Errorf("interface=0.0.0.0 took a connection over IPv6")
	}
}

// TestUnixSocketHidesTracebacks: a unix socket is what a proxy forwards the
// network to, so tracebacks are shown there only when asked.
func TestUnixSocketHidesTracebacks(t *testing.T) {
	for _, c := range []struct {
		flag  string
		shown bool
	}{{"", false}, {"--display-tracebacks", true}} {
		sock := filepath.Join(t.TempDir(), "app.sock")
		args := []string{"-n", "web", "--listen", "unix:" + sock, "--python", venvPy, "--wsgi", "pure.router"}
		if c.flag != "" {
			args = append(args, c.flag)
		}
		s := launchRaw(t, testApps, nil, args...)
		s.waitLog(`listening on unix:`, 30*time.Second)
		uc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", sock)
		}}}
		resp, err := uc.Get("http://localhost/error-before")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 500 || strings.Contains(string(body), "boom before start_response") != c.shown {
			t.Errorf("%q: %d %q; traceback shown: want %v", c.flag, resp.StatusCode, body, c.shown)
		}
		s.waitLog(`ValueError: boom before start_response`, 5*time.Second) // the log has it either way
	}
}

// TestTLSHTTP11: over TLS, HTTP/1.1 has the app's reason phrase and the
// smuggling check too, and the app sees wsgi.url_scheme https.
func TestTLSHTTP11(t *testing.T) {
	home := t.TempDir()
	s := waitListening(t, launchRaw(t, testApps, []string{"XDG_CONFIG_HOME=" + home}, "-n", "web", "--python", venvPy,
		"--wsgi", "pure.router", "--listen", "ssl:0"))
	pemBytes, err := os.ReadFile(filepath.Join(home, "gowsgi", "tls", "localhost.pem"))
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pemBytes)
	conn, err := tls.Dial("tcp", strings.TrimPrefix(s.URL, "https://"), &tls.Config{RootCAs: roots, NextProtos: []string{"http/1.1"}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, get11("/custom-reason")+get11("/environ")+
		"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"+get11("/smuggled"))
	conn.SetReadDeadline(time.Now().Add(30 * time.Second)) // a hang guard
	br := bufio.NewReader(conn)
	var lines []string
	for {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			break // the server closed the connection after the 400
		}
		body, _ := io.ReadAll(resp.Body)
		lines = append(lines, resp.Proto+" "+resp.Status)
		if strings.HasPrefix(string(body), "{") && !strings.Contains(string(body), `"wsgi.url_scheme": "https"`) {
			t.Errorf("the environ over TLS: %s", body)
		}
	}
	if want := "HTTP/1.1 299 Custom Thing,HTTP/1.1 200 OK,HTTP/1.1 400 Bad Request"; strings.Join(lines, ",") != want {
		t.Errorf("over TLS: %q, want %s", lines, want)
	}
	s.waitLog(`refused a request from 127\.0\.0\.1:\d+: the request has both Content-Length and Transfer-Encoding`, 5*time.Second)
	if strings.Contains(s.out.String(), "/smuggled") {
		t.Errorf("the smuggled request ran:\n%s", s.out)
	}
}
