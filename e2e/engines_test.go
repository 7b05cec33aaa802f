package e2e

import (
	"strings"
	"testing"
	"time"
)

// TestAutoPicksGpythonWithoutPython: on a PATH with no python3, --engine
// auto serves the app on the embedded gpython engine, and says so.
func TestAutoPicksGpythonWithoutPython(t *testing.T) {
	s := startEnv(t, testApps, []string{"PATH=" + t.TempDir()}, "--wsgi", "routed.app.application")
	s.waitLog(`engine\s+gpython`, 5*time.Second)
	code, body := s.get("/greet?name=nopython")
	if code != 200 || !strings.Contains(body, "Hello, nopython!") {
		t.Fatalf("GET /greet = %d %q", code, body)
	}
}

// TestEngineCpythonWithoutPython: asking for cpython where there is none is
// a usage error that says what was tried.
func TestEngineCpythonWithoutPython(t *testing.T) {
	out, err := gowsgi(testApps, []string{"PATH=" + t.TempDir()}, "-n", "web", "--engine", "cpython", "--wsgi", "pure.application").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "python3") {
		t.Fatalf("--engine cpython with no python: %v\n%s", err, out)
	}
}

// TestGpythonCrashCases: what kills a naive gpython embedding (runaway
// recursion, a self-referencing repr, a huge allocation, a loop with no
// calls) gets a clear status, and the server keeps serving.
func TestGpythonCrashCases(t *testing.T) {
	s := start(t, testApps, "--engine", "gpython", "--wsgi", "gpycrashy.application", "--timeout", "1s")
	for _, c := range []struct {
		path string
		code int
	}{
		{"/recurse", 500},
		{"/selfref", 500},
		{"/huge-list", 500},
		{"/spin", 504},
	} {
		if code, body := s.get(c.path); code != c.code {
			t.Errorf("GET %s = %d, want %d: %.200q", c.path, code, c.code, body)
		}
		if code, body := s.get("/"); code != 200 || body != "ok\n" {
			t.Fatalf("after %s: %d %q", c.path, code, body)
		}
	}
	s.waitLog(`RecursionError|maximum recursion depth`, 5*time.Second)
	s.waitLog(`stuck past --timeout 1s: starting a replacement`, 5*time.Second)
}
