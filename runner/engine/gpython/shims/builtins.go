package shims

import (
	"math"
	"math/big"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-python/gpython/py"
	"github.com/go-python/gpython/vm"
)

// ID is id(o): the address of a list, dict, tuple or object.
func ID(o py.Object) uintptr { return idOf(o) }

func idOf(o py.Object) uintptr {
	v := reflect.ValueOf(o)
	switch v.Kind() {
	case reflect.Ptr, reflect.Map, reflect.Slice, reflect.Func, reflect.UnsafePointer, reflect.Chan:
		return v.Pointer()
	}
	// Value types (int, str, ...) have no identity in Go; hash the value.
	h, err := Hash(o)
	if err == nil {
		if i, ok := h.(py.Int); ok {
			return uintptr(i)
		}
	}
	return 0
}

// Len is len(o).
func Len(o py.Object) (int, error) {
	switch x := o.(type) {
	case py.String:
		return utf8.RuneCountInString(string(x)), nil
	case py.Bytes:
		return len(x), nil
	case py.Tuple:
		return len(x), nil
	case *py.List:
		return len(x.Items), nil
	case py.StringDict:
		return len(x), nil
	case *Dict:
		return x.live, nil
	case *Set:
		return x.d.live, nil
	}
	r, err := py.Len(o)
	if err != nil {
		return 0, py.ExceptionNewf(py.TypeError, "object of type '%s' has no len()", TypeName(o))
	}
	return argInt("len", r, 0)
}

// IsInstance is isinstance(o, cls) (cls may be a tuple).
func IsInstance(o, cls py.Object) (bool, error) {
	if t, ok := cls.(py.Tuple); ok {
		for _, c := range t {
			r, err := IsInstance(o, c)
			if err != nil || r {
				return r, err
			}
		}
		return false, nil
	}
	c, ok := cls.(*py.Type)
	if !ok || c.Name == "" {
		return false, py.ExceptionNewf(py.TypeError, "isinstance() arg 2 must be a type or tuple of types")
	}
	t := TypeOf(o)
	if t == py.StringDictType && c == DictType {
		return true, nil
	}
	return isSubclass(t, c), nil
}

func isSubclass(t, c *py.Type) bool {
	if c == py.ObjectType || t == c {
		return true
	}
	if c == py.IntType && (t == py.BoolType || t == py.BigIntType) {
		return true
	}
	return t.IsSubtype(c)
}

// Callable is callable(o).
func Callable(o py.Object) bool {
	switch x := o.(type) {
	case *py.Type:
		if x.Name != "" {
			return true
		}
		return lookupMRO(x.Type(), "__call__") != nil
	case *py.Exception:
		return false
	}
	_, ok := o.(py.I__call__)
	return ok
}

func builtinLen(self, o py.Object) (py.Object, error) {
	n, err := Len(o)
	return py.Int(n), err
}

func builtinRepr(self, o py.Object) (py.Object, error) {
	s, err := Repr(o)
	return py.String(s), err
}

func builtinASCII(self, o py.Object) (py.Object, error) {
	s, err := Repr(o)
	if err != nil {
		return nil, err
	}
	return py.String(ASCII(s)), nil
}

// builtinFFormat is what an f-string's replacement field becomes (see
// Rewrite): __fformat__(value, conversion, spec).
func builtinFFormat(self py.Object, args py.Tuple) (py.Object, error) {
	if len(args) != 3 {
		return nil, py.ExceptionNewf(py.TypeError, "__fformat__ takes 3 arguments")
	}
	v := args[0]
	var s string
	var err error
	switch args[1].(py.String) {
	case "r":
		s, err = Repr(v)
		v = py.String(s)
	case "s":
		s, err = Str(v)
		v = py.String(s)
	case "a":
		s, err = Repr(v)
		s = ASCII(s)
		v = py.String(s)
	}
	if err != nil {
		return nil, err
	}
	spec, _ := args[2].(py.String)
	if spec == "" {
		if str, ok := v.(py.String); ok {
			return str, nil
		}
		s, err := Str(v)
		return py.String(s), err
	}
	s, err = FormatValue(v, string(spec))
	return py.String(s), err
}

func builtinFormat(self py.Object, args py.Tuple) (py.Object, error) {
	if err := nargs("format", args, 1, 2); err != nil {
		return nil, err
	}
	spec := ""
	if len(args) == 2 {
		s, err := argStr("format", args[1])
		if err != nil {
			return nil, err
		}
		spec = s
	}
	s, err := FormatValue(args[0], spec)
	return py.String(s), err
}

func builtinSorted(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
	if err := nargs("sorted", args, 1, 1); err != nil {
		return nil, err
	}
	a, err := parseArgs("sorted", nil, kwargs, []string{"key", "reverse"}, 0)
	if err != nil {
		return nil, err
	}
	items, err := ToList(args[0])
	if err != nil {
		return nil, err
	}
	if err := SortItems(items, a[0], a[1]); err != nil {
		return nil, err
	}
	return py.NewListFromItems(items), nil
}

func builtinReversed(self, o py.Object) (py.Object, error) {
	if IsInstanceObj(o) {
		if r, ok, err := callMethod(o, "__reversed__"); ok {
			return r, err
		}
	}
	var items []py.Object
	switch x := o.(type) {
	case py.Tuple:
		items = append(items, x...)
	case *py.List:
		items = append(items, x.Items...)
	case py.String:
		for _, r := range string(x) {
			items = append(items, py.String(string(r)))
		}
	case py.Bytes:
		for _, c := range x {
			items = append(items, py.Int(c))
		}
	case *py.Range:
		var err error
		if items, err = ToList(x); err != nil {
			return nil, err
		}
	default:
		n, err := Len(o)
		if err != nil {
			return nil, py.ExceptionNewf(py.TypeError, "'%s' object is not reversible", TypeName(o))
		}
		for i := 0; i < n; i++ {
			v, err := GetItem(o, py.Int(i))
			if err != nil {
				return nil, err
			}
			items = append(items, v)
		}
	}
	for a, b := 0, len(items)-1; a < b; a, b = a+1, b-1 {
		items[a], items[b] = items[b], items[a]
	}
	return &SliceIter{Items: items}, nil
}

func minMax(name string, wantMax bool) func(py.Object, py.Tuple, py.StringDict) (py.Object, error) {
	return func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		a, err := parseArgs(name, nil, kwargs, []string{"key", "default"}, 0)
		if err != nil {
			return nil, err
		}
		if len(args) == 0 {
			return nil, py.ExceptionNewf(py.TypeError, "%s expected at least 1 argument, got 0", name)
		}
		var items []py.Object
		if len(args) == 1 {
			if items, err = ToList(args[0]); err != nil {
				return nil, err
			}
		} else {
			if a[1] != nil {
				return nil, py.ExceptionNewf(py.TypeError, "Cannot specify a default for %s() with multiple positional arguments", name)
			}
			items = args
		}
		if len(items) == 0 {
			if a[1] != nil {
				return a[1], nil
			}
			return nil, py.ExceptionNewf(py.ValueError, "%s() arg is an empty sequence", name)
		}
		key := a[0]
		if key == py.None {
			key = nil
		}
		best := items[0]
		bestKey := best
		if key != nil {
			if bestKey, err = py.Call(key, py.Tuple{best}, nil); err != nil {
				return nil, err
			}
		}
		for _, it := range items[1:] {
			k := it
			if key != nil {
				if k, err = py.Call(key, py.Tuple{it}, nil); err != nil {
					return nil, err
				}
			}
			var better bool
			if wantMax {
				better, err = Less(bestKey, k)
			} else {
				better, err = Less(k, bestKey)
			}
			if err != nil {
				return nil, err
			}
			if better {
				best, bestKey = it, k
			}
		}
		return best, nil
	}
}

func builtinSum(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
	a, err := parseArgs("sum", args, kwargs, []string{"iterable", "start"}, 1)
	if err != nil {
		return nil, err
	}
	var acc py.Object = py.Int(0)
	if a[1] != nil {
		if _, ok := a[1].(py.String); ok {
			return nil, py.ExceptionNewf(py.TypeError, "sum() can't sum strings [use ''.join(seq) instead]")
		}
		acc = a[1]
	}
	err = Iterate(a[0], func(it py.Object) error {
		r, err := binHelpers[vm.BINARY_ADD].Fn(py.Tuple{acc, it})
		acc = r
		return err
	})
	return acc, err
}

// Round is round(x[, n]) with CPython's round-half-even results.
func builtinRound(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
	a, err := parseArgs("round", args, kwargs, []string{"number", "ndigits"}, 1)
	if err != nil {
		return nil, err
	}
	switch x := a[0].(type) {
	case py.Int, *py.BigInt, py.Bool:
		if a[1] == nil || a[1] == py.None {
			if b, ok := x.(py.Bool); ok {
				if b {
					return py.Int(1), nil
				}
				return py.Int(0), nil
			}
			return x, nil
		}
		n, err := argInt("round", a[1], 0)
		if err != nil {
			return nil, err
		}
		if n >= 0 {
			return x, nil
		}
		bi, _ := toBigIntForFormat(x, 'd')
		p := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(-n)), nil)
		q, r := new(big.Int).QuoRem(bi, p, new(big.Int))
		// round half to even
		twice := new(big.Int).Mul(new(big.Int).Abs(r), big.NewInt(2))
		c := twice.Cmp(p)
		if c > 0 || (c == 0 && q.Bit(0) == 1) {
			if bi.Sign() < 0 {
				q.Sub(q, big.NewInt(1))
			} else {
				q.Add(q, big.NewInt(1))
			}
		}
		res := new(big.Int).Mul(q, p)
		if res.IsInt64() {
			return py.Int(res.Int64()), nil
		}
		return (*py.BigInt)(res), nil
	case py.Float:
		f := float64(x)
		if a[1] == nil || a[1] == py.None {
			if math.IsInf(f, 0) {
				return nil, py.ExceptionNewf(py.OverflowError, "cannot convert float infinity to integer")
			}
			if math.IsNaN(f) {
				return nil, py.ExceptionNewf(py.ValueError, "cannot convert float NaN to integer")
			}
			r := math.RoundToEven(f)
			if math.Abs(r) < 1<<62 {
				return py.Int(int64(r)), nil
			}
			bf := new(big.Float).SetFloat64(r)
			bi, _ := bf.Int(nil)
			return (*py.BigInt)(bi), nil
		}
		n, err := argInt("round", a[1], 0)
		if err != nil {
			return nil, err
		}
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return x, nil
		}
		if n > 300 {
			return x, nil
		}
		if n < 0 {
			p := math.Pow(10, float64(-n))
			return py.Float(math.RoundToEven(f/p) * p), nil
		}
		s := strconv.FormatFloat(f, 'f', n, 64)
		r, _ := strconv.ParseFloat(s, 64)
		return py.Float(r), nil
	}
	if r, ok, err := callMethod(a[0], "__round__"); ok {
		return r, err
	}
	return nil, py.ExceptionNewf(py.TypeError, "type %s doesn't define __round__ method", TypeName(a[0]))
}

func builtinIsinstance(self py.Object, args py.Tuple) (py.Object, error) {
	if err := nargs("isinstance", args, 2, 2); err != nil {
		return nil, err
	}
	r, err := IsInstance(args[0], args[1])
	return py.NewBool(r), err
}

func builtinIssubclass(self py.Object, args py.Tuple) (py.Object, error) {
	if err := nargs("issubclass", args, 2, 2); err != nil {
		return nil, err
	}
	t, ok := args[0].(*py.Type)
	if !ok || t.Name == "" {
		return nil, py.ExceptionNewf(py.TypeError, "issubclass() arg 1 must be a class")
	}
	check := func(c py.Object) (bool, error) {
		ct, ok := c.(*py.Type)
		if !ok || ct.Name == "" {
			return false, py.ExceptionNewf(py.TypeError, "issubclass() arg 2 must be a class, a tuple of classes, or a union")
		}
		return isSubclass(t, ct), nil
	}
	if tup, ok := args[1].(py.Tuple); ok {
		for _, c := range tup {
			r, err := check(c)
			if err != nil || r {
				return py.NewBool(r), err
			}
		}
		return py.False, nil
	}
	r, err := check(args[1])
	return py.NewBool(r), err
}

func builtinHash(self, o py.Object) (py.Object, error) {
	if IsInstanceObj(o) {
		if r, ok, err := callMethod(o, "__hash__"); ok {
			return r, err
		}
	}
	return Hash(o)
}

func builtinID(self, o py.Object) (py.Object, error) { return py.Int(int64(idOf(o))), nil }

func builtinCallable(self, o py.Object) (py.Object, error) { return py.NewBool(Callable(o)), nil }

// Dir is dir(o).
func Dir(o py.Object) []string {
	seen := map[string]bool{}
	add := func(d py.StringDict) {
		for k := range d {
			if k == excAttrsKey {
				continue
			}
			seen[k] = true
		}
	}
	addMRO := func(t *py.Type) {
		if len(t.Mro) == 0 {
			add(t.Dict)
		}
		for _, b := range t.Mro {
			if bt, ok := b.(*py.Type); ok {
				add(bt.Dict)
			}
		}
	}
	switch x := o.(type) {
	case *py.Module:
		add(x.Globals)
	case *py.Type:
		if x.Name == "" {
			add(x.Dict)
			addMRO(x.Type())
		} else {
			addMRO(x)
		}
	case *py.Exception:
		add(x.Dict)
		addMRO(x.Base)
		seen["args"] = true
	default:
		addMRO(o.Type())
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func builtinDir(self py.Object, args py.Tuple) (py.Object, error) {
	if err := nargs("dir", args, 1, 1); err != nil {
		return nil, py.ExceptionNewf(py.TypeError, "dir() without arguments is not supported by gpython")
	}
	return strList(Dir(args[0])), nil
}

func builtinVars(self py.Object, args py.Tuple) (py.Object, error) {
	if err := nargs("vars", args, 1, 1); err != nil {
		return nil, err
	}
	switch x := args[0].(type) {
	case *py.Module:
		return x.Globals, nil
	case *py.Type:
		if x.Name != "" {
			return x.Dict.Copy(), nil
		}
		return x.Dict, nil
	case *py.Exception:
		return x.Dict, nil
	}
	return nil, py.ExceptionNewf(py.TypeError, "vars() argument must have __dict__ attribute")
}

func builtinPrint(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
	a, err := parseArgs("print", nil, kwargs, []string{"sep", "end", "file", "flush"}, 0)
	if err != nil {
		return nil, err
	}
	sep, end := " ", "\n"
	if a[0] != nil && a[0] != py.None {
		if sep, err = argStr("print", a[0]); err != nil {
			return nil, py.ExceptionNewf(py.TypeError, "sep must be None or a string, not %s", TypeName(a[0]))
		}
	}
	if a[1] != nil && a[1] != py.None {
		if end, err = argStr("print", a[1]); err != nil {
			return nil, py.ExceptionNewf(py.TypeError, "end must be None or a string, not %s", TypeName(a[1]))
		}
	}
	file := a[2]
	if file == nil || file == py.None {
		mod, _ := self.(*py.Module)
		if mod == nil || mod.Context == nil {
			return nil, py.ExceptionNewf(py.RuntimeError, "print(): no context")
		}
		sys, err := mod.Context.GetModule("sys")
		if err != nil {
			return nil, err
		}
		file = sys.Globals["stdout"]
	}
	var b strings.Builder
	for i, v := range args {
		if i > 0 {
			b.WriteString(sep)
		}
		s, err := Str(v)
		if err != nil {
			return nil, err
		}
		b.WriteString(s)
	}
	b.WriteString(end)
	write, err := py.GetAttrString(file, "write")
	if err != nil {
		return nil, err
	}
	if _, err := py.Call(write, py.Tuple{py.String(b.String())}, nil); err != nil {
		return nil, err
	}
	if a[3] != nil {
		if fl, _ := Truth(a[3]); fl {
			if f, err := py.GetAttrString(file, "flush"); err == nil {
				if _, err := py.Call(f, nil, nil); err != nil {
					return nil, err
				}
			}
		}
	}
	return py.None, nil
}

func builtinNext(self py.Object, args py.Tuple) (py.Object, error) {
	if err := nargs("next", args, 1, 2); err != nil {
		return nil, err
	}
	r, err := py.Next(args[0])
	if err != nil && IsStopIteration(err) {
		if len(args) == 2 {
			return args[1], nil
		}
		if _, ok := err.(*py.Type); ok {
			return nil, py.ExceptionNewf(py.StopIteration, "")
		}
	}
	return r, err
}

func builtinIter(self py.Object, args py.Tuple) (py.Object, error) {
	if err := nargs("iter", args, 1, 2); err != nil {
		return nil, err
	}
	if len(args) == 2 {
		return nil, py.ExceptionNewf(py.NotImplementedError, "iter(callable, sentinel) is not supported by gpython")
	}
	return GetIter(args[0])
}

func builtinGetattr(self py.Object, args py.Tuple) (py.Object, error) {
	if err := nargs("getattr", args, 2, 3); err != nil {
		return nil, err
	}
	name, ok := args[1].(py.String)
	if !ok {
		return nil, py.ExceptionNewf(py.TypeError, "attribute name must be string, not '%s'", TypeName(args[1]))
	}
	v, err := GetAttr(args[0], string(name))
	if err != nil && len(args) == 3 && py.IsException(py.AttributeError, err) {
		return args[2], nil
	}
	return v, err
}

func builtinHasattr(self py.Object, args py.Tuple) (py.Object, error) {
	if err := nargs("hasattr", args, 2, 2); err != nil {
		return nil, err
	}
	name, ok := args[1].(py.String)
	if !ok {
		return nil, py.ExceptionNewf(py.TypeError, "attribute name must be string, not '%s'", TypeName(args[1]))
	}
	if e, ok := args[0].(*py.Exception); ok {
		// gpython answers every attribute of an exception with its args
		if name == "args" {
			return py.True, nil
		}
		if _, ok := e.Dict[string(name)]; ok {
			return py.True, nil
		}
		if v := lookupMRO(e.Base, string(name)); v != nil {
			if a, ok := v.(*excAttr); ok && a.def == nil {
				return py.False, nil
			}
			return py.True, nil
		}
		return py.False, nil
	}
	_, err := GetAttr(args[0], string(name))
	if err != nil {
		if py.IsException(py.AttributeError, err) {
			return py.False, nil
		}
		return nil, err
	}
	return py.True, nil
}

func strNew(t *py.Type, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
	a, err := parseArgs("str", args, kwargs, []string{"object", "encoding", "errors"}, 0)
	if err != nil {
		return nil, err
	}
	if a[0] == nil {
		return py.String(""), nil
	}
	if a[1] != nil || a[2] != nil {
		b, ok := a[0].(py.Bytes)
		if !ok {
			return nil, py.ExceptionNewf(py.TypeError, "decoding to str: need a bytes-like object, %s found", TypeName(a[0]))
		}
		enc, errs := "utf-8", "strict"
		if a[1] != nil {
			if enc, err = argStr("str", a[1]); err != nil {
				return nil, err
			}
		}
		if a[2] != nil {
			if errs, err = argStr("str", a[2]); err != nil {
				return nil, err
			}
		}
		s, err := Decode(b, enc, errs)
		return py.String(s), err
	}
	s, err := Str(a[0])
	return py.String(s), err
}

func bytesNew(orig py.NewFunc) py.NewFunc {
	return func(t *py.Type, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		if len(args) == 1 {
			if b, ok := args[0].(*ByteArray); ok {
				return py.Bytes(append([]byte{}, b.B...)), nil
			}
		}
		if len(args) >= 1 {
			if s, ok := args[0].(py.String); ok {
				a, err := parseArgs("bytes", args, kwargs, []string{"source", "encoding", "errors"}, 0)
				if err != nil {
					return nil, err
				}
				if a[1] == nil {
					return nil, py.ExceptionNewf(py.TypeError, "string argument without an encoding")
				}
				enc, err := argStr("bytes", a[1])
				if err != nil {
					return nil, err
				}
				errs := "strict"
				if a[2] != nil {
					if errs, err = argStr("bytes", a[2]); err != nil {
						return nil, err
					}
				}
				return Encode(string(s), enc, errs)
			}
			if _, ok := args[0].(py.Bytes); !ok && len(kwargs) == 0 && len(args) == 1 {
				if _, isInt := args[0].(py.Int); !isInt {
					items, err := ToList(args[0])
					if err != nil {
						return nil, err
					}
					out := make([]byte, len(items))
					for i, it := range items {
						v, err := argInt("bytes", it, 0)
						if err != nil {
							return nil, err
						}
						if v < 0 || v > 255 {
							return nil, py.ExceptionNewf(py.ValueError, "bytes must be in range(0, 256)")
						}
						out[i] = byte(v)
					}
					return py.Bytes(out), nil
				}
			}
		}
		return orig(t, args, kwargs)
	}
}

func intNew(orig py.NewFunc) py.NewFunc {
	return func(t *py.Type, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		if len(args) >= 1 && len(kwargs) == 0 {
			switch x := args[0].(type) {
			case py.String:
				s := strings.TrimSpace(strings.ReplaceAll(string(x), "_", ""))
				if len(args) == 1 {
					if i, err := strconv.ParseInt(s, 10, 64); err == nil {
						return py.Int(i), nil
					}
					if bi, ok := new(big.Int).SetString(s, 10); ok {
						return (*py.BigInt)(bi), nil
					}
					return nil, py.ExceptionNewf(py.ValueError, "invalid literal for int() with base 10: %s", py.StringEscape(x, false))
				}
			case py.Bytes:
				return intNew(orig)(t, append(py.Tuple{py.String(Latin1(x))}, args[1:]...), kwargs)
			case py.Float:
				f := float64(x)
				if math.IsInf(f, 0) {
					return nil, py.ExceptionNewf(py.OverflowError, "cannot convert float infinity to integer")
				}
				if math.IsNaN(f) {
					return nil, py.ExceptionNewf(py.ValueError, "cannot convert float NaN to integer")
				}
			}
			if IsInstanceObj(args[0]) {
				if r, ok, err := callMethod(args[0], "__int__"); ok {
					return r, err
				}
			}
		}
		return orig(t, args, kwargs)
	}
}

func floatNew(orig py.NewFunc) py.NewFunc {
	return func(t *py.Type, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		if len(args) == 1 && len(kwargs) == 0 {
			if s, ok := args[0].(py.String); ok {
				v := strings.TrimSpace(strings.ReplaceAll(string(s), "_", ""))
				switch strings.ToLower(strings.TrimLeft(v, "+-")) {
				case "inf", "infinity", "nan":
				default:
					if _, err := strconv.ParseFloat(v, 64); err != nil {
						return nil, py.ExceptionNewf(py.ValueError, "could not convert string to float: %s", py.StringEscape(s, false))
					}
				}
				f, err := strconv.ParseFloat(v, 64)
				if err != nil && !strings.Contains(err.Error(), "range") {
					return nil, py.ExceptionNewf(py.ValueError, "could not convert string to float: %s", py.StringEscape(s, false))
				}
				return py.Float(f), nil
			}
			if IsInstanceObj(args[0]) {
				if r, ok, err := callMethod(args[0], "__float__"); ok {
					return r, err
				}
			}
		}
		return orig(t, args, kwargs)
	}
}

func boolNew(t *py.Type, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
	if len(kwargs) > 0 {
		return nil, py.ExceptionNewf(py.TypeError, "bool() takes no keyword arguments")
	}
	if err := nargs("bool", args, 0, 1); err != nil {
		return nil, err
	}
	if len(args) == 0 {
		return py.False, nil
	}
	r, err := Truth(args[0])
	return py.NewBool(r), err
}

func builtinAny(self, seq py.Object) (py.Object, error) {
	found := false
	err := Iterate(seq, func(it py.Object) error {
		t, err := Truth(it)
		if err != nil {
			return err
		}
		if t {
			found = true
			return errStop
		}
		return nil
	})
	if err != nil && err != errStop {
		return nil, err
	}
	return py.NewBool(found), nil
}

func builtinAll(self, seq py.Object) (py.Object, error) {
	all := true
	err := Iterate(seq, func(it py.Object) error {
		t, err := Truth(it)
		if err != nil {
			return err
		}
		if !t {
			all = false
			return errStop
		}
		return nil
	})
	if err != nil && err != errStop {
		return nil, err
	}
	return py.NewBool(all), nil
}
