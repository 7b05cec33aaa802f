// Package reaper makes sure that what the worker processes leave behind
// dies with them, and that the workers' process groups die with gowsgi even
// when gowsgi cannot act: killed with SIGKILL, say. (A worker runs in a
// process group of its own, and so does whatever the app starts; Pdeathsig
// kills a worker with gowsgi, but not the processes its app forked.)
//
// Two parts: when a worker has exited, EndGroup signals what is left of its
// group (SIGTERM, then SIGKILL a second later); and a helper process, gowsgi
// started again with Arg, is told each group as it starts and ends. When its
// pipe from gowsgi closes, however gowsgi went, it SIGKILLs the groups still
// listed. Without Start (in unit tests) only EndGroup's signals happen.
package reaper

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// Arg, as the first argument, makes gowsgi the helper (main dispatches it).
const Arg = "__gowsgi-reaper"

// termGrace is how long a group's processes get between SIGTERM and SIGKILL
// once their worker has exited.
const termGrace = time.Second

var (
	mu     sync.Mutex
	pipe   *os.File  // to the helper; nil without one
	helper *exec.Cmd //
)

// Start starts the helper. Call it before the first worker starts.
func Start() error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	cmd := exec.Command(exe, Arg)
	cmd.ExtraFiles = []*os.File{r} // fd 3; stdin, stdout and stderr are /dev/null
	// A group of its own: what a terminal (Ctrl+C) or timeout(1) sends
	// gowsgi's group is not for it; it leaves when gowsgi does.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	err = cmd.Start()
	r.Close()
	if err != nil {
		w.Close()
		return fmt.Errorf("cannot start the helper that reaps workers: %v", err)
	}
	mu.Lock()
	pipe, helper = w, cmd
	mu.Unlock()
	return nil
}

// Stop tells the helper gowsgi is done and waits (a moment) for it to kill
// what is still listed and exit.
func Stop() {
	mu.Lock()
	p, cmd := pipe, helper
	pipe, helper = nil, nil
	mu.Unlock()
	if p == nil {
		return
	}
	p.Close()
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
	}
}

// Track lists a new worker's process group (its PID) with the helper.
func Track(pgid int) { send('+', pgid) }

// EndGroup ends what is left of a process group whose worker has exited:
// SIGTERM now, SIGKILL termGrace later; then the helper forgets it.
func EndGroup(pgid int) {
	if syscall.Kill(-pgid, syscall.SIGTERM) != nil {
		send('-', pgid) // nobody left
		return
	}
	// Until then the helper still lists it: should gowsgi exit meanwhile,
	// the helper kills it.
	time.AfterFunc(termGrace, func() {
		syscall.Kill(-pgid, syscall.SIGKILL)
		send('-', pgid)
	})
}

func send(op byte, pgid int) {
	mu.Lock()
	defer mu.Unlock()
	if pipe == nil {
		return
	}
	// A short line is written whole (under PIPE_BUF); a helper that stopped
	// reading must not block the pool.
	pipe.SetWriteDeadline(time.Now().Add(time.Second))
	fmt.Fprintf(pipe, "%c%d\n", op, pgid)
}

// Serve is the helper: it reads the list of groups from fd 3 until gowsgi
// closes it (or dies), then SIGKILLs the groups left. It returns the exit
// status.
func Serve() int {
	// Only the pipe's end ends it.
	signal.Ignore(syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT)
	for pgid := range readGroups(os.NewFile(3, "gowsgi-reaper")) {
		syscall.Kill(-pgid, syscall.SIGKILL)
	}
	return 0
}

// readGroups reads "+PGID" and "-PGID" lines until r ends, and returns the
// groups listed and not taken off.
func readGroups(r io.Reader) map[int]bool {
	groups := map[int]bool{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if len(line) < 2 {
			continue
		}
		pgid, err := strconv.Atoi(line[1:])
		if err != nil || pgid <= 1 {
			continue
		}
		switch line[0] {
		case '+':
			groups[pgid] = true
		case '-':
			delete(groups, pgid)
		}
	}
	return groups
}
