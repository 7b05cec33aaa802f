package pyrt

import (
	"fmt"
	"strings"

	"github.com/go-python/gpython/py"

	"github.com/gowsgi/gowsgi/runner/engine/gpython/shims"
)

// NoSuchApp says the app's module imported but the name is not there, or
// is not callable (the same wording as the CPython worker).
type NoSuchApp struct {
	Spec string
	Msg  string
}

func (e *NoSuchApp) Error() string { return "No such WSGI application: " + e.Spec + ": " + e.Msg }

// LoadApp imports "pkg.mod.attr" (the longest importable module prefix,
// like Twisted's namedAny) or "pkg.mod:attr" and returns the callable.
func (it *Interp) LoadApp(spec string) (py.Object, error) {
	var obj py.Object
	var names []string
	if mod, attrs, ok := strings.Cut(spec, ":"); ok {
		m, err := it.Import(mod)
		if err != nil {
			return nil, err
		}
		obj, names = m, strings.Split(attrs, ".")
	} else {
		parts := strings.Split(spec, ".")
		if len(parts) < 2 {
			return nil, &NoSuchApp{spec, fmt.Sprintf("%s names no module: give module.attribute, e.g. foo.application", shims.Quote(spec))}
		}
		for i := len(parts) - 1; i > 0; i-- {
			modname := strings.Join(parts[:i], ".")
			m, err := it.Import(modname)
			if err != nil {
				// Try a shorter prefix only when this very module is missing,
				// not when something it imports is.
				if missing, ok := MissingModule(err); ok && (missing == modname || strings.HasPrefix(modname, missing+".")) {
					continue
				}
				return nil, err
			}
			obj, names = m, parts[i:]
			break
		}
		if obj == nil {
			return nil, &NoSuchApp{spec, fmt.Sprintf("no module named %s (looked in %s)", shims.Quote(parts[0]), strings.Join(it.sysPath(3), ", "))}
		}
	}
	for _, n := range names {
		v, err := shims.GetAttr(obj, n)
		if err != nil || isExceptionArgsFallback(obj, v) {
			return nil, &NoSuchApp{spec, fmt.Sprintf("%s has no attribute %s", nameOf(obj), shims.Quote(n))}
		}
		obj = v
	}
	if !shims.Callable(obj) {
		return nil, &NoSuchApp{spec, fmt.Sprintf("%s is a %s, not a WSGI callable", spec, shims.TypeName(obj))}
	}
	return obj, nil
}

// gpython answers any attribute of an exception object with its args.
func isExceptionArgsFallback(obj, v py.Object) bool {
	_, ok := obj.(*py.Exception)
	return ok
}

func nameOf(o py.Object) string {
	if m, ok := o.(*py.Module); ok {
		if n, ok := m.Globals["__name__"].(py.String); ok {
			return string(n)
		}
	}
	if v, err := shims.GetAttr(o, "__name__"); err == nil {
		if s, ok := v.(py.String); ok {
			return string(s)
		}
	}
	r, _ := shims.Repr(o)
	return r
}

func (it *Interp) sysPath(n int) []string {
	sys, err := it.Ctx.GetModule("sys")
	if err != nil {
		return nil
	}
	items, _ := shims.ToList(sys.Globals["path"])
	var out []string
	for _, i := range items {
		if s, ok := i.(py.String); ok {
			out = append(out, string(s))
		}
		if len(out) == n {
			break
		}
	}
	return out
}

// FormatImportError renders why the app did not load.
func FormatImportError(err error) string {
	if e, ok := err.(*NoSuchApp); ok {
		return e.Error() + "\n"
	}
	return FormatError(err)
}
