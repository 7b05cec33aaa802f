package pool

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gowsgi/gowsgi/runner/config"
	"github.com/gowsgi/gowsgi/runner/logging"
	"github.com/gowsgi/gowsgi/runner/pool/fakeworker"
	"github.com/gowsgi/gowsgi/runner/wire"
)

// These tests run the pool against fake workers (runner/pool/fakeworker):
// the test binary re-executed, speaking the real protocol, reporting what it
// does. They synchronise on those reports and on the pool's own state, never
// on the clock; fakeworker.Guard only turns a hang into a failure.

func TestMain(m *testing.M) {
	fakeworker.Main() // returns at once unless this process is a fake worker
	os.Exit(m.Run())
}

// syncBuffer is a log the test reads while the pool writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// newPool makes a pool of fake workers, not started; the test's cleanup
// closes it.
func newPool(t testing.TB, workers, threads int, edit func(*Options)) (*Pool, *fakeworker.Hub, *syncBuffer) {
	t.Helper()
	hub := fakeworker.New(t)
	logs := &syncBuffer{}
	o := Options{
		App:    "fakeapp:application",
		Engine: hub.Engine(),
		Root:   t.TempDir(),
		Pool:   config.Pool{Workers: workers, Threads: threads, QueueTimeout: fakeworker.Guard},
		Log:    logging.New(logging.Options{Out: logs}),
	}
	if edit != nil {
		edit(&o)
	}
	p := New(o)
	t.Cleanup(func() { p.Close(time.Second) })
	return p, hub, logs
}

// startPool is newPool, started.
func startPool(t *testing.T, workers, threads int, edit func(*Options)) (*Pool, *fakeworker.Hub, *syncBuffer) {
	t.Helper()
	p, hub, logs := newPool(t, workers, threads, edit)
	if err := p.Start(); err != nil {
		t.Fatalf("Start: %v\nlog:\n%s", err, logs)
	}
	return p, hub, logs
}

// request is the environ of a GET of path?query without a body.
func request(path, query string) []byte {
	var b []byte
	b = wire.AppendPair(b, "REQUEST_METHOD", "GET")
	b = wire.AppendPair(b, "SCRIPT_NAME", "")
	b = wire.AppendPair(b, "PATH_INFO", path)
	b = wire.AppendPair(b, "QUERY_STRING", query)
	b = wire.AppendPair(b, "gowsgi.body", "0")
	return b
}

// response is what a worker answered on a lane.
type response struct {
	status string // "" when it failed
	body   string
	fail   string // the traceback of a Fail frame
}

// readResponse reads a response's frames up to its End or Fail.
func readResponse(l *Lane) (response, error) {
	var r response
	l.SetReadDeadline(time.Now().Add(fakeworker.Guard))
	defer l.SetReadDeadline(time.Time{})
	for {
		typ, p, err := l.Next()
		if err != nil {
			return r, err
		}
		switch typ {
		case wire.Start:
			r.status, _, _ = strings.Cut(string(p), "\x00")
		case wire.Data:
			r.body += string(p)
		case wire.Log:
		case wire.End:
			return r, nil
		case wire.Fail:
			r.fail = string(p)
			return r, nil
		default:
			return r, fmt.Errorf("unexpected frame %q", typ)
		}
	}
}

// roundTrip runs one request on a borrowed lane.
func roundTrip(l *Lane, path, query string) (response, error) {
	if err := l.Send(wire.Request, request(path, query)); err != nil {
		return response{}, err
	}
	return readResponse(l)
}

// do borrows a lane, runs one request on it and gives it back. It may run
// on any goroutine.
func do(p *Pool, path, query string) (response, error) {
	ctx, cancel := context.WithTimeout(context.Background(), fakeworker.Guard)
	defer cancel()
	l, err := p.Acquire(ctx)
	if err != nil {
		return response{}, fmt.Errorf("acquire: %w", err)
	}
	r, err := roundTrip(l, path, query)
	if err != nil {
		l.MarkBroken()
	}
	p.Release(l)
	return r, err
}

func acquire(t *testing.T, p *Pool) *Lane {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), fakeworker.Guard)
	defer cancel()
	l, err := p.Acquire(ctx)
	if err != nil {
		t.Fatalf("Acquire: %v", err)
	}
	return l
}

// eventually waits until cond holds, polling (for state that has nothing
// to wait on, such as the pool's queue or a process's end); it fails the
// test after fakeworker.Guard.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(fakeworker.Guard)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", fakeworker.Guard, what)
		}
		time.Sleep(time.Millisecond)
	}
}

// alive reports whether process pid exists.
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// laneKey names one thread: "pid/lane".
func laneKey(e fakeworker.Event) string { return fmt.Sprintf("%d/%d", e.PID, e.Lane) }

// lanesUsed returns the threads that served the requests whose id starts
// with prefix.
func lanesUsed(s *fakeworker.State, prefix string) map[string]bool {
	used := map[string]bool{}
	for _, e := range s.Events {
		if e.Kind == fakeworker.EvRequest && strings.HasPrefix(e.ID, prefix) {
			used[laneKey(e)] = true
		}
	}
	return used
}

// blockedWith counts the requests blocked now whose id starts with prefix.
func blockedWith(s *fakeworker.State, prefix string) int {
	n := 0
	for id := range s.Blocked {
		if strings.HasPrefix(id, prefix) {
			n++
		}
	}
	return n
}

// requestPID is the worker that served the request with this id.
func requestPID(t *testing.T, hub *fakeworker.Hub, id string) int {
	t.Helper()
	var pid int
	hub.WaitFor(t, "request "+id, func(s *fakeworker.State) bool {
		e, ok := s.Find(fakeworker.EvRequest, func(e fakeworker.Event) bool { return e.ID == id })
		pid = e.PID
		return ok
	})
	return pid
}

// blockAll starts one /block request per id, each on its own goroutine
// through do, and returns a wait for their answers that checks them.
func blockAll(t *testing.T, p *Pool, ids []string) (wait func()) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []string
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := do(p, "/block", "id="+id)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, fmt.Sprintf("/block?id=%s: %v", id, err))
			} else if r.status != "200 OK" || r.body != "released "+id {
				errs = append(errs, fmt.Sprintf("/block?id=%s answered %q %q", id, r.status, r.body))
			}
		}()
	}
	return func() {
		t.Helper()
		wg.Wait()
		for _, e := range errs {
			t.Error(e)
		}
	}
}

func ids(prefix string, n int) []string {
	var out []string
	for i := range n {
		out = append(out, fmt.Sprintf("%s%d", prefix, i))
	}
	return out
}

// Start brings up every worker with every lane served; Close stops every
// process, and the pool refuses requests after it.
func TestStartAndClose(t *testing.T) {
	p, hub, _ := startPool(t, 2, 3, nil)
	hub.WaitFor(t, "two workers ready", func(s *fakeworker.State) bool { return s.Count(fakeworker.EvReady, nil) == 2 })

	// Six lanes: hold them all at once, one request on each.
	var held []*Lane
	for i := range 6 {
		l := acquire(t, p)
		if r, err := roundTrip(l, "/hello", fmt.Sprintf("id=s%d", i)); err != nil || r.status != "200 OK" || r.body != "hello" {
			t.Fatalf("/hello on lane %d: %+v, %v", i, r, err)
		}
		held = append(held, l)
	}
	for _, l := range held {
		p.Release(l)
	}
	hub.WaitFor(t, "six requests", func(s *fakeworker.State) bool { return s.Count(fakeworker.EvRequest, nil) == 6 })
	st := hub.State()
	if used := lanesUsed(&st, "s"); len(used) != 6 {
		t.Errorf("6 lanes held at once ran on %d threads: %v", len(used), used)
	}

	pids := st.PIDs
	if len(pids) != 2 {
		t.Fatalf("%d worker processes started, want 2", len(pids))
	}
	p.Close(time.Second)
	for _, pid := range pids {
		if alive(pid) {
			t.Errorf("worker pid %d still runs after Close", pid)
		}
	}
	hub.WaitFor(t, "both workers told to quit", func(s *fakeworker.State) bool { return s.Count(fakeworker.EvQuit, nil) == 2 })
	if _, err := p.Acquire(context.Background()); !errors.Is(err, ErrClosed) {
		t.Errorf("Acquire after Close: %v, want ErrClosed", err)
	}
}

// A released lane is the next one borrowed: the idle lanes are a stack.
func TestAcquireRelease(t *testing.T) {
	p, _, _ := startPool(t, 1, 2, nil)
	l1 := acquire(t, p)
	if r, err := roundTrip(l1, "/hello", ""); err != nil || r.status != "200 OK" || r.body != "hello" {
		t.Fatalf("/hello: %+v, %v", r, err)
	}
	l2 := acquire(t, p)
	if l2 == l1 {
		t.Fatal("two requests at once got the same lane")
	}
	if r, err := roundTrip(l2, "/nothing", ""); err != nil || r.status != "404 Not Found" {
		t.Fatalf("/nothing: %+v, %v", r, err)
	}
	p.Release(l2)
	p.Release(l1)
	if l := acquire(t, p); l != l1 {
		t.Error("the lane freed last is not the one borrowed next")
	} else {
		p.Release(l)
	}
}

// A light load stays on a few warm threads: one lane for sequential
// requests, at most as many lanes as requests in flight (up to hotLanes).
func TestHotLanes(t *testing.T) {
	p, hub, _ := startPool(t, 1, 20, nil)

	for i := range 50 {
		if r, err := do(p, "/hello", fmt.Sprintf("id=seq%d", i)); err != nil || r.body != "hello" {
			t.Fatalf("request %d: %+v, %v", i, r, err)
		}
	}
	hub.WaitFor(t, "50 sequential requests", func(s *fakeworker.State) bool {
		return s.Count(fakeworker.EvRequest, func(e fakeworker.Event) bool { return strings.HasPrefix(e.ID, "seq") }) == 50
	})
	st := hub.State()
	if used := lanesUsed(&st, "seq"); len(used) != 1 {
		t.Errorf("50 sequential requests used %d threads, want 1: %v", len(used), used)
	}

	for _, clients := range []int{2, hotLanes} {
		prefix := fmt.Sprintf("c%d-", clients)
		var wg sync.WaitGroup
		for c := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 30 {
					if _, err := do(p, "/hello", fmt.Sprintf("id=%s%d-%d", prefix, c, i)); err != nil {
						t.Errorf("client %d: %v", c, err)
						return
					}
				}
			}()
		}
		wg.Wait()
		hub.WaitFor(t, "the clients' requests", func(s *fakeworker.State) bool {
			return s.Count(fakeworker.EvRequest, func(e fakeworker.Event) bool { return strings.HasPrefix(e.ID, prefix) }) == clients*30
		})
		st := hub.State()
		if used := lanesUsed(&st, prefix); len(used) > clients {
			t.Errorf("%d clients in a loop used %d threads, want at most %d: %v", clients, len(used), clients, used)
		}
	}
}

// Requests that block (a sleep, a slow query) spread over every thread of
// every worker.
func TestBlockingLoadSpreadsOverEveryThread(t *testing.T) {
	for _, shape := range []struct{ workers, threads int }{{1, 20}, {2, 6}} {
		t.Run(fmt.Sprintf("%dx%d", shape.workers, shape.threads), func(t *testing.T) {
			p, hub, _ := startPool(t, shape.workers, shape.threads, nil)
			n := shape.workers * shape.threads
			all := ids("b", n)
			wait := blockAll(t, p, all)
			hub.WaitFor(t, fmt.Sprintf("%d requests blocked at once", n), func(s *fakeworker.State) bool { return len(s.Blocked) == n })
			st := hub.State()
			threads := map[string]bool{}
			pids := map[int]bool{}
			for _, e := range st.Blocked {
				threads[laneKey(e)] = true
				pids[e.PID] = true
			}
			if len(threads) != n || len(pids) != shape.workers {
				t.Errorf("%d blocked requests ran on %d threads of %d workers, want %d of %d", n, len(threads), len(pids), n, shape.workers)
			}
			hub.Release(all...)
			wait()
		})
	}
}

// With every thread busy, a request waits --queue-timeout and gets
// ErrQueueTimeout; one whose client left gets the context's error.
func TestQueueTimeout(t *testing.T) {
	p, hub, _ := startPool(t, 1, 1, func(o *Options) { o.QueueTimeout = 50 * time.Millisecond })
	l := acquire(t, p)
	if err := l.Send(wire.Request, request("/block", "id=hold")); err != nil {
		t.Fatal(err)
	}
	hub.WaitFor(t, "the only thread blocked", func(s *fakeworker.State) bool { return len(s.Blocked) == 1 })

	if got, err := p.Acquire(context.Background()); !errors.Is(err, ErrQueueTimeout) {
		t.Errorf("Acquire with every thread busy: %v, %v; want ErrQueueTimeout", got, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if got, err := p.Acquire(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Acquire for a client that left: %v, %v; want context.Canceled", got, err)
	}

	hub.Release("hold")
	if r, err := readResponse(l); err != nil || r.body != "released hold" {
		t.Fatalf("/block: %+v, %v", r, err)
	}
	p.Release(l)
	if l2 := acquire(t, p); l2 != l {
		t.Error("the freed thread is not served again")
	} else {
		p.Release(l2)
	}
}

// A worker that dies is replaced: the next request runs in a new process.
func TestCrashedWorkerIsReplaced(t *testing.T) {
	p, hub, logs := startPool(t, 1, 2, nil)
	l := acquire(t, p)
	if r, err := roundTrip(l, "/crash", "id=crash"); err == nil {
		t.Fatalf("/crash answered %+v", r)
	}
	crashed := requestPID(t, hub, "crash")
	gone, how := l.WaitExit(fakeworker.Guard)
	if !gone || how != " (exit status 3)" {
		t.Fatalf("WaitExit after /crash: gone %v, %q", gone, how)
	}
	l.MarkBroken()
	p.Release(l)

	r, err := do(p, "/hello", "id=after")
	if err != nil || r.body != "hello" {
		t.Fatalf("/hello after the crash: %+v, %v", r, err)
	}
	if pid := requestPID(t, hub, "after"); pid == crashed {
		t.Errorf("the request after the crash ran in the crashed worker (pid %d)", pid)
	}
	if !strings.Contains(logs.String(), "died (exit status 3); starting a new one") {
		t.Errorf("the log does not report the crash:\n%s", logs)
	}
}

// Reload swaps generations without failing a request in flight: the old
// lane finishes its request, new requests go to the new workers, and the
// old worker exits once it is idle.
func TestReloadKeepsInFlightRequest(t *testing.T) {
	p, hub, logs := startPool(t, 1, 2, nil)
	old := acquire(t, p)
	if err := old.Send(wire.Request, request("/block", "id=old")); err != nil {
		t.Fatal(err)
	}
	oldPID := requestPID(t, hub, "old")
	hub.WaitFor(t, "the old request blocked", func(s *fakeworker.State) bool { return len(s.Blocked) == 1 })

	p.Reload("a test")
	if !strings.Contains(logs.String(), "reloaded (a test)") {
		t.Errorf("the log does not report the reload:\n%s", logs)
	}
	// Both threads of the new worker, at once.
	a, b := acquire(t, p), acquire(t, p)
	for i, l := range []*Lane{a, b} {
		id := fmt.Sprintf("new%d", i)
		if r, err := roundTrip(l, "/hello", "id="+id); err != nil || r.body != "hello" {
			t.Fatalf("/hello after the reload: %+v, %v", r, err)
		}
		if pid := requestPID(t, hub, id); pid == oldPID {
			t.Errorf("a request after the reload ran in the old worker (pid %d)", pid)
		}
	}
	p.Release(a)
	p.Release(b)

	hub.Release("old")
	if r, err := readResponse(old); err != nil || r.status != "200 OK" || r.body != "released old" {
		t.Fatalf("the request in flight across the reload: %+v, %v", r, err)
	}
	p.Release(old)
	if gone, _ := old.WaitExit(fakeworker.Guard); !gone {
		t.Fatalf("the old worker did not exit once its request was done:\n%s", hub.Dump())
	}
	hub.WaitFor(t, "the old worker told to quit", func(s *fakeworker.State) bool { return hasQuit(s, oldPID) })
	if r, err := do(p, "/hello", ""); err != nil || r.body != "hello" {
		t.Fatalf("/hello once the old worker is gone: %+v, %v", r, err)
	}
}

const importTraceback = "Traceback (most recent call last):\n  File \"fakeapp.py\", line 1, in <module>\nImportError: No module named 'nothing'\n"

// An app that does not import is an *ImportError with its traceback, at
// Start and at Reload; after a reload that imports, the pool serves again.
func TestImportError(t *testing.T) {
	t.Run("start", func(t *testing.T) {
		p, hub, _ := newPool(t, 1, 2, nil)
		if err := hub.FailImport(importTraceback); err != nil {
			t.Fatal(err)
		}
		err := p.Start()
		var ie *ImportError
		if !errors.As(err, &ie) || ie.Traceback != importTraceback {
			t.Fatalf("Start of an app that does not import: %v; want an *ImportError with the traceback", err)
		}
		hub.WaitFor(t, "the worker's failed import", func(s *fakeworker.State) bool { return s.Count(fakeworker.EvFailed, nil) == 1 })
		pids := hub.State().PIDs
		if len(pids) != 1 {
			t.Fatalf("%d workers started, want 1", len(pids))
		}
		eventually(t, "the failed worker to exit", func() bool { return !alive(pids[0]) })
	})

	t.Run("reload", func(t *testing.T) {
		p, hub, logs := startPool(t, 1, 2, nil)
		if err := hub.FailImport(importTraceback); err != nil {
			t.Fatal(err)
		}
		p.Reload("broken code")
		if ie := p.Broken(); ie == nil || ie.Traceback != importTraceback {
			t.Fatalf("Broken after a reload that does not import: %v", ie)
		}
		if !strings.Contains(logs.String(), "ImportError: No module named 'nothing'") {
			t.Errorf("the log does not show the traceback:\n%s", logs)
		}
		if _, err := do(p, "/hello", ""); !errors.Is(err, ErrBroken) {
			t.Fatalf("a request while the app does not import: %v, want ErrBroken", err)
		}

		if err := hub.FailImport(""); err != nil {
			t.Fatal(err)
		}
		p.Reload("fixed code")
		if ie := p.Broken(); ie != nil {
			t.Fatalf("Broken after a reload that imports: %v", ie)
		}
		if r, err := do(p, "/hello", ""); err != nil || r.body != "hello" {
			t.Fatalf("/hello after the fix: %+v, %v", r, err)
		}
		if !strings.Contains(logs.String(), "the app imports again") {
			t.Errorf("the log does not say the app imports again:\n%s", logs)
		}
	})
}

// Close stops every process whatever it is doing: serving, retiring with a
// request that never ends, or waiting as a warm spare.
func TestCloseStopsEveryProcess(t *testing.T) {
	p, hub, _ := startPool(t, 2, 2, func(o *Options) { o.Spares = true })
	sparesReady := func() bool {
		p.mu.Lock()
		defer p.mu.Unlock()
		return len(p.spares) == 2 && p.pending == 0
	}
	eventually(t, "two warm spares", sparesReady)

	l := acquire(t, p)
	if err := l.Send(wire.Request, request("/hang", "id=hang")); err != nil {
		t.Fatal(err)
	}
	requestPID(t, hub, "hang")
	p.Reload("a test") // the spares serve; the hung worker retires
	eventually(t, "two new warm spares", sparesReady)

	// 2 first, 2 spares that now serve, 2 new spares.
	hub.WaitFor(t, "six worker processes", func(s *fakeworker.State) bool { return len(s.PIDs) == 6 })
	pids := hub.State().PIDs
	p.Close(100 * time.Millisecond)
	for _, pid := range pids {
		if alive(pid) {
			t.Errorf("worker pid %d still runs after Close", pid)
		}
	}
}

// The defect: once every thread had been busy and requests queued, lanes
// freed while the worker still had hotLanes requests in flight stayed idle,
// so the queue ran on hotLanes threads (40 one-second requests on 20 threads
// took 6 s, not 2). A thread freed while requests wait must serve them.
func TestQueuedRequestsTakeFreedThreads(t *testing.T) {
	queued := func(t *testing.T, p *Pool, n int) {
		t.Helper()
		eventually(t, fmt.Sprintf("%d requests waiting in line", n), func() bool {
			p.lanes.mu.Lock()
			defer p.lanes.mu.Unlock()
			return len(p.lanes.waiters) == n
		})
	}

	t.Run("all", func(t *testing.T) {
		p, hub, _ := startPool(t, 1, 20, nil)
		first, next := ids("first", 20), ids("next", 20)
		waitFirst := blockAll(t, p, first)
		hub.WaitFor(t, "20 requests blocked on the 20 threads", func(s *fakeworker.State) bool { return len(s.Blocked) == 20 })
		waitNext := blockAll(t, p, next)
		queued(t, p, 20)

		hub.Release(first...)
		hub.WaitFor(t, "all 20 queued requests running at once", func(s *fakeworker.State) bool { return blockedWith(s, "next") == 20 })
		waitFirst()
		hub.Release(next...)
		waitNext()
	})

	t.Run("one", func(t *testing.T) {
		p, hub, _ := startPool(t, 1, 20, nil)
		busy := ids("busy", 20)
		waitBusy := blockAll(t, p, busy)
		hub.WaitFor(t, "20 requests blocked on the 20 threads", func(s *fakeworker.State) bool { return len(s.Blocked) == 20 })
		waitNext := blockAll(t, p, []string{"next"})
		queued(t, p, 1)

		// One thread comes free while 19 stay busy: the waiting request takes it.
		hub.Release(busy[0])
		hub.WaitFor(t, "the queued request running", func(s *fakeworker.State) bool { return blockedWith(s, "next") == 1 })
		hub.Release(busy[1:]...)
		waitBusy()
		hub.Release("next")
		waitNext()
	})
}

func hasQuit(s *fakeworker.State, pid int) bool {
	_, ok := s.Find(fakeworker.EvQuit, func(e fakeworker.Event) bool { return e.PID == pid })
	return ok
}

// The other half of the hot-lane rule, which the fix keeps: a lane freed
// while its worker still runs hotLanes requests goes to a waiter only if that
// waiter has spilled (the hot lanes are stuck); one still hoping for a hot
// lane leaves it to cool, so that a passing spill does not keep the worker
// on every thread. This drives dropLocked directly with waiters of each
// kind, since a real hot waiter spills after spillDelay.
func TestSpilledLaneCools(t *testing.T) {
	p, _, _ := startPool(t, 1, 20, nil)
	var held []*Lane
	for range hotLanes + 2 { // the last two spill
		held = append(held, acquire(t, p))
	}
	w := held[0].w
	hot, cold := &waiter{ch: make(chan *Lane, 1)}, &waiter{ch: make(chan *Lane, 1), cold: true}
	s := p.lanes

	s.mu.Lock()
	s.waiters = append(s.waiters, hot, cold)
	l := held[len(held)-1]
	s.dropLocked(l) // hotLanes+1 left in flight
	s.removeWaiterLocked(hot)
	s.removeWaiterLocked(cold)
	inFlight := w.inFlight.Load()
	s.mu.Unlock()
	select {
	case got := <-cold.ch:
		if got != l {
			t.Fatal("the spilled waiter got another lane")
		}
	default:
		t.Fatal("a lane freed past the hot lanes did not go to the spilled waiter")
	}
	if len(hot.ch) != 0 {
		t.Fatal("the waiter hoping for a hot lane got the spilled one")
	}
	if inFlight != hotLanes+2 {
		t.Errorf("in flight after the hand-over: %d, want %d", inFlight, hotLanes+2)
	}

	s.mu.Lock()
	s.waiters = append(s.waiters, hot)
	s.dropLocked(l) // hotLanes+1 left in flight: cools
	cooled := len(s.idle) > 0 && s.idle[len(s.idle)-1] == l
	s.removeWaiterLocked(hot)
	s.mu.Unlock()
	if len(hot.ch) != 0 || !cooled {
		t.Fatalf("with only a waiter hoping for a hot lane, the spilled lane was handed on (cooled: %v)", cooled)
	}

	for _, l := range held[:len(held)-1] {
		p.Release(l)
	}
	if n := w.inFlight.Load(); n != 0 {
		t.Errorf("in flight at the end: %d", n)
	}
}

// holdStuck starts two requests on one worker: /hang on one lane (it never
// ends, whatever it is told) and /block on the other. It returns both lanes
// and the worker's pid.
func holdStuck(t *testing.T, p *Pool, hub *fakeworker.Hub, prefix string) (stuck, busy *Lane, pid int) {
	t.Helper()
	stuck, busy = acquire(t, p), acquire(t, p)
	if stuck.w != busy.w {
		t.Fatal("the two lanes are not on one worker")
	}
	if err := stuck.Send(wire.Request, request("/hang", "id="+prefix+"hang")); err != nil {
		t.Fatal(err)
	}
	if err := busy.Send(wire.Request, request("/block", "id="+prefix+"busy")); err != nil {
		t.Fatal(err)
	}
	pid = requestPID(t, hub, prefix+"hang")
	hub.WaitFor(t, prefix+"busy blocked", func(s *fakeworker.State) bool { _, ok := s.Blocked[prefix+"busy"]; return ok })
	return stuck, busy, pid
}

// giveUp does what the exchange does with a request stuck past --timeout:
// it reports the lane stuck and gives it back, out of service.
func giveUp(p *Pool, l *Lane) {
	p.Stuck(l, "has a request stuck past --timeout 1s")
	l.MarkBroken()
	p.Release(l)
}

// The defect: a worker retired for a request stuck past --timeout waited the
// whole grace (30 s) for it, burning a core. It is killed as soon as its
// other requests are done, and not before.
func TestStuckWorkerKilledOnceItsOtherRequestsAreDone(t *testing.T) {
	p, hub, logs := startPool(t, 1, 2, nil)
	stuck, busy, pid := holdStuck(t, p, hub, "")
	giveUp(p, stuck)

	if r, err := do(p, "/hello", "id=new"); err != nil || r.body != "hello" {
		t.Fatalf("/hello on the replacement: %+v, %v", r, err)
	}
	if requestPID(t, hub, "new") == pid {
		t.Fatal("a request went to the retired worker")
	}
	if !alive(pid) {
		t.Fatal("the worker was killed while another request of its was in flight")
	}
	hub.Release("busy")
	if r, err := readResponse(busy); err != nil || r.body != "released busy" {
		t.Fatalf("the stuck worker's other request: %+v, %v", r, err)
	}
	p.Release(busy)
	if gone, how := busy.WaitExit(fakeworker.Guard); !gone || how != " (killed by SIGKILL)" {
		t.Fatalf("once its other request was done, the stuck worker: gone %v%s", gone, how)
	}
	if !strings.Contains(logs.String(), "has finished its other requests: killing it") {
		t.Errorf("the log does not say why the worker was killed:\n%s", logs)
	}
}

// The defect: nothing bounded how many retired workers piled up, each with a
// stuck request spinning. At most --workers retire at once: past that, the
// oldest is killed.
func TestRetiringWorkersAreBounded(t *testing.T) {
	p, hub, logs := startPool(t, 1, 2, nil)
	aStuck, aBusy, aPID := holdStuck(t, p, hub, "a-")
	giveUp(p, aStuck)
	bStuck, bBusy, bPID := holdStuck(t, p, hub, "b-") // on the replacement
	if bPID == aPID {
		t.Fatal("the replacement is the retired worker")
	}
	giveUp(p, bStuck)

	if gone, _ := aBusy.WaitExit(fakeworker.Guard); !gone {
		t.Fatalf("two workers retiring with --workers 1: the older one still runs\n%s", logs)
	}
	if !alive(bPID) {
		t.Fatal("the newer retiring worker was killed too")
	}
	if !strings.Contains(logs.String(), fmt.Sprintf("more than 1 workers retiring: killing worker 1 (pid %d)", aPID)) {
		t.Errorf("the log does not say why the older worker was killed:\n%s", logs)
	}
	if _, err := readResponse(aBusy); err == nil {
		t.Error("a request of the killed worker answered")
	}
	aBusy.MarkBroken()
	p.Release(aBusy)

	hub.Release("b-busy")
	if r, err := readResponse(bBusy); err != nil || r.body != "released b-busy" {
		t.Fatalf("the newer retiring worker's request: %+v, %v", r, err)
	}
	p.Release(bBusy)
	if gone, _ := bBusy.WaitExit(fakeworker.Guard); !gone {
		t.Fatal("the newer stuck worker still runs once its other request is done")
	}
	if r, err := do(p, "/hello", ""); err != nil || r.body != "hello" {
		t.Fatalf("/hello after: %+v, %v", r, err)
	}
}

// The defect: --max-memory was checked only on serving workers; a retired
// one grew to 1.5 GiB against 400 MiB. Every worker process is held to it.
func TestMaxMemoryCoversRetiringWorkers(t *testing.T) {
	p, hub, logs := startPool(t, 1, 2, func(o *Options) { o.MaxMemory = 64 << 20 })
	stop := make(chan struct{})
	defer close(stop)
	go p.WatchMemory(stop)

	l := acquire(t, p)
	if err := l.Send(wire.Request, request("/grow", "id=g&mb=128")); err != nil {
		t.Fatal(err)
	}
	hub.WaitFor(t, "/grow waiting", func(s *fakeworker.State) bool { _, ok := s.Blocked["g"]; return ok })
	p.Reload("a test") // the worker retires, its request in flight
	hub.Release("g")   // it grows, and may be killed before it has finished
	if gone, how := l.WaitExit(fakeworker.Guard); !gone || how != " (killed by SIGKILL)" {
		t.Fatalf("a retiring worker past --max-memory: gone %v%s\n%s", gone, how, logs)
	}
	if !strings.Contains(logs.String(), "over --max-memory 64 MiB: killing it (it was retiring)") {
		t.Errorf("the log does not say why the retiring worker was killed:\n%s", logs)
	}
	l.MarkBroken()
	p.Release(l)
	if r, err := do(p, "/hello", ""); err != nil || r.body != "hello" {
		t.Fatalf("/hello from the new generation: %+v, %v", r, err)
	}
}

// The defect: an import that hung held up every later reload (and SIGHUP)
// for good, and nothing said so. It is stopped at --import-timeout, as an
// import that failed, and the next reload imports again.
func TestImportTimeout(t *testing.T) {
	p, hub, logs := startPool(t, 1, 2, func(o *Options) { o.ImportTimeout = 100 * time.Millisecond })
	if err := hub.HangImport(true); err != nil {
		t.Fatal(err)
	}
	reloaded := make(chan struct{})
	go func() { p.Reload("a save that hangs"); close(reloaded) }()
	select {
	case <-reloaded:
	case <-time.After(fakeworker.Guard):
		t.Fatalf("Reload still waits for an import that hangs:\n%s", hub.Dump())
	}
	ie := p.Broken()
	if ie == nil || ie.TimedOut != 100*time.Millisecond || !strings.Contains(ie.Traceback, "--import-timeout 100ms") {
		t.Fatalf("after an import that hangs: Broken() = %+v; want it timed out at 100ms", ie)
	}
	var hung int
	hub.WaitFor(t, "the reload's import", func(s *fakeworker.State) bool {
		e, ok := s.Find(fakeworker.EvImport, nil)
		hung = e.PID
		return ok && s.Count(fakeworker.EvImport, nil) == 2
	})
	eventually(t, "the hung worker killed", func() bool { return !alive(hung) })
	if !strings.Contains(logs.String(), "the app failed to import") || !strings.Contains(logs.String(), "--import-timeout 100ms") {
		t.Errorf("the log does not say the import was stopped:\n%s", logs)
	}

	if err := hub.HangImport(false); err != nil {
		t.Fatal(err)
	}
	p.Reload("the fix")
	if r, err := do(p, "/hello", ""); err != nil || r.body != "hello" {
		t.Fatalf("/hello after the fix: %+v, %v", r, err)
	}
}

// The defect: a save whose import hung blocked the reload of every later
// save. Newer code abandons a reload still importing: its worker is killed
// and the newer code is imported instead (what a save or SIGHUP does
// through AbandonReload).
func TestNewerCodeAbandonsHungReload(t *testing.T) {
	p, hub, logs := startPool(t, 1, 2, nil) // no --import-timeout
	var first int
	hub.WaitFor(t, "the first worker ready", func(s *fakeworker.State) bool {
		e, ok := s.Find(fakeworker.EvReady, nil)
		first = e.PID
		return ok
	})
	if err := hub.HangImport(true); err != nil {
		t.Fatal(err)
	}
	reloaded := make(chan struct{})
	go func() { p.Reload("a save that hangs"); close(reloaded) }()
	var hung int
	hub.WaitFor(t, "the reload importing", func(s *fakeworker.State) bool {
		if s.Count(fakeworker.EvImport, nil) < 2 {
			return false
		}
		e, _ := s.Find(fakeworker.EvImport, nil)
		hung = e.PID
		return true
	})
	if err := hub.HangImport(false); err != nil {
		t.Fatal(err)
	}
	p.AbandonReload()
	select {
	case <-reloaded:
	case <-time.After(fakeworker.Guard):
		t.Fatalf("the abandoned reload still waits for its import:\n%s", hub.Dump())
	}
	p.Reload("the fix")
	eventually(t, "the hung worker killed", func() bool { return !alive(hung) })
	r, err := do(p, "/hello", "id=after")
	if err != nil || r.body != "hello" {
		t.Fatalf("/hello after the fix: %+v, %v", r, err)
	}
	if pid := requestPID(t, hub, "after"); pid == first || pid == hung {
		t.Errorf("/hello after the fix ran in pid %d: the first worker is %d, the hung one %d", pid, first, hung)
	}
	if p.Broken() != nil {
		t.Errorf("an abandoned reload counts as broken code: %v", p.Broken())
	}
	if !strings.Contains(logs.String(), "reload (a save that hangs) abandoned") {
		t.Errorf("the log does not say the reload was abandoned:\n%s", logs)
	}
}
