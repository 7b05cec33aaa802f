package asgi_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gowsgi/gowsgi/runner/asgi"
	"github.com/gowsgi/gowsgi/runner/config"
	"github.com/gowsgi/gowsgi/runner/logging"
	"github.com/gowsgi/gowsgi/runner/pool"
	"github.com/gowsgi/gowsgi/runner/router"
)

// These tests serve real HTTP (httptest on 127.0.0.1, real clients)
// through the router and an ASGI mount, to a fake worker (fakeworker_test.go)
// on the other end of a real socket pair. They synchronise on frames and
// responses, never on the clock: guard only turns a hang into a failure.

// site is a router with one ASGI mount, served over HTTP, and its fake
// worker.
type site struct {
	fake   *fake
	srv    *httptest.Server
	client *http.Client
	mount  string
}

type siteOptions struct {
	hideTracebacks bool
	edit           func(*config.ASGI)
}

func newSite(t *testing.T, mount string, o siteOptions) *site {
	t.Helper()
	cfg := config.ASGIDefaults
	cfg.App = "fakeapp:app"
	if o.edit != nil {
		o.edit(&cfg)
	}
	lg := logging.New(logging.Options{Out: io.Discard, Access: io.Discard})
	s := &site{fake: newFake(t), mount: strings.TrimRight(mount, "/")}
	rt := router.New([]router.Route{{Path: mount, Handler: asgi.New(mount, s.fake, cfg, lg)}},
		router.Options{Tracebacks: !o.hideTracebacks, Log: lg})
	s.srv = httptest.NewServer(rt)
	// The worker goes first, so that no request still waits for it when
	// the server closes.
	t.Cleanup(s.srv.Close)
	t.Cleanup(s.fake.stop)
	s.client = s.srv.Client()
	s.client.Timeout = guard
	return s
}

func (s *site) url(path string) string { return s.srv.URL + s.mount + path }

// do sends a request and reads the whole response.
func (s *site) do(t *testing.T, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", req.Method, req.URL, err)
	}
	return resp, string(b)
}

func (s *site) get(t *testing.T, path string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.url(path), nil)
	if err != nil {
		t.Fatal(err)
	}
	return s.do(t, req)
}

func wantStatus(t *testing.T, resp *http.Response, body string, code int) {
	t.Helper()
	if resp.StatusCode != code {
		t.Fatalf("%s %s: status %d, want %d; body:\n%s", resp.Request.Method, resp.Request.URL, resp.StatusCode, code, body)
	}
}

func TestScope(t *testing.T) {
	s := newSite(t, "/api", siteOptions{})
	scopes := make(chan scope, 1)
	s.fake.handle("/a%20b/c%2Fd", func(st *fstream) {
		scopes <- st.scope
		st.readBody(100)
		st.start(200)
		st.body(false, "ok")
		st.end()
	})
	// The client's own address, as the server sees it.
	var local net.Addr
	client := &http.Client{Timeout: guard, Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
			if err == nil {
				local = c.LocalAddr()
			}
			return c, err
		},
	}}
	defer client.CloseIdleConnections()
	req, _ := http.NewRequest(http.MethodPost, s.url("/a%20b/c%2Fd?x=1&y=%20z"), strings.NewReader("body"))
	req.Header.Add("X-Multi", "one")
	req.Header.Add("X-Multi", "two")
	req.Header.Set("Content-Type", "text/plain")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	wantStatus(t, resp, "", 200)
	sc := waitFor(t, "the scope", scopes)

	clientHost, clientPort, _ := net.SplitHostPort(local.String())
	serverHost, serverPort, _ := net.SplitHostPort(s.srv.Listener.Addr().String())
	want := scope{Method: "POST", Scheme: "http", HTTPVersion: "1.1", RawPath: "/api/a%20b/c%2Fd", Query: "x=1&y=%20z",
		RootPath: "/api", ClientHost: clientHost, ClientPort: clientPort, ServerHost: serverHost, ServerPort: serverPort, Body: "1"}
	got := sc
	got.Headers = nil
	if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
		t.Errorf("scope\n got %+v\nwant %+v", got, want)
	}
	if len(sc.Headers) == 0 || sc.Headers[0] != [2]string{"host", s.srv.Listener.Addr().String()} {
		t.Errorf("the first header is %q, want host %s", sc.Headers[:min(1, len(sc.Headers))], s.srv.Listener.Addr())
	}
	for _, kv := range sc.Headers {
		if kv[0] != strings.ToLower(kv[0]) {
			t.Errorf("header name %q is not lower-case", kv[0])
		}
	}
	for name, values := range map[string][]string{"x-multi": {"one", "two"}, "content-type": {"text/plain"}, "content-length": {"4"}} {
		if got := sc.header(name); !equal(got, values) {
			t.Errorf("header %s: %q, want %q", name, got, values)
		}
	}

	// At the root mount, root_path is empty; a request without a body says
	// so.
	r := newSite(t, "/", siteOptions{})
	r.fake.handle("/x", func(st *fstream) {
		scopes <- st.scope
		st.start(204)
		st.body(false, "")
		st.end()
	})
	resp, body := r.get(t, "/x")
	wantStatus(t, resp, body, 204)
	if sc := waitFor(t, "the scope", scopes); sc.RootPath != "" || sc.RawPath != "/x" || sc.Body != "0" || sc.Method != "GET" {
		t.Errorf("at /: root_path %q, raw_path %q, body %q, method %q", sc.RootPath, sc.RawPath, sc.Body, sc.Method)
	}
}

func equal(a, b []string) bool {
	return strings.Join(a, "\x00") == strings.Join(b, "\x00") && len(a) == len(b)
}

func TestHello(t *testing.T) {
	s := newSite(t, "/", siteOptions{})
	s.fake.handle("/hello", func(st *fstream) {
		st.start(200, "x-app", "yes", "x-app", "again")
		st.body(false, "hello")
		st.end()
	})
	resp, body := s.get(t, "/hello")
	wantStatus(t, resp, body, 200)
	if body != "hello" || resp.ContentLength != 5 {
		t.Errorf("body %q, Content-Length %d; want hello, 5", body, resp.ContentLength)
	}
	if got := resp.Header.Values("X-App"); !equal(got, []string{"yes", "again"}) {
		t.Errorf("X-App: %q", got)
	}
	if ct, ok := resp.Header["Content-Type"]; ok {
		t.Errorf("the app sent no Content-Type, the response has %q", ct)
	}
}

func TestRequestBody(t *testing.T) {
	s := newSite(t, "/", siteOptions{})
	s.fake.handle("/body", func(st *fstream) {
		if st.scope.Body != "1" {
			st.fail("body flag %q", st.scope.Body)
		}
		b := st.readBody(1 << 20)
		sum := sha256.Sum256(b)
		st.start(200, "content-type", "text/plain")
		st.body(false, fmt.Sprintf("%d %x", len(b), sum))
		st.end()
	})
	data := make([]byte, 1<<20)
	rand.Read(data)
	sum := sha256.Sum256(data)
	want := fmt.Sprintf("%d %x", len(data), sum)
	for name, body := range map[string]io.Reader{
		"with Content-Length": bytes.NewReader(data),
		"chunked":             io.MultiReader(bytes.NewReader(data)), // no length known
	} {
		req, _ := http.NewRequest(http.MethodPost, s.url("/body"), body)
		resp, got := s.do(t, req)
		wantStatus(t, resp, got, 200)
		if got != want {
			t.Errorf("%s: the worker got %s, want %s", name, got, want)
		}
	}
}

func TestExpectContinueWaitsForRead(t *testing.T) {
	s := newSite(t, "/", siteOptions{})
	opened := make(chan struct{})
	read := make(chan struct{})
	s.fake.handle("/continue", func(st *fstream) {
		close(opened)
		st.wait(read)
		b := st.readBody(1024)
		st.start(200)
		st.body(false, "got "+string(b))
		st.end()
	})
	c, err := net.Dial("tcp", s.srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(guard))
	fmt.Fprintf(c, "POST /continue HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
	waitFor(t, "the stream", opened)
	// Until the app reads, no 100 Continue. (A read that times out can only
	// miss an early 100, never fail a correct server.)
	c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	var one [1]byte
	if n, err := c.Read(one[:]); n > 0 || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("before the app read, the client got %q (%v)", one[:n], err)
	}
	c.SetReadDeadline(time.Now().Add(guard))
	close(read)
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 100 {
		t.Fatalf("after the app's read: %v, %v; want 100 Continue", resp, err)
	}
	io.WriteString(c, "hello")
	resp, err = http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || string(body) != "got hello" {
		t.Fatalf("%d %q, want 200 \"got hello\"", resp.StatusCode, body)
	}
}

func TestStreamingResponseIsAcked(t *testing.T) {
	s := newSite(t, "/", siteOptions{})
	chunks := []string{"first\n", "second, longer\n", "third\n"}
	next := make(chan struct{}, len(chunks))
	s.fake.handle("/stream", func(st *fstream) {
		st.start(200, "content-type", "text/plain")
		for _, c := range chunks {
			st.body(true, c)
			if p := st.expect('a'); len(p) != 4 || int(u32be(p)) != len(c) {
				st.fail("ack %x for a chunk of %d bytes", p, len(c))
			}
			st.wait(next) // the client has it
		}
		st.body(false, "")
		st.end()
	})
	resp, err := s.client.Get(s.url("/stream"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	for _, c := range chunks {
		// Each chunk reaches the client before the app sends the next.
		line, err := br.ReadString('\n')
		if err != nil || line != c {
			t.Fatalf("read %q, %v; want %q", line, err, c)
		}
		next <- struct{}{}
	}
	if rest, err := io.ReadAll(br); err != nil || len(rest) != 0 {
		t.Fatalf("after the chunks: %q, %v", rest, err)
	}
}

func u32be(p []byte) uint32 {
	return uint32(p[0])<<24 | uint32(p[1])<<16 | uint32(p[2])<<8 | uint32(p[3])
}

const traceback = "Traceback (most recent call last):\n  File \"app.py\", line 3, in app\nValueError: boom\n"

func TestFailBeforeStart(t *testing.T) {
	for _, hide := range []bool{false, true} {
		s := newSite(t, "/", siteOptions{hideTracebacks: hide})
		s.fake.handle("/fail", func(st *fstream) {
			st.send('F', []byte(traceback))
			st.end()
		})
		resp, body := s.get(t, "/fail")
		wantStatus(t, resp, body, 500)
		if shown := strings.Contains(body, "ValueError: boom"); shown == hide {
			t.Errorf("tracebacks hidden %v, traceback in the page %v:\n%s", hide, shown, body)
		}
		if !strings.Contains(body, "the app raised an exception") {
			t.Errorf("the page:\n%s", body)
		}
	}
}

func TestFailAfterStartCutsTheConnection(t *testing.T) {
	s := newSite(t, "/", siteOptions{})
	s.fake.handle("/fail", func(st *fstream) {
		st.start(200, "content-type", "text/plain")
		st.body(true, "partial")
		st.expect('a')
		st.send('F', []byte(traceback))
		st.end()
	})
	resp, err := s.client.Get(s.url("/fail"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err == nil || string(body) != "partial" {
		t.Fatalf("status %d, body %q, error %v: want \"partial\" and an error", resp.StatusCode, body, err)
	}
}

func TestEndWithoutStart(t *testing.T) {
	s := newSite(t, "/", siteOptions{})
	s.fake.handle("/end", func(st *fstream) { st.end() })
	resp, body := s.get(t, "/end")
	wantStatus(t, resp, body, 500)
	if !strings.Contains(body, "without starting a response") {
		t.Errorf("the page:\n%s", body)
	}
}

func TestWorkerGone(t *testing.T) {
	s := newSite(t, "/", siteOptions{})
	s.fake.handle("/die", func(st *fstream) { st.f.die() })
	resp, body := s.get(t, "/die")
	wantStatus(t, resp, body, 502)
	// And the next request, with no worker, is a 503 at once.
	resp, body = s.get(t, "/after")
	wantStatus(t, resp, body, 503)
}

func TestTimeout(t *testing.T) {
	s := newSite(t, "/", siteOptions{edit: func(c *config.ASGI) { c.Pool.Timeout = 50 * time.Millisecond }})
	cancelled := make(chan struct{})
	s.fake.handle("/slow", func(st *fstream) {
		st.expect('k')
		close(cancelled)
		st.end()
	})
	resp, body := s.get(t, "/slow")
	wantStatus(t, resp, body, 504)
	waitFor(t, "the worker's 'k'", cancelled)
}

func TestClientGoneMidStream(t *testing.T) {
	s := newSite(t, "/", siteOptions{})
	disconnected := make(chan struct{})
	s.fake.handle("/forever", func(st *fstream) {
		st.start(200)
		for {
			st.body(true, "tick\n")
			switch fr := st.recv(); fr.typ {
			case 'a':
				continue
			case 'd':
				close(disconnected)
				st.end()
				return
			default:
				st.fail("got %q", fr.typ)
			}
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.url("/forever"), nil)
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if line, err := bufio.NewReader(resp.Body).ReadString('\n'); err != nil || line != "tick\n" {
		t.Fatalf("read %q, %v", line, err)
	}
	cancel() // closes the connection
	resp.Body.Close()
	waitFor(t, "the worker's 'd'", disconnected)
}

func TestPathsend(t *testing.T) {
	s := newSite(t, "/", siteOptions{})
	data := make([]byte, 300<<10)
	rand.Read(data)
	path := filepath.Join(t.TempDir(), "file.bin")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	s.fake.handle("/file", func(st *fstream) {
		st.start(200, "content-type", "application/octet-stream")
		st.send('P', []byte(path))
		st.end()
	})
	resp, body := s.get(t, "/file")
	wantStatus(t, resp, body, 200)
	if body != string(data) || resp.ContentLength != int64(len(data)) {
		t.Errorf("%d bytes (equal: %v), Content-Length %d; want %d", len(body), body == string(data), resp.ContentLength, len(data))
	}
}

func TestLimitConcurrency(t *testing.T) {
	s := newSite(t, "/", siteOptions{edit: func(c *config.ASGI) { c.LimitConcurrency = 1 }})
	parked := make(chan struct{})
	release := make(chan struct{})
	s.fake.handle("/park", func(st *fstream) {
		close(parked)
		st.wait(release)
		st.start(200)
		st.body(false, "parked")
		st.end()
	})
	s.fake.handle("/quick", func(st *fstream) {
		st.start(200)
		st.body(false, "quick")
		st.end()
	})
	first := make(chan string, 1)
	go func() {
		resp, err := s.client.Get(s.url("/park"))
		if err != nil {
			first <- err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		first <- fmt.Sprintf("%d %s", resp.StatusCode, b)
	}()
	waitFor(t, "the first request", parked)
	resp, body := s.get(t, "/quick")
	wantStatus(t, resp, body, 503)
	if resp.Header.Get("Retry-After") == "" {
		t.Errorf("a 503 over --limit-concurrency without Retry-After")
	}
	close(release)
	if got := waitFor(t, "the first response", first); got != "200 parked" {
		t.Fatalf("the parked request: %s", got)
	}
	// Its place is free again.
	resp, body = s.get(t, "/quick")
	wantStatus(t, resp, body, 200)
}

func TestOpenErrors(t *testing.T) {
	s := newSite(t, "/", siteOptions{})
	s.fake.failOpen(pool.ErrBroken, &pool.ImportError{Traceback: "ModuleNotFoundError: No module named 'fakeapp'", At: time.Now()})
	resp, body := s.get(t, "/")
	wantStatus(t, resp, body, 500)
	if !strings.Contains(body, "the app failed to load") || !strings.Contains(body, "No module named 'fakeapp'") {
		t.Errorf("the page of an app that does not import:\n%s", body)
	}

	s.fake.failOpen(pool.ErrClosed, nil)
	resp, body = s.get(t, "/")
	wantStatus(t, resp, body, 503)
	if !strings.Contains(body, "shutting down") || !resp.Close {
		t.Errorf("while shutting down (connection close %v):\n%s", resp.Close, body)
	}
}

// The same bytes in, whatever happens: the tests above share one worker's
// lane between concurrent requests too.
func TestConcurrentRequests(t *testing.T) {
	s := newSite(t, "/", siteOptions{})
	s.fake.handle("/echo", func(st *fstream) {
		b := st.readBody(4096)
		st.start(200)
		st.body(true, string(b[:len(b)/2]))
		st.expect('a')
		st.body(false, string(b[len(b)/2:]))
		st.end()
	})
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := range 20 {
		wg.Go(func() {
			want := strings.Repeat(fmt.Sprintf("request %d;", i), 500+i*37)
			resp, err := s.client.Post(s.url("/echo"), "text/plain", strings.NewReader(want))
			if err != nil {
				errs <- err
				return
			}
			b, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil || string(b) != want {
				errs <- fmt.Errorf("request %d: %d bytes back of %d (%v)", i, len(b), len(want), err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
