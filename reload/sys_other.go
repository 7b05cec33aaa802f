//go:build !unix

package reload

import (
	"errors"
	"io/fs"
)

var errNotDir = errors.New("not a directory")

func inode(fs.FileInfo) uint64 { return 0 }

func openFileLimit() uint64 { return 0 }
