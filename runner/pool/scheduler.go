package pool

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// The scheduler hands the lanes of the serving workers to requests. Free
// lanes are a stack (the most recently freed on top, so a light load stays
// on a few warm threads), and requests that find none wait in line for one.
//
// The hot-lane rule: a worker runs at most hotLanes requests at once while
// they keep finishing; a request that would start another waits in line for
// one of them instead. When no lane has come free for spillDelay (the hot
// lanes sleep or wait on I/O, they are not merely busy), a waiting request
// spills: it takes any free lane, and when every lane is busy it takes the
// first that comes free, however many the worker runs. So a thread left free
// while requests wait stays free only while other lanes keep coming free,
// never once they stop.
//
// The scheduler knows nothing of processes: the supervisor (supervisor.go)
// tells it which workers serve, and it tells the supervisor when a retiring
// worker's last request has ended.

// hotLanes is how many requests one worker runs at once before a new
// request would rather wait a moment for one of them to finish: past a few,
// threads mostly take turns at the GIL, and every turn costs a context switch.
const hotLanes = 4

// spillDelay is how long a request waits for a hot lane before it takes a
// cold one. Slow requests (sleeps, queries) still spread over every thread,
// each only this much later.
const spillDelay = time.Millisecond

type scheduler struct {
	queueTimeout time.Duration   // the longest wait in line; 0: no limit
	onIdle       func(w *worker) // a retiring worker's last request ended

	mu      sync.Mutex
	idle    []*Lane // free lanes of the serving workers, most recently freed last
	waiters []*waiter
	serving map[*worker]bool
	broken  bool // the code does not import: with nothing serving, fail at once
	closed  bool

	epoch    time.Time    // a monotonic origin for lastFree
	lastFree atomic.Int64 // when a lane last came free, since epoch
}

// A waiter is a request waiting in line. At most one lane (or nil: look
// again) is ever sent on its channel.
type waiter struct {
	ch   chan *Lane
	cold bool // it has spilled: any lane will do, however busy its worker
}

// waiterPool recycles waiters: a queue that forms and clears many times a
// second should not allocate a channel each time.
var waiterPool = sync.Pool{New: func() any { return &waiter{ch: make(chan *Lane, 1)} }}

func newScheduler(queueTimeout time.Duration, onIdle func(*worker)) *scheduler {
	return &scheduler{queueTimeout: queueTimeout, onIdle: onIdle, serving: map[*worker]bool{}, epoch: time.Now()}
}

// add makes workers serve and frees their lanes.
func (s *scheduler) add(ws ...*worker) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addLocked(ws...)
}

func (s *scheduler) addLocked(ws ...*worker) {
	for _, w := range ws {
		s.serving[w] = true
		for _, l := range w.lanes {
			s.freeLocked(l)
		}
	}
}

// swap makes ws the serving workers, in one step, and returns the ones they
// replace. Their free lanes are dropped as they surface; their busy lanes
// finish their requests.
func (s *scheduler) swap(ws []*worker) (old []*worker) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old = s.takeServingLocked()
	s.broken = false
	s.addLocked(ws...) // the newest lanes on top of the stack
	return old
}

// setBroken stops every worker serving, because the code no longer imports,
// and returns them; requests fail at once until a swap.
func (s *scheduler) setBroken() (old []*worker) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old = s.takeServingLocked()
	s.broken = true
	s.idle = nil
	s.wakeWaitersLocked()
	return old
}

func (s *scheduler) takeServingLocked() []*worker {
	old := make([]*worker, 0, len(s.serving))
	for w := range s.serving {
		w.retiring.Store(true)
		old = append(old, w)
	}
	clear(s.serving)
	return old
}

// remove stops w serving (it crashed, hung or grew too big) and reports
// whether it was serving.
func (s *scheduler) remove(w *worker) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	was := s.serving[w]
	delete(s.serving, w)
	return was
}

// close fails every request, waiting or to come, with ErrClosed.
func (s *scheduler) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	clear(s.serving)
	s.idle = nil
	s.wakeWaitersLocked()
}

// freeLocked gives a lane to the longest waiter, or puts it on the idle
// stack. A lane handed to a waiter counts as in flight from this moment, not
// from when the waiter wakes: otherwise a request arriving in between sees
// the worker idle and starts a second lane, and a hot lane stops being hot.
func (s *scheduler) freeLocked(l *Lane) {
	if len(s.waiters) > 0 {
		wt := s.waiters[0]
		s.waiters = s.waiters[1:]
		l.w.inFlight.Add(1)
		wt.ch <- l
		return
	}
	s.idle = append(s.idle, l)
}

// dropLocked ends a lane's turn (its request is over, or it was handed to a
// waiter that will not use it): it undoes the count and passes the lane on
// when it is still good.
func (s *scheduler) dropLocked(l *Lane) {
	left := l.w.inFlight.Add(-1)
	if left == 0 && l.w.retiring.Load() {
		go s.onIdle(l.w)
	}
	switch {
	case !s.usableLocked(l):
	case left >= hotLanes:
		s.coolLocked(l)
	default:
		s.freeLocked(l)
	}
}

// coolLocked frees a lane while its worker still runs hotLanes requests or
// more: the worker has spilled past its hot lanes. A waiter that has spilled
// too (no lane came free for spillDelay: the hot lanes are stuck) takes it,
// as it would take any free lane. Otherwise the lane cools on the idle stack
// rather than being handed on, or every passing spill would ratchet the
// worker up to all its threads for good: a waiter still hoping for a hot
// lane takes it only once it spills.
func (s *scheduler) coolLocked(l *Lane) {
	for i, wt := range s.waiters {
		if wt.cold {
			s.waiters = append(s.waiters[:i], s.waiters[i+1:]...)
			l.w.inFlight.Add(1)
			wt.ch <- l
			return
		}
	}
	s.idle = append(s.idle, l)
}

// usableLocked says whether a lane may take a request.
func (s *scheduler) usableLocked(l *Lane) bool {
	return !l.broken && s.serving[l.w] && !l.w.retiring.Load() && !l.w.dead()
}

// acquire borrows a lane, waiting at most queueTimeout for one.
func (s *scheduler) acquire(ctx context.Context) (*Lane, error) {
	s.mu.Lock()
	if l := s.takeIdleLocked(false); l != nil { // the common case: no timers, no channels
		s.mu.Unlock()
		return l, nil
	}
	s.mu.Unlock()
	return s.wait(ctx)
}

// wait is acquire's slow path: wait in line for a lane.
func (s *scheduler) wait(ctx context.Context) (*Lane, error) {
	stopQueueTimer := func() bool { return false }
	defer func() { stopQueueTimer() }()
	// The queue timer starts only when a request waits past the spill delay:
	// most waits are that short, and a timer per request shows in profiles
	// (the spill timer is the one every wait pays for).
	var expired <-chan time.Time // nil: --queue-timeout 0 waits as long as it takes
	startQueueTimer := func() {
		if expired == nil && s.queueTimeout > 0 {
			timer := time.NewTimer(s.queueTimeout)
			expired = timer.C
			stopQueueTimer = timer.Stop
		}
	}
	var spillTimer *time.Timer
	wt := waiterPool.Get().(*waiter)
	wt.cold = false
	s.mu.Lock()
	for {
		if s.closed {
			s.mu.Unlock()
			return nil, ErrClosed
		}
		if l := s.takeIdleLocked(wt.cold); l != nil {
			s.mu.Unlock()
			waiterPool.Put(wt)
			return l, nil
		}
		if s.broken && len(s.serving) == 0 {
			s.mu.Unlock()
			return nil, ErrBroken
		}
		var spilled <-chan time.Time
		if !wt.cold {
			// Give a hot lane a moment to come free before taking a cold
			// one (only cold lanes are free) or before taking whichever
			// lane comes free first (none is).
			if spillTimer == nil {
				spillTimer = time.NewTimer(spillDelay)
				defer spillTimer.Stop()
			}
			spilled = spillTimer.C
		} else {
			startQueueTimer()
		}
		s.waiters = append(s.waiters, wt)
		s.mu.Unlock()

		var l *Lane
		var err error
		spill := false
		for {
			select {
			case l = <-wt.ch:
			case <-spilled:
				// Spill only when the hot lanes are stuck (a sleep, a slow
				// query), not merely busy: while they keep coming free,
				// waiting in line beats waking another thread.
				if since := s.sinceFree(); since < spillDelay {
					startQueueTimer()
					spillTimer.Reset(spillDelay - since)
					continue
				}
				spill = true
			case <-expired:
				err = ErrQueueTimeout
			case <-ctx.Done():
				err = ctx.Err()
			}
			break
		}
		s.mu.Lock()
		if l == nil {
			s.removeWaiterLocked(wt)
			select {
			case l = <-wt.ch: // handed over just as we stopped waiting
			default:
			}
		}
		// wt is empty and in no queue now: it can be used again.
		if l != nil {
			if err == nil && s.usableLocked(l) {
				s.mu.Unlock()
				waiterPool.Put(wt)
				return l, nil // counted by freeLocked or coolLocked
			}
			s.dropLocked(l) // not ours to use: pass it on
		}
		if err != nil {
			s.mu.Unlock()
			waiterPool.Put(wt)
			return nil, err
		}
		if spill {
			// From now on any lane will do, and coolLocked hands us one
			// rather than let it cool while we wait.
			wt.cold = true
		}
		// Spilled, or woken without a usable lane (a reload swapped the
		// workers, or failed): look again.
	}
}

// takeIdleLocked pops the most recently freed usable lane whose worker is
// not already running hotLanes requests (any such lane, with cold).
func (s *scheduler) takeIdleLocked(cold bool) *Lane {
	for i := len(s.idle) - 1; i >= 0; i-- {
		l := s.idle[i]
		if !s.usableLocked(l) {
			s.idle = append(s.idle[:i], s.idle[i+1:]...)
			continue
		}
		if cold || l.w.inFlight.Load() < hotLanes {
			s.idle = append(s.idle[:i], s.idle[i+1:]...)
			l.w.inFlight.Add(1)
			return l
		}
	}
	return nil
}

func (s *scheduler) removeWaiterLocked(wt *waiter) {
	for i, w := range s.waiters {
		if w == wt {
			s.waiters = append(s.waiters[:i], s.waiters[i+1:]...)
			return
		}
	}
}

// wakeWaitersLocked makes every waiter look again (after a failed reload, or
// at shutdown).
func (s *scheduler) wakeWaitersLocked() {
	for _, wt := range s.waiters {
		wt.ch <- nil
	}
	s.waiters = nil
}

// sinceFree is how long ago a lane last came free.
func (s *scheduler) sinceFree() time.Duration {
	return time.Since(s.epoch) - time.Duration(s.lastFree.Load())
}

// release returns a lane after its request.
func (s *scheduler) release(l *Lane) {
	s.lastFree.Store(int64(time.Since(s.epoch)))
	s.mu.Lock()
	s.dropLocked(l)
	s.mu.Unlock()
}
