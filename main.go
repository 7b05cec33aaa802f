// Command gowsgi runs a Python WSGI application, like `twistd -n web --wsgi
// foo.application` (or, without -n, as a daemon). This file is wiring only:
// parse the command line (cli.go) into a config.Site, pick the engine, run
// the server (lifecycle.go: pidfile, signals; daemon.go; commands.go: check,
// stop, status).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/gowsgi/gowsgi/runner/engine"
	"github.com/gowsgi/gowsgi/runner/engine/cpython"
	"github.com/gowsgi/gowsgi/runner/engine/gpython"
	"github.com/gowsgi/gowsgi/runner/reaper"
	"github.com/gowsgi/gowsgi/runner/server"
	"github.com/gowsgi/gowsgi/runner/systemd"
)

// version is set at build time with -ldflags "-X main.version=0.1.0".
var version = "0.1.0-dev"

func main() {
	// gowsgi re-executes itself as a gpython worker process, and as the
	// helper that reaps workers; those processes must not see the CLI at all.
	if len(os.Args) > 1 && os.Args[1] == gpython.WorkerArg {
		os.Exit(gpython.ServeWorker())
	}
	if len(os.Args) > 1 && os.Args[1] == reaper.Arg {
		os.Exit(reaper.Serve())
	}
	// The server's live heap is small (a few MiB: buffers, connections), so
	// collecting at half of it again rather than all of it keeps the process
	// about 2 MiB smaller under load for about 1% of a core
	// (docs/performance.md). GOGC still wins when set.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(50)
	}
	os.Exit(run(os.Args[1:]))
}

// run returns the exit status: 0 clean, 1 import or runtime error, 2 usage
// error (130 comes from the signal handler; stop and status have their own).
func run(args []string) int {
	systemd.Take()              // before any process starts: they must not inherit it
	child := startDaemonChild() // nil unless we are a daemon our parent started
	inv, err := parseArgs(args, os.Stdout)
	if err != nil {
		return report(err)
	}
	for _, note := range inv.notes {
		fmt.Fprintln(os.Stderr, note)
	}
	switch {
	case inv.command == cmdStop:
		return stopServer(inv)
	case inv.command == cmdStatus:
		return serverStatus(inv)
	case inv.daemon() && child == nil:
		return daemonize(inv, args)
	}

	if inv.global.Rundir != "" {
		if err := os.Chdir(inv.global.Rundir); err != nil {
			return report(usageErrorf("gowsgi: -d/--rundir %s: %v", inv.global.Rundir, errors.Unwrap(err)))
		}
	}
	if inv.umask >= 0 {
		syscall.Umask(inv.umask)
	}
	dir, err := os.Getwd()
	if err != nil {
		return report(err)
	}
	site, err := inv.config(dir)
	if err != nil {
		return report(err)
	}
	lc := &lifecycle{child: child}
	if inv.command == cmdWeb {
		if err := lc.prepare(dir, inv.global.Pidfile, inv.readyFile); err != nil {
			return report(err)
		}
	}

	logOut, echo := os.Stdout, io.Writer(nil)
	if inv.command == cmdCheck {
		logOut = os.Stderr // check's output is a verdict, not a server log
	}
	if child != nil {
		echo = os.Stderr // the parent shows the start-up
	}
	logs, err := inv.openLogSet(logOut, echo)
	if err != nil {
		return report(err)
	}
	defer logs.close()
	log := logs.log
	lc.log, lc.logs = log, logs
	server.Version = version

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stop := lc.stopping(cancel)
	if inv.command == cmdWeb { // check keeps the default: Ctrl+C ends it
		lc.handleSignals(stop)
	}

	eng, note, err := chooseEngine(inv.web.Engine, inv.web.Python, engineFinders{
		cpython: func(explicit string) (engine.Engine, error) { return cpython.Find(explicit) },
		gpython: func() (engine.Engine, error) { return gpython.New() },
	})
	if err != nil {
		// A supervisor that signals our whole group (timeout) also ends the
		// interpreter being probed: then this is a stop, not an error. Our
		// own signal may be handled a moment after the probe's.
		select {
		case <-ctx.Done():
			log.Infof("stopped while starting")
			return 0
		case <-time.After(200 * time.Millisecond):
		}
		return report(err)
	}
	if note != "" {
		log.Warnf("%s", note)
	}
	if err := reaper.Start(); err != nil {
		log.Warnf("%v; should gowsgi be killed, what its workers started may outlive it", err)
	}
	defer reaper.Stop()
	if inv.command == cmdCheck {
		return checkApps(site, eng, log)
	}

	lc.shutdownAfter(inv.shutdownAfter, stop)
	defer lc.cleanup()

	err = server.RunWith(ctx, site, eng, log, server.Options{
		Grace:    inv.grace,
		Ready:    lc.ready,
		StopHint: inv.stopHint(child != nil, lc.pidfile),
	})
	return exitStatus(err)
}

// exitStatus reports a server error (one line) and returns the status.
func exitStatus(err error) int {
	switch {
	case err == nil:
		return 0
	case errors.Is(err, server.ErrImport):
		return 1 // the runner has shown the traceback
	default:
		return report(err)
	}
}

// report prints err (one line) and returns its exit status.
func report(err error) int {
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprintln(os.Stderr, ee.msg)
		}
		return ee.code
	}
	fmt.Fprintf(os.Stderr, "gowsgi: %v\n", err)
	return 1
}
