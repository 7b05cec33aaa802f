package reload

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

const waitFor = 3 * time.Second

// start opens a watcher with a fast debounce and closes it with the test.
func start(t *testing.T, o Options) *Watcher {
	t.Helper()
	if o.Debounce == 0 {
		o.Debounce = 50 * time.Millisecond
	}
	w, err := New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// next waits for one emission.
func next(t *testing.T, w *Watcher) []string {
	t.Helper()
	select {
	case got, ok := <-w.Changes():
		if !ok {
			t.Fatal("Changes closed")
		}
		return got
	case <-time.After(waitFor):
		t.Fatal("no change reported")
		return nil
	}
}

// quiet asserts nothing is emitted for d.
func quiet(t *testing.T, w *Watcher, d time.Duration) {
	t.Helper()
	select {
	case got := <-w.Changes():
		t.Fatalf("unexpected change: %q", got)
	case <-time.After(d):
	}
}

// collect gathers emissions until every path in want was seen.
func collect(t *testing.T, w *Watcher, want ...string) []string {
	t.Helper()
	var all []string
	deadline := time.After(waitFor)
	for {
		missing := false
		for _, p := range want {
			if !slices.Contains(all, p) {
				missing = true
			}
		}
		if !missing {
			return all
		}
		select {
		case got := <-w.Changes():
			all = append(all, got...)
		case <-deadline:
			t.Fatalf("want %q among reported paths, got %q", want, all)
		}
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func mkdir(t *testing.T, path string) {
	t.Helper()
	if err := os.MkdirAll(path, 0o755); err != nil {
		t.Fatal(err)
	}
}

// project makes a temp dir holding app.py.
func project(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "app.py"), "x = 1\n")
	return dir
}

// eventually polls cond for up to waitFor.
func eventually(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in time")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
