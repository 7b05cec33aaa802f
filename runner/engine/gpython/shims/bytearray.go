package shims

import (
	"strings"

	"github.com/go-python/gpython/py"
)

// ByteArray is bytearray (gpython v0.2.0 has none): a mutable bytes. The
// methods that bytes has and bytearray does not define itself are bytes'
// methods run on a copy, with bytes results turned back into bytearrays.
type ByteArray struct {
	B []byte
}

// ByteArrayType is bound to `bytearray`.
var ByteArrayType = py.NewTypeX("bytearray", "bytearray(iterable_of_ints) -> bytearray\nbytearray(string, encoding[, errors]) -> bytearray\nbytearray(bytes_or_buffer) -> mutable copy of bytes_or_buffer\nbytearray(int) -> bytes array of size given by the parameter initialized with null bytes\nbytearray() -> empty bytes array", byteArrayNew, nil)

func (*ByteArray) Type() *py.Type { return ByteArrayType }

func byteArrayNew(t *py.Type, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
	if len(args) == 0 {
		return &ByteArray{}, nil
	}
	if len(args) == 1 {
		switch x := args[0].(type) {
		case py.Int:
			if x < 0 {
				return nil, py.ExceptionNewf(py.ValueError, "negative count")
			}
			return &ByteArray{B: make([]byte, int(x))}, nil
		case *ByteArray:
			return &ByteArray{B: append([]byte{}, x.B...)}, nil
		}
	}
	b, err := py.Call(py.BytesType, args, kwargs)
	if err != nil {
		return nil, err
	}
	return &ByteArray{B: append([]byte{}, b.(py.Bytes)...)}, nil
}

// asBytes is the bytes of a bytes-like object.
func asBytes(o py.Object) ([]byte, bool) {
	switch x := o.(type) {
	case py.Bytes:
		return x, true
	case *ByteArray:
		return x.B, true
	}
	return nil, false
}

func (a *ByteArray) M__len__() (py.Object, error)  { return py.Int(len(a.B)), nil }
func (a *ByteArray) M__bool__() (py.Object, error) { return py.NewBool(len(a.B) > 0), nil }

func (a *ByteArray) M__repr__() (py.Object, error) {
	r, err := py.Bytes(a.B).M__repr__()
	if err != nil {
		return nil, err
	}
	return py.String("bytearray(" + string(r.(py.String)) + ")"), nil
}

func (a *ByteArray) M__str__() (py.Object, error) { return a.M__repr__() }

func (a *ByteArray) M__getitem__(key py.Object) (py.Object, error) {
	r, err := GetItem(py.Bytes(a.B), key)
	if err != nil {
		return nil, py.ExceptionNewf(py.IndexError, "bytearray index out of range")
	}
	if b, ok := r.(py.Bytes); ok {
		return &ByteArray{B: []byte(b)}, nil
	}
	return r, nil
}

func (a *ByteArray) index(key py.Object) (int, error) {
	i, err := argInt("bytearray", key, 0)
	if err != nil {
		return 0, py.ExceptionNewf(py.TypeError, "bytearray indices must be integers or slices, not %s", TypeName(key))
	}
	if i < 0 {
		i += len(a.B)
	}
	if i < 0 || i >= len(a.B) {
		return 0, py.ExceptionNewf(py.IndexError, "bytearray index out of range")
	}
	return i, nil
}

func byteValue(o py.Object) (byte, error) {
	v, err := argInt("bytearray", o, 0)
	if err != nil {
		return 0, py.ExceptionNewf(py.TypeError, "'%s' object cannot be interpreted as an integer", TypeName(o))
	}
	if v < 0 || v > 255 {
		return 0, py.ExceptionNewf(py.ValueError, "byte must be in range(0, 256)")
	}
	return byte(v), nil
}

func (a *ByteArray) M__setitem__(key, value py.Object) (py.Object, error) {
	if sl, ok := key.(*py.Slice); ok {
		start, stop, step, _, err := sl.GetIndices(len(a.B))
		if err != nil {
			return nil, err
		}
		if step != 1 {
			return nil, py.ExceptionNewf(py.NotImplementedError, "extended slice assignment to a bytearray")
		}
		src, err := bytesOf(value)
		if err != nil {
			return nil, err
		}
		if stop < start {
			stop = start
		}
		out := append([]byte{}, a.B[:start]...)
		out = append(out, src...)
		a.B = append(out, a.B[stop:]...)
		return py.None, nil
	}
	i, err := a.index(key)
	if err != nil {
		return nil, err
	}
	b, err := byteValue(value)
	if err != nil {
		return nil, err
	}
	a.B[i] = b
	return py.None, nil
}

func (a *ByteArray) M__delitem__(key py.Object) (py.Object, error) {
	i, err := a.index(key)
	if err != nil {
		return nil, err
	}
	a.B = append(a.B[:i], a.B[i+1:]...)
	return py.None, nil
}

func (a *ByteArray) M__iter__() (py.Object, error) {
	items := make([]py.Object, len(a.B))
	for i, c := range a.B {
		items[i] = py.Int(c)
	}
	return &SliceIter{Items: items}, nil
}

func (a *ByteArray) M__contains__(x py.Object) (py.Object, error) {
	r, err := Contains(py.Bytes(a.B), x)
	return py.NewBool(r), err
}

func (a *ByteArray) M__eq__(o py.Object) (py.Object, error) {
	b, ok := asBytes(o)
	if !ok {
		return py.NotImplemented, nil
	}
	return py.NewBool(string(a.B) == string(b)), nil
}

func (a *ByteArray) M__ne__(o py.Object) (py.Object, error) {
	b, ok := asBytes(o)
	if !ok {
		return py.NotImplemented, nil
	}
	return py.NewBool(string(a.B) != string(b)), nil
}

func (a *ByteArray) M__add__(o py.Object) (py.Object, error) {
	b, ok := asBytes(o)
	if !ok {
		return py.NotImplemented, nil
	}
	return &ByteArray{B: append(append([]byte{}, a.B...), b...)}, nil
}

func (a *ByteArray) M__radd__(o py.Object) (py.Object, error) {
	b, ok := asBytes(o)
	if !ok {
		return py.NotImplemented, nil
	}
	return py.Bytes(append(append([]byte{}, b...), a.B...)), nil
}

func (a *ByteArray) M__iadd__(o py.Object) (py.Object, error) {
	b, err := bytesOf(o)
	if err != nil {
		return nil, err
	}
	a.B = append(a.B, b...)
	return a, nil
}

func (a *ByteArray) M__mul__(o py.Object) (py.Object, error) {
	n, ok := o.(py.Int)
	if !ok {
		return py.NotImplemented, nil
	}
	if n < 0 {
		n = 0
	}
	return &ByteArray{B: []byte(strings.Repeat(string(a.B), int(n)))}, nil
}

// bytesOf is the bytes of a bytes-like object or an iterable of ints.
func bytesOf(o py.Object) ([]byte, error) {
	if b, ok := asBytes(o); ok {
		return append([]byte{}, b...), nil
	}
	if _, ok := o.(py.String); ok {
		return nil, py.ExceptionNewf(py.TypeError, "can't extend bytearray with str")
	}
	var out []byte
	err := Iterate(o, func(it py.Object) error {
		b, err := byteValue(it)
		out = append(out, b)
		return err
	})
	return out, err
}

func installByteArray() {
	T := ByteArrayType
	add := func(name string, fn func(a *ByteArray, args py.Tuple) (py.Object, error)) {
		T.Dict[name] = py.MustNewMethod(name, func(self py.Object, args py.Tuple) (py.Object, error) {
			a, ok := self.(*ByteArray)
			if !ok {
				return nil, py.ExceptionNewf(py.TypeError, "descriptor '%s' requires a 'bytearray' object", name)
			}
			return fn(a, args)
		}, 0, "")
	}
	add("append", func(a *ByteArray, args py.Tuple) (py.Object, error) {
		if err := nargs("append", args, 1, 1); err != nil {
			return nil, err
		}
		b, err := byteValue(args[0])
		a.B = append(a.B, b)
		return py.None, err
	})
	add("extend", func(a *ByteArray, args py.Tuple) (py.Object, error) {
		if err := nargs("extend", args, 1, 1); err != nil {
			return nil, err
		}
		b, err := bytesOf(args[0])
		a.B = append(a.B, b...)
		return py.None, err
	})
	add("insert", func(a *ByteArray, args py.Tuple) (py.Object, error) {
		if err := nargs("insert", args, 2, 2); err != nil {
			return nil, err
		}
		i, err := argInt("insert", args[0], 0)
		if err != nil {
			return nil, err
		}
		b, err := byteValue(args[1])
		if err != nil {
			return nil, err
		}
		if i < 0 {
			i += len(a.B)
		}
		i = max(0, min(i, len(a.B)))
		a.B = append(a.B[:i], append([]byte{b}, a.B[i:]...)...)
		return py.None, nil
	})
	add("pop", func(a *ByteArray, args py.Tuple) (py.Object, error) {
		if len(a.B) == 0 {
			return nil, py.ExceptionNewf(py.IndexError, "pop from empty bytearray")
		}
		i := len(a.B) - 1
		if len(args) > 0 {
			var err error
			if i, err = a.index(args[0]); err != nil {
				return nil, err
			}
		}
		c := a.B[i]
		a.B = append(a.B[:i], a.B[i+1:]...)
		return py.Int(c), nil
	})
	add("remove", func(a *ByteArray, args py.Tuple) (py.Object, error) {
		if err := nargs("remove", args, 1, 1); err != nil {
			return nil, err
		}
		b, err := byteValue(args[0])
		if err != nil {
			return nil, err
		}
		for i, c := range a.B {
			if c == b {
				a.B = append(a.B[:i], a.B[i+1:]...)
				return py.None, nil
			}
		}
		return nil, py.ExceptionNewf(py.ValueError, "value not found in bytearray")
	})
	add("clear", func(a *ByteArray, args py.Tuple) (py.Object, error) { a.B = nil; return py.None, nil })
	add("copy", func(a *ByteArray, args py.Tuple) (py.Object, error) {
		return &ByteArray{B: append([]byte{}, a.B...)}, nil
	})
	add("reverse", func(a *ByteArray, args py.Tuple) (py.Object, error) {
		for i, j := 0, len(a.B)-1; i < j; i, j = i+1, j-1 {
			a.B[i], a.B[j] = a.B[j], a.B[i]
		}
		return py.None, nil
	})
	// everything else: bytes' method on a copy
	for name, m := range py.BytesType.Dict {
		if _, ok := T.Dict[name]; ok || strings.HasPrefix(name, "__") {
			continue
		}
		name, m := name, m
		T.Dict[name] = py.MustNewMethod(name, func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			a, ok := self.(*ByteArray)
			if !ok {
				return nil, py.ExceptionNewf(py.TypeError, "descriptor '%s' requires a 'bytearray' object", name)
			}
			bound, err := py.GetAttrString(py.Bytes(append([]byte{}, a.B...)), name)
			if err != nil {
				return nil, err
			}
			for i, x := range args {
				if b, ok := x.(*ByteArray); ok {
					args[i] = py.Bytes(b.B)
				}
			}
			r, err := py.Call(bound, args, kwargs)
			if err != nil {
				return nil, err
			}
			return toByteArrays(r), nil
		}, 0, "")
		_ = m
	}
}

func toByteArrays(r py.Object) py.Object {
	switch x := r.(type) {
	case py.Bytes:
		return &ByteArray{B: []byte(x)}
	case *py.List:
		for i, it := range x.Items {
			x.Items[i] = toByteArrays(it)
		}
	case py.Tuple:
		out := make(py.Tuple, len(x))
		for i, it := range x {
			out[i] = toByteArrays(it)
		}
		return out
	}
	return r
}
