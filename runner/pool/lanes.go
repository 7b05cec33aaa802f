package pool

import (
	"context"
	"sync"
	"time"
)

// The pool: free lanes are a stack (the most recently freed on top, so a
// light load stays on a few warm threads), and requests that find none wait
// in line for one.

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

// dropLocked undoes the count of a handed-over lane its waiter will not use,
// and passes the lane on when it is still good.
func (a *Pool) dropLocked(l *Lane) {
	left := l.w.inFlight.Add(-1)
	if left == 0 && l.w.retiring.Load() {
		go l.w.stop(a.grace())
	}
	switch {
	case !a.usableLocked(l):
	case left >= hotLanes:
		// The worker still has its hot lanes busy (this one was a spill):
		// let it cool rather than hand it on, or spills would ratchet the
		// worker up to every thread for good.
		a.idle = append(a.idle, l)
	default:
		a.freeLocked(l)
	}
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

// waiterChans recycles the channels waiters are handed lanes on.
var waiterChans = sync.Pool{New: func() any { return make(chan *Lane, 1) }}

// wait is acquire's slow path: wait in line for a lane.
func (a *Pool) wait(ctx context.Context) (*Lane, error) {
	stopQueueTimer := func() bool { return false }
	defer func() { stopQueueTimer() }()
	// The queue timer starts only when a request waits past the spill delay:
	// most waits are that short, and a timer per request shows in profiles.
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
	ch := waiterChans.Get().(chan *Lane)
	a.mu.Lock()
	for {
		if a.closed {
			a.mu.Unlock()
			return nil, ErrClosed
		}
		if l := a.takeIdleLocked(spill); l != nil {
			a.mu.Unlock()
			waiterChans.Put(ch)
			return l, nil
		}
		if a.broken != nil && len(a.workers) == 0 {
			a.mu.Unlock()
			return nil, ErrBroken
		}
		var spilled <-chan time.Time
		if len(a.idle) > 0 && !spill { // only cold lanes are free: give a hot one a moment
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
				waiterChans.Put(ch)
				return l, nil // counted by freeLocked
			}
			a.dropLocked(l) // not ours to use: pass it on
		}
		if err != nil {
			a.mu.Unlock()
			waiterChans.Put(ch)
			return nil, err
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
