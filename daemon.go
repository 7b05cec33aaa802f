package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// A Go program cannot fork, so a daemon is gowsgi started again: detached,
// in a session of its own, stdin from /dev/null, with the same command line.
// The parent stays until the daemon serves or fails (twistd's status pipe):
// meanwhile the daemon's stdout and stderr, and a copy of its server log,
// come to the parent's stderr; then the daemon says READY on its status pipe
// (or exits), and the parent exits 0 (or with the daemon's status).

// daemonEnv, in the daemon's environment, is the fd of its status pipe.
const daemonEnv = "GOWSGI_DAEMON_STATUS_FD"

// daemonize starts the daemon and reports how its start went: the exit
// status of the parent.
func daemonize(inv *invocation, args []string) int {
	exe, err := os.Executable()
	if err != nil {
		return report(fmt.Errorf("cannot find the gowsgi executable to start the daemon: %v", err))
	}
	statusR, statusW, err := os.Pipe()
	if err != nil {
		return report(err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		return report(err)
	}
	logfile := inv.global.Logfile
	if !filepath.IsAbs(logfile) {
		logfile = filepath.Join(inv.global.Rundir, logfile)
	}
	if abs, err := filepath.Abs(logfile); err == nil {
		logfile = abs
	}
	logSize := fileSize(logfile)

	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), daemonEnv+"=3")
	cmd.Stdout, cmd.Stderr = outW, outW // stdin: /dev/null
	cmd.ExtraFiles = []*os.File{statusW}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	err = cmd.Start()
	statusW.Close()
	outW.Close()
	if err != nil {
		return report(fmt.Errorf("cannot start the daemon: %v", err))
	}
	copied := make(chan struct{})
	go func() {
		io.Copy(os.Stderr, outR)
		close(copied)
	}()
	status, _ := io.ReadAll(statusR) // until it is ready, or gone
	pid, ready := parseReady(status)
	if ready {
		// Its stdout and stderr point at the log now; something it started
		// may still hold our pipe: do not wait for that.
		select {
		case <-copied:
		case <-time.After(time.Second):
		}
		fmt.Printf("gowsgi: running in the background as PID %d; its log is %s\n", pid, logfile)
		return 0
	}
	werr := cmd.Wait()
	select {
	case <-copied:
	case <-time.After(time.Second):
	}
	code := 1
	var ee *exec.ExitError
	if errors.As(werr, &ee) && ee.ExitCode() > 0 {
		code = ee.ExitCode()
	}
	if code == 1 {
		note := ""
		if ee != nil && ee.ExitCode() < 0 {
			note = " (" + ee.String() + ")"
		}
		if fileSize(logfile) > logSize { // it got as far as logging
			note += "; its log is " + logfile
		}
		fmt.Fprintf(os.Stderr, "gowsgi: the daemon did not start%s\n", note)
	}
	return code
}

// parseReady reads the daemon's "READY PID" line.
func parseReady(status []byte) (int, bool) {
	word, rest, _ := strings.Cut(strings.TrimSpace(string(status)), " ")
	pid, err := strconv.Atoi(rest)
	return pid, word == "READY" && err == nil && pid > 0
}

// daemonChild is the daemon's end of the status pipe.
type daemonChild struct {
	status *os.File
}

// startDaemonChild returns the status pipe when this process is a daemon
// its parent started, and nil otherwise.
func startDaemonChild() *daemonChild {
	v := os.Getenv(daemonEnv)
	if v == "" {
		return nil
	}
	os.Unsetenv(daemonEnv) // not for the workers, nor what the app starts
	fd, err := strconv.Atoi(v)
	if err != nil || fd < 3 {
		return nil
	}
	syscall.CloseOnExec(fd)
	// Until it serves, stdout and stderr are the parent's pipe; should the
	// parent be gone (Ctrl+C), a write there must fail, not kill the daemon.
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
	return &daemonChild{status: os.NewFile(uintptr(fd), "gowsgi-status")}
}

// ready stops echoing the log to the parent, points stdout and stderr at
// the log, and tells the parent: it exits 0, the daemon goes on alone.
func (d *daemonChild) ready(logs *logSet) error {
	defer d.status.Close()
	if err := logs.detach(true); err != nil {
		return err
	}
	w := bufio.NewWriter(d.status)
	fmt.Fprintf(w, "READY %d\n", os.Getpid())
	return w.Flush()
}

// fileSize is the size of the file at path; -1 when there is none.
func fileSize(path string) int64 {
	info, err := os.Stat(path)
	if err != nil {
		return -1
	}
	return info.Size()
}
