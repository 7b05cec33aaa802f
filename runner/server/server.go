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
	"github.com/gowsgi/gowsgi/runner/asgi"
	"github.com/gowsgi/gowsgi/runner/config"
	"github.com/gowsgi/gowsgi/runner/engine"
	"github.com/gowsgi/gowsgi/runner/h1"
	"github.com/gowsgi/gowsgi/runner/livereload"
	"github.com/gowsgi/gowsgi/runner/logging"
	"github.com/gowsgi/gowsgi/runner/router"
)

// ErrImport means an app failed to import at start; the traceback has been logged.
var ErrImport = errors.New("the app failed to import")

// Version is gowsgi's version, for the banner (main sets it).
var Version = "dev"

// DefaultGrace bounds how long in-flight requests may take to finish after
// Ctrl-C or SIGTERM, when Options.Grace does not say (--grace).
const DefaultGrace = 10 * time.Second

// Options are how RunWith runs a site, beyond what the site serves.
type Options struct {
	Grace time.Duration // how long requests in flight may take to finish when stopping; 0 = DefaultGrace
	// Ready, when set, is called once every listener serves, with their
	// base URLs ("http://127.0.0.1:8080", "unix:/run/app.sock"). An error
	// stops the server gracefully, and RunWith returns it.
	Ready    func(urls []string) error
	StopHint string // the banner's last line, instead of "Press Ctrl+C to stop"
}

// maxHeaderBytes bounds a request's head (its line and fields), and
// readHeaderTimeout the time it may take to arrive (a TLS handshake too), so
// that a slow client cannot pin a connection before its request is in.
const (
	maxHeaderBytes    = 64 << 10
	readHeaderTimeout = 10 * time.Second
)

// Run serves site until ctx is cancelled, then shuts down gracefully. It
// returns an error wrapping ErrImport when an app does not import at start.
func Run(ctx context.Context, site *config.Site, eng engine.Engine, lg *logging.Logger) error {
	return RunWith(ctx, site, eng, lg, Options{})
}

// RunWith is Run with Options.
func RunWith(ctx context.Context, site *config.Site, eng engine.Engine, lg *logging.Logger, opts Options) error {
	grace := opts.Grace
	if grace <= 0 {
		grace = DefaultGrace
	}
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
		endpoints []config.Listener
		loopback  bool
	}
	var transports []served
	for i := range site.Transports {
		t := &site.Transports[i]
		s := served{t: t, loopback: true}
		for _, ep := range t.Listeners {
			l, err := Listen(ep)
			if err != nil {
				return listenError(ep, err)
			}
			listeners = append(listeners, l)
			conns := h1.Options{MaxHeaderBytes: maxHeaderBytes, HandshakeTimeout: readHeaderTimeout, Warnf: lg.Warnf}
			if ep.TLS != nil {
				if l, err = tlsListener(l, ep.TLS, lg, conns); err != nil {
					return fmt.Errorf("%s: %v", ep.Spec, err)
				}
			} else {
				l = h1.Listen(l, conns)
			}
			s.listeners = append(s.listeners, l)
			s.endpoints = append(s.endpoints, ep)
			s.loopback = s.loopback && ep.Loopback()
		}
		transports = append(transports, s)
	}

	var live *livereload.Hub
	if site.Dev.LiveReload && site.Reload.Enabled {
		live = livereload.New()
	}
	var watcher *reload.Watcher
	reloadNote := "off"
	if site.Reload.Enabled {
		w, err := startWatcher(site, lg, live != nil)
		if err != nil {
			return err
		}
		watcher = w
		defer watcher.Close()
		reloadNote = watcher.Describe()
	}

	// The banner comes before the import, so that an import that fails or
	// takes long is seen with the interpreter that ran it.
	banner := logging.Banner{
		Version: Version,
		Engine:  eng.Name(),
		Interp:  eng.Describe(),
		Root:    site.Dir,
		Reload:  reloadNote,
	}
	if ms := site.AppMounts(); len(ms) == 1 && ms[0].Kind == config.KindWSGI && len(site.Transports) == 1 && len(site.Transports[0].Mounts) == 1 {
		banner.App = ms[0].WSGI.App
		banner.Workers, banner.Threads = ms[0].WSGI.Pool.Workers, ms[0].WSGI.Pool.Threads
	} else {
		banner.Mounts = describeMounts(site)
	}
	lg.Banner(banner)

	apps, err := startApps(site, eng, lg, live)
	if err != nil {
		return err
	}
	defer apps.close(grace)

	var servers []*http.Server
	var fresh freshConns
	var urls, baseURLs []string
	serveErr := make(chan error, len(listeners))
	for _, s := range transports {
		t := s.t
		var routes []router.Route
		tracebacks := t.Tracebacks == "show" || (t.Tracebacks != "hide" && s.loopback)
		for j := range t.Mounts {
			m := &t.Mounts[j]
			h, err := apps.handler(m, lg)
			if err != nil {
				return fmt.Errorf("%s: %v", m.Source, err)
			}
			routes = append(routes, router.Route{Path: m.Path, Handler: h})
		}
		ro := router.Options{
			Tracebacks: tracebacks,
			DebugPages: site.Dev.DebugPages,
			AddHeaders: t.AddHeaders,
			HSTS:       t.HSTS,
			Log:        lg,
		}
		if tracebacks {
			ro.Live = live // development: this machine only
		}
		srv := &http.Server{
			Handler:           router.New(routes, ro),
			ReadHeaderTimeout: readHeaderTimeout,
			IdleTimeout:       2 * time.Minute,
			MaxHeaderBytes:    maxHeaderBytes,
			ErrorLog:          log.New(serverErrors{lg}, "", 0),
			ConnState:         fresh.track,
			ConnContext:       h1.ConnContext,
		}
		srv.RegisterOnShutdown(fresh.closeAll) // run once the listeners are closed
		servers = append(servers, srv)
		for i, l := range s.listeners {
			ep := s.endpoints[i]
			u := listenerURL(l, ep.TLS != nil)
			baseURLs = append(baseURLs, strings.TrimSuffix(u, "/"))
			if ep.DefaultInterface {
				u += " (loopback only; set the endpoint's \"interface\": \"0.0.0.0\" to open it)"
			}
			urls = append(urls, u)
			go func() { serveErr <- srv.Serve(l) }()
		}
	}
	lg.Listening(apps.notes(), urls, opts.StopHint)

	var watching sync.WaitGroup
	if watcher != nil {
		watching.Add(1)
		go func() {
			defer watching.Done()
			for changed := range watcher.Changes() {
				apps.changed(site.Dir, changed)
			}
		}()
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)

	var stopErr error
	if opts.Ready != nil {
		stopErr = opts.Ready(baseURLs)
	}
	for stopErr == nil {
		select {
		case <-hup:
			apps.reloadAll("SIGHUP")
			continue
		case err := <-serveErr:
			if !errors.Is(err, http.ErrServerClosed) {
				return fmt.Errorf("serving: %v", err)
			}
		case <-ctx.Done():
		}
		break
	}
	lg.Infof("shutting down: finishing requests in flight (at most %s)", grace)
	if n := apps.closeSockets(1001, "server shutting down"); n > 0 {
		asgi.Drain(time.Second)
		lg.Infof("closed %d WebSocket%s (1001 going away)", n, logging.Plural(n, "", "s"))
	}
	if live != nil {
		live.Close()
	}
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	var cut sync.WaitGroup
	for _, srv := range servers {
		cut.Add(1)
		go func() {
			defer cut.Done()
			if err := srv.Shutdown(sctx); err != nil {
				lg.Warnf("requests still running after %s were cut off", grace)
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
	apps.stopReloads()
	lg.Infof("stopped")
	return stopErr
}

func listenerURL(l net.Listener, secure bool) string {
	switch a := l.Addr().(type) {
	case *net.TCPAddr:
		scheme := "http://"
		if secure {
			scheme = "https://"
		}
		return scheme + net.JoinHostPort(a.IP.String(), fmt.Sprint(a.Port)) + "/"
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

// describeMounts is the banner's list of what is served where.
func describeMounts(site *config.Site) []string {
	var lines []string
	for i, t := range site.Transports {
		for _, m := range t.Mounts {
			var what string
			switch m.Kind {
			case config.KindWSGI:
				what = fmt.Sprintf("wsgi %s (%d × %d threads)", m.WSGI.App, m.WSGI.Pool.Workers, m.WSGI.Pool.Threads)
			case config.KindASGI:
				what = fmt.Sprintf("asgi %s (%d %s, an event loop each)", m.ASGI.App, m.ASGI.Pool.Workers, logging.Plural(m.ASGI.Pool.Workers, "worker", "workers"))
			case config.KindStatic:
				what = "files in " + m.Static.Dir
			case config.KindRedirect:
				what = "redirect to " + m.Redirect.URL
			case config.KindJSON:
				what = "a JSON value"
			case config.KindProxy:
				what = fmt.Sprintf("proxy to http://%s:%d/%s", m.Proxy.Host, m.Proxy.Port, strings.TrimLeft(m.Proxy.Path, "/"))
			default:
				what = "501: not hosted by gowsgi (" + m.Unsupported.Type + ")"
			}
			prefix := ""
			if len(site.Transports) > 1 {
				prefix = fmt.Sprintf("#%d ", i+1)
			}
			lines = append(lines, fmt.Sprintf("%s%-10s %s", prefix, m.Path, what))
		}
	}
	return lines
}

// freshConns are the connections that have not sent a request yet. A browser
// opens one ahead of need, and http.Server.Shutdown waits 5 s for such a
// connection before it counts as idle (golang/go#22682): at shutdown they are
// closed at once instead.
type freshConns struct {
	mu    sync.Mutex
	conns map[net.Conn]bool
}

func (f *freshConns) track(c net.Conn, state http.ConnState) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if state == http.StateNew {
		if f.conns == nil {
			f.conns = map[net.Conn]bool{}
		}
		f.conns[c] = true
	} else {
		delete(f.conns, c)
	}
}

func (f *freshConns) closeAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for c := range f.conns {
		c.Close()
	}
	clear(f.conns)
}
