package pool

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gowsgi/gowsgi/runner/config"
	"github.com/gowsgi/gowsgi/runner/engine"
	"github.com/gowsgi/gowsgi/runner/logging"
	"github.com/gowsgi/gowsgi/runner/wire"
)

// Errors acquire returns instead of a lane.
var (
	ErrQueueTimeout = errors.New("no free thread")
	ErrBroken       = errors.New("the app does not import")
	ErrClosed       = errors.New("shutting down")
)

// retireGrace is the least time an old worker gets to finish its requests
// when a reload or a stuck request retires it (--timeout, when longer, wins).
const retireGrace = 30 * time.Second

// Options is what a Pool runs and how.
type Options struct {
	App        string        // "pkg.mod.attr" or "pkg.mod:attr"
	Engine     engine.Engine // starts the worker processes
	Root       string        // the application directory (absolute)
	PythonPath []string      // extra sys.path entries (absolute)
	Fresh      []string      // directories whose modules are the app's own: imported anew on reload
	Spares     bool          // keep warm spare workers ready for a reload (when reload is on)
	Name       string        // how reload messages name the app when a site has several: "/api (api.app)"
	Env        []string      // "NAME=value" added to the workers' environment
	Protocol   string        // "wsgi" (the default) or "asgi"
	Lifespan   string        // ASGI: "auto", "on" or "off"
	config.Pool
	Log *logging.Logger
}

// Pool is one WSGI app and the worker processes that run it: the
// supervisor. It starts workers, replaces those that die or hang, and swaps
// in a new generation of workers on reload without dropping a request; its
// scheduler hands their lanes (one per worker thread) to requests.
type Pool struct {
	cfg     Options
	log     *logging.Logger
	wcfg    wire.WorkerConfig
	sched   dispatcher // one of:
	lanes   *scheduler // WSGI: a lane per request
	streams *streams   // ASGI: a stream per request on a worker's one lane

	mu      sync.Mutex
	procs   map[*worker]bool // every worker process alive: serving, loading, spare or retiring
	gen     int              // bumped by every reload that swaps the workers
	broken  *ImportError     // the latest code does not import
	closed  bool
	spares  []*worker       // started, app not imported: ready for the next reload
	retired []*worker       // retiring, oldest first: at most cfg.Workers of them
	pending int             // spares being started
	preload []string        // the libraries the current generation imported
	files   map[string]bool // the app's own source files, as the latest worker imported them
	notes   []string        // the latest worker's notes for the banner
	changed []string        // the files whose change the running reload is for
	bad     []string        // changed files that do not compile, from the latest worker

	dataLimitWarn sync.Once
	abandon       context.CancelFunc // ends the import of the reload in progress

	reloadMu sync.Mutex // one reload at a time
	restarts map[int]time.Time
}

// New makes the pool of an app; Start starts its workers.
func New(cfg Options) *Pool {
	asgi := cfg.Protocol == "asgi"
	if asgi {
		cfg.Threads = 1 // one lane, any number of streams on it
	} else {
		cfg.Protocol = "wsgi"
	}
	a := &Pool{
		cfg: cfg,
		log: cfg.Log,
		wcfg: wire.WorkerConfig{
			App:          cfg.App,
			Protocol:     cfg.Protocol,
			Lifespan:     cfg.Lifespan,
			Root:         cfg.Root,
			PythonPath:   cfg.PythonPath,
			Threads:      cfg.Threads,
			Multiprocess: cfg.Workers > 1,
			Multithread:  cfg.Threads > 1,
			Fresh:        cfg.Fresh,
		},
		procs:    map[*worker]bool{},
		restarts: map[int]time.Time{},
	}
	if asgi {
		a.streams = newStreams(a.idle, cfg.QueueTimeout)
		a.sched = a.streams
	} else {
		a.lanes = newScheduler(cfg.QueueTimeout, a.idle)
		a.sched = a.lanes
	}
	return a
}

// Acquire borrows a lane for one request, waiting at most --queue-timeout.
func (a *Pool) Acquire(ctx context.Context) (*Lane, error) { return a.lanes.acquire(ctx) }

// Release gives a lane back after its request.
func (a *Pool) Release(l *Lane) { a.lanes.release(l) }

// grace is how long a retired worker may take to finish its requests.
func (a *Pool) grace() time.Duration { return max(retireGrace, a.cfg.Timeout) }

// start brings up the first generation. An app that does not import is an
// *ImportError.
func (a *Pool) Start() error {
	ws, err := a.startGeneration(context.Background())
	if err != nil {
		return err
	}
	a.sched.add(ws...)
	a.fillSpares()
	return nil
}

// startGeneration starts cfg.Workers workers with the app imported, in
// parallel. On any failure it stops them all and returns the failure,
// preferring an ImportError (the user's to fix) over anything else; when
// ctx ends first, errAbandoned.
func (a *Pool) startGeneration(ctx context.Context) ([]*worker, error) {
	n := a.cfg.Workers
	ws := make([]*worker, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ws[i], errs[i] = a.startWorker(ctx, i+1)
		}()
	}
	wg.Wait()
	var first error
	if ctx.Err() != nil {
		errs = []error{errAbandoned} // whatever each worker came to
	}
	for _, err := range errs {
		var ie *ImportError
		if errors.As(err, &ie) {
			first = err
			break
		}
		if err != nil && first == nil {
			first = err
		}
	}
	if first != nil {
		for _, w := range ws {
			if w != nil {
				w.stop(0)
			}
		}
		return nil, first
	}
	return ws, nil
}

// startWorker takes a warm spare, or spawns a worker, and imports the app
// (within --import-timeout, and while ctx lasts).
func (a *Pool) startWorker(ctx context.Context, id int) (*worker, error) {
	w := a.takeSpare()
	if w == nil {
		var err error
		if w, err = a.spawn(id); err != nil {
			return nil, err
		}
	}
	w.id.Store(int32(id))
	if a.wcfg.Protocol == "asgi" {
		if !slices.Contains(w.protocols, "asgi") {
			w.stop(0)
			return nil, fmt.Errorf("%s (%s) cannot serve ASGI apps", w.tag(), w.info)
		}
		w.asgi = true
	}
	cfg := a.wcfg
	cfg.WorkerID = id
	a.mu.Lock()
	cfg.Changed = a.changed
	a.mu.Unlock()
	info, err := w.load(ctx, cfg, a.cfg.ImportTimeout)
	if err != nil {
		w.stop(0)
		a.mu.Lock()
		closed := a.closed
		a.mu.Unlock()
		if closed {
			return nil, ErrClosed // stopped by shutdown: not the app's failure
		}
		return nil, err
	}
	if a.cfg.MaxMemory > 0 {
		if err := limitData(w.pid, a.cfg.MaxMemory); err != nil && !w.dead() {
			a.dataLimitWarn.Do(func() {
				a.log.Warnf("--max-memory: cannot limit the workers' data size (%v); only their resident memory is checked", err)
			})
		}
	}
	a.mu.Lock()
	if len(info.Preload) > 0 {
		a.preload = info.Preload
	}
	a.notes = info.Notes
	a.bad = info.Uncompiled
	if len(info.Files) > 0 {
		a.files = map[string]bool{}
		for _, f := range info.Files {
			a.files[f] = true
		}
	}
	a.mu.Unlock()
	return w, nil
}

// Notes are the worker's lines for the banner, such as Django's static
// files being served in development.
func (a *Pool) Notes() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.notes
}

// Imports reports whether the app's workers imported the source file path,
// and whether they said what they imported at all (the gpython engine does not).
func (a *Pool) Imports(path string) (imported, known bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.files[path], a.files != nil
}

// spawn starts a worker process and keeps track of it, so that shutdown
// stops it whatever state it is in.
func (a *Pool) spawn(id int) (*worker, error) {
	a.mu.Lock()
	closed := a.closed
	a.mu.Unlock()
	if closed {
		return nil, ErrClosed
	}
	w, err := spawn(a.cfg.Engine, id, a.cfg.Threads, a.cfg.Env, a.log, a.exited)
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		w.stop(0)
		return nil, ErrClosed
	}
	if !w.dead() {
		a.procs[w] = true
	}
	return w, nil
}

func (a *Pool) takeSpare() *worker {
	a.mu.Lock()
	defer a.mu.Unlock()
	for len(a.spares) > 0 {
		w := a.spares[0]
		a.spares = a.spares[1:]
		if !w.dead() {
			return w
		}
	}
	return nil
}

// fillSpares starts warm spares in the background when reload is on, so a
// reload only pays for importing the app itself: not for starting an
// interpreter, nor for importing the libraries the app uses.
func (a *Pool) fillSpares() {
	if !a.cfg.Spares {
		return
	}
	a.mu.Lock()
	need := a.cfg.Workers - len(a.spares) - a.pending
	a.pending += max(need, 0)
	a.mu.Unlock()
	for range need {
		go func() {
			w, err := a.spawn(0)
			a.mu.Lock()
			defer a.mu.Unlock()
			a.pending--
			if err != nil {
				return // the next reload spawns instead, and reports why
			}
			if len(a.preload) > 0 {
				w.preload(wire.PreloadConfig{Root: a.cfg.Root, PythonPath: a.cfg.PythonPath, Modules: a.preload})
			}
			a.spares = append(a.spares, w)
		}()
	}
}

// retire lets a worker that no longer serves finish what it has in flight
// (within grace) and then exit. Each retiring worker holds a process, and
// one with a stuck request a core: past cfg.Workers of them, the oldest is
// killed (one with a stuck request first).
func (a *Pool) retire(w *worker, grace time.Duration) {
	w.retiring.Store(true)
	a.mu.Lock()
	a.retired = append(a.retired, w)
	var victims []*worker
	for len(a.retired) > a.cfg.Workers {
		i := slices.IndexFunc(a.retired, func(w *worker) bool { return w.stuck.Load() })
		i = max(i, 0)
		victims = append(victims, a.retired[i])
		a.retired = slices.Delete(a.retired, i, i+1)
	}
	a.mu.Unlock()
	for _, v := range victims {
		a.log.Warnf("more than %d workers retiring: killing worker %d (pid %d), retired with requests still in flight", a.cfg.Workers, v.id.Load(), v.pid)
		v.kill()
	}
	if n := w.closeSockets(1012, "service restart"); n > 0 {
		a.log.Infof("%s", a.named(fmt.Sprintf("closed %d WebSocket%s of retired worker %d (1012 service restart)", n, logging.Plural(n, "", "s"), w.id.Load())))
	}
	if w.busy() == 0 {
		a.idle(w)
		return
	}
	go func() {
		select {
		case <-w.exited:
		case <-time.After(grace):
			a.log.Warnf("worker %d (pid %d) still busy %s after it was retired: killing it", w.id.Load(), w.pid, grace)
			w.kill()
		}
	}()
}

// idle ends a retiring worker whose last request (as the scheduler counts
// them) has ended: it is asked to quit, or killed when a request stuck in
// it would never let it (a Python thread cannot be stopped, and it may be
// burning a core).
func (a *Pool) idle(w *worker) {
	if !w.stuck.Load() {
		w.stop(a.grace())
		return
	}
	if !w.dead() {
		a.log.Warnf("worker %d (pid %d) has finished its other requests: killing it, its stuck request never will", w.id.Load(), w.pid)
	}
	w.kill()
}

// Stuck is called when a request on l ran past --timeout (or its lane fell
// out of step): the thread cannot be interrupted, so the worker is retired
// and a new one takes its place at once. The worker is killed as soon as
// its other requests are done.
func (a *Pool) Stuck(l *Lane, why string) {
	w := l.w
	w.stuck.Store(true)
	if current := a.sched.remove(w); current {
		a.retire(w, a.grace())
		a.log.Warnf("worker %d (pid %d) %s: starting a replacement", w.id.Load(), w.pid, why)
		go a.replace(int(w.id.Load()), false)
	}
}

// exited is every worker's exit callback. An exit we did not ask for, of a
// serving worker, is a crash: log it and start a replacement.
func (a *Pool) exited(w *worker) {
	serving := a.sched.remove(w)
	a.mu.Lock()
	delete(a.procs, w)
	if i := slices.Index(a.retired, w); i >= 0 {
		a.retired = slices.Delete(a.retired, i, i+1)
	}
	crashed := serving && !a.closed && !w.stopping.Load()
	a.mu.Unlock()
	if crashed {
		a.log.Errorf("worker %d (pid %d) died%s; starting a new one", w.id.Load(), w.pid, exitNote(w.exitErr))
		go a.replace(int(w.id.Load()), true)
	}
}

// replace starts a worker in slot id. After a crash it backs off when that
// slot's workers keep dying young: a crash loop should not spin a core.
func (a *Pool) replace(id int, crashed bool) {
	delay := time.Duration(0)
	for {
		a.mu.Lock()
		last := a.restarts[id]
		a.restarts[id] = time.Now()
		gen, closed := a.gen, a.closed
		a.mu.Unlock()
		if closed {
			return
		}
		if crashed && time.Since(last) < 2*time.Second {
			delay = min(max(2*delay, 250*time.Millisecond), 5*time.Second)
			time.Sleep(delay)
		}
		w, err := a.startWorker(context.Background(), id)
		a.fillSpares()
		if err == nil {
			a.mu.Lock()
			defer a.mu.Unlock()
			if a.closed || a.gen != gen {
				// A reload replaced the whole generation meanwhile: this
				// worker may have imported the old code.
				w.stop(0)
				return
			}
			a.sched.add(w)
			return
		}
		var ie *ImportError
		if errors.As(err, &ie) {
			// The code on disk changed and no longer imports: show it like a failed reload.
			a.setBroken(ie)
			return
		}
		if errors.Is(err, ErrClosed) {
			return
		}
		a.log.Errorf("cannot start worker %d: %v", id, err)
		crashed = true // back off before trying again
	}
}

// setBroken retires every worker: requests get the import error until a
// reload fixes it.
func (a *Pool) setBroken(ie *ImportError) {
	if h, ok := a.cfg.Engine.(engine.Hinter); ok {
		ie.Hint = h.ImportHint(ie.Traceback)
	}
	a.mu.Lock()
	a.broken = ie
	a.gen++
	old := a.sched.setBroken()
	a.mu.Unlock()
	for _, w := range old {
		a.retire(w, a.grace())
	}
	what := "the app failed to import"
	if ie.Startup() {
		what = "the app's lifespan startup failed"
	}
	a.log.Block(ie.At.Format("15:04:05")+" "+a.named(what+"; serving an error page until it is fixed"), ie.Traceback)
	if ie.Hint != "" {
		a.log.Warnf("%s", ie.Hint)
	}
}

// Reload starts a new generation of workers with the code as it is now and,
// once it has imported the app, switches traffic to it. It reports whether
// what is served changed: the new code, or the page of its import error. The old generation
// finishes its requests. When the new code does not import, requests get an
// error page with the traceback until a later reload succeeds; when the new
// workers cannot start for another reason, the old ones keep serving.
func (a *Pool) Reload(why string, changed ...string) bool {
	a.reloadMu.Lock()
	defer a.reloadMu.Unlock()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a.mu.Lock()
	a.abandon = cancel
	a.mu.Unlock()
	t0 := time.Now()
	a.mu.Lock()
	a.changed, a.bad = changed, nil
	a.mu.Unlock()
	defer func() {
		a.mu.Lock()
		a.changed = nil
		a.mu.Unlock()
	}()
	ws, err := a.startGeneration(ctx)
	a.mu.Lock()
	a.abandon = nil
	closed := a.closed
	a.mu.Unlock()
	a.fillSpares()
	if closed || errors.Is(err, ErrClosed) {
		for _, w := range ws {
			w.stop(0)
		}
		return false // shutdown stopped it: whatever it came to is not the app's failure
	}
	if errors.Is(err, errAbandoned) {
		a.log.Warnf("%s", a.named(fmt.Sprintf("reload (%s) abandoned after %d ms: newer code came before it had imported", why, time.Since(t0).Milliseconds())))
		return false
	}
	if err != nil {
		var ie *ImportError
		if errors.As(err, &ie) {
			a.setBroken(ie)
			return true // what is served changed: the error page
		}
		a.log.Eventf("%s", a.named(fmt.Sprintf("reload (%s) failed, the running code keeps serving: %v", why, err)))
		return false
	}
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		for _, w := range ws {
			w.stop(0)
		}
		return false
	}
	wasBroken := a.broken != nil
	a.broken = nil
	a.gen++
	old := a.sched.swap(ws)
	a.mu.Unlock()
	for _, w := range old {
		a.retire(w, a.grace())
	}
	note := ""
	if wasBroken {
		note = "; the app imports again"
	}
	a.mu.Lock()
	bad := a.bad
	a.mu.Unlock()
	if len(bad) > 0 {
		// The app imported, but a module it imports later does not compile:
		// not a success to read past.
		a.log.Eventf("%s", a.named(fmt.Sprintf("reloaded (%s) in %d ms%s; but %s does not compile: %s",
			why, time.Since(t0).Milliseconds(), note, logging.Plural(len(bad), "a changed file", "changed files"), strings.Join(bad, "; "))))
	} else {
		a.log.Eventf("%s", a.named(fmt.Sprintf("reloaded (%s) in %d ms%s", why, time.Since(t0).Milliseconds(), note)))
	}
	return true
}

// AbandonReload stops the reload in progress, if it is still importing the
// app: newer code has come (a save, SIGHUP), and the reload that follows
// imports that instead. An import that hangs no longer holds up the fix.
func (a *Pool) AbandonReload() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.abandon != nil {
		a.abandon()
	}
}

// named prefixes a message with the app's name, when it has one.
func (a *Pool) named(msg string) string {
	if a.cfg.Name == "" {
		return msg
	}
	return a.cfg.Name + ": " + msg
}

// Broken returns the latest import failure, or nil.
func (a *Pool) Broken() *ImportError {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.broken
}

// close stops every worker process, whatever it is doing (serving, loading,
// spare, retiring), giving each grace to finish, and waits until all are gone.
func (a *Pool) Close(grace time.Duration) {
	a.mu.Lock()
	a.closed = true
	if a.abandon != nil {
		a.abandon() // a reload still importing: its workers go at once
	}
	var all []*worker
	for w := range a.procs {
		all = append(all, w)
	}
	a.spares = nil
	a.mu.Unlock()
	a.sched.close()
	for _, w := range all {
		w.stop(grace)
		go func() { // stop's own grace may be longer (a retired worker's)
			select {
			case <-w.exited:
			case <-time.After(w.quitTime(grace)):
				w.kill()
			}
		}()
	}
	for _, w := range all {
		<-w.exited
	}
}
