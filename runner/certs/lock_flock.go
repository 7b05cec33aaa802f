//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package certs

import (
	"errors"
	"os"
	"syscall"
)

// lockDir takes an exclusive flock on dir itself (no lock file), so that two
// gowsgi processes do not check or write the certificate at the same time.
// The lock goes with the process if it dies.
func lockDir(dir string) (unlock func(), err error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return func() { f.Close() }, nil // closing releases the lock
}

// haveLock says whether lockDir really locks.
const haveLock = true
