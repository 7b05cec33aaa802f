package runner

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gowsgi/gowsgi/runner/logging"
	"github.com/gowsgi/gowsgi/runner/wire"
)

// Errors acquire returns instead of a lane.
var (
	errQueueTimeout = errors.New("no free thread")
	errBroken       = errors.New("the app does not import")
	errClosed       = errors.New("shutting down")
)

// retireGrace bounds how long an old worker may take to finish the requests
// it has when a reload or a stuck request retires it.
const retireGrace = 30 * time.Second

// App is one WSGI app and the worker processes that run it. It hands out
// lanes (one per worker thread) to requests, replaces workers that die or
// hang, and swaps in a new generation of workers on reload without
// dropping a request.
type App struct {
	cfg  Config
	log  *logging.Logger
	wcfg wire.WorkerConfig

	mu      sync.Mutex
	idle    []*lane // free lanes of the current workers, most recently freed last
	waiters []chan *lane
	workers map[*worker]bool // the current generation, serving
	broken  *ImportError     // the latest code does not import
	closed  bool
	spares  []*worker // started, app not imported: ready for the next reload
	pending int       // spares being started
	preload []string  // the libraries the current generation imported

	reloadMu sync.Mutex // one reload at a time
	restarts map[int]time.Time
}

func newApp(cfg Config) *App {
	return &App{
		cfg: cfg,
		log: cfg.Log,
		wcfg: wire.WorkerConfig{
			App:          cfg.App,
			Protocol:     "wsgi",
			Root:         cfg.Root,
			PythonPath:   cfg.PythonPath,
			Threads:      cfg.Threads,
			Multiprocess: cfg.Workers > 1,
			Multithread:  cfg.Threads > 1,
			Fresh:        append(append([]string{cfg.Root}, cfg.PythonPath...), cfg.Reload.Watch...),
		},
		workers:  map[*worker]bool{},
		restarts: map[int]time.Time{},
	}
}

// start brings up the first generation. An app that does not import is an
// *ImportError.
func (a *App) start() error {
	ws, err := a.startGeneration()
	if err != nil {
		return err
	}
	a.mu.Lock()
	for _, w := range ws {
		a.addLocked(w)
	}
	a.mu.Unlock()
	a.fillSpares()
	return nil
}

// startGeneration starts cfg.Workers workers with the app imported, in
// parallel. On any failure it stops them all and returns the failure,
// preferring an ImportError (the user's to fix) over anything else.
func (a *App) startGeneration() ([]*worker, error) {
	n := a.cfg.Workers
	ws := make([]*worker, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ws[i], errs[i] = a.startWorker(i + 1)
		}()
	}
	wg.Wait()
	var first error
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

// startWorker takes a warm spare, or spawns a worker, and imports the app.
func (a *App) startWorker(id int) (*worker, error) {
	w := a.takeSpare()
	if w == nil {
		var err error
		if w, err = spawn(a.cfg.Engine, id, a.cfg.Threads, a.log); err != nil {
			return nil, err
		}
	}
	w.id.Store(int32(id))
	w.onExit = a.exited
	cfg := a.wcfg
	cfg.WorkerID = id
	info, err := w.load(cfg)
	if err != nil {
		w.stop(0)
		return nil, err
	}
	if len(info.Preload) > 0 {
		a.mu.Lock()
		a.preload = info.Preload
		a.mu.Unlock()
	}
	return w, nil
}

func (a *App) takeSpare() *worker {
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
func (a *App) fillSpares() {
	if !a.cfg.Reload.Enabled {
		return
	}
	a.mu.Lock()
	need := a.cfg.Workers - len(a.spares) - a.pending
	a.pending += max(need, 0)
	a.mu.Unlock()
	for range need {
		go func() {
			w, err := spawn(a.cfg.Engine, 0, a.cfg.Threads, a.log)
			a.mu.Lock()
			defer a.mu.Unlock()
			a.pending--
			if err != nil {
				return // the next reload spawns instead, and reports why
			}
			w.onExit = func(*worker) {}
			if a.closed {
				w.stop(0)
				return
			}
			if len(a.preload) > 0 {
				w.preload(wire.PreloadConfig{Root: a.cfg.Root, PythonPath: a.cfg.PythonPath, Modules: a.preload})
			}
			a.spares = append(a.spares, w)
		}()
	}
}

// addLocked makes w one of the serving workers and frees its lanes.
func (a *App) addLocked(w *worker) {
	a.workers[w] = true
	for _, l := range w.lanes {
		a.freeLocked(l)
	}
}

// freeLocked gives a lane to the longest waiter, or puts it on the idle stack.
func (a *App) freeLocked(l *lane) {
	if len(a.waiters) > 0 {
		ch := a.waiters[0]
		a.waiters = a.waiters[1:]
		ch <- l
		return
	}
	a.idle = append(a.idle, l)
}

// usable says whether a lane may take a request.
func (a *App) usableLocked(l *lane) bool {
	return !l.broken && a.workers[l.w] && !l.w.retiring.Load() && !l.w.dead()
}

// hotLanes is how many requests one worker runs at once before a new
// request would rather wait a moment for one of them to finish: past a few,
// threads mostly take turns at the GIL, and every turn costs a context switch.
const hotLanes = 4

// spillDelay is how long a request waits for a hot lane before it takes a
// cold one. Slow requests (sleeps, queries) still spread over every thread,
// each only this much later.
const spillDelay = time.Millisecond

// acquire borrows a lane, waiting at most cfg.QueueTimeout for one.
func (a *App) acquire(ctx context.Context) (*lane, error) {
	var expired <-chan time.Time // nil: --queue-timeout 0 waits as long as it takes
	if a.cfg.QueueTimeout > 0 {
		timer := time.NewTimer(a.cfg.QueueTimeout)
		defer timer.Stop()
		expired = timer.C
	}
	spill := false
	a.mu.Lock()
	for {
		if a.closed {
			a.mu.Unlock()
			return nil, errClosed
		}
		if l := a.takeIdleLocked(spill); l != nil {
			a.mu.Unlock()
			return l, nil
		}
		if a.broken != nil && len(a.workers) == 0 {
			a.mu.Unlock()
			return nil, errBroken
		}
		var spilled <-chan time.Time
		if len(a.idle) > 0 { // only cold lanes are free: give a hot one a moment
			t := time.NewTimer(spillDelay)
			defer t.Stop()
			spilled = t.C
		}
		ch := make(chan *lane, 1)
		a.waiters = append(a.waiters, ch)
		a.mu.Unlock()

		var l *lane
		var err error
		select {
		case l = <-ch:
		case <-spilled:
			spill = true
		case <-expired:
			err = errQueueTimeout
		case <-ctx.Done():
			err = ctx.Err()
		}
		a.mu.Lock()
		if l == nil {
			a.removeWaiterLocked(ch)
			select {
			case l = <-ch: // handed over just as we stopped waiting
			default:
			}
		}
		if l != nil && a.usableLocked(l) {
			if err == nil {
				l.w.inFlight.Add(1)
				a.mu.Unlock()
				return l, nil
			}
			a.freeLocked(l) // we are giving up: pass it on
		}
		if err != nil {
			a.mu.Unlock()
			return nil, err
		}
		// Spilled, or woken without a usable lane (a reload swapped the
		// workers, or failed): look again.
	}
}

// takeIdleLocked pops the most recently freed usable lane whose worker is
// not already running hotLanes requests (any such lane, with cold).
func (a *App) takeIdleLocked(cold bool) *lane {
	for i := len(a.idle) - 1; i >= 0; i-- {
		l := a.idle[i]
		if !a.usableLocked(l) {
			a.idle = append(a.idle[:i], a.idle[i+1:]...)
			continue
		}
		if cold || l.w.inFlight.Load() < hotLanes {
			a.idle = append(a.idle[:i], a.idle[i+1:]...)
			l.w.inFlight.Add(1)
			return l
		}
	}
	return nil
}

func (a *App) removeWaiterLocked(ch chan *lane) {
	for i, c := range a.waiters {
		if c == ch {
			a.waiters = append(a.waiters[:i], a.waiters[i+1:]...)
			return
		}
	}
}

// wakeWaitersLocked makes every waiter look again (after a failed reload).
func (a *App) wakeWaitersLocked() {
	for _, ch := range a.waiters {
		ch <- nil
	}
	a.waiters = nil
}

// release returns a lane after its request.
func (a *App) release(l *lane) {
	w := l.w
	left := w.inFlight.Add(-1)
	a.mu.Lock()
	if a.usableLocked(l) {
		a.freeLocked(l)
	}
	a.mu.Unlock()
	if left == 0 && w.retiring.Load() {
		w.stop(retireGrace)
	}
}

// retireLocked takes w out of service: it finishes what it has in flight
// (within grace) and then exits.
func (a *App) retireLocked(w *worker, grace time.Duration) {
	delete(a.workers, w)
	w.retiring.Store(true)
	if w.inFlight.Load() == 0 {
		w.stop(grace)
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

// stuck is called when a request on l ran past --timeout (or its lane fell
// out of step): the thread cannot be interrupted, so the worker is retired
// and a new one takes its place.
func (a *App) stuck(l *lane, why string) {
	w := l.w
	a.mu.Lock()
	current := a.workers[w]
	if current {
		grace := a.cfg.Timeout
		if grace < time.Second {
			grace = time.Second
		}
		a.retireLocked(w, grace)
	}
	a.mu.Unlock()
	if current {
		a.log.Warnf("worker %d (pid %d) %s: starting a replacement", w.id.Load(), w.pid, why)
		go a.replace(int(w.id.Load()))
	}
}

// exited is every worker's exit callback. An exit we did not ask for is a
// crash: log it and start a replacement.
func (a *App) exited(w *worker) {
	if w.stopping.Load() {
		return
	}
	a.mu.Lock()
	current := a.workers[w] && !a.closed
	delete(a.workers, w)
	a.mu.Unlock()
	if !current {
		return
	}
	a.log.Errorf("worker %d (pid %d) died%s; starting a new one", w.id.Load(), w.pid, exitNote(w.exitErr))
	go a.replace(int(w.id.Load()))
}

// replace starts a worker in slot id, backing off when that slot's workers
// keep dying young (a crash loop should not spin a core).
func (a *App) replace(id int) {
	delay := time.Duration(0)
	for attempt := 0; ; attempt++ {
		a.mu.Lock()
		last := a.restarts[id]
		a.restarts[id] = time.Now()
		closed := a.closed
		a.mu.Unlock()
		if closed {
			return
		}
		if time.Since(last) < 2*time.Second {
			delay = min(max(2*delay, 250*time.Millisecond), 5*time.Second)
			time.Sleep(delay)
		}
		w, err := a.startWorker(id)
		if err == nil {
			a.mu.Lock()
			if a.closed {
				a.mu.Unlock()
				w.stop(0)
				return
			}
			a.addLocked(w)
			a.mu.Unlock()
			return
		}
		var ie *ImportError
		if errors.As(err, &ie) {
			// The code on disk changed and no longer imports: show it like a failed reload.
			a.setBroken(ie)
			return
		}
		a.log.Errorf("cannot start worker %d: %v", id, err)
	}
}

func (a *App) setBroken(ie *ImportError) {
	a.mu.Lock()
	a.broken = ie
	for w := range a.workers {
		a.retireLocked(w, retireGrace)
	}
	a.idle = nil
	a.wakeWaitersLocked()
	a.mu.Unlock()
	a.log.Block("the app failed to import; serving an error page until it is fixed", ie.Traceback)
}

// Reload starts a new generation of workers with the code as it is now and,
// once it has imported the app, switches traffic to it. The old generation
// finishes its requests. When the new code does not import, requests get an
// error page with the traceback until a later reload succeeds.
func (a *App) Reload(why string) {
	a.reloadMu.Lock()
	defer a.reloadMu.Unlock()
	t0 := time.Now()
	ws, err := a.startGeneration()
	a.fillSpares()
	if err != nil {
		var ie *ImportError
		if !errors.As(err, &ie) {
			ie = &ImportError{At: time.Now(), Traceback: err.Error() + "\n"}
		}
		a.setBroken(ie)
		return
	}
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		for _, w := range ws {
			w.stop(0)
		}
		return
	}
	wasBroken := a.broken != nil
	a.broken = nil
	for w := range a.workers {
		a.retireLocked(w, retireGrace)
	}
	// Newest lanes on top of the stack, old ones filtered out as they surface.
	for _, w := range ws {
		a.addLocked(w)
	}
	a.mu.Unlock()
	note := ""
	if wasBroken {
		note = "; the app imports again"
	}
	a.log.Infof("reloaded (%s) in %d ms%s", why, time.Since(t0).Milliseconds(), note)
}

// Broken returns the latest import failure, or nil.
func (a *App) Broken() *ImportError {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.broken
}

// close stops every worker: the serving ones get grace to finish.
func (a *App) close(grace time.Duration) {
	a.mu.Lock()
	a.closed = true
	var all []*worker
	for w := range a.workers {
		all = append(all, w)
	}
	all = append(all, a.spares...)
	a.spares = nil
	a.workers = map[*worker]bool{}
	a.idle = nil
	a.wakeWaitersLocked()
	a.mu.Unlock()
	for _, w := range all {
		w.stop(grace)
	}
	for _, w := range all {
		<-w.exited
	}
}

// describeChanges turns a list of changed paths into a short phrase.
func describeChanges(root string, paths []string) string {
	rel := make([]string, 0, len(paths))
	for _, p := range paths {
		rel = append(rel, strings.TrimPrefix(strings.TrimPrefix(p, root), "/"))
	}
	sort.Strings(rel)
	if len(rel) > 3 {
		return fmt.Sprintf("%s and %d more changed", strings.Join(rel[:3], ", "), len(rel)-3)
	}
	return strings.Join(rel, ", ") + " changed"
}
