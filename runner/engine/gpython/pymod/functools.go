package pymod

import (
	"html"
	"math"
	"strings"
	"time"

	"github.com/go-python/gpython/py"

	"github.com/gowsgi/gowsgi/runner/engine/gpython/shims"
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
		if math.IsNaN(f) {
			return nil, py.ExceptionNewf(py.ValueError, "Invalid value NaN (not a number)")
		}
		// Clamped: a huge length would overflow the Duration and not sleep at all.
		d := time.Duration(math.MaxInt64)
		if f < float64(d)/float64(time.Second) {
			d = time.Duration(f * float64(time.Second))
		}
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
	structTime := NewStructType("time.struct_time", []string{"tm_year", "tm_mon", "tm_mday", "tm_hour", "tm_min", "tm_sec", "tm_wday", "tm_yday", "tm_isdst"})
	mk := func(t time.Time, isdst int) py.Object {
		return structTime.Make(py.Tuple{py.Int(t.Year()), py.Int(t.Month()), py.Int(t.Day()), py.Int(t.Hour()), py.Int(t.Minute()),
			py.Int(t.Second()), py.Int((int(t.Weekday()) + 6) % 7), py.Int(t.YearDay()), py.Int(isdst)})
	}
	secsArg := func(name string, args py.Tuple) (time.Time, error) {
		if len(args) == 0 || args[0] == py.None {
			return time.Now(), nil
		}
		f, err := floatArg(name, args[0])
		if err != nil {
			return time.Time{}, err
		}
		return time.Unix(0, int64(f*1e9)), nil
	}
	replace := map[string]*py.Method{
		"sleep": sleep,
		"gmtime": fn("gmtime", func(self py.Object, args py.Tuple) (py.Object, error) {
			t, err := secsArg("gmtime", args)
			if err != nil {
				return nil, err
			}
			return mk(t.UTC(), 0), nil
		}),
		"localtime": fn("localtime", func(self py.Object, args py.Tuple) (py.Object, error) {
			t, err := secsArg("localtime", args)
			if err != nil {
				return nil, err
			}
			return mk(t.Local(), 0), nil
		}),
		"strftime": fn("strftime", func(self py.Object, args py.Tuple) (py.Object, error) {
			if len(args) < 1 || len(args) > 2 {
				return nil, py.ExceptionNewf(py.TypeError, "strftime() takes 1 or 2 arguments")
			}
			f, err := str("strftime", args[0])
			if err != nil {
				return nil, err
			}
			t := time.Now().Local()
			if len(args) == 2 {
				items, err := shims.ToList(args[1])
				if err != nil || len(items) < 6 {
					return nil, py.ExceptionNewf(py.TypeError, "strftime(): the time tuple must have 9 items")
				}
				v := make([]int, 6)
				for i := range v {
					if v[i], err = intArg("strftime", items[i], 0); err != nil {
						return nil, err
					}
				}
				t = time.Date(v[0], time.Month(v[1]), v[2], v[3], v[4], v[5], 0, time.UTC)
			}
			return py.String(Strftime(f, t, 0, nil)), nil
		}),
	}
	for i, m := range impl.Methods {
		if r, ok := replace[m.Name]; ok {
			impl.Methods[i] = r
			delete(replace, m.Name)
		}
	}
	for _, m := range replace {
		impl.Methods = append(impl.Methods, m)
	}
	impl.Globals["struct_time"] = structTime.T
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
