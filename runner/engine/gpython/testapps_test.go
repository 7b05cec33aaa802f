package gpython

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The apps in testapps/ are written to run on both engines; these check
// them on gpython at the protocol level (the HTTP-level tests are the
// runner's).

func testappsDir(t *testing.T) string {
	dir, err := filepath.Abs("../../../testapps")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "pure.py")); err != nil {
		t.Skip("testapps/pure.py not there")
	}
	return dir
}

func TestPureApps(t *testing.T) {
	h := startWorker(t, testappsDir(t), "pure.router", 2)
	if !h.ready {
		t.Fatalf("import: %s", h.failed)
	}
	r := get(h, "/")
	if string(r.body) != "Hello, world!\n" || r.header("Content-Length") != "14" {
		t.Fatalf("/: %+v", r)
	}
	r = h.request(0, map[string]string{"PATH_INFO": "/environ", "SCRIPT_NAME": "", "QUERY_STRING": "x=1"}, nil, 0)
	var env map[string]interface{}
	if err := json.Unmarshal(r.body, &env); err != nil {
		t.Fatalf("/environ: %v %s %s", err, r.body, r.fail)
	}
	if env["wsgi.input"] != "present" || fmt.Sprint(env["wsgi.version"]) != "[1 0]" || env["QUERY_STRING"] != "x=1" {
		t.Fatalf("/environ: %v", env)
	}
	body := []byte(strings.Repeat("abc", 100000))
	r = h.request(1, map[string]string{"PATH_INFO": "/echo", "CONTENT_TYPE": "text/x-abc"}, body, 0)
	if string(r.body) != string(body) || r.header("Content-Type") != "text/x-abc" {
		t.Fatalf("/echo: %d bytes, %s", len(r.body), r.fail)
	}
	r = h.request(0, map[string]string{"PATH_INFO": "/upload"}, body, 0)
	sum := sha256.Sum256(body)
	if string(r.body) != fmt.Sprintf("%d %s\n", len(body), hex.EncodeToString(sum[:])) {
		t.Fatalf("/upload: %q %s", r.body, r.fail)
	}
	r = h.request(0, map[string]string{"PATH_INFO": "/download", "QUERY_STRING": "size=100000"}, nil, 0)
	if len(r.body) != 100000 || string(r.body[:16]) != "0123456789abcdef" || r.fail != "" {
		t.Fatalf("/download: %d %s", len(r.body), r.fail)
	}
	r = h.request(0, map[string]string{"PATH_INFO": "/stream", "QUERY_STRING": "n=3&delay=0"}, nil, 0)
	if string(r.body) != "chunk 0\nchunk 1\nchunk 2\n" || len(r.logs) != 1 || r.logs[0] != "close() called for /stream" {
		t.Fatalf("/stream: %q %q %s", r.body, r.logs, r.fail)
	}
	r = get(h, "/writer")
	if string(r.body) != "written then returned\n" {
		t.Fatalf("/writer: %+v", r)
	}
	r = get(h, "/empty")
	if r.status != "204 No Content" || len(r.body) != 0 {
		t.Fatalf("/empty: %+v", r)
	}
	r = h.request(0, map[string]string{"PATH_INFO": "/slow", "QUERY_STRING": "s=0.01"}, nil, 0)
	if string(r.body) != "slept\n" {
		t.Fatalf("/slow: %+v", r)
	}
	r = get(h, "/error-before")
	if r.started || !strings.Contains(r.fail, "ValueError: boom before start_response") {
		t.Fatalf("/error-before: %+v", r)
	}
	r = get(h, "/error-after")
	if !r.started || string(r.body) != "partial " || !strings.Contains(r.fail, "ValueError: boom after the headers went out") {
		t.Fatalf("/error-after: %+v", r)
	}
	r = get(h, "/bad-status")
	if r.status != "200" {
		t.Fatalf("/bad-status: %+v", r) // the runner validates the status
	}
	r = get(h, "/str-body")
	if !strings.Contains(r.fail, "not bytes") {
		t.Fatalf("/str-body: %+v", r)
	}
	r = get(h, "/noisy")
	if string(r.body) != "noisy\n" || len(r.logs) != 1 {
		t.Fatalf("/noisy: %+v", r)
	}
	r = get(h, "/nope")
	if r.status != "404 Not Found" {
		t.Fatalf("/nope: %+v", r)
	}
}

func TestRoutedApp(t *testing.T) {
	dir := testappsDir(t)
	if _, err := os.Stat(filepath.Join(dir, "routed", "app.py")); err != nil {
		t.Skip("no routed app")
	}
	h := startWorker(t, dir, "routed.app.application", 1)
	if !h.ready {
		t.Fatalf("import: %s", h.failed)
	}
	check := func(method, path, query string, body []byte, wantStatus, wantBody string) {
		t.Helper()
		env := map[string]string{"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query}
		r := h.request(0, env, body, 0)
		if r.status != wantStatus || string(r.body) != wantBody {
			t.Errorf("%s %s?%s: %s %s %s", method, path, query, r.status, r.body, r.fail)
		}
	}
	check("GET", "/greet", "name=G%C3%BCnter", nil, "200 OK", `{"greeting": "Hello, G\u00fcnter!"}`)
	check("GET", "/greet", "", nil, "200 OK", `{"greeting": "Hello, world!"}`)
	check("POST", "/items", "", []byte(`{"name": "a", "n": 1}`), "200 OK", `{"count": 1, "stored": "a"}`)
	check("POST", "/items", "", []byte(`not json`), "400 Bad Request", `{"error": "body is not JSON"}`)
	check("POST", "/items", "", []byte(`{"x": 1}`), "400 Bad Request", `{"error": "an item needs a name, got ['x']"}`)
	check("GET", "/items", "", nil, "200 OK", `{"items": ["a"]}`)
	check("GET", "/missing", "", nil, "404 Not Found", `{"error": "no route for GET /missing"}`)
	check("GET", "/", "", nil, "200 OK", `{"routes": ["GET /", "GET /closed", "GET /first", "GET /greet", "GET /items", "GET /stock", "GET /words", "POST /items"]}`)
	check("GET", "/stock", "sku=%20Ink", nil, "200 OK", `{"count": 0, "in_stock": false, "label": "INK  |   0|0%", "sku": "INK"}`)
	check("GET", "/first", "text=a,b,c", nil, "200 OK", `{"first": "a", "n": 1, "open_readers": 0}`)
	check("GET", "/words", "text=a%20b,b%20c%20a,a", nil, "200 OK", `{"by_count": {"1": ["c"], "2": ["b"], "3": ["a"]}, "counts": {"a": 3, "b": 2, "c": 1}, "open_readers": 0}`)
	check("GET", "/stream", "n=2", nil, "200 OK", "01 *\n02 **\n")
	check("GET", "/closed", "", nil, "200 OK", `{"closed": [2]}`)
}

func TestBrokenImportApp(t *testing.T) {
	dir := testappsDir(t)
	h := startWorker(t, dir, "broken_import.application", 1)
	if h.ready || !strings.Contains(h.failed, "broken_import.py\", line 5, in helper") ||
		!strings.Contains(h.failed, "NameError: name 'undefined_name_at_import' is not defined") {
		t.Fatalf("broken import:\n%s", h.failed)
	}
}
