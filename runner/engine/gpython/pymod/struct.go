package pymod

import (
	"strings"

	"github.com/go-python/gpython/py"

	"github.com/gowsgi/gowsgi/runner/engine/gpython/shims"
)

// StructType is a named-tuple type implemented in Go: urlparse results,
// os.stat_result and collections.namedtuple classes.
type StructType struct {
	T      *py.Type
	Name   string
	Fields []string
}

// StructVal is an instance of a StructType.
type StructVal struct {
	st    *StructType
	Items py.Tuple
}

// NewStructType makes a named-tuple type. It may be called at run time
// (collections.namedtuple): the type is readied here, not through gpython's
// init-time list.
func NewStructType(name string, fields []string) *StructType {
	short := name
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		short = name[i+1:]
	}
	st := &StructType{Name: short, Fields: fields}
	t := &py.Type{ObjectType: py.TypeType, Name: short, Doc: name, Dict: py.StringDict{}}
	t.New = func(_ *py.Type, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		if len(args) > len(fields) {
			return nil, py.ExceptionNewf(py.TypeError, "%s() takes %d positional arguments but %d were given", short, len(fields), len(args))
		}
		items := make(py.Tuple, len(fields))
		copy(items, args)
		for k, v := range kwargs {
			found := false
			for i, f := range fields {
				if f == k {
					items[i] = v
					found = true
				}
			}
			if !found {
				return nil, py.ExceptionNewf(py.TypeError, "%s() got an unexpected keyword argument '%s'", short, k)
			}
		}
		for i, it := range items {
			if it == nil {
				return nil, py.ExceptionNewf(py.TypeError, "%s() missing required argument: '%s'", short, fields[i])
			}
		}
		return &StructVal{st: st, Items: items}, nil
	}
	for i, f := range fields {
		i := i
		t.Dict[f] = &py.Property{Fget: func(self py.Object) (py.Object, error) { return self.(*StructVal).Items[i], nil }}
	}
	t.Dict["_fields"] = strTuple(fields...)
	t.Dict["_asdict"] = py.MustNewMethod("_asdict", func(self py.Object) (py.Object, error) {
		v := self.(*StructVal)
		d := py.NewStringDict()
		for i, f := range fields {
			d[f] = v.Items[i]
		}
		return d, nil
	}, 0, "")
	t.Dict["_replace"] = py.MustNewMethod("_replace", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		v := self.(*StructVal)
		items := append(py.Tuple{}, v.Items...)
		for k, x := range kwargs {
			found := false
			for i, f := range fields {
				if f == k {
					items[i] = x
					found = true
				}
			}
			if !found {
				return nil, py.ExceptionNewf(py.ValueError, "Got unexpected field names: ['%s']", k)
			}
		}
		return &StructVal{st: st, Items: items}, nil
	}, 0, "")
	t.Dict["count"] = py.MustNewMethod("count", func(self, x py.Object) (py.Object, error) {
		n := 0
		for _, it := range self.(*StructVal).Items {
			if eq, _ := shims.Equal(it, x); eq {
				n++
			}
		}
		return py.Int(n), nil
	}, 0, "")
	if err := t.Ready(); err != nil {
		panic(err)
	}
	st.T = t
	return st
}

// Make returns an instance.
func (st *StructType) Make(items py.Tuple) *StructVal { return &StructVal{st: st, Items: items} }

// Type of the value.
func (v *StructVal) Type() *py.Type { return v.st.T }

// M__getitem__ indexes like a tuple.
func (v *StructVal) M__getitem__(key py.Object) (py.Object, error) { return v.Items.M__getitem__(key) }

// M__len__ is the number of fields.
func (v *StructVal) M__len__() (py.Object, error) { return py.Int(len(v.Items)), nil }

// M__iter__ iterates over the values.
func (v *StructVal) M__iter__() (py.Object, error) {
	return &shims.SliceIter{Items: append([]py.Object(nil), v.Items...)}, nil
}

// M__contains__ is `x in v`.
func (v *StructVal) M__contains__(x py.Object) (py.Object, error) {
	for _, it := range v.Items {
		if eq, _ := shims.Equal(it, x); eq {
			return py.True, nil
		}
	}
	return py.False, nil
}

// AsTuple lets shims.Equal and shims.Less compare it as a tuple.
func (v *StructVal) AsTuple() py.Tuple { return v.Items }

// M__eq__ compares with tuples and values of the same type.
func (v *StructVal) M__eq__(o py.Object) (py.Object, error) {
	var other py.Tuple
	switch x := o.(type) {
	case *StructVal:
		other = x.Items
	case py.Tuple:
		other = x
	default:
		return py.False, nil
	}
	eq, err := shims.Equal(v.Items, other)
	return py.NewBool(eq), err
}

// M__ne__ is the negation of M__eq__.
func (v *StructVal) M__ne__(o py.Object) (py.Object, error) {
	r, err := v.M__eq__(o)
	if err != nil {
		return nil, err
	}
	return py.NewBool(r != py.True), nil
}

// M__repr__ is Name(field=value, ...).
func (v *StructVal) M__repr__() (py.Object, error) {
	var b strings.Builder
	b.WriteString(v.st.Name)
	b.WriteByte('(')
	for i, f := range v.st.Fields {
		if i > 0 {
			b.WriteString(", ")
		}
		r, err := shims.Repr(v.Items[i])
		if err != nil {
			return nil, err
		}
		b.WriteString(f)
		b.WriteByte('=')
		b.WriteString(r)
	}
	b.WriteByte(')')
	return py.String(b.String()), nil
}
