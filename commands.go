package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/gowsgi/gowsgi/runner/config"
	"github.com/gowsgi/gowsgi/runner/engine"
	"github.com/gowsgi/gowsgi/runner/logging"
	"github.com/gowsgi/gowsgi/runner/pidfile"
	"github.com/gowsgi/gowsgi/runner/server"
)

// Exit statuses of gowsgi status, as LSB init scripts and crossbar status
// have them.
const (
	statusRunning    = 0
	statusNotRunning = 3
	statusUnknown    = 4
)

// checkApps is gowsgi check: import every app as web would, then stop.
func checkApps(site *config.Site, eng engine.Engine, lg *logging.Logger) int {
	if err := server.Check(site, eng, lg); err != nil {
		return exitStatus(err) // the traceback has been logged
	}
	var apps []string
	for _, m := range site.AppMounts() {
		app, _, _ := m.PythonApp()
		apps = append(apps, app)
	}
	switch len(apps) {
	case 0:
		lg.Infof("ok: nothing to import (no WSGI app)")
	case 1:
		lg.Infof("ok: %s imports (%s)", apps[0], eng.Describe())
	default:
		lg.Infof("ok: %d apps import: %s (%s)", len(apps), strings.Join(apps, ", "), eng.Describe())
	}
	return 0
}

// pidfilePath is the pidfile that stop and status read: --pidfile (default
// gowsgi.pid), relative to -d.
func (inv *invocation) pidfilePath() string {
	if filepath.IsAbs(inv.global.Pidfile) {
		return inv.global.Pidfile
	}
	return filepath.Join(inv.global.Rundir, inv.global.Pidfile)
}

// serverStatus is gowsgi status: 0 when the pidfile names a live gowsgi, 3
// when not, 4 when the pidfile cannot be read.
func serverStatus(inv *invocation) int {
	path := inv.pidfilePath()
	pid, err := pidfile.Running(path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "gowsgi status: %v\n", err)
		return statusUnknown
	}
	if pid == 0 {
		fmt.Printf("gowsgi is not running (%s)\n", notRunningWhy(path))
		return statusNotRunning
	}
	fmt.Printf("gowsgi is running, PID %d (%s)\n", pid, path)
	return statusRunning
}

// stopServer is gowsgi stop: SIGTERM to the gowsgi the pidfile names, then
// wait (at most stop --timeout) until it has exited. Not running is not an
// error (0), as for LSB's stop.
func stopServer(inv *invocation) int {
	timeout, err := config.ParseDuration(inv.global.Stop.Timeout)
	if err != nil || timeout <= 0 {
		return report(usageErrorf("gowsgi stop: --timeout must be a positive duration like 30s (got %q)", inv.global.Stop.Timeout))
	}
	path := inv.pidfilePath()
	pid, err := pidfile.Running(path)
	if err != nil {
		return report(err)
	}
	if pid == 0 {
		fmt.Fprintf(os.Stderr, "gowsgi stop: not running (%s)\n", notRunningWhy(path))
		return 0
	}
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		return report(fmt.Errorf("cannot signal PID %d: %v", pid, err))
	}
	deadline := time.Now().Add(timeout)
	for pidfile.Alive(pid) {
		if time.Now().After(deadline) {
			fmt.Fprintf(os.Stderr, "gowsgi stop: PID %d is still running %s after SIGTERM; gowsgi stop again forces it (or kill -KILL %d)\n", pid, timeout, pid)
			return 1
		}
		time.Sleep(20 * time.Millisecond)
	}
	fmt.Fprintf(os.Stderr, "gowsgi stop: stopped PID %d\n", pid)
	return 0
}

// notRunningWhy says why a pidfile names no running gowsgi.
func notRunningWhy(path string) string {
	pid, err := pidfile.Read(path)
	switch {
	case os.IsNotExist(err):
		return "no " + path
	case err != nil:
		return err.Error()
	case pidfile.Alive(pid):
		return fmt.Sprintf("%s names PID %d, which is not gowsgi: a stale file", path, pid)
	}
	return fmt.Sprintf("%s names PID %d, which has exited: a stale file", path, pid)
}
