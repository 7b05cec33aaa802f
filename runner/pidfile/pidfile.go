// Package pidfile keeps gowsgi's pidfile, as twistd and gunicorn do: a
// pidfile naming a live gowsgi means another server runs there; a stale one
// (its process gone, or its PID now someone else's) is replaced; the file is
// written atomically and removed only by the process it names. Modelled on
// gunicorn's pidfile.py.
package pidfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// RunningError says another gowsgi holds the pidfile.
type RunningError struct {
	Path string
	PID  int
}

func (e *RunningError) Error() string {
	return fmt.Sprintf("another gowsgi is running, PID %d (from %s)", e.PID, e.Path)
}

// Read returns the PID written in path. A missing file is fs.ErrNotExist; a
// file that does not hold a positive number is an error naming it.
func Read(path string) (int, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || pid <= 0 {
		return 0, fmt.Errorf("%s does not hold a process id (%q)", path, truncate(string(data), 40))
	}
	return pid, nil
}

// Running returns the PID of the live gowsgi that path names, or 0 when
// there is none: no file, no number in it, a process that has exited (a
// zombie counts as exited), or a live process that is not gowsgi (the PID
// reused, after a reboot say). Only an unreadable file is an error.
func Running(path string) (int, error) {
	pid, err := Read(path)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return 0, err // permission denied, a directory, ...
		}
		return 0, nil // garbage: stale
	}
	if pid == os.Getpid() || !Alive(pid) || !isGowsgi(pid) {
		return 0, nil
	}
	return pid, nil
}

// Create writes pid to path, unless another live gowsgi holds it
// (*RunningError). The file is written beside path and renamed over it, so
// a reader never sees it empty or half written.
func Create(path string, pid int) error {
	other, err := Running(path)
	if err != nil {
		return err
	}
	if other != 0 {
		return &RunningError{Path: path, PID: other}
	}
	// Not os.CreateTemp: its files are 0600, and a pidfile is for everyone
	// to read (within the umask, as os.Create would make it).
	var tmp *os.File
	for i := 0; ; i++ {
		name := fmt.Sprintf("%s.%d.%d.tmp", filepath.Join(filepath.Dir(path), "."+filepath.Base(path)), pid, time.Now().UnixNano()+int64(i))
		tmp, err = os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil || !errors.Is(err, fs.ErrExist) || i == 10 {
			break
		}
	}
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename there is nothing to remove
	if _, err := tmp.WriteString(strconv.Itoa(pid) + "\n"); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// Remove deletes path if it still holds pid: a pidfile another process has
// since written is not ours to remove.
func Remove(path string, pid int) error {
	got, err := Read(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil || got != pid {
		return nil
	}
	return os.Remove(path)
}

// Alive reports whether a process with this id exists and has not exited
// (EPERM: it exists, owned by someone else; a zombie has exited).
func Alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	if err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	return !zombie(pid)
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}
