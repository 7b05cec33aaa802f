//go:build unix

package certs

import (
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// checkModes says whether Unix permission bits mean anything here.
const checkModes = true

// checkOwner fails when fi belongs to another user than the one running gowsgi.
func checkOwner(fi fs.FileInfo) error {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	if uid := os.Geteuid(); int(st.Uid) != uid {
		return fmt.Errorf("is owned by another user (uid %d, not %d)", st.Uid, uid)
	}
	return nil
}
