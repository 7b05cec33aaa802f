// Package cpython is the engine that runs apps on a real Python interpreter:
// it finds the interpreter and starts the embedded worker program with it.
package cpython

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
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
		version, err := probeCached(path)
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

// probeCached is probe, remembered in gowsgi's cache directory for the
// interpreter's file as it is (its resolved path, size and modification
// time): starting Python to ask takes as long as starting a worker. Only an
// executable itself is remembered, never a script in front of one (pyenv's
// shims choose the interpreter each time they run).
func probeCached(path string) (string, error) {
	dir := codeCache().dir
	real, err := filepath.EvalSymlinks(path)
	info, err2 := os.Stat(real)
	if dir == "" || err != nil || err2 != nil || !isELF(real) {
		return probe(path)
	}
	sum := sha256.Sum256([]byte(real))
	file := filepath.Join(dir, "python-"+hex.EncodeToString(sum[:8]))
	stamp := fmt.Sprintf("%s %d %d ", real, info.Size(), info.ModTime().UnixNano())
	if b, err := os.ReadFile(file); err == nil && strings.HasPrefix(string(b), stamp) {
		return strings.TrimPrefix(string(b), stamp), nil
	}
	v, err := probe(path)
	if err == nil {
		tmp := fmt.Sprintf("%s.%d", file, os.Getpid())
		if os.WriteFile(tmp, []byte(stamp+v), 0o600) == nil {
			os.Rename(tmp, file)
		}
	}
	return v, err
}

func isELF(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	var magic [4]byte
	_, err = io.ReadFull(f, magic[:])
	return err == nil && string(magic[:]) == "\x7fELF"
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
//
// Compiling the worker program takes longer than starting Python (13 ms for
// worker.py, 7 for asgi.py): its code is cached, marshalled, in gowsgi's own
// cache directory (the user's, mode 0700), named by the source's hash and
// the interpreter's version, and loaded only from a file of ours that no
// one else can write. Without a cache directory, it is compiled each time.
const bootstrap = `import sys, os, marshal
if sys.path[:1] == [""]:
    del sys.path[0]
_gowsgi_cache = [sys.argv.pop(1) for _ in range(3)]
def _gowsgi_compile(source, name, key):
    path = _gowsgi_cache[0] and os.path.join(_gowsgi_cache[0], "%s-%s-%x.code" % (key, sys.implementation.cache_tag, sys.hexversion))
    if path:
        try:
            st = os.stat(path)
            if st.st_uid == os.getuid() and not st.st_mode & 0o022:
                with open(path, "rb") as f:
                    return marshal.load(f)
        except Exception:
            pass
    code = compile(source, name, "exec")
    if path:
        try:
            tmp = "%s.%d" % (path, os.getpid())
            with open(tmp, "wb") as f:
                marshal.dump(code, f)
            os.replace(tmp, path)
        except Exception:
            pass
    return code
exec(_gowsgi_compile(sys.argv.pop(1), "<gowsgi worker>", _gowsgi_cache[1]))`

// Command returns the command for one worker process.
func (e *Engine) Command() (*exec.Cmd, error) {
	// -u: the app's prints reach the log at once, not when a buffer fills.
	c := codeCache()
	return exec.Command(e.Python, "-u", "-c", bootstrap, c.dir, c.worker, c.asgi, string(workerSource), string(asgiSource)), nil
}

// codeCache is the bootstrap's first arguments: the cache directory (""
// for none) and the keys of worker.py's and asgi.py's code.
var codeCache = sync.OnceValue(func() (c struct{ dir, worker, asgi string }) {
	dir := ""
	if d, err := os.UserCacheDir(); err == nil {
		d = filepath.Join(d, "gowsgi")
		if os.MkdirAll(d, 0o700) == nil {
			if info, err := os.Stat(d); err == nil && info.Mode().Perm()&0o022 == 0 {
				dir = d
			}
		}
	}
	key := func(src []byte) string {
		sum := sha256.Sum256(src)
		return hex.EncodeToString(sum[:8])
	}
	c.dir, c.worker, c.asgi = dir, "worker-"+key(workerSource), "asgi-"+key(asgiSource)
	return c
})
