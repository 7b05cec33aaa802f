package reload

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"
)

// When the kernel queue overflows, events are lost: the watcher rescans,
// watches the directories it missed and reports the root.
func TestQueueOverflowRescans(t *testing.T) {
	b, err := os.ReadFile("/proc/sys/fs/inotify/max_queued_events")
	if runtime.GOOS != "linux" || err != nil {
		t.Skip("needs Linux inotify")
	}
	limit, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	if limit <= 0 || limit > 20000 {
		t.Skipf("max_queued_events=%d is too large to overflow quickly", limit)
	}
	dir := project(t)
	release := make(chan struct{})
	w := start(t, Options{
		Roots: []string{dir},
		addWatch: func(fsw *fsnotify.Watcher, d string) error {
			if filepath.Base(d) == "block" {
				<-release // stall the event loop so the kernel queue fills
			}
			return fsw.Add(d)
		},
	})
	mkdir(t, filepath.Join(dir, "block"))
	mkdir(t, filepath.Join(dir, "missed")) // its Create event will be lost
	t0 := time.Now()
	// Alternating writes to two files make one event each (the kernel merges
	// only identical neighbours). fsnotify has already read up to ~4096 events
	// into its buffer; the kernel queue holds the limit.
	var fs [2]*os.File
	for i := range fs {
		if fs[i], err = os.Create(filepath.Join(dir, fmt.Sprintf("f%d.dat", i))); err != nil {
			t.Fatal(err)
		}
		defer fs[i].Close()
	}
	for i := range limit + 5000 {
		if _, err := fs[i%2].Write([]byte{'x'}); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("wrote in %v", time.Since(t0))
	close(release)
	got := collect(t, w, dir)
	t.Logf("overflow reported after %v", time.Since(t0))
	if !slices.Contains(got, dir) {
		t.Fatalf("got %q", got)
	}
	p := filepath.Join(dir, "missed", "m.py")
	write(t, p, "pass\n")
	collect(t, w, p)
}
