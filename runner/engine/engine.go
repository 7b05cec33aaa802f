package engine

import "os/exec"

// An Engine knows how to start one worker process. Both engines' workers speak
// the protocol in runner/wire over the sockets the runner passes them (fd 3 is
// the control socket, fds 4.. are the lanes), so the runner supervises,
// replaces and reloads them the same way.
type Engine interface {
	// Name is "cpython" or "gpython".
	Name() string
	// Describe names the interpreter for the banner, e.g. "CPython 3.11.2 (/usr/bin/python3)".
	Describe() string
	// Command returns an unstarted command for one worker. The runner sets
	// ExtraFiles, Stdout, Stderr and SysProcAttr.
	Command() (*exec.Cmd, error)
}
