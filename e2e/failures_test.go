package e2e

// Broken apps, crashing and hanging workers, overload and bad requests: each
// gets a clear status, and the server keeps serving.

import (
	"errors"
	"io"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func TestWorkerCrashes(t *testing.T) {
	s := start(t, testApps, "--python", venvPy, "--wsgi", "crashy.router", "--threads", "2")
	for _, path := range []string{"/exit", "/segfault"} {
		code, body := s.get(path)
		if code != 502 || !strings.Contains(body, "worker process died") {
			t.Errorf("GET %s = %d %q, want 502", path, code, body)
		}
		if code, body := s.get("/"); code != 200 || body != "ok\n" {
			t.Fatalf("after %s: %d %q, want the replaced worker to answer", path, code, body)
		}
	}
	s.waitLog(`worker 1 \(pid \d+\) died \(exit status 3\); starting a new one`, 5*time.Second)
	s.waitLog(`died \(killed by SIGSEGV\)`, 5*time.Second)
}

func TestTimeout(t *testing.T) {
	s := start(t, testApps, "--python", venvPy, "--wsgi", "crashy.router", "--timeout", "1s")
	t0 := time.Now()
	code, body := s.get("/hang")
	if code != 504 || !strings.Contains(body, "--timeout") {
		t.Fatalf("GET /hang = %d %q, want 504", code, body)
	}
	if d := time.Since(t0); d > 10*time.Second {
		t.Errorf("the 504 came after %s", d)
	}
	if code, _ := s.get("/"); code != 200 {
		t.Fatalf("after a timeout: %d", code)
	}
	s.waitLog(`stuck past --timeout 1s: starting a replacement`, 5*time.Second)
}

func TestImportErrorExits1(t *testing.T) {
	cmd := gowsgi(testApps, nil, "-n", "web", "--listen", "tcp:0", "--python", venvPy, "--wsgi", "broken_import.application")
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("exit: %v, want status 1; output:\n%s", err, out)
	}
	for _, want := range []string{"broken_import.py", "line 5", "NameError: name 'undefined_name_at_import' is not defined"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	for _, spec := range []string{"pure.no_such_callable", "no_such_module.app"} {
		out, err := gowsgi(testApps, nil, "-n", "web", "--listen", "tcp:0", "--python", venvPy, "--wsgi", spec).CombinedOutput()
		if !errors.As(err, &ee) || ee.ExitCode() != 1 || !strings.Contains(string(out), "No such WSGI application") {
			t.Errorf("--wsgi %s: %v\n%s", spec, err, out)
		}
	}
}

func TestQueueFull503(t *testing.T) {
	s := start(t, testApps, "--python", venvPy, "--wsgi", "pure.router", "--threads", "1", "--queue-timeout", "300ms")
	done := make(chan int)
	go func() {
		code, _ := s.get("/slow?s=2")
		done <- code
	}()
	time.Sleep(500 * time.Millisecond)
	resp, body := s.do(s.request("GET", "/", nil))
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" {
		t.Errorf("with the only thread busy: %d (Retry-After %q) %q", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	if code := <-done; code != 200 {
		t.Errorf("the slow request: %d", code)
	}
	if code, _ := s.get("/"); code != 200 {
		t.Errorf("after the queue drained: %d", code)
	}
}

func TestMaxBody(t *testing.T) {
	s := start(t, testApps, "--python", venvPy, "--wsgi", "pure.router", "--max-body", "1000")
	resp, _ := s.do(s.request("POST", "/echo", strings.NewReader(strings.Repeat("x", 2000))))
	if resp.StatusCode != 413 {
		t.Errorf("2000 bytes with a length over --max-body 1000: %d", resp.StatusCode)
	}
	req := s.request("POST", "/echo", io.MultiReader(strings.NewReader(strings.Repeat("x", 900)), strings.NewReader(strings.Repeat("y", 900))))
	req.ContentLength = -1
	resp, _ = s.do(req)
	if resp.StatusCode != 413 {
		t.Errorf("1800 chunked bytes over --max-body 1000: %d", resp.StatusCode)
	}
	resp, body := s.do(s.request("POST", "/echo", strings.NewReader("small")))
	if resp.StatusCode != 200 || string(body) != "small" {
		t.Errorf("a small body: %d %q", resp.StatusCode, body)
	}
}
