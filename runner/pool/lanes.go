package pool

import (
	"context"
	"sync"
	"time"
)

// The pool: free lanes are a stack (the most recently freed on top, so a
// light load stays on a few warm threads), and requests that find none wait
// in line for one.
//
// The hot-lane rule: a worker runs at most hotLanes requests at once while
// they keep finishing; a request that would start another waits in line for
// one of them instead. When no lane has come free for spillDelay (the hot
// lanes sleep or wait on I/O, they are not merely busy), a waiting request
// spills: it takes any free lane, and when every lane is busy it takes the
// first that comes free, however many the worker runs. So a thread left free
// while requests wait stays free only while other lanes keep coming free,
// never once they stop.

// addLocked makes w one of the serving workers and frees its lanes.
func (a *Pool) addLocked(w *worker) {
	a.workers[w] = true
	for _, l := range w.lanes {
		a.freeLocked(l)
	}
}

// freeLocked gives a lane to the longest waiter, or puts it on the idle
// stack. A lane handed to a waiter counts as in flight from this moment, not
// from when the waiter wakes: otherwise a request arriving in between sees
// the worker idle and starts a second lane, and a hot lane stops being hot.
func (a *Pool) freeLocked(l *Lane) {
	if len(a.waiters) > 0 {
		ch := a.waiters[0]
		a.waiters = a.waiters[1:]
		l.w.inFlight.Add(1)
		ch <- l
		return
	}
	a.idle = append(a.idle, l)
}

// dropLocked ends a lane's turn (its request is over, or it was handed to a
// waiter that will not use it): it undoes the count and passes the lane on
// when it is still good.
func (a *Pool) dropLocked(l *Lane) {
	left := l.w.inFlight.Add(-1)
	if left == 0 && l.w.retiring.Load() {
		go l.w.stop(a.grace())
	}
	switch {
	case !a.usableLocked(l):
	case left >= hotLanes:
		a.coolLocked(l)
	default:
		a.freeLocked(l)
	}
}

// coolLocked frees a lane while its worker still runs hotLanes requests or
// more: the worker has spilled past its hot lanes. A waiter that has spilled
// too (no lane came free for spillDelay: the hot lanes are stuck) takes it,
// as it would take any free lane. Otherwise the lane cools on the idle stack
// rather than being handed on, or every passing spill would ratchet the
// worker up to all its threads for good: a waiter still hoping for a hot
// lane takes it only once it spills.
func (a *Pool) coolLocked(l *Lane) {
	for i, ch := range a.waiters {
		if isCold(ch) {
			a.waiters = append(a.waiters[:i], a.waiters[i+1:]...)
			l.w.inFlight.Add(1)
			ch <- l
			return
		}
	}
	a.idle = append(a.idle, l)
}

// usableLocked says whether a lane may take a request.
func (a *Pool) usableLocked(l *Lane) bool {
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
func (a *Pool) Acquire(ctx context.Context) (*Lane, error) {
	a.mu.Lock()
	if l := a.takeIdleLocked(false); l != nil { // the common case: no timers, no channels
		a.mu.Unlock()
		return l, nil
	}
	a.mu.Unlock()
	return a.wait(ctx)
}

// A waiter waits in line on a channel it is handed its lane on. One that has
// spilled waits on a cold channel: the waiter list holds only channels, so a
// channel's capacity is what marks it (1: hot, coldCap: cold). Only one lane
// is ever sent to a waiter.
const coldCap = 2

func isCold(ch chan *Lane) bool { return cap(ch) == coldCap }

// hotChans and coldChans recycle the channels waiters are handed lanes on.
var (
	hotChans  = sync.Pool{New: func() any { return make(chan *Lane, 1) }}
	coldChans = sync.Pool{New: func() any { return make(chan *Lane, coldCap) }}
)

// putChan recycles an empty channel that is in no queue.
func putChan(ch chan *Lane) {
	if isCold(ch) {
		coldChans.Put(ch)
	} else {
		hotChans.Put(ch)
	}
}

// wait is acquire's slow path: wait in line for a lane.
func (a *Pool) wait(ctx context.Context) (*Lane, error) {
	stopQueueTimer := func() bool { return false }
	defer func() { stopQueueTimer() }()
	// The queue timer starts only when a request waits past the spill delay:
	// most waits are that short, and a timer per request shows in profiles
	// (the spill timer is the one every wait pays for).
	var expired <-chan time.Time // nil: --queue-timeout 0 waits as long as it takes
	startQueueTimer := func() {
		if expired == nil && a.cfg.QueueTimeout > 0 {
			timer := time.NewTimer(a.cfg.QueueTimeout)
			expired = timer.C
			stopQueueTimer = timer.Stop
		}
	}
	spill := false
	var spillTimer *time.Timer
	ch := hotChans.Get().(chan *Lane)
	a.mu.Lock()
	for {
		if a.closed {
			a.mu.Unlock()
			return nil, ErrClosed
		}
		if l := a.takeIdleLocked(spill); l != nil {
			a.mu.Unlock()
			putChan(ch)
			return l, nil
		}
		if a.broken != nil && len(a.workers) == 0 {
			a.mu.Unlock()
			return nil, ErrBroken
		}
		var spilled <-chan time.Time
		if !spill {
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
		a.waiters = append(a.waiters, ch)
		a.mu.Unlock()

		var l *Lane
		var err error
		for {
			select {
			case l = <-ch:
			case <-spilled:
				// Spill only when the hot lanes are stuck (a sleep, a slow
				// query), not merely busy: while they keep coming free,
				// waiting in line beats waking another thread.
				if since := a.sinceFree(); since < spillDelay {
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
		a.mu.Lock()
		if l == nil {
			a.removeWaiterLocked(ch)
			select {
			case l = <-ch: // handed over just as we stopped waiting
			default:
			}
		}
		// ch is empty and in no queue now: it can be used again.
		if l != nil {
			if err == nil && a.usableLocked(l) {
				a.mu.Unlock()
				putChan(ch)
				return l, nil // counted by freeLocked or coolLocked
			}
			a.dropLocked(l) // not ours to use: pass it on
		}
		if err != nil {
			a.mu.Unlock()
			putChan(ch)
			return nil, err
		}
		if spill && !isCold(ch) {
			// From now on any lane will do: wait in line on a cold channel,
			// so that coolLocked hands us a lane rather than let it cool
			// while we wait.
			hotChans.Put(ch)
			ch = coldChans.Get().(chan *Lane)
		}
		// Spilled, or woken without a usable lane (a reload swapped the
		// workers, or failed): look again.
	}
}

// takeIdleLocked pops the most recently freed usable lane whose worker is
// not already running hotLanes requests (any such lane, with cold).
func (a *Pool) takeIdleLocked(cold bool) *Lane {
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

func (a *Pool) removeWaiterLocked(ch chan *Lane) {
	for i, c := range a.waiters {
		if c == ch {
			a.waiters = append(a.waiters[:i], a.waiters[i+1:]...)
			return
		}
	}
}

// wakeWaitersLocked makes every waiter look again (after a failed reload).
func (a *Pool) wakeWaitersLocked() {
	for _, ch := range a.waiters {
		ch <- nil
	}
	a.waiters = nil
}

// sinceFree is how long ago a lane last came free.
func (a *Pool) sinceFree() time.Duration {
	return time.Since(a.epoch) - time.Duration(a.lastFree.Load())
}

// release returns a lane after its request.
func (a *Pool) Release(l *Lane) {
	a.lastFree.Store(int64(time.Since(a.epoch)))
	a.mu.Lock()
	a.dropLocked(l)
	a.mu.Unlock()
}
