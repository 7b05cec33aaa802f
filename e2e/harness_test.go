package e2e

// The harness for gowsgi's end-to-end tests: it builds the real binary, makes
// a virtualenv from Debian's python3 (where apt installs Flask and Django),
// starts gowsgi on 127.0.0.1 with a free port, and talks to it over HTTP.

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	binary   string // the gowsgi binary under test
	venv     string // a virtualenv made from Debian's python3, with system site-packages
	venvPy   string
	testApps string // absolute path of testapps/
)

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	tmp, err := os.MkdirTemp("", "gowsgi-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(tmp)
	binary = filepath.Join(tmp, "gowsgi")
	if out, err := exec.Command("go", "build", "-o", binary, "..").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building gowsgi: %v\n%s", err, out)
		return 1
	}
	testApps, _ = filepath.Abs("../testapps")
	// Debian's python3 is where apt puts Flask and Django; another python3
	// may come first on PATH. A venv with system site-packages sees them and
	// exercises gowsgi's virtualenv detection too.
	venv = filepath.Join(tmp, "venv")
	if out, err := exec.Command("/usr/bin/python3", "-m", "venv", "--system-site-packages", venv).CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "making a venv from /usr/bin/python3 (apt-get install python3-venv): %v\n%s", err, out)
		return 1
	}
	venvPy = filepath.Join(venv, "bin", "python")
	return m.Run()
}

// server is one running gowsgi.
type server struct {
	t    *testing.T
	cmd  *exec.Cmd
	URL  string // "http://127.0.0.1:PORT"
	out  *logBuffer
	done chan struct{}
	err  error // the exit status, after done
}

// logBuffer collects gowsgi's output and lets tests wait for a line.
type logBuffer struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	cond   *sync.Cond
	closed bool // the process has exited: nothing more will come
}

func (b *logBuffer) close() {
	b.mu.Lock()
	b.closed = true
	b.cond.Broadcast()
	b.mu.Unlock()
}

func newLogBuffer() *logBuffer {
	b := &logBuffer{}
	b.cond = sync.NewCond(&b.mu)
	return b
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Write(p)
	b.cond.Broadcast()
	return len(p), nil
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitFor waits until the output matches re, and returns the first match's groups.
func (b *logBuffer) waitFor(re *regexp.Regexp, timeout time.Duration) []string {
	deadline := time.Now().Add(timeout)
	go func() { // wake the waiter at the deadline
		time.Sleep(timeout)
		b.mu.Lock()
		b.cond.Broadcast()
		b.mu.Unlock()
	}()
	b.mu.Lock()
	defer b.mu.Unlock()
	for {
		if m := re.FindStringSubmatch(b.buf.String()); m != nil {
			return m
		}
		if b.closed || time.Now().After(deadline) {
			return nil
		}
		b.cond.Wait()
	}
}

var listeningRE = regexp.MustCompile(`listening on (https?://127\.0\.0\.1:\d+)/`)

// gowsgi runs the binary with args in dir and the given extra environment.
func gowsgi(dir string, env []string, args ...string) *exec.Cmd {
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	cmd.Env = append(cleanEnv(), env...)
	return cmd
}

// cleanEnv is the test's environment without what would change gowsgi's
// choices behind a test's back.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "VIRTUAL_ENV=") || strings.HasPrefix(kv, "FORCE_COLOR=") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// start runs `gowsgi -n web --listen tcp:0 ARGS...` in dir and waits until it
// listens. The server is stopped (SIGTERM, then SIGKILL) when the test ends.
func start(t *testing.T, dir string, args ...string) *server {
	t.Helper()
	return startEnv(t, dir, nil, args...)
}

func startEnv(t *testing.T, dir string, env []string, args ...string) *server {
	t.Helper()
	return waitListening(t, launch(t, dir, env, args...))
}

// startRaw runs `gowsgi ARGS...` as given (no -n web --listen tcp:0 added)
// and waits until it listens.
func startRaw(t *testing.T, dir string, args ...string) *server {
	t.Helper()
	return waitListening(t, launchRaw(t, dir, nil, args...))
}

func waitListening(t *testing.T, s *server) *server {
	t.Helper()
	m := s.out.waitFor(listeningRE, 30*time.Second)
	if m == nil {
		s.stop()
		t.Fatalf("gowsgi did not start listening (within 30s); output:\n%s", s.out)
	}
	s.URL = m[1]
	return s
}

// launch starts gowsgi without waiting for it to listen.
func launch(t *testing.T, dir string, env []string, args ...string) *server {
	t.Helper()
	return launchRaw(t, dir, env, append([]string{"-n", "web", "--listen", "tcp:0"}, args...)...)
}

// launchRaw starts gowsgi with exactly args, without waiting for it to listen.
func launchRaw(t *testing.T, dir string, env []string, args ...string) *server {
	t.Helper()
	return launchCmd(t, gowsgi(dir, env, args...))
}

// launchCmd starts cmd, a gowsgi (or a wrapper that execs one), without
// waiting for it to listen.
func launchCmd(t *testing.T, cmd *exec.Cmd) *server {
	t.Helper()
	s := &server{t: t, out: newLogBuffer(), done: make(chan struct{})}
	s.cmd = cmd
	s.cmd.Stdout = s.out
	s.cmd.Stderr = s.out
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		s.err = s.cmd.Wait()
		close(s.done)
		s.out.close()
	}()
	t.Cleanup(func() {
		s.stop()
		if strings.Contains(s.out.String(), "WARNING: DATA RACE") {
			t.Errorf("the race detector found a data race in gowsgi (built with GOFLAGS=-race)")
		}
		if t.Failed() {
			t.Logf("gowsgi output:\n%s", s.out)
		}
	})
	return s
}

// stop ends the server gracefully, or kills it after 15s.
func (s *server) stop() {
	select {
	case <-s.done:
		return
	default:
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(15 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
}

var client = &http.Client{Timeout: 60 * time.Second}

// get fetches path and returns the status and body; it fails the test on a
// transport error.
func (s *server) get(path string) (int, string) {
	s.t.Helper()
	resp, err := client.Get(s.URL + path)
	if err != nil {
		s.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatalf("GET %s: reading the body: %v", path, err)
	}
	return resp.StatusCode, string(b)
}

func (s *server) do(req *http.Request) (*http.Response, []byte) {
	s.t.Helper()
	resp, err := client.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatalf("%s %s: reading the body: %v", req.Method, req.URL, err)
	}
	return resp, b
}

func (s *server) request(method, path string, body io.Reader) *http.Request {
	req, err := http.NewRequest(method, s.URL+path, body)
	if err != nil {
		s.t.Fatal(err)
	}
	return req
}

// waitLog waits for a line matching pattern in gowsgi's output.
func (s *server) waitLog(pattern string, timeout time.Duration) []string {
	s.t.Helper()
	m := s.out.waitFor(regexp.MustCompile(pattern), timeout)
	if m == nil {
		s.t.Fatalf("no log line matching %q within %s; output:\n%s", pattern, timeout, s.out)
	}
	return m
}

// engines are the engines the pure-WSGI suite runs on, with the flags that pick them.
var engines = []struct {
	name  string
	flags func() []string
}{
	{"cpython", func() []string { return []string{"--engine", "cpython", "--python", venvPy} }},
	{"gpython", func() []string { return []string{"--engine", "gpython"} }},
}

// exitCode is a finished command's exit status (0 for nil).
func exitCode(err error) int {
	if err == nil {
		return 0
	}
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	return -1
}
