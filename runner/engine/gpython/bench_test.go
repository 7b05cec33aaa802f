package gpython

import (
	"io"
	"testing"

	"github.com/gowsgi/gowsgi/runner/engine/gpython/pyrt"
	"github.com/gowsgi/gowsgi/runner/wire"
)

const helloApp = `
def application(environ, start_response):
    start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', '14')])
    return [b'Hello, world!\n']
`

// BenchmarkHello measures one request round trip over a socket pair: the
// R frame out, the S+D+E answer back, for a hello-world app.
func BenchmarkHello(b *testing.B) {
	dir := writeApp(b, map[string]string{"hello.py": helloApp})
	h := startWorker(b, dir, "hello.application", 1)
	if !h.ready {
		b.Fatal(h.failed)
	}
	l := h.lanes[0]
	var p []byte
	for _, kv := range [][2]string{{"REQUEST_METHOD", "GET"}, {"SCRIPT_NAME", ""}, {"PATH_INFO", "/"}, {"QUERY_STRING", ""},
		{"SERVER_NAME", "127.0.0.1"}, {"SERVER_PORT", "8080"}, {"SERVER_PROTOCOL", "HTTP/1.1"}, {"REMOTE_ADDR", "127.0.0.1"},
		{"REMOTE_PORT", "50000"}, {"HTTP_HOST", "127.0.0.1:8080"}, {"HTTP_USER_AGENT", "bench"}, {"wsgi.url_scheme", "http"},
		{"gowsgi.body", "0"}} {
		p = wire.AppendPair(p, kv[0], kv[1])
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := l.send(wire.Request, p); err != nil {
			b.Fatal(err)
		}
		for {
			typ, _, err := l.r.Next()
			if err != nil {
				b.Fatal(err)
			}
			if typ == wire.End {
				break
			}
			if typ == wire.Fail {
				b.Fatal("app failed")
			}
		}
	}
}

// BenchmarkHelloCall is the in-process part of a request: building the
// environ and calling the app on its context, without the sockets.
func BenchmarkHelloCall(b *testing.B) {
	benchCall(b, map[string]string{"hello.py": helloApp}, "hello.application", "/")
}

// BenchmarkRoutedCall is the same for the routed JSON app in testapps/.
func BenchmarkRoutedCall(b *testing.B) {
	benchCallDir(b, "../../../testapps", "routed.app.application", "/greet")
}

func benchCall(b *testing.B, files map[string]string, app, path string) {
	benchCallDir(b, writeApp(b, files), app, path)
}

func benchCallDir(b *testing.B, dir, app, path string) {
	w := &worker{cfg: wire.WorkerConfig{App: app, Root: dir, Threads: 1}, stdout: io.Discard, stderr: io.Discard}
	w.out, w.errOut = pyrt.NewSharedWriter(io.Discard), pyrt.NewSharedWriter(io.Discard)
	a, c := socketPair(b)
	defer a.Close()
	defer c.Close()
	l, text := w.newLane(1, a)
	if text != "" {
		b.Skip(text)
	}
	l.out = wire.NewWriter(io.Discard)
	var p []byte
	for _, kv := range [][2]string{{"REQUEST_METHOD", "GET"}, {"SCRIPT_NAME", ""}, {"PATH_INFO", path}, {"QUERY_STRING", "name=bench"},
		{"SERVER_NAME", "127.0.0.1"}, {"SERVER_PORT", "8080"}, {"SERVER_PROTOCOL", "HTTP/1.1"}, {"REMOTE_ADDR", "127.0.0.1"},
		{"HTTP_HOST", "127.0.0.1:8080"}, {"wsgi.url_scheme", "http"}, {"gowsgi.body", "0"}} {
		p = wire.AppendPair(p, kv[0], kv[1])
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		l.handle(p, nil)
	}
}
