package shims

import (
	"fmt"
	"math"
	"math/big"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/go-python/gpython/py"
)

// IsInstanceObj reports whether t is a user-class instance: gpython
// represents both classes and their instances as *py.Type, and only classes
// have a name.
func IsInstanceObj(o py.Object) bool {
	t, ok := o.(*py.Type)
	return ok && t.Name == ""
}

// IsClass reports whether o is a class (a *py.Type with a name).
func IsClass(o py.Object) bool {
	t, ok := o.(*py.Type)
	return ok && t.Name != ""
}

// TypeOf returns the class of o, as type(o) does.
func TypeOf(o py.Object) *py.Type {
	if t, ok := o.(*py.Type); ok && t.Name != "" {
		return py.TypeType
	}
	return o.Type()
}

// TypeName is type(o).__name__.
func TypeName(o py.Object) string {
	t := TypeOf(o)
	switch t {
	case py.StringDictType:
		return "dict"
	case py.BigIntType:
		return "int"
	case py.MethodType:
		return "builtin_function_or_method"
	case py.BoundMethodType:
		return "method"
	}
	return t.Name
}

// lookupMRO looks name up in the dicts of t's MRO (no instance dict).
func lookupMRO(t *py.Type, name string) py.Object {
	if len(t.Mro) == 0 {
		if v, ok := t.Dict[name]; ok {
			return v
		}
		return nil
	}
	for _, b := range t.Mro {
		if bt, ok := b.(*py.Type); ok {
			if v, ok := bt.Dict[name]; ok {
				return v
			}
		}
	}
	return nil
}

// userMethod finds a method defined in Python (a *py.Function) for name on
// the class of o, skipping gpython's Go-level type methods.
func userMethod(cls *py.Type, name string) *py.Function {
	if f, ok := lookupMRO(cls, name).(*py.Function); ok {
		return f
	}
	return nil
}

// callMethod calls a Python-level method of o by name.
func callMethod(o py.Object, name string, args ...py.Object) (py.Object, bool, error) {
	var cls *py.Type
	switch x := o.(type) {
	case *py.Exception:
		cls = x.Base
	case *py.Type:
		if x.Name != "" {
			return nil, false, nil
		}
		cls = x.Type()
	default:
		return nil, false, nil
	}
	f := userMethod(cls, name)
	if f == nil {
		return nil, false, nil
	}
	res, err := py.Call(f, append(py.Tuple{o}, args...), nil)
	return res, true, err
}

// Repr is repr(o) with CPython's output for the types gpython gets wrong.
func Repr(o py.Object) (string, error) {
	return reprDepth(o, 0)
}

const maxReprDepth = 200

func reprDepth(o py.Object, depth int) (string, error) {
	if depth > maxReprDepth {
		return "", py.ExceptionNewf(RecursionError, "maximum recursion depth exceeded while getting the repr of an object")
	}
	switch x := o.(type) {
	case nil:
		return "<NULL>", nil
	case py.NoneType:
		return "None", nil
	case py.Bool:
		if x {
			return "True", nil
		}
		return "False", nil
	case py.Int:
		return strconv.FormatInt(int64(x), 10), nil
	case *py.BigInt:
		return (*big.Int)(x).String(), nil
	case py.Float:
		return FloatRepr(float64(x)), nil
	case py.String:
		return py.StringEscape(x, false), nil
	case py.Bytes:
		r, err := x.M__repr__()
		if err != nil {
			return "", err
		}
		return string(r.(py.String)), nil
	case py.Tuple:
		if len(x) == 1 {
			s, err := reprDepth(x[0], depth+1)
			if err != nil {
				return "", err
			}
			return "(" + s + ",)", nil
		}
		return reprSeq("(", ")", x, depth)
	case *py.List:
		return reprSeq("[", "]", x.Items, depth)
	case py.StringDict:
		keys := SortedKeys(x)
		var b strings.Builder
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(py.StringEscape(py.String(k), false))
			b.WriteString(": ")
			s, err := reprDepth(x[k], depth+1)
			if err != nil {
				return "", err
			}
			b.WriteString(s)
		}
		b.WriteByte('}')
		return b.String(), nil
	case *Dict:
		return reprDict(x, depth)
	case *Set:
		return reprSet(x, depth)
	case *py.Set:
		items, err := setItems(x)
		if err != nil {
			return "", err
		}
		if len(items) == 0 {
			return "set()", nil
		}
		return reprSeq("{", "}", items, depth)
	case *py.FrozenSet:
		var items []py.Object
		if err := py.Iterate(x, func(it py.Object) bool { items = append(items, it); return false }); err != nil {
			return "", err
		}
		sortObjects(items)
		if len(items) == 0 {
			return "frozenset()", nil
		}
		s, err := reprSeq("{", "}", items, depth)
		return "frozenset(" + s + ")", err
	case *py.Exception:
		if r, ok, err := callMethod(x, "__repr__"); ok {
			if err != nil {
				return "", err
			}
			return strOf(r)
		}
		args := ExcArgs(x)
		name := x.Base.Name
		if len(args) == 1 {
			s, err := reprDepth(args[0], depth+1)
			return name + "(" + s + ")", err
		}
		s, err := reprSeq("(", ")", args, depth)
		return name + s, err
	case *py.Type:
		if x.Name == "" {
			if r, ok, err := callMethod(x, "__repr__"); ok {
				if err != nil {
					return "", err
				}
				return strOf(r)
			}
			return fmt.Sprintf("<%s object at %p>", qualifiedName(x.Type()), x), nil
		}
		return "<class '" + qualifiedName(x) + "'>", nil
	case *py.Function:
		return fmt.Sprintf("<function %s at %p>", x.Qualname, x), nil
	case *py.Method:
		return fmt.Sprintf("<built-in function %s>", x.Name), nil
	case *py.BoundMethod:
		name := "?"
		switch m := x.Method.(type) {
		case *py.Function:
			name = m.Qualname
		case *py.Method:
			name = m.Name
		}
		s, err := reprDepth(x.Self, depth+1)
		if err != nil {
			return "", err
		}
		return "<bound method " + name + " of " + s + ">", nil
	case *py.Module:
		name, _ := x.Globals["__name__"].(py.String)
		if f, ok := x.Globals["__file__"].(py.String); ok {
			return fmt.Sprintf("<module '%s' from '%s'>", name, f), nil
		}
		return fmt.Sprintf("<module '%s' (built-in)>", name), nil
	case *py.Range:
		if x.Step == 1 {
			return fmt.Sprintf("range(%d, %d)", x.Start, x.Stop), nil
		}
		return fmt.Sprintf("range(%d, %d, %d)", x.Start, x.Stop, x.Step), nil
	}
	r, err := py.Repr(o)
	if err != nil {
		return "", err
	}
	return strOf(r)
}

func strOf(r py.Object) (string, error) {
	s, ok := r.(py.String)
	if !ok {
		return "", py.ExceptionNewf(py.TypeError, "__repr__ returned non-string (type %s)", TypeName(r))
	}
	return string(s), nil
}

func qualifiedName(t *py.Type) string {
	if t.Flags&py.TPFLAGS_HEAPTYPE != 0 {
		if m, ok := t.Dict["__module__"].(py.String); ok && m != "builtins" {
			q := t.Qualname
			if q == "" {
				q = t.Name
			}
			return string(m) + "." + q
		}
	}
	switch t {
	case py.StringDictType:
		return "dict"
	case py.BigIntType:
		return "int"
	}
	return t.Name
}

func reprSeq(open, close string, items []py.Object, depth int) (string, error) {
	var b strings.Builder
	b.WriteString(open)
	for i, it := range items {
		if i > 0 {
			b.WriteString(", ")
		}
		s, err := reprDepth(it, depth+1)
		if err != nil {
			return "", err
		}
		b.WriteString(s)
	}
	b.WriteString(close)
	return b.String(), nil
}

// Str is str(o) with CPython's output.
func Str(o py.Object) (string, error) { return strDepth(o, 0) }

func strDepth(o py.Object, depth int) (string, error) {
	if depth > maxNesting {
		return "", nestingError("while getting the str of an object")
	}
	switch x := o.(type) {
	case py.String:
		return string(x), nil
	case *py.Exception:
		if r, ok, err := callMethod(x, "__str__"); ok {
			if err != nil {
				return "", err
			}
			return strOf(r)
		}
		args := ExcArgs(x)
		switch len(args) {
		case 0:
			return "", nil
		case 1:
			if x.Base.IsSubtype(py.KeyError) {
				return reprDepth(args[0], depth+1)
			}
			return strDepth(args[0], depth+1)
		}
		return Repr(args)
	case *py.Type:
		if x.Name == "" {
			if r, ok, err := callMethod(x, "__str__"); ok {
				if err != nil {
					return "", err
				}
				return strOf(r)
			}
		}
		return Repr(o)
	case py.NoneType, py.Bool, py.Int, *py.BigInt, py.Float, py.Tuple, *py.List, py.StringDict, *py.Set, py.Bytes, *Dict, *Set,
		*py.Function, *py.Method, *py.BoundMethod, *py.Module:
		return Repr(o)
	}
	r, err := py.Str(o)
	if err != nil {
		return "", err
	}
	return strOf(r)
}

// ExcArgs returns an exception's args as a tuple.
func ExcArgs(e *py.Exception) py.Tuple {
	if t, ok := e.Args.(py.Tuple); ok {
		return t
	}
	if e.Args == nil {
		return py.Tuple{}
	}
	return py.Tuple{e.Args}
}

// FloatRepr formats f as CPython's repr(float) does.
func FloatRepr(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	if f == 0 {
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	s := strconv.FormatFloat(f, 'e', -1, 64) // shortest digits, d.ddde±XX
	mant, expS, _ := strings.Cut(s, "e")
	exp, _ := strconv.Atoi(expS)
	neg := strings.HasPrefix(mant, "-")
	mant = strings.TrimPrefix(mant, "-")
	digits := strings.Replace(mant, ".", "", 1)
	var out string
	if exp >= 16 || exp < -4 {
		out = digits[:1]
		if len(digits) > 1 {
			out += "." + digits[1:]
		}
		sign := "+"
		if exp < 0 {
			sign = "-"
			exp = -exp
		}
		out += fmt.Sprintf("e%s%02d", sign, exp)
	} else if exp >= 0 {
		if len(digits) <= exp+1 {
			out = digits + strings.Repeat("0", exp+1-len(digits)) + ".0"
		} else {
			out = digits[:exp+1] + "." + digits[exp+1:]
		}
	} else {
		out = "0." + strings.Repeat("0", -exp-1) + digits
	}
	if neg {
		out = "-" + out
	}
	return out
}

// SortedKeys returns the keys of d in sorted order: gpython's dict is a Go
// map, which has no insertion order, so gowsgi makes every walk over a dict
// deterministic instead.
func SortedKeys(d py.StringDict) []string {
	keys := make([]string, 0, len(d))
	for k := range d {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func setItems(s *py.Set) ([]py.Object, error) {
	var items []py.Object
	err := py.Iterate(s, func(it py.Object) bool { items = append(items, it); return false })
	sortObjects(items)
	return items, err
}

// sortObjects sorts mixed objects for display (best effort, never fails).
func sortObjects(items []py.Object) {
	sort.SliceStable(items, func(i, j int) bool {
		lt, err := Less(items[i], items[j])
		if err != nil {
			return TypeName(items[i]) < TypeName(items[j])
		}
		return lt
	})
}

// Iterate calls fn for every item of o; unlike py.Iterate it treats a
// StopIteration instance (raised by a Python __next__) as the end.
func Iterate(o py.Object, fn func(py.Object) error) error {
	switch x := o.(type) {
	case nil:
		return py.ExceptionNewf(py.TypeError, "'NoneType' object is not iterable")
	case py.Tuple:
		for _, it := range x {
			if err := fn(it); err != nil {
				return err
			}
		}
		return nil
	case *py.List:
		for i := 0; i < len(x.Items); i++ {
			if err := fn(x.Items[i]); err != nil {
				return err
			}
		}
		return nil
	case *Dict:
		return x.Range(func(k, _ py.Object) (bool, error) { return true, fn(k) })
	case py.StringDict:
		for _, k := range SortedKeys(x) {
			if err := fn(py.String(k)); err != nil {
				return err
			}
		}
		return nil
	case py.Bytes:
		for _, c := range x {
			if err := fn(py.Int(c)); err != nil {
				return err
			}
		}
		return nil
	}
	it, err := py.Iter(o)
	if err != nil {
		return err
	}
	for {
		item, err := py.Next(it)
		if err != nil {
			if IsStopIteration(err) {
				return nil
			}
			return err
		}
		if err := fn(item); err != nil {
			return err
		}
	}
}

// IsStopIteration reports whether err is StopIteration (class or instance).
func IsStopIteration(err error) bool {
	if err == nil {
		return false
	}
	if t, ok := err.(*py.Type); ok {
		return t == py.StopIteration
	}
	return py.IsException(py.StopIteration, err)
}

// ToList collects the items of an iterable.
func ToList(o py.Object) ([]py.Object, error) {
	switch x := o.(type) {
	case py.Tuple:
		return append([]py.Object(nil), x...), nil
	case *py.List:
		return append([]py.Object(nil), x.Items...), nil
	}
	var out []py.Object
	err := Iterate(o, func(it py.Object) error { out = append(out, it); return nil })
	return out, err
}

// Truth is bool(o).
func Truth(o py.Object) (bool, error) {
	switch x := o.(type) {
	case py.Bool:
		return bool(x), nil
	case py.NoneType:
		return false, nil
	case py.Int:
		return x != 0, nil
	case py.String:
		return x != "", nil
	case py.Bytes:
		return len(x) > 0, nil
	case py.Tuple:
		return len(x) > 0, nil
	case *py.List:
		return len(x.Items) > 0, nil
	case py.StringDict:
		return len(x) > 0, nil
	case *Dict:
		return x.live > 0, nil
	case *Set:
		return x.d.live > 0, nil
	case py.Float:
		return x != 0, nil
	case *py.Exception:
		return true, nil
	case *py.Type:
		if x.Name == "" {
			if r, ok, err := callMethod(x, "__bool__"); ok {
				if err != nil {
					return false, err
				}
				b, ok := r.(py.Bool)
				if !ok {
					return false, py.ExceptionNewf(py.TypeError, "__bool__ should return bool, returned %s", TypeName(r))
				}
				return bool(b), nil
			}
			if r, ok, err := callMethod(x, "__len__"); ok {
				if err != nil {
					return false, err
				}
				n, err := argInt("__len__", r, 0)
				return n != 0, err
			}
		}
		return true, nil
	}
	return py.ObjectIsTrue(o)
}

// maxNesting bounds the Go recursion of ==, <, hash() and str() through
// nested containers: past it (a cycle, or absurd nesting) they raise
// RecursionError, as CPython does, instead of overflowing the Go stack,
// which would kill the worker process.
const maxNesting = 1000

func nestingError(what string) error {
	return py.ExceptionNewf(RecursionError, "maximum recursion depth exceeded %s", what)
}

// TupleLike is a Go sequence type that wraps a tuple (namedtuple,
// struct_time): it compares as its tuple.
type TupleLike interface {
	AsTuple() py.Tuple
}

func asDict(o py.Object) (py.StringDict, bool) {
	switch x := o.(type) {
	case py.StringDict:
		return x, true
	case DictLike:
		return x.AsDict(), true
	}
	return nil, false
}

func asTuple(o py.Object) (py.Tuple, bool) {
	switch x := o.(type) {
	case py.Tuple:
		return x, true
	case TupleLike:
		return x.AsTuple(), true
	}
	return nil, false
}

// same reports whether a and b are the same tuple or dict object, which
// Go's == cannot compare: a container is equal to itself without a walk
// (CPython compares items by identity first too).
func same(a, b py.Object) bool {
	switch x := a.(type) {
	case py.Tuple:
		y, ok := b.(py.Tuple)
		return ok && len(x) == len(y) && (len(x) == 0 || &x[0] == &y[0])
	case py.StringDict:
		y, ok := b.(py.StringDict)
		return ok && reflect.ValueOf(x).UnsafePointer() == reflect.ValueOf(y).UnsafePointer()
	}
	return false
}

// Equal is a == b, honouring __eq__ defined on user classes.
func Equal(a, b py.Object) (bool, error) { return equal(a, b, 0) }

func equal(a, b py.Object, depth int) (bool, error) {
	if depth > maxNesting {
		return false, nestingError("in comparison")
	}
	switch a.(type) {
	case py.Bytes, py.Tuple, py.StringDict:
		// not comparable with Go's ==
		if same(a, b) {
			return true, nil
		}
	default:
		if a == b {
			if f, ok := a.(py.Float); ok && math.IsNaN(float64(f)) {
				return false, nil
			}
			return true, nil
		}
	}
	switch x := a.(type) {
	case py.String:
		y, ok := b.(py.String)
		return ok && x == y, nil
	case py.Bytes:
		y, ok := b.(py.Bytes)
		return ok && string(x) == string(y), nil
	case py.Tuple:
		y, ok := asTuple(b)
		if !ok {
			return false, nil
		}
		return seqEqual(x, y, depth)
	case *py.List:
		y, ok := b.(*py.List)
		if !ok {
			return false, nil
		}
		return seqEqual(x.Items, y.Items, depth)
	case *Dict:
		return dictEqualOrdered(x, b, depth)
	case *Set:
		return setEqual(x, b)
	case py.StringDict:
		if y, ok := b.(*Dict); ok {
			return dictEqualOrdered(y, x, depth)
		}
		y, ok := asDict(b)
		if !ok {
			return false, nil
		}
		return dictEqual(x, y, depth)
	case *py.Type:
		if x.Name == "" {
			if r, ok, err := callMethod(x, "__eq__", b); ok {
				if err != nil {
					return false, err
				}
				if r != py.NotImplemented {
					return Truth(r)
				}
			}
		}
	case *py.Exception:
		y, ok := b.(*py.Exception)
		return ok && x == y, nil
	case DictLike:
		// compared here, not by its __eq__, so that the depth carries on
		if y, ok := asDict(b); ok {
			return dictEqual(x.AsDict(), y, depth)
		}
	case TupleLike:
		if y, ok := asTuple(b); ok {
			return seqEqual(x.AsTuple(), y, depth)
		}
	}
	if y, ok := b.(*py.Type); ok && y.Name == "" {
		if r, ok, err := callMethod(y, "__eq__", a); ok {
			if err != nil {
				return false, err
			}
			if r != py.NotImplemented {
				return Truth(r)
			}
		}
	}
	if IsInstanceObj(a) || IsInstanceObj(b) {
		x, _ := a.(*py.Type)
		y, _ := b.(*py.Type)
		return x == y, nil
	}
	r, err := py.Eq(a, b)
	if err != nil {
		// gpython raises for == between unrelated types; Python says False.
		return false, nil
	}
	return r == py.True, nil
}

func seqEqual(x, y []py.Object, depth int) (bool, error) {
	if len(x) != len(y) {
		return false, nil
	}
	for i := range x {
		eq, err := equal(x[i], y[i], depth+1)
		if err != nil || !eq {
			return false, err
		}
	}
	return true, nil
}

func dictEqual(x, y py.StringDict, depth int) (bool, error) {
	if len(x) != len(y) {
		return false, nil
	}
	for k, v := range x {
		w, ok := y[k]
		if !ok {
			return false, nil
		}
		eq, err := equal(v, w, depth+1)
		if err != nil || !eq {
			return false, err
		}
	}
	return true, nil
}

// Less is a < b with Python 3 semantics: numbers, str, bytes, and sequences
// compared item by item; user classes through __lt__ (or __gt__ reflected).
func Less(a, b py.Object) (bool, error) { return less(a, b, 0) }

func less(a, b py.Object, depth int) (bool, error) {
	if depth > maxNesting {
		return false, nestingError("in comparison")
	}
	if l, ok := a.(interface {
		PyLess(py.Object) (bool, error)
	}); ok {
		return l.PyLess(b)
	}
	switch x := a.(type) {
	case py.String:
		if y, ok := b.(py.String); ok {
			return x < y, nil
		}
	case py.Bytes:
		if y, ok := b.(py.Bytes); ok {
			return string(x) < string(y), nil
		}
	case py.Tuple:
		if y, ok := asTuple(b); ok {
			return seqLess(x, y, depth)
		}
	case *py.List:
		if y, ok := b.(*py.List); ok {
			return seqLess(x.Items, y.Items, depth)
		}
	case *py.Type:
		if x.Name == "" {
			if r, ok, err := callMethod(x, "__lt__", b); ok {
				if err != nil {
					return false, err
				}
				if r != py.NotImplemented {
					return Truth(r)
				}
			}
		}
	case TupleLike:
		if y, ok := asTuple(b); ok {
			return seqLess(x.AsTuple(), y, depth)
		}
	}
	if y, ok := b.(*py.Type); ok && y.Name == "" {
		if r, ok, err := callMethod(y, "__gt__", a); ok {
			if err != nil {
				return false, err
			}
			if r != py.NotImplemented {
				return Truth(r)
			}
		}
	}
	if isNumber(a) && isNumber(b) {
		r, err := py.Lt(a, b)
		if err != nil {
			return false, err
		}
		return r == py.True, nil
	}
	if !IsInstanceObj(a) {
		if A, ok := a.(py.I__lt__); ok {
			r, err := A.M__lt__(b)
			if err != nil {
				return false, err
			}
			if r != py.NotImplemented {
				return r == py.True, nil
			}
		}
	}
	if !IsInstanceObj(b) {
		if B, ok := b.(py.I__gt__); ok {
			r, err := B.M__gt__(a)
			if err != nil {
				return false, err
			}
			if r != py.NotImplemented {
				return r == py.True, nil
			}
		}
	}
	return false, py.ExceptionNewf(py.TypeError, "'<' not supported between instances of '%s' and '%s'", TypeName(a), TypeName(b))
}

func isNumber(o py.Object) bool {
	switch o.(type) {
	case py.Int, *py.BigInt, py.Float, py.Bool:
		return true
	}
	return false
}

func seqLess(x, y []py.Object, depth int) (bool, error) {
	for i := 0; i < len(x) && i < len(y); i++ {
		eq, err := equal(x[i], y[i], depth+1)
		if err != nil {
			return false, err
		}
		if !eq {
			return less(x[i], y[i], depth+1)
		}
	}
	return len(x) < len(y), nil
}

// Compare implements the rich comparisons for the bytecode helpers.
func Compare(op string, a, b py.Object) (py.Object, error) {
	switch op {
	case "==":
		r, err := Equal(a, b)
		return py.NewBool(r), err
	case "!=":
		if x, ok := a.(*py.Type); ok && x.Name == "" {
			if r, ok, err := callMethod(x, "__ne__", b); ok {
				if err != nil {
					return nil, err
				}
				if r != py.NotImplemented {
					return r, nil
				}
			}
		}
		r, err := Equal(a, b)
		return py.NewBool(!r), err
	case "<":
		r, err := Less(a, b)
		return py.NewBool(r), err
	case ">":
		r, err := Less(b, a)
		return py.NewBool(r), err
	case "<=":
		if x, ok := a.(*py.Type); ok && x.Name == "" {
			if r, ok, err := callMethod(x, "__le__", b); ok {
				return r, err
			}
		}
		if isNumber(a) && isNumber(b) {
			return py.Le(a, b)
		}
		lt, err := Less(b, a)
		if err != nil {
			return nil, py.ExceptionNewf(py.TypeError, "'<=' not supported between instances of '%s' and '%s'", TypeName(a), TypeName(b))
		}
		return py.NewBool(!lt), nil
	case ">=":
		if x, ok := a.(*py.Type); ok && x.Name == "" {
			if r, ok, err := callMethod(x, "__ge__", b); ok {
				return r, err
			}
		}
		if isNumber(a) && isNumber(b) {
			return py.Ge(a, b)
		}
		lt, err := Less(a, b)
		if err != nil {
			return nil, py.ExceptionNewf(py.TypeError, "'>=' not supported between instances of '%s' and '%s'", TypeName(a), TypeName(b))
		}
		return py.NewBool(!lt), nil
	}
	return nil, py.ExceptionNewf(py.SystemError, "bad comparison %s", op)
}

// Contains is `item in container`.
func Contains(container, item py.Object) (bool, error) {
	switch c := container.(type) {
	case py.String:
		s, ok := item.(py.String)
		if !ok {
			return false, py.ExceptionNewf(py.TypeError, "'in <string>' requires string as left operand, not %s", TypeName(item))
		}
		return strings.Contains(string(c), string(s)), nil
	case py.Bytes:
		switch s := item.(type) {
		case py.Bytes:
			return strings.Contains(string(c), string(s)), nil
		case py.Int:
			if s < 0 || s > 255 {
				return false, py.ExceptionNewf(py.ValueError, "byte must be in range(0, 256)")
			}
			return strings.IndexByte(string(c), byte(s)) >= 0, nil
		}
		return false, py.ExceptionNewf(py.TypeError, "a bytes-like object is required, not '%s'", TypeName(item))
	case py.StringDict:
		s, ok := item.(py.String)
		if !ok {
			return false, nil
		}
		_, found := c[string(s)]
		return found, nil
	case *Dict:
		i, err := c.find(item)
		return i >= 0, err
	case *Set:
		r, err := c.M__contains__(item)
		return r == py.True, err
	case py.Tuple:
		return seqContains(c, item)
	case *py.List:
		return seqContains(c.Items, item)
	case *py.Type:
		if c.Name == "" {
			if r, ok, err := callMethod(c, "__contains__", item); ok {
				if err != nil {
					return false, err
				}
				return Truth(r)
			}
			found := false
			err := Iterate(c, func(x py.Object) error {
				eq, err := Equal(x, item)
				if eq {
					found = true
					return errStop
				}
				return err
			})
			if err == errStop {
				err = nil
			}
			return found, err
		}
	}
	return py.SequenceContains(container, item)
}

var errStop = fmt.Errorf("stop")

func seqContains(items []py.Object, item py.Object) (bool, error) {
	for _, x := range items {
		eq, err := Equal(x, item)
		if err != nil {
			return false, err
		}
		if eq {
			return true, nil
		}
	}
	return false, nil
}

// Hash is hash(o) for the hashable builtin types.
func Hash(o py.Object) (py.Object, error) { return hash(o, 0) }

func hash(o py.Object, depth int) (py.Object, error) {
	if depth > maxNesting {
		return nil, nestingError("while hashing")
	}
	switch x := o.(type) {
	case py.Int:
		return x, nil
	case py.Bool:
		if x {
			return py.Int(1), nil
		}
		return py.Int(0), nil
	case py.String:
		return py.Int(fnv(string(x))), nil
	case py.Bytes:
		return py.Int(fnv(string(x))), nil
	case py.Float:
		if float64(x) == math.Trunc(float64(x)) && math.Abs(float64(x)) < 1<<62 {
			return py.Int(int64(x)), nil
		}
		return py.Int(int64(math.Float64bits(float64(x)) >> 1)), nil
	case py.NoneType:
		return py.Int(0x5f5e100), nil
	case py.Tuple:
		h := int64(0x345678)
		for _, it := range x {
			hi, err := hash(it, depth+1)
			if err != nil {
				return nil, err
			}
			h = h*1000003 ^ int64(hi.(py.Int))
		}
		return py.Int(h), nil
	case *py.List, py.StringDict, *py.Set, *Dict, *ByteArray:
		return nil, py.ExceptionNewf(py.TypeError, "unhashable type: '%s'", TypeName(o))
	case *Set:
		return hashSet(x)
	case *py.Type:
		if x.Name == "" {
			h, err := keyHash(x)
			return py.Int(h), err
		}
	}
	return py.Int(int64(idOf(o) >> 4)), nil
}

func fnv(s string) int64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return int64(h >> 1)
}

// Quote is repr() of a str.
func Quote(s string) string { return py.StringEscape(py.String(s), false) }

// ASCII escapes the non-ASCII characters of s (ascii(), %a, !a).
func ASCII(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < 0x80:
			b.WriteRune(r)
		case r < 0x100:
			fmt.Fprintf(&b, "\\x%02x", r)
		case r < 0x10000:
			fmt.Fprintf(&b, "\\u%04x", r)
		default:
			fmt.Fprintf(&b, "\\U%08x", r)
		}
	}
	return b.String()
}

// DictLike is a Go mapping type that wraps a dict (defaultdict).
type DictLike interface {
	AsDict() py.StringDict
}

// KeyError makes KeyError(key).
func KeyError(key py.Object) error {
	return &py.Exception{Base: py.KeyError, Args: py.Tuple{key}, Dict: py.NewStringDict()}
}
