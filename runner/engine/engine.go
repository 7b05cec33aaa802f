package engine

import (
	"os/exec"
	"regexp"
	"strings"
)

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

// A Hinter explains why an app did not import, when the engine can tell
// more than the traceback: which interpreter ran it and which other one has
// the missing module, or that the module needs CPython.
type Hinter interface {
	// ImportHint returns a few lines for the developer, or "".
	ImportHint(traceback string) string
}

// missingModule finds "No module named 'x'" in a traceback.
var missingModule = regexp.MustCompile(`No module named '([A-Za-z0-9_.]+)'`)

// MissingModule returns the top-level module a traceback says is missing,
// or "".
func MissingModule(traceback string) string {
	m := missingModule.FindAllStringSubmatch(traceback, -1)
	if m == nil {
		return ""
	}
	name, _, _ := strings.Cut(m[len(m)-1][1], ".")
	return name
}
