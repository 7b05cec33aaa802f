//go:build unix

package static

import (
	"os"
	"syscall"
)

// openFlags opens without blocking on a FIFO that may have been swapped in
// after the type check; for regular files and directories O_NONBLOCK has
// no effect.
const openFlags = os.O_RDONLY | syscall.O_NONBLOCK

// lexists reports whether something, of any type, is at path, without
// following a final symlink: one lstat(2) and no FileInfo. It is the
// cheap first look for precompressed siblings, which are usually absent;
// it proves nothing about confinement (open does that for the sibling
// actually sent).
func lexists(path string) bool {
	var st syscall.Stat_t
	for {
		err := syscall.Lstat(path, &st)
		if err != syscall.EINTR {
			return err == nil
		}
	}
}
