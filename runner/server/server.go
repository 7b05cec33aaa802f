// Package server runs a site: it opens the listeners, starts each app's
// worker pool, serves HTTP through each transport's router, reloads apps
// when their code changes, and shuts down gracefully.
package server

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gowsgi/gowsgi/reload"
	"github.com/gowsgi/gowsgi/runner/config"
	"github.com/gowsgi/gowsgi/runner/engine"
	"github.com/gowsgi/gowsgi/runner/logging"
	"github.com/gowsgi/gowsgi/runner/pool"
	"github.com/gowsgi/gowsgi/runner/router"
	"github.com/gowsgi/gowsgi/runner/wsgi"
)

// ErrImport means an app failed to import at start; the traceback has been logged.
var ErrImport = errors.New("the app failed to import")

// Version is gowsgi's version, for the banner (main sets it).
var Version = "dev"

// shutdownGrace bounds how long in-flight requests may take to finish after
// Ctrl-C or SIGTERM.
const shutdownGrace = 10 * time.Second

// Run serves site until ctx is cancelled, then shuts down gracefully. It
// returns an error wrapping ErrImport when an app does not import at start.
func Run(ctx context.Context, site *config.Site, eng engine.Engine, lg *logging.Logger) error {
	for _, w := range site.Warnings {
		lg.Warnf("%s", w)
	}
	var listeners []net.Listener
	defer func() {
		for _, l := range listeners {
			l.Close()
		}
	}()
	type served struct {
		t         *config.Transport
		listeners []net.Listener
		loopback  bool
	}
	var transports []served
	for i := range site.Transports {
		t := &site.Transports[i]
		s := served{t: t, loopback: true}
		for _, ep := range t.Listeners {
			l, err := Listen(ep)
			if err != nil {
				return fmt.Errorf("cannot listen on %s: %v", ep.Spec, err)
			}
			listeners = append(listeners, l)
			s.listeners = append(s.listeners, l)
			s.loopback = s.loopback && ep.Loopback()
		}
		transports = append(transports, s)
	}

	apps, err := startApps(site, eng, lg)
	if err != nil {
		return err
	}
	defer apps.close(shutdownGrace)

	var watcher *reload.Watcher
	reloadNote := "off"
	if site.Reload.Enabled {
		w, err := startWatcher(site, lg)
		if err != nil {
			return err
		}
		watcher = w
		defer watcher.Close()
		reloadNote = watcher.Describe()
	}

	var servers []*http.Server
	var urls []string
	serveErr := make(chan error, len(listeners))
	for _, s := range transports {
		t := s.t
		var routes []router.Route
		for j := range t.Mounts {
			m := &t.Mounts[j]
			routes = append(routes, router.Route{Path: m.Path, Handler: apps.handler(m, lg)})
		}
		tracebacks := t.Tracebacks == "show" || (t.Tracebacks != "hide" && s.loopback)
		srv := &http.Server{
			Handler: router.New(routes, router.Options{
				Tracebacks: tracebacks,
				AddHeaders: t.AddHeaders,
				HSTS:       t.HSTS,
				Log:        lg,
			}),
			ReadHeaderTimeout: 10 * time.Second, // a slow client cannot pin a connection before its request is in
			IdleTimeout:       2 * time.Minute,
			MaxHeaderBytes:    64 << 10,
			ErrorLog:          log.New(serverErrors{lg}, "", 0),
		}
		servers = append(servers, srv)
		for _, l := range s.listeners {
			urls = append(urls, listenerURL(l))
			go func() { serveErr <- srv.Serve(l) }()
		}
	}
	banner := logging.Banner{
		Version: Version,
		Engine:  eng.Name(),
		Interp:  eng.Describe(),
		URLs:    urls,
		Root:    site.Dir,
		Reload:  reloadNote,
	}
	if ms := site.WSGIMounts(); len(ms) == 1 {
		banner.App = ms[0].WSGI.App
		banner.Workers, banner.Threads = ms[0].WSGI.Pool.Workers, ms[0].WSGI.Pool.Threads
	}
	lg.Banner(banner)

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
			apps.reload(why)
		}
	}()
	var watching sync.WaitGroup
	if watcher != nil {
		watching.Add(1)
		go func() {
			defer watching.Done()
			for changed := range watcher.Changes() {
				requestReload(describeChanges(site.Dir, changed))
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
	var cut sync.WaitGroup
	for _, srv := range servers {
		cut.Add(1)
		go func() {
			defer cut.Done()
			if err := srv.Shutdown(sctx); err != nil {
				lg.Warnf("requests still running after %s were cut off", shutdownGrace)
				srv.Close()
			}
		}()
	}
	cut.Wait()
	// Workers first, so that a reload still importing stops at once.
	apps.close(time.Second)
	if watcher != nil {
		watcher.Close()
		watching.Wait()
	}
	close(reloadReq)
	reloads.Wait()
	lg.Infof("stopped")
	return nil
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

// apps are the site's WSGI apps, one worker pool each.
type apps struct {
	pools   []*pool.Pool
	byMount map[*config.Mount]*pool.Pool
	stops   []chan struct{}
}

// startApps starts every WSGI mount's pool, in order; on the first failure
// it stops the ones started.
func startApps(site *config.Site, eng engine.Engine, lg *logging.Logger) (*apps, error) {
	a := &apps{byMount: map[*config.Mount]*pool.Pool{}}
	fresh := append(append([]string{site.Dir}, site.Python.Path...), site.Reload.Watch...)
	for _, m := range site.WSGIMounts() {
		p := pool.New(pool.Options{
			App:        m.WSGI.App,
			Engine:     eng,
			Root:       site.Dir,
			PythonPath: site.Python.Path,
			Fresh:      fresh,
			Spares:     site.Reload.Enabled,
			Pool:       m.WSGI.Pool,
			Log:        lg,
		})
		if err := p.Start(); err != nil {
			a.close(0)
			var ie *pool.ImportError
			if errors.As(err, &ie) {
				lg.Block("the app "+m.WSGI.App+" failed to import", ie.Traceback)
				return nil, fmt.Errorf("%w: %s", ErrImport, m.WSGI.App)
			}
			return nil, err
		}
		a.pools = append(a.pools, p)
		a.byMount[m] = p
		if m.WSGI.Pool.MaxMemory > 0 {
			stop := make(chan struct{})
			a.stops = append(a.stops, stop)
			go p.WatchMemory(stop)
		}
	}
	return a, nil
}

// handler returns what serves mount m.
func (a *apps) handler(m *config.Mount, lg *logging.Logger) http.Handler {
	switch m.Kind {
	case config.KindWSGI:
		return wsgi.New(m.Path, a.byMount[m], m.WSGI.Pool, lg)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		router.Error(w, r, http.StatusNotImplemented, "not implemented", fmt.Sprintf("%s services are not served by gowsgi.", m.Kind), "")
	})
}

func (a *apps) reload(why string) {
	for _, p := range a.pools {
		p.Reload(why)
	}
}

// close stops every pool's workers, giving each grace to finish.
func (a *apps) close(grace time.Duration) {
	for _, s := range a.stops {
		close(s)
	}
	a.stops = nil
	var wg sync.WaitGroup
	for _, p := range a.pools {
		wg.Add(1)
		go func() { defer wg.Done(); p.Close(grace) }()
	}
	wg.Wait()
}
