package h1

import (
	"bufio"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// serve runs an http.Server on 127.0.0.1 behind Listen, as runner/server
// does, and returns its address and the warnings logged.
func serve(t *testing.T, h http.Handler) (addr string, warnings func() []string) {
	return serveWith(t, h, Listen)
}

func serveWith(t *testing.T, h http.Handler, listen func(net.Listener, Options) net.Listener) (addr string, warnings func() []string) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var lines []string
	srv := &http.Server{
		Handler:        h,
		ConnContext:    ConnContext,
		MaxHeaderBytes: 8 << 10,
		ErrorLog:       log.New(io.Discard, "", 0),
	}
	go srv.Serve(listen(l, Options{MaxHeaderBytes: 8 << 10, HandshakeTimeout: 10 * time.Second, Warnf: func(format string, args ...any) {
		mu.Lock()
		lines = append(lines, fmt.Sprintf(format, args...))
		mu.Unlock()
	}}))
	t.Cleanup(func() { srv.Close() })
	return l.Addr().String(), func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), lines...)
	}
}

// exchange writes pieces to a new connection and returns all that comes
// back until the server closes it.
func exchange(t *testing.T, addr string, pieces ...string) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	return exchangeOn(t, c, pieces...)
}

// exchangeOn is exchange on a connection already made.
func exchangeOn(t *testing.T, c net.Conn, pieces ...string) string {
	t.Helper()
	defer c.Close()
	// The server may answer and close before it has all the pieces.
	go func() {
		for _, p := range pieces {
			if _, err := io.WriteString(c, p); err != nil {
				return
			}
		}
	}()
	c.SetReadDeadline(time.Now().Add(10 * time.Second)) // a hang guard
	out, err := io.ReadAll(c)
	if err != nil && !strings.Contains(err.Error(), "connection reset") {
		t.Fatalf("the server did not close the connection: %v; it sent %q", err, out)
	}
	return string(out)
}

// statusLines returns the status lines of the responses in raw.
func statusLines(t *testing.T, raw string) []string {
	t.Helper()
	br := bufio.NewReader(strings.NewReader(raw))
	var lines []string
	for {
		if _, err := br.Peek(1); err != nil {
			return lines
		}
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("reading a response: %v in %q", err, raw)
		}
		io.Copy(io.Discard, resp.Body)
		lines = append(lines, resp.Proto+" "+resp.Status)
	}
}

func TestReasonPhrase(t *testing.T) {
	addr, _ := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/custom":
			SetReason(r, 299, "Custom Thing")
			w.WriteHeader(299)
		case "/standard":
			SetReason(r, 404, "Not Found")
			w.WriteHeader(404)
		case "/continue":
			SetReason(r, 201, "Made It")
			io.ReadAll(r.Body) // sends "100 Continue" before the final status
			w.WriteHeader(201)
		case "/latin1":
			SetReason(r, 200, "Gr\xfc\xdfe")
			w.WriteHeader(200)
		case "/other-code":
			SetReason(r, 503, "Changed Mind")
			w.WriteHeader(500) // the handler changed its mind: net/http's line stands
		}
		io.WriteString(w, "body")
	}))
	raw := exchange(t, addr,
		"GET /custom HTTP/1.1\r\nHost: x\r\n\r\n"+
			"GET /standard HTTP/1.1\r\nHost: x\r\n\r\n"+
			"GET /latin1 HTTP/1.1\r\nHost: x\r\n\r\n"+
			"GET /other-code HTTP/1.1\r\nHost: x\r\n\r\n"+
			"GET /standard HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	want := []string{"HTTP/1.1 299 Custom Thing", "HTTP/1.1 404 Not Found", "HTTP/1.1 200 Gr\xfc\xdfe", "HTTP/1.1 500 Internal Server Error", "HTTP/1.1 404 Not Found"}
	if got := statusLines(t, raw); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("status lines %q, want %q on one connection", got, want)
	}

	raw = exchange(t, addr, "GET /custom HTTP/1.0\r\n\r\n")
	if got := statusLines(t, raw); len(got) != 1 || got[0] != "HTTP/1.0 299 Custom Thing" {
		t.Errorf("HTTP/1.0: %q", got)
	}

	raw = exchange(t, addr, "POST /continue HTTP/1.1\r\nHost: x\r\nConnection: close\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n", "data")
	if !strings.HasPrefix(raw, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Made It\r\n") {
		t.Errorf("after 100 Continue: %q", raw)
	}
}

func TestRefusesAmbiguousLength(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	addr, refused := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		seen = append(seen, r.Method+" "+r.URL.Path+" "+string(b))
		mu.Unlock()
		io.WriteString(w, "ok")
	}))
	inBody := "GET /inbody HTTP/1.1\r\nHost: x\r\n\r\n"
	smuggle := "POST /smuggle HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n" +
		"GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n"
	cases := []struct {
		name   string
		pieces []string
		want   []string // the status lines
	}{
		{"CL+TE", []string{smuggle}, []string{"HTTP/1.1 400 Bad Request"}},
		{"TE+CL, lower case", []string{"POST /smuggle HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\ncontent-length: 4\r\n\r\n0\r\n\r\n"}, []string{"HTTP/1.1 400 Bad Request"}},
		{"after a good request", []string{"GET /first HTTP/1.1\r\nHost: x\r\n\r\n" + smuggle}, []string{"HTTP/1.1 200 OK", "HTTP/1.1 400 Bad Request"}},
		{"after a chunked body with a trailer", []string{"POST /first HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2;ext=1\r\nhi\r\n0\r\nX-Trailer: 1\r\n\r\n" + smuggle},
			[]string{"HTTP/1.1 200 OK", "HTTP/1.1 400 Bad Request"}},
		{"after a Content-Length body holding a head", []string{"POST /first HTTP/1.1\r\nHost: x\r\nContent-Length: " + fmt.Sprint(len(inBody)) + "\r\n\r\n" + inBody + smuggle},
			[]string{"HTTP/1.1 200 OK", "HTTP/1.1 400 Bad Request"}},
		{"one byte at a time", strings.Split(smuggle, ""), []string{"HTTP/1.1 400 Bad Request"}},
		{"obs-fold", []string{"GET /smuggle HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n"}, []string{"HTTP/1.1 400 Bad Request"}},
		{"TE in HTTP/1.0", []string{"POST /smuggle HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n"}, []string{"HTTP/1.1 400 Bad Request"}},
	}
	for _, c := range cases {
		raw := exchange(t, addr, c.pieces...)
		if got := statusLines(t, raw); fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%s: status lines %q, want %q", c.name, got, c.want)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	for _, s := range seen {
		if strings.Contains(s, "smuggle") {
			t.Errorf("the handler saw %q", s)
		}
	}
	want := []string{"GET /first ", "POST /first hi", "POST /first " + inBody}
	if fmt.Sprintf("%q", seen) != fmt.Sprintf("%q", want) {
		t.Errorf("the handler saw %q, want %q", seen, want)
	}
	if got := refused(); len(got) != len(cases) || !strings.Contains(got[0], "both Content-Length and Transfer-Encoding") ||
		!strings.Contains(got[len(got)-1], "HTTP/1.0 with Transfer-Encoding") {
		t.Errorf("refusals reported: %q", got)
	}
}

// TestKeepsFraming: requests of every framing, pipelined on one
// connection, all reach the handler whole, and the connection stays open.
func TestKeepsFraming(t *testing.T) {
	addr, refused := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%s:%s;", r.URL.Path, b)
	}))
	big := strings.Repeat("x", 100<<10)
	raw := exchange(t, addr,
		"GET /a HTTP/1.1\r\nHost: x\r\n\r\n"+
			"POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"+
			"POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nd\r\n2\r\nef\r\n0\r\n\r\n"+
			"POST /d HTTP/1.1\r\nHost: x\r\nContent-Length: "+fmt.Sprint(len(big))+"\r\n\r\n"+big+
			"GET /e HTTP/1.1\r\nHost: x\r\nUpgrade-Insecure-Requests: 1\r\nConnection: close\r\n\r\n")
	for _, want := range []string{"/a:;", "/b:abc;", "/c:def;", "/d:" + big + ";", "/e:;"} {
		if !strings.Contains(raw, want) {
			t.Errorf("no %.20q... in the answers", want)
		}
	}
	if r := refused(); len(r) != 0 {
		t.Errorf("refused: %q", r)
	}
}

// TestTunnel: after a request that may switch protocols, the bytes pass as
// they come (a WebSocket frame has no line end to wait for).
func TestTunnel(t *testing.T) {
	addr, _ := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !MayTunnel(r) {
			http.Error(w, "no", 400)
			return
		}
		c, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close()
		brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n")
		brw.Flush()
		b := make([]byte, 5)
		if _, err := io.ReadFull(brw, b); err != nil {
			t.Error(err)
			return
		}
		c.Write(b)
	}))
	raw := exchange(t, addr, "GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n", "\x81\x03abc")
	if !strings.HasSuffix(raw, "\r\n\r\n\x81\x03abc") {
		t.Errorf("through the tunnel: %q", raw)
	}
}

// TestHeadTooLarge: a head longer than the server takes is net/http's to
// refuse (431), and the guard does not hold more of it than that.
func TestHeadTooLarge(t *testing.T) {
	addr, refused := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	raw := exchange(t, addr, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: "+strings.Repeat("b", 100<<10)+"\r\n\r\n")
	if !strings.HasPrefix(raw, "HTTP/1.1 431 ") {
		t.Errorf("a 100 KiB head: %.60q", raw)
	}
	if r := refused(); len(r) != 0 {
		t.Errorf("refused: %q", r)
	}
}
