package reload

import (
	"testing"
	"time"
)

func TestFilter(t *testing.T) {
	f := newFilter([]string{"*.sql", "conf/*.data"}, nil, []string{"build", "static/vendor", "*_local.py", "dist/"})
	files := []struct {
		rel  string
		want bool
	}{
		{"app.py", true}, {"pkg/mod.py", true}, {"templates/a.html", true}, {"t.jinja2", true},
		{"x.j2", true}, {"requirements.txt", true}, {"c.json", true}, {"pyproject.toml", true},
		{"a.yaml", true}, {"a.yml", true}, {"setup.cfg", true}, {"tox.ini", true}, {".env", true},
		{"q/a.sql", true}, {"conf/x.data", true}, {"other/x.data", false},
		{"app.pyc", false}, {"app.pyo", false}, {".app.py.swp", false}, {".app.py.swo", false},
		{"4913", false}, {"app.py~", false}, {".#app.py", false}, {"a.py.tmp", false},
		{"app.py___jb_tmp___", false}, {".DS_Store", false}, {"flycheck_app.py", false},
		{"settings_local.py", false}, {"notes.md", false}, {"app.log", false}, {".env.local", false},
		{"dist", false}, {"build", false},
	}
	for _, tc := range files {
		base := tc.rel[lastSlash(tc.rel)+1:]
		if got := f.wantFile(tc.rel, base); got != tc.want {
			t.Errorf("wantFile(%q) = %v", tc.rel, got)
		}
	}
	dirs := []struct {
		rel  string
		want bool
	}{
		{".git", true}, {"a/__pycache__", true}, {"node_modules", true}, {".venv", true},
		{"lib/python3.12/site-packages", true}, {".idea", true}, {"build", true}, {"x/build", true},
		{"static/vendor", true}, {"x/static/vendor", false}, {"dist", true}, {"src", false},
		{"templates", false}, {"static", false},
	}
	for _, tc := range dirs {
		base := tc.rel[lastSlash(tc.rel)+1:]
		if got := f.skipDir(tc.rel, base); got != tc.want {
			t.Errorf("skipDir(%q) = %v", tc.rel, got)
		}
	}
}

func lastSlash(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '/' {
			return i
		}
	}
	return -1
}

func TestBurstTiming(t *testing.T) {
	b := newBurst(50*time.Millisecond, time.Second)
	defer b.stop()
	t0 := time.Unix(1000, 0)
	b.add(t0, "b.py")
	b.add(t0.Add(40*time.Millisecond), "a.py")
	b.fire(t0.Add(50 * time.Millisecond)) // quiet for only 10ms: not due
	if b.ready != nil {
		t.Fatalf("closed early: %q", b.ready)
	}
	b.fire(t0.Add(90 * time.Millisecond))
	if len(b.ready) != 2 || b.ready[0] != "a.py" {
		t.Fatalf("ready = %q", b.ready)
	}
	// Unread, the next burst merges in.
	b.add(t0.Add(2*time.Second), "a.py")
	b.add(t0.Add(2*time.Second), "c.py")
	b.fire(t0.Add(3 * time.Second))
	if len(b.ready) != 3 {
		t.Fatalf("merged ready = %q", b.ready)
	}
	// A never-quiet stream closes at maxDelay.
	b.ready = nil
	start := t0.Add(10 * time.Second)
	for i := range 30 {
		b.add(start.Add(time.Duration(i)*40*time.Millisecond), "x.py")
	}
	b.fire(start.Add(time.Second))
	if b.ready == nil {
		t.Fatal("maxDelay did not close the burst")
	}
}
