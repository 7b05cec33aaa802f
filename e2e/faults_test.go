package e2e

// The faults of issue #11: what another local user, a lingering app thread,
// a runaway request, a hung import or a slow client could do, and does not.

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The defect: with no cache directory (HOME unset), the worker program was
// written to $TMPDIR/gowsgi, even when another user owned that directory,
// and Python put that directory first on sys.path: a json.py planted there
// ran as gowsgi's user. Here a hostile json.py waits in both places a
// program file could land; the worker must not import it.
func TestWorkerProgramIgnoresPlantedModules(t *testing.T) {
	tmp := t.TempDir()
	hostile := `import os
open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'PWNED'), 'w').write(__file__)
raise ImportError('a planted json.py was imported')
`
	for _, dir := range []string{tmp, filepath.Join(tmp, "gowsgi")} {
		write(t, filepath.Join(dir, "json.py"), hostile)
	}
	env := []string{"HOME=", "XDG_CACHE_HOME=", "TMPDIR=" + tmp}
	s := startEnv(t, testApps, env, "--python", venvPy, "--wsgi", "pure.router")
	if code, body := s.get("/environ"); code != 200 {
		t.Errorf("GET /environ (the app imports json) = %d %q", code, body)
	}
	for _, dir := range []string{tmp, filepath.Join(tmp, "gowsgi")} {
		if b, err := os.ReadFile(filepath.Join(dir, "PWNED")); err == nil {
			t.Errorf("the json.py planted in %s was imported (by %s)", dir, b)
		}
	}
}

// The defect: a thread the app left behind could still use its request's
// wsgi.input, start_response and write(). A late read took the next
// request's body off the lane (that app saw an empty body); a late
// start_response made the next request a 500. Once a request has ended,
// what it was handed raises, and the next request on the lane (--threads 1)
// gets its own body and its own answer.
func TestLeftoverThreadCannotTouchNextRequest(t *testing.T) {
	s := start(t, testApps, "--python", venvPy, "--wsgi", "lingering.router", "--threads", "1")
	for _, what := range []string{"input", "start_response", "write"} {
		resp, body := s.do(s.request("POST", "/leave/"+what, strings.NewReader("first body")))
		if resp.StatusCode != 200 {
			t.Fatalf("POST /leave/%s = %d %q", what, resp.StatusCode, body)
		}
		resp, body = s.do(s.request("POST", "/next", strings.NewReader("second body")))
		if resp.StatusCode != 200 || !strings.HasPrefix(string(body), "body=second body\n") {
			t.Errorf("after a thread left holding %s, the next request: %d %q; want 200 with its own body", what, resp.StatusCode, body)
		}
		if want := "left behind: " + what + " raised "; !strings.Contains(string(body), want) {
			t.Errorf("the late use of %s did not raise: %q", what, body)
		}
		if resp.Header.Get("X-Late") != "" {
			t.Errorf("the late start_response's header reached the next response")
		}
		if code, body := s.get("/"); code != 200 || body != "ok\n" {
			t.Fatalf("the lane after a late %s: %d %q", what, code, body)
		}
	}
}

// hangingApp is app.py whose import never finishes; it first writes marker,
// so the test knows the import has begun.
func hangingApp(marker string) string {
	return fmt.Sprintf(`import time
open(%q, 'w').write('importing')
time.sleep(600)


def application(environ, start_response):
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [b'never']
`, marker)
}

// waitFile waits until path exists.
func waitFile(t *testing.T, path string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if _, err := os.Stat(path); err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not appear within %s", path, timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// The defect: a save whose import hung held up every later reload: the
// fixed save was never applied, the old code kept serving, nothing was
// logged, and at shutdown the log said the app had failed to import. A
// newer save abandons the hung import, and shutdown blames nothing.
func TestNewerSaveAbandonsHungImport(t *testing.T) {
	dir := appDir(t)
	marker := filepath.Join(t.TempDir(), "importing")
	s := start(t, dir, "--python", venvPy, "--wsgi", "app.application")
	s.waitBody("v1", 5*time.Second)
	s.waitLog(`watching`, 5*time.Second)

	write(t, filepath.Join(dir, "app.py"), hangingApp(marker))
	waitFile(t, marker, 10*time.Second)
	write(t, filepath.Join(dir, "app.py"), versionApp("v2"))
	s.waitBody("v2", 15*time.Second)
	s.waitLog(`reload \(app\.py changed\) abandoned after \d+ ms: newer code came before it had imported`, 5*time.Second)

	// Shut down while an import hangs: it is stopped, not reported as the app's failure.
	os.Remove(marker)
	write(t, filepath.Join(dir, "app.py"), hangingApp(marker))
	waitFile(t, marker, 10*time.Second)
	s.stop()
	if code := exitCode(s.err); code != 0 {
		t.Errorf("shutdown during a hung import: exit status %d, want 0", code)
	}
	if strings.Contains(s.out.String(), "failed to import") {
		t.Errorf("shutdown during a hung import was logged as the app failing to import:\n%s", s.out)
	}
}

// An import that hangs is stopped at --import-timeout; the log and the error
// page say so, and show the line it hung on.
func TestImportTimeoutShowsWhere(t *testing.T) {
	dir := appDir(t)
	marker := filepath.Join(t.TempDir(), "importing")
	s := start(t, dir, "--python", venvPy, "--wsgi", "app.application", "--import-timeout", "1s")
	s.waitBody("v1", 5*time.Second)
	s.waitLog(`watching`, 5*time.Second)
	write(t, filepath.Join(dir, "app.py"), hangingApp(marker))

	deadline := time.Now().Add(15 * time.Second)
	for {
		code, body := s.get("/")
		if code == 500 {
			for _, want := range []string{"--import-timeout 1s", "time.sleep(600)", "app.py\", line 3"} {
				if !strings.Contains(body, want) {
					t.Errorf("the error page lacks %q:\n%s", want, body)
				}
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET / still answers %d %q after the import should have timed out", code, body)
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.waitLog(`the app failed to import`, 5*time.Second)
	s.waitLog(`did not finish importing within --import-timeout 1s`, 5*time.Second)

	write(t, filepath.Join(dir, "app.py"), versionApp("v2"))
	s.waitBody("v2", 15*time.Second)
}

// dialRaw opens a TCP connection to the server and sends raw.
func (s *server) dialRaw(raw string) net.Conn {
	s.t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	if err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(func() { conn.Close() })
	if _, err := io.WriteString(conn, raw); err != nil {
		s.t.Fatal(err)
	}
	return conn
}

// The defect: with the defaults, clients trickling an upload held every
// thread until they left, and everyone else got a 503. A body's first 64
// KiB arrive before the request takes a thread: here six clients hold back
// the end of their bodies on two threads (each once the server has started
// reading it: it sent 100 Continue), and a normal request is served
// meanwhile; then they finish, and each gets its own body back.
func TestTricklingUploadsHoldNoThread(t *testing.T) {
	s := start(t, testApps, "--python", venvPy, "--wsgi", "pure.router", "--threads", "2", "--queue-timeout", "5s")
	type upload struct {
		c net.Conn
		r *bufio.Reader
	}
	var ups []upload
	for i := range 6 {
		c := s.dialRaw("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 10\r\nExpect: 100-continue\r\n\r\n")
		c.SetReadDeadline(time.Now().Add(30 * time.Second))
		r := bufio.NewReader(c)
		if line, err := r.ReadString('\n'); err != nil || !strings.HasPrefix(line, "HTTP/1.1 100 ") {
			t.Fatalf("upload %d: %q, %v; want 100 Continue", i, line, err)
		}
		r.ReadString('\n') // the blank line after it
		io.WriteString(c, "hello")
		ups = append(ups, upload{c, r})
	}
	if code, body := s.get("/"); code != 200 {
		t.Fatalf("a normal request while six uploads trickle on two threads: %d %q", code, body)
	}
	for i, u := range ups {
		io.WriteString(u.c, "world")
		resp, err := http.ReadResponse(u.r, nil)
		if err != nil {
			t.Fatalf("upload %d: %v", i, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(b) != "helloworld" {
			t.Errorf("upload %d: %d %q, want 200 \"helloworld\"", i, resp.StatusCode, b)
		}
	}
}

// The defect: a client that stopped reading a streamed response held its
// thread for as long as it stayed connected. A write that makes no progress
// within --client-timeout cuts it off: two such clients on two threads (each
// once its response has begun), and a normal request is still served.
func TestStalledReadersAreCutOff(t *testing.T) {
	s := start(t, testApps, "--python", venvPy, "--wsgi", "pure.router", "--threads", "2",
		"--client-timeout", "1s", "--queue-timeout", "20s")
	const size = 64 << 20 // far more than the sockets' buffers hold
	var conns []net.Conn
	for i := range 2 {
		c := s.dialRaw(fmt.Sprintf("GET /download?size=%d HTTP/1.1\r\nHost: x\r\n\r\n", size))
		c.SetReadDeadline(time.Now().Add(30 * time.Second))
		if line, err := bufio.NewReaderSize(c, 16).ReadString('\n'); err != nil || !strings.HasPrefix(line, "HTTP/1.1 200 ") {
			t.Fatalf("download %d: %q, %v", i, line, err)
		}
		conns = append(conns, c) // and it reads no more
	}
	if code, body := s.get("/"); code != 200 {
		t.Fatalf("a normal request while two clients do not read: %d %q", code, body)
	}
	// Both are cut off before either reads again (reading first would be
	// progress, and the download would rightly go on).
	deadline := time.Now().Add(10 * time.Second)
	for strings.Count(s.out.String(), "the client read the response too slowly") < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("the two clients that stopped reading were not both cut off:\n%s", s.out)
		}
		time.Sleep(20 * time.Millisecond)
	}
	for i, c := range conns {
		n, _ := io.Copy(io.Discard, c)
		if n >= size {
			t.Errorf("client %d, which stopped reading, still got all %d bytes", i, n)
		}
	}
	s.waitLog(`the client read the response too slowly \(--client-timeout 1s without progress\)`, time.Second)
}
