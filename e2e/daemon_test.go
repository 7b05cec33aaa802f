package e2e

// Daemon mode end to end: the real binary without -n, its pidfile, its log,
// the signals it answers, and gowsgi stop and status.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// runCmd runs gowsgi with args in dir (token in its environment) and returns
// its exit status and output. A gowsgi still running after a minute is
// killed by PID.
func runCmd(t *testing.T, dir, token string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Dir = dir
	cmd.Env = append(cleanEnv(), tokenEnv+"="+token)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("gowsgi %s did not return within a minute\n%s%s", strings.Join(args, " "), out.String(), errb.String())
	}
	return exitCode(err), out.String(), errb.String()
}

// daemonDir is a run directory holding the test apps a daemon serves.
func daemonDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"forker.py", "broken_import.py"} {
		data, err := os.ReadFile(filepath.Join(testApps, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// daemon is a gowsgi running in the background.
type daemon struct {
	t     *testing.T
	dir   string
	token string
	pid   int
	URL   string
}

var backgroundRE = regexp.MustCompile(`running in the background as PID (\d+)`)

// startDaemon starts `gowsgi -d DIR web --listen tcp:0 --python VENV
// --wsgi forker.application ARGS...` without -n, checks that the parent
// exited 0 once the daemon served, and stops the daemon (and anything it
// left) by PID when the test ends.
func startDaemon(t *testing.T, dir string, args ...string) *daemon {
	t.Helper()
	d := &daemon{t: t, dir: dir, token: newToken(t)}
	t.Cleanup(func() {
		if d.pid != 0 && running(d.pid) {
			syscall.Kill(d.pid, syscall.SIGTERM)
			if !waitGone(d.pid, 15*time.Second) {
				syscall.Kill(d.pid, syscall.SIGKILL)
			}
		}
		killLeftovers(d.token)
		log, _ := os.ReadFile(filepath.Join(dir, "gowsgi.log"))
		if bytes.Contains(log, []byte("WARNING: DATA RACE")) {
			t.Errorf("the race detector found a data race in the daemon (built with GOFLAGS=-race)")
		}
		if t.Failed() {
			t.Logf("gowsgi.log:\n%s", log)
		}
	})
	all := append([]string{"-d", dir, "web", "--listen", "tcp:0", "--python", venvPy, "--wsgi", "forker.application", "--ready-file", "ready"}, args...)
	code, stdout, stderr := runCmd(t, testApps, d.token, all...)
	if m := backgroundRE.FindStringSubmatch(stdout); m != nil {
		d.pid, _ = strconv.Atoi(m[1])
	}
	if code != 0 || d.pid == 0 {
		t.Fatalf("gowsgi without -n: exit %d, want 0 and the PID on stdout\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	// The parent has shown what the daemon logged while it started.
	if !strings.Contains(stderr, "serving forker.application") || !listeningRE.MatchString(stderr) {
		t.Errorf("the parent did not show the start-up banner:\n%s", stderr)
	}
	ready, err := os.ReadFile(filepath.Join(dir, "ready"))
	if err != nil {
		t.Fatalf("no ready file once the parent returned: %v", err)
	}
	d.URL = strings.TrimSpace(string(ready))
	return d
}

func (d *daemon) get(path string) (int, string) {
	d.t.Helper()
	resp, err := client.Get(d.URL + path)
	if err != nil {
		d.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// pids asks the app for its worker's PID and the child it started at import.
func (d *daemon) pids() (worker, child int) {
	d.t.Helper()
	code, body := d.get("/")
	if _, err := fmt.Sscanf(body, "%d %d", &worker, &child); code != 200 || err != nil {
		d.t.Fatalf("GET /: %d %q", code, body)
	}
	return worker, child
}

// waitLog waits until the file at path matches pattern, and returns the match.
func waitFileMatch(t *testing.T, path, pattern string, timeout time.Duration) []string {
	t.Helper()
	re := regexp.MustCompile(pattern)
	deadline := time.Now().Add(timeout)
	for {
		data, _ := os.ReadFile(path)
		if m := re.FindStringSubmatch(string(data)); m != nil {
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s does not match %q within %s:\n%s", path, pattern, timeout, data)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestDaemonStartStatusStop: without -n, gowsgi returns once the daemon
// serves; the daemon is detached (its own session, stdin /dev/null, not our
// child), has written its pidfile, log and ready file, refuses a second
// start, and `gowsgi stop` lets a slow request finish, then nothing of it
// is left running.
func TestDaemonStartStatusStop(t *testing.T) {
	dir := daemonDir(t)
	d := startDaemon(t, dir)

	pidText, err := os.ReadFile(filepath.Join(dir, "gowsgi.pid"))
	if err != nil || strings.TrimSpace(string(pidText)) != strconv.Itoa(d.pid) {
		t.Fatalf("gowsgi.pid: %q, %v; want %d", pidText, err, d.pid)
	}
	if p, _ := readProc(d.pid); p.sid != d.pid || p.ppid == os.Getpid() {
		t.Errorf("the daemon is in session %d (want its own, %d), its parent is %d (not the test, %d)", p.sid, d.pid, p.ppid, os.Getpid())
	}
	if stdin, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/0", d.pid)); err != nil || stdin != "/dev/null" {
		t.Errorf("the daemon's stdin is %q (%v), want /dev/null", stdin, err)
	}
	if stdout, _ := os.Readlink(fmt.Sprintf("/proc/%d/fd/1", d.pid)); stdout != filepath.Join(dir, "gowsgi.log") {
		t.Errorf("the daemon's stdout is %q, want its log", stdout)
	}
	// --umask defaults to 0077 for a daemon: its files are its own.
	for _, name := range []string{"gowsgi.log", "gowsgi.pid"} {
		if info, err := os.Stat(filepath.Join(dir, name)); err != nil || info.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, mode %v; want 0600", name, err, info.Mode().Perm())
		}
	}
	worker, child := d.pids()
	if !running(worker) || !running(child) {
		t.Fatalf("worker %d or its child %d is not running", worker, child)
	}
	waitFileMatch(t, filepath.Join(dir, "gowsgi.log"), `GET  /  200`, 5*time.Second)

	code, stdout, _ := runCmd(t, dir, d.token, "status")
	if code != 0 || !strings.Contains(stdout, fmt.Sprintf("running, PID %d", d.pid)) {
		t.Errorf("gowsgi status: exit %d, %q; want 0, running", code, stdout)
	}

	// A second start in the same directory is refused, by the parent, with 1.
	code, stdout, stderr := runCmd(t, testApps, d.token, "-d", dir, "web", "--listen", "tcp:0", "--python", venvPy, "--wsgi", "forker.application")
	if want := fmt.Sprintf("another gowsgi is running, PID %d", d.pid); code != 1 || !strings.Contains(stderr, want) {
		t.Errorf("second start: exit %d, want 1 with %q\nstdout: %s\nstderr: %s", code, want, stdout, stderr)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "gowsgi.pid")); string(got) != string(pidText) {
		t.Errorf("the refused start changed the pidfile: %q", got)
	}

	// gowsgi stop with a slow request in flight: it is answered, then the
	// daemon exits and stop returns 0.
	slow := make(chan string, 1)
	go func() {
		resp, err := client.Get(d.URL + "/slow?s=2")
		if err != nil {
			slow <- err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		slow <- fmt.Sprintf("%d %s", resp.StatusCode, b)
	}()
	waitFileMatch(t, filepath.Join(dir, "gowsgi.log"), `slow request started`, 10*time.Second)
	t0 := time.Now()
	code, _, stderr = runCmd(t, dir, d.token, "stop")
	if code != 0 || !strings.Contains(stderr, fmt.Sprintf("stopped PID %d", d.pid)) {
		t.Errorf("gowsgi stop: exit %d, %q", code, stderr)
	}
	if got := <-slow; got != "200 slept\n" {
		t.Errorf("the request in flight at stop got %q", got)
	}
	if time.Since(t0) < time.Second {
		t.Errorf("gowsgi stop returned after %s, before the 2s request could finish", time.Since(t0))
	}
	if running(d.pid) {
		t.Errorf("gowsgi stop returned while PID %d still runs", d.pid)
	}
	for _, name := range []string{"gowsgi.pid", "ready"} {
		if _, err := os.Stat(filepath.Join(dir, name)); !os.IsNotExist(err) {
			t.Errorf("%s is still there after a clean stop: %v", name, err)
		}
	}
	waitFileMatch(t, filepath.Join(dir, "gowsgi.log"), `gowsgi: stopped\n`, time.Second)
	waitNoLeftovers(t, 5*time.Second, d.token)

	code, stdout, _ = runCmd(t, dir, d.token, "status")
	if code != 3 || !strings.Contains(stdout, "not running") {
		t.Errorf("gowsgi status after stop: exit %d, %q; want 3", code, stdout)
	}
	code, _, stderr = runCmd(t, dir, d.token, "stop")
	if code != 0 || !strings.Contains(stderr, "not running") {
		t.Errorf("gowsgi stop when stopped: exit %d, %q; want 0, not running", code, stderr)
	}
}

// TestDaemonSignals: SIGHUP reloads (a new worker, the old one's child
// gone), SIGUSR1 reopens the log after logrotate renamed it, SIGTERM stops.
func TestDaemonSignals(t *testing.T) {
	dir := daemonDir(t)
	d := startDaemon(t, dir, "--no-reload") // only the signal reloads
	logPath := filepath.Join(dir, "gowsgi.log")

	worker, child := d.pids()
	syscall.Kill(d.pid, syscall.SIGHUP)
	waitFileMatch(t, logPath, `reloaded \(SIGHUP\)`, 30*time.Second)
	worker2, child2 := d.pids()
	if worker2 == worker || child2 == child {
		t.Errorf("after SIGHUP the same worker serves: %d (child %d)", worker2, child2)
	}
	// The old worker finishes and exits; what its app started goes with it.
	if !waitGone(worker, 10*time.Second) || !waitGone(child, 5*time.Second) {
		t.Errorf("after the reload, the old worker %d (running %v) or its child %d (running %v) is still running", worker, running(worker), child, running(child))
	}
	if !running(child2) {
		t.Errorf("the new worker's child %d is not running", child2)
	}

	// logrotate: rename, SIGUSR1, and new lines land in a new file of the old name.
	d.get("/?before-rotation")
	waitFileMatch(t, logPath, `/\?before-rotation`, 5*time.Second)
	if err := os.Rename(logPath, logPath+".1"); err != nil {
		t.Fatal(err)
	}
	d.get("/?between") // still written to the renamed file
	waitFileMatch(t, logPath+".1", `/\?between`, 5*time.Second)
	syscall.Kill(d.pid, syscall.SIGUSR1)
	waitFileMatch(t, logPath, `reopened the log files \(SIGUSR1\)`, 5*time.Second)
	d.get("/?after-rotation")
	waitFileMatch(t, logPath, `/\?after-rotation`, 5*time.Second)
	if old, _ := os.ReadFile(logPath + ".1"); bytes.Contains(old, []byte("after-rotation")) || bytes.Contains(old, []byte("reopened")) {
		t.Errorf("lines after SIGUSR1 went to the renamed file:\n%s", old)
	}
	// Stray output on the daemon's stdout and stderr follows too.
	if stdout, _ := os.Readlink(fmt.Sprintf("/proc/%d/fd/2", d.pid)); stdout != logPath {
		t.Errorf("after SIGUSR1 the daemon's stderr is %q, want %s", stdout, logPath)
	}

	syscall.Kill(d.pid, syscall.SIGTERM)
	if !waitGone(d.pid, 15*time.Second) {
		t.Fatalf("the daemon did not exit after SIGTERM")
	}
	waitFileMatch(t, logPath, `gowsgi: stopped\n`, time.Second)
	if data, _ := os.ReadFile(logPath); bytes.Contains(data, []byte("forced exit")) {
		t.Errorf("one SIGTERM forced the exit:\n%s", data)
	}
	waitNoLeftovers(t, 5*time.Second, d.token)
}

// TestDaemonStalePidfile: a pidfile whose process has exited, or whose PID
// is now another program's, is replaced.
func TestDaemonStalePidfile(t *testing.T) {
	exited := exec.Command("true")
	if err := exited.Run(); err != nil {
		t.Fatal(err)
	}
	other := exec.Command("sleep", "60")
	if err := other.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Process.Kill(); other.Wait() })

	for name, stale := range map[string]int{"exited": exited.Process.Pid, "not gowsgi": other.Process.Pid} {
		t.Run(name, func(t *testing.T) {
			dir := daemonDir(t)
			if err := os.WriteFile(filepath.Join(dir, "gowsgi.pid"), []byte(strconv.Itoa(stale)+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			d := startDaemon(t, dir)
			if got, _ := os.ReadFile(filepath.Join(dir, "gowsgi.pid")); strings.TrimSpace(string(got)) != strconv.Itoa(d.pid) {
				t.Errorf("pidfile holds %q, want the new daemon's %d", got, d.pid)
			}
			if code, _ := d.get("/"); code != 200 {
				t.Errorf("GET /: %d", code)
			}
		})
	}
	if !running(other.Process.Pid) {
		t.Error("the process a stale pidfile named was signalled")
	}
}

// TestDaemonStartFailure: an app that does not import makes the parent
// print the traceback and where the log is, and exit 1; nothing is left.
func TestDaemonStartFailure(t *testing.T) {
	dir := daemonDir(t)
	token := newToken(t)
	t.Cleanup(func() { killLeftovers(token) })
	code, stdout, stderr := runCmd(t, testApps, token, "-d", dir, "web", "--listen", "tcp:0", "--python", venvPy, "--wsgi", "broken_import.application")
	if code != 1 {
		t.Errorf("exit %d, want 1\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	for _, want := range []string{"NameError: name 'undefined_name_at_import' is not defined", "the daemon did not start; its log is " + filepath.Join(dir, "gowsgi.log")} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if log, _ := os.ReadFile(filepath.Join(dir, "gowsgi.log")); !bytes.Contains(log, []byte("NameError")) {
		t.Errorf("the log lacks the traceback:\n%s", log)
	}
	if _, err := os.Stat(filepath.Join(dir, "gowsgi.pid")); !os.IsNotExist(err) {
		t.Errorf("a pidfile after a failed start: %v", err)
	}
	waitNoLeftovers(t, 5*time.Second, token)

	// Usage errors are the parent's own: 2, before any daemon starts.
	code, _, stderr = runCmd(t, testApps, token, "-d", dir, "-l", "-", "web", "--wsgi", "forker.application")
	if code != 2 || !strings.Contains(stderr, "a daemon cannot log to stdout") {
		t.Errorf("-l - without -n: exit %d, %q", code, stderr)
	}
	code, _, stderr = runCmd(t, testApps, token, "-d", dir, "web", "--wsgi", "forker.application", "--threads", "0")
	if code != 2 || !strings.Contains(stderr, "--threads") {
		t.Errorf("--threads 0 without -n: exit %d, %q", code, stderr)
	}
}
