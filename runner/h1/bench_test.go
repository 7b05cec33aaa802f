package h1

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"testing"
)

// BenchmarkKeepAlive is one request and response on a kept-alive
// connection, with and without the wrapper: what the guard and the status
// line check cost a request.
func BenchmarkKeepAlive(b *testing.B) {
	for _, wrapped := range []bool{false, true} {
		name := "net/http"
		if wrapped {
			name = "h1"
		}
		b.Run(name, func(b *testing.B) {
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			srv := &http.Server{ConnContext: ConnContext, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				SetReason(r, 200, "OK")
				w.Header().Set("Content-Length", "2")
				io.WriteString(w, "ok")
			})}
			sl := l
			if wrapped {
				sl = Listen(l, Options{})
			}
			go srv.Serve(sl)
			defer srv.Close()
			c, err := net.Dial("tcp", l.Addr().String())
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			br := bufio.NewReader(c)
			req := []byte("GET /x HTTP/1.1\r\nHost: bench\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n")
			b.ResetTimer()
			for range b.N {
				if _, err := c.Write(req); err != nil {
					b.Fatal(err)
				}
				resp, err := http.ReadResponse(br, nil)
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		})
	}
}
