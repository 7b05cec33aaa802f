package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestUsageErrorsExit2: the real binary says one clear line and exits 2.
func TestUsageErrorsExit2(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-l", "-", "web", "--wsgi", "pure.application"}, "a daemon cannot log to stdout"},
		{[]string{"-n", "web", "--wsgi", "pure.application", "--threads", "0"}, "--threads"},
		{[]string{"-n", "web", "--wsgi", "pure.application", "--no-such-flag"}, "--no-such-flag"},
		{[]string{"-n", "web", "--wsgi", "pure.application", "--listen", "tcp:99999"}, "99999"},
	} {
		out, err := gowsgi(testApps, nil, c.args...).CombinedOutput()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 2 {
			t.Errorf("gowsgi %s: %v, want exit status 2\n%s", strings.Join(c.args, " "), err, out)
			continue
		}
		if !strings.Contains(string(out), c.want) {
			t.Errorf("gowsgi %s: output does not mention %q:\n%s", strings.Join(c.args, " "), c.want, out)
		}
	}
}

// TestGracefulShutdown: SIGTERM lets a request in flight finish, then exits 0.
func TestGracefulShutdown(t *testing.T) {
	s := start(t, testApps, "--python", venvPy, "--wsgi", "pure.router")
	got := make(chan string, 1)
	go func() {
		resp, err := client.Get(s.URL + "/slow?s=1")
		if err != nil {
			got <- err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got <- fmt.Sprintf("%d %s", resp.StatusCode, b)
	}()
	time.Sleep(300 * time.Millisecond)
	s.cmd.Process.Signal(syscall.SIGTERM)
	if r := <-got; r != "200 slept\n" {
		t.Errorf("the request in flight at SIGTERM got %q", r)
	}
	select {
	case <-s.done:
	case <-time.After(15 * time.Second):
		t.Fatal("gowsgi did not exit after SIGTERM")
	}
	if s.err != nil {
		t.Errorf("exit after SIGTERM: %v, want status 0", s.err)
	}
	s.waitLog(`shutting down`, time.Second)
}

func TestUnixSocketAndAddHeader(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "app.sock")
	s := launch(t, testApps, nil, "--listen", "unix:"+sock+":mode=0660", "--python", venvPy, "--wsgi", "pure.router",
		"--add-header", "X-Served-By: gowsgi-test")
	s.waitLog(`listening on unix:`, 30*time.Second)
	fi, err := os.Stat(sock)
	if err != nil || fi.Mode().Perm() != 0o660 {
		t.Fatalf("socket file: %v, mode %v", err, fi.Mode())
	}
	uc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", sock)
	}}}
	resp, err := uc.Get("http://localhost/environ")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var env map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || env["SERVER_NAME"] != "localhost" || env["PATH_INFO"] != "/environ" {
		t.Errorf("over a unix socket: %d %v", resp.StatusCode, env)
	}
	if got := resp.Header.Get("X-Served-By"); got != "gowsgi-test" {
		t.Errorf("--add-header: X-Served-By = %q", got)
	}
}

func TestAccessLogFormats(t *testing.T) {
	s := start(t, testApps, "--python", venvPy, "--wsgi", "pure.router", "--access-log", "combined")
	req := s.request("GET", "/?q=1", nil)
	req.Header.Set("User-Agent", "fmt-test")
	s.do(req)
	s.waitLog(`127\.0\.0\.1 - - \[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d [-+]\d{4}\] "GET /\?q=1 HTTP/1\.1" 200 14 "-" "fmt-test"`, 5*time.Second)

	logFile := filepath.Join(t.TempDir(), "access.log")
	s = start(t, testApps, "--python", venvPy, "--wsgi", "pure.router", "--access-log", "json", "-l", logFile)
	s.get("/error-before")
	var entry map[string]any
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		b, _ := os.ReadFile(logFile)
		if lines := strings.Split(strings.TrimSpace(string(b)), "\n"); len(lines) > 0 && lines[0] != "" {
			if err := json.Unmarshal([]byte(lines[0]), &entry); err != nil {
				t.Fatalf("not JSON: %q: %v", lines[0], err)
			}
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if entry["status"] != 500.0 || entry["uri"] != "/error-before" || !strings.Contains(fmt.Sprint(entry["traceback"]), "boom before") {
		t.Errorf("json access line: %v", entry)
	}
	if strings.Contains(s.out.String(), `"uri"`) {
		t.Errorf("with web -l FILE, access lines must go to the file only:\n%s", s.out)
	}
	s.waitLog(`ValueError: boom before start_response`, 5*time.Second) // the traceback stays in the server log
}
