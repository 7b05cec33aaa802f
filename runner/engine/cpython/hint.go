package cpython

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/gowsgi/gowsgi/runner/engine"
)

// ImportHint says, for an app that misses a module, which interpreter ran it
// and how it was chosen, and which other interpreter on this machine can
// import the module, with the --python to use.
func (e *Engine) ImportHint(traceback string) string {
	module := engine.MissingModule(traceback)
	if module == "" {
		return ""
	}
	hint := fmt.Sprintf("%s ran the app (%s, found through %s) and cannot import %q.", e.Python, "CPython "+e.Version, e.Origin, module)
	self, _ := filepath.EvalSymlinks(e.Python)
	for _, other := range otherInterpreters() {
		if real, _ := filepath.EvalSymlinks(other); real == self || other == e.Python {
			continue
		}
		if canImport(other, module) {
			return hint + fmt.Sprintf("\n%s can import it: run gowsgi with --python %s (or activate that environment).", other, other)
		}
	}
	return hint + fmt.Sprintf("\nNo other interpreter here can import it either: install it into this one (%s -m pip install %s, or your distribution's package), or create a virtualenv in ./.venv.", e.Python, module)
}

// otherInterpreters lists the interpreters a developer may have meant, in
// the order gowsgi would pick them, then the rest of PATH and the system's.
func otherInterpreters() []string {
	var cands []string
	if venv := os.Getenv("VIRTUAL_ENV"); venv != "" {
		cands = append(cands, filepath.Join(venv, "bin", "python"))
	}
	if wd, err := os.Getwd(); err == nil {
		cands = append(cands, filepath.Join(wd, ".venv", "bin", "python"), filepath.Join(wd, "venv", "bin", "python"))
	}
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		if dir != "" {
			cands = append(cands, filepath.Join(dir, "python3"))
		}
	}
	cands = append(cands, "/usr/bin/python3", "/usr/local/bin/python3")
	var out []string
	seen := map[string]bool{}
	for _, c := range cands {
		if info, err := os.Stat(c); err != nil || info.IsDir() || info.Mode()&0o111 == 0 || seen[c] {
			continue
		}
		seen[c] = true
		out = append(out, c)
	}
	return out
}

// canImport reports whether python imports module (bounded: an interpreter
// that hangs is not one to recommend).
func canImport(python, module string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, "-c", "import "+module)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = nil, nil, nil
	return cmd.Run() == nil
}
