package e2e

// Real frameworks from Debian (Flask, Django) and Python's own WSGI
// validator, through real HTTP on the CPython engine.

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestValidatorFindsNothing(t *testing.T) {
	s := start(t, testApps, "--python", venvPy, "--wsgi", "validated.application")
	for _, path := range []string{"/", "/environ?x=1", "/stream?n=3", "/writer", "/empty", "/download?size=200000", "/nowhere"} {
		resp, body := s.do(s.request("GET", path, nil))
		if resp.StatusCode >= 500 {
			t.Errorf("GET %s = %d: %s", path, resp.StatusCode, body)
		}
	}
	resp, body := s.do(s.request("POST", "/echo", strings.NewReader("validated body")))
	if resp.StatusCode != 200 || string(body) != "validated body" {
		t.Errorf("POST /echo = %d %q", resp.StatusCode, body)
	}
	req := s.request("POST", "/echo", strings.NewReader("chunked and validated"))
	req.ContentLength = -1
	if resp, body := s.do(req); resp.StatusCode != 200 || string(body) != "chunked and validated" {
		t.Errorf("chunked POST /echo = %d %q", resp.StatusCode, body)
	}
	if resp, _ := s.do(s.request("HEAD", "/", nil)); resp.StatusCode != 200 {
		t.Errorf("HEAD / = %d", resp.StatusCode)
	}
	s.get("/") // the last line of the log is this request's
	s.waitLog(`GET\s+/\s+200`, 5*time.Second)
	out := s.out.String()
	for _, bad := range []string{"WSGIWarning", "AssertionError", "Traceback", "garbage collected without being closed"} {
		if strings.Contains(out, bad) {
			t.Errorf("wsgiref.validate complained (%s):\n%s", bad, out)
		}
	}
}

func TestFlaskCrossbarExample(t *testing.T) {
	s := start(t, filepath.Join(testApps, "flaskapp"), "--python", venvPy, "--wsgi", "myapp.app")
	code, body := s.get("/")
	if code != 200 || !strings.Contains(body, "<h1>Hello from Crossbar.io</h1>") {
		t.Fatalf("GET / = %d %q", code, body)
	}
	if code, _ := s.get("/missing"); code != 404 {
		t.Fatalf("GET /missing = %d, want Flask's 404", code)
	}
}

// TestVirtualenvDetection: with no --python, $VIRTUAL_ENV and then ./.venv
// are used, and the banner says which.
func TestVirtualenvDetection(t *testing.T) {
	s := startEnv(t, filepath.Join(testApps, "flaskapp"), []string{"VIRTUAL_ENV=" + venv}, "--wsgi", "myapp.app")
	s.waitLog(`from \$VIRTUAL_ENV`, 5*time.Second)
	if code, body := s.get("/"); code != 200 || !strings.Contains(body, "Hello from Crossbar.io") {
		t.Fatalf("with $VIRTUAL_ENV: %d %q", code, body)
	}

	dir := t.TempDir()
	copyFile(t, filepath.Join(testApps, "flaskapp", "myapp.py"), filepath.Join(dir, "myapp.py"))
	os.Mkdir(filepath.Join(dir, "templates"), 0o755)
	copyFile(t, filepath.Join(testApps, "flaskapp", "templates", "index.html"), filepath.Join(dir, "templates", "index.html"))
	if err := os.Symlink(venv, filepath.Join(dir, ".venv")); err != nil {
		t.Fatal(err)
	}
	s = start(t, dir, "--wsgi", "myapp.app", "--no-reload")
	s.waitLog(`from \./\.venv`, 5*time.Second)
	if code, body := s.get("/"); code != 200 || !strings.Contains(body, "Hello from Crossbar.io") {
		t.Fatalf("with ./.venv: %d %q", code, body)
	}
}

func TestDjango(t *testing.T) {
	s := start(t, filepath.Join(testApps, "djangoproj"), "--python", venvPy, "--wsgi", "mysite.wsgi.application", "--workers", "2", "--threads", "4")
	code, body := s.get("/")
	if code != 200 || !strings.Contains(body, "<h1>Hello from Django</h1>") {
		t.Fatalf("GET / = %d %q", code, body)
	}
	req := s.request("POST", "/echo/?q=1", strings.NewReader("posted"))
	req.Header.Set("Content-Type", "text/plain")
	resp, b := s.do(req)
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"body": "posted"`) || !strings.Contains(string(b), `"q": "1"`) {
		t.Fatalf("POST /echo/ = %d %s", resp.StatusCode, b)
	}
	if resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("Content-Type %q", resp.Header.Get("Content-Type"))
	}
	// Django redirects /echo to /echo/ (CommonMiddleware's APPEND_SLASH).
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	r2, err := noRedirect.Get(s.URL + "/echo")
	if err != nil {
		t.Fatal(err)
	}
	r2.Body.Close()
	if r2.StatusCode != 301 || r2.Header.Get("Location") != "/echo/" {
		t.Errorf("GET /echo = %d Location %q", r2.StatusCode, r2.Header.Get("Location"))
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestMoreFrameworks: Bottle, Pyramid and Falcon from Debian, unmodified.
func TestMoreFrameworks(t *testing.T) {
	for _, fw := range []struct{ app, hello string }{
		{"bottleapp.app", "Hello from Bottle"},
		{"pyramidapp.app", "Hello from Pyramid"},
		{"falconapp.app", "Hello from Falcon"},
	} {
		t.Run(fw.app, func(t *testing.T) {
			t.Parallel()
			s := start(t, filepath.Join(testApps, "frameworks"), "--python", venvPy, "--wsgi", fw.app)
			if code, body := s.get("/"); code != 200 || body != fw.hello {
				t.Fatalf("GET / = %d %q", code, body)
			}
			payload := strings.Repeat("posted ", 20000)
			resp, b := s.do(s.request("POST", "/echo", strings.NewReader(payload)))
			if resp.StatusCode != 200 || string(b) != payload {
				t.Fatalf("POST /echo = %d, %d bytes", resp.StatusCode, len(b))
			}
			if code, _ := s.get("/missing"); code != 404 {
				t.Fatalf("GET /missing = %d", code)
			}
		})
	}
}
