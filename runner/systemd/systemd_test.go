package systemd

import (
	"fmt"
	"io"
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

// helperEnv makes the test binary a socket-activated service: it sets
// LISTEN_PID to its own PID, as systemd does between fork and exec, takes fd
// 3 and answers one connection on it with what it found.
const helperEnv = "GOWSGI_SYSTEMD_TEST_HELPER"

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "1" {
		os.Exit(serveOne())
	}
	os.Exit(m.Run())
}

func serveOne() int {
	os.Setenv("LISTEN_PID", strconv.Itoa(os.Getpid()))
	os.Setenv("LISTEN_FDS", "1")
	Take()
	var report []string
	for _, k := range []string{"LISTEN_PID", "LISTEN_FDS", "NOTIFY_SOCKET"} {
		if v, ok := os.LookupEnv(k); ok {
			report = append(report, k+" still set to "+v)
		}
	}
	if flags, err := fcntl(firstFD, syscall.F_GETFD); err != nil || flags&syscall.FD_CLOEXEC == 0 {
		report = append(report, fmt.Sprintf("fd 3 is not close-on-exec (%d, %v)", flags, err))
	}
	l, err := Listener(0)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if _, err := Listener(0); err == nil || !strings.Contains(err.Error(), "already in use") {
		report = append(report, fmt.Sprintf("a second Listener(0): %v", err))
	}
	if _, err := Listener(1); err == nil || !strings.Contains(err.Error(), "passed 1 socket(s)") {
		report = append(report, fmt.Sprintf("Listener(1): %v", err))
	}
	c, err := l.Accept()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer c.Close()
	if len(report) == 0 {
		report = []string{"ok"}
	}
	fmt.Fprintf(c, "PID %d: %s\n", os.Getpid(), strings.Join(report, "; "))
	return 0
}

func fcntl(fd, cmd int) (int, error) {
	r, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), uintptr(cmd), 0)
	if errno != 0 {
		return 0, errno
	}
	return int(r), nil
}

// TestListenerOnAPassedSocket: a process given a listening socket as fd 3,
// with LISTEN_PID and LISTEN_FDS, serves it; the variables are gone from its
// environment and the fd is close-on-exec.
func TestListenerOnAPassedSocket(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f, err := ln.(*net.TCPListener).File()
	if err != nil {
		t.Fatal(err)
	}
	ln.Close() // f is a copy of the socket: it keeps listening, for the helper
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), helperEnv+"=1", "NOTIFY_SOCKET=/nonexistent")
	cmd.ExtraFiles = []*os.File{f}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	conn, err := net.DialTimeout("tcp", ln.Addr().String(), 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	got, _ := io.ReadAll(conn)
	if want := fmt.Sprintf("PID %d: ok\n", cmd.Process.Pid); string(got) != want {
		t.Errorf("the helper said %q, want %q; stderr: %s", got, want, stderr.String())
	}
}

func TestParseEnv(t *testing.T) {
	const pid = 4242
	for _, c := range []struct {
		env     map[string]string
		notify  string
		sockets int
		err     string
	}{
		{env: map[string]string{}},
		{env: map[string]string{"NOTIFY_SOCKET": "@sd"}, notify: "@sd"},
		{env: map[string]string{"LISTEN_PID": "4242", "LISTEN_FDS": "2"}, sockets: 2},
		{env: map[string]string{"LISTEN_PID": "99", "LISTEN_FDS": "1"}, err: `LISTEN_PID is "99", not this process (4242)`},
		{env: map[string]string{"LISTEN_FDS": "1"}, err: `LISTEN_PID is ""`},
		{env: map[string]string{"LISTEN_PID": "4242", "LISTEN_FDS": "x"}, err: `LISTEN_FDS is "x"`},
		{env: map[string]string{"LISTEN_PID": "4242"}}, // no LISTEN_FDS: nothing passed
	} {
		notify, n, err := parseEnv(func(k string) string { return c.env[k] }, pid)
		if notify != c.notify || n != c.sockets || (err == nil) != (c.err == "") || (err != nil && !strings.Contains(err.Error(), c.err)) {
			t.Errorf("%v: got %q, %d, %v; want %q, %d, %q", c.env, notify, n, err, c.notify, c.sockets, c.err)
		}
	}
}

// TestNotify: a datagram on the socket NOTIFY_SOCKET names, a path or an
// abstract name; nothing, and no error, without one.
func TestNotify(t *testing.T) {
	Take()
	defer func(saved string) { notifySocket = saved }(notifySocket)

	notifySocket = ""
	if err := Notify("READY=1"); err != nil {
		t.Errorf("without NOTIFY_SOCKET: %v", err)
	}
	for _, name := range []string{filepath.Join(t.TempDir(), "notify"), fmt.Sprintf("@gowsgi-test-%d", os.Getpid())} {
		conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: name, Net: "unixgram"})
		if err != nil {
			t.Fatal(err)
		}
		notifySocket = name
		if err := Notify("READY=1\nSTATUS=serving"); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		buf := make([]byte, 100)
		conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, err := conn.Read(buf)
		if err != nil || string(buf[:n]) != "READY=1\nSTATUS=serving" {
			t.Errorf("%s: received %q, %v", name, buf[:n], err)
		}
		conn.Close()
	}
	notifySocket = filepath.Join(t.TempDir(), "nobody-listens")
	if err := Notify("READY=1"); err == nil {
		t.Error("a socket nobody listens on: no error")
	}
}
