package e2e

// The process around the server, in the foreground: what is left when
// gowsgi ends, signals from supervisors, the CI helpers (check, the ready
// file, --shutdown-after) and systemd's socket activation and sd_notify.

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// listenWrapperEnv makes this test binary a stand-in for systemd: it sets
// LISTEN_PID to its own PID and LISTEN_FDS=1, then execs its arguments (the
// PID stays the same across exec, as with systemd's own fork and exec).
// The socket is fd 3, from ExtraFiles.
const listenWrapperEnv = "GOWSGI_E2E_LISTEN_WRAPPER"

func init() {
	if os.Getenv(listenWrapperEnv) != "1" {
		return
	}
	os.Unsetenv(listenWrapperEnv)
	os.Setenv("LISTEN_PID", strconv.Itoa(os.Getpid()))
	os.Setenv("LISTEN_FDS", "1")
	err := syscall.Exec(os.Args[1], os.Args[1:], os.Environ())
	fmt.Fprintf(os.Stderr, "exec %s: %v\n", os.Args[1], err)
	os.Exit(127)
}

// startForker runs gowsgi -n on forker.application with a token in its
// environment, and waits until it listens.
func startForker(t *testing.T, token string, args ...string) *server {
	t.Helper()
	all := append([]string{"-n", "web", "--listen", "tcp:0", "--python", venvPy, "--wsgi", "forker.application", "--no-reload"}, args...)
	s := waitListening(t, launchRaw(t, testApps, []string{tokenEnv + "=" + token}, all...))
	t.Cleanup(func() { killLeftovers(token, s.cmd.Process.Pid) })
	return s
}

// forkerPIDs starts one more child with /spawn and returns the worker, its
// import-time child and the spawned one, checking that the scan sees them.
func forkerPIDs(t *testing.T, s *server, token string) []int {
	t.Helper()
	var worker, child, spawned int
	_, body := s.get("/")
	fmt.Sscanf(body, "%d %d", &worker, &child)
	_, body = s.get("/spawn")
	fmt.Sscanf(body, "%d", &spawned)
	pids := []int{worker, child, spawned}
	seen := map[int]bool{}
	for _, p := range leftovers(token, s.cmd.Process.Pid) {
		seen[p.pid] = true
	}
	for _, pid := range pids {
		if pid == 0 || !seen[pid] {
			t.Fatalf("the scan of /proc does not see PID %d (worker, child, spawned: %v); it would prove nothing", pid, pids)
		}
	}
	return pids
}

// TestNoProcessOutlivesGowsgi: the workers, the reaper helper and what the
// app started (a sleep at import, one per request) are gone after a clean
// stop, after SIGKILL of gowsgi (which can do nothing itself), and after a
// forced exit.
func TestNoProcessOutlivesGowsgi(t *testing.T) {
	t.Run("clean stop", func(t *testing.T) {
		token := newToken(t)
		s := startForker(t, token)
		forkerPIDs(t, s, token)
		s.cmd.Process.Signal(syscall.SIGTERM)
		<-s.done
		if s.err != nil {
			t.Errorf("exit after SIGTERM: %v", s.err)
		}
		// gowsgi waited for its helper, which killed what was left: nothing
		// may be running by the time gowsgi has exited.
		waitNoLeftovers(t, 0, token, s.cmd.Process.Pid)
	})
	t.Run("SIGKILL", func(t *testing.T) {
		token := newToken(t)
		s := startForker(t, token)
		pids := forkerPIDs(t, s, token)
		s.cmd.Process.Kill()
		<-s.done
		waitNoLeftovers(t, 5*time.Second, token, append(pids, s.cmd.Process.Pid)...)
	})
	t.Run("forced exit", func(t *testing.T) {
		token := newToken(t)
		s := startForker(t, token, "--grace", "60s")
		forkerPIDs(t, s, token)
		go client.Get(s.URL + "/slow?s=30") // keeps the graceful stop waiting
		s.waitLog(`slow request started`, 10*time.Second)
		s.cmd.Process.Signal(syscall.SIGTERM)
		s.waitLog(`shutting down`, 5*time.Second)
		time.Sleep(1100 * time.Millisecond) // more than a second after the first: this one forces
		s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.done:
		case <-time.After(10 * time.Second):
			t.Fatal("a second SIGTERM a second later did not force the exit")
		}
		if code := exitCode(s.err); code != 130 || !strings.Contains(s.out.String(), "forced exit") {
			t.Errorf("forced exit: status %d, want 130 and \"forced exit\"", code)
		}
		waitNoLeftovers(t, 5*time.Second, token, s.cmd.Process.Pid)
	})
}

// TestTimeoutStopsCleanly: timeout(1) stops its command by sending the
// signal to it and then to its whole process group, so gowsgi gets two at
// once: that is one request to stop, and a clean stop exits 0. timeout does
// the same (one function in coreutils) when its time is up and when it is
// itself signalled, as here: the test decides when, once gowsgi serves.
// timeout then exits with gowsgi's own status.
func TestTimeoutStopsCleanly(t *testing.T) {
	if _, err := exec.LookPath("timeout"); err != nil {
		t.Skip("no timeout(1)")
	}
	token := newToken(t)
	logFile := filepath.Join(t.TempDir(), "server.log")
	cmd := exec.Command("timeout", "--preserve-status", "60", binary, "-n", "-l", logFile,
		"web", "--listen", "tcp:0", "--python", venvPy, "--wsgi", "forker.application", "--no-reload")
	cmd.Dir = testApps
	cmd.Env = append(cleanEnv(), tokenEnv+"="+token)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		killLeftovers(token)
	})
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	waitFileMatch(t, logFile, listeningRE.String(), 30*time.Second)
	cmd.Process.Signal(syscall.SIGTERM) // to timeout, which passes it on twice
	var err error
	select {
	case err = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("timeout and gowsgi still running 30s after SIGTERM")
	}
	log, _ := os.ReadFile(logFile)
	if code := exitCode(err); code != 0 {
		t.Errorf("timeout --preserve-status: status %d, want gowsgi's clean 0\n%s%s", code, out.String(), log)
	}
	if !strings.Contains(string(log), "gowsgi: stopped\n") || strings.Contains(string(log)+out.String(), "forced exit") {
		t.Errorf("the log should end with a clean stop:\n%s%s", log, out.String())
	}
	waitNoLeftovers(t, 5*time.Second, token)
}

// TestTwoSignalsAtOnceAreOneStop: a second SIGTERM within a second of the
// first (timeout's pair, above, may reach gowsgi as one: the kernel merges
// a signal still pending) does not force the exit; the request in flight
// finishes and the status is 0.
func TestTwoSignalsAtOnceAreOneStop(t *testing.T) {
	token := newToken(t)
	s := startForker(t, token)
	slow := make(chan string, 1)
	go func() {
		resp, err := client.Get(s.URL + "/slow?s=2")
		if err != nil {
			slow <- err.Error()
			return
		}
		resp.Body.Close()
		slow <- resp.Status
	}()
	s.waitLog(`slow request started`, 10*time.Second)
	t0 := time.Now()
	s.cmd.Process.Signal(syscall.SIGTERM)
	s.waitLog(`shutting down`, 5*time.Second) // the first is handled: the next is a signal of its own
	s.cmd.Process.Signal(syscall.SIGTERM)
	if since := time.Since(t0); since >= time.Second {
		t.Fatalf("the second signal went %s after the first; the test needs it within a second", since)
	}
	<-s.done
	if got := <-slow; got != "200 OK" {
		t.Errorf("the request in flight got %q", got)
	}
	if code := exitCode(s.err); code != 0 || strings.Contains(s.out.String(), "forced exit") {
		t.Errorf("two SIGTERMs at once: status %d, want a clean 0", code)
	}
}

// TestReadyFileAndShutdownAfter: the ready file holds the base URL once
// serving (replacing one left from before), and is removed when gowsgi
// stops by itself after --shutdown-after, with status 0.
func TestReadyFileAndShutdownAfter(t *testing.T) {
	ready := filepath.Join(t.TempDir(), "ready")
	if err := os.WriteFile(ready, []byte("http://stale.invalid\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	s := launch(t, testApps, nil, "--python", venvPy, "--wsgi", "pure.application", "--no-reload",
		"--ready-file", ready, "--shutdown-after", "3s")
	url := ""
	deadline := time.Now().Add(30 * time.Second)
	for url == "" {
		data, _ := os.ReadFile(ready)
		if u := strings.TrimSpace(string(data)); strings.HasPrefix(u, "http://127.0.0.1:") {
			url = u
		} else if time.Now().After(deadline) {
			t.Fatalf("ready file holds %q; output:\n%s", data, s.out)
		} else {
			time.Sleep(10 * time.Millisecond)
		}
	}
	if !strings.Contains(s.out.String(), "listening on "+url+"/") {
		t.Errorf("the ready file's %s was written before the banner announced it:\n%s", url, s.out)
	}
	resp, err := client.Get(url + "/")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s/: %v %v", url, resp, err)
	}
	resp.Body.Close()
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		t.Fatal("--shutdown-after 3s: still running after 30s")
	}
	if s.err != nil || time.Since(t0) < 3*time.Second {
		t.Errorf("--shutdown-after 3s: exit %v after %s", s.err, time.Since(t0))
	}
	s.waitLog(`--shutdown-after 3s has passed: stopping`, time.Second)
	if _, err := os.Stat(ready); !os.IsNotExist(err) {
		t.Errorf("the ready file is still there after the stop: %v", err)
	}
}

// TestCheck: gowsgi check imports the apps without listening and says so
// with its exit status: 0, 1 with the traceback, 2 for a mistake in the
// command line or config; no worker is left behind.
func TestCheck(t *testing.T) {
	// A port someone else holds: check must not even try it.
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	busyPort := strconv.Itoa(busy.Addr().(*net.TCPAddr).Port)

	brokenConf := t.TempDir()
	if err := os.Mkdir(filepath.Join(brokenConf, ".crossbar"), 0o755); err != nil {
		t.Fatal(err)
	}
	conf := fmt.Sprintf(`{"workers": [{"type": "router", "options": {"pythonpath": [%q]},
	  "transports": [{"type": "web", "endpoint": {"type": "tcp", "port": %s},
	    "paths": {"/": {"type": "wsgi", "module": "broken_import", "object": "application"}}}]}]}`, testApps, busyPort)
	if err := os.WriteFile(filepath.Join(brokenConf, ".crossbar", "config.json"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	badConf := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(badConf, []byte(`{"workers": [{"type": "router", "transprts": []}]}`), 0o644); err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct {
		name string
		dir  string
		args []string
		code int
		want string
	}{
		{"good app", testApps, []string{"check", "--python", venvPy, "--wsgi", "pure.application", "--listen", "tcp:" + busyPort}, 0, "ok: pure.application imports (CPython"},
		{"two apps on gpython", testApps, []string{"check", "--engine", "gpython", "--wsgi", "/a=pure.application", "--wsgi", "/b=pure.router"}, 0, "ok: 2 apps import: pure.application, pure.router"},
		{"broken app", testApps, []string{"check", "--python", venvPy, "--wsgi", "broken_import.application"}, 1, "NameError: name 'undefined_name_at_import' is not defined"},
		{"good config", filepath.Join(testApps, "crossbar"), []string{"check", "--python", venvPy}, 0, "ok: myapp:app imports"},
		{"config with a broken app", brokenConf, []string{"check", "--python", venvPy}, 1, "the app broken_import:application failed to import"},
		{"mistaken config", testApps, []string{"check", "--config", badConf}, 2, `workers[0].transprts: unknown key`},
		{"mistaken flag", testApps, []string{"check", "--wsgi", "pure.application", "--threads", "0"}, 2, "--threads"},
	} {
		t.Run(c.name, func(t *testing.T) {
			token := newToken(t)
			code, stdout, stderr := runCmd(t, c.dir, token, c.args...)
			if code != c.code || !strings.Contains(stderr, c.want) {
				t.Errorf("gowsgi %s: exit %d, want %d with %q\nstdout: %s\nstderr: %s", strings.Join(c.args, " "), code, c.code, c.want, stdout, stderr)
			}
			waitNoLeftovers(t, 0, token)
		})
	}
}

// TestSocketActivation: with LISTEN_PID and LISTEN_FDS as systemd sets
// them, --listen systemd:0 serves the socket passed as fd 3; the workers
// neither inherit the variables nor the socket.
func TestSocketActivation(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f, err := ln.(*net.TCPListener).File()
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	socket, err := os.Readlink(fmt.Sprintf("/proc/self/fd/%d", f.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	token := newToken(t)
	cmd := exec.Command(os.Args[0], binary, "-n", "web", "--listen", "systemd:0",
		"--python", venvPy, "--wsgi", "forker.application", "--no-reload")
	cmd.Dir = testApps
	cmd.Env = append(cleanEnv(), listenWrapperEnv+"=1", tokenEnv+"="+token)
	cmd.ExtraFiles = []*os.File{f}
	s := launchCmd(t, cmd)
	t.Cleanup(func() { killLeftovers(token, s.cmd.Process.Pid) })
	s.waitLog(`listening on http://`+addr+`/`, 30*time.Second)
	// Only gowsgi holds the socket now: an answer can only come from it.
	f.Close()
	ln.Close()
	s.URL = "http://" + addr
	if code, body := s.get("/osenv?name=LISTEN_FDS"); code != 200 || body != "-\n" {
		t.Errorf("the worker sees LISTEN_FDS: %d %q", code, body)
	}
	var worker int
	_, body := s.get("/")
	fmt.Sscanf(body, "%d", &worker)
	fds, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", worker))
	if len(fds) == 0 {
		t.Fatalf("cannot read the fds of worker %d", worker)
	}
	for _, fd := range fds {
		if target, _ := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", worker, fd.Name())); target == socket {
			t.Errorf("worker %d holds the listening socket as fd %s", worker, fd.Name())
		}
	}
	if p, _ := readProc(s.cmd.Process.Pid); !strings.HasPrefix(p.cmdline, binary) {
		t.Errorf("the wrapper did not exec gowsgi in place: %v", p)
	}
	s.stop()
	if s.err != nil {
		t.Errorf("exit: %v", s.err)
	}

	// Without the variables there is nothing to listen on: a runtime error.
	out, err := gowsgi(testApps, nil, "-n", "web", "--listen", "systemd:0", "--python", venvPy, "--wsgi", "pure.application").CombinedOutput()
	if code := exitCode(err); code != 1 || !strings.Contains(string(out), "systemd passed no sockets") {
		t.Errorf("systemd:0 without LISTEN_FDS: exit %d\n%s", code, out)
	}
}

// TestSdNotify: with NOTIFY_SOCKET set, gowsgi sends READY=1 once it
// serves and STOPPING=1 when it stops; the workers do not see the socket.
func TestSdNotify(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notify.sock")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	read := func() string {
		t.Helper()
		buf := make([]byte, 4096)
		conn.SetReadDeadline(time.Now().Add(30 * time.Second))
		n, err := conn.Read(buf)
		if err != nil {
			t.Fatalf("no notification: %v", err)
		}
		return string(buf[:n])
	}
	token := newToken(t)
	s := launchRaw(t, testApps, []string{"NOTIFY_SOCKET=" + path, tokenEnv + "=" + token},
		"-n", "web", "--listen", "tcp:0", "--python", venvPy, "--wsgi", "forker.application", "--no-reload")
	t.Cleanup(func() { killLeftovers(token, s.cmd.Process.Pid) })
	msg := read()
	if !strings.Contains(msg, "READY=1") || !strings.Contains(msg, fmt.Sprintf("MAINPID=%d", s.cmd.Process.Pid)) {
		t.Errorf("first notification %q, want READY=1 and MAINPID=%d", msg, s.cmd.Process.Pid)
	}
	// READY comes once it serves: the banner is out, and requests are answered.
	waitListening(t, s)
	if code, body := s.get("/osenv?name=NOTIFY_SOCKET"); code != 200 || body != "-\n" {
		t.Errorf("the worker sees NOTIFY_SOCKET: %d %q", code, body)
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	if msg := read(); msg != "STOPPING=1" {
		t.Errorf("notification at SIGTERM: %q, want STOPPING=1", msg)
	}
	<-s.done
	if s.err != nil {
		t.Errorf("exit: %v", s.err)
	}
	var ne net.Error
	conn.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	if _, err := conn.Read(make([]byte, 4096)); !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("one more notification after STOPPING: %v", err)
	}
}
