package server

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gowsgi/gowsgi/runner/asgi"
	"github.com/gowsgi/gowsgi/runner/config"
	"github.com/gowsgi/gowsgi/runner/engine"
	"github.com/gowsgi/gowsgi/runner/livereload"
	"github.com/gowsgi/gowsgi/runner/logging"
	"github.com/gowsgi/gowsgi/runner/pool"
	"github.com/gowsgi/gowsgi/runner/router"
	"github.com/gowsgi/gowsgi/runner/static"
	"github.com/gowsgi/gowsgi/runner/wsgi"
)

// app is one WSGI app: its pool, and what reloads it.
type app struct {
	pool   *pool.Pool
	spec   string        // "myapp:app"
	dir    string        // the directory of its top-level module or package
	reload chan struct{} // a reload is wanted (at most one waits)

	mu    sync.Mutex // guards what the waiting reload is for
	why   []string
	files []string
}

// apps are the site's WSGI apps, one worker pool each. Two mounts of the
// same app with the same pool settings (an http and an https transport)
// share one pool.
type apps struct {
	list    []*app
	byMount map[*config.Mount]*app
	static  []staticRoot // changes there never reload an app
	live    *livereload.Hub
	stops   []chan struct{}
	wg      sync.WaitGroup
}

// startApps starts every WSGI mount's pool, in order; on the first failure
// it stops the ones started.
func startApps(site *config.Site, eng engine.Engine, lg *logging.Logger, live *livereload.Hub) (*apps, error) {
	a := &apps{byMount: map[*config.Mount]*app{}, live: live}
	for _, t := range site.Transports {
		for _, m := range t.Mounts {
			if m.Kind == config.KindStatic {
				a.static = append(a.static, staticRoot{dir: m.Static.Dir, path: m.Path})
			}
		}
	}
	fresh := append(append([]string{site.Dir}, site.Python.Path...), site.Reload.Watch...)
	mounts := site.AppMounts()
	var env []string
	for _, k := range slices.Sorted(maps.Keys(site.Python.Env)) {
		env = append(env, k+"="+site.Python.Env[k])
	}
	// The same app with the same settings on two transports: one pool.
	type appKey struct {
		wsgi config.WSGI
		asgi config.ASGI
	}
	shared := map[appKey]*app{}
	for _, m := range mounts {
		var key appKey
		lifespan := ""
		if m.WSGI != nil {
			key.wsgi = *m.WSGI
		} else {
			key.asgi = *m.ASGI
			lifespan = m.ASGI.Lifespan
		}
		if ap, ok := shared[key]; ok {
			a.byMount[m] = ap
			continue
		}
		spec, protocol, poolCfg := m.PythonApp()
		name := ""
		if len(mounts) > 1 {
			name = m.Path + " (" + spec + ")"
		}
		p := pool.New(pool.Options{
			App:        spec,
			Protocol:   protocol,
			Lifespan:   lifespan,
			Engine:     eng,
			Root:       site.Dir,
			PythonPath: site.Python.Path,
			Fresh:      fresh,
			Spares:     site.Reload.Enabled,
			Name:       name,
			Env:        env,
			Pool:       poolCfg,
			Log:        lg,
		})
		if err := p.Start(); err != nil {
			a.close(time.Second) // those started: an ASGI app's lifespan shutdown runs

			var ie *pool.ImportError
			if errors.As(err, &ie) {
				what := "failed to import"
				if protocol == "asgi" {
					what = "failed to start" // its import, or its lifespan startup
				}
				lg.Block("the app "+spec+" "+what, ie.Traceback)
				if h, ok := eng.(engine.Hinter); ok {
					if hint := h.ImportHint(ie.Traceback); hint != "" {
						lg.Warnf("%s", hint)
					}
				}
				return nil, fmt.Errorf("%w: %s", ErrImport, spec)
			}
			return nil, err
		}
		ap := &app{pool: p, spec: spec, dir: moduleDir(site, spec), reload: make(chan struct{}, 1)}
		a.list = append(a.list, ap)
		a.byMount[m] = ap
		shared[key] = ap
		if poolCfg.MaxMemory > 0 {
			stop := make(chan struct{})
			a.stops = append(a.stops, stop)
			go p.WatchMemory(stop)
		}
		// One reload at a time per app; requests that arrive meanwhile
		// merge into one more, which sees all the changes.
		a.wg.Add(1)
		go func() {
			defer a.wg.Done()
			for range ap.reload {
				why, files := ap.take()
				if p.Reload(why, files...) && live != nil {
					live.Reload()
				}
			}
		}()
	}
	return a, nil
}

// moduleDir is where an app's top-level module or package lives: the first
// of the app directory and --pythonpath entries that holds it.
func moduleDir(site *config.Site, spec string) string {
	top := config.TopModule(spec)
	for _, d := range append([]string{site.Dir}, site.Python.Path...) {
		if info, err := os.Stat(filepath.Join(d, top)); err == nil && info.IsDir() {
			return filepath.Join(d, top) // a package: its own directory
		}
		if _, err := os.Stat(filepath.Join(d, top+".py")); err == nil {
			return d
		}
	}
	return site.Dir
}

// handler returns what serves mount m.
func (a *apps) handler(m *config.Mount, lg *logging.Logger) (http.Handler, error) {
	switch m.Kind {
	case config.KindWSGI:
		return wsgi.New(m.Path, a.byMount[m].pool, m.WSGI.Pool, lg), nil
	case config.KindASGI:
		return asgi.New(m.Path, a.byMount[m].pool, *m.ASGI, lg), nil
	case config.KindStatic:
		s := m.Static
		return static.New(static.Options{
			Root:         s.Dir,
			Prefix:       m.Path,
			Index:        s.Index,
			Listing:      s.Listing,
			MimeTypes:    s.MimeTypes,
			DefaultType:  s.DefaultType,
			CacheTimeout: s.CacheTimeout,
			Error: func(w http.ResponseWriter, r *http.Request, code int, title, detail string) {
				router.Error(w, r, code, title, detail, "")
			},
		})
	case config.KindRedirect:
		return router.Redirect(m.Redirect.URL, m.Redirect.Code), nil
	case config.KindJSON:
		return router.JSON(*m.JSON), nil
	case config.KindProxy:
		return router.Proxy(m.Path, *m.Proxy), nil
	}
	kind := string(m.Kind)
	if m.Unsupported != nil {
		kind = m.Unsupported.Type
	}
	return router.NotHosted(kind, m.Source), nil
}

// changed sends a change of files to the apps it concerns: those that
// imported a changed file; for files no app imported (templates, new
// modules), the apps whose module directory holds them, or every app when
// none does. Changes under a static root, and to a page's assets (a
// stylesheet, a script, an image), reload no app: with live reload, open
// pages swap the stylesheet or reload themselves.
func (a *apps) changed(dir string, paths []string) {
	touched := map[*app][]string{}
	for _, p := range paths {
		if url, ok := a.staticURL(p); ok {
			a.assetChanged(url)
			continue
		}
		if isAsset(p) {
			a.assetChanged("")
			continue
		}
		var owners []*app
		for _, ap := range a.list {
			if imported, _ := ap.pool.Imports(p); imported {
				owners = append(owners, ap)
			}
		}
		if len(owners) == 0 {
			for _, ap := range a.list {
				if within(p, ap.dir) {
					owners = append(owners, ap)
				}
			}
		}
		if len(owners) == 0 {
			owners = a.list
		}
		for _, ap := range owners {
			touched[ap] = append(touched[ap], p)
		}
	}
	for _, ap := range a.list {
		if ps := touched[ap]; len(ps) > 0 {
			ap.request(describeChanges(dir, ps), ps)
		}
	}
}

// staticRoot is a static mount: its directory and URL path.
type staticRoot struct{ dir, path string }

// staticURL is the URL path a file under a static root is served at.
func (a *apps) staticURL(file string) (string, bool) {
	for _, s := range a.static {
		if within(file, s.dir) {
			rel, _ := filepath.Rel(s.dir, file)
			return strings.TrimSuffix(s.path, "/") + "/" + filepath.ToSlash(rel), true
		}
	}
	return "", false
}

// assetChanged tells open pages: a stylesheet is swapped in place (url is
// where it is served), anything else reloads the page.
func (a *apps) assetChanged(url string) {
	if a.live == nil {
		return
	}
	if strings.HasSuffix(url, ".css") {
		a.live.Stylesheet(url)
	} else {
		a.live.Reload()
	}
}

// within reports whether path is dir or inside it.
func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && filepath.IsLocal(rel) || rel == "."
}

// request asks for a reload, merging with one already waiting: one more
// reload runs after the one in progress, for every change since. A reload
// still importing older code is abandoned: this one supersedes it.
func (ap *app) request(why string, files []string) {
	ap.pool.AbandonReload()
	ap.mu.Lock()
	if !slices.Contains(ap.why, why) {
		ap.why = append(ap.why, why)
	}
	ap.files = append(ap.files, files...)
	ap.mu.Unlock()
	select {
	case ap.reload <- struct{}{}:
	default:
	}
}

// take returns what the waiting reload is for, and forgets it.
func (ap *app) take() (why string, files []string) {
	ap.mu.Lock()
	defer ap.mu.Unlock()
	why, files = strings.Join(ap.why, "; "), ap.files
	ap.why, ap.files = nil, nil
	return why, files
}

// notes are the apps' lines for the banner.
func (a *apps) notes() []string {
	var ns []string
	for _, ap := range a.list {
		ns = append(ns, ap.pool.Notes()...)
	}
	return ns
}

// reloadAll reloads every app (SIGHUP).
func (a *apps) reloadAll(why string) {
	for _, ap := range a.list {
		ap.request(why, nil)
	}
}

// closeSockets closes every app's WebSockets with code: the server stops.
func (a *apps) closeSockets(code uint16, reason string) int {
	n := 0
	for _, ap := range a.list {
		n += ap.pool.CloseSockets(code, reason)
	}
	return n
}

// close stops every pool's workers, giving each grace to finish, and the
// reloaders.
func (a *apps) close(grace time.Duration) {
	for _, s := range a.stops {
		close(s)
	}
	a.stops = nil
	var wg sync.WaitGroup
	for _, ap := range a.list {
		wg.Add(1)
		go func() { defer wg.Done(); ap.pool.Close(grace) }()
	}
	wg.Wait()
}

// stopReloads ends the reloaders once no more changes can come.
func (a *apps) stopReloads() {
	for _, ap := range a.list {
		close(ap.reload)
	}
	a.wg.Wait()
}
