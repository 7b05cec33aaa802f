package shims

import (
	"github.com/go-python/gpython/py"
	"github.com/go-python/gpython/vm"
)

// Helpers the compile hook calls for dict and set displays, operators on
// user classes and the generator protocol.

var (
	hNewDict = &Helper{Name: "{}", Fn: func(args py.Tuple) (py.Object, error) { return NewDict(), nil }}
	// hStoreMap(d, (value, key)) -> d
	hStoreMap = &Helper{Name: "{k: v}", Fn: func(args py.Tuple) (py.Object, error) {
		d := args[0].(*Dict)
		t := args[1].(py.Tuple)
		return d, d.Set(t[1], t[0])
	}}
	// hMapAdd(value, key, d): a dict comprehension's d[key] = value
	hMapAdd = &Helper{Name: "{k: v for}", Fn: func(args py.Tuple) (py.Object, error) {
		return py.None, args[2].(*Dict).Set(args[1], args[0])
	}}
	hNewSet = &Helper{Name: "{}", Fn: func(args py.Tuple) (py.Object, error) {
		s := &Set{}
		for _, x := range args[0].(py.Tuple) {
			if err := s.Add(x); err != nil {
				return nil, err
			}
		}
		return s, nil
	}}
	// hSetAdd(value, s)
	hSetAdd = &Helper{Name: "{x for}", Fn: func(args py.Tuple) (py.Object, error) {
		return py.None, args[1].(*Set).Add(args[0])
	}}
	// hToDict makes the **kwargs parameter a dict.
	hToDict = &Helper{Name: "**kwargs", Fn: func(args py.Tuple) (py.Object, error) {
		if sd, ok := args[0].(py.StringDict); ok {
			d := NewDictSized(len(sd))
			for _, k := range orderedKw(sd) {
				d.SetStr(k, sd[k])
			}
			return d, nil
		}
		return args[0], nil
	}}
)

// binary operators

type binSpec struct {
	sym, name string
	fn        func(a, b py.Object) (py.Object, error)
	inplace   func(a, b py.Object) (py.Object, error)
}

var binSpecs = map[vm.OpCode]binSpec{
	vm.BINARY_ADD:           {"+", "add", py.Add, py.IAdd},
	vm.BINARY_SUBTRACT:      {"-", "sub", py.Sub, py.ISub},
	vm.BINARY_TRUE_DIVIDE:   {"/", "truediv", py.TrueDiv, py.ITrueDiv},
	vm.BINARY_FLOOR_DIVIDE:  {"//", "floordiv", py.FloorDiv, py.IFloorDiv},
	vm.BINARY_POWER:         {"** or pow()", "pow", func(a, b py.Object) (py.Object, error) { return py.Pow(a, b, py.None) }, func(a, b py.Object) (py.Object, error) { return py.IPow(a, b, py.None) }},
	vm.BINARY_LSHIFT:        {"<<", "lshift", py.Lshift, py.ILshift},
	vm.BINARY_RSHIFT:        {">>", "rshift", py.Rshift, py.IRshift},
	vm.BINARY_AND:           {"&", "and", py.And, py.IAnd},
	vm.BINARY_XOR:           {"^", "xor", py.Xor, py.IXor},
	vm.BINARY_OR:            {"|", "or", py.Or, py.IOr},
	vm.BINARY_MULTIPLY:      {"*", "mul", nil, nil},
	vm.BINARY_MODULO:        {"%", "mod", nil, nil},
	vm.INPLACE_ADD:          {"+=", "add", nil, nil},
	vm.INPLACE_SUBTRACT:     {"-=", "sub", nil, nil},
	vm.INPLACE_TRUE_DIVIDE:  {"/=", "truediv", nil, nil},
	vm.INPLACE_FLOOR_DIVIDE: {"//=", "floordiv", nil, nil},
	vm.INPLACE_POWER:        {"**=", "pow", nil, nil},
	vm.INPLACE_LSHIFT:       {"<<=", "lshift", nil, nil},
	vm.INPLACE_RSHIFT:       {">>=", "rshift", nil, nil},
	vm.INPLACE_AND:          {"&=", "and", nil, nil},
	vm.INPLACE_XOR:          {"^=", "xor", nil, nil},
	vm.INPLACE_OR:           {"|=", "or", nil, nil},
	vm.INPLACE_MULTIPLY:     {"*=", "mul", nil, nil},
	vm.INPLACE_MODULO:       {"%=", "mod", nil, nil},
}

var inplaceOf = map[vm.OpCode]vm.OpCode{
	vm.INPLACE_ADD: vm.BINARY_ADD, vm.INPLACE_SUBTRACT: vm.BINARY_SUBTRACT, vm.INPLACE_TRUE_DIVIDE: vm.BINARY_TRUE_DIVIDE,
	vm.INPLACE_FLOOR_DIVIDE: vm.BINARY_FLOOR_DIVIDE, vm.INPLACE_POWER: vm.BINARY_POWER, vm.INPLACE_LSHIFT: vm.BINARY_LSHIFT,
	vm.INPLACE_RSHIFT: vm.BINARY_RSHIFT, vm.INPLACE_AND: vm.BINARY_AND, vm.INPLACE_XOR: vm.BINARY_XOR, vm.INPLACE_OR: vm.BINARY_OR,
	vm.INPLACE_MULTIPLY: vm.BINARY_MULTIPLY, vm.INPLACE_MODULO: vm.BINARY_MODULO,
}

// userBinary applies a binary operator when an operand is a user-class
// instance: a.__op__(b), then b.__rop__(a) (after a.__iop__(b) for +=).
func userBinary(sym, name string, inplace bool, a, b py.Object) (py.Object, bool, error) {
	ai, bi := IsInstanceObj(a), IsInstanceObj(b)
	if !ai && !bi {
		return nil, false, nil
	}
	if ai && inplace {
		if r, ok, err := callMethod(a, "__i"+name+"__", b); ok && (err != nil || r != py.NotImplemented) {
			return r, true, err
		}
	}
	if ai {
		if r, ok, err := callMethod(a, "__"+name+"__", b); ok && (err != nil || r != py.NotImplemented) {
			return r, true, err
		}
	}
	if bi {
		if r, ok, err := callMethod(b, "__r"+name+"__", a); ok && (err != nil || r != py.NotImplemented) {
			return r, true, err
		}
	}
	return nil, true, py.ExceptionNewf(py.TypeError, "unsupported operand type(s) for %s: '%s' and '%s'", sym, TypeName(a), TypeName(b))
}

var binHelpers = map[vm.OpCode]*Helper{}

func init() {
	for op, spec := range binSpecs {
		op, spec := op, spec
		base := op
		inplace := false
		if b, ok := inplaceOf[op]; ok {
			base, inplace = b, true
		}
		fn := binSpecs[base].fn
		if inplace {
			fn = binSpecs[base].inplace
		}
		switch base {
		case vm.BINARY_MULTIPLY:
			fn = func(a, b py.Object) (py.Object, error) { return hMul.Fn(py.Tuple{a, b}) }
		case vm.BINARY_MODULO:
			fn = func(a, b py.Object) (py.Object, error) { return hMod.Fn(py.Tuple{a, b}) }
		}
		sym := spec.sym
		name := spec.name
		if base == vm.BINARY_ADD && !inplace {
			binHelpers[op] = &Helper{Name: sym, Fn: func(args py.Tuple) (py.Object, error) {
				a, b := args[0], args[1]
				if x, ok := a.(py.Int); ok {
					if y, ok := b.(py.Int); ok {
						if s := x + y; (s > x) == (y > 0) {
							return s, nil
						}
					}
				}
				if r, ok, err := userBinary(sym, name, false, a, b); ok {
					return r, err
				}
				return fn(a, b)
			}}
			continue
		}
		binHelpers[op] = &Helper{Name: sym, Fn: func(args py.Tuple) (py.Object, error) {
			a, b := args[0], args[1]
			if r, ok, err := userBinary(sym, name, inplace, a, b); ok {
				return r, err
			}
			return fn(a, b)
		}}
	}
}

var unaryHelpers = map[vm.OpCode]*Helper{
	vm.UNARY_NEGATIVE: unaryHelper("-", "__neg__", py.Neg),
	vm.UNARY_POSITIVE: unaryHelper("+", "__pos__", py.Pos),
	vm.UNARY_INVERT:   unaryHelper("~", "__invert__", py.Invert),
}

func unaryHelper(sym, name string, fn func(py.Object) (py.Object, error)) *Helper {
	return &Helper{Name: sym, Fn: func(args py.Tuple) (py.Object, error) {
		if IsInstanceObj(args[0]) {
			if r, ok, err := callMethod(args[0], name); ok {
				return r, err
			}
			return nil, py.ExceptionNewf(py.TypeError, "bad operand type for unary %s: '%s'", sym, TypeName(args[0]))
		}
		return fn(args[0])
	}}
}

// generators

// throwMarker is sent into a suspended generator by close() and throw():
// the helper after each yield raises its error at the yield.
type throwMarker struct{ err error }

var throwMarkerType = py.NewType("generator_throw", "")

func (*throwMarker) Type() *py.Type { return throwMarkerType }

var (
	hResume = &Helper{Name: "yield", Fn: func(args py.Tuple) (py.Object, error) {
		if m, ok := args[0].(*throwMarker); ok {
			return nil, m.err
		}
		return args[0], nil
	}}
	// hYieldFromResult replaces the finished sub-iterator of a `yield from`
	// with its return value.
	hYieldFromResult = &Helper{Name: "yield from", Fn: func(args py.Tuple) (py.Object, error) {
		if g, ok := args[0].(*py.Generator); ok && g.Frame != nil {
			if st := StateOf(g.Frame.Context); st != nil && st.genReturns != nil {
				if v, ok := st.genReturns[g.Frame]; ok {
					delete(st.genReturns, g.Frame)
					return v, nil
				}
			}
		}
		return py.None, nil
	}}
)

func hasResume(co *py.Code) bool {
	for _, c := range co.Consts {
		if c == hResume {
			return true
		}
	}
	return false
}

// throwGen raises err inside g at its yield, as generator.throw does.
func throwGen(g *py.Generator, err error) (py.Object, error) {
	if g.Running {
		return nil, py.ExceptionNewf(py.ValueError, "generator already executing")
	}
	if g.Frame.Lasti == 0 || !g.Frame.Yielded || !hasResume(g.Frame.Code) {
		CloseGenerator(g)
		return nil, err
	}
	res, e := g.Send(&throwMarker{err: err})
	if e != nil {
		g.Frame.Yielded = false
	}
	return res, e
}

// CloseGeneratorErr is generator.close(): GeneratorExit is raised at the
// yield, so finally blocks and context managers run.
func CloseGeneratorErr(g *py.Generator) error {
	if g.Frame.Lasti == 0 || !g.Frame.Yielded {
		CloseGenerator(g)
		return nil
	}
	if !hasResume(g.Frame.Code) {
		CloseGenerator(g)
		return nil
	}
	_, err := throwGen(g, py.ExceptionNewf(py.GeneratorExit, ""))
	if err == nil {
		CloseGenerator(g)
		return py.ExceptionNewf(py.RuntimeError, "generator ignored GeneratorExit")
	}
	if py.IsException(py.GeneratorExit, err) || IsStopIteration(err) {
		return nil
	}
	return err
}
