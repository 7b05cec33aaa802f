// Command gowsgi runs a Python WSGI application in the foreground, like
// `twistd -n web --wsgi foo.application`. This file is wiring only: parse the
// command line (cli.go) into a config.Site, pick the engine, run the server.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/gowsgi/gowsgi/runner/engine"
	"github.com/gowsgi/gowsgi/runner/engine/cpython"
	"github.com/gowsgi/gowsgi/runner/engine/gpython"
	"github.com/gowsgi/gowsgi/runner/reaper"
	"github.com/gowsgi/gowsgi/runner/server"
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
	os.Exit(run(os.Args[1:]))
}

// run returns the exit status: 0 clean, 1 import or runtime error, 2 usage
// error (130 comes from the signal handler).
func run(args []string) int {
	inv, err := parseArgs(args, os.Stdout)
	if err != nil {
		return report(err)
	}
	for _, note := range inv.notes {
		fmt.Fprintln(os.Stderr, note)
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

	log, closeLogs, err := inv.openLogs(os.Stdout)
	if err != nil {
		return report(err)
	}
	defer closeLogs()
	server.Version = version

	eng, note, err := chooseEngine(inv.web.Engine, inv.web.Python, engineFinders{
		cpython: func(explicit string) (engine.Engine, error) { return cpython.Find(explicit) },
		gpython: func() (engine.Engine, error) { return gpython.New() },
	})
	if err != nil {
		return report(err)
	}
	if note != "" {
		log.Warnf("%s", note)
	}
	if err := reaper.Start(); err != nil {
		log.Warnf("%v; should gowsgi be killed, what its workers started may outlive it", err)
	}
	defer reaper.Stop()

	if inv.global.Pidfile != "" {
		removePidfile, err := writePidfile(inv.global.Pidfile)
		if err != nil {
			return report(err)
		}
		defer removePidfile()
	}

	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-signals
		stop() // the runner finishes what is in flight
		<-signals
		fmt.Fprintln(os.Stderr, "gowsgi: forced exit") // the reaper's helper kills the workers' groups
		if inv.global.Pidfile != "" {
			os.Remove(inv.global.Pidfile)
		}
		os.Exit(130)
	}()

	err = server.Run(ctx, site, eng, log)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, server.ErrImport):
		return 1 // the runner has shown the traceback
	default:
		fmt.Fprintf(os.Stderr, "gowsgi: %v\n", err)
		return 1
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
