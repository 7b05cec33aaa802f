// Package reload watches the app's source trees and decides when they
// changed: it reports debounced lists of changed files and restarts
// nothing itself (the runner does). It uses inotify through fsnotify,
// walking the trees because fsnotify is not recursive, and polls instead
// when asked to or when the kernel runs out of inotify resources.
package reload

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Watcher reports changes under its roots on Changes until Close.
type Watcher struct {
	opts  Options
	f     *filter
	roots []string // absolute, cleaned, unique, in the caller's order

	out    chan []string
	done   chan struct{}
	exited chan struct{}
	once   sync.Once

	mu     sync.Mutex // guards the published view below, read by Describe and Mode
	pMode  string
	pEvery time.Duration
	pDirs  int
	pFiles int

	// Owned by New, then by the loop goroutine.
	b                *burst
	fsw              *fsnotify.Watcher // nil when polling
	dirs             map[string]*dirInfo
	nfiles           int
	ticker           *time.Ticker // nil with inotify
	interval         time.Duration
	snap             map[string]fileStat
	ndirs            int
	fellBack         bool
	running          bool // the loop has started: New's walks are over
	unreadableWarned bool
}

// New validates the options and starts watching. It refuses "/" and the
// user's $HOME as roots (exactly those dirs, not their subdirs), a root
// that does not exist or is not a directory, and a malformed glob.
// Watches are in place when New returns: later changes are reported.
func New(o Options) (*Watcher, error) {
	roots, err := cleanRoots(o.Roots)
	if err != nil {
		return nil, err
	}
	if err := checkGlobs("include", o.Include); err != nil {
		return nil, err
	}
	if err := checkGlobs("exclude", o.Exclude); err != nil {
		return nil, err
	}
	if o.Poll < 0 || o.Debounce < 0 || o.MaxDelay < 0 {
		return nil, errors.New("reload: Poll, Debounce and MaxDelay must not be negative")
	}
	if o.Debounce == 0 {
		o.Debounce = defaultDebounce
	}
	if o.MaxDelay == 0 {
		o.MaxDelay = defaultMaxDelay
	}
	w := &Watcher{
		opts:   o,
		f:      newFilter(o.Include, o.Assets, o.Exclude),
		roots:  roots,
		out:    make(chan []string),
		done:   make(chan struct{}),
		exited: make(chan struct{}),
		b:      newBurst(o.Debounce, o.MaxDelay),
	}
	if o.Poll > 0 {
		w.startPolling(o.Poll)
	} else {
		w.startInotify()
	}
	w.running = true
	go w.loop()
	return w, nil
}

// Changes delivers one sorted, de-duplicated list of changed paths per
// debounced burst, and is closed by Close. The paths are absolute, and they
// are files: written, created, removed, or renamed away or onto. A
// directory that appears reports the included files inside it; one that is
// removed or renamed away reports the included files it held, so a renamed
// package shows up under its old and its new path. The one exception: when
// the kernel dropped events (inotify queue overflow) the roots themselves
// are reported, since what changed is unknown.
// A list not yet taken grows with later bursts instead of blocking the watcher.
func (w *Watcher) Changes() <-chan []string { return w.out }

// Mode returns "inotify" or "polling".
func (w *Watcher) Mode() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.pMode
}

// Describe is one line for the start-up log.
func (w *Watcher) Describe() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	mode := "inotify"
	if w.pMode == "polling" {
		mode = "polling every " + w.pEvery.String()
	}
	d := fmt.Sprintf("watching %s (%d dirs, %d files) with %s", strings.Join(w.roots, ", "), w.pDirs, w.pFiles, mode)
	if p := w.f.patterns(); p != "" {
		d += "; " + p
	}
	return d
}

// Close stops watching, closes Changes and waits for the goroutine to exit.
func (w *Watcher) Close() error {
	w.once.Do(func() { close(w.done) })
	<-w.exited
	return nil
}

func (w *Watcher) loop() {
	defer close(w.exited)
	defer close(w.out)
	defer w.stopAll()
	for {
		var out chan []string
		if w.b.ready != nil {
			out = w.out
		}
		var events <-chan fsnotify.Event
		var errs <-chan error
		if w.fsw != nil {
			events, errs = w.fsw.Events, w.fsw.Errors
		}
		var tick <-chan time.Time
		if w.ticker != nil {
			tick = w.ticker.C
		}
		select {
		case <-w.done:
			return
		case ev, ok := <-events:
			if !ok {
				w.fallBack(errors.New("fsnotify watcher closed"))
				continue
			}
			w.handleEvent(ev)
			w.publish("inotify", 0)
		case err, ok := <-errs:
			switch {
			case !ok:
				w.fallBack(errors.New("fsnotify watcher closed"))
			case errors.Is(err, fsnotify.ErrEventOverflow):
				w.rescan() // events were lost
				w.publish("inotify", 0)
			}
		case <-tick:
			w.poll()
			w.publish("polling", w.interval)
		case now := <-w.b.timer.C:
			w.b.fire(now)
		case out <- w.b.ready:
			w.b.ready = nil
		}
	}
}

// report adds a changed path to the current burst.
func (w *Watcher) report(p string) { w.b.add(time.Now(), p) }

// fallBack switches to polling for the rest of the run, warning once.
func (w *Watcher) fallBack(cause error) {
	if w.fsw != nil {
		_ = w.fsw.Close() // releases every watch at once
		w.fsw = nil
	}
	var known map[string]bool
	if w.running {
		known = w.knownFiles()
	}
	w.dirs, w.nfiles = nil, 0
	if !w.fellBack {
		w.fellBack = true
		w.warn("%s", fallbackMessage(cause, fallbackPoll.String()))
	}
	w.startPolling(fallbackPoll)
	if known == nil {
		return
	}
	// The baseline scan must not swallow what happened since the last
	// event, such as the files in the directory whose watch failed.
	for p := range w.snap {
		if !known[p] {
			w.report(p)
		}
	}
	for p := range known {
		if _, ok := w.snap[p]; !ok {
			w.report(p)
		}
	}
}

// knownFiles lists the included files inotify knows of.
func (w *Watcher) knownFiles() map[string]bool {
	known := make(map[string]bool, w.nfiles)
	for d, info := range w.dirs {
		for name := range info.files {
			known[filepath.Join(d, name)] = true
		}
	}
	return known
}

func (w *Watcher) warn(format string, args ...any) {
	if w.opts.Warnf != nil {
		w.opts.Warnf(format, args...)
	}
}

// publish copies the loop's counters for Describe and Mode.
func (w *Watcher) publish(mode string, every time.Duration) {
	if w.fsw == nil && mode == "inotify" {
		return // fell back while handling the event; startPolling published
	}
	dirs, files := len(w.dirs), w.nfiles
	if mode == "polling" {
		dirs, files = w.ndirs, len(w.snap)
	}
	w.mu.Lock()
	w.pMode, w.pEvery, w.pDirs, w.pFiles = mode, every, dirs, files
	w.mu.Unlock()
}

func (w *Watcher) stopAll() {
	w.b.stop()
	if w.ticker != nil {
		w.ticker.Stop()
	}
	if w.fsw != nil {
		_ = w.fsw.Close()
	}
}
