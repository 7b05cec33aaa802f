package gpython

import (
	"testing"

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
