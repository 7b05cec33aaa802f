// Package systemd speaks the two protocols systemd offers a service:
// sd_notify (READY=1, STOPPING=1 as datagrams on $NOTIFY_SOCKET) and socket
// activation (listening sockets passed as fds 3, 4, ... with $LISTEN_PID and
// $LISTEN_FDS). Each is a few lines, so gowsgi needs no library for them.
package systemd

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"sync"
	"syscall"
)

// firstFD is SD_LISTEN_FDS_START: the first socket systemd passes.
const firstFD = 3

var (
	once         sync.Once
	notifySocket string
	mu           sync.Mutex
	files        []*os.File // the passed sockets; nil once taken by Listener
	filesErr     error
)

// Take reads what systemd passed and clears it from the environment, so
// that the processes gowsgi starts (workers, and whatever the app starts)
// neither notify systemd nor mistake the sockets for theirs, and marks the
// passed fds close-on-exec. Call it before starting any process; it runs
// once, and the other functions call it too.
func Take() { once.Do(take) }

func take() {
	var n int
	notifySocket, n, filesErr = parseEnv(os.Getenv, os.Getpid())
	for _, k := range []string{"NOTIFY_SOCKET", "LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"} {
		os.Unsetenv(k)
	}
	for i := range n {
		syscall.CloseOnExec(firstFD + i)
		files = append(files, os.NewFile(uintptr(firstFD+i), "systemd socket "+strconv.Itoa(i)))
	}
}

// parseEnv reads systemd's variables: the notify socket, and how many
// sockets were passed to the process pid.
func parseEnv(getenv func(string) string, pid int) (notify string, sockets int, err error) {
	notify = getenv("NOTIFY_SOCKET")
	fds := getenv("LISTEN_FDS")
	if fds == "" {
		return notify, 0, nil
	}
	if lp := getenv("LISTEN_PID"); lp != strconv.Itoa(pid) {
		return notify, 0, fmt.Errorf("LISTEN_PID is %q, not this process (%d): the sockets were meant for another one", lp, pid)
	}
	n, err := strconv.Atoi(fds)
	if err != nil || n < 0 {
		return notify, 0, fmt.Errorf("LISTEN_FDS is %q, not a number of sockets", fds)
	}
	return notify, n, nil
}

// Listener returns a listener on the index-th socket systemd passed (0 is
// fd 3). Each socket can be taken once.
func Listener(index int) (net.Listener, error) {
	Take()
	mu.Lock()
	defer mu.Unlock()
	switch {
	case filesErr != nil:
		return nil, filesErr
	case len(files) == 0:
		return nil, fmt.Errorf("systemd passed no sockets (LISTEN_FDS is not set): start gowsgi from a .socket unit, or listen on tcp:PORT")
	case index >= len(files):
		return nil, fmt.Errorf("systemd passed %d socket(s) (LISTEN_FDS), so there is no index %d", len(files), index)
	case files[index] == nil:
		return nil, fmt.Errorf("socket %d is already in use", index)
	}
	f := files[index]
	files[index] = nil
	defer f.Close() // FileListener has its own copy
	l, err := net.FileListener(f)
	if err != nil {
		return nil, fmt.Errorf("fd %d: %v (a .socket unit for gowsgi needs ListenStream=, and Accept=no)", firstFD+index, err)
	}
	return l, nil
}

// Notify sends state (e.g. "READY=1") to systemd when it asked for it by
// setting $NOTIFY_SOCKET; otherwise it does nothing.
func Notify(state string) error {
	Take()
	if notifySocket == "" {
		return nil
	}
	// A leading "@" is an abstract socket, which net also writes with "@".
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: notifySocket, Net: "unixgram"})
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = conn.Write([]byte(state))
	return err
}
