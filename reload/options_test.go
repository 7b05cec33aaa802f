package reload

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestNewRefuses(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	file := filepath.Join(home, "f.py")
	os.WriteFile(file, nil, 0o644)
	for _, tc := range []struct {
		name string
		o    Options
		want string
	}{
		{"root", Options{Roots: []string{"/"}}, "refusing to watch / (the filesystem root)"},
		{"home", Options{Roots: []string{home}}, "your home directory"},
		{"home slash", Options{Roots: []string{home + "/"}}, "your home directory"},
		{"missing", Options{Roots: []string{filepath.Join(home, "nope")}}, "does not exist"},
		{"file", Options{Roots: []string{file}}, "is not a directory"},
		{"none", Options{}, "no directory to watch"},
		{"bad include", Options{Roots: []string{t.TempDir()}, Include: []string{"["}}, `bad include pattern "["`},
		{"bad exclude", Options{Roots: []string{t.TempDir()}, Exclude: []string{"*.py", "a[b"}}, `bad exclude pattern "a[b"`},
	} {
		w, err := New(tc.o)
		if err == nil {
			w.Close()
			t.Errorf("%s: no error", tc.name)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
		if (tc.name == "root" || tc.name == "home") && !strings.Contains(err.Error(), "--watch DIR") {
			t.Errorf("%s: %v does not say what to do", tc.name, err)
		}
	}
	// Below $HOME is fine.
	sub := filepath.Join(home, "proj")
	os.Mkdir(sub, 0o755)
	w, err := New(Options{Roots: []string{sub}})
	if err != nil {
		t.Fatalf("subdir of HOME: %v", err)
	}
	w.Close()
}
