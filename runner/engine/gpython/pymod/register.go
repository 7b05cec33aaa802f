// Package pymod provides the native (Go) modules gowsgi adds to gpython for
// WSGI apps: io, json, urllib.parse, html, a restricted os and os.path,
// functools, re, base64, hashlib, hmac, datetime, traceback, and a
// cancellable time.sleep. Each module is one file.
package pymod

import (
	"sync"

	"github.com/go-python/gpython/py"

	"github.com/gowsgi/gowsgi/runner/engine/gpython/shims"
)

var registerOnce sync.Once

// Register registers the modules with gpython. Call it once, before the
// first context exists (after shims.Install).
func Register() {
	registerOnce.Do(func() {
		registerOS()
		registerIO()
		registerTime()
		registerFunctools()
		registerHTML()
		registerURLLib()
		registerJSON()
		registerBase64()
		registerHashlib()
		registerTraceback()
		registerRe()
		registerDatetime()
		registerCollections()
		registerSmall()
		registerPython()
		if err := py.TypeMakeReady(); err != nil {
			panic(err)
		}
	})
}

// blocked lists gpython modules that apps must not reach: they write files
// or expose internals.
var blocked = map[string]bool{"tempfile": true, "marshal": true, "glob": false}

// Allowed reports whether a registered native module may be imported.
func Allowed(name string) bool { return !blocked[name] }

var postInit = map[string]func(ctx py.Context, m *py.Module, imp func(string) (*py.Module, error)) error{}

// PostInit finishes a native module in a context after it was created:
// per-context mutable state (os.environ) and submodules bound as
// attributes (os.path).
func PostInit(ctx py.Context, m *py.Module, imp func(string) (*py.Module, error)) error {
	name, _ := m.Globals["__name__"].(py.String)
	if f := postInit[string(name)]; f != nil {
		return f(ctx, m, imp)
	}
	return nil
}

// register registers a module built from Go functions and values.
func register(name, doc string, methods []*py.Method, globals py.StringDict) {
	if globals == nil {
		globals = py.StringDict{}
	}
	py.RegisterModule(&py.ModuleImpl{
		Info:    py.ModuleInfo{Name: name, Doc: doc},
		Methods: methods,
		Globals: globals,
	})
}

// registerPackage registers an empty package whose submodules are native.
func registerPackage(name string) {
	register(name, "", nil, py.StringDict{"__path__": py.Tuple{}})
}

func fn(name string, f interface{}) *py.Method { return py.MustNewMethod(name, f, 0, "") }

// stateOf returns the gowsgi state of the context a module function runs in.
func stateOf(self py.Object) *shims.State {
	m, ok := self.(*py.Module)
	if !ok || m == nil {
		return nil
	}
	return shims.StateOf(m.Context)
}

// parseArgs binds positional and keyword arguments to names, Python style.
func parseArgs(fname string, args py.Tuple, kwargs py.StringDict, names []string, nreq int) ([]py.Object, error) {
	return shims.ParseArgs(fname, args, kwargs, names, nreq)
}

func str(fname string, o py.Object) (string, error) { return shims.ArgStr(fname, o) }

// strOrBytes accepts str (as UTF-8) or bytes.
func strOrBytes(fname string, o py.Object) ([]byte, bool, error) {
	switch x := o.(type) {
	case py.String:
		return []byte(x), true, nil
	case py.Bytes:
		return []byte(x), false, nil
	}
	return nil, false, py.ExceptionNewf(py.TypeError, "%s() argument must be str or bytes, not %s", fname, shims.TypeName(o))
}

func truth(o py.Object, def bool) (bool, error) {
	if o == nil {
		return def, nil
	}
	return shims.Truth(o)
}

func intArg(fname string, o py.Object, def int) (int, error) { return shims.ArgInt(fname, o, def) }

func floatArg(fname string, o py.Object) (float64, error) {
	switch x := o.(type) {
	case py.Float:
		return float64(x), nil
	case py.Int:
		return float64(x), nil
	case py.Bool:
		if x {
			return 1, nil
		}
		return 0, nil
	}
	return 0, py.ExceptionNewf(py.TypeError, "%s(): a number is required, not %s", fname, shims.TypeName(o))
}

// newType makes a Go-backed Python type and sets its metatype right.
func newType(name, doc string, newFn py.NewFunc) *py.Type {
	t := py.NewTypeX(name, doc, newFn, nil)
	t.ObjectType = py.TypeType
	return t
}

func methods(t *py.Type, ms map[string]interface{}) {
	for name, f := range ms {
		t.Dict[name] = py.MustNewMethod(name, f, 0, "")
	}
}
