package gpython

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gowsgi/gowsgi/runner/wire"
)

// Regression tests for the lane's request life cycle (cancellation, context
// replacement, close(), the write callable) and for Go recursion through
// nested data, which once killed the worker process with a stack overflow.

const regressSrc = `
import copy, json, sys, time

IMPORT_DELAY = float(open('delay.txt').read()) if __import__('os').path.exists('delay.txt') else 0
time.sleep(IMPORT_DELAY)

KEPT = []
COUNT = []

def count(environ, start_response):
    COUNT.append(1)
    start_response('200 OK', [])
    return [str(len(COUNT)).encode('ascii')]

def hello(environ, start_response):
    start_response('200 OK', [])
    return [b'hello']

def cycles(environ, start_response):
    l = [1]; l.append(l)
    m = [1]; m.append(m)
    d = {}; d['d'] = d
    e = {}; e['d'] = e
    t = ()
    for i in range(5000):
        t = (t,)
    u = ()
    for i in range(5000):
        u = (u,)
    out = []
    for name, f in [('eq', lambda: l == m), ('lt', lambda: l < m), ('in', lambda: l in [m]),
                    ('dict', lambda: d == e), ('sorted', lambda: sorted([l, m])),
                    ('index', lambda: l.index(m)), ('count', lambda: l.count(m)),
                    ('max', lambda: max([l, m])), ('tuple', lambda: t == u), ('hash', lambda: hash(t))]:
        try:
            f()
            out.append(name + ' ok')
        except RecursionError:
            out.append(name + ' RecursionError')
    out.append('same %r %r %r' % (l == l, d == d, l < l))
    try:
        json.dumps(l)
    except ValueError as err:
        out.append('json %s' % err)
    c = copy.deepcopy(l)
    out.append('deepcopy %r' % (c[1] is c))
    start_response('200 OK', [])
    return ['\n'.join(out).encode('utf-8')]

def uncaught(environ, start_response):
    l = [1]; l.append(l)
    m = [1]; m.append(m)
    return [l == m]

def sleepy(environ, start_response):
    time.sleep(30)
    start_response('200 OK', [])
    return [b'slept']

class Panicky(object):
    def __iter__(self):
        yield b'first '
        [0] * (10 ** 18)
    def close(self):
        print('closed after panic')

def panicky(environ, start_response):
    start_response('200 OK', [])
    return Panicky()

def writethenlist(environ, start_response):
    write = start_response('200 OK', [])
    write(b'written ')
    return [b'returned']

class SlowClose(object):
    def __iter__(self):
        yield b'body'
    def close(self):
        time.sleep(0.5)
        print('close finished')

def slowclose(environ, start_response):
    start_response('200 OK', [])
    return SlowClose()

def keep(environ, start_response):
    KEPT.append(start_response('200 OK', []))
    KEPT.append(environ['wsgi.input'])
    return [b'kept']

def usekept(environ, start_response):
    out = []
    try:
        KEPT[0](b'INJECTED')
        out.append('write ok')
    except RuntimeError as err:
        out.append('write: %s' % err)
    try:
        KEPT[1].read(5)
        out.append('read ok')
    except IOError as err:
        out.append('read: %s' % err)
    start_response('200 OK', [])
    return ['\n'.join(out).encode('utf-8')]

def hugesleep(environ, start_response):
    time.sleep(1e300)
    start_response('200 OK', [])
    return [b'woke']

def inner():
    raise ValueError('original')

def excinfoafter(environ, start_response):
    start_response('200 OK', [])
    def body():
        yield b'partial'
        try:
            inner()
        except ValueError:
            start_response('500 Oops', [], sys.exc_info())
    return body()

def recurse(environ, start_response):
    def f(n):
        return f(n + 1)
    return f(0)

ROUTES = {'/': hello, '/cycles': cycles, '/uncaught': uncaught, '/sleepy': sleepy, '/panicky': panicky,
          '/writethenlist': writethenlist, '/slowclose': slowclose, '/keep': keep, '/usekept': usekept,
          '/hugesleep': hugesleep, '/excinfoafter': excinfoafter, '/recurse': recurse, '/count': count}

def application(environ, start_response):
    return ROUTES[environ['PATH_INFO']](environ, start_response)
`

func regressWorker(t *testing.T, files map[string]string) *harness {
	t.Helper()
	all := map[string]string{"app.py": regressSrc}
	for k, v := range files {
		all[k] = v
	}
	h := startWorker(t, writeApp(t, all), "app.application", 1)
	if !h.ready {
		t.Fatalf("import failed:\n%s", h.failed)
	}
	return h
}

// Cyclic and absurdly nested data raise RecursionError (or CPython's
// answer) instead of overflowing the Go stack, and the worker lives on.
func TestCyclicDataDoesNotKillWorker(t *testing.T) {
	h := regressWorker(t, nil)
	r := get(h, "/cycles")
	want := []string{"eq RecursionError", "lt RecursionError", "in RecursionError", "dict RecursionError",
		"sorted RecursionError", "index RecursionError", "count RecursionError", "max RecursionError",
		"tuple RecursionError", "hash RecursionError", "same True True False",
		"json Circular reference detected", "deepcopy True"}
	if got := string(r.body); got != strings.Join(want, "\n") {
		t.Fatalf("cycles:\n%s\nwant:\n%s\n%s", got, strings.Join(want, "\n"), r.fail)
	}
	r = get(h, "/uncaught")
	if !strings.Contains(r.fail, "RecursionError: maximum recursion depth exceeded in comparison") {
		t.Fatalf("uncaught: %+v", r)
	}
	if r := get(h, "/"); string(r.body) != "hello" {
		t.Fatalf("next request: %+v", r)
	}
}

// sendWithCancel writes R and C in one write, as the runner may when the
// client leaves at once.
func sendWithCancel(t *testing.T, l *side, path string) {
	t.Helper()
	var p []byte
	p = wire.AppendPair(p, "REQUEST_METHOD", "GET")
	p = wire.AppendPair(p, "PATH_INFO", path)
	p = wire.AppendPair(p, "gowsgi.body", "0")
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.w.Write(wire.Request, p); err != nil {
		t.Fatal(err)
	}
	if err := l.w.Write(wire.Cancel, nil); err != nil {
		t.Fatal(err)
	}
	if err := l.w.Flush(); err != nil {
		t.Fatal(err)
	}
}

// frames reads a response's frames up to E or F.
func readResponse(t *testing.T, l *side) (string, string) {
	t.Helper()
	var frames string
	for {
		typ, p := l.next(t)
		frames += string(typ)
		if typ == wire.End {
			return frames, ""
		}
		if typ == wire.Fail {
			return frames, string(p)
		}
	}
}

// A cancel that comes with its request, or right after a cancelled request
// (while its context is being replaced), is not lost.
func TestCancelWithRequestNotLost(t *testing.T) {
	h := regressWorker(t, nil)
	for i := 0; i < 5; i++ {
		start := time.Now()
		sendWithCancel(t, h.lanes[0], "/sleepy")
		frames, fail := readResponse(t, h.lanes[0])
		if fail != "" || frames != "E" || time.Since(start) > 5*time.Second {
			t.Fatalf("round %d: frames %q fail %q after %v", i, frames, fail, time.Since(start))
		}
	}
	if r := get(h, "/"); string(r.body) != "hello" {
		t.Fatalf("next request: %+v", r)
	}
	// A cancel on an idle lane is still ignored.
	_ = h.lanes[0].send(wire.Cancel, nil)
	if r := get(h, "/"); string(r.body) != "hello" {
		t.Fatalf("after an idle cancel: %+v", r)
	}
}

// A context is replaced before E or F goes out, by a swap for the spare
// context: the next request does not wait for the app's import (with
// --timeout, it would run out during it). A cancelled context is kept for
// a while when the spare is not ready yet, rather than holding the lane.
func TestReplaceBeforeEnd(t *testing.T) {
	const delay = 400 * time.Millisecond
	h := regressWorker(t, map[string]string{"delay.txt": "0.4"})
	count := func(step string, want string) {
		t.Helper()
		start := time.Now()
		r := get(h, "/count")
		if d := time.Since(start); d > delay/2 {
			t.Fatalf("%s: the request took %v: it waited for an import", step, d)
		}
		if string(r.body) != want {
			t.Fatalf("%s: count %q, want %q (%s)", step, r.body, want, r.fail)
		}
	}
	cancelSleepy := func(step string) {
		t.Helper()
		go func() {
			time.Sleep(50 * time.Millisecond)
			_ = h.lanes[0].send(wire.Cancel, nil)
		}()
		if r := get(h, "/sleepy"); r.fail != "" || r.frames != "E" {
			t.Fatalf("%s: %+v", step, r)
		}
	}
	time.Sleep(2 * delay) // the spare is ready
	count("start", "1")
	cancelSleepy("first cancel")
	count("after a swap", "1")
	cancelSleepy("second cancel") // the next spare is still importing
	count("kept", "2")
	time.Sleep(2 * delay)
	count("stale", "3") // and swapped after it
	count("swapped", "1")
	if r := get(h, "/recurse"); !strings.Contains(r.fail, "RecursionError") {
		t.Fatalf("recurse: %+v", r)
	}
	count("after a recursion overflow", "1")
}

// A Go panic while iterating still calls close(), and sends one F.
func TestCloseAfterGoPanic(t *testing.T) {
	h := regressWorker(t, nil)
	r := get(h, "/panicky")
	if !strings.Contains(r.fail, "internal error in gpython") || string(r.body) != "first " {
		t.Fatalf("panicky: %+v", r)
	}
	if r := get(h, "/"); r.frames != "SDE" || string(r.body) != "hello" {
		t.Fatalf("next request (a second F?): %+v", r)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(h.stdout.String(), "closed after panic\n") {
		if time.Now().After(deadline) {
			t.Fatalf("close() not called; stdout %q", h.stdout.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// write() then a one-item list: one S, not two.
func TestWriteThenListOneStart(t *testing.T) {
	h := regressWorker(t, nil)
	r := get(h, "/writethenlist")
	if r.frames != "SDDE" || string(r.body) != "written returned" || r.status != "200 OK" {
		t.Fatalf("writethenlist: %+v", r)
	}
}

// A cancel that comes while close() runs lets close() finish, and the
// response ends with E.
func TestCancelDuringClose(t *testing.T) {
	h := regressWorker(t, nil)
	l := h.lanes[0]
	var p []byte
	p = wire.AppendPair(p, "REQUEST_METHOD", "GET")
	p = wire.AppendPair(p, "PATH_INFO", "/slowclose")
	p = wire.AppendPair(p, "gowsgi.body", "0")
	if err := l.send(wire.Request, p); err != nil {
		t.Fatal(err)
	}
	frames := ""
	for !strings.HasSuffix(frames, "D") {
		typ, _ := l.next(t)
		frames += string(typ)
	}
	time.Sleep(100 * time.Millisecond) // close() is sleeping now
	_ = l.send(wire.Cancel, nil)
	rest, fail := readResponse(t, l)
	if fail != "" || rest != "E" {
		t.Fatalf("frames %q then %q, fail %q", frames, rest, fail)
	}
	time.Sleep(10 * time.Millisecond)
	if !strings.Contains(h.stdout.String(), "close finished\n") {
		t.Fatalf("close() was interrupted; stdout %q", h.stdout.String())
	}
	if r := get(h, "/"); string(r.body) != "hello" {
		t.Fatalf("next request: %+v", r)
	}
}

// A write callable or wsgi.input kept past its request cannot reach the
// next request on the lane.
func TestWriteAfterResponseEnded(t *testing.T) {
	h := regressWorker(t, nil)
	if r := h.request(0, map[string]string{"PATH_INFO": "/keep"}, []byte("unread body"), 0); string(r.body) != "kept" {
		t.Fatalf("keep: %+v", r)
	}
	r := get(h, "/usekept")
	want := "write: write() called after its response ended\nread: wsgi.input read after its response ended"
	if string(r.body) != want || r.frames != "SDE" {
		t.Fatalf("usekept: %+v", r)
	}
}

// time.sleep with a huge length sleeps (until cancelled) rather than
// overflowing into no sleep at all.
func TestHugeSleep(t *testing.T) {
	h := regressWorker(t, nil)
	go func() {
		time.Sleep(200 * time.Millisecond)
		_ = h.lanes[0].send(wire.Cancel, nil)
	}()
	if r := get(h, "/hugesleep"); r.frames != "E" || r.fail != "" {
		t.Fatalf("hugesleep: %+v", r)
	}
}

// start_response(..., exc_info) after the headers re-raises the original
// exception with its traceback (PEP 3333).
func TestExcInfoKeepsTraceback(t *testing.T) {
	h := regressWorker(t, nil)
	r := get(h, "/excinfoafter")
	for _, want := range []string{"in inner\n    raise ValueError('original')", "in body\n    inner()", "ValueError: original"} {
		if !strings.Contains(r.fail, want) {
			t.Fatalf("no %q in:\n%s", want, r.fail)
		}
	}
}

// A recursion overflow's traceback says how often the line repeated rather
// than listing a thousand identical entries.
func TestRecursionTracebackCompressed(t *testing.T) {
	h := regressWorker(t, nil)
	r := get(h, "/recurse")
	if !strings.Contains(r.fail, "RecursionError") || len(r.fail) > 2000 ||
		!regexp.MustCompile(`\n  \[Previous line repeated \d+ more times\]\n`).MatchString(r.fail) ||
		strings.Count(r.fail, "return f(n + 1)") != 3 {
		t.Fatalf("%d bytes:\n%s", len(r.fail), r.fail)
	}
}
