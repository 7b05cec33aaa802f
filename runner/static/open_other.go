//go:build !unix

package static

import "os"

const openFlags = os.O_RDONLY

// lexists reports whether something, of any type, is at path, without
// following a final symlink. See the unix version.
func lexists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}
