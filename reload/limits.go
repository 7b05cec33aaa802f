package reload

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"syscall"
)

// isLimit reports whether err means inotify (or kqueue) ran out of a
// kernel resource. Those switch the watcher to polling; any other error
// only skips the directory it happened on.
func isLimit(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE)
}

// fallbackMessage names the cause and the fix, for the one-time warning.
func fallbackMessage(err error, interval string) string {
	then := "polling every " + interval + " instead."
	switch {
	case errors.Is(err, syscall.ENOSPC):
		return fmt.Sprintf("inotify watch limit reached (fs.inotify.max_user_watches%s); %s "+
			"To raise it: sudo sysctl fs.inotify.max_user_watches=524288",
			sysctl("fs/inotify/max_user_watches"), then)
	case errors.Is(err, syscall.EMFILE) && runtime.GOOS == "linux":
		return fmt.Sprintf("too many inotify instances or open files (fs.inotify.max_user_instances%s, open-file limit %s); %s "+
			"To raise it: sudo sysctl fs.inotify.max_user_instances=1024, or raise the open-file limit (ulimit -n)",
			sysctl("fs/inotify/max_user_instances"), limitString(), then)
	case errors.Is(err, syscall.EMFILE):
		return fmt.Sprintf("too many open files (one is needed per watched directory; open-file limit %s); %s "+
			"To raise it: ulimit -n 10240 (and sudo sysctl kern.maxfilesperproc if that is lower)",
			limitString(), then)
	case errors.Is(err, syscall.ENFILE):
		return fmt.Sprintf("the system-wide open-file table is full (%v); %s "+
			"To raise it: sudo sysctl fs.file-max (Linux) or kern.maxfiles (macOS)", err, then)
	default:
		return fmt.Sprintf("file change events are unavailable (%v); %s", err, then)
	}
}

// sysctl reads a Linux sysctl as "=value" for a message, or "" when unreadable.
func sysctl(name string) string {
	b, err := os.ReadFile("/proc/sys/" + name)
	if err != nil {
		return ""
	}
	return "=" + strings.TrimSpace(string(b))
}

func limitString() string {
	if n := openFileLimit(); n > 0 {
		return fmt.Sprint(n)
	}
	return "unknown"
}
