package e2e

// The faults of issue #11: what another local user, a lingering app thread,
// a runaway request, a hung import or a slow client could do, and does not.

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
