package pidfile

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// zombie reports whether pid has exited but not been reaped (state Z in
// /proc/PID/stat): where init does not reap, a stopped daemon stays a zombie.
func zombie(pid int) bool {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// "PID (comm) STATE ...": comm may hold spaces and parentheses.
	i := bytes.LastIndexByte(data, ')')
	return i >= 0 && i+2 < len(data) && data[i+2] == 'Z'
}

// isGowsgi reports whether pid runs gowsgi: the same executable as ours, or
// a program whose name says gowsgi (another build or copy of it, or ours
// replaced on disk since it started).
func isGowsgi(pid int) bool {
	if exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid)); err == nil {
		if self, err := os.Executable(); err == nil && exe == self {
			return true
		}
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if errors.Is(err, fs.ErrNotExist) {
		return false // it has just exited
	}
	if err != nil {
		// Not readable (another user's, with hidepid): it is live, and we
		// cannot prove it is not ours; refusing is the safe side.
		return true
	}
	argv0, _, _ := bytes.Cut(cmdline, []byte{0})
	return strings.Contains(filepath.Base(string(argv0)), "gowsgi")
}
