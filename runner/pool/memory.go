package pool

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// memoryCheckEvery is how often --max-memory is checked. Between checks a
// fast allocation is stopped by the data limit (limitData) instead.
const memoryCheckEvery = 500 * time.Millisecond

// WatchMemory kills every worker process whose resident memory has grown
// past cfg.MaxMemory (a leak, a memory bomb), until stop is closed: serving
// workers, which are replaced, and retiring, importing and spare ones, which
// are not serving anyway.
func (a *Pool) WatchMemory(stop <-chan struct{}) {
	if _, err := residentBytes(os.Getpid()); err != nil {
		a.log.Warnf("--max-memory is not enforced here: %v", err)
		return
	}
	tick := time.NewTicker(memoryCheckEvery)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
		}
		a.mu.Lock()
		procs := make([]*worker, 0, len(a.procs))
		for w := range a.procs {
			procs = append(procs, w)
		}
		a.mu.Unlock()
		for _, w := range procs {
			if rss, err := residentBytes(w.pid); err == nil && rss > a.cfg.MaxMemory {
				a.overMemory(w, rss)
			}
		}
	}
}

// overMemory kills w at once (it may be growing fast) and, when it was
// serving, starts another.
func (a *Pool) overMemory(w *worker, rss int64) {
	if w.dead() || !w.overMemory.CompareAndSwap(false, true) {
		return // being killed already
	}
	serving := a.sched.remove(w)
	what := "replacing it"
	switch {
	case serving:
	case w.retiring.Load():
		what = "killing it (it was retiring)"
	case w.id.Load() == 0:
		what = "killing it (a spare)"
	default:
		what = "killing it (it was importing the app)"
	}
	a.log.Errorf("worker %d (pid %d) uses %d MiB, over --max-memory %d MiB: %s",
		w.id.Load(), w.pid, rss>>20, a.cfg.MaxMemory>>20, what)
	w.kill()
	if serving {
		go a.replace(int(w.id.Load()), false)
	}
}

// residentBytes reads a process's resident set size from /proc (Linux).
func residentBytes(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/statm", pid))
	if err != nil {
		return 0, err
	}
	fields := strings.Fields(string(b))
	if len(fields) < 2 {
		return 0, fmt.Errorf("unexpected /proc/%d/statm: %q", pid, b)
	}
	pages, err := strconv.ParseInt(fields[1], 10, 64)
	if err != nil {
		return 0, err
	}
	return pages * int64(os.Getpagesize()), nil
}
