package e2e

// ASGI apps over HTTP (issue #8): FastAPI on Debian's Starlette, raw ASGI 3
// and ASGI 2 apps, the scope, mounts beside WSGI, the config file, the
// lifespan, errors, a killed worker, --limit-concurrency and --timeout.

import (
	"bufio"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// asgiScope is what rawapp's /scope answers.
type asgiScope struct {
	Type            string         `json:"type"`
	ASGI            map[string]any `json:"asgi"`
	HTTPVersion     string         `json:"http_version"`
	Method          string         `json:"method"`
	Scheme          string         `json:"scheme"`
	Path            string         `json:"path"`
	PathType        string         `json:"path_type"`
	RawPath         string         `json:"raw_path"`
	RawPathType     string         `json:"raw_path_type"`
	QueryString     string         `json:"query_string"`
	QueryStringType string         `json:"query_string_type"`
	RootPath        string         `json:"root_path"`
	Headers         [][2]string    `json:"headers"`
	HeaderTypes     []string       `json:"header_types"`
	Client          []any          `json:"client"`
	Server          []any          `json:"server"`
	State           map[string]any `json:"state"`
	Extensions      []string       `json:"extensions"`
	Subprotocols    []string       `json:"subprotocols"`
}

func decodeScope(t *testing.T, b []byte) asgiScope {
	t.Helper()
	var sc asgiScope
	if err := json.Unmarshal(b, &sc); err != nil {
		t.Fatalf("the scope is not JSON: %v\n%s", err, b)
	}
	return sc
}

// runToExit runs gowsgi with args in dir until it exits (at most 30s) and
// returns its exit status and output.
func runToExit(t *testing.T, dir string, env []string, args ...string) (int, string) {
	t.Helper()
	cmd := gowsgi(dir, env, args...)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return exitCode(err), out.String()
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("gowsgi %s still ran after 30s; output:\n%s", strings.Join(args, " "), out.String())
		return 0, ""
	}
}

func TestASGIFastAPIRoutes(t *testing.T) {
	s, events := startASGI(t, "--asgi", "main.app")

	for _, c := range []struct {
		path string
		code int
		body string
	}{
		{"/", 200, `{"hello":"world"}`},
		{"/items/42?q=G%C3%BCnter&n=3", 200, `{"item_id":42,"q":"Günter","n":3}`},
		{"/items/7", 200, `{"item_id":7,"q":null,"n":1}`},
		{"/state", 200, `{"greeting":"hello from lifespan"}`},
		{"/stream?n=4", 200, "chunk 0\nchunk 1\nchunk 2\nchunk 3\n"},
		{"/file", 200, "hello from a file on disk\n"},
		{"/no/such/route", 404, `{"detail":"Not Found"}`},
	} {
		if code, body := s.get(c.path); code != c.code || body != c.body {
			t.Errorf("GET %s = %d %q, want %d %q", c.path, code, body, c.code, c.body)
		}
	}
	if code, body := s.get("/items/abc"); code != 422 || !strings.Contains(body, "value is not a valid integer") {
		t.Errorf("GET /items/abc = %d %q, want FastAPI's 422", code, body)
	}

	// A JSON body, validated by pydantic.
	req := s.request("POST", "/items", strings.NewReader(`{"name": "pen", "price": 2.5, "qty": 4}`))
	req.Header.Set("Content-Type", "application/json")
	if resp, body := s.do(req); resp.StatusCode != 200 || string(body) != `{"stored":"pen","total":10.0}` {
		t.Errorf("POST /items = %d %q", resp.StatusCode, body)
	}
	req = s.request("POST", "/items", strings.NewReader(`{"name": "pen"}`))
	req.Header.Set("Content-Type", "application/json")
	if resp, body := s.do(req); resp.StatusCode != 422 || !strings.Contains(string(body), "price") {
		t.Errorf("POST /items without a price = %d %q, want 422", resp.StatusCode, body)
	}

	// A 3 MiB body, with a length and chunked: every byte reaches the app.
	big := make([]byte, 3<<20)
	rand.Read(big)
	sum := sha256.Sum256(big)
	want := fmt.Sprintf(`{"length":%d,"sha256":"%s"}`, len(big), hex.EncodeToString(sum[:]))
	for _, chunked := range []bool{false, true} {
		var r io.Reader = strings.NewReader(string(big))
		if chunked {
			r = io.MultiReader(strings.NewReader(string(big[:1<<20])), strings.NewReader(string(big[1<<20:])))
		}
		req := s.request("POST", "/upload", r)
		if chunked {
			req.ContentLength = -1
		}
		if resp, body := s.do(req); resp.StatusCode != 200 || string(body) != want {
			t.Errorf("POST /upload (chunked %v) = %d %q, want %s", chunked, resp.StatusCode, body, want)
		}
	}

	// The streamed response arrives in pieces, not all at the end.
	resp, err := client.Get(s.URL + "/slowstream")
	if err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	resp.Body.Close()
	if err != nil || line != "tick 0\n" {
		t.Errorf("the first line of /slowstream: %q %v", line, err)
	}

	// The background task runs after the response.
	if code, body := s.get("/background?tag=t1"); code != 200 || body != "queued" {
		t.Errorf("GET /background = %d %q", code, body)
	}
	waitEvent(t, events, "background task t1 done", 5*time.Second)
}

// TestASGIFileResponses: Starlette's FileResponse, and a raw app's
// http.response.pathsend, which the server offers in scope["extensions"].
func TestASGIFileResponses(t *testing.T) {
	s, _ := startASGI(t, "--asgi", "/=main.app", "--asgi", "/raw=rawapp.app")
	for _, path := range []string{"/file", "/raw/file"} {
		resp, body := s.do(s.request("GET", path, nil))
		if resp.StatusCode != 200 || string(body) != "hello from a file on disk\n" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
			t.Errorf("GET %s = %d %q %q", path, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
		if path == "/raw/file" && resp.Header.Get("X-Sent-By") != "pathsend" {
			t.Errorf("GET /raw/file: the app did not use http.response.pathsend (X-Sent-By %q): is it in the scope's extensions?", resp.Header.Get("X-Sent-By"))
		}
	}
}

// TestASGIVersions: a raw ASGI 3 app, and ASGI 2 as a class and as a
// function, named both ways (module.attr and module:attr).
func TestASGIVersions(t *testing.T) {
	for _, c := range []struct{ spec, body string }{
		{"hello.app", "Hello, world!\n"},
		{"hello:app", "Hello, world!\n"},
		{"hello.Asgi2", "Hello from ASGI 2!\n"},
		{"hello:asgi2", "Hello from ASGI 2!\n"},
	} {
		t.Run(c.spec, func(t *testing.T) {
			s, _ := startASGI(t, "--asgi", c.spec)
			if code, body := s.get("/"); code != 200 || body != c.body {
				t.Errorf("GET / = %d %q, want %q", code, body, c.body)
			}
		})
	}
}

// TestASGIScope: the http scope, per the ASGI spec, for an app mounted at
// /api beside a WSGI app at /.
func TestASGIScope(t *testing.T) {
	s, _ := startASGI(t, "--wsgi", "/=legacy.application", "--asgi", "/api=rawapp.app")

	// Over a raw connection, to control the header order and spelling.
	conn, err := net.Dial("tcp", s.hostPort())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(conn, "GET /api/scope/a%%20b/%%C3%%BC?x=1&y=%%C3%%BC&z=a+b HTTP/1.1\r\nHost: example.test\r\n"+
		"X-Zeta: last-first\r\nX-Alpha: one\r\nx-ALPHA: two\r\nConnection: close\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET /api/scope = %d %q", resp.StatusCode, body)
	}
	sc := decodeScope(t, body)
	check := func(name string, got, want any) {
		t.Helper()
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("scope[%s] = %v, want %v", name, got, want)
		}
	}
	check("type", sc.Type, "http")
	check("asgi.version", sc.ASGI["version"], "3.0")
	check("http_version", sc.HTTPVersion, "1.1")
	check("method", sc.Method, "GET")
	check("scheme", sc.Scheme, "http")
	check("root_path", sc.RootPath, "/api")
	check("path", sc.Path, "/api/scope/a b/ü")
	check("type(path)", sc.PathType, "str")
	check("raw_path", sc.RawPath, "/api/scope/a%20b/%C3%BC")
	check("type(raw_path)", sc.RawPathType, "bytes")
	check("query_string", sc.QueryString, "x=1&y=%C3%BC&z=a+b")
	check("type(query_string)", sc.QueryStringType, "bytes")
	check("header types", sc.HeaderTypes, []string{"bytes,bytes"})
	check("state", sc.State["greeting"], "hi from rawapp")
	if !contains(sc.Extensions, "http.response.pathsend") {
		t.Errorf("scope[extensions] = %v, want http.response.pathsend offered", sc.Extensions)
	}
	// Headers: names lower-cased, duplicates kept.
	var xs []string
	host := ""
	for _, h := range sc.Headers {
		if h[0] != strings.ToLower(h[0]) {
			t.Errorf("header name %q is not lower-case", h[0])
		}
		if strings.HasPrefix(h[0], "x-") {
			xs = append(xs, h[0]+"="+h[1])
		}
		if h[0] == "host" {
			host = h[1]
		}
	}
	// Go's server keeps headers in a map: the values of one name keep the
	// client's order, different names come sorted (docs/asgi.md).
	check("x- headers, one name's values in order", xs, []string{"x-alpha=one", "x-alpha=two", "x-zeta=last-first"})
	check("host header", host, "example.test")
	// client is this connection's own address; server is the listener's.
	local := conn.LocalAddr().(*net.TCPAddr)
	check("client", sc.Client, []any{"127.0.0.1", float64(local.Port)})
	_, port, _ := net.SplitHostPort(s.hostPort())
	p, _ := strconv.Atoi(port)
	check("server", sc.Server, []any{"127.0.0.1", float64(p)})

	// The bare mount: path is root_path itself.
	code, b := s.get("/api")
	if code != 200 || b != "Hello, world!\n" {
		t.Errorf("GET /api = %d %q", code, b)
	}
	// The WSGI app at / gets everything else, /apix included.
	for _, c := range []struct{ path, want string }{
		{"/", "legacy WSGI at SCRIPT_NAME='' PATH_INFO='/'\n"},
		{"/apix", "legacy WSGI at SCRIPT_NAME='' PATH_INFO='/apix'\n"},
	} {
		if code, body := s.get(c.path); code != 200 || body != c.want {
			t.Errorf("GET %s = %d %q, want the WSGI app: %q", c.path, code, body, c.want)
		}
	}
}

// TestASGIFastAPIUnderMount: FastAPI (Starlette 0.26, Debian's) mounted at
// /api. Starlette 0.26 routes on scope["path"] and does not strip
// root_path from it (later Starlettes do), so with path including the
// mount, as the ASGI spec now says, every route 404s. Users of Debian's
// FastAPI need this to work; this test says whether it does.
func TestASGIFastAPIUnderMount(t *testing.T) {
	s, _ := startASGI(t, "--asgi", "/api=main.app")
	if code, body := s.get("/api/items/5?q=m"); code != 200 || body != `{"item_id":5,"q":"m","n":1}` {
		t.Errorf("GET /api/items/5 = %d %q: Debian's FastAPI does not route under a mount", code, body)
	}
}

// TestASGIConfigFile: "type": "asgi" path services in a Crossbar-style
// config, beside a WSGI one.
func TestASGIConfigFile(t *testing.T) {
	dir := t.TempDir()
	events := filepath.Join(t.TempDir(), "events.txt")
	write(t, filepath.Join(dir, ".crossbar", "config.json"), fmt.Sprintf(`{
  "version": 2,
  "workers": [{
    "type": "router",
    "options": {"pythonpath": [%q]},
    "transports": [{
      "type": "web",
      "endpoint": {"type": "tcp", "port": 0},
      "paths": {
        "/": {"type": "asgi", "module": "main", "object": "app"},
        "raw": {"type": "asgi", "module": "rawapp", "object": "app"},
        "legacy": {"type": "wsgi", "module": "legacy", "object": "application"}
      }
    }]
  }]
}`, asgiDir()))
	s := waitListening(t, launchRaw(t, dir, []string{"ASGI_EVENTS=" + events}, "-n", "web", "--python", venvPy, "--no-reload"))
	for _, c := range []struct{ path, body string }{
		{"/items/9?q=cfg", `{"item_id":9,"q":"cfg","n":1}`},
		{"/state", `{"greeting":"hello from lifespan"}`},
		{"/raw/pid", ""},
		{"/legacy/x", "legacy WSGI at SCRIPT_NAME='/legacy' PATH_INFO='/x'\n"},
	} {
		code, body := s.get(c.path)
		if code != 200 || (c.body != "" && body != c.body) {
			t.Errorf("GET %s = %d %q, want %q", c.path, code, body, c.body)
		}
	}
	_, b := s.get("/raw/scope")
	if sc := decodeScope(t, []byte(b)); sc.RootPath != "/raw" || sc.Path != "/raw/scope" {
		t.Errorf("the config's raw mount: root_path %q path %q", sc.RootPath, sc.Path)
	}
	ws := wsOpen(t, s, "/ws/echo")
	ws.sendText("via the config")
	ws.expectMessage(t, opText, []byte("via the config"))
	ws = wsOpen(t, s, "/raw/echo")
	ws.sendText("raw via the config")
	ws.expectMessage(t, opText, []byte("raw via the config"))
}

// TestASGIWrongKind: an ASGI app given to --wsgi, a WSGI app given to
// --asgi, and ASGI on gpython are refused at start, each with a line that
// says what to use instead.
func TestASGIWrongKind(t *testing.T) {
	for _, c := range []struct {
		args []string
		want *regexp.Regexp
	}{
		{[]string{"--python", venvPy, "--wsgi", "hello.app"}, regexp.MustCompile(`(?m)^.*ASGI.*--asgi.*$|^.*--asgi.*ASGI.*$`)},
		{[]string{"--python", venvPy, "--wsgi", "main.app"}, regexp.MustCompile(`(?m)^.*ASGI.*--asgi.*$|^.*--asgi.*ASGI.*$`)},
		{[]string{"--python", venvPy, "--asgi", "legacy.application"}, regexp.MustCompile(`(?m)^.*WSGI.*--wsgi.*$|^.*--wsgi.*WSGI.*$`)},
		{[]string{"--engine", "gpython", "--asgi", "hello.app"}, regexp.MustCompile(`(?m)^.*ASGI.*CPython.*$`)},
	} {
		args := append([]string{"-n", "web", "--listen", "tcp:0", "--no-reload"}, c.args...)
		code, out := runToExit(t, asgiDir(), nil, args...)
		if code == 0 || !c.want.MatchString(out) {
			t.Errorf("gowsgi %s: exit %d, output:\n%s\nwant a non-zero exit and a line matching %s", strings.Join(c.args, " "), code, out, c.want)
		}
		if strings.Contains(out, "listening on") {
			t.Errorf("gowsgi %s started listening", strings.Join(c.args, " "))
		}
	}
}

// TestASGILifespan: startup runs before the first request and its state
// reaches requests; shutdown runs at SIGTERM, after the request in flight.
func TestASGILifespan(t *testing.T) {
	s, events := startASGI(t, "--asgi", "main.app")
	// The first request already sees the startup's state.
	if code, body := s.get("/state"); code != 200 || body != `{"greeting":"hello from lifespan"}` {
		t.Errorf("the first request: %d %q, want the lifespan's state", code, body)
	}
	if ev := readEvents(events); !strings.Contains(ev, "startup pid=") || strings.Contains(ev, "shutdown") {
		t.Errorf("events after the first request: %q", ev)
	}
	ws := wsOpen(t, s, "/ws/state")
	ws.expectMessage(t, opText, []byte(`{"greeting": "hello from lifespan"}`))

	// SIGTERM: the request in flight finishes, then the shutdown runs.
	got := make(chan string, 1)
	go func() {
		resp, err := client.Get(s.URL + "/sleep?s=1")
		if err != nil {
			got <- err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got <- fmt.Sprintf("%d %s", resp.StatusCode, b)
	}()
	time.Sleep(300 * time.Millisecond)
	s.cmd.Process.Signal(syscall.SIGTERM)
	if r := <-got; r != "200 slept" {
		t.Errorf("the request in flight at SIGTERM got %q", r)
	}
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		t.Fatal("no exit 10s after SIGTERM")
	}
	if code := exitCode(s.err); code != 0 {
		t.Errorf("exit %d after SIGTERM", code)
	}
	waitEvent(t, events, "shutdown pid=", time.Second)
	if ev := readEvents(events); strings.Index(ev, "startup") > strings.Index(ev, "shutdown") {
		t.Errorf("events out of order: %q", ev)
	}
}

// TestASGILifespanOff: --lifespan off never sends the lifespan scope.
func TestASGILifespanOff(t *testing.T) {
	s, events := startASGI(t, "--asgi", "main.app", "--lifespan", "off")
	if code, body := s.get("/state"); code != 200 || body != `{"greeting":null}` {
		t.Errorf("GET /state with --lifespan off = %d %q", code, body)
	}
	s.stop()
	if ev := readEvents(events); strings.Contains(ev, "startup") || strings.Contains(ev, "shutdown") {
		t.Errorf("--lifespan off, yet: %q", ev)
	}
}

// TestASGILifespanFailures: a failed startup stops gowsgi with its message;
// an app that raises on the lifespan scope is served in auto (with the
// exception shown), and refused with --lifespan on.
func TestASGILifespanFailures(t *testing.T) {
	for _, c := range []struct {
		spec, lifespan string
		want           []string
	}{
		{"lifespans.failing", "auto", []string{"cannot reach the database at db.invalid:5432"}},
		{"lifespans.failing", "on", []string{"cannot reach the database at db.invalid:5432"}},
		{"lifespans.starlette_broken", "auto", []string{"ConnectionError: redis at cache.invalid:6379 refused the connection", "lifespans.py"}},
		{"lifespans.raising", "on", []string{"RuntimeError: raising only speaks http, not lifespan"}},
	} {
		t.Run(c.spec+" "+c.lifespan, func(t *testing.T) {
			code, out := runToExit(t, asgiDir(), nil, "-n", "web", "--listen", "tcp:0", "--no-reload", "--python", venvPy,
				"--asgi", c.spec, "--lifespan", c.lifespan)
			if code != 1 {
				t.Errorf("exit %d, want 1; output:\n%s", code, out)
			}
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("the output lacks %q:\n%s", w, out)
				}
			}
			if strings.Contains(out, "listening on") {
				t.Errorf("it started listening despite the failed startup:\n%s", out)
			}
		})
	}
	t.Run("lifespans.raising auto", func(t *testing.T) {
		s, _ := startASGI(t, "--asgi", "lifespans.raising")
		if code, body := s.get("/"); code != 200 || body != "served anyway\n" {
			t.Errorf("GET / = %d %q", code, body)
		}
		s.waitLog(`RuntimeError: raising only speaks http, not lifespan`, 5*time.Second)
	})
}

// TestASGIErrors: an exception before the response starts is a 500 with
// the debug page (loopback), after it starts the connection is cut; the
// worker serves on.
func TestASGIErrors(t *testing.T) {
	s, _ := startASGI(t, "--asgi", "/=main.app", "--asgi", "/raw=rawapp.app")
	code, body := s.get("/raw/error-before")
	if code != 500 || !strings.Contains(body, "boom before the response started") || !strings.Contains(body, "rawapp.py") {
		t.Errorf("error before the response = %d %.300q; want 500 with the traceback (loopback)", code, body)
	}
	s.waitLog(`ValueError: boom before the response started`, 5*time.Second)

	resp, err := client.Get(s.URL + "/raw/error-after")
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err == nil {
		t.Errorf("error after the response started: the body ended cleanly (%q); it must be cut", b)
	}
	s.waitLog(`ValueError: boom after the response started`, 5*time.Second)

	// FastAPI answers its own 500 and re-raises: the log has the traceback.
	if code, body := s.get("/error"); code != 500 || !strings.Contains(body, "Internal Server Error") && !strings.Contains(body, "boom in fastapi") {
		t.Errorf("GET /error = %d %.300q", code, body)
	}
	s.waitLog(`ValueError: boom in fastapi`, 5*time.Second)

	for _, c := range []struct{ path, body string }{{"/", `{"hello":"world"}`}, {"/raw/", "Hello, world!\n"}} {
		if code, body := s.get(c.path); code != 200 || body != c.body {
			t.Errorf("after the errors: GET %s = %d %q", c.path, code, body)
		}
	}
}

// TestASGIWorkerKilled: the worker dies (SIGKILL, by the app's own hand):
// its requests in flight get 502, its WebSockets 1011, and a fresh worker
// serves the next request.
func TestASGIWorkerKilled(t *testing.T) {
	s, events := startASGI(t, "--asgi", "rawapp.app")
	_, pid1 := s.get("/pid")
	ws := wsOpen(t, s, "/ws")
	ws.sendText("alive")
	ws.expectMessage(t, opText, []byte("alive"))
	slow := make(chan int, 1)
	go func() {
		resp, err := client.Get(s.URL + "/sleep?s=5")
		if err != nil {
			slow <- -1
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		slow <- resp.StatusCode
	}()
	time.Sleep(300 * time.Millisecond)
	if code, body := s.get("/kill"); code != 502 {
		t.Errorf("GET /kill = %d %q, want 502", code, body)
	}
	select {
	case code := <-slow:
		if code != 502 {
			t.Errorf("the request in flight when the worker died: %d, want 502", code)
		}
	case <-time.After(4 * time.Second):
		t.Errorf("the request in flight was not answered when its worker died")
	}
	if c := ws.expectClose(t, 5*time.Second); c.Code != 1011 {
		t.Errorf("the WebSocket of the dead worker: close %d %q, want 1011", c.Code, c.Reason)
	}
	code, pid2 := s.get("/pid")
	if code != 200 || pid2 == pid1 {
		t.Errorf("after the death: GET /pid = %d %q (the dead worker was %s)", code, pid2, pid1)
	}
	ws = wsOpen(t, s, "/ws")
	ws.sendText("fresh")
	ws.expectMessage(t, opText, []byte("fresh"))
	// The fresh worker ran the lifespan startup again.
	waitEvent(t, events, "rawapp startup pid="+pid2, 5*time.Second)
}

// TestASGILimitConcurrency: more than N open requests and WebSockets for an
// app get a 503 at once.
func TestASGILimitConcurrency(t *testing.T) {
	s, _ := startASGI(t, "--asgi", "rawapp.app", "--limit-concurrency", "2")
	var wg sync.WaitGroup
	var mu sync.Mutex
	var finished []time.Time
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := client.Get(s.URL + "/sleep?s=2")
			if err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					t.Errorf("a slow request within the limit: %d", resp.StatusCode)
				}
			} else {
				t.Errorf("a slow request within the limit: %v", err)
			}
			mu.Lock()
			finished = append(finished, time.Now())
			mu.Unlock()
		}()
	}
	time.Sleep(500 * time.Millisecond)
	resp, body := s.do(s.request("GET", "/", nil))
	answered := time.Now()
	if resp.StatusCode != 503 {
		t.Errorf("a third request with 2 in flight and --limit-concurrency 2: %d %q, want 503", resp.StatusCode, body)
	}
	// A WebSocket over the limit is refused the same way.
	if ws, resp, _, err := wsTry(s.hostPort(), "/ws", nil); err != nil || ws != nil || resp.StatusCode != 503 {
		if ws != nil {
			ws.conn.Close()
		}
		t.Errorf("a WebSocket over the limit: %v %v, want 503", resp, err)
	}
	wg.Wait()
	for _, f := range finished {
		if !answered.Before(f) {
			t.Errorf("the 503 came after a request in flight had finished: not at once")
		}
	}
	if code, _ := s.get("/"); code != 200 {
		t.Errorf("after the slow ones: %d", code)
	}

	// Open WebSockets count too.
	a, b := wsOpen(t, s, "/ws"), wsOpen(t, s, "/ws")
	a.sendText("a")
	a.expectMessage(t, opText, []byte("a"))
	if code, _ := s.get("/"); code != 503 {
		t.Errorf("GET / with 2 WebSockets open and --limit-concurrency 2: %d, want 503", code)
	}
	b.sendClose(1000, "")
	b.expectClose(t, 5*time.Second)
	deadline := time.Now().Add(5 * time.Second)
	for {
		code, _ := s.get("/")
		if code == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a WebSocket closed, yet GET / still %d after 5s", code)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestASGITimeout: --timeout answers 504 and cancels the app's task.
func TestASGITimeout(t *testing.T) {
	s, events := startASGI(t, "--asgi", "main.app", "--timeout", "1s")
	t0 := time.Now()
	code, body := s.get("/sleep?s=3")
	if code != 504 {
		t.Errorf("GET /sleep?s=3 with --timeout 1s = %d %q, want 504", code, body)
	}
	if d := time.Since(t0); d > 2500*time.Millisecond {
		t.Errorf("the 504 came after %s", d)
	}
	waitEvent(t, events, "sleep 3.0 cancelled", 5*time.Second)
	if code, body := s.get("/sleep?s=0.2"); code != 200 || body != "slept" {
		t.Errorf("a request within the timeout: %d %q", code, body)
	}
}

// TestASGIClientDisconnectDuringStream: a client that leaves a streaming
// response is noticed by the app, and the worker serves on.
func TestASGIClientDisconnectDuringStream(t *testing.T) {
	s, events := startASGI(t, "--asgi", "main.app")
	conn, err := net.Dial("tcp", s.hostPort())
	if err != nil {
		t.Fatal(err)
	}
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(conn, "GET /slowstream HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(resp.Body)
	for i := 0; i < 3; i++ {
		if line, err := br.ReadString('\n'); err != nil || line != fmt.Sprintf("tick %d\n", i) {
			t.Fatalf("line %d: %q %v", i, line, err)
		}
	}
	conn.Close()
	waitEvent(t, events, "slowstream stopped after", 5*time.Second)
	if strings.Contains(readEvents(events), "slowstream completed") {
		t.Error("the stream ran to its end with no client")
	}
	if code, _ := s.get("/"); code != 200 {
		t.Errorf("after the disconnect: %d", code)
	}
}

// TestASGIBesideWSGIMounts: the mount example from the docs, both ways round.
func TestASGIBesideWSGIMounts(t *testing.T) {
	s, _ := startASGI(t, "--asgi", "/=rawapp.app", "--wsgi", "/legacy=legacy.application")
	if code, body := s.get("/legacy/a"); code != 200 || body != "legacy WSGI at SCRIPT_NAME='/legacy' PATH_INFO='/a'\n" {
		t.Errorf("GET /legacy/a = %d %q", code, body)
	}
	if code, body := s.get("/"); code != 200 || body != "Hello, world!\n" {
		t.Errorf("GET / = %d %q", code, body)
	}
	_, b := s.get("/scope")
	if sc := decodeScope(t, []byte(b)); sc.RootPath != "" || sc.Path != "/scope" {
		t.Errorf("at /: root_path %q, path %q; want \"\" and /scope", sc.RootPath, sc.Path)
	}
}

// TestASGIStopRunsShutdown: at SIGTERM, a task that never looks at its
// client is cancelled once --grace has passed, and the lifespan shutdown
// runs to its end even when it takes a while; gowsgi check runs the
// shutdown after the startup too.
func TestASGIStopRunsShutdown(t *testing.T) {
	s, events := startASGI(t, "--asgi", "lifespans.slow_shutdown", "--grace", "1s")
	waitEvent(t, events, "slow startup", 5*time.Second)
	go func() {
		if resp, err := client.Get(s.URL + "/longpoll"); err == nil {
			resp.Body.Close()
		}
	}()
	waitEvent(t, events, "longpoll started", 5*time.Second)
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(20 * time.Second):
		t.Fatal("gowsgi still runs 20 s after SIGTERM (--grace 1s)")
	}
	ev := readEvents(events)
	for _, want := range []string{"longpoll cancelled", "slow shutdown begins", "slow shutdown done"} {
		if !strings.Contains(ev, want) {
			t.Errorf("events lack %q:\n%s", want, ev)
		}
	}

	checkEvents := filepath.Join(t.TempDir(), "events.txt")
	code, out := runToExit(t, asgiDir(), []string{"ASGI_EVENTS=" + checkEvents}, "check", "--python", venvPy, "--asgi", "lifespans.slow_shutdown")
	if ev := readEvents(checkEvents); code != 0 || !strings.Contains(ev, "slow shutdown done") {
		t.Errorf("gowsgi check: exit %d, events %q, output:\n%s", code, ev, out)
	}
}

// TestASGIPlainDefRefused: a plain def app(scope, receive, send) is not an
// ASGI app; it fails to start with that said, not taken for an app without
// lifespan support.
func TestASGIPlainDefRefused(t *testing.T) {
	code, out := runToExit(t, asgiDir(), nil, "-n", "web", "--listen", "tcp:0", "--no-reload", "--python", venvPy, "--asgi", "lifespans.plain")
	if code != 1 || !strings.Contains(out, "not an awaitable") || strings.Contains(out, "listening on") {
		t.Errorf("exit %d, output:\n%s", code, out)
	}
}

// TestASGIFrameworkErrorPage: FastAPI (Starlette's error middleware) answers
// an exception with its own bare 500 and re-raises; on loopback a browser
// gets gowsgi's debug page for it, as it does for Flask and Django.
func TestASGIFrameworkErrorPage(t *testing.T) {
	s, _ := startASGI(t, "--asgi", "main.app")
	req, _ := http.NewRequest("GET", s.URL+"/error", nil)
	req.Header.Set("Accept", "text/html,application/xhtml+xml")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 500 || !strings.Contains(string(body), "boom in fastapi") || !strings.Contains(resp.Header.Get("Content-Type"), "text/html") {
		t.Errorf("GET /error as a browser: %d %s\n%.400s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	// A client that is not a browser gets the app's own answer.
	if code, b := s.get("/error"); code != 500 || strings.Contains(b, "boom in fastapi") {
		t.Errorf("GET /error as curl: %d %.200q", code, b)
	}
}
