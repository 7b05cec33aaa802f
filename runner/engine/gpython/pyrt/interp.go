// Package pyrt runs Python code on gpython for gowsgi: it creates contexts
// (one per lane) with the compatibility layer, the native modules, a
// CPython-like importer and a shared cache of compiled code, loads the WSGI
// app, and formats errors as CPython-style tracebacks.
package pyrt

import (
	"os"
	"path/filepath"
	"sync"

	"github.com/go-python/gpython/py"

	"github.com/gowsgi/gowsgi/runner/engine/gpython/pymod"
	"github.com/gowsgi/gowsgi/runner/engine/gpython/shims"
)

var initOnce sync.Once

// Init installs the process-global parts (type methods, builtins, modules,
// hooks). It runs once, before the first context; NewInterp calls it.
func Init() {
	initOnce.Do(func() {
		shims.Install()
		pymod.Register()
		shims.AddBuiltin(py.MustNewMethod("__import__", builtinImport, 0, "__import__(name, globals=None, locals=None, fromlist=(), level=0) -> module"))
	})
}

// Config says where an interpreter finds the app and where its output goes.
type Config struct {
	Root       string   // the app directory: first on sys.path; open() is confined to it
	PythonPath []string // more sys.path entries
	Stdout     *SharedWriter
	Stderr     *SharedWriter
}

// Interp is one gpython context with gowsgi's setup. It must be used by one
// goroutine at a time.
type Interp struct {
	Ctx    py.Context
	State  *shims.State
	Stdout *LineWriter
	Stderr *LineWriter
	cfg    Config
}

// NewInterp creates a context.
func NewInterp(cfg Config) (*Interp, error) {
	Init()
	root, err := filepath.Abs(cfg.Root)
	if err != nil {
		return nil, err
	}
	cfg.Root = root
	paths := []string{root}
	for _, p := range cfg.PythonPath {
		if ap, err := filepath.Abs(p); err == nil {
			p = ap
		}
		paths = append(paths, p)
	}
	if cfg.Stdout == nil {
		cfg.Stdout = NewSharedWriter(os.Stdout)
	}
	if cfg.Stderr == nil {
		cfg.Stderr = NewSharedWriter(os.Stderr)
	}
	ctx := py.NewContext(py.ContextOpts{SysArgs: []string{""}, SysPaths: paths})
	st := shims.Attach(ctx, root)
	it := &Interp{Ctx: ctx, State: st, cfg: cfg}
	it.Stdout = &LineWriter{name: "<stdout>", out: cfg.Stdout}
	it.Stderr = &LineWriter{name: "<stderr>", out: cfg.Stderr}
	sys, err := ctx.GetModule("sys")
	if err != nil {
		return nil, err
	}
	sys.Globals["stdout"] = it.Stdout
	sys.Globals["stderr"] = it.Stderr
	sys.Globals["__stdout__"] = it.Stdout
	sys.Globals["__stderr__"] = it.Stderr
	sys.Globals["stdin"] = py.None
	sys.Globals["argv"] = py.NewListFromStrings([]string{"gowsgi"})
	return it, nil
}

// Close discards the context.
func (it *Interp) Close() {
	it.FlushOutput()
	shims.Detach(it.Ctx)
	go it.Ctx.Close() // waits for code still running in an abandoned context
}

// FlushOutput sends partial lines of print() output.
func (it *Interp) FlushOutput() {
	it.Stdout.Flush()
	it.Stderr.Flush()
}

// Import imports a module by its absolute dotted name.
func (it *Interp) Import(name string) (*py.Module, error) {
	return gcdImport(it.Ctx, name)
}

// RunMain runs source as the __main__ module (for tests and the snippet table).
func (it *Interp) RunMain(src, filename string) error {
	code, err := py.Compile(src, filename, py.ExecMode, 0, true)
	if err != nil {
		return err
	}
	m, err := it.Ctx.Store().NewModule(it.Ctx, &py.ModuleImpl{Info: py.ModuleInfo{Name: "__main__", FileDesc: filename}})
	if err != nil {
		return err
	}
	m.Globals["__package__"] = py.String("")
	pymod.RememberSource(filename, src)
	_, err = it.Ctx.RunCode(code, m.Globals, m.Globals, nil)
	return err
}
