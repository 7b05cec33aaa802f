package server

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/gowsgi/gowsgi/runner/config"
	"github.com/gowsgi/gowsgi/runner/engine"
	"github.com/gowsgi/gowsgi/runner/logging"
	"github.com/gowsgi/gowsgi/runner/pool"
	"github.com/gowsgi/gowsgi/runner/router"
	"github.com/gowsgi/gowsgi/runner/static"
	"github.com/gowsgi/gowsgi/runner/wsgi"
)

// app is one WSGI app: its pool, and what reloads it.
type app struct {
	pool   *pool.Pool
	spec   string // "myapp:app"
	dir    string // the directory of its top-level module or package
	reload chan string
}

// apps are the site's WSGI apps, one worker pool each. Two mounts of the
// same app with the same pool settings (an http and an https transport)
// share one pool.
type apps struct {
	list    []*app
	byMount map[*config.Mount]*app
	static  []string // static roots: changes there never reload an app
	stops   []chan struct{}
	wg      sync.WaitGroup
}

// startApps starts every WSGI mount's pool, in order; on the first failure
// it stops the ones started.
func startApps(site *config.Site, eng engine.Engine, lg *logging.Logger) (*apps, error) {
	a := &apps{byMount: map[*config.Mount]*app{}, static: site.StaticDirs()}
	fresh := append(append([]string{site.Dir}, site.Python.Path...), site.Reload.Watch...)
	mounts := site.WSGIMounts()
	var env []string
	for _, k := range slices.Sorted(maps.Keys(site.Python.Env)) {
		env = append(env, k+"="+site.Python.Env[k])
	}
	shared := map[config.WSGI]*app{}
	for _, m := range mounts {
		if ap, ok := shared[*m.WSGI]; ok {
			a.byMount[m] = ap
			continue
		}
		name := ""
		if len(mounts) > 1 {
			name = m.Path + " (" + m.WSGI.App + ")"
		}
		p := pool.New(pool.Options{
			App:        m.WSGI.App,
			Engine:     eng,
			Root:       site.Dir,
			PythonPath: site.Python.Path,
			Fresh:      fresh,
			Spares:     site.Reload.Enabled,
			Name:       name,
			Env:        env,
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
		ap := &app{pool: p, spec: m.WSGI.App, dir: moduleDir(site, m.WSGI.App), reload: make(chan string, 1)}
		a.list = append(a.list, ap)
		a.byMount[m] = ap
		shared[*m.WSGI] = ap
		if m.WSGI.Pool.MaxMemory > 0 {
			stop := make(chan struct{})
			a.stops = append(a.stops, stop)
			go p.WatchMemory(stop)
		}
		// One reload at a time per app; requests that arrive meanwhile
		// merge into one more, which sees all the changes.
		a.wg.Add(1)
		go func() {
			defer a.wg.Done()
			for why := range ap.reload {
				p.Reload(why)
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
// none does. Changes under a static root reload nothing.
func (a *apps) changed(dir string, paths []string) {
	touched := map[*app][]string{}
	for _, p := range paths {
		if a.underStatic(p) {
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
			ap.request(describeChanges(dir, ps))
		}
	}
}

func (a *apps) underStatic(path string) bool {
	for _, d := range a.static {
		if within(path, d) {
			return true
		}
	}
	return false
}

// within reports whether path is dir or inside it.
func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && filepath.IsLocal(rel) || rel == "."
}

// request asks for a reload, merging with one already waiting. A reload
// still importing older code is abandoned: this one supersedes it.
func (ap *app) request(why string) {
	ap.pool.AbandonReload()
	select {
	case ap.reload <- why:
	default:
	}
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
		ap.request(why)
	}
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
