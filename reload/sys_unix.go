//go:build unix

package reload

import (
	"io/fs"
	"syscall"
)

var errNotDir error = syscall.ENOTDIR

func inode(fi fs.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Ino)
	}
	return 0
}

// openFileLimit is RLIMIT_NOFILE's soft limit, for the fallback message; 0 if unknown.
func openFileLimit() uint64 {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return 0
	}
	return uint64(rl.Cur)
}
