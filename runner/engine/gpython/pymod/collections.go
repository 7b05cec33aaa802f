package pymod

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"math/big"
	mrand "math/rand"
	"mime"
	"path/filepath"
	"strings"
	"sync"

	"github.com/go-python/gpython/py"

	"github.com/gowsgi/gowsgi/runner/engine/gpython/shims"
)

// DefaultDict is collections.defaultdict, on gowsgi's dict (any hashable
// key, insertion order).
type DefaultDict struct {
	d       *shims.Dict
	factory py.Object
}

var DefaultDictType = newType("defaultdict", "defaultdict(default_factory=None, /, [...])", nil)

func (*DefaultDict) Type() *py.Type { return DefaultDictType }

// M__getitem__ returns the value, creating it with the factory if missing.
func (dd *DefaultDict) M__getitem__(k py.Object) (py.Object, error) {
	v, ok, err := dd.d.Get(k)
	if err != nil || ok {
		return v, err
	}
	if dd.factory == nil || dd.factory == py.None {
		return nil, shims.KeyError(k)
	}
	v, err = py.Call(dd.factory, nil, nil)
	if err != nil {
		return nil, err
	}
	return v, dd.d.Set(k, v)
}

// M__setitem__ stores a value.
func (dd *DefaultDict) M__setitem__(k, v py.Object) (py.Object, error) {
	return dd.d.M__setitem__(k, v)
}

// M__delitem__ deletes a key.
func (dd *DefaultDict) M__delitem__(k py.Object) (py.Object, error) { return dd.d.M__delitem__(k) }

// M__contains__ is `k in dd`.
func (dd *DefaultDict) M__contains__(k py.Object) (py.Object, error) { return dd.d.M__contains__(k) }

// M__len__ is len(dd).
func (dd *DefaultDict) M__len__() (py.Object, error) { return dd.d.M__len__() }

// M__iter__ iterates the keys in insertion order.
func (dd *DefaultDict) M__iter__() (py.Object, error) { return dd.d.M__iter__() }

// M__repr__ is defaultdict(<factory>, {...}).
func (dd *DefaultDict) M__repr__() (py.Object, error) {
	f := "None"
	if dd.factory != nil && dd.factory != py.None {
		f, _ = shims.Repr(dd.factory)
	}
	d, err := shims.Repr(dd.d)
	return py.String("defaultdict(" + f + ", " + d + ")"), err
}

// M__eq__ compares the contents.
func (dd *DefaultDict) M__eq__(o py.Object) (py.Object, error) {
	if x, ok := o.(*DefaultDict); ok {
		o = x.d
	}
	eq, err := shims.Equal(dd.d, o)
	return py.NewBool(eq), err
}

// AsDict exposes the str-keyed entries (older shims take it).
func (dd *DefaultDict) AsDict() py.StringDict { return dd.d.AsDict() }

// RangeItems walks the items in order (shims.OrderedMapping).
func (dd *DefaultDict) RangeItems(fn func(k, v py.Object) error) error { return dd.d.RangeItems(fn) }

// Deque is collections.deque, on a slice.
type Deque struct {
	items  []py.Object
	maxlen int
}

var DequeType = newType("deque", "deque([iterable[, maxlen]])", nil)

func (*Deque) Type() *py.Type { return DequeType }

func (q *Deque) trim(front bool) {
	if q.maxlen >= 0 && len(q.items) > q.maxlen {
		if front {
			q.items = q.items[:q.maxlen]
		} else {
			q.items = q.items[len(q.items)-q.maxlen:]
		}
	}
}

// M__len__ is len(q).
func (q *Deque) M__len__() (py.Object, error) { return py.Int(len(q.items)), nil }

// M__iter__ iterates front to back.
func (q *Deque) M__iter__() (py.Object, error) {
	return &shims.SliceIter{Items: append([]py.Object(nil), q.items...)}, nil
}

// M__getitem__ indexes.
func (q *Deque) M__getitem__(k py.Object) (py.Object, error) {
	return py.NewListFromItems(q.items).M__getitem__(k)
}

// M__repr__ is deque([...]).
func (q *Deque) M__repr__() (py.Object, error) {
	r, err := shims.Repr(py.NewListFromItems(q.items))
	if q.maxlen >= 0 {
		return py.String(fmt.Sprintf("deque(%s, maxlen=%d)", r, q.maxlen)), err
	}
	return py.String("deque(" + r + ")"), err
}

func registerCollections() {
	DefaultDictType.New = func(t *py.Type, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		dd := &DefaultDict{d: shims.NewDict()}
		if len(args) > 0 {
			dd.factory = args[0]
			if args[0] != py.None && !shims.Callable(args[0]) {
				return nil, py.ExceptionNewf(py.TypeError, "first argument must be callable or None")
			}
		}
		if len(args) > 1 {
			if err := dd.d.Update(args[1]); err != nil {
				return nil, err
			}
		}
		for _, k := range shims.SortedKeys(kwargs) {
			dd.d.SetStr(k, kwargs[k])
		}
		return dd, nil
	}
	// The dict methods, applied to the wrapped dict.
	for _, name := range []string{"keys", "values", "items", "get", "setdefault", "pop", "popitem", "update", "clear"} {
		m := shims.DictType.Dict[name].(*py.Method)
		DefaultDictType.Dict[name] = py.MustNewMethod(name, func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			return m.CallWithKeywords(self.(*DefaultDict).d, args, kwargs)
		}, 0, "")
	}
	DefaultDictType.Dict["copy"] = py.MustNewMethod("copy", func(self py.Object) (py.Object, error) {
		dd := self.(*DefaultDict)
		return &DefaultDict{d: dd.d.Copy(), factory: dd.factory}, nil
	}, 0, "")
	DefaultDictType.Dict["default_factory"] = &py.Property{Fget: func(self py.Object) (py.Object, error) {
		if f := self.(*DefaultDict).factory; f != nil {
			return f, nil
		}
		return py.None, nil
	}}
	DequeType.New = func(t *py.Type, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		a, err := parseArgs("deque", args, kwargs, []string{"iterable", "maxlen"}, 0)
		if err != nil {
			return nil, err
		}
		q := &Deque{maxlen: -1}
		if a[1] != nil && a[1] != py.None {
			if q.maxlen, err = intArg("deque", a[1], -1); err != nil {
				return nil, err
			}
		}
		if a[0] != nil {
			if q.items, err = shims.ToList(a[0]); err != nil {
				return nil, err
			}
			q.trim(false)
		}
		return q, nil
	}
	methods(DequeType, map[string]interface{}{
		"append": func(self, x py.Object) (py.Object, error) {
			q := self.(*Deque)
			q.items = append(q.items, x)
			q.trim(false)
			return py.None, nil
		},
		"appendleft": func(self, x py.Object) (py.Object, error) {
			q := self.(*Deque)
			q.items = append([]py.Object{x}, q.items...)
			q.trim(true)
			return py.None, nil
		},
		"pop": func(self py.Object) (py.Object, error) {
			q := self.(*Deque)
			if len(q.items) == 0 {
				return nil, py.ExceptionNewf(py.IndexError, "pop from an empty deque")
			}
			v := q.items[len(q.items)-1]
			q.items = q.items[:len(q.items)-1]
			return v, nil
		},
		"popleft": func(self py.Object) (py.Object, error) {
			q := self.(*Deque)
			if len(q.items) == 0 {
				return nil, py.ExceptionNewf(py.IndexError, "pop from an empty deque")
			}
			v := q.items[0]
			q.items = q.items[1:]
			return v, nil
		},
		"extend": func(self, it py.Object) (py.Object, error) {
			q := self.(*Deque)
			items, err := shims.ToList(it)
			if err != nil {
				return nil, err
			}
			q.items = append(q.items, items...)
			q.trim(false)
			return py.None, nil
		},
		"clear": func(self py.Object) (py.Object, error) {
			self.(*Deque).items = nil
			return py.None, nil
		},
	})
	register("collections", "Container datatypes (gowsgi subset).", []*py.Method{
		fn("namedtuple", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			a, err := parseArgs("namedtuple", args, kwargs, []string{"typename", "field_names", "rename", "defaults", "module"}, 2)
			if err != nil {
				return nil, err
			}
			name, err := str("namedtuple", a[0])
			if err != nil {
				return nil, err
			}
			var fields []string
			switch f := a[1].(type) {
			case py.String:
				fields = strings.Fields(strings.ReplaceAll(string(f), ",", " "))
			default:
				items, err := shims.ToList(f)
				if err != nil {
					return nil, err
				}
				for _, it := range items {
					s, err := str("namedtuple", it)
					if err != nil {
						return nil, err
					}
					fields = append(fields, s)
				}
			}
			return NewStructType(name, fields).T, nil
		}),
		fn("OrderedDict", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			return py.Call(shims.DictType, args, kwargs)
		}),
		fn("Counter", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			d := shims.NewDict()
			if len(args) > 0 {
				if err := shims.Iterate(args[0], func(it py.Object) error {
					v, _, err := d.Get(it)
					if err != nil {
						return err
					}
					n, _ := v.(py.Int)
					return d.Set(it, n+1)
				}); err != nil {
					return nil, err
				}
			}
			return d, nil
		}),
	}, py.StringDict{"defaultdict": DefaultDictType, "deque": DequeType})
}

var rng = struct {
	sync.Mutex
	r *mrand.Rand
}{}

func randFloat() float64 {
	rng.Lock()
	defer rng.Unlock()
	if rng.r == nil {
		var seed [8]byte
		_, _ = rand.Read(seed[:])
		s := int64(0)
		for _, b := range seed {
			s = s<<8 | int64(b)
		}
		rng.r = mrand.New(mrand.NewSource(s))
	}
	return rng.r.Float64()
}

func randBelow(n int64) int64 {
	if n <= 0 {
		return 0
	}
	return int64(randFloat() * float64(n))
}

func registerSmall() {
	register("random", "Pseudo-random numbers (gowsgi subset).", []*py.Method{
		fn("random", func(self py.Object) (py.Object, error) { return py.Float(randFloat()), nil }),
		fn("seed", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			rng.Lock()
			defer rng.Unlock()
			var s int64
			if len(args) > 0 {
				switch x := args[0].(type) {
				case py.Int:
					s = int64(x)
				case py.String:
					for _, c := range []byte(x) {
						s = s*31 + int64(c)
					}
				}
			}
			rng.r = mrand.New(mrand.NewSource(s))
			return py.None, nil
		}),
		fn("randint", func(self py.Object, args py.Tuple) (py.Object, error) {
			if len(args) != 2 {
				return nil, py.ExceptionNewf(py.TypeError, "randint() takes 2 arguments")
			}
			lo, err := intArg("randint", args[0], 0)
			if err != nil {
				return nil, err
			}
			hi, err := intArg("randint", args[1], 0)
			if err != nil {
				return nil, err
			}
			if hi < lo {
				return nil, py.ExceptionNewf(py.ValueError, "empty range for randrange()")
			}
			return py.Int(int64(lo) + randBelow(int64(hi-lo+1))), nil
		}),
		fn("randrange", func(self py.Object, args py.Tuple) (py.Object, error) {
			if len(args) < 1 || len(args) > 3 {
				return nil, py.ExceptionNewf(py.TypeError, "randrange() takes 1 to 3 arguments")
			}
			v := make([]int, len(args))
			for i, a := range args {
				n, err := intArg("randrange", a, 0)
				if err != nil {
					return nil, err
				}
				v[i] = n
			}
			start, stop, step := 0, v[0], 1
			if len(v) > 1 {
				start, stop = v[0], v[1]
			}
			if len(v) > 2 {
				step = v[2]
			}
			if step == 0 {
				return nil, py.ExceptionNewf(py.ValueError, "zero step for randrange()")
			}
			n := (stop - start + step - 1) / step
			if step < 0 {
				n = (stop - start + step + 1) / step
			}
			if n <= 0 {
				return nil, py.ExceptionNewf(py.ValueError, "empty range for randrange()")
			}
			return py.Int(int64(start) + int64(step)*randBelow(int64(n))), nil
		}),
		fn("uniform", func(self py.Object, args py.Tuple) (py.Object, error) {
			if len(args) != 2 {
				return nil, py.ExceptionNewf(py.TypeError, "uniform() takes 2 arguments")
			}
			a, err := floatArg("uniform", args[0])
			if err != nil {
				return nil, err
			}
			b, err := floatArg("uniform", args[1])
			if err != nil {
				return nil, err
			}
			return py.Float(a + (b-a)*randFloat()), nil
		}),
		fn("choice", func(self, seq py.Object) (py.Object, error) {
			items, err := shims.ToList(seq)
			if err != nil {
				return nil, err
			}
			if len(items) == 0 {
				return nil, py.ExceptionNewf(py.IndexError, "Cannot choose from an empty sequence")
			}
			return items[randBelow(int64(len(items)))], nil
		}),
		fn("shuffle", func(self, seq py.Object) (py.Object, error) {
			l, ok := seq.(*py.List)
			if !ok {
				return nil, py.ExceptionNewf(py.TypeError, "shuffle() needs a list")
			}
			for i := len(l.Items) - 1; i > 0; i-- {
				j := randBelow(int64(i + 1))
				l.Items[i], l.Items[j] = l.Items[j], l.Items[i]
			}
			return py.None, nil
		}),
		fn("sample", func(self py.Object, args py.Tuple) (py.Object, error) {
			if len(args) != 2 {
				return nil, py.ExceptionNewf(py.TypeError, "sample() takes 2 arguments")
			}
			items, err := shims.ToList(args[0])
			if err != nil {
				return nil, err
			}
			k, err := intArg("sample", args[1], 0)
			if err != nil {
				return nil, err
			}
			if k < 0 || k > len(items) {
				return nil, py.ExceptionNewf(py.ValueError, "Sample larger than population or is negative")
			}
			for i := 0; i < k; i++ {
				j := i + int(randBelow(int64(len(items)-i)))
				items[i], items[j] = items[j], items[i]
			}
			return py.NewListFromItems(items[:k]), nil
		}),
	}, nil)

	register("secrets", "Secure random numbers.", []*py.Method{
		fn("token_hex", func(self py.Object, args py.Tuple) (py.Object, error) {
			n := 32
			if len(args) > 0 && args[0] != py.None {
				var err error
				if n, err = intArg("token_hex", args[0], 32); err != nil {
					return nil, err
				}
			}
			b := make([]byte, n)
			_, _ = rand.Read(b)
			return py.String(hex.EncodeToString(b)), nil
		}),
		fn("token_bytes", func(self py.Object, args py.Tuple) (py.Object, error) {
			n := 32
			if len(args) > 0 && args[0] != py.None {
				var err error
				if n, err = intArg("token_bytes", args[0], 32); err != nil {
					return nil, err
				}
			}
			b := make([]byte, n)
			_, _ = rand.Read(b)
			return py.Bytes(b), nil
		}),
		fn("token_urlsafe", func(self py.Object, args py.Tuple) (py.Object, error) {
			n := 32
			if len(args) > 0 && args[0] != py.None {
				var err error
				if n, err = intArg("token_urlsafe", args[0], 32); err != nil {
					return nil, err
				}
			}
			b := make([]byte, n)
			_, _ = rand.Read(b)
			s := strings.TrimRight(strings.NewReplacer("+", "-", "/", "_").Replace(stdB64(b)), "=")
			return py.String(s), nil
		}),
		fn("randbelow", func(self, n py.Object) (py.Object, error) {
			k, err := intArg("randbelow", n, 0)
			if err != nil {
				return nil, err
			}
			if k <= 0 {
				return nil, py.ExceptionNewf(py.ValueError, "Upper bound must be positive.")
			}
			v, _ := rand.Int(rand.Reader, big.NewInt(int64(k)))
			return py.Int(v.Int64()), nil
		}),
	}, nil)

	UUIDType.Dict["hex"] = &py.Property{Fget: func(self py.Object) (py.Object, error) { return py.String(hex.EncodeToString(self.(*UUID).b[:])), nil }}
	register("uuid", "UUID objects (uuid4 only).", []*py.Method{
		fn("uuid4", func(self py.Object) (py.Object, error) {
			u := &UUID{}
			_, _ = rand.Read(u.b[:])
			u.b[6] = u.b[6]&0x0f | 0x40
			u.b[8] = u.b[8]&0x3f | 0x80
			return u, nil
		}),
	}, py.StringDict{"UUID": UUIDType})

	register("mimetypes", "Map file names to MIME types (Go's table).", []*py.Method{
		fn("guess_type", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			if len(args) < 1 {
				return nil, py.ExceptionNewf(py.TypeError, "guess_type() missing url")
			}
			u, err := str("guess_type", args[0])
			if err != nil {
				return nil, err
			}
			t := mime.TypeByExtension(filepath.Ext(u))
			if t == "" {
				return py.Tuple{py.None, py.None}, nil
			}
			t, _, _ = strings.Cut(t, ";")
			return py.Tuple{py.String(strings.TrimSpace(t)), py.None}, nil
		}),
	}, nil)

	register("copy", "Shallow and deep copies.", []*py.Method{
		fn("copy", func(self, o py.Object) (py.Object, error) { return shallowCopy(o) }),
		fn("deepcopy", func(self py.Object, args py.Tuple) (py.Object, error) {
			if len(args) < 1 {
				return nil, py.ExceptionNewf(py.TypeError, "deepcopy() missing argument")
			}
			return deepCopy(args[0], 0, map[uintptr]py.Object{})
		}),
	}, nil)

	register("operator", "Operators as functions (gowsgi subset).", []*py.Method{
		fn("itemgetter", func(self py.Object, args py.Tuple) (py.Object, error) {
			keys := append(py.Tuple{}, args...)
			return fn("itemgetter", func(_ py.Object, a py.Tuple) (py.Object, error) {
				if len(a) != 1 {
					return nil, py.ExceptionNewf(py.TypeError, "itemgetter expected 1 argument")
				}
				if len(keys) == 1 {
					return shims.GetItem(a[0], keys[0])
				}
				out := make(py.Tuple, len(keys))
				for i, k := range keys {
					v, err := shims.GetItem(a[0], k)
					if err != nil {
						return nil, err
					}
					out[i] = v
				}
				return out, nil
			}), nil
		}),
		fn("attrgetter", func(self py.Object, args py.Tuple) (py.Object, error) {
			names := append(py.Tuple{}, args...)
			get := func(o py.Object, n py.Object) (py.Object, error) {
				s, err := str("attrgetter", n)
				if err != nil {
					return nil, err
				}
				for _, part := range strings.Split(s, ".") {
					if o, err = shims.GetAttr(o, part); err != nil {
						return nil, err
					}
				}
				return o, nil
			}
			return fn("attrgetter", func(_ py.Object, a py.Tuple) (py.Object, error) {
				if len(a) != 1 {
					return nil, py.ExceptionNewf(py.TypeError, "attrgetter expected 1 argument")
				}
				if len(names) == 1 {
					return get(a[0], names[0])
				}
				out := make(py.Tuple, len(names))
				for i, n := range names {
					v, err := get(a[0], n)
					if err != nil {
						return nil, err
					}
					out[i] = v
				}
				return out, nil
			}), nil
		}),
	}, nil)
}

// UUID is uuid.UUID.
type UUID struct{ b [16]byte }

var UUIDType = newType("UUID", "A universally unique identifier.", nil)

func (*UUID) Type() *py.Type { return UUIDType }

// M__str__ is the dashed hex form.
func (u *UUID) M__str__() (py.Object, error) {
	h := hex.EncodeToString(u.b[:])
	return py.String(h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]), nil
}

// M__repr__ is UUID('...').
func (u *UUID) M__repr__() (py.Object, error) {
	s, _ := u.M__str__()
	return py.String("UUID('" + string(s.(py.String)) + "')"), nil
}

// M__eq__ compares the bytes.
func (u *UUID) M__eq__(o py.Object) (py.Object, error) {
	x, ok := o.(*UUID)
	return py.NewBool(ok && x.b == u.b), nil
}

func stdB64(b []byte) string {
	const enc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	var sb strings.Builder
	for i := 0; i < len(b); i += 3 {
		var n uint32
		k := 0
		for j := 0; j < 3; j++ {
			n <<= 8
			if i+j < len(b) {
				n |= uint32(b[i+j])
				k++
			}
		}
		for j := 0; j < 4; j++ {
			if j <= k {
				sb.WriteByte(enc[(n>>(18-6*j))&63])
			} else {
				sb.WriteByte('=')
			}
		}
	}
	return sb.String()
}

func shallowCopy(o py.Object) (py.Object, error) {
	switch x := o.(type) {
	case *py.List:
		return py.NewListFromItems(append([]py.Object(nil), x.Items...)), nil
	case py.StringDict:
		return x.Copy(), nil
	case *shims.Dict:
		return x.Copy(), nil
	case *shims.Set:
		return py.Call(x.Type(), py.Tuple{x}, nil)
	case *shims.ByteArray:
		return &shims.ByteArray{B: append([]byte{}, x.B...)}, nil
	case *py.Type:
		if x.Name == "" {
			n := x.Type().Alloc()
			n.New = x.New
			for k, v := range x.Dict {
				n.Dict[k] = v
			}
			return n, nil
		}
	}
	return o, nil
}

// deepCopy copies o; memo maps the lists, dicts and objects already copied
// to their copies, so that shared and cyclic references are kept (as
// CPython's deepcopy does) instead of recursing until the depth limit.
func deepCopy(o py.Object, depth int, memo map[uintptr]py.Object) (py.Object, error) {
	if depth > 200 {
		return nil, py.ExceptionNewf(shims.RecursionError, "maximum recursion depth exceeded in deepcopy")
	}
	switch x := o.(type) {
	case *py.List, py.StringDict, *shims.Dict:
		if c, ok := memo[shims.ID(o)]; ok {
			return c, nil
		}
	case *py.Type:
		if c, ok := memo[shims.ID(o)]; ok && x.Name == "" {
			return c, nil
		}
	}
	switch x := o.(type) {
	case *py.List:
		out := py.NewListFromItems(make([]py.Object, len(x.Items)))
		memo[shims.ID(x)] = out
		for i, it := range x.Items {
			v, err := deepCopy(it, depth+1, memo)
			if err != nil {
				return nil, err
			}
			out.Items[i] = v
		}
		return out, nil
	case py.Tuple:
		out := make(py.Tuple, len(x))
		for i, it := range x {
			v, err := deepCopy(it, depth+1, memo)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	case *shims.Dict:
		out := shims.NewDictSized(x.Len())
		memo[shims.ID(x)] = out
		err := x.RangeItems(func(k, v py.Object) error {
			kc, err := deepCopy(k, depth+1, memo)
			if err != nil {
				return err
			}
			vc, err := deepCopy(v, depth+1, memo)
			if err != nil {
				return err
			}
			return out.Set(kc, vc)
		})
		return out, err
	case *shims.Set:
		items := x.Members()
		cp := make([]py.Object, len(items))
		for i, it := range items {
			v, err := deepCopy(it, depth+1, memo)
			if err != nil {
				return nil, err
			}
			cp[i] = v
		}
		return py.Call(x.Type(), py.Tuple{py.Tuple(cp)}, nil)
	case *shims.ByteArray:
		return &shims.ByteArray{B: append([]byte{}, x.B...)}, nil
	case py.StringDict:
		out := py.NewStringDictSized(len(x))
		memo[shims.ID(x)] = out
		for _, k := range shims.SortedKeys(x) {
			v, err := deepCopy(x[k], depth+1, memo)
			if err != nil {
				return nil, err
			}
			out[k] = v
		}
		return out, nil
	case *py.Type:
		if x.Name == "" {
			n := x.Type().Alloc()
			n.New = x.New
			memo[shims.ID(x)] = n
			for _, k := range shims.SortedKeys(x.Dict) {
				c, err := deepCopy(x.Dict[k], depth+1, memo)
				if err != nil {
					return nil, err
				}
				n.Dict[k] = c
			}
			return n, nil
		}
	}
	return o, nil
}
