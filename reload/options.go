package reload

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Options configures a Watcher. Only Roots is required.
type Options struct {
	Roots    []string                         // directories to watch recursively (absolute); must exist
	Include  []string                         // extra include globs (added to the defaults)
	Assets   []string                         // more include globs that gowsgi adds itself (live reload's): not listed in Describe
	Exclude  []string                         // extra exclude globs (added to the defaults)
	Poll     time.Duration                    // > 0: poll every Poll instead of using inotify
	Debounce time.Duration                    // quiet time that ends a burst; 0 = default 50ms
	MaxDelay time.Duration                    // a burst is reported at the latest this long after its first event; 0 = default 1s
	Warnf    func(format string, args ...any) // for one-time warnings (fallback to polling); may be nil

	// Test hooks; nil means the real fsnotify calls.
	newFS    func() (*fsnotify.Watcher, error)
	addWatch func(fsw *fsnotify.Watcher, dir string) error
}

const (
	defaultDebounce = 50 * time.Millisecond
	defaultMaxDelay = time.Second
	// fallbackPoll is the interval used when inotify cannot be used.
	fallbackPoll = time.Second
)

// cleanRoots validates the roots and returns them absolute, cleaned and de-duplicated.
func cleanRoots(in []string) ([]string, error) {
	if len(in) == 0 {
		return nil, errors.New("reload: no directory to watch")
	}
	home := homeDir()
	var out []string
	seen := map[string]bool{}
	for _, r := range in {
		abs, err := filepath.Abs(r)
		if err != nil {
			return nil, fmt.Errorf("reload: watch directory %q: %w", r, err)
		}
		if err := refuseDangerous(abs, home); err != nil {
			return nil, err
		}
		fi, err := os.Stat(abs)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil, fmt.Errorf("reload: watch directory %s does not exist", abs)
			}
			return nil, fmt.Errorf("reload: watch directory %s: %w", abs, err)
		}
		if !fi.IsDir() {
			return nil, fmt.Errorf("reload: watch directory %s is not a directory", abs)
		}
		d, err := os.Open(abs) // an unreadable root would silently watch nothing
		if err != nil {
			return nil, fmt.Errorf("reload: watch directory %s: %w", abs, err)
		}
		d.Close()
		if !seen[abs] {
			seen[abs] = true
			out = append(out, abs)
		}
	}
	return out, nil
}

// refuseDangerous rejects "/" and $HOME themselves (not their subdirectories):
// watching them means walking a whole disk or every project and virtualenv the user has.
func refuseDangerous(abs, home string) error {
	what := ""
	switch {
	case isSameDir(abs, string(filepath.Separator)) || abs == filepath.VolumeName(abs)+string(filepath.Separator):
		what = "the filesystem root"
	case home != "" && isSameDir(abs, home):
		what = "your home directory"
	default:
		return nil
	}
	return fmt.Errorf("reload: refusing to watch %s (%s) for changes: "+
		"run gowsgi from the project directory, or pass --watch DIR", abs, what)
}

func homeDir() string {
	h := os.Getenv("HOME")
	if h == "" {
		h, _ = os.UserHomeDir()
	}
	if h == "" {
		return ""
	}
	abs, err := filepath.Abs(h)
	if err != nil {
		return ""
	}
	return abs
}

// isSameDir compares paths literally and after resolving symlinks, so
// /home/me/ and a symlink to it both count as $HOME.
func isSameDir(a, b string) bool {
	if filepath.Clean(a) == filepath.Clean(b) {
		return true
	}
	ra, err1 := filepath.EvalSymlinks(a)
	rb, err2 := filepath.EvalSymlinks(b)
	return err1 == nil && err2 == nil && ra == rb
}

// checkGlobs reports the first malformed glob by name.
func checkGlobs(kind string, globs []string) error {
	for _, g := range globs {
		if strings.TrimSpace(g) == "" {
			return fmt.Errorf("reload: empty %s pattern", kind)
		}
		if _, err := filepath.Match(g, ""); err != nil {
			return fmt.Errorf("reload: bad %s pattern %q: %w", kind, g, err)
		}
	}
	return nil
}
