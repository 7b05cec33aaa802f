package main

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
