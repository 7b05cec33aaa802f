package pool

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// memoryCheckEvery is how often --max-memory is checked.
const memoryCheckEvery = 500 * time.Millisecond

// watchMemory replaces serving workers whose resident memory has grown past
// cfg.MaxMemory (a leak, a memory bomb), until stop is closed.
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
		for _, w := range a.sched.workers() {
			if rss, err := residentBytes(w.pid); err == nil && rss > a.cfg.MaxMemory {
				a.overMemory(w, rss)
			}
		}
	}
}

// overMemory kills w at once (it may be growing fast) and starts another.
func (a *Pool) overMemory(w *worker, rss int64) {
	if current := a.sched.remove(w); !current {
		return
	}
	a.log.Errorf("worker %d (pid %d) uses %d MiB, over --max-memory %d MiB: replacing it",
		w.id.Load(), w.pid, rss>>20, a.cfg.MaxMemory>>20)
	w.kill()
	go a.replace(int(w.id.Load()), false)
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
