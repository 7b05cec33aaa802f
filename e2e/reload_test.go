package e2e

// Reload with real files and real processes: save, and the next response has
// the new code; nothing in between fails.

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// versionApp is a hello app that answers with its version string.
func versionApp(v string) string {
	return fmt.Sprintf(`def application(environ, start_response):
    body = %q.encode('ascii')
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [body]
`, v)
}

// appDir makes a temporary app directory with app.py at version v1.
func appDir(t *testing.T) string {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "app.py"), versionApp("v1"))
	return dir
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// waitBody polls until GET / answers want, and fails after timeout.
func (s *server) waitBody(want string, timeout time.Duration) {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	var code int
	var body string
	for time.Now().Before(deadline) {
		code, body = s.get("/")
		if code == 200 && body == want {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.t.Fatalf("GET / never answered %q within %s; last: %d %q\n", want, timeout, code, body)
}

func reloads(s *server) int {
	return len(regexp.MustCompile(`reloaded \(`).FindAllString(s.out.String(), -1))
}

func TestReloadOnEdit(t *testing.T) {
	forEachEngine(t, func(t *testing.T, flags []string) {
		dir := appDir(t)
		s := start(t, dir, append(flags, "--wsgi", "app.application")...)
		s.waitBody("v1", 5*time.Second)
		s.waitLog(`watching`, time.Second)

		write(t, filepath.Join(dir, "app.py"), versionApp("v2"))
		s.waitBody("v2", 10*time.Second)
		s.waitLog(`reloaded \(app\.py changed\) in \d+ ms`, 5*time.Second)

		// An atomic save: write a temporary file, rename it over the original.
		tmp := filepath.Join(dir, ".app.py.tmp")
		write(t, tmp, versionApp("v3"))
		if err := os.Rename(tmp, filepath.Join(dir, "app.py")); err != nil {
			t.Fatal(err)
		}
		s.waitBody("v3", 10*time.Second)
	})
}

func TestReloadIgnoresNoise(t *testing.T) {
	dir := appDir(t)
	write(t, filepath.Join(dir, ".venv", "pyvenv.cfg"), "home = /usr/bin\n")
	s := start(t, dir, "--python", venvPy, "--wsgi", "app.application")
	s.waitBody("v1", 5*time.Second)
	for _, p := range []string{
		"__pycache__/app.cpython-311.pyc", ".git/index", ".venv/lib/site.py",
		"node_modules/x/index.py", ".app.py.swp", "app.py~", "4913",
	} {
		write(t, filepath.Join(dir, p), "noise")
	}
	time.Sleep(700 * time.Millisecond)
	if n := reloads(s); n != 0 {
		t.Fatalf("%d reloads for changes that must be ignored:\n%s", n, s.out)
	}
}

func TestReloadBurstIsOneReload(t *testing.T) {
	dir := appDir(t)
	s := start(t, dir, "--python", venvPy, "--wsgi", "app.application")
	s.waitBody("v1", 5*time.Second)
	for i := 0; i < 50; i++ {
		write(t, filepath.Join(dir, "pkg", fmt.Sprintf("mod%02d.py", i)), "x = 1\n")
	}
	s.waitLog(`reloaded \(.*and \d+ more changed\)`, 10*time.Second)
	time.Sleep(700 * time.Millisecond)
	if n := reloads(s); n != 1 {
		t.Fatalf("50 files in a burst gave %d reloads, want 1:\n%s", n, s.out)
	}
}

func TestReloadBrokenCodeRecovers(t *testing.T) {
	forEachEngine(t, func(t *testing.T, flags []string) {
		dir := appDir(t)
		s := start(t, dir, append(flags, "--wsgi", "app.application")...)
		s.waitBody("v1", 5*time.Second)

		write(t, filepath.Join(dir, "app.py"), "def application(environ, start_response):\n    return [b'x'\n")
		deadline := time.Now().Add(10 * time.Second)
		var code int
		var body string
		for time.Now().Before(deadline) {
			if code, body = s.get("/"); code == 500 {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if code != 500 || !strings.Contains(body, "app.py") || !strings.Contains(body, "SyntaxError") || !strings.Contains(body, "line ") {
			t.Fatalf("with a syntax error: %d %q", code, body)
		}
		s.waitLog(`failed to import`, 5*time.Second)

		write(t, filepath.Join(dir, "app.py"), versionApp("fixed"))
		s.waitBody("fixed", 10*time.Second)
		s.waitLog(`the app imports again`, 5*time.Second)
	})
}

func TestReloadPolling(t *testing.T) {
	dir := appDir(t)
	s := start(t, dir, "--python", venvPy, "--wsgi", "app.application", "--watch-poll=200ms")
	s.waitLog(`polling`, 5*time.Second)
	s.waitBody("v1", 5*time.Second)
	write(t, filepath.Join(dir, "app.py"), versionApp("polled!"))
	s.waitBody("polled!", 10*time.Second)
}

func TestReloadSIGHUPAndNoReload(t *testing.T) {
	dir := appDir(t)
	s := start(t, dir, "--python", venvPy, "--wsgi", "app.application", "--no-reload")
	s.waitBody("v1", 5*time.Second)
	write(t, filepath.Join(dir, "app.py"), versionApp("v2"))
	time.Sleep(500 * time.Millisecond)
	if code, body := s.get("/"); code != 200 || body != "v1" {
		t.Fatalf("--no-reload reloaded anyway: %d %q", code, body)
	}
	s.cmd.Process.Signal(syscall.SIGHUP)
	s.waitBody("v2", 10*time.Second)
}

// TestReloadZeroDowntime hammers the server from several clients while ten
// reloads happen: every request must succeed.
func TestReloadZeroDowntime(t *testing.T) {
	forEachEngine(t, func(t *testing.T, flags []string) {
		dir := appDir(t)
		s := start(t, dir, append(flags, "--wsgi", "app.application", "--threads", "4")...)
		s.waitBody("v1", 5*time.Second)

		var ok, failed atomic.Int64
		var failures sync.Map
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for c := 0; c < 4; c++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					resp, err := client.Get(s.URL + "/")
					if err != nil {
						failed.Add(1)
						failures.Store(err.Error(), true)
						continue
					}
					b, err := io.ReadAll(resp.Body)
					resp.Body.Close()
					if err != nil || resp.StatusCode != 200 || !strings.HasPrefix(string(b), "v") {
						failed.Add(1)
						failures.Store(fmt.Sprintf("%d %q %v", resp.StatusCode, b, err), true)
						continue
					}
					ok.Add(1)
				}
			}()
		}
		for i := 2; i <= 11; i++ {
			v := fmt.Sprintf("v%d", i)
			write(t, filepath.Join(dir, "app.py"), versionApp(v))
			s.waitBody(v, 10*time.Second)
		}
		close(stop)
		wg.Wait()
		if failed.Load() != 0 {
			var msgs []string
			failures.Range(func(k, _ any) bool { msgs = append(msgs, k.(string)); return true })
			t.Fatalf("%d of %d requests failed during 10 reloads: %v", failed.Load(), ok.Load()+failed.Load(), msgs)
		}
		if ok.Load() < 50 {
			t.Fatalf("only %d requests made it during the reloads: the test did not hammer", ok.Load())
		}
		t.Logf("%d requests, none failed, across 10 reloads", ok.Load())
	})
}
