package shims

import (
	"hash/maphash"
	"math"
	"strings"

	"github.com/go-python/gpython/py"
)

// Dict is the dict of the gpython engine. gpython's own dict (py.StringDict)
// is a Go map[string]Object: str keys only and no order. Dict takes any
// hashable key (1, 1.0 and True are one key, as in CPython), keeps insertion
// order, and is what `dict`, `{}`, dict comprehensions, `**kwargs`,
// json.loads and the WSGI environ produce (the compile hook rewrites
// BUILD_MAP, STORE_MAP and MAP_ADD to build it). gpython's StringDict still
// holds module globals, class namespaces and instance attributes; every
// shim accepts both.
type Dict struct {
	keys, vals []py.Object // a nil key marks a deleted entry
	// index is an open-addressing table of entry numbers (-1 empty, -2
	// deleted), built once the dict outgrows a linear scan.
	index   []int32
	live    int
	version int // bumped when keys are added or removed, or entries move
}

// smallDict is the size up to which lookups scan the entries.
const smallDict = 8

var hashSeed = maphash.MakeSeed()

func strHash(s string) uint64 { return maphash.String(hashSeed, s) }

// DictType is the type of Dict, bound to the name `dict`.
var DictType = py.NewTypeX("dict", "dict() -> new empty dictionary\ndict(mapping) -> new dictionary initialized from a mapping object's\n    (key, value) pairs\ndict(iterable) -> new dictionary initialized as if via:\n    d = {}\n    for k, v in iterable:\n        d[k] = v\ndict(**kwargs) -> new dictionary initialized with the name=value pairs\n    in the keyword argument list.  For example:  dict(one=1, two=2)", dictNew, nil)

// Type returns DictType.
func (*Dict) Type() *py.Type { return DictType }

// NewDict makes an empty Dict.
func NewDict() *Dict { return &Dict{} }

// NewDictSized makes an empty Dict with room for n entries.
func NewDictSized(n int) *Dict {
	return &Dict{keys: make([]py.Object, 0, n), vals: make([]py.Object, 0, n)}
}

// NewDictFrom makes a Dict from a StringDict (keys in sorted order, the
// only order a StringDict can give).
func NewDictFrom(sd py.StringDict) *Dict {
	d := NewDictSized(len(sd))
	for _, k := range SortedKeys(sd) {
		d.SetStr(k, sd[k])
	}
	return d
}

func dictNew(t *py.Type, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
	if len(args) > 1 {
		return nil, py.ExceptionNewf(py.TypeError, "dict expected at most 1 argument, got %d", len(args))
	}
	d := NewDict()
	if len(args) == 1 {
		if err := d.Update(args[0]); err != nil {
			return nil, err
		}
	}
	if err := d.updateKw(kwargs); err != nil {
		return nil, err
	}
	return d, nil
}

func (d *Dict) updateKw(kwargs py.StringDict) error {
	for _, k := range orderedKw(kwargs) {
		d.SetStr(k, kwargs[k])
	}
	return nil
}

// keyHash is hash(k) for a dict key, honouring __hash__ on user classes and
// refusing unhashable keys.
func keyHash(k py.Object) (int64, error) {
	switch x := k.(type) {
	case py.Int:
		return int64(x), nil
	case py.Bool:
		if x {
			return 1, nil
		}
		return 0, nil
	case py.Float:
		f := float64(x)
		if f == math.Trunc(f) && math.Abs(f) < 1<<62 {
			return int64(f), nil
		}
	case *py.Type:
		if x.Name == "" {
			cls := x.Type()
			if f := userMethod(cls, "__hash__"); f != nil {
				r, err := py.Call(f, py.Tuple{x}, nil)
				if err != nil {
					return 0, err
				}
				switch h := r.(type) {
				case py.Int:
					return int64(h), nil
				case py.Bool:
					if h {
						return 1, nil
					}
					return 0, nil
				}
				return 0, py.ExceptionNewf(py.TypeError, "__hash__ method should return an integer")
			}
			if v, ok := lookupMRO(cls, "__hash__").(py.NoneType); ok && v == py.None {
				return 0, py.ExceptionNewf(py.TypeError, "unhashable type: '%s'", TypeName(k))
			}
			if userMethod(cls, "__eq__") != nil {
				return 0, py.ExceptionNewf(py.TypeError, "unhashable type: '%s'", TypeName(k))
			}
			return int64(idOf(k) >> 4), nil
		}
	case *Set:
		h, err := hashSet(x)
		if err != nil {
			return 0, err
		}
		return int64(h.(py.Int)), nil
	case *Dict, *py.List, py.StringDict, *py.Set, *ByteArray:
		return 0, py.ExceptionNewf(py.TypeError, "unhashable type: '%s'", TypeName(k))
	}
	h, err := Hash(k)
	if err != nil {
		return 0, err
	}
	if i, ok := h.(py.Int); ok {
		return int64(i), nil
	}
	return 0, py.ExceptionNewf(py.TypeError, "unhashable type: '%s'", TypeName(k))
}

// hashOf is the table hash of a key: strings hash by their bytes (a str
// never equals a non-str), other keys by hash().
func hashOf(k py.Object) (uint64, error) {
	if s, ok := k.(py.String); ok {
		return strHash(string(s)), nil
	}
	h, err := keyHash(k)
	return uint64(h) * 0x9e3779b97f4a7c15, err
}

// keyEq compares a stored key with a looked-up key.
func keyEq(stored, k py.Object) (bool, error) {
	if s, ok := k.(py.String); ok {
		t, ok := stored.(py.String)
		return ok && s == t, nil
	}
	if _, ok := stored.(py.String); ok {
		return false, nil
	}
	if t, ok := stored.(*py.Type); ok && py.Object(t) == k {
		return true, nil
	}
	return Equal(stored, k)
}

// find returns the index of k's entry, or -1, and (when an index exists)
// the table slot where k would go.
func (d *Dict) find(k py.Object) (int, error) {
	if d.index == nil {
		if s, ok := k.(py.String); ok {
			for i, kk := range d.keys {
				if t, ok := kk.(py.String); ok && t == s {
					return i, nil
				}
			}
			return -1, nil
		}
		if _, err := keyHash(k); err != nil {
			return -1, err
		}
		for i, kk := range d.keys {
			if kk == nil {
				continue
			}
			eq, err := keyEq(kk, k)
			if err != nil {
				return -1, err
			}
			if eq {
				return i, nil
			}
		}
		return -1, nil
	}
	h, err := hashOf(k)
	if err != nil {
		return -1, err
	}
	mask := uint64(len(d.index) - 1)
	for slot := h & mask; ; slot = (slot + 1) & mask {
		e := d.index[slot]
		if e == -1 {
			return -1, nil
		}
		if e < 0 {
			continue
		}
		eq, err := keyEq(d.keys[e], k)
		if err != nil {
			return -1, err
		}
		if eq {
			return int(e), nil
		}
	}
}

// findStr is find for a Go string key.
func (d *Dict) findStr(k string) int {
	if d.index == nil {
		for i, kk := range d.keys {
			if t, ok := kk.(py.String); ok && string(t) == k {
				return i
			}
		}
		return -1
	}
	mask := uint64(len(d.index) - 1)
	for slot := strHash(k) & mask; ; slot = (slot + 1) & mask {
		e := d.index[slot]
		if e == -1 {
			return -1
		}
		if e < 0 {
			continue
		}
		if t, ok := d.keys[e].(py.String); ok && string(t) == k {
			return int(e)
		}
	}
}

// insertIndex records entry e (key k) in the index.
func (d *Dict) insertIndex(e int, k py.Object) {
	h, _ := hashOf(k)
	mask := uint64(len(d.index) - 1)
	for slot := h & mask; ; slot = (slot + 1) & mask {
		if d.index[slot] < 0 {
			d.index[slot] = int32(e)
			return
		}
	}
}

// reindex rebuilds the index (compacting deleted entries first).
func (d *Dict) reindex() {
	if d.live < len(d.keys) {
		keys, vals := d.keys, d.vals
		d.keys, d.vals = make([]py.Object, 0, d.live+d.live/2+1), make([]py.Object, 0, d.live+d.live/2+1)
		for i, k := range keys {
			if k != nil {
				d.keys = append(d.keys, k)
				d.vals = append(d.vals, vals[i])
			}
		}
	}
	if len(d.keys) <= smallDict {
		d.index = nil
		return
	}
	n := 16
	for n < 2*(len(d.keys)+1) {
		n *= 2
	}
	d.index = make([]int32, n)
	for i := range d.index {
		d.index[i] = -1
	}
	for i, k := range d.keys {
		d.insertIndex(i, k)
	}
}

// Len is len(d).
func (d *Dict) Len() int { return d.live }

// Get returns d[k].
func (d *Dict) Get(k py.Object) (py.Object, bool, error) {
	i, err := d.find(k)
	if err != nil || i < 0 {
		return nil, false, err
	}
	return d.vals[i], true, nil
}

// GetStr returns d[k] for a str key.
func (d *Dict) GetStr(k string) (py.Object, bool) {
	if i := d.findStr(k); i >= 0 {
		return d.vals[i], true
	}
	return nil, false
}

// SetStr sets d[k] for a str key.
func (d *Dict) SetStr(k string, v py.Object) {
	if i := d.findStr(k); i >= 0 {
		d.vals[i] = v
		return
	}
	d.add(py.String(k), v)
}

// SetStrBoxed sets d[k] for a str key k that the caller has already boxed
// as ko (py.String(k)): a caller that reuses boxed keys saves an
// allocation per key.
func (d *Dict) SetStrBoxed(k string, ko py.Object, v py.Object) {
	if i := d.findStr(k); i >= 0 {
		d.vals[i] = v
		return
	}
	d.add(ko, v)
}

// add appends a new entry (k is known to be absent).
func (d *Dict) add(k, v py.Object) {
	d.keys = append(d.keys, k)
	d.vals = append(d.vals, v)
	d.live++
	d.version++
	switch {
	case d.index == nil && len(d.keys) > smallDict,
		d.index != nil && 3*len(d.keys) >= 2*len(d.index):
		d.reindex()
	case d.index != nil:
		d.insertIndex(len(d.keys)-1, k)
	}
}

// Set sets d[k] = v.
func (d *Dict) Set(k, v py.Object) error {
	if s, ok := k.(py.String); ok {
		d.SetStr(string(s), v)
		return nil
	}
	i, err := d.find(k)
	if err != nil {
		return err
	}
	if i >= 0 {
		d.vals[i] = v
		return nil
	}
	d.add(k, v)
	return nil
}

// Delete removes k, reporting whether it was there.
func (d *Dict) Delete(k py.Object) (py.Object, bool, error) {
	i, err := d.find(k)
	if err != nil || i < 0 {
		return nil, false, err
	}
	v := d.vals[i]
	if d.index != nil {
		h, _ := hashOf(k)
		mask := uint64(len(d.index) - 1)
		for slot := h & mask; ; slot = (slot + 1) & mask {
			if d.index[slot] == int32(i) {
				d.index[slot] = -2
				break
			}
		}
	}
	d.keys[i], d.vals[i] = nil, nil
	d.live--
	d.version++
	if i == len(d.keys)-1 && d.index == nil {
		d.keys, d.vals = d.keys[:i], d.vals[:i]
	} else if len(d.keys) > 16 && d.live < len(d.keys)/2 {
		d.reindex()
	}
	return v, true, nil
}

// Clear empties d.
func (d *Dict) Clear() {
	d.keys, d.vals, d.index, d.live = nil, nil, nil, 0
	d.version++
}

// Keys returns the keys in insertion order.
func (d *Dict) Keys() []py.Object {
	out := make([]py.Object, 0, d.live)
	for _, k := range d.keys {
		if k != nil {
			out = append(out, k)
		}
	}
	return out
}

// Range calls fn for each entry in insertion order until it returns false.
// It fails if fn adds or removes keys.
func (d *Dict) Range(fn func(k, v py.Object) (bool, error)) error {
	ver := d.version
	for i := 0; i < len(d.keys); i++ {
		k := d.keys[i]
		if k == nil {
			continue
		}
		more, err := fn(k, d.vals[i])
		if err != nil {
			return err
		}
		if d.version != ver {
			return py.ExceptionNewf(py.RuntimeError, "dictionary changed size during iteration")
		}
		if !more {
			return nil
		}
	}
	return nil
}

// Copy returns a shallow copy.
func (d *Dict) Copy() *Dict {
	c := &Dict{live: d.live}
	c.keys = append([]py.Object(nil), d.keys...)
	c.vals = append([]py.Object(nil), d.vals...)
	if d.index != nil {
		c.index = append([]int32(nil), d.index...)
	}
	return c
}

// AsDict is the str-keyed view older shims take (DictLike).
func (d *Dict) AsDict() py.StringDict {
	sd := py.NewStringDictSized(d.live)
	for i, k := range d.keys {
		if s, ok := k.(py.String); ok {
			sd[string(s)] = d.vals[i]
		}
	}
	return sd
}

// ToStringDict converts d for a gpython call (f(**d)): keys must be str.
func (d *Dict) ToStringDict() (py.StringDict, error) {
	sd := py.NewStringDictSized(d.live)
	for i, k := range d.keys {
		if k == nil {
			continue
		}
		s, ok := k.(py.String)
		if !ok {
			return nil, py.ExceptionNewf(py.TypeError, "keywords must be strings")
		}
		sd[string(s)] = d.vals[i]
	}
	return sd, nil
}

// Update merges other (a mapping, an object with keys(), or pairs) into d.
func (d *Dict) Update(other py.Object) error {
	switch o := other.(type) {
	case nil:
		return nil
	case *Dict:
		if o == d {
			return nil
		}
		return o.Range(func(k, v py.Object) (bool, error) { return true, d.Set(k, v) })
	case py.StringDict:
		for _, k := range SortedKeys(o) {
			d.SetStr(k, o[k])
		}
		return nil
	case OrderedMapping:
		return o.RangeItems(func(k, v py.Object) error { return d.Set(k, v) })
	case DictLike:
		sd := o.AsDict()
		for _, k := range SortedKeys(sd) {
			d.SetStr(k, sd[k])
		}
		return nil
	}
	if IsInstanceObj(other) && lookupMRO(other.Type(), "keys") != nil {
		keys, _, err := callMethod(other, "keys")
		if err != nil {
			return err
		}
		return Iterate(keys, func(k py.Object) error {
			v, err := GetItem(other, k)
			if err != nil {
				return err
			}
			return d.Set(k, v)
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
		i++
		return d.Set(pair[0], pair[1])
	})
}

// OrderedMapping is a Go mapping type that can walk its items in order.
type OrderedMapping interface {
	RangeItems(fn func(k, v py.Object) error) error
}

// RangeItems walks d's items in order (OrderedMapping).
func (d *Dict) RangeItems(fn func(k, v py.Object) error) error {
	return d.Range(func(k, v py.Object) (bool, error) { return true, fn(k, v) })
}

// Mapping protocol.

func (d *Dict) M__getitem__(key py.Object) (py.Object, error) {
	v, ok, err := d.Get(key)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, KeyError(key)
	}
	return v, nil
}

func (d *Dict) M__setitem__(key, value py.Object) (py.Object, error) {
	return py.None, d.Set(key, value)
}

func (d *Dict) M__delitem__(key py.Object) (py.Object, error) {
	_, ok, err := d.Delete(key)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, KeyError(key)
	}
	return py.None, nil
}

func (d *Dict) M__len__() (py.Object, error)  { return py.Int(d.live), nil }
func (d *Dict) M__bool__() (py.Object, error) { return py.NewBool(d.live > 0), nil }

func (d *Dict) M__contains__(key py.Object) (py.Object, error) {
	i, err := d.find(key)
	return py.NewBool(i >= 0), err
}

func (d *Dict) M__iter__() (py.Object, error) {
	return &dictIter{d: d, kind: viewKeys, ver: d.version}, nil
}

func (d *Dict) M__repr__() (py.Object, error) {
	s, err := Repr(d)
	return py.String(s), err
}

func (d *Dict) M__str__() (py.Object, error) { return d.M__repr__() }

func (d *Dict) M__eq__(other py.Object) (py.Object, error) {
	eq, err := Equal(d, other)
	return py.NewBool(eq), err
}

func (d *Dict) M__ne__(other py.Object) (py.Object, error) {
	eq, err := Equal(d, other)
	return py.NewBool(!eq), err
}

func (d *Dict) M__or__(other py.Object) (py.Object, error) {
	if !isMapping(other) {
		return py.NotImplemented, nil
	}
	c := d.Copy()
	return c, c.Update(other)
}

func (d *Dict) M__ior__(other py.Object) (py.Object, error) {
	return d, d.Update(other)
}

func isMapping(o py.Object) bool {
	switch o.(type) {
	case *Dict, py.StringDict, DictLike, OrderedMapping:
		return true
	}
	return false
}

func reprDict(d *Dict, depth int) (string, error) {
	var b strings.Builder
	b.WriteByte('{')
	n := 0
	err := d.Range(func(k, v py.Object) (bool, error) {
		if n > 0 {
			b.WriteString(", ")
		}
		n++
		ks, err := reprDepth(k, depth+1)
		if err != nil {
			return false, err
		}
		vs, err := reprDepth(v, depth+1)
		if err != nil {
			return false, err
		}
		b.WriteString(ks)
		b.WriteString(": ")
		b.WriteString(vs)
		return true, nil
	})
	b.WriteByte('}')
	return b.String(), err
}

func dictEqualOrdered(x *Dict, b py.Object, depth int) (bool, error) {
	var y *Dict
	switch o := b.(type) {
	case *Dict:
		y = o
	case py.StringDict:
		y = NewDictFrom(o)
	case DictLike:
		y = NewDictFrom(o.AsDict())
	default:
		return false, nil
	}
	if x == y {
		return true, nil
	}
	if x.live != y.live {
		return false, nil
	}
	eq := true
	err := x.Range(func(k, v py.Object) (bool, error) {
		w, ok, err := y.Get(k)
		if err != nil {
			return false, err
		}
		if !ok {
			eq = false
			return false, nil
		}
		e, err := equal(v, w, depth+1)
		if err != nil {
			return false, err
		}
		if !e {
			eq = false
			return false, nil
		}
		return true, nil
	})
	return eq, err
}

// views and iterators

const (
	viewKeys = iota
	viewValues
	viewItems
)

var viewTypes = [3]*py.Type{
	py.NewType("dict_keys", ""),
	py.NewType("dict_values", ""),
	py.NewType("dict_items", ""),
}

var dictIterTypes = [3]*py.Type{
	py.NewType("dict_keyiterator", ""),
	py.NewType("dict_valueiterator", ""),
	py.NewType("dict_itemiterator", ""),
}

// DictView is d.keys(), d.values() or d.items().
type DictView struct {
	d    *Dict
	kind int
}

func (v *DictView) Type() *py.Type { return viewTypes[v.kind] }

func (v *DictView) M__iter__() (py.Object, error) {
	return &dictIter{d: v.d, kind: v.kind, ver: v.d.version}, nil
}

func (v *DictView) M__len__() (py.Object, error) { return py.Int(v.d.live), nil }

func (v *DictView) M__contains__(x py.Object) (py.Object, error) {
	switch v.kind {
	case viewKeys:
		return v.d.M__contains__(x)
	case viewItems:
		t, ok := x.(py.Tuple)
		if !ok || len(t) != 2 {
			return py.False, nil
		}
		w, ok, err := v.d.Get(t[0])
		if err != nil || !ok {
			return py.False, err
		}
		eq, err := Equal(w, t[1])
		return py.NewBool(eq), err
	}
	found := false
	err := v.d.Range(func(_, w py.Object) (bool, error) {
		eq, err := Equal(w, x)
		found = eq
		return !eq, err
	})
	return py.NewBool(found), err
}

// Items returns the view's items as a slice.
func (v *DictView) Items() []py.Object {
	out := make([]py.Object, 0, v.d.live)
	for i, k := range v.d.keys {
		if k == nil {
			continue
		}
		switch v.kind {
		case viewKeys:
			out = append(out, k)
		case viewValues:
			out = append(out, v.d.vals[i])
		default:
			out = append(out, py.Tuple{k, v.d.vals[i]})
		}
	}
	return out
}

func (v *DictView) M__repr__() (py.Object, error) {
	s, err := reprSeq("[", "]", v.Items(), 0)
	if err != nil {
		return nil, err
	}
	return py.String(v.Type().Name + "(" + s + ")"), nil
}

func (v *DictView) M__eq__(other py.Object) (py.Object, error) {
	if o, ok := other.(*DictView); ok && v.kind != viewValues && o.kind == v.kind {
		a, b := NewSetOf(v.Items()), NewSetOf(o.Items())
		eq, err := Equal(a, b)
		return py.NewBool(eq), err
	}
	if s, ok := other.(*Set); ok && v.kind != viewValues {
		eq, err := Equal(NewSetOf(v.Items()), s)
		return py.NewBool(eq), err
	}
	return py.NotImplemented, nil
}

func (v *DictView) setOp(other py.Object, op func(a *Set, b py.Object) (py.Object, error)) (py.Object, error) {
	if v.kind == viewValues {
		return py.NotImplemented, nil
	}
	b, err := toSet(other)
	if err != nil {
		return py.NotImplemented, nil
	}
	return op(NewSetOf(v.Items()), b)
}

func (v *DictView) M__and__(o py.Object) (py.Object, error) { return v.setOp(o, (*Set).M__and__) }
func (v *DictView) M__or__(o py.Object) (py.Object, error)  { return v.setOp(o, (*Set).M__or__) }
func (v *DictView) M__sub__(o py.Object) (py.Object, error) { return v.setOp(o, (*Set).M__sub__) }
func (v *DictView) M__xor__(o py.Object) (py.Object, error) { return v.setOp(o, (*Set).M__xor__) }

type dictIter struct {
	d    *Dict
	kind int
	i    int
	ver  int
	n    int
}

func (it *dictIter) Type() *py.Type                { return dictIterTypes[it.kind] }
func (it *dictIter) M__iter__() (py.Object, error) { return it, nil }

func (it *dictIter) M__next__() (py.Object, error) {
	d := it.d
	if d.version != it.ver {
		it.ver = -1
		return nil, py.ExceptionNewf(py.RuntimeError, "dictionary changed size during iteration")
	}
	for it.i < len(d.keys) {
		i := it.i
		it.i++
		k := d.keys[i]
		if k == nil {
			continue
		}
		switch it.kind {
		case viewKeys:
			return k, nil
		case viewValues:
			return d.vals[i], nil
		}
		return py.Tuple{k, d.vals[i]}, nil
	}
	return nil, py.StopIteration
}

// dict methods

func dictSelf(fname string, self py.Object) (*Dict, error) {
	d, ok := self.(*Dict)
	if !ok {
		return nil, py.ExceptionNewf(py.TypeError, "descriptor '%s' requires a 'dict' object but received a '%s'", fname, TypeName(self))
	}
	return d, nil
}

func installDict() {
	D := DictType.Dict
	add := func(name string, fn func(d *Dict, args py.Tuple, kwargs py.StringDict) (py.Object, error)) {
		D[name] = py.MustNewMethod(name, func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			d, err := dictSelf(name, self)
			if err != nil {
				return nil, err
			}
			return fn(d, args, kwargs)
		}, 0, "")
	}
	view := func(kind int) func(d *Dict, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		return func(d *Dict, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			return &DictView{d: d, kind: kind}, nil
		}
	}
	add("keys", view(viewKeys))
	add("values", view(viewValues))
	add("items", view(viewItems))
	add("get", func(d *Dict, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		if err := nargs("get", args, 1, 2); err != nil {
			return nil, err
		}
		v, ok, err := d.Get(args[0])
		if err != nil {
			return nil, err
		}
		if !ok {
			if len(args) == 2 {
				return args[1], nil
			}
			return py.None, nil
		}
		return v, nil
	})
	add("setdefault", func(d *Dict, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		if err := nargs("setdefault", args, 1, 2); err != nil {
			return nil, err
		}
		v, ok, err := d.Get(args[0])
		if err != nil {
			return nil, err
		}
		if ok {
			return v, nil
		}
		def := py.Object(py.None)
		if len(args) == 2 {
			def = args[1]
		}
		return def, d.Set(args[0], def)
	})
	add("pop", func(d *Dict, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		if err := nargs("pop", args, 1, 2); err != nil {
			return nil, err
		}
		v, ok, err := d.Delete(args[0])
		if err != nil {
			return nil, err
		}
		if !ok {
			if len(args) == 2 {
				return args[1], nil
			}
			return nil, KeyError(args[0])
		}
		return v, nil
	})
	add("popitem", func(d *Dict, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		for i := len(d.keys) - 1; i >= 0; i-- {
			if k := d.keys[i]; k != nil {
				v := d.vals[i]
				if _, _, err := d.Delete(k); err != nil {
					return nil, err
				}
				return py.Tuple{k, v}, nil
			}
		}
		return nil, KeyError(py.String("popitem(): dictionary is empty"))
	})
	add("update", func(d *Dict, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		if err := nargs("update", args, 0, 1); err != nil {
			return nil, err
		}
		if len(args) == 1 {
			if err := d.Update(args[0]); err != nil {
				return nil, err
			}
		}
		return py.None, d.updateKw(kwargs)
	})
	add("copy", func(d *Dict, args py.Tuple, kwargs py.StringDict) (py.Object, error) { return d.Copy(), nil })
	add("clear", func(d *Dict, args py.Tuple, kwargs py.StringDict) (py.Object, error) { d.Clear(); return py.None, nil })
	D["fromkeys"] = py.MustNewMethod("fromkeys", func(self py.Object, args py.Tuple) (py.Object, error) {
		if _, ok := self.(*py.Type); !ok {
			if _, ok := self.(*Dict); !ok {
				// called unbound as dict.fromkeys(keys[, value])
				args = append(py.Tuple{self}, args...)
			}
		}
		if err := nargs("fromkeys", args, 1, 2); err != nil {
			return nil, err
		}
		v := py.Object(py.None)
		if len(args) == 2 {
			v = args[1]
		}
		d := NewDict()
		err := Iterate(args[0], func(k py.Object) error { return d.Set(k, v) })
		return d, err
	}, 0, "")
	for _, name := range []string{"__getitem__", "__setitem__", "__delitem__", "__contains__", "__len__", "__iter__"} {
		name := name
		D[name] = py.MustNewMethod(name, func(self py.Object, args py.Tuple) (py.Object, error) {
			d, err := dictSelf(name, self)
			if err != nil {
				return nil, err
			}
			switch name {
			case "__getitem__":
				if err := nargs(name, args, 1, 1); err != nil {
					return nil, err
				}
				return d.M__getitem__(args[0])
			case "__setitem__":
				if err := nargs(name, args, 2, 2); err != nil {
					return nil, err
				}
				return d.M__setitem__(args[0], args[1])
			case "__delitem__":
				if err := nargs(name, args, 1, 1); err != nil {
					return nil, err
				}
				return d.M__delitem__(args[0])
			case "__contains__":
				if err := nargs(name, args, 1, 1); err != nil {
					return nil, err
				}
				return d.M__contains__(args[0])
			case "__len__":
				return d.M__len__()
			}
			return d.M__iter__()
		}, 0, "")
	}
}
