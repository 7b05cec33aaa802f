package static

import (
	"net/http"
	"testing"
)

// discard is a ResponseWriter that keeps nothing, so that the benchmark
// counts the handler's own allocations.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(int)             {}

// BenchmarkServeFile measures the handler alone, without the network,
// to keep an eye on the work and the allocations per request.
func BenchmarkServeFile(b *testing.B) {
	fx := newFixture(b)
	h, err := New(Options{Root: fx.root, Prefix: "/static", CacheTimeout: 60e9})
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	for _, c := range []struct{ name, path, ae string }{
		{"identity", "/static/hello.txt", ""},
		{"precompressed", "/static/comp.css", "br, gzip"},
		{"nested", "/static/sub/inner.txt", "gzip"},
		{"index", "/static/sub/", ""},
		{"notfound", "/static/nope.txt", ""},
	} {
		b.Run(c.name, func(b *testing.B) {
			r, _ := http.NewRequest("GET", "http://x"+c.path, nil)
			r.RequestURI = c.path
			if c.ae != "" {
				r.Header.Set("Accept-Encoding", c.ae)
			}
			w := &discard{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				h.ServeHTTP(w, r)
			}
		})
	}
}
