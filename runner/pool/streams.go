package pool

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/gowsgi/gowsgi/runner/mux"
)

// A dispatcher hands the serving workers to requests: their lanes for WSGI
// (scheduler.go), streams on their one lane for ASGI (below). The
// supervisor tells it which workers serve.
type dispatcher interface {
	add(ws ...*worker)
	swap(ws []*worker) (old []*worker)
	setBroken() (old []*worker)
	remove(w *worker) bool
	close()
}

// streams is the ASGI dispatcher: every request or WebSocket is a stream on
// a worker's lane, which holds any number of them, so nothing waits in
// line; a new one goes to the serving worker with the fewest open.
type streams struct {
	onIdle func(w *worker) // a retiring worker's last stream ended
	wait   time.Duration   // the longest a stream waits for a worker (--queue-timeout); 0: no limit

	mu      sync.Mutex
	serving []*worker
	broken  bool
	closed  bool
	changed chan struct{} // closed (and replaced) whenever the above change
}

func newStreams(onIdle func(*worker), wait time.Duration) *streams {
	return &streams{onIdle: onIdle, wait: wait, changed: make(chan struct{})}
}

// changedLocked wakes the streams waiting for a worker.
func (s *streams) changedLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *streams) add(ws ...*worker) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addLocked(ws...)
}

func (s *streams) addLocked(ws ...*worker) {
	for _, w := range ws {
		if w.mux == nil {
			w.mux = mux.New(w.lanes[0].c)
			w.mux.OnIdle(func() {
				if w.retiring.Load() {
					s.onIdle(w)
				}
			})
		}
		s.serving = append(s.serving, w)
	}
	s.changedLocked()
}

func (s *streams) swap(ws []*worker) (old []*worker) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old = s.takeServingLocked()
	s.broken = false
	s.addLocked(ws...)
	return old
}

func (s *streams) setBroken() (old []*worker) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.broken = true
	s.changedLocked()
	return s.takeServingLocked()
}

func (s *streams) takeServingLocked() []*worker {
	old := s.serving
	for _, w := range old {
		w.retiring.Store(true)
	}
	s.serving = nil
	return old
}

func (s *streams) remove(w *worker) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, x := range s.serving {
		if x == w {
			s.serving = append(s.serving[:i:i], s.serving[i+1:]...)
			s.changedLocked()
			return true
		}
	}
	return false
}

func (s *streams) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	s.serving = nil
	s.changedLocked()
}

// open starts a stream on the least busy serving worker. Between a crash
// and its replacement there is none: it waits for one, as a WSGI request
// waits for a lane, at most --queue-timeout.
func (s *streams) open(ctx context.Context, typ byte, scope []byte) (*mux.Stream, error) {
	var timeout <-chan time.Time
	if s.wait > 0 {
		t := time.NewTimer(s.wait)
		defer t.Stop()
		timeout = t.C
	}
	for {
		s.mu.Lock()
		switch {
		case s.closed:
			s.mu.Unlock()
			return nil, ErrClosed
		case s.broken:
			s.mu.Unlock()
			return nil, ErrBroken
		case len(s.serving) == 0:
			changed := s.changed
			s.mu.Unlock()
			select {
			case <-changed:
				continue
			case <-timeout:
				return nil, ErrNoWorker
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		changed := s.changed
		best := s.serving[0]
		for _, w := range s.serving[1:] {
			if w.mux.Len() < best.mux.Len() {
				best = w
			}
		}
		s.mu.Unlock()
		st, err := best.mux.Open(typ, scope)
		if err == nil {
			return st, nil
		}
		// It died meanwhile: its exit takes it out of serving (and starts
		// its replacement); then try again.
		select {
		case <-changed:
		case <-timeout:
			return nil, ErrNoWorker
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// ErrNoWorker is Open's error when no worker came to serve within
// --queue-timeout (one crashed, and its replacement does not start).
var ErrNoWorker = fmt.Errorf("no worker is running")

// Open starts an ASGI stream (typ 'h' or 'w', with its scope) on one of the
// app's workers.
func (a *Pool) Open(ctx context.Context, typ byte, scope []byte) (*mux.Stream, error) {
	return a.streams.open(ctx, typ, scope)
}

// closeSockets tells every stream of w that its worker is going away, and
// returns how many WebSockets closed with code.
func (w *worker) closeSockets(code uint16, reason string) int {
	if w.mux == nil {
		return 0
	}
	n := 0
	w.mux.Each(func(st *mux.Stream) {
		if st.Shutdown(code, reason) {
			n++
		}
	})
	return n
}

// busy is the number of requests in flight in w.
func (w *worker) busy() int {
	if w.mux != nil {
		return w.mux.Len()
	}
	return int(w.inFlight.Load())
}

// quitPayload is what QUIT tells an ASGI worker: the seconds it may wait
// for its streams before it cancels them and runs the lifespan shutdown.
func quitPayload(grace time.Duration) []byte {
	return []byte(strconv.FormatFloat(grace.Seconds(), 'f', 3, 64))
}

// CloseSockets closes the WebSockets of every worker with code (1001 when
// the server stops) and returns how many there were.
func (a *Pool) CloseSockets(code uint16, reason string) int {
	a.mu.Lock()
	var ws []*worker
	for w := range a.procs {
		ws = append(ws, w)
	}
	a.mu.Unlock()
	n := 0
	for _, w := range ws {
		n += w.closeSockets(code, reason)
	}
	return n
}

// quitTime is how long w may take to exit after a quit with grace: an ASGI
// worker waits for its streams for grace, then cancels them and runs the
// app's lifespan shutdown, which gets time of its own. (No grace: a worker
// that failed to start, or a reload abandoned: no shutdown either.)
func (w *worker) quitTime(grace time.Duration) time.Duration {
	if w.asgi && grace > 0 {
		return grace + lifespanShutdown
	}
	return grace
}

// lifespanShutdown is how long an ASGI worker's lifespan shutdown may take
// after its streams have ended, before the worker is killed.
const lifespanShutdown = 5 * time.Second
