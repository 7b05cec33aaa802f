package shims

import (
	"strings"

	"github.com/go-python/gpython/py"
	"github.com/go-python/gpython/vm"
)

// Helper is a Go function the rewritten bytecode calls in place of an
// opcode whose gpython implementation cannot be changed from outside.
type Helper struct {
	Name string
	Fn   func(args py.Tuple) (py.Object, error)
}

var helperType = py.NewType("gowsgi_helper", "an operation implemented by gowsgi")

// Type of the helper.
func (*Helper) Type() *py.Type { return helperType }

// M__call__ runs the helper.
func (h *Helper) M__call__(args py.Tuple, kwargs py.StringDict) (py.Object, error) { return h.Fn(args) }

func helper2(name string, fn func(a, b py.Object) (py.Object, error)) *Helper {
	return &Helper{Name: name, Fn: func(args py.Tuple) (py.Object, error) {
		return fn(args[0], args[1])
	}}
}

var (
	hMod = helper2("%", func(a, b py.Object) (py.Object, error) {
		switch x := a.(type) {
		case py.Int:
			if y, ok := b.(py.Int); ok && y > 0 && x >= 0 {
				return x % y, nil
			}
		case py.String:
			s, err := PercentFormat(string(x), b)
			return py.String(s), err
		case py.Bytes:
			return bytesPercent(x, b)
		}
		return py.Mod(a, b)
	})
	hMul = helper2("*", func(a, b py.Object) (py.Object, error) {
		if x, ok := a.(py.Bytes); ok {
			if n, ok := b.(py.Int); ok {
				return repeatBytes(x, int(n)), nil
			}
		}
		if x, ok := b.(py.Bytes); ok {
			if n, ok := a.(py.Int); ok {
				return repeatBytes(x, int(n)), nil
			}
		}
		return py.Mul(a, b)
	})
	hSubscr  = helper2("[]", GetItem)
	hCompare = map[uint32]*Helper{
		vm.PyCmp_EQ: cmpHelper("==", func(a, b py.Int) bool { return a == b }, func(a, b py.String) bool { return a == b }),
		vm.PyCmp_NE: cmpHelper("!=", func(a, b py.Int) bool { return a != b }, func(a, b py.String) bool { return a != b }),
		vm.PyCmp_LT: cmpHelper("<", func(a, b py.Int) bool { return a < b }, func(a, b py.String) bool { return a < b }),
		vm.PyCmp_LE: cmpHelper("<=", func(a, b py.Int) bool { return a <= b }, func(a, b py.String) bool { return a <= b }),
		vm.PyCmp_GT: cmpHelper(">", func(a, b py.Int) bool { return a > b }, func(a, b py.String) bool { return a > b }),
		vm.PyCmp_GE: cmpHelper(">=", func(a, b py.Int) bool { return a >= b }, func(a, b py.String) bool { return a >= b }),
		vm.PyCmp_IN: helper2("in", func(a, b py.Object) (py.Object, error) {
			r, err := Contains(b, a)
			return py.NewBool(r), err
		}),
		vm.PyCmp_NOT_IN: helper2("not in", func(a, b py.Object) (py.Object, error) {
			r, err := Contains(b, a)
			return py.NewBool(!r), err
		}),
	}
	hTruth = &Helper{Name: "bool", Fn: func(args py.Tuple) (py.Object, error) {
		r, err := Truth(args[0])
		return py.NewBool(r), err
	}}
	hNot = &Helper{Name: "not", Fn: func(args py.Tuple) (py.Object, error) {
		r, err := Truth(args[0])
		return py.NewBool(!r), err
	}}
	hIter = &Helper{Name: "iter", Fn: func(args py.Tuple) (py.Object, error) {
		return GetIter(args[0])
	}}
	hForItem = &Helper{Name: "for", Fn: func(args py.Tuple) (py.Object, error) {
		if e, ok := args[0].(*iterFailure); ok {
			return nil, e.err
		}
		return args[0], nil
	}}
	hExcRecord = helper2("except", func(tb, val py.Object) (py.Object, error) {
		t, ok := tb.(*py.Traceback)
		if !ok || t.Frame == nil {
			return py.None, nil
		}
		if st := StateOf(t.Frame.Context); st != nil {
			if e, ok := val.(*py.Exception); ok {
				st.HandledExc = e
				st.HandledTB = t
			}
		}
		return py.None, nil
	})
)

// cmpHelper is a comparison with fast paths for int and str operands.
func cmpHelper(op string, ints func(a, b py.Int) bool, strs func(a, b py.String) bool) *Helper {
	return &Helper{Name: op, Fn: func(args py.Tuple) (py.Object, error) {
		switch x := args[0].(type) {
		case py.Int:
			if y, ok := args[1].(py.Int); ok {
				return py.NewBool(ints(x, y)), nil
			}
		case py.String:
			if y, ok := args[1].(py.String); ok {
				return py.NewBool(strs(x, y)), nil
			}
		}
		return Compare(op, args[0], args[1])
	}}
}

func repeatBytes(b py.Bytes, n int) py.Object {
	if n <= 0 {
		return py.Bytes{}
	}
	return py.Bytes(strings.Repeat(string(b), n))
}

func bytesPercent(format py.Bytes, values py.Object) (py.Object, error) {
	conv := func(o py.Object) py.Object {
		if b, ok := o.(py.Bytes); ok {
			return py.String(Latin1(b))
		}
		return o
	}
	switch v := values.(type) {
	case py.Tuple:
		c := make(py.Tuple, len(v))
		for i, x := range v {
			c[i] = conv(x)
		}
		values = c
	case py.StringDict:
		c := py.NewStringDict()
		for k, x := range v {
			c[k] = conv(x)
		}
		values = c
	default:
		values = conv(v)
	}
	s, err := PercentFormat(Latin1(format), values)
	if err != nil {
		return nil, err
	}
	out, ok := ToLatin1(s)
	if !ok {
		return nil, py.ExceptionNewf(py.TypeError, "%%b requires a bytes-like object")
	}
	return py.Bytes(out), nil
}

// GetItem is o[key], with bytes indexing and slicing (missing in gpython).
func GetItem(o, key py.Object) (py.Object, error) {
	switch x := o.(type) {
	case py.Bytes:
		switch k := key.(type) {
		case *py.Slice:
			start, stop, step, n, err := k.GetIndices(len(x))
			if err != nil {
				return nil, err
			}
			if step == 1 {
				if start >= stop {
					return py.Bytes{}, nil
				}
				return py.Bytes(append([]byte(nil), x[start:stop]...)), nil
			}
			out := make([]byte, 0, n)
			for i, j := start, 0; j < n; i, j = i+step, j+1 {
				out = append(out, x[i])
			}
			return py.Bytes(out), nil
		default:
			i, err := argInt("index", key, 0)
			if err != nil {
				return nil, py.ExceptionNewf(py.TypeError, "byte indices must be integers or slices, not %s", TypeName(key))
			}
			if i < 0 {
				i += len(x)
			}
			if i < 0 || i >= len(x) {
				return nil, py.ExceptionNewf(py.IndexError, "index out of range")
			}
			return py.Int(x[i]), nil
		}
	case *Dict:
		return x.M__getitem__(key)
	case py.StringDict:
		s, ok := key.(py.String)
		if ok {
			if v, ok := x[string(s)]; ok {
				return v, nil
			}
		}
		return nil, KeyError(key)
	case *py.List:
		if i, ok := key.(py.Int); ok {
			n := py.Int(len(x.Items))
			if i < 0 {
				i += n
			}
			if i < 0 || i >= n {
				return nil, py.ExceptionNewf(py.IndexError, "list index out of range")
			}
			return x.Items[i], nil
		}
	case py.String:
		if i, ok := key.(py.Int); ok {
			if i >= 0 && int(i) < len(x) && x[i] < 0x80 {
				ascii := true
				for j := 0; j <= int(i); j++ {
					if x[j] >= 0x80 {
						ascii = false
						break
					}
				}
				if ascii {
					return x[i : i+1], nil
				}
			}
			n, _ := Len(x)
			j := int(i)
			if j < 0 {
				j += n
			}
			if j < 0 || j >= n {
				return nil, py.ExceptionNewf(py.IndexError, "string index out of range")
			}
		}
	case py.Tuple:
		if i, ok := key.(py.Int); ok {
			n := py.Int(len(x))
			if i < 0 {
				i += n
			}
			if i < 0 || i >= n {
				return nil, py.ExceptionNewf(py.IndexError, "tuple index out of range")
			}
			return x[i], nil
		}
	}
	return py.GetItem(o, key)
}

// GetAttr is getattr(o, name).
func GetAttr(o py.Object, name string) (py.Object, error) {
	return py.GetAttrString(o, name)
}

// iterFailure carries an error raised by an iterator to the for loop that
// drives it (gpython's FOR_ITER would end the loop silently).
type iterFailure struct{ err error }

var iterFailureType = py.NewType("iteration_error", "an error raised by an iterator")

func (*iterFailure) Type() *py.Type { return iterFailureType }

// guardedIter wraps an iterator whose __next__ may raise.
type guardedIter struct {
	it   py.Object
	done bool
}

var guardedIterType = py.NewType("iterator", "an iterator")

func (*guardedIter) Type() *py.Type { return guardedIterType }

// M__iter__ returns itself.
func (g *guardedIter) M__iter__() (py.Object, error) { return g, nil }

// M__next__ returns the next item, or the error the iterator raised as an
// item that the loop's next instruction re-raises.
func (g *guardedIter) M__next__() (py.Object, error) {
	if g.done {
		return nil, py.StopIteration
	}
	v, err := py.Next(g.it)
	if err != nil {
		g.done = true
		if IsStopIteration(err) {
			return nil, py.StopIteration
		}
		return &iterFailure{err: err}, nil
	}
	return v, nil
}

// SliceIter iterates over a fixed list of items.
type SliceIter struct {
	Items []py.Object
	i     int
}

var sliceIterType = py.NewType("iterator", "an iterator")

// Type of the iterator.
func (*SliceIter) Type() *py.Type { return sliceIterType }

// M__iter__ returns itself.
func (s *SliceIter) M__iter__() (py.Object, error) { return s, nil }

// M__next__ returns the next item.
func (s *SliceIter) M__next__() (py.Object, error) {
	if s.i >= len(s.Items) {
		return nil, py.StopIteration
	}
	v := s.Items[s.i]
	s.i++
	return v, nil
}

// GetIter is iter(o) for a for loop: dicts iterate over sorted keys, and
// iterators that run Python code are guarded so their errors propagate.
func GetIter(o py.Object) (py.Object, error) {
	switch x := o.(type) {
	case py.Tuple, *py.List, py.String, *py.Range:
		return py.Iter(o)
	case py.Bytes:
		items := make([]py.Object, len(x))
		for i, c := range x {
			items[i] = py.Int(c)
		}
		return &SliceIter{Items: items}, nil
	case *Dict:
		it, _ := x.M__iter__()
		return &guardedIter{it: it}, nil
	case py.StringDict:
		keys := SortedKeys(x)
		items := make([]py.Object, len(keys))
		for i, k := range keys {
			items[i] = py.String(k)
		}
		return &SliceIter{Items: items}, nil
	case *SliceIter, *guardedIter:
		return o, nil
	}
	it, err := py.Iter(o)
	if err != nil {
		return nil, err
	}
	if IsInstanceObj(o) && lookupMRO(o.Type(), "__iter__") == nil && lookupMRO(o.Type(), "__getitem__") != nil {
		it = &seqIter{o: o}
	}
	return &guardedIter{it: it}, nil
}

// seqIter iterates an object through __getitem__(0), (1), ... until IndexError.
type seqIter struct {
	o py.Object
	i int
}

func (*seqIter) Type() *py.Type { return sliceIterType }

func (s *seqIter) M__iter__() (py.Object, error) { return s, nil }

func (s *seqIter) M__next__() (py.Object, error) {
	v, err := GetItem(s.o, py.Int(s.i))
	if err != nil {
		if py.IsException(py.IndexError, err) || IsStopIteration(err) {
			return nil, py.StopIteration
		}
		return nil, err
	}
	s.i++
	return v, nil
}
