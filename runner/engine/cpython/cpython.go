// Package cpython is the engine that runs apps on a real Python interpreter:
// it finds the interpreter and starts the embedded worker program with it.
package cpython

import (
	_ "embed"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

//go:embed worker.py
var workerSource []byte

// asgiSource is the ASGI server (an asyncio loop serving one lane). It
// follows workerSource on the command line, and worker.py compiles it only
// for an ASGI app, under the name its tracebacks leave out.
//
//go:embed asgi.py
var asgiSource []byte

// Engine starts CPython workers with one interpreter.
type Engine struct {
	Python  string // the interpreter's path
	Version string // "3.11.2"
	Origin  string // how it was found: "--python", "$VIRTUAL_ENV", "./.venv", "PATH"
}

// Find locates the interpreter in gowsgi's order: the explicit --python,
// $VIRTUAL_ENV, ./.venv, ./venv (relative to the current directory, which is
// the app directory), then python3 on PATH. The error lists what was tried.
func Find(explicit string) (*Engine, error) {
	type candidate struct{ path, origin string }
	var tried []string
	var cands []candidate
	if explicit != "" {
		cands = append(cands, candidate{explicit, "--python"})
	} else {
		if venv := os.Getenv("VIRTUAL_ENV"); venv != "" {
			cands = append(cands, candidate{filepath.Join(venv, "bin", "python"), "$VIRTUAL_ENV"})
		}
		cands = append(cands,
			candidate{filepath.Join(".venv", "bin", "python"), "./.venv"},
			candidate{filepath.Join("venv", "bin", "python"), "./venv"},
			candidate{"python3", "PATH"})
	}
	for _, c := range cands {
		path, err := exec.LookPath(c.path)
		if err != nil {
			tried = append(tried, c.path+" ("+c.origin+")")
			continue
		}
		if abs, err := filepath.Abs(path); err == nil && strings.ContainsRune(path, os.PathSeparator) {
			path = abs
		}
		version, err := probe(path)
		if err != nil {
			if explicit != "" {
				return nil, fmt.Errorf("--python %s: %v", explicit, err)
			}
			tried = append(tried, c.path+" ("+c.origin+": "+err.Error()+")")
			continue
		}
		return &Engine{Python: path, Version: version, Origin: c.origin}, nil
	}
	return nil, fmt.Errorf("no Python interpreter found (tried %s)", strings.Join(tried, ", "))
}

// probe runs the interpreter once: it must be a Python 3 and tell its version.
func probe(path string) (string, error) {
	out, err := exec.Command(path, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])").Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && len(ee.Stderr) > 0 {
			return "", fmt.Errorf("does not run: %s", strings.TrimSpace(string(ee.Stderr)))
		}
		return "", fmt.Errorf("does not run: %v", err)
	}
	v := strings.TrimSpace(string(out))
	if !strings.HasPrefix(v, "3.") {
		return "", fmt.Errorf("is Python %s; gowsgi needs Python 3", v)
	}
	return v, nil
}

// Name is the engine's name.
func (e *Engine) Name() string { return "cpython" }

// Describe names the interpreter for the banner.
func (e *Engine) Describe() string {
	return fmt.Sprintf("CPython %s (%s, from %s)", e.Version, e.Python, e.Origin)
}

// bootstrap runs the worker program, which follows it on the command line.
// The program is never a file: Python puts a script's directory first on
// sys.path, and a directory another local user can write (a shared $TMPDIR,
// when there is no cache directory) would let their json.py run as us. With
// -c, sys.path starts with "" (the current directory) instead: that goes too,
// before anything is imported; the worker puts the app's directory there.
const bootstrap = `import sys
if sys.path[:1] == [""]:
    del sys.path[0]
exec(compile(sys.argv.pop(1), "<gowsgi worker>", "exec"))`

// Command returns the command for one worker process.
func (e *Engine) Command() (*exec.Cmd, error) {
	// -u: the app's prints reach the log at once, not when a buffer fills.
	return exec.Command(e.Python, "-u", "-c", bootstrap, string(workerSource), string(asgiSource)), nil
}
