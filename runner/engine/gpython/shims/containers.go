package shims

import (
	"sort"

	"github.com/go-python/gpython/py"
)

func dictKey(o py.Object) (string, error) {
	s, ok := o.(py.String)
	if !ok {
		return "", py.ExceptionNewf(py.TypeError, "gpython dicts only take str keys, not %s (a known limit of the gpython engine; try --engine cpython)", TypeName(o))
	}
	return string(s), nil
}

// dictUpdate merges other (a dict, an object with keys(), or pairs) into d.
func dictUpdate(d py.StringDict, other py.Object) error {
	switch o := other.(type) {
	case nil:
		return nil
	case py.StringDict:
		for k, v := range o {
			d[k] = v
		}
		return nil
	case DictLike:
		for k, v := range o.AsDict() {
			d[k] = v
		}
		return nil
	}
	if IsInstanceObj(other) && lookupMRO(other.Type(), "keys") != nil {
		keys, _, err := callMethod(other, "keys")
		if err != nil {
			return err
		}
		return Iterate(keys, func(k py.Object) error {
			ks, err := dictKey(k)
			if err != nil {
				return err
			}
			v, err := GetItem(other, k)
			if err != nil {
				return err
			}
			d[ks] = v
			return nil
		})
	}
	i := 0
	return Iterate(other, func(item py.Object) error {
		pair, err := ToList(item)
		if err != nil {
			return py.ExceptionNewf(py.TypeError, "cannot convert dictionary update sequence element #%d to a sequence", i)
		}
		if len(pair) != 2 {
			return py.ExceptionNewf(py.ValueError, "dictionary update sequence element #%d has length %d; 2 is required", i, len(pair))
		}
		k, err := dictKey(pair[0])
		if err != nil {
			return err
		}
		d[k] = pair[1]
		i++
		return nil
	})
}

func installContainerMethods() {
	D := py.StringDictType
	py.StringDictType.New = func(t *py.Type, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		if len(args) > 1 {
			return nil, py.ExceptionNewf(py.TypeError, "dict expected at most 1 argument, got %d", len(args))
		}
		d := py.NewStringDict()
		if len(args) == 1 {
			if err := dictUpdate(d, args[0]); err != nil {
				return nil, err
			}
		}
		for k, v := range kwargs {
			d[k] = v
		}
		return d, nil
	}
	method(D, "keys", noKw("keys", func(self py.Object, args py.Tuple) (py.Object, error) {
		return strList(SortedKeys(self.(py.StringDict))), nil
	}))
	method(D, "values", noKw("values", func(self py.Object, args py.Tuple) (py.Object, error) {
		d := self.(py.StringDict)
		keys := SortedKeys(d)
		l := py.NewListSized(len(keys))
		for i, k := range keys {
			l.Items[i] = d[k]
		}
		return l, nil
	}))
	method(D, "items", noKw("items", func(self py.Object, args py.Tuple) (py.Object, error) {
		d := self.(py.StringDict)
		keys := SortedKeys(d)
		l := py.NewListSized(len(keys))
		for i, k := range keys {
			l.Items[i] = py.Tuple{py.String(k), d[k]}
		}
		return l, nil
	}))
	method(D, "get", noKw("get", func(self py.Object, args py.Tuple) (py.Object, error) {
		if err := nargs("get", args, 1, 2); err != nil {
			return nil, err
		}
		if k, ok := args[0].(py.String); ok {
			if v, ok := self.(py.StringDict)[string(k)]; ok {
				return v, nil
			}
		}
		if len(args) > 1 {
			return args[1], nil
		}
		return py.None, nil
	}))
	method(D, "setdefault", noKw("setdefault", func(self py.Object, args py.Tuple) (py.Object, error) {
		if err := nargs("setdefault", args, 1, 2); err != nil {
			return nil, err
		}
		k, err := dictKey(args[0])
		if err != nil {
			return nil, err
		}
		d := self.(py.StringDict)
		if v, ok := d[k]; ok {
			return v, nil
		}
		var v py.Object = py.None
		if len(args) > 1 {
			v = args[1]
		}
		d[k] = v
		return v, nil
	}))
	method(D, "update", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		if err := nargs("update", args, 0, 1); err != nil {
			return nil, err
		}
		d := self.(py.StringDict)
		if len(args) == 1 {
			if err := dictUpdate(d, args[0]); err != nil {
				return nil, err
			}
		}
		for k, v := range kwargs {
			d[k] = v
		}
		return py.None, nil
	})
	method(D, "pop", noKw("pop", func(self py.Object, args py.Tuple) (py.Object, error) {
		if err := nargs("pop", args, 1, 2); err != nil {
			return nil, err
		}
		d := self.(py.StringDict)
		if k, ok := args[0].(py.String); ok {
			if v, ok := d[string(k)]; ok {
				delete(d, string(k))
				return v, nil
			}
		}
		if len(args) > 1 {
			return args[1], nil
		}
		return nil, KeyError(args[0])
	}))
	method(D, "popitem", noKw("popitem", func(self py.Object, args py.Tuple) (py.Object, error) {
		d := self.(py.StringDict)
		if len(d) == 0 {
			return nil, py.ExceptionNewf(py.KeyError, "'popitem(): dictionary is empty'")
		}
		keys := SortedKeys(d)
		k := keys[len(keys)-1]
		v := d[k]
		delete(d, k)
		return py.Tuple{py.String(k), v}, nil
	}))
	method(D, "copy", noKw("copy", func(self py.Object, args py.Tuple) (py.Object, error) {
		return self.(py.StringDict).Copy(), nil
	}))
	method(D, "clear", noKw("clear", func(self py.Object, args py.Tuple) (py.Object, error) {
		d := self.(py.StringDict)
		for k := range d {
			delete(d, k)
		}
		return py.None, nil
	}))
	D.Dict["fromkeys"] = &ClassMethod{Callable: py.MustNewMethod("fromkeys", func(self py.Object, args py.Tuple) (py.Object, error) {
		if err := nargs("fromkeys", args, 1, 2); err != nil {
			return nil, err
		}
		var v py.Object = py.None
		if len(args) > 1 {
			v = args[1]
		}
		d := py.NewStringDict()
		err := Iterate(args[0], func(k py.Object) error {
			ks, err := dictKey(k)
			if err != nil {
				return err
			}
			d[ks] = v
			return nil
		})
		return d, err
	}, 0, "")}

	L := py.ListType
	py.ListType.New = func(t *py.Type, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		if len(kwargs) > 0 {
			return nil, py.ExceptionNewf(py.TypeError, "list() takes no keyword arguments")
		}
		if err := nargs("list", args, 0, 1); err != nil {
			return nil, err
		}
		if len(args) == 0 {
			return py.NewList(), nil
		}
		items, err := ToList(args[0])
		if err != nil {
			return nil, err
		}
		return py.NewListFromItems(items), nil
	}
	py.TupleType.New = func(t *py.Type, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		if len(kwargs) > 0 {
			return nil, py.ExceptionNewf(py.TypeError, "tuple() takes no keyword arguments")
		}
		if err := nargs("tuple", args, 0, 1); err != nil {
			return nil, err
		}
		if len(args) == 0 {
			return py.Tuple{}, nil
		}
		if t, ok := args[0].(py.Tuple); ok {
			return t, nil
		}
		items, err := ToList(args[0])
		if err != nil {
			return nil, err
		}
		return py.Tuple(items), nil
	}
	method(L, "append", noKw("append", func(self py.Object, args py.Tuple) (py.Object, error) {
		if err := nargs("append", args, 1, 1); err != nil {
			return nil, err
		}
		l := self.(*py.List)
		l.Items = append(l.Items, args[0])
		return py.None, nil
	}))
	method(L, "extend", noKw("extend", func(self py.Object, args py.Tuple) (py.Object, error) {
		if err := nargs("extend", args, 1, 1); err != nil {
			return nil, err
		}
		items, err := ToList(args[0])
		if err != nil {
			return nil, err
		}
		l := self.(*py.List)
		l.Items = append(l.Items, items...)
		return py.None, nil
	}))
	method(L, "pop", noKw("pop", func(self py.Object, args py.Tuple) (py.Object, error) {
		if err := nargs("pop", args, 0, 1); err != nil {
			return nil, err
		}
		l := self.(*py.List)
		if len(l.Items) == 0 {
			return nil, py.ExceptionNewf(py.IndexError, "pop from empty list")
		}
		i := len(l.Items) - 1
		if len(args) == 1 {
			var err error
			if i, err = argInt("pop", args[0], 0); err != nil {
				return nil, err
			}
			if i < 0 {
				i += len(l.Items)
			}
			if i < 0 || i >= len(l.Items) {
				return nil, py.ExceptionNewf(py.IndexError, "pop index out of range")
			}
		}
		v := l.Items[i]
		l.Items = append(l.Items[:i], l.Items[i+1:]...)
		return v, nil
	}))
	method(L, "insert", noKw("insert", func(self py.Object, args py.Tuple) (py.Object, error) {
		if err := nargs("insert", args, 2, 2); err != nil {
			return nil, err
		}
		l := self.(*py.List)
		i, err := argInt("insert", args[0], 0)
		if err != nil {
			return nil, err
		}
		n := len(l.Items)
		if i < 0 {
			i += n
			if i < 0 {
				i = 0
			}
		}
		if i > n {
			i = n
		}
		l.Items = append(l.Items, nil)
		copy(l.Items[i+1:], l.Items[i:])
		l.Items[i] = args[1]
		return py.None, nil
	}))
	seqIndex := func(name string, items func(py.Object) []py.Object, what string) {
		fn := noKw("index", func(self py.Object, args py.Tuple) (py.Object, error) {
			if err := nargs("index", args, 1, 3); err != nil {
				return nil, err
			}
			it := items(self)
			var start, end py.Object
			if len(args) > 1 {
				start = args[1]
			}
			if len(args) > 2 {
				end = args[2]
			}
			i, j, err := sliceBounds("index", start, end, len(it))
			if err != nil {
				return nil, err
			}
			for k := i; k < j; k++ {
				eq, err := Equal(it[k], args[0])
				if err != nil {
					return nil, err
				}
				if eq {
					return py.Int(k), nil
				}
			}
			if what == "list" {
				r, _ := Repr(args[0])
				return nil, py.ExceptionNewf(py.ValueError, "%s is not in list", r)
			}
			return nil, py.ExceptionNewf(py.ValueError, "tuple.index(x): x not in tuple")
		})
		cnt := noKw("count", func(self py.Object, args py.Tuple) (py.Object, error) {
			if err := nargs("count", args, 1, 1); err != nil {
				return nil, err
			}
			n := 0
			for _, x := range items(self) {
				eq, err := Equal(x, args[0])
				if err != nil {
					return nil, err
				}
				if eq {
					n++
				}
			}
			return py.Int(n), nil
		})
		t := py.ListType
		if what == "tuple" {
			t = py.TupleType
		}
		method(t, "index", fn)
		method(t, "count", cnt)
	}
	seqIndex("index", func(o py.Object) []py.Object { return o.(*py.List).Items }, "list")
	seqIndex("index", func(o py.Object) []py.Object { return o.(py.Tuple) }, "tuple")
	method(L, "remove", noKw("remove", func(self py.Object, args py.Tuple) (py.Object, error) {
		if err := nargs("remove", args, 1, 1); err != nil {
			return nil, err
		}
		l := self.(*py.List)
		for i, x := range l.Items {
			eq, err := Equal(x, args[0])
			if err != nil {
				return nil, err
			}
			if eq {
				l.Items = append(l.Items[:i], l.Items[i+1:]...)
				return py.None, nil
			}
		}
		return nil, py.ExceptionNewf(py.ValueError, "list.remove(x): x not in list")
	}))
	method(L, "reverse", noKw("reverse", func(self py.Object, args py.Tuple) (py.Object, error) {
		it := self.(*py.List).Items
		for a, b := 0, len(it)-1; a < b; a, b = a+1, b-1 {
			it[a], it[b] = it[b], it[a]
		}
		return py.None, nil
	}))
	method(L, "copy", noKw("copy", func(self py.Object, args py.Tuple) (py.Object, error) {
		return py.NewListFromItems(append([]py.Object(nil), self.(*py.List).Items...)), nil
	}))
	method(L, "clear", noKw("clear", func(self py.Object, args py.Tuple) (py.Object, error) {
		self.(*py.List).Items = nil
		return py.None, nil
	}))
	method(L, "sort", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		if len(args) > 0 {
			return nil, py.ExceptionNewf(py.TypeError, "sort() takes no positional arguments")
		}
		a, err := parseArgs("sort", nil, kwargs, []string{"key", "reverse"}, 0)
		if err != nil {
			return nil, err
		}
		l := self.(*py.List)
		return py.None, SortItems(l.Items, a[0], a[1])
	})
}

// SortItems sorts items in place, stably, with an optional key function and
// reverse flag, comparing like Python 3 (no mixed-type ordering).
func SortItems(items []py.Object, key, reverse py.Object) error {
	rev := false
	if reverse != nil {
		var err error
		if rev, err = Truth(reverse); err != nil {
			return err
		}
	}
	keys := items
	if key != nil && key != py.None {
		keys = make([]py.Object, len(items))
		for i, it := range items {
			k, err := py.Call(key, py.Tuple{it}, nil)
			if err != nil {
				return err
			}
			keys[i] = k
		}
	}
	idx := make([]int, len(items))
	for i := range idx {
		idx[i] = i
	}
	var cmpErr error
	sort.SliceStable(idx, func(a, b int) bool {
		if cmpErr != nil {
			return false
		}
		x, y := keys[idx[a]], keys[idx[b]]
		if rev {
			x, y = y, x
		}
		lt, err := Less(x, y)
		if err != nil {
			cmpErr = err
		}
		return lt
	})
	if cmpErr != nil {
		return cmpErr
	}
	sorted := make([]py.Object, len(items))
	for i, j := range idx {
		sorted[i] = items[j]
	}
	copy(items, sorted)
	return nil
}
