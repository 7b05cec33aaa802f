package reload

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// bigTree makes 500 directories of 20 files each (half included).
func bigTree(b *testing.B) string {
	dir := b.TempDir()
	for d := range 500 {
		sub := filepath.Join(dir, fmt.Sprintf("p%d", d/25), fmt.Sprintf("m%d", d))
		for f := range 10 {
			writeB(b, filepath.Join(sub, fmt.Sprintf("f%d.py", f)))
			writeB(b, filepath.Join(sub, fmt.Sprintf("f%d.png", f)))
		}
	}
	return dir
}

func writeB(b *testing.B, p string) {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(p, nil, 0o644); err != nil {
		b.Fatal(err)
	}
}

func BenchmarkNewInotify(b *testing.B) {
	dir := bigTree(b)
	for b.Loop() {
		w, err := New(Options{Roots: []string{dir}})
		if err != nil {
			b.Fatal(err)
		}
		w.Close()
	}
}

func BenchmarkPollScan(b *testing.B) {
	dir := bigTree(b)
	w, err := New(Options{Roots: []string{dir}, Poll: 1 << 40})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	b.Log(w.Describe())
	for b.Loop() {
		w.scan()
	}
}

func BenchmarkWantFile(b *testing.B) {
	f := newFilter([]string{"*.sql"}, nil, []string{"build"})
	for b.Loop() {
		f.wantFile("pkg/mod/file.dat", "file.dat")
	}
}
