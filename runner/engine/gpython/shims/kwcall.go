package shims

import (
	"sort"

	"github.com/go-python/gpython/py"
	"github.com/go-python/gpython/vm"

	"github.com/gowsgi/gowsgi/runner/engine/gpython/bytecode"
)

// Keyword arguments in call order. gpython passes keyword arguments as a
// StringDict (a Go map), so a **kwargs parameter would see them in no
// order. The compile hook routes every call with keyword arguments (or *
// or ** arguments) through kwCallHelper, which builds the positional
// tuple and the keyword StringDict itself and, when the callee collects
// **kwargs, adds one hidden entry that records the call order; the
// callee's prologue (hToDict) and dict()/dict.update read and drop it.

// kwOrderKey is the hidden entry; no Python keyword can spell it.
const kwOrderKey = "\x00order"

// orderedKw gives keyword argument names in call order when the caller
// recorded it, else sorted; it removes the hidden entry.
func orderedKw(kwargs py.StringDict) []string {
	if o, ok := kwargs[kwOrderKey]; ok {
		delete(kwargs, kwOrderKey)
		if t, ok := o.(py.Tuple); ok && len(t) == len(kwargs) {
			out := make([]string, len(t))
			for i, n := range t {
				s, ok := n.(py.String)
				if _, present := kwargs[string(s)]; !ok || !present {
					return SortedKeys(kwargs)
				}
				out[i] = string(s)
			}
			return out
		}
	}
	return SortedKeys(kwargs)
}

// wantsOrder reports whether f collects **kwargs (so the order matters).
func wantsOrder(f py.Object) bool {
	switch x := f.(type) {
	case *py.Function:
		return x.Code.Flags&py.CO_VARKEYWORDS != 0
	case *py.BoundMethod:
		return wantsOrder(x.Method)
	case *py.Type:
		if x == DictType {
			return true
		}
		if x.Name != "" {
			if init, ok := lookupMRO(x, "__init__").(*py.Function); ok {
				return wantsOrder(init)
			}
			return false
		}
		if c, ok := lookupMRO(x.Type(), "__call__").(*py.Function); ok {
			return wantsOrder(c)
		}
	case *py.Method:
		return x.Name == "update" || x.Name == "dict"
	}
	return false
}

type kwCallSpec struct {
	npos, nkw   int
	star, dstar bool
}

func kwCallHelper(spec kwCallSpec) *Helper {
	return &Helper{Name: "call", Fn: func(a py.Tuple) (py.Object, error) {
		f, t := a[0], a[1].(py.Tuple)
		args := append(py.Tuple(nil), t[:spec.npos]...)
		p := spec.npos
		kw := py.NewStringDictSized(spec.nkw)
		var order py.Tuple
		dup := func(k string) error {
			return py.ExceptionNewf(py.TypeError, "%s() got multiple values for keyword argument '%s'", vm.EvalGetFuncName(f), k)
		}
		for n := 0; n < spec.nkw; n++ {
			k, _ := t[p].(py.String)
			if _, ok := kw[string(k)]; ok {
				return nil, dup(string(k))
			}
			kw[string(k)] = t[p+1]
			order = append(order, k)
			p += 2
		}
		if spec.star {
			items, err := ToList(t[p])
			if err != nil {
				return nil, py.ExceptionNewf(py.TypeError, "%s() argument after * must be an iterable, not %s", vm.EvalGetFuncName(f), TypeName(t[p]))
			}
			args = append(args, items...)
			p++
		}
		if spec.dstar {
			m := t[p]
			add := func(k, v py.Object) error {
				s, ok := k.(py.String)
				if !ok {
					return py.ExceptionNewf(py.TypeError, "keywords must be strings")
				}
				if _, ok := kw[string(s)]; ok {
					return dup(string(s))
				}
				kw[string(s)] = v
				order = append(order, s)
				return nil
			}
			switch x := m.(type) {
			case *Dict:
				if err := x.RangeItems(add); err != nil {
					return nil, err
				}
			case py.StringDict:
				for _, k := range SortedKeys(x) {
					if err := add(py.String(k), x[k]); err != nil {
						return nil, err
					}
				}
			default:
				d := NewDict()
				if !isMapping(m) && !(IsInstanceObj(m) && lookupMRO(m.Type(), "keys") != nil) {
					return nil, py.ExceptionNewf(py.TypeError, "%s() argument after ** must be a mapping, not %s", vm.EvalGetFuncName(f), TypeName(m))
				}
				if err := d.Update(m); err != nil {
					return nil, err
				}
				if err := d.RangeItems(add); err != nil {
					return nil, err
				}
			}
		}
		if len(order) > 1 && !sort.SliceIsSorted(order, func(i, j int) bool { return order[i].(py.String) < order[j].(py.String) }) && wantsOrder(f) {
			kw[kwOrderKey] = order
		}
		return py.Tuple{kw, args}, nil
	}}
}

// kwCall rewrites a call with keyword, * or ** arguments (see above).
func kwCall(in bytecode.Instr, constIdx func(py.Object) uint32) []bytecode.Instr {
	spec := kwCallSpec{npos: int(in.Arg & 0xff), nkw: int((in.Arg >> 8) & 0xff)}
	switch in.Op {
	case vm.CALL_FUNCTION:
		if spec.nkw == 0 {
			return nil
		}
	case vm.CALL_FUNCTION_VAR:
		spec.star = true
	case vm.CALL_FUNCTION_KW:
		spec.dstar = true
	case vm.CALL_FUNCTION_VAR_KW:
		spec.star, spec.dstar = true, true
	}
	n := spec.npos + 2*spec.nkw
	if spec.star {
		n++
	}
	if spec.dstar {
		n++
	}
	// [f, items...] -> [f, t] -> [f, t, h, f, t] -> [f, t, (kw, args)]
	// -> [f, (kw, args)] -> [f, args, kw] -> f(*args, **kw)
	return []bytecode.Instr{
		bytecode.New(vm.BUILD_TUPLE, uint32(n)),
		bytecode.New(vm.DUP_TOP_TWO, 0),
		bytecode.New(vm.LOAD_CONST, constIdx(kwCallHelper(spec))),
		bytecode.New(vm.ROT_THREE, 0),
		bytecode.New(vm.CALL_FUNCTION, 2),
		bytecode.New(vm.ROT_TWO, 0),
		bytecode.New(vm.POP_TOP, 0),
		bytecode.New(vm.UNPACK_SEQUENCE, 2),
		bytecode.New(vm.CALL_FUNCTION_VAR_KW, 0),
	}
}
