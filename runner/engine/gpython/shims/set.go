package shims

import (
	"strings"

	"github.com/go-python/gpython/py"
)

// Set is the set (and frozenset) of the gpython engine: gpython's own set is
// a Go map keyed by the objects, so bytes and tuples crash it. Set keeps its
// members in a Dict (insertion order, any hashable member); repr and
// iteration show them sorted when they can be ordered, which is what CPython
// shows for small ints and what makes string sets deterministic.
type Set struct {
	d      Dict
	frozen bool
}

// SetType and FrozenSetType are bound to `set` and `frozenset`.
var (
	SetType       = py.NewTypeX("set", "set() -> new empty set object\nset(iterable) -> new set object", setNew(false), nil)
	FrozenSetType = py.NewTypeX("frozenset", "frozenset() -> empty frozenset object\nfrozenset(iterable) -> frozenset object", setNew(true), nil)
)

func (s *Set) Type() *py.Type {
	if s.frozen {
		return FrozenSetType
	}
	return SetType
}

// NewSetOf makes a set of items.
func NewSetOf(items []py.Object) *Set {
	s := &Set{}
	for _, it := range items {
		_ = s.Add(it)
	}
	return s
}

func setNew(frozen bool) py.NewFunc {
	return func(t *py.Type, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		if len(args) > 1 {
			return nil, py.ExceptionNewf(py.TypeError, "%s expected at most 1 argument, got %d", t.Name, len(args))
		}
		s := &Set{frozen: frozen}
		if len(args) == 1 {
			if err := Iterate(args[0], func(it py.Object) error { return s.Add(it) }); err != nil {
				return nil, err
			}
		}
		return s, nil
	}
}

// Add adds x.
func (s *Set) Add(x py.Object) error { return s.d.Set(x, py.None) }

// Has reports whether x is a member.
func (s *Set) Has(x py.Object) (bool, error) {
	i, err := s.d.find(x)
	return i >= 0, err
}

// Members returns the members in insertion order.
func (s *Set) Members() []py.Object { return s.d.Keys() }

// sortedMembers returns the members ordered for display.
func (s *Set) sortedMembers() []py.Object {
	items := s.d.Keys()
	sortObjects(items)
	return items
}

func toSet(o py.Object) (*Set, error) {
	switch x := o.(type) {
	case *Set:
		return x, nil
	case *py.Set:
		var items []py.Object
		err := py.Iterate(x, func(it py.Object) bool { items = append(items, it); return false })
		return NewSetOf(items), err
	case *DictView:
		return NewSetOf(x.Items()), nil
	}
	return nil, py.ExceptionNewf(py.TypeError, "not a set")
}

func iterSet(o py.Object) (*Set, error) {
	if s, ok := o.(*Set); ok {
		return s, nil
	}
	s := &Set{}
	err := Iterate(o, func(it py.Object) error { return s.Add(it) })
	return s, err
}

func (s *Set) clone(frozen bool) *Set {
	return &Set{d: *s.d.Copy(), frozen: frozen}
}

func (s *Set) M__len__() (py.Object, error)  { return py.Int(s.d.live), nil }
func (s *Set) M__bool__() (py.Object, error) { return py.NewBool(s.d.live > 0), nil }
func (s *Set) M__contains__(x py.Object) (py.Object, error) {
	if _, ok := x.(*Set); ok {
		// a set is looked up as the frozenset of its members
		x = x.(*Set).clone(true)
	}
	ok, err := s.Has(x)
	return py.NewBool(ok), err
}

func (s *Set) M__iter__() (py.Object, error) { return &SliceIter{Items: s.sortedMembers()}, nil }

func (s *Set) M__repr__() (py.Object, error) {
	r, err := Repr(s)
	return py.String(r), err
}

func reprSet(s *Set, depth int) (string, error) {
	name := "set"
	if s.frozen {
		name = "frozenset"
	}
	if s.d.live == 0 {
		return name + "()", nil
	}
	r, err := reprSeq("{", "}", s.sortedMembers(), depth)
	if err != nil {
		return "", err
	}
	if s.frozen {
		return "frozenset(" + r + ")", nil
	}
	return r, nil
}

func setEqual(a *Set, b py.Object) (bool, error) {
	o, err := toSet(b)
	if err != nil {
		return false, nil
	}
	if a.d.live != o.d.live {
		return false, nil
	}
	return a.subset(o)
}

func (s *Set) subset(o *Set) (bool, error) {
	for _, k := range s.d.Keys() {
		ok, err := o.Has(k)
		if err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

func (s *Set) M__eq__(o py.Object) (py.Object, error) {
	if _, err := toSet(o); err != nil {
		return py.NotImplemented, nil
	}
	eq, err := setEqual(s, o)
	return py.NewBool(eq), err
}

func (s *Set) M__ne__(o py.Object) (py.Object, error) {
	if _, err := toSet(o); err != nil {
		return py.NotImplemented, nil
	}
	eq, err := setEqual(s, o)
	return py.NewBool(!eq), err
}

func (s *Set) cmp(o py.Object, strict, sub bool) (py.Object, error) {
	b, err := toSet(o)
	if err != nil {
		return py.NotImplemented, nil
	}
	x, y := s, b
	if !sub {
		x, y = b, s
	}
	if strict && x.d.live >= y.d.live {
		return py.False, nil
	}
	ok, err := x.subset(y)
	return py.NewBool(ok), err
}

func (s *Set) M__le__(o py.Object) (py.Object, error) { return s.cmp(o, false, true) }
func (s *Set) M__lt__(o py.Object) (py.Object, error) { return s.cmp(o, true, true) }
func (s *Set) M__ge__(o py.Object) (py.Object, error) { return s.cmp(o, false, false) }
func (s *Set) M__gt__(o py.Object) (py.Object, error) { return s.cmp(o, true, false) }

func (s *Set) union(o *Set) *Set {
	r := s.clone(s.frozen)
	for _, k := range o.d.Keys() {
		_ = r.Add(k)
	}
	return r
}

func (s *Set) filter(o *Set, keep bool) (*Set, error) {
	r := &Set{frozen: s.frozen}
	for _, k := range s.d.Keys() {
		ok, err := o.Has(k)
		if err != nil {
			return nil, err
		}
		if ok == keep {
			_ = r.Add(k)
		}
	}
	return r, nil
}

func (s *Set) M__or__(o py.Object) (py.Object, error) {
	b, err := toSet(o)
	if err != nil {
		return py.NotImplemented, nil
	}
	return s.union(b), nil
}

func (s *Set) M__and__(o py.Object) (py.Object, error) {
	b, err := toSet(o)
	if err != nil {
		return py.NotImplemented, nil
	}
	return s.filter(b, true)
}

func (s *Set) M__sub__(o py.Object) (py.Object, error) {
	b, err := toSet(o)
	if err != nil {
		return py.NotImplemented, nil
	}
	return s.filter(b, false)
}

func (s *Set) M__xor__(o py.Object) (py.Object, error) {
	b, err := toSet(o)
	if err != nil {
		return py.NotImplemented, nil
	}
	x, err := s.filter(b, false)
	if err != nil {
		return nil, err
	}
	y, err := b.filter(s, false)
	if err != nil {
		return nil, err
	}
	return x.union(y), nil
}

func (s *Set) inplace(o py.Object, op func(py.Object) (py.Object, error)) (py.Object, error) {
	r, err := op(o)
	if err != nil || r == py.NotImplemented {
		return r, err
	}
	s.d = *r.(*Set).d.Copy()
	return s, nil
}

func (s *Set) M__ior__(o py.Object) (py.Object, error)  { return s.inplace(o, s.M__or__) }
func (s *Set) M__iand__(o py.Object) (py.Object, error) { return s.inplace(o, s.M__and__) }
func (s *Set) M__isub__(o py.Object) (py.Object, error) { return s.inplace(o, s.M__sub__) }
func (s *Set) M__ixor__(o py.Object) (py.Object, error) { return s.inplace(o, s.M__xor__) }

func hashSet(s *Set) (py.Object, error) {
	if !s.frozen {
		return nil, py.ExceptionNewf(py.TypeError, "unhashable type: 'set'")
	}
	var h int64 = 0x1f2e3d
	for _, k := range s.d.Keys() {
		kh, err := keyHash(k)
		if err != nil {
			return nil, err
		}
		h ^= kh*0x5bd1e995 + 0x3c6ef372
	}
	return py.Int(h), nil
}

func installSet() {
	for _, T := range []*py.Type{SetType, FrozenSetType} {
		frozenOnly := T == FrozenSetType
		add := func(name string, fn func(s *Set, args py.Tuple) (py.Object, error)) {
			T.Dict[name] = py.MustNewMethod(name, func(self py.Object, args py.Tuple) (py.Object, error) {
				s, ok := self.(*Set)
				if !ok {
					return nil, py.ExceptionNewf(py.TypeError, "descriptor '%s' requires a set", name)
				}
				return fn(s, args)
			}, 0, "")
		}
		multi := func(name string, op func(s *Set, o *Set) (*Set, error)) {
			add(name, func(s *Set, args py.Tuple) (py.Object, error) {
				r := s.clone(s.frozen)
				for _, a := range args {
					b, err := iterSet(a)
					if err != nil {
						return nil, err
					}
					if r, err = op(r, b); err != nil {
						return nil, err
					}
				}
				return r, nil
			})
		}
		multi("union", func(s, o *Set) (*Set, error) { return s.union(o), nil })
		multi("intersection", func(s, o *Set) (*Set, error) { return s.filter(o, true) })
		multi("difference", func(s, o *Set) (*Set, error) { return s.filter(o, false) })
		add("symmetric_difference", func(s *Set, args py.Tuple) (py.Object, error) {
			if err := nargs("symmetric_difference", args, 1, 1); err != nil {
				return nil, err
			}
			b, err := iterSet(args[0])
			if err != nil {
				return nil, err
			}
			return s.M__xor__(b)
		})
		add("issubset", func(s *Set, args py.Tuple) (py.Object, error) {
			if err := nargs("issubset", args, 1, 1); err != nil {
				return nil, err
			}
			b, err := iterSet(args[0])
			if err != nil {
				return nil, err
			}
			ok, err := s.subset(b)
			return py.NewBool(ok), err
		})
		add("issuperset", func(s *Set, args py.Tuple) (py.Object, error) {
			if err := nargs("issuperset", args, 1, 1); err != nil {
				return nil, err
			}
			b, err := iterSet(args[0])
			if err != nil {
				return nil, err
			}
			ok, err := b.subset(s)
			return py.NewBool(ok), err
		})
		add("isdisjoint", func(s *Set, args py.Tuple) (py.Object, error) {
			if err := nargs("isdisjoint", args, 1, 1); err != nil {
				return nil, err
			}
			b, err := iterSet(args[0])
			if err != nil {
				return nil, err
			}
			r, err := s.filter(b, true)
			if err != nil {
				return nil, err
			}
			return py.NewBool(r.d.live == 0), nil
		})
		add("copy", func(s *Set, args py.Tuple) (py.Object, error) { return s.clone(s.frozen), nil })
		if frozenOnly {
			continue
		}
		add("add", func(s *Set, args py.Tuple) (py.Object, error) {
			if err := nargs("add", args, 1, 1); err != nil {
				return nil, err
			}
			return py.None, s.Add(args[0])
		})
		add("discard", func(s *Set, args py.Tuple) (py.Object, error) {
			if err := nargs("discard", args, 1, 1); err != nil {
				return nil, err
			}
			_, _, err := s.d.Delete(args[0])
			return py.None, err
		})
		add("remove", func(s *Set, args py.Tuple) (py.Object, error) {
			if err := nargs("remove", args, 1, 1); err != nil {
				return nil, err
			}
			_, ok, err := s.d.Delete(args[0])
			if err == nil && !ok {
				err = KeyError(args[0])
			}
			return py.None, err
		})
		add("pop", func(s *Set, args py.Tuple) (py.Object, error) {
			m := s.sortedMembers()
			if len(m) == 0 {
				return nil, KeyError(py.String("pop from an empty set"))
			}
			_, _, err := s.d.Delete(m[0])
			return m[0], err
		})
		add("clear", func(s *Set, args py.Tuple) (py.Object, error) { s.d.Clear(); return py.None, nil })
		inplace := func(name string, op func(s *Set, o *Set) (*Set, error)) {
			add(name, func(s *Set, args py.Tuple) (py.Object, error) {
				for _, a := range args {
					b, err := iterSet(a)
					if err != nil {
						return nil, err
					}
					r, err := op(s, b)
					if err != nil {
						return nil, err
					}
					s.d = *r.d.Copy()
				}
				return py.None, nil
			})
		}
		inplace("update", func(s, o *Set) (*Set, error) { return s.union(o), nil })
		inplace("intersection_update", func(s, o *Set) (*Set, error) { return s.filter(o, true) })
		inplace("difference_update", func(s, o *Set) (*Set, error) { return s.filter(o, false) })
		inplace("symmetric_difference_update", func(s, o *Set) (*Set, error) {
			r, err := s.M__xor__(o)
			if err != nil {
				return nil, err
			}
			return r.(*Set), nil
		})
	}
}

var _ = strings.Builder{}
