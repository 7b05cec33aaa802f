package reload

import (
	"io/fs"
	"path/filepath"
	"time"
)

// fileStat is what polling compares: no file contents are read. The inode
// catches an atomic save that keeps size and (coarse) mtime.
type fileStat struct {
	mtime int64
	size  int64
	ino   uint64
}

// startPolling switches to polling every interval, taking the baseline scan now.
func (w *Watcher) startPolling(interval time.Duration) {
	w.interval = interval
	w.snap, w.ndirs = w.scan()
	w.ticker = time.NewTicker(interval)
	w.publish("polling", interval)
}

// scan walks the roots with the same filters as inotify and stats the included files.
func (w *Watcher) scan() (map[string]fileStat, int) {
	files := map[string]fileStat{}
	seen := map[string]bool{}
	enter := func(d string) error {
		if seen[d] {
			return errSkip // nested root, already scanned
		}
		seen[d] = true
		return nil
	}
	file := func(d string, e fs.DirEntry) {
		fi, err := e.Info()
		if err != nil {
			return // removed since the listing
		}
		files[filepath.Join(d, e.Name())] = fileStat{mtime: fi.ModTime().UnixNano(), size: fi.Size(), ino: inode(fi)}
	}
	for _, r := range walkOrder(w.roots) {
		_ = w.walk(r, r, enter, file) // enter never aborts
	}
	return files, len(seen)
}

// poll runs one scan and reports what differs from the previous one.
func (w *Watcher) poll() {
	cur, ndirs := w.scan()
	for _, p := range diffSnap(w.snap, cur) {
		w.report(p)
	}
	w.snap, w.ndirs = cur, ndirs
}

// diffSnap lists files added, removed or changed between two scans.
func diffSnap(old, cur map[string]fileStat) []string {
	var out []string
	for p, st := range cur {
		if prev, ok := old[p]; !ok || prev != st {
			out = append(out, p)
		}
	}
	for p := range old {
		if _, ok := cur[p]; !ok {
			out = append(out, p)
		}
	}
	return out
}
