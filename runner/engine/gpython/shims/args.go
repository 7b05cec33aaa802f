package shims

import (
	"math/big"

	"github.com/go-python/gpython/py"
)

// parseArgs binds positional and keyword arguments to names, Python style.
// The first nreq names are required; missing optional ones are nil.
func parseArgs(fname string, args py.Tuple, kwargs py.StringDict, names []string, nreq int) ([]py.Object, error) {
	if len(args) > len(names) {
		if len(names) == 0 {
			return nil, py.ExceptionNewf(py.TypeError, "%s() takes no arguments (%d given)", fname, len(args))
		}
		return nil, py.ExceptionNewf(py.TypeError, "%s() takes at most %d arguments (%d given)", fname, len(names), len(args))
	}
	out := make([]py.Object, len(names))
	copy(out, args)
	for k, v := range kwargs {
		found := false
		for i, n := range names {
			if n == k {
				if i < len(args) {
					return nil, py.ExceptionNewf(py.TypeError, "%s() got multiple values for argument '%s'", fname, k)
				}
				out[i] = v
				found = true
				break
			}
		}
		if !found {
			return nil, py.ExceptionNewf(py.TypeError, "%s() got an unexpected keyword argument '%s'", fname, k)
		}
	}
	for i := 0; i < nreq; i++ {
		if out[i] == nil {
			return nil, py.ExceptionNewf(py.TypeError, "%s() missing required argument '%s' (pos %d)", fname, names[i], i+1)
		}
	}
	return out, nil
}

// ParseArgs is parseArgs for the native modules.
func ParseArgs(fname string, args py.Tuple, kwargs py.StringDict, names []string, nreq int) ([]py.Object, error) {
	return parseArgs(fname, args, kwargs, names, nreq)
}

// ArgStr is argStr for the native modules.
func ArgStr(fname string, o py.Object) (string, error) { return argStr(fname, o) }

func argStr(fname string, o py.Object) (string, error) {
	s, ok := o.(py.String)
	if !ok {
		return "", py.ExceptionNewf(py.TypeError, "%s() argument must be str, not %s", fname, TypeName(o))
	}
	return string(s), nil
}

// ArgInt is argInt for the native modules.
func ArgInt(fname string, o py.Object, def int) (int, error) { return argInt(fname, o, def) }

// argInt converts an optional int argument; def is used for nil and None.
func argInt(fname string, o py.Object, def int) (int, error) {
	switch x := o.(type) {
	case nil, py.NoneType:
		return def, nil
	case py.Int:
		return int(x), nil
	case py.Bool:
		if x {
			return 1, nil
		}
		return 0, nil
	case *py.BigInt:
		if (*big.Int)(x).IsInt64() {
			return int((*big.Int)(x).Int64()), nil
		}
		return 0, py.ExceptionNewf(py.OverflowError, "Python int too large to convert to C ssize_t")
	}
	if IsInstanceObj(o) {
		if r, ok, err := callMethod(o, "__index__"); ok {
			if err != nil {
				return 0, err
			}
			return argInt(fname, r, def)
		}
	}
	return 0, py.ExceptionNewf(py.TypeError, "'%s' object cannot be interpreted as an integer", TypeName(o))
}

// method registers a Go function as a method of a builtin type.
func method(t *py.Type, name string, fn func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error)) {
	t.Dict[name] = py.MustNewMethod(name, fn, 0, "")
}

// noKw wraps a function that takes no keyword arguments.
func noKw(name string, fn func(self py.Object, args py.Tuple) (py.Object, error)) func(py.Object, py.Tuple, py.StringDict) (py.Object, error) {
	return func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		if len(kwargs) > 0 {
			return nil, py.ExceptionNewf(py.TypeError, "%s() takes no keyword arguments", name)
		}
		return fn(self, args)
	}
}

func nargs(name string, args py.Tuple, min, max int) error {
	if len(args) < min {
		return py.ExceptionNewf(py.TypeError, "%s() takes at least %d argument%s (%d given)", name, min, plural(min), len(args))
	}
	if len(args) > max {
		if min == max {
			return py.ExceptionNewf(py.TypeError, "%s() takes exactly %d argument%s (%d given)", name, max, plural(max), len(args))
		}
		return py.ExceptionNewf(py.TypeError, "%s() takes at most %d argument%s (%d given)", name, max, plural(max), len(args))
	}
	return nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
