package e2e

// PEP 3333 through real HTTP, on both engines: the same test apps
// (testapps/pure.py), the same assertions.

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func forEachEngine(t *testing.T, fn func(t *testing.T, flags []string)) {
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			fn(t, e.flags())
		})
	}
}

func TestHelloBothEngines(t *testing.T) {
	forEachEngine(t, func(t *testing.T, flags []string) {
		s := start(t, testApps, append(flags, "--wsgi", "pure.application")...)
		for i := 0; i < 3; i++ {
			code, body := s.get("/")
			if code != 200 || body != "Hello, world!\n" {
				t.Fatalf("GET / = %d %q", code, body)
			}
		}
		s.waitLog(`GET\s+/\s+200`, 5*time.Second)
	})
}

func TestEnviron(t *testing.T) {
	forEachEngine(t, func(t *testing.T, flags []string) {
		s := start(t, testApps, append(flags, "--wsgi", "pure.router")...)
		getEnv := func(req *http.Request) map[string]any {
			t.Helper()
			resp, body := s.do(req)
			if resp.StatusCode != 200 {
				t.Fatalf("%s %s = %d: %s", req.Method, req.URL, resp.StatusCode, body)
			}
			var env map[string]any
			if err := json.Unmarshal(body, &env); err != nil {
				t.Fatalf("environ is not JSON: %v: %s", err, body)
			}
			return env
		}
		req := s.request("GET", "/environ?b=2&a=%20x&a=y", nil)
		req.Header.Add("X-Multi", "one")
		req.Header.Add("X-Multi", "two")
		req.Header.Set("User-Agent", "gowsgi-test")
		env := getEnv(req)
		port := s.URL[strings.LastIndex(s.URL, ":")+1:]
		want := map[string]any{
			"REQUEST_METHOD":        "GET",
			"SCRIPT_NAME":           "",
			"PATH_INFO":             "/environ",
			"QUERY_STRING":          "b=2&a=%20x&a=y",
			"RAW_URI":               "/environ?b=2&a=%20x&a=y",
			"SERVER_NAME":           "127.0.0.1",
			"SERVER_PORT":           port,
			"SERVER_PROTOCOL":       "HTTP/1.1",
			"REMOTE_ADDR":           "127.0.0.1",
			"HTTP_HOST":             "127.0.0.1:" + port,
			"HTTP_X_MULTI":          "one,two",
			"HTTP_USER_AGENT":       "gowsgi-test",
			"wsgi.url_scheme":       "http",
			"wsgi.version":          []any{1.0, 0.0},
			"wsgi.multithread":      true,
			"wsgi.multiprocess":     false,
			"wsgi.run_once":         false,
			"wsgi.input_terminated": true,
			"wsgi.input":            "present",
			"wsgi.errors":           "present",
			"wsgi.file_wrapper":     "present",
		}
		for k, v := range want {
			if fmt.Sprint(env[k]) != fmt.Sprint(v) {
				t.Errorf("environ[%q] = %#v, want %#v", k, env[k], v)
			}
		}
		if _, ok := env["REMOTE_PORT"]; !ok {
			t.Errorf("no REMOTE_PORT")
		}
		for _, k := range []string{"CONTENT_TYPE", "CONTENT_LENGTH", "HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH", "gowsgi.body"} {
			if _, ok := env[k]; ok {
				t.Errorf("environ has %q for a GET without a body", k)
			}
		}

		// A body: CONTENT_* without HTTP_, and underscore headers dropped.
		req = s.request("POST", "/environ", strings.NewReader("x=1"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X_Sneaky", "dropped")
		env = getEnv(req)
		if env["CONTENT_TYPE"] != "application/x-www-form-urlencoded" || env["CONTENT_LENGTH"] != "3" {
			t.Errorf("CONTENT_TYPE/LENGTH = %v / %v", env["CONTENT_TYPE"], env["CONTENT_LENGTH"])
		}
		for k := range env {
			if strings.Contains(k, "SNEAKY") {
				t.Errorf("a header with an underscore reached the app as %s", k)
			}
		}

	})
}

// rawGet sends a request line exactly as given and returns the status and body.
func rawGet(t *testing.T, s *server, target string) (int, string) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", target)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestPathDecoding(t *testing.T) {
	forEachEngine(t, func(t *testing.T, flags []string) {
		s := start(t, testApps, append(flags, "--wsgi", "pure.environ")...)
		for _, c := range []struct{ target, path, query string }{
			{"/caf%C3%A9", "caf\u00c3\u00a9", ""},
			{"/a%20b%2Fc?x=%20y", "a b/c", "x=%20y"},
			{"/plain/path/", "plain/path/", ""},
		} {
			code, body := rawGet(t, s, c.target)
			if code != 200 {
				t.Fatalf("GET %s = %d %s", c.target, code, body)
			}
			var env map[string]any
			if err := json.Unmarshal([]byte(body), &env); err != nil {
				t.Fatal(err)
			}
			if env["PATH_INFO"] != "/"+c.path || env["QUERY_STRING"] != c.query || env["RAW_URI"] != c.target {
				t.Errorf("GET %s: PATH_INFO=%q QUERY_STRING=%q RAW_URI=%q", c.target, env["PATH_INFO"], env["QUERY_STRING"], env["RAW_URI"])
			}
		}
		if code, _ := rawGet(t, s, "/nul%00byte"); code != 400 {
			t.Errorf("a NUL in the path: %d, want 400", code)
		}
	})
}

func TestBodies(t *testing.T) {
	forEachEngine(t, func(t *testing.T, flags []string) {
		s := start(t, testApps, append(flags, "--wsgi", "pure.router")...)

		// Echo, with a known length.
		resp, body := s.do(s.request("POST", "/echo", strings.NewReader("hello body")))
		if resp.StatusCode != 200 || string(body) != "hello body" {
			t.Fatalf("echo = %d %q", resp.StatusCode, body)
		}

		// Chunked request body (unknown length): read until EOF.
		req := s.request("POST", "/echo", io.MultiReader(strings.NewReader("chunk one, "), strings.NewReader("chunk two")))
		req.ContentLength = -1
		resp, body = s.do(req)
		if resp.StatusCode != 200 || string(body) != "chunk one, chunk two" {
			t.Fatalf("chunked echo = %d %q", resp.StatusCode, body)
		}

		// Expect: 100-continue.
		req = s.request("POST", "/echo", strings.NewReader(strings.Repeat("e", 5000)))
		req.Header.Set("Expect", "100-continue")
		resp, body = s.do(req)
		if resp.StatusCode != 200 || len(body) != 5000 {
			t.Fatalf("100-continue echo = %d, %d bytes", resp.StatusCode, len(body))
		}

		// write() callable, then an iterable.
		if code, body := s.get("/writer"); code != 200 || body != "written then returned\n" {
			t.Fatalf("writer = %d %q", code, body)
		}
		// An empty body.
		if code, body := s.get("/empty"); code != 204 || body != "" {
			t.Fatalf("empty = %d %q", code, body)
		}
		// HEAD: headers, no body.
		resp, body = s.do(s.request("HEAD", "/", nil))
		if resp.StatusCode != 200 || len(body) != 0 || resp.Header.Get("Content-Length") != "14" {
			t.Fatalf("HEAD = %d, %d bytes, Content-Length %q", resp.StatusCode, len(body), resp.Header.Get("Content-Length"))
		}
		// Streaming without a Content-Length: chunked, every chunk there.
		resp, body = s.do(s.request("GET", "/stream?n=4&delay=0.01", nil))
		if resp.StatusCode != 200 || string(body) != "chunk 0\nchunk 1\nchunk 2\nchunk 3\n" {
			t.Fatalf("stream = %d %q", resp.StatusCode, body)
		}
		if len(resp.TransferEncoding) == 0 || resp.TransferEncoding[0] != "chunked" {
			t.Errorf("stream: transfer encoding %v, want chunked", resp.TransferEncoding)
		}
		s.waitLog(`close\(\) called for /stream`, 5*time.Second)

		// wsgi.file_wrapper: the file, whole.
		want, err := os.ReadFile(filepath.Join(testApps, "pure.py"))
		if err != nil {
			t.Fatal(err)
		}
		if code, body := s.get("/file"); code != 200 || body != string(want) {
			t.Fatalf("file_wrapper = %d, %d bytes, want %d", code, len(body), len(want))
		}
	})
}

// TestPythonPath: --pythonpath entries are importable, after the app directory.
func TestPythonPath(t *testing.T) {
	forEachEngine(t, func(t *testing.T, flags []string) {
		lib := t.TempDir()
		write(t, filepath.Join(lib, "libapp.py"), versionApp("from --pythonpath"))
		s := start(t, testApps, append(flags, "--wsgi", "libapp.application", "--pythonpath", lib)...)
		if code, body := s.get("/"); code != 200 || body != "from --pythonpath" {
			t.Fatalf("GET / = %d %q", code, body)
		}
	})
}

// TestBigBodies moves 50 MB each way and checks them by sha256.
func TestBigBodies(t *testing.T) {
	forEachEngine(t, func(t *testing.T, flags []string) {
		s := start(t, testApps, append(flags, "--wsgi", "pure.router")...)
		const size = 50 << 20
		pattern := bytes.Repeat([]byte("0123456789abcdef"), 4096)

		// Upload: streamed from a generator, never whole in memory here either.
		pr, pw := io.Pipe()
		sum := sha256.New()
		go func() {
			left := size
			for left > 0 {
				n := min(left, len(pattern))
				sum.Write(pattern[:n])
				if _, err := pw.Write(pattern[:n]); err != nil {
					return
				}
				left -= n
			}
			pw.Close()
		}()
		req := s.request("POST", "/upload", pr)
		req.ContentLength = size
		resp, body := s.do(req)
		want := fmt.Sprintf("%d %s\n", size, hex.EncodeToString(sum.Sum(nil)))
		if resp.StatusCode != 200 || string(body) != want {
			t.Fatalf("upload = %d %q, want %q", resp.StatusCode, body, want)
		}

		// Download.
		resp2, err := client.Get(fmt.Sprintf("%s/download?size=%d", s.URL, size))
		if err != nil {
			t.Fatal(err)
		}
		defer resp2.Body.Close()
		got := sha256.New()
		n, err := io.Copy(got, resp2.Body)
		if err != nil || n != size {
			t.Fatalf("download: %d bytes, %v", n, err)
		}
		exp := sha256.New()
		for left := size; left > 0; left -= len(pattern) {
			exp.Write(pattern[:min(left, len(pattern))])
		}
		if !bytes.Equal(got.Sum(nil), exp.Sum(nil)) {
			t.Fatalf("download checksum differs")
		}
	})
}

// TestThreadPool: 20 slow requests run at once on --threads 20, and queue
// on --threads 1.
func TestThreadPool(t *testing.T) {
	forEachEngine(t, func(t *testing.T, flags []string) {
		concurrent := func(s *server, n int, path string) time.Duration {
			t0 := time.Now()
			var wg sync.WaitGroup
			for i := 0; i < n; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					resp, err := client.Get(s.URL + path)
					if err != nil {
						t.Error(err)
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 {
						t.Errorf("GET %s = %d", path, resp.StatusCode)
					}
				}()
			}
			wg.Wait()
			return time.Since(t0)
		}
		wide := start(t, testApps, append(flags, "--wsgi", "pure.router", "--threads", "20")...)
		if d := concurrent(wide, 20, "/slow?s=1"); d > 6*time.Second {
			t.Errorf("20 requests sleeping 1s on 20 threads took %s: they did not run concurrently", d)
		}
		narrow := start(t, testApps, append(flags, "--wsgi", "pure.router", "--threads", "1")...)
		if d := concurrent(narrow, 4, "/slow?s=0.3"); d < 1100*time.Millisecond {
			t.Errorf("4 requests sleeping 0.3s on 1 thread took %s: they did not queue", d)
		}
	})
}

// TestDisconnectCallsClose: a client that leaves mid-stream still gets the
// app's close() called.
func TestDisconnectCallsClose(t *testing.T) {
	forEachEngine(t, func(t *testing.T, flags []string) {
		s := start(t, testApps, append(flags, "--wsgi", "pure.router")...)
		conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(conn, "GET /stream?n=200&delay=0.02 HTTP/1.1\r\nHost: x\r\n\r\n")
		br := bufio.NewReader(conn)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		line, err := bufio.NewReader(resp.Body).ReadString('\n')
		if err != nil || line != "chunk 0\n" {
			t.Fatalf("first chunk %q, %v", line, err)
		}
		conn.Close()
		s.waitLog(`close\(\) called for /stream`, 10*time.Second)
		// And the lane is free again.
		if code, _ := s.get("/"); code != 200 {
			t.Fatalf("after the disconnect: %d", code)
		}
	})
}

// TestAppErrors: every way an app can break gives its status, and the server keeps serving.
func TestAppErrors(t *testing.T) {
	forEachEngine(t, func(t *testing.T, flags []string) {
		s := start(t, testApps, append(flags, "--wsgi", "pure.router")...)
		code, body := s.get("/error-before")
		if code != 500 || !strings.Contains(body, "boom before start_response") || !strings.Contains(body, "pure.py") {
			t.Errorf("error before start_response = %d %q (loopback: the traceback is shown)", code, body)
		}
		s.waitLog(`ValueError: boom before start_response`, 5*time.Second)

		for _, path := range []string{"/bad-status", "/bad-header", "/str-body"} {
			if code, body := s.get(path); code != 500 {
				t.Errorf("%s = %d %q, want 500", path, code, body)
			}
		}

		// After the headers went out, the connection is cut: never a silent truncation.
		resp, err := client.Get(s.URL + "/error-after")
		if err != nil {
			t.Fatal(err)
		}
		_, err = io.ReadAll(resp.Body)
		resp.Body.Close()
		if err == nil {
			t.Errorf("error after the headers: the body ended cleanly; it must be cut")
		}
		s.waitLog(`close\(\) called for /error-after`, 5*time.Second)
		if code, body := s.get("/"); code != 200 || body != "Hello, world!\n" {
			t.Fatalf("the server stopped serving after app errors: %d %q", code, body)
		}
	})
}

func TestTracebacksHidden(t *testing.T) {
	s := start(t, testApps, "--python", venvPy, "--wsgi", "pure.router", "--notracebacks")
	code, body := s.get("/error-before")
	if code != 500 || strings.Contains(body, "boom") || strings.Contains(body, "Traceback") {
		t.Fatalf("--notracebacks: %d %q", code, body)
	}
	s.waitLog(`ValueError: boom before start_response`, 5*time.Second) // but the log has it
}

func TestRoutedJSONApp(t *testing.T) {
	forEachEngine(t, func(t *testing.T, flags []string) {
		s := start(t, testApps, append(flags, "--wsgi", "routed.app.application")...)
		code, body := s.get("/greet?name=G%C3%BCnter")
		if code != 200 || !strings.Contains(body, `"greeting": "Hello, G`) {
			t.Fatalf("greet = %d %s", code, body)
		}
		resp, b := s.do(s.request("POST", "/items", strings.NewReader(`{"name": "pen", "price": 3}`)))
		if resp.StatusCode != 200 || !strings.Contains(string(b), `"stored": "pen"`) {
			t.Fatalf("POST /items = %d %s", resp.StatusCode, b)
		}
		resp, b = s.do(s.request("POST", "/items", strings.NewReader(`not json`)))
		if resp.StatusCode != 400 || !strings.Contains(string(b), "not JSON") {
			t.Fatalf("POST bad /items = %d %s", resp.StatusCode, b)
		}
		if code, body := s.get("/nowhere"); code != 404 || !strings.Contains(body, "no route") {
			t.Fatalf("404 = %d %s", code, body)
		}
	})
}

// TestRoutedAppSameOnBothEngines: the routed app, written the ordinary
// modern way (tuple-keyed routes, f-strings, a class with __eq__/__hash__
// as a dict key, generators with finally blocks), gives byte-identical
// responses on both engines.
func TestRoutedAppSameOnBothEngines(t *testing.T) {
	if len(engines) < 2 {
		t.Skip("needs both engines")
	}
	paths := []string{"/", "/greet?name=G%C3%BCnter", "/stock?sku=pen", "/stock?sku=%20Ink", "/stock?sku=zz",
		"/first?text=a,b,c", "/words?text=a%20b,b%20c%20a,a", "/stream?n=4", "/closed", "/nope"}
	got := make([][]string, len(engines))
	for i, e := range engines {
		s := start(t, testApps, append(e.flags(), "--wsgi", "routed.app.application")...)
		resp, b := s.do(s.request("POST", "/items", strings.NewReader(`{"x": 1}`)))
		got[i] = append(got[i], fmt.Sprintf("%d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), b))
		for _, p := range paths {
			resp, b := s.do(s.request("GET", p, nil))
			got[i] = append(got[i], fmt.Sprintf("%d %s %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("X-Routes"), b))
		}
	}
	for j := range got[0] {
		if got[0][j] != got[1][j] {
			t.Errorf("%s and %s differ:\n%s\n%s", engines[0].name, engines[1].name, got[0][j], got[1][j])
		}
	}
	if !strings.Contains(strings.Join(got[0], "\n"), `{"closed": [4]}`) {
		t.Errorf("the stream's finally block did not run:\n%s", strings.Join(got[0], "\n"))
	}
}

func TestLogCapturesOutput(t *testing.T) {
	forEachEngine(t, func(t *testing.T, flags []string) {
		s := start(t, testApps, append(flags, "--wsgi", "pure.router")...)
		if code, _ := s.get("/noisy"); code != 200 {
			t.Fatal(code)
		}
		s.waitLog(`worker 1.*printed to stdout`, 5*time.Second)
		s.waitLog(`worker 1.*written to stderr`, 5*time.Second)
		s.waitLog(`worker 1.*written to wsgi.errors`, 5*time.Second)
	})
}
