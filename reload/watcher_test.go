package reload

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestEditReported(t *testing.T) {
	dir := project(t)
	w := start(t, Options{Roots: []string{dir}})
	if w.Mode() != "inotify" {
		t.Fatalf("Mode = %q", w.Mode())
	}
	app := filepath.Join(dir, "app.py")
	write(t, app, "x = 2\n")
	if got := next(t, w); !slices.Equal(got, []string{app}) {
		t.Fatalf("got %q, want [%s]", got, app)
	}
	quiet(t, w, 150*time.Millisecond)
}

func TestRemovedFileReported(t *testing.T) {
	dir := project(t)
	w := start(t, Options{Roots: []string{dir}})
	app := filepath.Join(dir, "app.py")
	os.Remove(app)
	if got := next(t, w); !slices.Equal(got, []string{app}) {
		t.Fatalf("got %q", got)
	}
}

func TestAtomicSave(t *testing.T) {
	dir := project(t)
	w := start(t, Options{Roots: []string{dir}})
	app := filepath.Join(dir, "app.py")
	for _, tmp := range []string{"app.py.tmp", ".app.py.swp", "app.py___jb_tmp___"} {
		tmpPath := filepath.Join(dir, tmp)
		write(t, tmpPath, "x = 3\n")
		if err := os.Rename(tmpPath, app); err != nil {
			t.Fatal(err)
		}
		if got := next(t, w); !slices.Equal(got, []string{app}) {
			t.Fatalf("%s: got %q, want [%s]", tmp, got, app)
		}
	}
	// vim's default: probe file 4913, backup app.py~, write a new app.py.
	write(t, filepath.Join(dir, "4913"), "")
	os.Remove(filepath.Join(dir, "4913"))
	if err := os.Rename(app, app+"~"); err != nil {
		t.Fatal(err)
	}
	write(t, app, "x = 4\n")
	os.Remove(app + "~")
	if got := next(t, w); !slices.Equal(got, []string{app}) {
		t.Fatalf("vim save: got %q", got)
	}
}

func TestBurstIsOneEmission(t *testing.T) {
	dir := project(t)
	// A debounce well above a descheduled writer's pauses on a loaded CI box.
	w := start(t, Options{Roots: []string{dir}, Debounce: 150 * time.Millisecond})
	var want []string
	for i := range 50 {
		p := filepath.Join(dir, fmt.Sprintf("m%02d.py", i))
		write(t, p, "pass\n")
		want = append(want, p)
	}
	got := next(t, w)
	if !slices.Equal(got, want) {
		t.Fatalf("got %d paths, want the 50 written:\n%q", len(got), got)
	}
	quiet(t, w, 300*time.Millisecond)
}

func TestNoiseIgnored(t *testing.T) {
	dir := project(t)
	for _, d := range []string{"__pycache__", ".git", ".venv", "myenv/lib", "node_modules/pkg", "src/site-packages"} {
		mkdir(t, filepath.Join(dir, d))
	}
	write(t, filepath.Join(dir, ".venv", "pyvenv.cfg"), "home = /usr\n")
	write(t, filepath.Join(dir, "myenv", "pyvenv.cfg"), "home = /usr\n") // a venv by content, not name
	w := start(t, Options{Roots: []string{dir}})
	if d := w.Describe(); !strings.Contains(d, "(2 dirs, 1 files)") { // root and src only
		t.Fatalf("Describe = %q", d)
	}
	for _, p := range []string{
		"__pycache__/app.cpython-312.pyc", ".git/index", ".git/config.json", ".venv/lib.py",
		"myenv/lib/x.py", "node_modules/pkg/index.json", "src/site-packages/y.py",
		"app.pyc", ".app.py.swp", "app.py.swx", "4913", "foo~", "foo.py~", ".#app.py",
		"x.tmp", "flycheck_app.py", ".DS_Store", "notes.md", "app.log",
	} {
		write(t, filepath.Join(dir, p), "noise\n")
	}
	os.Chmod(filepath.Join(dir, "app.py"), 0o600) // chmod alone is not a change
	quiet(t, w, 300*time.Millisecond)
	app := filepath.Join(dir, "app.py")
	write(t, app, "x = 2\n")
	if got := next(t, w); !slices.Equal(got, []string{app}) {
		t.Fatalf("got %q, want only app.py", got)
	}
}

func TestVenvCreatedLaterIgnored(t *testing.T) {
	dir := project(t)
	w := start(t, Options{Roots: []string{dir}})
	mkdir(t, filepath.Join(dir, "env2", "lib"))
	time.Sleep(50 * time.Millisecond) // let the watcher watch env2 first
	write(t, filepath.Join(dir, "env2", "pyvenv.cfg"), "home = /usr\n")
	time.Sleep(50 * time.Millisecond)
	write(t, filepath.Join(dir, "env2", "lib", "six.py"), "pass\n")
	quiet(t, w, 200*time.Millisecond)
}

func TestNewSubpackage(t *testing.T) {
	dir := project(t)
	w := start(t, Options{Roots: []string{dir}})
	// mkdir -p and a file right away: created before the watch existed.
	x := filepath.Join(dir, "pkg", "sub", "x.py")
	write(t, x, "pass\n")
	collect(t, w, x)
	// A file written later in the new directory: the watch is there.
	y := filepath.Join(dir, "pkg", "sub", "y.py")
	write(t, y, "pass\n")
	if got := next(t, w); !slices.Equal(got, []string{y}) {
		t.Fatalf("got %q", got)
	}
}

func TestSubpackageMovedIn(t *testing.T) {
	dir := project(t)
	outside := t.TempDir()
	write(t, filepath.Join(outside, "newpkg", "inner", "m.py"), "pass\n")
	write(t, filepath.Join(outside, "newpkg", "__init__.py"), "")
	w := start(t, Options{Roots: []string{dir}})
	if err := os.Rename(filepath.Join(outside, "newpkg"), filepath.Join(dir, "newpkg")); err != nil {
		t.Fatal(err)
	}
	m := filepath.Join(dir, "newpkg", "inner", "m.py")
	collect(t, w, m, filepath.Join(dir, "newpkg", "__init__.py"))
	write(t, m, "x = 1\n")
	if got := next(t, w); !slices.Equal(got, []string{m}) {
		t.Fatalf("edit after move-in: got %q", got)
	}
}

// A renamed directory reports its files under the old and the new path,
// and later edits carry the new path (fsnotify alone would keep the old one).
func TestDirRenamed(t *testing.T) {
	dir := project(t)
	write(t, filepath.Join(dir, "pkg", "a.py"), "pass\n")
	write(t, filepath.Join(dir, "pkg", "sub", "b.py"), "pass\n")
	write(t, filepath.Join(dir, "pkg", "README"), "not included\n")
	w := start(t, Options{Roots: []string{dir}})
	if err := os.Rename(filepath.Join(dir, "pkg"), filepath.Join(dir, "pkg2")); err != nil {
		t.Fatal(err)
	}
	want := []string{
		filepath.Join(dir, "pkg", "a.py"), filepath.Join(dir, "pkg", "sub", "b.py"),
		filepath.Join(dir, "pkg2", "a.py"), filepath.Join(dir, "pkg2", "sub", "b.py"),
	}
	got := next(t, w)
	if !slices.Equal(got, want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
	b := filepath.Join(dir, "pkg2", "sub", "b.py")
	write(t, b, "x = 1\n")
	if got := next(t, w); !slices.Equal(got, []string{b}) {
		t.Fatalf("edit after rename: got %q", got)
	}
	if err := os.RemoveAll(filepath.Join(dir, "pkg2")); err != nil {
		t.Fatal(err)
	}
	collect(t, w, filepath.Join(dir, "pkg2", "a.py"), b)
	// The directories' own Remove events follow their files'.
	eventually(t, func() bool { return strings.Contains(w.Describe(), "(1 dirs, 1 files)") })
}

func TestTemplateReported(t *testing.T) {
	dir := project(t)
	mkdir(t, filepath.Join(dir, "templates"))
	w := start(t, Options{Roots: []string{dir}})
	p := filepath.Join(dir, "templates", "index.html")
	write(t, p, "<h1>hi</h1>\n")
	if got := next(t, w); !slices.Equal(got, []string{p}) {
		t.Fatalf("got %q", got)
	}
}

func TestUserExclude(t *testing.T) {
	dir := project(t)
	mkdir(t, filepath.Join(dir, "build", "lib"))
	mkdir(t, filepath.Join(dir, "static", "vendor"))
	mkdir(t, filepath.Join(dir, "static", "css"))
	w := start(t, Options{Roots: []string{dir}, Exclude: []string{"build", "static/vendor", "*_local.py"}})
	if d := w.Describe(); !strings.Contains(d, "(3 dirs,") { // root, static, static/css
		t.Fatalf("Describe = %q", d)
	}
	write(t, filepath.Join(dir, "build", "lib", "app.py"), "pass\n")
	write(t, filepath.Join(dir, "static", "vendor", "lib.json"), "{}\n")
	write(t, filepath.Join(dir, "settings_local.py"), "pass\n")
	quiet(t, w, 200*time.Millisecond)
	css := filepath.Join(dir, "static", "css", "site.json")
	write(t, css, "{}\n")
	if got := next(t, w); !slices.Equal(got, []string{css}) {
		t.Fatalf("got %q", got)
	}
}

func TestUserInclude(t *testing.T) {
	dir := project(t)
	w := start(t, Options{Roots: []string{dir}, Include: []string{"*.sql", "conf/*.data"}})
	sql := filepath.Join(dir, "queries", "q.sql")
	data := filepath.Join(dir, "conf", "x.data")
	write(t, filepath.Join(dir, "other", "x.data"), "no\n") // the rel glob only matches under conf/
	write(t, sql, "select 1;\n")
	write(t, data, "1\n")
	got := collect(t, w, sql, data)
	if slices.Contains(got, filepath.Join(dir, "other", "x.data")) {
		t.Fatalf("other/x.data reported: %q", got)
	}
	if d := w.Describe(); !strings.Contains(d, "*.sql conf/*.data") {
		t.Fatalf("Describe = %q", d)
	}
}

func TestSlowConsumerGetsMergedList(t *testing.T) {
	dir := project(t)
	w := start(t, Options{Roots: []string{dir}})
	a, b := filepath.Join(dir, "a.py"), filepath.Join(dir, "b.py")
	write(t, a, "pass\n")
	time.Sleep(150 * time.Millisecond) // first burst closes, nobody reads
	write(t, b, "pass\n")
	time.Sleep(300 * time.Millisecond) // the second burst closes too
	if got := next(t, w); !slices.Equal(got, []string{a, b}) {
		t.Fatalf("got %q", got)
	}
	quiet(t, w, 150*time.Millisecond)
}

func TestMaxDelayCapsLongBurst(t *testing.T) {
	dir := project(t)
	w := start(t, Options{Roots: []string{dir}, MaxDelay: 200 * time.Millisecond})
	app := filepath.Join(dir, "app.py")
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { // a write every 10ms, never quiet for 30ms
		defer close(done)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
				os.WriteFile(app, []byte(fmt.Sprint(i)), 0o644)
			}
		}
	}()
	t0 := time.Now()
	next(t, w)
	took := time.Since(t0)
	close(stop)
	<-done
	if took > 600*time.Millisecond {
		t.Fatalf("first emission after %v despite MaxDelay 200ms", took)
	}
}

func TestNestedRoots(t *testing.T) {
	dir := project(t)
	lib := filepath.Join(dir, "vendor", "lib")
	mkdir(t, lib)
	w := start(t, Options{Roots: []string{dir, lib, dir + "/"}, Exclude: []string{"vendor"}})
	p := filepath.Join(lib, "m.py")
	write(t, p, "pass\n")
	if got := next(t, w); !slices.Equal(got, []string{p}) {
		t.Fatalf("got %q", got)
	}
	if d := w.Describe(); !strings.HasPrefix(d, "watching "+dir+", "+lib+" (2 dirs,") {
		t.Fatalf("Describe = %q", d)
	}
}

func TestCloseStopsEverything(t *testing.T) {
	before := runtime.NumGoroutine()
	for _, poll := range []time.Duration{0, 20 * time.Millisecond} {
		dir := project(t)
		w, err := New(Options{Roots: []string{dir}, Poll: poll, Debounce: 10 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(dir, "app.py"), "changed\n") // leave a pending list unread
		time.Sleep(100 * time.Millisecond)
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		w.Close() // idempotent
		for range w.Changes() {
		} // closed: the range ends
	}
	deadline := time.Now().Add(time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Fatalf("%d goroutines after Close, %d before", n, before)
	}
}

// TestLatency logs save-to-emission time with the default debounce.
func TestLatency(t *testing.T) {
	dir := project(t)
	w, err := New(Options{Roots: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	app := filepath.Join(dir, "app.py")
	var worst, sum time.Duration
	const n = 5
	for i := range n {
		t0 := time.Now()
		os.WriteFile(app, []byte(fmt.Sprint(i)), 0o644)
		next(t, w)
		d := time.Since(t0)
		sum += d
		worst = max(worst, d)
	}
	t.Logf("save to emission, debounce 50ms: mean %v, worst %v", sum/n, worst)
	if worst > 500*time.Millisecond {
		t.Fatalf("worst latency %v", worst)
	}
}
