package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gowsgi/gowsgi/runner/logging"
	"github.com/gowsgi/gowsgi/runner/pidfile"
	"github.com/gowsgi/gowsgi/runner/systemd"
)

// forceAfter is how long after the first SIGINT or SIGTERM another one
// forces the exit. Sooner, it is the same request: a supervisor such as
// timeout(1) signals the process and then its whole group, and a clean stop
// must still exit 0.
const forceAfter = time.Second

// lifecycle is what surrounds serving: the pidfile, the ready file,
// systemd's notifications, the daemon's report to its parent, the signals,
// and --shutdown-after.
type lifecycle struct {
	log       *logging.Logger
	logs      *logSet
	pidfile   string       // absolute; "" writes none
	readyFile string       // absolute; "" writes none
	child     *daemonChild // nil in the foreground

	mu         sync.Mutex // the signal handler may clean up while ready writes
	wrotePid   bool
	wroteReady bool
	stopOnce   sync.Once
}

// prepare checks, before anything starts, that no other gowsgi holds the
// pidfile (listening first would fail with "address in use", hiding the
// reason), and removes a ready file left from an earlier run, so that
// whoever waits for it waits for this run's. Relative paths start at dir.
func (lc *lifecycle) prepare(dir, pidPath, readyFile string) error {
	if pidPath != "" {
		if !filepath.IsAbs(pidPath) {
			pidPath = filepath.Join(dir, pidPath)
		}
		pid, err := pidfile.Running(pidPath)
		if err == nil && pid != 0 {
			err = &pidfile.RunningError{Path: pidPath, PID: pid}
		}
		if err != nil {
			return pidfileError(pidPath, err)
		}
		lc.pidfile = pidPath
	}
	if readyFile != "" {
		if err := removeStale(readyFile); err != nil {
			return fmt.Errorf("--ready-file: %v", err)
		}
		lc.readyFile = readyFile
	}
	return nil
}

// ready runs once every listener serves: it is server.Options.Ready.
func (lc *lifecycle) ready(urls []string) error {
	if lc.pidfile != "" {
		if err := pidfile.Create(lc.pidfile, os.Getpid()); err != nil {
			return pidfileError(lc.pidfile, err)
		}
		lc.mu.Lock()
		lc.wrotePid = true
		lc.mu.Unlock()
	}
	if lc.readyFile != "" {
		if err := writeFileAtomic(lc.readyFile, []byte(strings.Join(urls, "\n")+"\n")); err != nil {
			return fmt.Errorf("--ready-file: %v", err)
		}
		lc.mu.Lock()
		lc.wroteReady = true
		lc.mu.Unlock()
	}
	if err := systemd.Notify("READY=1\nSTATUS=serving " + strings.Join(urls, " ") + fmt.Sprintf("\nMAINPID=%d", os.Getpid())); err != nil {
		lc.log.Warnf("telling systemd we are ready: %v", err)
	}
	if lc.child != nil {
		if err := lc.child.ready(lc.logs); err != nil {
			lc.log.Warnf("%v", err)
		}
	}
	return nil
}

// stopping is called once when the server starts to stop, whatever the cause.
func (lc *lifecycle) stopping(stop func()) func() {
	return func() {
		lc.stopOnce.Do(func() {
			if err := systemd.Notify("STOPPING=1"); err != nil {
				lc.log.Warnf("telling systemd we are stopping: %v", err)
			}
			stop()
		})
	}
}

// cleanup removes what ready wrote (the pidfile only while it is still ours).
func (lc *lifecycle) cleanup() {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	if lc.wrotePid {
		pidfile.Remove(lc.pidfile, os.Getpid())
		lc.wrotePid = false
	}
	if lc.wroteReady {
		os.Remove(lc.readyFile)
		lc.wroteReady = false
	}
}

// handleSignals: SIGINT and SIGTERM stop gracefully; one more, more than
// forceAfter after the first, exits at once with 130; SIGUSR1 reopens the
// log files. SIGHUP, reload, is the server's once it runs; until then it is
// caught here, so that it does not end gowsgi while it starts.
func (lc *lifecycle) handleSignals(stop func()) {
	signals := make(chan os.Signal, 4)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM, syscall.SIGUSR1, syscall.SIGHUP)
	go func() {
		var first time.Time
		for sig := range signals {
			switch sig {
			case syscall.SIGHUP:
				continue
			case syscall.SIGUSR1:
				lc.reopenLogs()
				continue
			}
			switch {
			case first.IsZero():
				first = time.Now()
				stop() // the server finishes what is in flight
			case time.Since(first) >= forceAfter:
				lc.log.Errorf("forced exit (%v during the shutdown)", sig)
				if lc.logs.serverPath != "" && lc.child == nil {
					fmt.Fprintln(os.Stderr, "gowsgi: forced exit") // the terminal, too
				}
				lc.cleanup()
				os.Exit(130)
			}
		}
	}()
}

func (lc *lifecycle) reopenLogs() {
	reopened, err := lc.logs.reopen()
	switch {
	case err != nil:
		lc.log.Errorf("reopening the log files (SIGUSR1): %v; still writing to the old ones", err)
	case reopened:
		lc.log.Infof("reopened the log files (SIGUSR1)")
	}
}

// shutdownAfter stops the server d after now (--shutdown-after).
func (lc *lifecycle) shutdownAfter(d time.Duration, stop func()) {
	if d <= 0 {
		return
	}
	time.AfterFunc(d, func() {
		lc.log.Infof("--shutdown-after %s has passed: stopping", d)
		stop()
	})
}

// pidfileError words a pidfile failure for the user.
func pidfileError(path string, err error) error {
	var re *pidfile.RunningError
	if errors.As(err, &re) {
		return &exitError{code: 1, msg: fmt.Sprintf("gowsgi: another gowsgi is running, PID %d (from %s); stop it with gowsgi stop, or remove the file", re.PID, path)}
	}
	return &exitError{code: 1, msg: fmt.Sprintf("gowsgi: --pidfile: %v", err)}
}

// writeFileAtomic writes data to a file beside path and renames it over
// path: a reader sees the old file or the whole new one, never a part.
func writeFileAtomic(path string, data []byte) error {
	tmp := filepath.Join(filepath.Dir(path), fmt.Sprintf(".%s.%d.tmp", filepath.Base(path), os.Getpid()))
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// removeStale removes a regular file left by an earlier run.
func removeStale(path string) error {
	info, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !info.Mode().IsRegular() {
		return fmt.Errorf("%s exists and is not a regular file", path)
	}
	return os.Remove(path)
}

// stopHint is the banner's last line: how to stop this server.
func (inv *invocation) stopHint(daemon bool, pidPath string) string {
	if !daemon {
		return ""
	}
	cmd := "gowsgi"
	if inv.global.Rundir != "" {
		cmd += " -d " + inv.global.Rundir
	}
	if inv.global.Pidfile != defaultPidfile {
		cmd += " --pidfile " + inv.global.Pidfile
	}
	if pidPath == "" {
		return fmt.Sprintf("Running in the background as PID %d: stop it with kill -TERM %d", os.Getpid(), os.Getpid())
	}
	return fmt.Sprintf("Running in the background as PID %d: stop it with %s stop", os.Getpid(), cmd)
}
