package reload

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/fsnotify/fsnotify"
)

// dirInfo is one watched directory: the root it belongs to and the base
// names of its included files. The file list is what lets a directory that
// is moved away or deleted report the files it held.
type dirInfo struct {
	root  string
	files map[string]struct{}
}

// startInotify creates the fsnotify watcher and watches every root.
// On resource exhaustion it falls back to polling.
func (w *Watcher) startInotify() {
	newFS := w.opts.newFS
	if newFS == nil {
		newFS = fsnotify.NewWatcher
	}
	fsw, err := newFS()
	if err != nil {
		w.fallBack(err)
		return
	}
	w.fsw = fsw
	w.dirs = map[string]*dirInfo{}
	w.nfiles = 0
	for _, r := range walkOrder(w.roots) {
		if err := w.watchTree(r, r, nil); err != nil {
			w.fallBack(err)
			return
		}
	}
	w.publish("inotify", 0)
}

// addWatch adds one inotify watch (a test hook can make it fail).
func (w *Watcher) addWatch(dir string) error {
	if w.opts.addWatch != nil {
		return w.opts.addWatch(w.fsw, dir)
	}
	return w.fsw.Add(dir)
}

// watchTree watches dir and the directories below it that are not yet
// watched. report, if set, receives every included file found: files
// created before the watch existed would otherwise be missed. It returns
// only inotify resource-limit errors; other failures skip a directory.
func (w *Watcher) watchTree(root, dir string, report func(string)) error {
	enter := func(d string) error {
		if _, ok := w.dirs[d]; ok {
			return errSkip // already watched, and its files known
		}
		if err := w.addWatch(d); err != nil {
			if isLimit(err) {
				return err
			}
			w.unreadable(d, err)
			return errSkip
		}
		w.dirs[d] = &dirInfo{root: root, files: map[string]struct{}{}}
		return nil
	}
	file := func(d string, e fs.DirEntry) {
		w.addFile(d, e.Name())
		if report != nil {
			report(filepath.Join(d, e.Name()))
		}
	}
	return w.walk(root, dir, enter, file)
}

// handleEvent turns one fsnotify event into reported paths and watch updates.
func (w *Watcher) handleEvent(ev fsnotify.Event) {
	if !ev.Has(fsnotify.Create | fsnotify.Write | fsnotify.Remove | fsnotify.Rename) {
		return // Chmod only: touch, antivirus, Spotlight
	}
	p := filepath.Clean(ev.Name)
	if ev.Has(fsnotify.Remove|fsnotify.Rename) && w.dirs[p] != nil {
		w.dropDir(p, w.report) // a watched directory went away or was renamed
		return
	}
	dir, name := filepath.Split(p)
	dir = filepath.Clean(dir)
	parent := w.dirs[dir]
	if parent == nil {
		return // a late event from a directory no longer watched
	}
	switch {
	case ev.Has(fsnotify.Remove | fsnotify.Rename):
		w.delFile(dir, name)
		if w.f.wantFile(relPath(parent.root, p), name) {
			w.report(p)
		}
	case ev.Has(fsnotify.Create):
		fi, err := os.Lstat(p)
		if err == nil && fi.IsDir() {
			w.newDir(parent.root, p)
			return
		}
		if name == venvMarker {
			w.becameVenv(dir)
			return
		}
		if w.f.wantFile(relPath(parent.root, p), name) {
			if err == nil {
				w.addFile(dir, name)
			}
			w.report(p)
		}
	case ev.Has(fsnotify.Write):
		if w.f.wantFile(relPath(parent.root, p), name) {
			w.addFile(dir, name)
			w.report(p)
		}
	}
}

// newDir watches a directory that appeared (mkdir, or moved in) and
// reports the included files already inside it.
func (w *Watcher) newDir(root, dir string) {
	if err := w.watchTree(root, dir, w.report); err != nil {
		w.fallBack(err)
	}
}

// dropDir forgets dir and everything below it, reporting their known
// files through report (nil: report nothing). Watches are removed
// explicitly because fsnotify keeps a moved subdirectory's watch under its
// old path, and would then refuse to watch it under the new one.
func (w *Watcher) dropDir(dir string, report func(string)) {
	prefix := dir + string(filepath.Separator)
	for d, info := range w.dirs {
		if d != dir && !strings.HasPrefix(d, prefix) {
			continue
		}
		if report != nil {
			for name := range info.files {
				report(filepath.Join(d, name))
			}
		}
		w.nfiles -= len(info.files)
		delete(w.dirs, d)
		_ = w.fsw.Remove(d) // fails harmlessly if the kernel already dropped it
	}
}

// becameVenv drops a watched directory in which a pyvenv.cfg appeared
// (python -m venv myenv): it is a virtualenv now, not project code.
func (w *Watcher) becameVenv(dir string) {
	for _, r := range w.roots {
		if r == dir {
			return
		}
	}
	w.dropDir(dir, nil)
}

func (w *Watcher) addFile(dir, name string) {
	if info := w.dirs[dir]; info != nil {
		if _, ok := info.files[name]; !ok {
			info.files[name] = struct{}{}
			w.nfiles++
		}
	}
}

func (w *Watcher) delFile(dir, name string) {
	if info := w.dirs[dir]; info != nil {
		if _, ok := info.files[name]; ok {
			delete(info.files, name)
			w.nfiles--
		}
	}
}

// rescan repairs the watch set after the kernel queue overflowed (events
// were lost): it watches directories it missed, forgets vanished ones and
// reports the roots, since what changed is unknown.
func (w *Watcher) rescan() {
	seen := map[string]bool{}
	fresh := map[string]*dirInfo{}
	enter := func(d string) error {
		if seen[d] {
			return errSkip
		}
		seen[d] = true
		if old := w.dirs[d]; old != nil {
			fresh[d] = &dirInfo{root: old.root, files: map[string]struct{}{}}
			return nil
		}
		if err := w.addWatch(d); err != nil {
			if isLimit(err) {
				return err
			}
			w.unreadable(d, err)
			return errSkip
		}
		fresh[d] = &dirInfo{root: w.rootOf(d), files: map[string]struct{}{}}
		return nil
	}
	nfiles := 0
	file := func(d string, e fs.DirEntry) {
		fresh[d].files[e.Name()] = struct{}{}
		nfiles++
	}
	for _, r := range walkOrder(w.roots) {
		if err := w.walk(r, r, enter, file); err != nil {
			w.fallBack(err)
			return
		}
	}
	for d := range w.dirs {
		if fresh[d] == nil {
			_ = w.fsw.Remove(d) // vanished or now excluded
		}
	}
	w.dirs, w.nfiles = fresh, nfiles
	for _, r := range w.roots {
		w.report(r)
	}
}
