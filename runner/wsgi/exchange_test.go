package wsgi_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gowsgi/gowsgi/runner/config"
	"github.com/gowsgi/gowsgi/runner/logging"
	"github.com/gowsgi/gowsgi/runner/pool"
	"github.com/gowsgi/gowsgi/runner/pool/fakeworker"
	"github.com/gowsgi/gowsgi/runner/router"
	"github.com/gowsgi/gowsgi/runner/wsgi"
)

// These tests serve real HTTP (httptest on 127.0.0.1, a real client)
// through the router and a WSGI mount, to fake workers
// (runner/pool/fakeworker) that speak the real protocol. They synchronise
// on the workers' reports and on the access log, never on the clock;
// fakeworker.Guard only turns a hang into a failure.

func TestMain(m *testing.M) {
	fakeworker.Main() // returns at once unless this process is a fake worker
	os.Exit(m.Run())
}

// logBuffer is a log the test reads, and waits on, while the server writes it.
type logBuffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	changed chan struct{}
}

func newLogBuffer() *logBuffer { return &logBuffer{changed: make(chan struct{})} }

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	close(l.changed)
	l.changed = make(chan struct{})
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// waitFor waits until cond holds of the whole log.
func (l *logBuffer) waitFor(t *testing.T, what string, cond func(string) bool) {
	t.Helper()
	deadline := time.NewTimer(fakeworker.Guard)
	defer deadline.Stop()
	for {
		l.mu.Lock()
		ok := cond(l.b.String())
		changed := l.changed
		l.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("waited %s for %s; the log has:\n%s", fakeworker.Guard, what, l)
		}
	}
}

// record is one line of the JSON access log: what the router recorded.
type record struct {
	Method    string `json:"method"`
	URI       string `json:"uri"`
	Status    int    `json:"status"`
	Worker    int    `json:"worker"`
	Note      string `json:"note"`
	Traceback string `json:"traceback"`
}

// site is a router with one WSGI mount, served over HTTP, with its pool of
// fake workers and its logs.
type site struct {
	hub    *fakeworker.Hub
	pool   *pool.Pool
	srv    *httptest.Server
	client *http.Client
	log    *logBuffer // the server log
	access *logBuffer // the access log, as JSON
}

func newSite(t *testing.T, mount string, edit func(*config.Pool)) *site {
	t.Helper()
	cfg := config.Pool{Workers: 1, Threads: 4, QueueTimeout: fakeworker.Guard}
	if edit != nil {
		edit(&cfg)
	}
	s := &site{hub: fakeworker.New(t), log: newLogBuffer(), access: newLogBuffer()}
	lg := logging.New(logging.Options{Out: s.log, Access: s.access, AccessFormat: logging.FormatJSON})
	s.pool = pool.New(pool.Options{App: "fakeapp:application", Engine: s.hub.Engine(), Root: t.TempDir(), Pool: cfg, Log: lg})
	if err := s.pool.Start(); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { s.pool.Close(200 * time.Millisecond) })
	rt := router.New([]router.Route{{Path: mount, Handler: wsgi.New(mount, s.pool, cfg, lg)}},
		router.Options{Tracebacks: true, Log: lg})
	s.srv = httptest.NewServer(rt)
	t.Cleanup(s.srv.Close)
	s.client = s.srv.Client()
	s.client.Timeout = fakeworker.Guard
	return s
}

// do sends a request and reads the whole response.
func (s *site) do(t *testing.T, method, path string, body io.Reader) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, s.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", method, path, err)
	}
	return resp, b
}

func (s *site) get(t *testing.T, path string) (*http.Response, []byte) {
	t.Helper()
	return s.do(t, http.MethodGet, path, nil)
}

// record waits for the access log's line about uri.
func (s *site) record(t *testing.T, uri string) record {
	t.Helper()
	var found record
	s.access.waitFor(t, "the access log line of "+uri, func(log string) bool {
		for _, line := range strings.Split(log, "\n") {
			var r record
			if json.Unmarshal([]byte(line), &r) == nil && r.URI == uri {
				found = r
				return true
			}
		}
		return false
	})
	return found
}

// requestPID is the worker process that served the request with this id.
func (s *site) requestPID(t *testing.T, id string) int {
	t.Helper()
	var pid int
	s.hub.WaitFor(t, "request "+id, func(st *fakeworker.State) bool {
		e, ok := st.Find(fakeworker.EvRequest, func(e fakeworker.Event) bool { return e.ID == id })
		pid = e.PID
		return ok
	})
	return pid
}

func wantStatus(t *testing.T, resp *http.Response, body []byte, code int) {
	t.Helper()
	if resp.StatusCode != code {
		t.Fatalf("%s %s: status %d, want %d; body:\n%s", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, code, body)
	}
}

func TestHello(t *testing.T) {
	s := newSite(t, "/", nil)
	resp, body := s.get(t, "/hello")
	wantStatus(t, resp, body, http.StatusOK)
	if string(body) != "hello" || resp.Header.Get("Content-Type") != "text/plain" || resp.ContentLength != 5 {
		t.Errorf("/hello: %q, Content-Type %q, Content-Length %d", body, resp.Header.Get("Content-Type"), resp.ContentLength)
	}
	if r := s.record(t, "/hello"); r.Status != 200 || r.Worker != 1 || r.Note != "" {
		t.Errorf("/hello recorded as %+v", r)
	}
}

// A 5 MB body travels to the worker (its reads answered from the client's
// body) and back, with and without a Content-Length.
func TestEchoLargeBody(t *testing.T) {
	s := newSite(t, "/", nil)
	data := make([]byte, 5<<20)
	rand.Read(data)
	want := sha256.Sum256(data)

	for _, tc := range []struct {
		name string
		body func() io.Reader
	}{
		{"content-length", func() io.Reader { return bytes.NewReader(data) }},
		{"chunked", func() io.Reader { return io.MultiReader(bytes.NewReader(data)) }}, // no Len: sent chunked
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := s.do(t, http.MethodPost, "/echo", tc.body())
			wantStatus(t, resp, body, http.StatusOK)
			if got := sha256.Sum256(body); got != want || len(body) != len(data) {
				t.Errorf("echoed %d bytes (sha256 %x), sent %d (sha256 %x)", len(body), got, len(data), want)
			}
		})
	}
}

// An app that raises before its response gets a 500 with the traceback on
// the page (tracebacks are on), in the access record and in the log.
func TestRaise(t *testing.T) {
	s := newSite(t, "/", nil)
	resp, body := s.get(t, "/raise")
	wantStatus(t, resp, body, http.StatusInternalServerError)
	if !strings.Contains(string(body), "the app raised an exception") || !strings.Contains(string(body), "ZeroDivisionError: division by zero") {
		t.Errorf("the error page does not show the exception:\n%s", body)
	}
	if r := s.record(t, "/raise"); r.Status != 500 || r.Traceback != fakeworker.Traceback {
		t.Errorf("/raise recorded as %+v", r)
	}
	// JSON access lines go to their own stream: the server log shows the traceback too.
	s.log.waitFor(t, "the traceback in the server log", func(log string) bool {
		return strings.Contains(log, "GET /raise → 500") && strings.Contains(log, "ZeroDivisionError: division by zero")
	})
}

// A worker that dies mid-request is a 502, and the next request is served
// by its replacement.
func TestCrash(t *testing.T) {
	s := newSite(t, "/", nil)
	resp, body := s.get(t, "/crash?id=crash")
	wantStatus(t, resp, body, http.StatusBadGateway)
	if r := s.record(t, "/crash?id=crash"); r.Status != 502 || !strings.Contains(r.Note, "the worker process died (exit status 3)") {
		t.Errorf("/crash recorded as %+v", r)
	}
	crashed := s.requestPID(t, "crash")

	resp, body = s.get(t, "/hello?id=after")
	wantStatus(t, resp, body, http.StatusOK)
	if pid := s.requestPID(t, "after"); pid == crashed {
		t.Errorf("the request after the crash ran in the crashed worker (pid %d)", pid)
	}
}

// A status that breaks PEP 3333 is a 500 that names the rule; nothing the
// app sent reaches the client.
func TestBadStatus(t *testing.T) {
	s := newSite(t, "/", nil)
	resp, body := s.get(t, "/badstatus")
	wantStatus(t, resp, body, http.StatusInternalServerError)
	rule := `app sent invalid status "2OO OK": a WSGI status is three digits, a space and a reason phrase`
	if !strings.Contains(string(body), "the app broke the WSGI rules") || !strings.Contains(string(body), rule) {
		t.Errorf("the error page does not name the rule:\n%s", body)
	}
	if r := s.record(t, "/badstatus"); r.Status != 500 || !strings.Contains(r.Note, rule) {
		t.Errorf("/badstatus recorded as %+v", r)
	}
}

// HEAD gets the app's headers, Content-Length included, and no body.
func TestHead(t *testing.T) {
	s := newSite(t, "/", nil)
	resp, body := s.do(t, http.MethodHead, "/hello", nil)
	wantStatus(t, resp, body, http.StatusOK)
	if len(body) != 0 || resp.ContentLength != 5 {
		t.Errorf("HEAD /hello: %d body bytes, Content-Length %d; want none and 5", len(body), resp.ContentLength)
	}
	// The lane is back in step: the next request on it is answered.
	resp, body = s.get(t, "/hello")
	if resp.StatusCode != 200 || string(body) != "hello" {
		t.Errorf("GET after HEAD: %d %q", resp.StatusCode, body)
	}
}

// A client that leaves makes the exchange send a Cancel; the lane serves
// the next request.
func TestClientLeftCancels(t *testing.T) {
	s := newSite(t, "/", func(c *config.Pool) { c.Threads = 1 })
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.srv.URL+"/block?id=gone", nil)
	done := make(chan error, 1)
	go func() {
		resp, err := s.client.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	s.hub.WaitFor(t, "the request blocked", func(st *fakeworker.State) bool { _, ok := st.Blocked["gone"]; return ok })
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("the client's request ended with %v, want context.Canceled", err)
	}
	s.hub.WaitFor(t, "the worker told to cancel", func(st *fakeworker.State) bool {
		return st.Count(fakeworker.EvCancel, func(e fakeworker.Event) bool { return e.ID == "gone" }) == 1
	})
	if r := s.record(t, "/block?id=gone"); !strings.HasPrefix(r.Note, "client went away") {
		t.Errorf("/block recorded as %+v", r)
	}
	resp, body := s.get(t, "/hello") // the only thread
	if resp.StatusCode != 200 || string(body) != "hello" {
		t.Errorf("after the cancel: %d %q", resp.StatusCode, body)
	}
}

// A mount at /blog: SCRIPT_NAME is the mount, PATH_INFO the rest.
func TestMountScriptName(t *testing.T) {
	s := newSite(t, "/blog", nil)
	resp, body := s.get(t, "/blog/environ/post?a=b")
	wantStatus(t, resp, body, http.StatusOK)
	for _, kv := range []string{"SCRIPT_NAME=/blog", "PATH_INFO=/environ/post", "QUERY_STRING=a=b", "REQUEST_METHOD=GET", "gowsgi.body=0"} {
		if !strings.Contains(string(body), "\n"+kv+"\n") && !strings.HasPrefix(string(body), kv+"\n") {
			t.Errorf("the environ lacks %s:\n%s", kv, body)
		}
	}
	resp, body = s.get(t, "/blogger/environ")
	wantStatus(t, resp, body, http.StatusNotFound)
	if !strings.Contains(string(body), "nothing is mounted at this path") {
		t.Errorf("/blogger is not outside the mount /blog:\n%s", body)
	}
}

// What the app writes to wsgi.errors reaches the server log, tagged.
func TestLog(t *testing.T) {
	s := newSite(t, "/", nil)
	resp, body := s.get(t, "/log")
	wantStatus(t, resp, body, http.StatusOK)
	s.log.waitFor(t, "the app's wsgi.errors line", func(log string) bool {
		return strings.Contains(log, "[worker 1 GET /log] "+fakeworker.LogLine+"\n")
	})
}

// With every thread busy past --queue-timeout: 503 with Retry-After.
func TestQueueTimeout503(t *testing.T) {
	s := newSite(t, "/", func(c *config.Pool) { c.Threads = 1; c.QueueTimeout = 50 * time.Millisecond })
	done := make(chan int, 1)
	go func() {
		resp, err := s.client.Get(s.srv.URL + "/block?id=hold")
		if err != nil {
			done <- 0
			return
		}
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	s.hub.WaitFor(t, "the only thread blocked", func(st *fakeworker.State) bool { return len(st.Blocked) == 1 })
	resp, body := s.get(t, "/hello")
	wantStatus(t, resp, body, http.StatusServiceUnavailable)
	if resp.Header.Get("Retry-After") != "1" {
		t.Errorf("503 without Retry-After: %v", resp.Header)
	}
	s.hub.Release("hold")
	if code := <-done; code != 200 {
		t.Errorf("the blocked request ended with %d", code)
	}
}

// A body over --max-body is refused before any worker sees it.
func TestMaxBody(t *testing.T) {
	s := newSite(t, "/", func(c *config.Pool) { c.MaxBody = 1000 })
	resp, body := s.do(t, http.MethodPost, "/echo", bytes.NewReader(make([]byte, 5000)))
	wantStatus(t, resp, body, http.StatusRequestEntityTooLarge)
	resp, body = s.do(t, http.MethodPost, "/echo", bytes.NewReader(make([]byte, 1000)))
	if resp.StatusCode != 200 || len(body) != 1000 {
		t.Errorf("a body at --max-body: %d, %d bytes", resp.StatusCode, len(body))
	}
}

// A request past --timeout whose app ignores the cancel is a 504, and its
// worker is replaced: a thread cannot be stopped, its process can.
func TestHangTimesOut(t *testing.T) {
	s := newSite(t, "/", func(c *config.Pool) { c.Timeout = 100 * time.Millisecond })
	resp, body := s.get(t, "/hang?id=hang")
	wantStatus(t, resp, body, http.StatusGatewayTimeout)
	s.hub.WaitFor(t, "the worker told to cancel", func(st *fakeworker.State) bool {
		return st.Count(fakeworker.EvCancel, func(e fakeworker.Event) bool { return e.ID == "hang" }) == 1
	})
	stuck := s.requestPID(t, "hang")
	s.log.waitFor(t, "the replacement in the log", func(log string) bool {
		return strings.Contains(log, "has a request stuck past --timeout 100ms: starting a replacement")
	})
	resp, body = s.get(t, "/hello?id=after")
	wantStatus(t, resp, body, http.StatusOK)
	if pid := s.requestPID(t, "after"); pid == stuck {
		t.Errorf("the request after the timeout ran in the stuck worker (pid %d)", pid)
	}
}
