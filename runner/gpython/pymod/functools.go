package pymod

import (
	"html"
	"strings"
	"time"

	"github.com/go-python/gpython/py"

	"github.com/gowsgi/gowsgi/runner/gpython/shims"
)

// registerTime replaces time.sleep with one that a cancelled request
// interrupts (gowsgi cancels on client disconnect and at --timeout).
func registerTime() {
	impl := py.GetModuleImpl("time")
	sleep := fn("sleep", func(self, secs py.Object) (py.Object, error) {
		f, err := floatArg("sleep", secs)
		if err != nil {
			return nil, err
		}
		if f < 0 {
			return nil, py.ExceptionNewf(py.ValueError, "sleep length must be non-negative")
		}
		d := time.Duration(f * float64(time.Second))
		st := stateOf(self)
		if st == nil {
			time.Sleep(d)
			return py.None, nil
		}
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
			return py.None, nil
		case <-st.CancelChan():
			st.Cancelled = true
			return nil, py.ExceptionNewf(shims.RequestCancelled, "request cancelled by gowsgi (client gone or --timeout)")
		}
	})
	for i, m := range impl.Methods {
		if m.Name == "sleep" {
			impl.Methods[i] = sleep
		}
	}
}

func registerHTML() {
	register("html", "HTML escaping.", []*py.Method{
		fn("escape", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			a, err := parseArgs("escape", args, kwargs, []string{"s", "quote"}, 1)
			if err != nil {
				return nil, err
			}
			s, err := str("escape", a[0])
			if err != nil {
				return nil, err
			}
			q, err := truth(a[1], true)
			if err != nil {
				return nil, err
			}
			return py.String(HTMLEscape(s, q)), nil
		}),
		fn("unescape", func(self, a py.Object) (py.Object, error) {
			s, err := str("unescape", a)
			if err != nil {
				return nil, err
			}
			return py.String(htmlUnescape(s)), nil
		}),
	}, nil)
}

// HTMLEscape is html.escape.
func HTMLEscape(s string, quote bool) string {
	r := []string{"&", "&amp;", "<", "&lt;", ">", "&gt;"}
	if quote {
		r = append(r, `"`, "&quot;", "'", "&#x27;")
	}
	return strings.NewReplacer(r...).Replace(s)
}

// partial is functools.partial.
type partial struct {
	fn   py.Object
	args py.Tuple
	kw   py.StringDict
}

var partialType = newType("partial", "partial(func, *args, **keywords)", func(t *py.Type, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
	if len(args) < 1 {
		return nil, py.ExceptionNewf(py.TypeError, "type 'partial' takes at least one argument")
	}
	if !shims.Callable(args[0]) {
		return nil, py.ExceptionNewf(py.TypeError, "the first argument must be callable")
	}
	return &partial{fn: args[0], args: append(py.Tuple{}, args[1:]...), kw: kwargs.Copy()}, nil
})

func (*partial) Type() *py.Type { return partialType }

// M__call__ calls the function with the stored and the given arguments.
func (p *partial) M__call__(args py.Tuple, kwargs py.StringDict) (py.Object, error) {
	kw := p.kw.Copy()
	for k, v := range kwargs {
		kw[k] = v
	}
	if len(kw) == 0 {
		kw = nil
	}
	return py.Call(p.fn, append(append(py.Tuple{}, p.args...), args...), kw)
}

// cmpKey is what functools.cmp_to_key returns for one item.
type cmpKey struct {
	cmp py.Object
	obj py.Object
}

var cmpKeyType = newType("cmp_key", "a sort key made by cmp_to_key", nil)

func (*cmpKey) Type() *py.Type { return cmpKeyType }

// PyLess orders keys through the comparison function.
func (k *cmpKey) PyLess(other py.Object) (bool, error) {
	o, ok := other.(*cmpKey)
	if !ok {
		return false, py.ExceptionNewf(py.TypeError, "cmp_to_key keys only compare with each other")
	}
	r, err := py.Call(k.cmp, py.Tuple{k.obj, o.obj}, nil)
	if err != nil {
		return false, err
	}
	lt, err := py.Lt(r, py.Int(0))
	return lt == py.True, err
}

var wrapperAssignments = []string{"__module__", "__name__", "__qualname__", "__doc__"}

func updateWrapper(wrapper, wrapped py.Object) (py.Object, error) {
	for _, n := range wrapperAssignments {
		v, err := py.GetAttrString(wrapped, n)
		if err != nil {
			continue
		}
		if f, ok := wrapper.(*py.Function); ok {
			switch n {
			case "__name__":
				if s, ok := v.(py.String); ok {
					f.Name = string(s)
				}
			case "__qualname__":
				if s, ok := v.(py.String); ok {
					f.Qualname = string(s)
				}
			case "__doc__":
				f.Doc = v
			default:
				f.Dict[n] = v
			}
			continue
		}
		_, _ = py.SetAttrString(wrapper, n, v)
	}
	if f, ok := wrapper.(*py.Function); ok {
		if wf, ok := wrapped.(*py.Function); ok {
			for k, v := range wf.Dict {
				f.Dict[k] = v
			}
		}
		f.Dict["__wrapped__"] = wrapped
	}
	return wrapper, nil
}

func registerFunctools() {
	identityDeco := func(name string) *py.Method {
		return fn(name, func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			// @lru_cache and @lru_cache(maxsize=...) both return the function:
			// gowsgi does not cache (correct results, no speed-up).
			if len(args) == 1 && len(kwargs) == 0 && shims.Callable(args[0]) {
				if _, isInt := args[0].(py.Int); !isInt {
					return args[0], nil
				}
			}
			return fn(name, func(_, f py.Object) (py.Object, error) { return f, nil }), nil
		})
	}
	register("functools", "Tools for working with functions (gowsgi subset).", []*py.Method{
		fn("wraps", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			if len(args) < 1 {
				return nil, py.ExceptionNewf(py.TypeError, "wraps() missing 1 required positional argument: 'wrapped'")
			}
			wrapped := args[0]
			return fn("wraps", func(_, wrapper py.Object) (py.Object, error) {
				return updateWrapper(wrapper, wrapped)
			}), nil
		}),
		fn("update_wrapper", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			if len(args) < 2 {
				return nil, py.ExceptionNewf(py.TypeError, "update_wrapper() takes 2 arguments")
			}
			return updateWrapper(args[0], args[1])
		}),
		fn("reduce", func(self py.Object, args py.Tuple) (py.Object, error) {
			if len(args) < 2 || len(args) > 3 {
				return nil, py.ExceptionNewf(py.TypeError, "reduce expected 2 or 3 arguments")
			}
			var acc py.Object
			if len(args) == 3 {
				acc = args[2]
			}
			err := shims.Iterate(args[1], func(it py.Object) error {
				if acc == nil {
					acc = it
					return nil
				}
				r, err := py.Call(args[0], py.Tuple{acc, it}, nil)
				acc = r
				return err
			})
			if err != nil {
				return nil, err
			}
			if acc == nil {
				return nil, py.ExceptionNewf(py.TypeError, "reduce() of empty iterable with no initial value")
			}
			return acc, nil
		}),
		fn("cmp_to_key", func(self, cmp py.Object) (py.Object, error) {
			return fn("K", func(_, obj py.Object) (py.Object, error) { return &cmpKey{cmp: cmp, obj: obj}, nil }), nil
		}),
		fn("total_ordering", func(self, cls py.Object) (py.Object, error) { return cls, nil }),
		identityDeco("lru_cache"),
		identityDeco("cache"),
	}, py.StringDict{"partial": partialType, "WRAPPER_ASSIGNMENTS": py.Tuple{py.String("__module__"), py.String("__name__"), py.String("__qualname__"), py.String("__doc__")}})
}

func htmlUnescape(s string) string { return html.UnescapeString(s) }
