package pool

import (
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

	mu      sync.Mutex
	serving []*worker
	broken  bool
	closed  bool
}

func newStreams(onIdle func(*worker)) *streams { return &streams{onIdle: onIdle} }

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
}

// open starts a stream on the least busy serving worker.
func (s *streams) open(typ byte, scope []byte) (*mux.Stream, error) {
	for range 3 { // a worker that dies meanwhile: try another
		s.mu.Lock()
		switch {
		case s.closed:
			s.mu.Unlock()
			return nil, ErrClosed
		case s.broken:
			s.mu.Unlock()
			return nil, ErrBroken
		case len(s.serving) == 0:
			// Between a crash and its replacement: ErrNoWorker, a 503.
			s.mu.Unlock()
			return nil, ErrNoWorker
		}
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
	}
	return nil, ErrNoWorker
}

// ErrNoWorker is Open's error when no worker is serving for a moment (one
// crashed and its replacement is starting).
var ErrNoWorker = fmt.Errorf("no worker is running")

// Open starts an ASGI stream (typ 'h' or 'w', with its scope) on one of the
// app's workers.
func (a *Pool) Open(typ byte, scope []byte) (*mux.Stream, error) {
	return a.streams.open(typ, scope)
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

// lifespanShutdown is how long an ASGI worker's lifespan shutdown may take
// after its streams have ended, before the worker is killed.
const lifespanShutdown = 5 * time.Second
