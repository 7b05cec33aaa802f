package e2e

// What an app (or a client) can get wrong, and what the server does then.

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestHeaderInjectionRefused(t *testing.T) {
	forEachEngine(t, func(t *testing.T, flags []string) {
		s := start(t, testApps, append(flags, "--wsgi", "pure.router")...)
		noRedirect := *client
		noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		resp, err := noRedirect.Get(s.URL + "/inject?/x%00Set-Cookie%00session=evil")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 500 || resp.Header.Get("Set-Cookie") != "" {
			t.Fatalf("a NUL in a header value: %d, Set-Cookie %q", resp.StatusCode, resp.Header.Get("Set-Cookie"))
		}
		resp, err = noRedirect.Get(s.URL + "/inject?/fine")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 302 || resp.Header.Get("Location") != "/fine" {
			t.Fatalf("a clean redirect: %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
	})
}

func TestHugeChunk(t *testing.T) {
	forEachEngine(t, func(t *testing.T, flags []string) {
		s := start(t, testApps, append(flags, "--wsgi", "pure.router")...)
		code, body := s.get("/big-chunk?mb=17")
		if code != 200 || len(body) != 17<<20 || strings.Trim(body, "x") != "" {
			t.Fatalf("a 17 MiB chunk: %d, %d bytes", code, len(body))
		}
		if strings.Contains(s.out.String(), "out of step") || strings.Contains(s.out.String(), "died") {
			t.Fatalf("the worker was lost over a big chunk:\n%s", s.out)
		}
	})
}

func TestContentLengthLies(t *testing.T) {
	s := start(t, testApps, "--python", venvPy, "--wsgi", "pure.router")
	for _, c := range []struct{ declared, sent int }{{5, 10}, {100, 10}} {
		resp, err := client.Get(fmt.Sprintf("%s/content-length-lie?declared=%d&sent=%d", s.URL, c.declared, c.sent))
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if c.sent > c.declared && (err != nil || len(b) != c.declared) {
			t.Errorf("declared %d, sent %d: the client got %d bytes, %v; want exactly the declared bytes", c.declared, c.sent, len(b), err)
		}
		if c.sent < c.declared && err == nil {
			t.Errorf("declared %d, sent %d: the body ended cleanly; it must be cut", c.declared, c.sent)
		}
	}
	s.waitLog(`more than its Content-Length`, 5*time.Second)
	s.waitLog(`sent 10 bytes of the 100 its Content-Length promised`, 5*time.Second)
	if code, _ := s.get("/"); code != 200 {
		t.Fatal("the server stopped serving")
	}
}

func TestNoContentTypeGuessing(t *testing.T) {
	s := start(t, testApps, "--python", venvPy, "--wsgi", "pure.router")
	resp, _ := s.do(s.request("GET", "/no-content-type", nil))
	if ct, ok := resp.Header["Content-Type"]; ok {
		t.Fatalf("the app sent no Content-Type, the client got %q", ct)
	}
}

func TestWriteStopsWhenClientLeaves(t *testing.T) {
	s := start(t, testApps, "--python", venvPy, "--wsgi", "pure.router")
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "GET /write-loop HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(conn)
	if _, err := br.ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	conn.Close()
	m := s.waitLog(`write loop ended after (\d+) writes`, 10*time.Second)
	var n int
	fmt.Sscan(m[1], &n)
	if n >= 200 {
		t.Fatalf("write() kept going for %d writes after the client left", n)
	}
}

// TestStalledUpload: a client that stops sending its body is cut off at
// --timeout with a 408, and the worker is not blamed.
func TestStalledUpload(t *testing.T) {
	s := start(t, testApps, "--python", venvPy, "--wsgi", "pure.router", "--threads", "2", "--timeout", "1s")
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nonly ten b")
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode != 408 {
			t.Errorf("a stalled upload: %d, want 408", resp.StatusCode)
		}
	} // a cut connection is an acceptable answer too: the client was too slow to be told
	s.waitLog(`408`, 5*time.Second)
	if strings.Contains(s.out.String(), "starting a replacement") {
		t.Errorf("the worker was replaced for the client's slowness:\n%s", s.out)
	}
	if code, _ := s.get("/"); code != 200 {
		t.Fatal("the server stopped serving")
	}
}

// TestTimeoutCooperative: at --timeout a streaming app is told to stop; it
// stops between chunks, close() runs, and its worker is kept.
func TestTimeoutCooperative(t *testing.T) {
	forEachEngine(t, func(t *testing.T, flags []string) {
		s := start(t, testApps, append(flags, "--wsgi", "pure.router", "--timeout", "1s")...)
		resp, err := client.Get(s.URL + "/stream?n=100&delay=0.05")
		if err != nil {
			t.Fatal(err)
		}
		_, err = io.ReadAll(resp.Body)
		resp.Body.Close()
		if err == nil {
			t.Errorf("a stream stopped at --timeout ended cleanly; it must be cut")
		}
		s.waitLog(`close\(\) called for /stream`, 5*time.Second)
		s.waitLog(`stopped at --timeout 1s`, 5*time.Second)
		if code, _ := s.get("/"); code != 200 {
			t.Fatal("the server stopped serving")
		}
		if strings.Contains(s.out.String(), "starting a replacement") {
			t.Errorf("the worker was replaced, though the app stopped when told:\n%s", s.out)
		}
	})
}

// TestMaxMemory: a worker that grows past --max-memory is replaced, and the
// server keeps serving. It grows 10 MiB a request, as a leak does: the
// resident check catches it (an allocation past the data limit on the way
// is a 500; the request caught mid-answer, a 502).
func TestMaxMemory(t *testing.T) {
	forEachEngine(t, func(t *testing.T, flags []string) {
		s := start(t, testApps, append(flags, "--wsgi", "pure.router", "--max-memory", "150MB")...)
		replaced := regexp.MustCompile(`worker 1 \(pid \d+\) uses \d+ MiB, over --max-memory \d+ MiB: replacing it` +
			`|worker 1 \(pid \d+\) died`) // gpython: Go's runtime dies at the data limit
		deadline := time.Now().Add(30 * time.Second)
		for !replaced.MatchString(s.out.String()) {
			if time.Now().After(deadline) {
				t.Fatalf("growing 10 MiB a request, the worker was never replaced")
			}
			if code, body := s.get("/grow?mb=10"); code != 200 && code != 500 && code != 502 {
				t.Fatalf("GET /grow = %d %q", code, body)
			}
		}
		s.waitBody("Hello, world!\n", 10*time.Second)
	})
}

// TestStreamingMemoryBounded: 256 MiB each way pass through gowsgi while
// its memory stays at a fraction of that (the bodies travel in 64 KiB
// pieces, never whole).
func TestStreamingMemoryBounded(t *testing.T) {
	s := start(t, testApps, "--python", venvPy, "--wsgi", "pure.router")
	const size = 256 << 20
	resp, err := client.Get(fmt.Sprintf("%s/download?size=%d", s.URL, size))
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil || n != size {
		t.Fatalf("download: %d bytes, %v", n, err)
	}
	req := s.request("POST", "/upload", io.LimitReader(zeros{}, size))
	req.ContentLength = size
	if resp, body := s.do(req); resp.StatusCode != 200 || !strings.HasPrefix(string(body), fmt.Sprint(size)+" ") {
		t.Fatalf("upload: %d %q", resp.StatusCode, body)
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		t.Skipf("no /proc here: %v", err)
	}
	var peakKiB int64
	for _, line := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			fmt.Sscan(strings.TrimPrefix(line, "VmHWM:"), &peakKiB)
		}
	}
	if peakKiB == 0 || peakKiB > 128<<10 {
		t.Errorf("gowsgi's peak resident memory was %d MiB after moving 256 MiB each way", peakKiB>>10)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// The defect: --max-memory was only sampled twice a second, so a fast
// allocation went far past it (a worker killed at 834 MiB against 300 MiB).
// Past the limit, an allocation fails in the app: a MemoryError, a 500, and
// the worker, never grown, serves on.
func TestMaxMemoryFailsFastAllocation(t *testing.T) {
	s := start(t, testApps, "--python", venvPy, "--wsgi", "pure.router", "--max-memory", "100MB")
	if code, body := s.get("/grow?mb=400"); code != 500 || !strings.Contains(body, "MemoryError") {
		t.Fatalf("allocating 400 MiB against --max-memory 100MB: %d %.300q; want a 500 with the MemoryError", code, body)
	}
	if code, body := s.get("/"); code != 200 || body != "Hello, world!\n" {
		t.Fatalf("after the MemoryError: %d %q", code, body)
	}
	if strings.Contains(s.out.String(), "over --max-memory") {
		t.Errorf("the worker grew past --max-memory:\n%s", s.out)
	}
}
