package wsgi_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gowsgi/gowsgi/runner/config"
	"github.com/gowsgi/gowsgi/runner/logging"
	"github.com/gowsgi/gowsgi/runner/pool"
	"github.com/gowsgi/gowsgi/runner/pool/fakeworker"
	"github.com/gowsgi/gowsgi/runner/router"
	"github.com/gowsgi/gowsgi/runner/wsgi"
)

// discardWriter is a ResponseWriter that keeps nothing but its header map.
type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d *discardWriter) WriteHeader(int)             {}
func (d *discardWriter) Flush()                      {}

// BenchmarkHandler is the Go side of one hello request, from the router to
// the fake worker and back, without the network: the environ, the lane,
// the exchange of frames, the status and header checks, the access-log
// record (the log itself off). Its allocations are the Go side's per
// request, net/http's own aside.
func BenchmarkHandler(b *testing.B) {
	cfg := config.Pool{Workers: 1, Threads: 4, QueueTimeout: fakeworker.Guard}
	hub := fakeworker.New(b)
	lg := logging.New(logging.Options{Out: io.Discard})
	p := pool.New(pool.Options{App: "fakeapp:application", Engine: hub.Engine(), Root: b.TempDir(), Pool: cfg, Log: lg})
	if err := p.Start(); err != nil {
		b.Fatalf("Start: %v", err)
	}
	b.Cleanup(func() { p.Close(200 * time.Millisecond) })
	rt := router.New([]router.Route{{Path: "/", Handler: wsgi.New("/", p, cfg, lg)}}, router.Options{Log: lg})
	req := httptest.NewRequest("GET", "http://127.0.0.1:8080/quiet", nil)
	req.Header.Set("User-Agent", "wrk")
	req.Header.Set("Accept", "*/*")
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		clear(w.h)
		rt.ServeHTTP(w, req)
	}
}
