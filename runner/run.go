// Package runner is gowsgi's HTTP side: it listens, hands each request to a
// worker thread of the app's engine over the wire protocol, logs it, reloads
// the app when its code changes, and shuts down gracefully.
package runner

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gowsgi/gowsgi/reload"
	"github.com/gowsgi/gowsgi/runner/logging"
)

// ErrImport means the app failed to import at start; the traceback has been logged.
var ErrImport = errors.New("the app failed to import")

// Version is gowsgi's version, for the banner (main sets it).
var Version = "dev"

// shutdownGrace bounds how long in-flight requests may take to finish after
// Ctrl-C or SIGTERM.
const shutdownGrace = 10 * time.Second

// Run serves cfg until ctx is cancelled, then shuts down gracefully. It
// returns an error wrapping ErrImport when the app does not import at start.
func Run(ctx context.Context, cfg Config) error {
	lg := cfg.Log
	listeners := make([]net.Listener, 0, len(cfg.Listen))
	defer func() {
		for _, l := range listeners {
			l.Close()
		}
	}()
	allLoopback := true
	for _, ep := range cfg.Listen {
		l, err := ep.Listen()
		if err != nil {
			return fmt.Errorf("cannot listen on %s: %v", ep.Spec, err)
		}
		listeners = append(listeners, l)
		allLoopback = allLoopback && ep.Loopback()
	}

	app := newApp(cfg)
	if err := app.start(); err != nil {
		var ie *ImportError
		if errors.As(err, &ie) {
			lg.Block("the app "+cfg.App+" failed to import", ie.Traceback)
			return fmt.Errorf("%w: %s", ErrImport, cfg.App)
		}
		return err
	}
	defer app.close(shutdownGrace)
	if cfg.MaxMemory > 0 {
		stopWatch := make(chan struct{})
		defer close(stopWatch)
		go app.watchMemory(stopWatch)
	}

	tracebacks := cfg.Tracebacks == "show" || (cfg.Tracebacks != "hide" && allLoopback)
	var handler http.Handler = &mount{prefix: "", app: app, tracebacks: tracebacks}
	handler = addHeaders(handler, cfg.AddHeaders)

	var watcher *reload.Watcher
	reloadNote := "off"
	if cfg.Reload.Enabled {
		w, err := startWatcher(cfg)
		if err != nil {
			return err
		}
		watcher = w
		defer watcher.Close()
		reloadNote = watcher.Describe()
	}

	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second, // a slow client cannot pin a connection before its request is in
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          log.New(serverErrors{lg}, "", 0),
	}
	var urls []string
	for _, l := range listeners {
		urls = append(urls, listenerURL(l))
	}
	lg.Banner(logging.Banner{
		Version: Version,
		App:     cfg.App,
		Engine:  cfg.Engine.Name(),
		Interp:  cfg.Engine.Describe(),
		Workers: cfg.Workers,
		Threads: cfg.Threads,
		URLs:    urls,
		Root:    cfg.Root,
		Reload:  reloadNote,
	})

	serveErr := make(chan error, len(listeners))
	for _, l := range listeners {
		go func() { serveErr <- srv.Serve(l) }()
	}

	// One reload at a time; requests that arrive meanwhile merge into one
	// more, which sees all the changes.
	reloadReq := make(chan string, 1)
	requestReload := func(why string) {
		select {
		case reloadReq <- why:
		default:
		}
	}
	var reloads sync.WaitGroup
	reloads.Add(1)
	go func() {
		defer reloads.Done()
		for why := range reloadReq {
			app.Reload(why)
		}
	}()
	var watching sync.WaitGroup
	if watcher != nil {
		watching.Add(1)
		go func() {
			defer watching.Done()
			for changed := range watcher.Changes() {
				requestReload(describeChanges(cfg.Root, changed))
			}
		}()
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)

	for {
		select {
		case <-hup:
			requestReload("SIGHUP")
			continue
		case err := <-serveErr:
			if !errors.Is(err, http.ErrServerClosed) {
				return fmt.Errorf("serving: %v", err)
			}
		case <-ctx.Done():
		}
		break
	}
	lg.Infof("shutting down: finishing requests in flight (at most %s)", shutdownGrace)
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		lg.Warnf("requests still running after %s were cut off", shutdownGrace)
		srv.Close()
	}
	// Workers first, so that a reload still importing stops at once.
	app.close(time.Second)
	if watcher != nil {
		watcher.Close()
		watching.Wait()
	}
	close(reloadReq)
	reloads.Wait()
	lg.Infof("stopped")
	return nil
}

// startWatcher watches the app directory, --pythonpath entries and --watch
// directories.
func startWatcher(cfg Config) (*reload.Watcher, error) {
	// Nested roots are fine: reload watches an inner root even when the
	// outer one excludes its directory (a --pythonpath inside build/, say).
	roots := []string{cfg.Root}
	for _, d := range append(append([]string{}, cfg.PythonPath...), cfg.Reload.Watch...) {
		if !slices.Contains(roots, d) {
			roots = append(roots, d)
		}
	}
	w, err := reload.New(reload.Options{
		Roots:   roots,
		Include: cfg.Reload.Include,
		Exclude: append(ownOutput(cfg.Root), cfg.Reload.Exclude...),
		Poll:    cfg.Reload.Poll,
		Warnf:   cfg.Log.Warnf,
	})
	if err != nil {
		return nil, fmt.Errorf("%v (or turn reloading off with --no-reload)", err)
	}
	return w, nil
}

// ownOutput returns gowsgi's stdout and stderr when they are files inside
// root (`gowsgi ... > out.txt`), as globs relative to root: every log line
// would otherwise change a watched file and reload, forever.
func ownOutput(root string) []string {
	var globs []string
	for _, f := range []*os.File{os.Stdout, os.Stderr} {
		path, err := os.Readlink(fmt.Sprintf("/proc/self/fd/%d", f.Fd()))
		if err != nil {
			continue // not Linux, or not a file: nothing to exclude
		}
		if rel, err := filepath.Rel(root, path); err == nil && filepath.IsLocal(rel) {
			globs = append(globs, filepath.ToSlash(rel))
		}
	}
	return globs
}

func listenerURL(l net.Listener) string {
	switch a := l.Addr().(type) {
	case *net.TCPAddr:
		return "http://" + net.JoinHostPort(a.IP.String(), fmt.Sprint(a.Port)) + "/"
	case *net.UnixAddr:
		return "unix:" + a.Name
	}
	return l.Addr().String()
}

// serverErrors sends net/http's own complaints (bad requests, TLS noise) to the log.
type serverErrors struct{ lg *logging.Logger }

func (s serverErrors) Write(p []byte) (int, error) {
	s.lg.Warnf("%s", strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
