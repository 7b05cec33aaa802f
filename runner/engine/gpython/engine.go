// Package gpython is gowsgi's embedded Python engine: WSGI apps run on
// gpython (github.com/go-python/gpython v0.2.0, a Python 3.4 subset written
// in Go) inside worker processes that are the gowsgi binary itself,
// re-executed in a hidden worker mode. A worker speaks the same wire
// protocol as the CPython workers (docs/protocol.md), so the runner
// supervises, replaces and reloads both engines the same way.
//
// Inside a worker there is one gpython context per lane, each used by
// exactly one goroutine; the app is imported in each, sharing compiled code.
// The compatibility layer (runner/engine/gpython/shims), the native modules
// (runner/engine/gpython/pymod) and the runtime (runner/engine/gpython/pyrt) do the rest.
// docs/engines.md lists what runs and what does not.
package gpython

import (
	"fmt"
	"os"
	"os/exec"
)

// WorkerArg is the hidden first argument that makes gowsgi a gpython worker:
//
//	if len(os.Args) > 1 && os.Args[1] == gpython.WorkerArg { os.Exit(gpython.ServeWorker()) }
const WorkerArg = "__gpython-worker"

// Version is the gpython version the engine embeds.
const Version = "v0.2.0"

// Engine starts gpython workers: the gowsgi executable in worker mode.
type Engine struct {
	exe string
}

// New returns the engine; workers run os.Executable().
func New() (*Engine, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("gpython engine: cannot find the gowsgi executable: %w", err)
	}
	return &Engine{exe: exe}, nil
}

// Name is "gpython".
func (*Engine) Name() string { return "gpython" }

// Describe names the interpreter for the banner.
func (*Engine) Describe() string { return "gpython v0.2.0 (embedded, Python 3.4 subset)" }

// Command returns an unstarted worker command. The runner adds ExtraFiles
// (fd 3 control, fds 4.. lanes), Stdout, Stderr and SysProcAttr.
func (e *Engine) Command() (*exec.Cmd, error) {
	return exec.Command(e.exe, WorkerArg), nil
}
