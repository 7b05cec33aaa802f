package reload

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"
)

func TestPolling(t *testing.T) {
	dir := project(t)
	mkdir(t, filepath.Join(dir, "__pycache__"))
	write(t, filepath.Join(dir, ".venv", "pyvenv.cfg"), "")
	w := start(t, Options{Roots: []string{dir}, Poll: 40 * time.Millisecond})
	if w.Mode() != "polling" {
		t.Fatalf("Mode = %q", w.Mode())
	}
	if d := w.Describe(); !strings.Contains(d, "(1 dirs, 1 files) with polling every 40ms") {
		t.Fatalf("Describe = %q", d)
	}
	write(t, filepath.Join(dir, "__pycache__", "app.cpython-312.pyc"), "x")
	write(t, filepath.Join(dir, ".venv", "m.py"), "x")
	write(t, filepath.Join(dir, "x.swp"), "x")
	quiet(t, w, 200*time.Millisecond)

	app := filepath.Join(dir, "app.py")
	write(t, app, "x = 22\n") // a new size, so even a coarse mtime sees it
	if got := next(t, w); !slices.Equal(got, []string{app}) {
		t.Fatalf("edit: got %q", got)
	}
	n := filepath.Join(dir, "pkg", "new.py")
	write(t, n, "")
	os.Remove(app)
	if got := collect(t, w, n, app); len(got) != 2 {
		t.Fatalf("add+remove: got %q", got)
	}
}

// An atomic save that keeps size and mtime is still seen, by its inode.
func TestPollingSeesAtomicReplace(t *testing.T) {
	dir := project(t)
	app := filepath.Join(dir, "app.py")
	fi, _ := os.Stat(app)
	w := start(t, Options{Roots: []string{dir}, Poll: 40 * time.Millisecond})
	tmp := filepath.Join(dir, "app.py.tmp")
	write(t, tmp, "x = 9\n")
	os.Chtimes(tmp, fi.ModTime(), fi.ModTime())
	if err := os.Rename(tmp, app); err != nil {
		t.Fatal(err)
	}
	if got := next(t, w); !slices.Equal(got, []string{app}) {
		t.Fatalf("got %q", got)
	}
}

type warnings struct {
	mu   sync.Mutex
	msgs []string
}

func (r *warnings) warnf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, strings.TrimSpace(fmt.Sprintf(format, args...)))
}

func (r *warnings) get() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.msgs)
}

func TestFallbackOnWatchLimit(t *testing.T) {
	dir := project(t)
	mkdir(t, filepath.Join(dir, "pkg", "sub"))
	var warn warnings
	adds := 0
	w := start(t, Options{
		Roots: []string{dir},
		Warnf: warn.warnf,
		addWatch: func(fsw *fsnotify.Watcher, d string) error {
			adds++
			if adds > 1 { // the root gets its watch, pkg does not
				return syscall.ENOSPC
			}
			return fsw.Add(d)
		},
	})
	if w.Mode() != "polling" {
		t.Fatalf("Mode = %q", w.Mode())
	}
	msgs := warn.get()
	if len(msgs) != 1 || !strings.Contains(msgs[0], "inotify watch limit reached (fs.inotify.max_user_watches") ||
		!strings.Contains(msgs[0], "polling every 1s instead") || !strings.Contains(msgs[0], "sudo sysctl fs.inotify.max_user_watches=524288") {
		t.Fatalf("warnings = %q", msgs)
	}
	if d := w.Describe(); !strings.Contains(d, "(3 dirs, 1 files) with polling every 1s") {
		t.Fatalf("Describe = %q", d)
	}
	p := filepath.Join(dir, "pkg", "sub", "m.py")
	write(t, p, "pass\n")
	if got := next(t, w); !slices.Equal(got, []string{p}) {
		t.Fatalf("got %q", got)
	}
	if n := len(warn.get()); n != 1 {
		t.Fatalf("%d warnings, want 1", n)
	}
}

// The limit can also be hit later, when a new directory is watched.
func TestFallbackWhileRunning(t *testing.T) {
	dir := project(t)
	var warn warnings
	w := start(t, Options{
		Roots: []string{dir},
		Warnf: warn.warnf,
		addWatch: func(fsw *fsnotify.Watcher, d string) error {
			if strings.HasPrefix(filepath.Base(d), "late") {
				return syscall.ENOSPC
			}
			return fsw.Add(d)
		},
	})
	if w.Mode() != "inotify" {
		t.Fatalf("Mode = %q", w.Mode())
	}
	late := filepath.Join(dir, "late", "m.py")
	write(t, late, "pass\n")
	collect(t, w, late)
	if w.Mode() != "polling" || len(warn.get()) != 1 {
		t.Fatalf("Mode = %q, warnings %q", w.Mode(), warn.get())
	}
	app := filepath.Join(dir, "app.py")
	write(t, app, "x = 22\n")
	collect(t, w, app)
	write(t, filepath.Join(dir, "late2", "n.py"), "pass\n") // no second warning
	collect(t, w, filepath.Join(dir, "late2", "n.py"))
	if n := len(warn.get()); n != 1 {
		t.Fatalf("%d warnings, want 1", n)
	}
}

func TestFallbackWhenInotifyUnavailable(t *testing.T) {
	dir := project(t)
	var warn warnings
	w := start(t, Options{
		Roots: []string{dir},
		Warnf: warn.warnf,
		newFS: func() (*fsnotify.Watcher, error) {
			return nil, errors.Join(errors.New("couldn't initialize inotify"), syscall.EMFILE)
		},
	})
	if w.Mode() != "polling" {
		t.Fatalf("Mode = %q", w.Mode())
	}
	if msgs := warn.get(); len(msgs) != 1 || !strings.Contains(msgs[0], "fs.inotify.max_user_instances") {
		t.Fatalf("warnings = %q", msgs)
	}
}

func TestFallbackMessages(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{syscall.ENOSPC, "sudo sysctl fs.inotify.max_user_watches=524288"},
		{syscall.ENFILE, "fs.file-max"},
		{errors.New("not supported"), "file change events are unavailable (not supported); polling every 1s instead."},
	} {
		if got := fallbackMessage(tc.err, "1s"); !strings.Contains(got, tc.want) {
			t.Errorf("%v: %q lacks %q", tc.err, got, tc.want)
		}
	}
	if isLimit(syscall.EACCES) || !isLimit(syscall.EMFILE) {
		t.Error("isLimit misclassifies")
	}
}
