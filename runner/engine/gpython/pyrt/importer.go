package pyrt

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/go-python/gpython/py"

	"github.com/gowsgi/gowsgi/runner/engine/gpython/pymod"
	"github.com/gowsgi/gowsgi/runner/engine/gpython/shims"
)

// The importer replaces gpython's __import__ (which has no relative imports,
// binds `import a.b` to the submodule and has no submodules in fromlist)
// with CPython's rules: packages, dotted names, fromlist submodules,
// relative imports, and ModuleNotFoundError naming the missing module.

// codeCache shares compiled code between contexts: compiling is the most
// expensive part of starting a context, and code objects are read-only.
var codeCache = struct {
	sync.Mutex
	m map[string]cachedCode
}{m: map[string]cachedCode{}}

type cachedCode struct {
	mtime time.Time
	size  int64
	code  *py.Code
}

func compileFile(path string) (*py.Code, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, py.ExceptionNewf(py.OSError, "%v", err)
	}
	codeCache.Lock()
	c, ok := codeCache.m[path]
	codeCache.Unlock()
	if ok && c.mtime.Equal(fi.ModTime()) && c.size == fi.Size() {
		return c.code, nil
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, py.ExceptionNewf(py.OSError, "%v", err)
	}
	pymod.RememberSource(path, string(src))
	code, err := py.Compile(string(src), path, py.ExecMode, 0, true)
	if err != nil {
		return nil, err
	}
	codeCache.Lock()
	codeCache.m[path] = cachedCode{mtime: fi.ModTime(), size: fi.Size(), code: code}
	codeCache.Unlock()
	return code, nil
}

func notFound(name, msg string) error {
	e := py.ExceptionNewf(shims.ModuleNotFoundError, "%s", msg)
	e.Dict["name"] = py.String(name)
	return e
}

// MissingModule returns the name of the module a ModuleNotFoundError is about.
func MissingModule(err error) (string, bool) {
	var e *py.Exception
	switch x := err.(type) {
	case py.ExceptionInfo:
		e, _ = x.Value.(*py.Exception)
	case *py.ExceptionInfo:
		e, _ = x.Value.(*py.Exception)
	case *py.Exception:
		e = x
	}
	if e == nil || !e.Base.IsSubtype(shims.ModuleNotFoundError) {
		return "", false
	}
	n, ok := e.Dict["name"].(py.String)
	return string(n), ok
}

func builtinImport(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
	mod, ok := self.(*py.Module)
	if !ok || mod.Context == nil {
		return nil, py.ExceptionNewf(py.ImportError, "__import__ called without a context")
	}
	var name string
	var globals py.StringDict
	var fromlist py.Object = py.Tuple{}
	level := 0
	all := append(py.Tuple{}, args...)
	names := []string{"name", "globals", "locals", "fromlist", "level"}
	for k, v := range kwargs {
		for i, n := range names {
			if n == k {
				for len(all) <= i {
					all = append(all, nil)
				}
				all[i] = v
			}
		}
	}
	if len(all) == 0 {
		return nil, py.ExceptionNewf(py.TypeError, "__import__() missing required argument 'name'")
	}
	s, ok := all[0].(py.String)
	if !ok {
		return nil, py.ExceptionNewf(py.TypeError, "__import__() argument 1 must be str")
	}
	name = string(s)
	if len(all) > 1 {
		globals, _ = all[1].(py.StringDict)
	}
	if len(all) > 3 && all[3] != nil && all[3] != py.None {
		fromlist = all[3]
	}
	if len(all) > 4 && all[4] != nil {
		if l, ok := all[4].(py.Int); ok {
			level = int(l)
		}
	}
	return importModuleLevel(mod.Context, name, globals, fromlist, level)
}

func resolveName(name string, globals py.StringDict, level int) (string, error) {
	if level == 0 {
		if name == "" {
			return "", py.ExceptionNewf(py.ValueError, "Empty module name")
		}
		return name, nil
	}
	pkg := ""
	if p, ok := globals["__package__"].(py.String); ok && p != "" {
		pkg = string(p)
	} else if n, ok := globals["__name__"].(py.String); ok {
		pkg = string(n)
		if _, isPkg := globals["__path__"]; !isPkg {
			if i := strings.LastIndexByte(pkg, '.'); i >= 0 {
				pkg = pkg[:i]
			} else {
				pkg = ""
			}
		}
	}
	if pkg == "" || pkg == "__main__" {
		return "", py.ExceptionNewf(py.ImportError, "attempted relative import with no known parent package")
	}
	base := pkg
	for i := 1; i < level; i++ {
		j := strings.LastIndexByte(base, '.')
		if j < 0 {
			return "", py.ExceptionNewf(py.ImportError, "attempted relative import beyond top-level package")
		}
		base = base[:j]
	}
	if name == "" {
		return base, nil
	}
	return base + "." + name, nil
}

func importModuleLevel(ctx py.Context, name string, globals py.StringDict, fromlist py.Object, level int) (py.Object, error) {
	abs, err := resolveName(name, globals, level)
	if err != nil {
		return nil, err
	}
	mod, err := gcdImport(ctx, abs)
	if err != nil {
		return nil, err
	}
	items, _ := shims.ToList(fromlist)
	if len(items) == 0 {
		if level == 0 {
			top, _, _ := strings.Cut(name, ".")
			return ctx.GetModule(top)
		}
		return mod, nil
	}
	if _, isPkg := mod.Globals["__path__"]; isPkg {
		for _, it := range items {
			s, ok := it.(py.String)
			if !ok {
				continue
			}
			if s == "*" {
				if all, ok := mod.Globals["__all__"]; ok {
					subs, _ := shims.ToList(all)
					for _, sub := range subs {
						if ss, ok := sub.(py.String); ok {
							if _, ok := mod.Globals[string(ss)]; !ok {
								if _, err := importSub(ctx, abs, string(ss)); err != nil {
									return nil, err
								}
							}
						}
					}
				}
				continue
			}
			if _, ok := mod.Globals[string(s)]; !ok {
				if _, err := importSub(ctx, abs, string(s)); err != nil {
					return nil, err
				}
			}
		}
	}
	return mod, nil
}

func importSub(ctx py.Context, pkg, name string) (*py.Module, error) {
	full := pkg + "." + name
	m, err := gcdImport(ctx, full)
	if err != nil {
		if missing, ok := MissingModule(err); ok && missing == full {
			return nil, nil // `from pkg import name` will raise ImportError itself
		}
		return nil, err
	}
	return m, nil
}

// gcdImport imports the module with the absolute name, parents first.
func gcdImport(ctx py.Context, name string) (*py.Module, error) {
	st := shims.StateOf(ctx)
	if st != nil {
		if err, failed := st.Failed[name]; failed {
			return nil, err
		}
	}
	if m, err := ctx.GetModule(name); err == nil {
		return m, nil
	}
	var parent *py.Module
	var paths []string
	last := name
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		var err error
		parent, err = gcdImport(ctx, name[:i])
		if err != nil {
			return nil, err
		}
		if m, err := ctx.GetModule(name); err == nil {
			return m, nil
		}
		last = name[i+1:]
		p, ok := parent.Globals["__path__"]
		if !ok && py.GetModuleImpl(name) == nil {
			return nil, notFound(name, "No module named '"+name+"'; '"+name[:i]+"' is not a package")
		}
		if ok {
			items, _ := shims.ToList(p)
			for _, it := range items {
				if s, ok := it.(py.String); ok {
					paths = append(paths, string(s))
				}
			}
		}
	}
	if impl := py.GetModuleImpl(name); impl != nil && pymod.Allowed(name) {
		m, err := ctx.ModuleInit(impl)
		if err != nil {
			if st != nil {
				st.Failed[name] = err
			}
			return nil, err
		}
		if err := pymod.PostInit(ctx, m, func(sub string) (*py.Module, error) { return gcdImport(ctx, sub) }); err != nil {
			return nil, err
		}
		if parent != nil {
			parent.Globals[last] = m
		}
		return m, nil
	}
	if parent == nil {
		sys, err := ctx.GetModule("sys")
		if err != nil {
			return nil, err
		}
		items, _ := shims.ToList(sys.Globals["path"])
		for _, it := range items {
			if s, ok := it.(py.String); ok {
				paths = append(paths, string(s))
			}
		}
	}
	for _, dir := range paths {
		if dir == "" {
			dir = "."
		}
		pkgDir := filepath.Join(dir, last)
		init := filepath.Join(pkgDir, "__init__.py")
		if fi, err := os.Stat(init); err == nil && !fi.IsDir() {
			return execModule(ctx, st, name, init, pkgDir, parent, last)
		}
		file := filepath.Join(dir, last+".py")
		if fi, err := os.Stat(file); err == nil && !fi.IsDir() {
			return execModule(ctx, st, name, file, "", parent, last)
		}
	}
	return nil, notFound(name, "No module named '"+name+"'")
}

func execModule(ctx py.Context, st *shims.State, name, file, pkgDir string, parent *py.Module, last string) (*py.Module, error) {
	code, err := compileFile(file)
	if err != nil {
		return nil, err
	}
	m, err := ctx.Store().NewModule(ctx, &py.ModuleImpl{Info: py.ModuleInfo{Name: name, FileDesc: file}})
	if err != nil {
		return nil, err
	}
	if pkgDir != "" {
		m.Globals["__path__"] = py.NewListFromStrings([]string{pkgDir})
		m.Globals["__package__"] = py.String(name)
	} else if i := strings.LastIndexByte(name, '.'); i >= 0 {
		m.Globals["__package__"] = py.String(name[:i])
	} else {
		m.Globals["__package__"] = py.String("")
	}
	if parent != nil {
		parent.Globals[last] = m
	}
	if _, err := ctx.RunCode(code, m.Globals, m.Globals, nil); err != nil {
		if st != nil {
			st.Failed[name] = err
		}
		if parent != nil && parent.Globals[last] == py.Object(m) {
			delete(parent.Globals, last)
		}
		return nil, err
	}
	return m, nil
}
