package reload

import (
	"sort"
	"time"
)

// burst debounces: paths collect until debounce passes with no new path,
// or maxDelay after the first, whichever is sooner. A closed burst is
// merged into ready, which waits for the consumer, so a slow consumer
// never blocks event handling: it just gets a bigger list.
type burst struct {
	debounce, maxDelay time.Duration
	timer              *time.Timer
	paths              map[string]struct{}
	first, last        time.Time
	ready              []string // sorted, unique; nil when nothing waits
}

func newBurst(debounce, maxDelay time.Duration) *burst {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return &burst{debounce: debounce, maxDelay: maxDelay, timer: t, paths: map[string]struct{}{}}
}

// add records a path; the first of a burst arms the timer. Later paths
// only move b.last: fire re-arms as needed, so a storm costs no timer resets.
func (b *burst) add(now time.Time, p string) {
	if len(b.paths) == 0 {
		b.first = now
		b.timer.Reset(b.debounce)
	}
	b.paths[p] = struct{}{}
	b.last = now
}

// fire runs when the timer goes off: it closes the burst if it is due,
// otherwise re-arms for the remaining time.
func (b *burst) fire(now time.Time) {
	if len(b.paths) == 0 {
		return
	}
	due := b.last.Add(b.debounce)
	if limit := b.first.Add(b.maxDelay); limit.Before(due) {
		due = limit
	}
	if wait := due.Sub(now); wait > 0 {
		b.timer.Reset(wait)
		return
	}
	b.close()
}

// close moves the collected paths into ready.
func (b *burst) close() {
	for _, p := range b.ready {
		b.paths[p] = struct{}{}
	}
	out := make([]string, 0, len(b.paths))
	for p := range b.paths {
		out = append(out, p)
	}
	sort.Strings(out)
	b.ready = out
	b.paths = map[string]struct{}{}
}

func (b *burst) stop() { b.timer.Stop() }
