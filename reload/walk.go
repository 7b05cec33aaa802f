package reload

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// errSkip, returned by an enter callback, leaves a directory's subtree out of a walk.
var errSkip = errors.New("skip directory")

// walk visits dir and every directory below it that the filter keeps, depth first.
// enter runs before a directory is listed (inotify adds its watch there, so
// nothing created during the listing is missed); errSkip prunes, any other
// error aborts the walk. file runs for each included file.
// Symlinks are not followed: a link to a directory is neither walked nor watched.
func (w *Watcher) walk(root, dir string, enter func(dir string) error, file func(dir string, e fs.DirEntry)) error {
	if dir != root && w.skipDir(root, dir) {
		return nil
	}
	if err := enter(dir); err != nil {
		if err == errSkip {
			return nil
		}
		return err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		w.unreadable(dir, err) // entries read before the error are still used
	}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		if e.IsDir() {
			if err := w.walk(root, p, enter, file); err != nil {
				return err
			}
			continue
		}
		if t := e.Type(); !t.IsRegular() && t&fs.ModeSymlink == 0 {
			continue // sockets, fifos, devices
		}
		if w.f.wantFile(relPath(root, p), e.Name()) {
			file(dir, e)
		}
	}
	return nil
}

// skipDir applies the directory excludes, including "holds a pyvenv.cfg".
func (w *Watcher) skipDir(root, dir string) bool {
	if w.f.skipDir(relPath(root, dir), filepath.Base(dir)) {
		return true
	}
	_, err := os.Lstat(filepath.Join(dir, venvMarker))
	return err == nil
}

// unreadable remembers the first directory that could not be listed or
// watched, for one warning; vanished directories are normal and ignored.
func (w *Watcher) unreadable(dir string, err error) {
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, errNotDir) || w.unreadableWarned {
		return
	}
	w.unreadableWarned = true
	w.warn("cannot watch %s (%v); changes under it are not seen", dir, err)
}

// rootOf returns the deepest root holding path: relative globs match against it.
func (w *Watcher) rootOf(path string) string {
	best := ""
	for _, r := range w.roots {
		if (path == r || strings.HasPrefix(path, r+string(filepath.Separator))) && len(r) > len(best) {
			best = r
		}
	}
	return best
}

// relPath is path relative to root; path must be root or below it.
func relPath(root, path string) string {
	if path == root {
		return "."
	}
	return strings.TrimPrefix(path, strings.TrimSuffix(root, string(filepath.Separator))+string(filepath.Separator))
}

// walkOrder lists roots deepest first, so a nested root (say a --pythonpath
// entry inside the app directory) claims its own subtree for relative globs.
func walkOrder(roots []string) []string {
	out := append([]string(nil), roots...)
	sort.SliceStable(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}
