package pyrt

import (
	"fmt"
	"strings"

	"github.com/go-python/gpython/py"

	"github.com/gowsgi/gowsgi/runner/engine/gpython/pymod"
)

// Hint is appended to errors that mean "gpython cannot run this".
const Hint = "gpython runs a Python 3.4 subset; try --engine cpython"

// FormatError renders err (usually a py.ExceptionInfo) like a CPython
// traceback, with a hint for syntax and unsupported-feature errors.
func FormatError(err error) string {
	var e *py.Exception
	var tb *py.Traceback
	switch x := err.(type) {
	case py.ExceptionInfo:
		e, _ = x.Value.(*py.Exception)
		tb = x.Traceback
	case *py.ExceptionInfo:
		e, _ = x.Value.(*py.Exception)
		tb = x.Traceback
	case *py.Exception:
		e = x
	case nil:
		return ""
	default:
		return fmt.Sprintf("%v\n", err)
	}
	if e == nil {
		return fmt.Sprintf("%v\n", err)
	}
	s := pymod.FormatException(e, tb)
	if h := hintFor(e); h != "" {
		s += "\n" + h + "\n"
	}
	return s
}

func hintFor(e *py.Exception) string {
	switch {
	case e.Base.IsSubtype(py.SyntaxError):
		return Hint
	case e.Base.IsSubtype(py.NotImplementedError):
		return Hint
	}
	msg := strings.ToLower(e.Error())
	if strings.Contains(msg, "can only have string keys") {
		return "gpython's dict only takes str keys (int, tuple and object keys are not supported).\n" + Hint
	}
	if strings.Contains(msg, "not supported") || strings.Contains(msg, "fixme") || strings.Contains(msg, "not implemented") {
		return Hint
	}
	return ""
}
