package gpython

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

const appSrc = `
import json, sys, time

CLOSED = []

def hello(environ, start_response):
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [b'Hello, world!\n']

def env(environ, start_response):
    out = {}
    for k, v in environ.items():
        if isinstance(v, str):
            out[k] = v
        else:
            out[k] = type(v).__name__
    out['version'] = list(environ['wsgi.version'])
    out['multithread'] = environ['wsgi.multithread']
    out['run_once'] = environ['wsgi.run_once']
    start_response('200 OK', [('Content-Type', 'application/json')])
    return [json.dumps(out, sort_keys=True).encode('utf-8')]

def echo(environ, start_response):
    inp = environ['wsgi.input']
    parts = []
    while True:
        c = inp.read(1000)
        if not c:
            break
        parts.append(c)
    start_response('200 OK', [('X-Len', str(len(b''.join(parts))))])
    return parts

def lines(environ, start_response):
    got = [l for l in environ['wsgi.input']]
    start_response('200 OK', [])
    return [('%d' % len(got)).encode('ascii')]

class Counted(object):
    def __init__(self, n):
        self.n = n
    def __iter__(self):
        for i in range(self.n):
            yield ('chunk %d\n' % i).encode('ascii')
    def close(self):
        CLOSED.append(self.n)

def stream(environ, start_response):
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return Counted(int(environ.get('QUERY_STRING') or '3'))

def closed(environ, start_response):
    start_response('200 OK', [])
    return [('%r' % CLOSED).encode('ascii')]

def slowstream(environ, start_response):
    start_response('200 OK', [])
    def gen():
        i = 0
        while True:
            time.sleep(0.01)
            i += 1
            yield b'x' * 10
    return gen()

def writer(environ, start_response):
    write = start_response('200 OK', [('Content-Type', 'text/plain')])
    write(b'written ')
    write(b'then ')
    return [b'returned\n']

def before(environ, start_response):
    raise ValueError('boom before')

def after(environ, start_response):
    start_response('200 OK', [])
    def body():
        yield b'partial '
        raise ValueError('boom after')
    return body()

def strbody(environ, start_response):
    start_response('200 OK', [])
    return ['text']

def recurse(environ, start_response):
    def f(n):
        return f(n + 1)
    return f(0)

def panic(environ, start_response):
    return [0] * (10 ** 18)

def noisy(environ, start_response):
    print('printed', environ['PATH_INFO'])
    sys.stderr.write('to stderr\n')
    environ['wsgi.errors'].write('to wsgi.errors\n')
    environ['wsgi.errors'].write('partial')
    start_response('200 OK', [])
    return [b'noisy']

def excinfo(environ, start_response):
    try:
        raise KeyError('k')
    except KeyError:
        start_response('500 Oops', [('Content-Type', 'text/plain')], sys.exc_info())
        return [b'handled']

def notstarted(environ, start_response):
    return [b'x']

def badheaders(environ, start_response):
    start_response('200 OK', [('A', 1)])
    return []

def empty(environ, start_response):
    start_response('204 No Content', [])
    return []

def sleepy(environ, start_response):
    time.sleep(30)
    start_response('200 OK', [])
    return [b'slept']

ROUTES = {'/': hello, '/env': env, '/echo': echo, '/lines': lines, '/stream': stream, '/closed': closed,
          '/slowstream': slowstream, '/writer': writer, '/before': before, '/after': after, '/strbody': strbody,
          '/recurse': recurse, '/panic': panic, '/noisy': noisy, '/excinfo': excinfo, '/notstarted': notstarted,
          '/badheaders': badheaders, '/empty': empty, '/sleepy': sleepy}

def application(environ, start_response):
    return ROUTES[environ['PATH_INFO']](environ, start_response)
`

func appWorker(t *testing.T, threads int) *harness {
	dir := writeApp(t, map[string]string{"app.py": appSrc})
	h := startWorker(t, dir, "app.application", threads)
	if !h.ready {
		t.Fatalf("import failed:\n%s", h.failed)
	}
	return h
}

func get(h *harness, path string) *response {
	return h.request(0, map[string]string{"PATH_INFO": path}, nil, 0)
}

func TestHello(t *testing.T) {
	h := appWorker(t, 1)
	r := get(h, "/")
	if r.status != "200 OK" || string(r.body) != "Hello, world!\n" || r.header("Content-Type") != "text/plain" || r.frames != "SDE" {
		t.Fatalf("got %+v", r)
	}
}

func TestEnviron(t *testing.T) {
	h := appWorker(t, 2)
	r := h.request(1, map[string]string{"PATH_INFO": "/env", "QUERY_STRING": "a=1", "HTTP_X_NAME": "caf\xe9"}, nil, 0)
	var env map[string]interface{}
	if err := json.Unmarshal(r.body, &env); err != nil {
		t.Fatalf("%v: %s %s", err, r.body, r.fail)
	}
	want := map[string]interface{}{
		"PATH_INFO": "/env", "QUERY_STRING": "a=1", "HTTP_X_NAME": "café", "REQUEST_METHOD": "GET",
		"wsgi.input": "Input", "wsgi.errors": "Errors", "wsgi.file_wrapper": "type", "multithread": true, "run_once": false,
		"wsgi.url_scheme": nil,
	}
	for k, v := range want {
		if v == nil {
			continue
		}
		if fmt.Sprint(env[k]) != fmt.Sprint(v) {
			t.Errorf("%s = %v, want %v", k, env[k], v)
		}
	}
	if _, ok := env["gowsgi.body"]; ok {
		t.Errorf("gowsgi.body leaked into the environ")
	}
	if fmt.Sprint(env["version"]) != "[1 0]" {
		t.Errorf("wsgi.version = %v", env["version"])
	}
}

func TestEchoBody(t *testing.T) {
	h := appWorker(t, 1)
	body := []byte(strings.Repeat("0123456789", 25000)) // 250 kB: several r/B rounds
	r := h.request(0, map[string]string{"PATH_INFO": "/echo"}, body, 0)
	if r.fail != "" || string(r.body) != string(body) || r.header("X-Len") != "250000" {
		t.Fatalf("echo: status %q len %d fail %s", r.status, len(r.body), r.fail)
	}
	if !strings.Contains(r.frames, "r") {
		t.Fatalf("no r frames: %s", r.frames)
	}
	// an empty body: no r frame at all
	r = get(h, "/echo")
	if strings.Contains(r.frames, "r") || r.header("X-Len") != "0" {
		t.Fatalf("empty body asked for bytes: %s", r.frames)
	}
	r = h.request(0, map[string]string{"PATH_INFO": "/lines"}, []byte("a\nb\nc"), 0)
	if string(r.body) != "3" {
		t.Fatalf("lines: %q %s", r.body, r.fail)
	}
}

func TestStreamAndClose(t *testing.T) {
	h := appWorker(t, 1)
	r := h.request(0, map[string]string{"PATH_INFO": "/stream", "QUERY_STRING": "4"}, nil, 0)
	if string(r.body) != "chunk 0\nchunk 1\nchunk 2\nchunk 3\n" || r.frames != "SDDDDE" {
		t.Fatalf("stream: %q %s %s", r.body, r.frames, r.fail)
	}
	r = get(h, "/closed")
	if string(r.body) != "[4]" {
		t.Fatalf("close() not called: %s", r.body)
	}
}

func TestWrite(t *testing.T) {
	h := appWorker(t, 1)
	r := get(h, "/writer")
	if string(r.body) != "written then returned\n" || r.status != "200 OK" {
		t.Fatalf("writer: %q %s", r.body, r.fail)
	}
}

func TestErrors(t *testing.T) {
	h := appWorker(t, 1)
	r := get(h, "/before")
	if r.started || !strings.Contains(r.fail, "ValueError: boom before") || !strings.Contains(r.fail, "app.py\", line") ||
		!strings.Contains(r.fail, "raise ValueError('boom before')") {
		t.Fatalf("before: %+v", r)
	}
	r = get(h, "/after")
	if !r.started || string(r.body) != "partial " || !strings.Contains(r.fail, "ValueError: boom after") {
		t.Fatalf("after: %+v", r)
	}
	r = get(h, "/strbody")
	if !strings.Contains(r.fail, "not bytes") {
		t.Fatalf("str body: %+v", r)
	}
	r = get(h, "/notstarted")
	if !strings.Contains(r.fail, "without calling start_response()") {
		t.Fatalf("notstarted: %+v", r)
	}
	r = get(h, "/badheaders")
	if !strings.Contains(r.fail, "(str, str) tuple") {
		t.Fatalf("badheaders: %+v", r)
	}
	r = get(h, "/excinfo")
	if r.status != "500 Oops" || string(r.body) != "handled" {
		t.Fatalf("exc_info: %+v", r)
	}
	r = get(h, "/empty")
	if r.status != "204 No Content" || r.frames != "SE" {
		t.Fatalf("empty: %+v", r)
	}
	// the lane still serves
	if r := get(h, "/"); r.status != "200 OK" {
		t.Fatalf("after errors: %+v", r)
	}
}

func TestRecursionLimit(t *testing.T) {
	h := appWorker(t, 1)
	r := get(h, "/recurse")
	if !strings.Contains(r.fail, "RecursionError: maximum recursion depth exceeded") {
		t.Fatalf("recursion: %+v", r)
	}
	if r := get(h, "/"); string(r.body) != "Hello, world!\n" {
		t.Fatalf("next request: %+v", r)
	}
}

func TestGoPanic(t *testing.T) {
	h := appWorker(t, 1)
	r := get(h, "/panic")
	if !strings.Contains(r.fail, "internal error in gpython") {
		t.Fatalf("panic: %+v", r)
	}
	if r := get(h, "/"); string(r.body) != "Hello, world!\n" {
		t.Fatalf("next request: %+v", r)
	}
}

func TestCancelMidStream(t *testing.T) {
	h := appWorker(t, 1)
	start := time.Now()
	r := h.request(0, map[string]string{"PATH_INFO": "/slowstream"}, nil, 3)
	if r.fail != "" || !strings.HasSuffix(r.frames, "E") {
		t.Fatalf("cancel: %+v", r)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatalf("cancel took %v", time.Since(start))
	}
	if r := get(h, "/"); string(r.body) != "Hello, world!\n" {
		t.Fatalf("next request: %+v", r)
	}
}

func TestCancelSleep(t *testing.T) {
	h := appWorker(t, 1)
	l := h.lanes[0]
	go func() {
		time.Sleep(100 * time.Millisecond)
		_ = l.send('C', nil)
	}()
	start := time.Now()
	r := get(h, "/sleepy")
	if r.fail != "" || time.Since(start) > 5*time.Second {
		t.Fatalf("sleep not cancelled: %+v after %v", r, time.Since(start))
	}
	if r := get(h, "/"); string(r.body) != "Hello, world!\n" {
		t.Fatalf("next request: %+v", r)
	}
}

func TestOutput(t *testing.T) {
	h := appWorker(t, 1)
	r := h.request(0, map[string]string{"PATH_INFO": "/noisy"}, nil, 0)
	if strings.Join(r.logs, "|") != "to wsgi.errors|partial" {
		t.Fatalf("logs %q", r.logs)
	}
	time.Sleep(10 * time.Millisecond)
	if !strings.Contains(h.stdout.String(), "printed /noisy\n") || !strings.Contains(h.stderr.String(), "to stderr\n") {
		t.Fatalf("stdout %q stderr %q", h.stdout.String(), h.stderr.String())
	}
}

func TestImportFailure(t *testing.T) {
	dir := writeApp(t, map[string]string{"bad.py": "import json\n\ndef helper():\n    return undefined_name\n\nvalue = helper()\n"})
	h := startWorker(t, dir, "bad.application", 1)
	if h.ready || !strings.Contains(h.failed, "bad.py\", line 4, in helper") || !strings.Contains(h.failed, "NameError") {
		t.Fatalf("import failure:\n%s", h.failed)
	}
	if code := <-h.code; code != ExitImport {
		t.Fatalf("exit code %d", code)
	}
	h.code <- 1
}

func TestSyntaxErrorHint(t *testing.T) {
	dir := writeApp(t, map[string]string{"fs.py": "name = 'x'\nmatch name:\n    case 'x':\n        pass\n"})
	h := startWorker(t, dir, "fs.application", 1)
	if h.ready || !strings.Contains(h.failed, "SyntaxError") || !strings.Contains(h.failed, "fs.py\", line 2") ||
		!strings.Contains(h.failed, "--engine cpython") {
		t.Fatalf("syntax error:\n%s", h.failed)
	}
}

func TestNoSuchApp(t *testing.T) {
	dir := writeApp(t, map[string]string{"m.py": "x = 1\n"})
	h := startWorker(t, dir, "m.application", 1)
	if h.ready || !strings.Contains(h.failed, "No such WSGI application: m.application: m has no attribute 'application'") {
		t.Fatalf("no such app:\n%s", h.failed)
	}
	h2 := startWorker(t, dir, "nomod.app", 1)
	if h2.ready || !strings.Contains(h2.failed, "no module named 'nomod'") {
		t.Fatalf("no module:\n%s", h2.failed)
	}
}

func TestColonSpecAndPackages(t *testing.T) {
	dir := writeApp(t, map[string]string{
		"pkg/__init__.py":     "",
		"pkg/sub/__init__.py": "from .views import app\n",
		"pkg/sub/views.py":    "from ..util import body\n\ndef app(environ, start_response):\n    start_response('200 OK', [])\n    return [body()]\n",
		"pkg/util.py":         "def body():\n    return b'from util'\n",
	})
	for _, spec := range []string{"pkg.sub:app", "pkg.sub.app", "pkg.sub.views.app"} {
		h := startWorker(t, dir, spec, 1)
		if !h.ready {
			t.Fatalf("%s: %s", spec, h.failed)
		}
		if r := get(h, "/"); string(r.body) != "from util" {
			t.Fatalf("%s: %+v", spec, r)
		}
	}
}

func TestParallelLanes(t *testing.T) {
	h := appWorker(t, 4)
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func(lane int) {
			defer wg.Done()
			for j := 0; j < 50; j++ {
				var r *response
				switch j % 3 {
				case 0:
					r = h.request(lane, map[string]string{"PATH_INFO": "/"}, nil, 0)
					if string(r.body) != "Hello, world!\n" {
						t.Errorf("lane %d: %+v", lane, r)
					}
				case 1:
					body := []byte(strings.Repeat("y", 3000+lane))
					r = h.request(lane, map[string]string{"PATH_INFO": "/echo"}, body, 0)
					if string(r.body) != string(body) {
						t.Errorf("lane %d echo: %d bytes %s", lane, len(r.body), r.fail)
					}
				case 2:
					r = h.request(lane, map[string]string{"PATH_INFO": "/stream", "QUERY_STRING": "2"}, nil, 0)
					if string(r.body) != "chunk 0\nchunk 1\n" {
						t.Errorf("lane %d stream: %+v", lane, r)
					}
				}
			}
		}(i)
	}
	wg.Wait()
}

func TestEnvironEmptyLastValue(t *testing.T) {
	h := appWorker(t, 1)
	r := h.request(0, map[string]string{"PATH_INFO": "/env", "HTTP_X_EMPTY": ""}, nil, 0)
	if !strings.Contains(string(r.body), `"HTTP_X_EMPTY": ""`) {
		t.Fatalf("empty value lost: %s", r.body)
	}
}

func TestUnsupportedFeatureHint(t *testing.T) {
	dir := writeApp(t, map[string]string{"codes.py": "CODES = {200: 'OK'}\nasync def application(environ, start_response):\n    pass\n"})
	h := startWorker(t, dir, "codes.application", 1)
	if h.ready || !strings.Contains(h.failed, "codes.py\", line 2") || !strings.Contains(h.failed, "async def needs CPython") ||
		!strings.Contains(h.failed, "--engine cpython") {
		t.Fatalf("async def:\n%s", h.failed)
	}
}
