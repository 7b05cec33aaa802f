// Package shims is gowsgi's compatibility layer for gpython v0.2.0, written
// entirely outside gpython: methods added to the builtin types, replaced and
// added builtins, working user classes and exceptions, a compile hook that
// fixes compiled code, and the per-context guards (recursion limit and
// cancellation).
//
// Everything here is process-global and must be installed once, before the
// first gpython context exists: Install does that.
package shims

import (
	"sync"

	"github.com/go-python/gpython/py"
	_ "github.com/go-python/gpython/stdlib" // registers the builtin modules and py.NewContext
)

var installOnce sync.Once

// Install puts the compatibility layer in place. It is idempotent; call it
// before creating any context.
func Install() {
	installOnce.Do(install)
}

func install() {
	// Types made after gpython's init (ours) are not readied yet: without
	// an MRO, subclass checks and inherited attributes fail.
	if err := py.TypeMakeReady(); err != nil {
		panic(err)
	}
	fixMetatypes()
	installTypeAttrs()
	installStrMethods()
	installBytesMethods()
	installContainerMethods()
	installGenerator()
	py.StringType.New = strNew
	py.BoolType.New = boolNew
	py.BytesType.New = bytesNew(py.BytesType.New)
	py.IntType.New = intNew(py.IntType.New)
	py.FloatType.New = floatNew(py.FloatType.New)
	typeNew := py.TypeType.New
	py.TypeType.New = func(t *py.Type, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		// type(name, bases, namespace): gpython wants its own StringDict
		if len(args) == 3 {
			if d, ok := args[2].(*Dict); ok {
				sd, err := d.ToStringDict()
				if err != nil {
					return nil, err
				}
				args = py.Tuple{args[0], args[1], sd}
			}
		}
		return typeNew(t, args, kwargs)
	}
	installBuiltins()
	installSys()
	installCompileHook()
	installGuards()
}

// fixMetatypes makes `type` the metatype of every builtin type: gpython
// makes a type's base its metatype, so `class E(Exception)` would call
// Exception to build the class.
func fixMetatypes() {
	impl := py.GetModuleImpl("builtins")
	for _, v := range impl.Globals {
		if t, ok := v.(*py.Type); ok && t.Name != "" {
			t.ObjectType = py.TypeType
		}
	}
	for _, t := range []*py.Type{RecursionError, RequestCancelled, ModuleNotFoundError, py.StringDictType, py.BigIntType,
		py.GeneratorType, py.FunctionType, py.MethodType, py.ModuleType, py.BoundMethodType, py.CodeType, py.BoolType} {
		t.ObjectType = py.TypeType
	}
}

func installTypeAttrs() {
	py.TypeType.Dict["__getattribute__"] = py.MustNewMethod("__getattribute__", typeGetAttribute, 0, "")
	py.TypeType.Dict["__setattr__"] = py.MustNewMethod("__setattr__", typeSetAttr, 0, "")
	py.TypeType.Dict["__delattr__"] = py.MustNewMethod("__delattr__", typeDelAttr, 0, "")
	py.ObjectType.Dict["__class__"] = &py.Property{Fget: func(self py.Object) (py.Object, error) {
		return TypeOf(self), nil
	}}
	py.ObjectType.Dict["__dict__"] = &py.Property{Fget: func(self py.Object) (py.Object, error) {
		switch x := self.(type) {
		case *py.Type:
			return x.Dict, nil
		case *py.Exception:
			return x.Dict, nil
		case *py.Function:
			return x.Dict, nil
		}
		return nil, py.ExceptionNewf(py.AttributeError, "'%s' object has no attribute '__dict__'", TypeName(self))
	}}
	py.ObjectType.Dict["__init__"] = py.MustNewMethod("__init__", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		return py.None, nil
	}, 0, "")
	py.ObjectType.Dict["__new__"] = &StaticMethod{Callable: py.MustNewMethod("__new__", objectNew, 0, "")}
	py.BaseException.Dict["__init__"] = py.MustNewMethod("__init__", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		if e, ok := self.(*py.Exception); ok {
			e.Args = append(py.Tuple{}, args...)
		}
		return py.None, nil
	}, 0, "")
	py.BaseException.Dict["args"] = &py.Property{
		Fget: func(self py.Object) (py.Object, error) {
			if e, ok := self.(*py.Exception); ok {
				return ExcArgs(e), nil
			}
			return py.Tuple{}, nil
		},
		Fset: func(self, value py.Object) error {
			e, ok := self.(*py.Exception)
			if !ok {
				return py.ExceptionNewf(py.AttributeError, "can't set args")
			}
			items, err := ToList(value)
			if err != nil {
				return err
			}
			e.Args = py.Tuple(items)
			return nil
		},
	}
	py.BaseException.Dict["with_traceback"] = py.MustNewMethod("with_traceback", func(self py.Object, args py.Tuple) (py.Object, error) {
		return self, nil
	}, 0, "")
	// The traceback attributes read None rather than the args.
	for _, n := range []string{"__traceback__", "__cause__", "__context__"} {
		py.BaseException.Dict[n] = &py.Property{Fget: func(self py.Object) (py.Object, error) { return py.None, nil }}
	}
	py.FunctionType.Dict["__qualname__"] = &py.Property{Fget: func(self py.Object) (py.Object, error) {
		return py.String(self.(*py.Function).Qualname), nil
	}, Fset: func(self, value py.Object) error {
		s, ok := value.(py.String)
		if !ok {
			return py.ExceptionNewf(py.TypeError, "__qualname__ must be set to a string object")
		}
		self.(*py.Function).Qualname = string(s)
		return nil
	}}
	py.FunctionType.Dict["__doc__"] = &py.Property{Fget: func(self py.Object) (py.Object, error) {
		if d := self.(*py.Function).Doc; d != nil {
			return d, nil
		}
		return py.None, nil
	}, Fset: func(self, value py.Object) error {
		self.(*py.Function).Doc = value
		return nil
	}}
	py.FunctionType.Dict["__module__"] = &py.Property{Fget: func(self py.Object) (py.Object, error) {
		f := self.(*py.Function)
		if m, ok := f.Dict["__module__"]; ok {
			return m, nil
		}
		if m, ok := f.Globals["__name__"]; ok {
			return m, nil
		}
		return py.None, nil
	}, Fset: func(self, value py.Object) error {
		self.(*py.Function).Dict["__module__"] = value
		return nil
	}}
	py.FunctionType.Dict["__wrapped__"] = &py.Property{Fget: func(self py.Object) (py.Object, error) {
		f := self.(*py.Function)
		if w, ok := f.Dict["__wrapped__"]; ok {
			return w, nil
		}
		return nil, py.ExceptionNewf(py.AttributeError, "'function' object has no attribute '__wrapped__'")
	}, Fset: func(self, value py.Object) error {
		self.(*py.Function).Dict["__wrapped__"] = value
		return nil
	}}
}

func installGenerator() {
	// gpython's generator.close() raises NotImplementedError; WSGI servers
	// call close() on every response iterable. This close stops the
	// generator, but its finally blocks do not run (gpython cannot throw
	// GeneratorExit into a frame).
	py.GeneratorType.Dict["close"] = py.MustNewMethod("close", func(self py.Object) (py.Object, error) {
		g, ok := self.(*py.Generator)
		if !ok {
			return py.None, nil
		}
		return py.None, CloseGeneratorErr(g)
	}, 0, "")
	py.GeneratorType.Dict["throw"] = py.MustNewMethod("throw", func(self py.Object, args py.Tuple) (py.Object, error) {
		g, ok := self.(*py.Generator)
		if !ok || len(args) == 0 {
			return nil, py.ExceptionNewf(py.TypeError, "throw expected at least 1 argument")
		}
		var exc py.Object = args[0]
		if t, ok := exc.(*py.Type); ok && t.Name != "" {
			var err error
			if len(args) > 1 && args[1] != py.None {
				exc, err = py.Call(t, py.Tuple{args[1]}, nil)
			} else {
				exc, err = py.Call(t, nil, nil)
			}
			if err != nil {
				return nil, err
			}
		}
		e, ok := exc.(error)
		if !ok {
			return nil, py.ExceptionNewf(py.TypeError, "exceptions must derive from BaseException")
		}
		return throwGen(g, e)
	}, 0, "")
}

// CloseGenerator stops g: the next next() raises StopIteration.
func CloseGenerator(g *py.Generator) {
	if g.Running {
		return
	}
	if g.Frame.Lasti == 0 {
		g.Frame.Lasti = int32(len(g.Frame.Code.Code))
	}
	g.Frame.Yielded = false
}

// AddBuiltin adds (or replaces) a builtin function for contexts created
// from now on. Call it before the first context exists.
func AddBuiltin(m *py.Method) {
	impl := py.GetModuleImpl("builtins")
	for i, old := range impl.Methods {
		if old.Name == m.Name {
			impl.Methods[i] = m
			return
		}
	}
	impl.Methods = append(impl.Methods, m)
}

// AddBuiltinGlobal adds (or replaces) a builtin name bound to a value.
func AddBuiltinGlobal(name string, v py.Object) {
	impl := py.GetModuleImpl("builtins")
	impl.Globals[name] = v
}

func installBuiltins() {
	add := func(name string, fn interface{}) { AddBuiltin(py.MustNewMethod(name, fn, 0, "")) }
	add("len", builtinLen)
	add("any", builtinAny)
	add("all", builtinAll)
	add("repr", builtinRepr)
	add("ascii", builtinASCII)
	add("format", builtinFormat)
	add("sorted", builtinSorted)
	add("reversed", builtinReversed)
	add("max", minMax("max", true))
	add("min", minMax("min", false))
	add("sum", builtinSum)
	add("round", builtinRound)
	add("isinstance", builtinIsinstance)
	add("issubclass", builtinIssubclass)
	add("hash", builtinHash)
	add("id", builtinID)
	add("callable", builtinCallable)
	add("dir", builtinDir)
	add("vars", builtinVars)
	add("print", builtinPrint)
	add("next", builtinNext)
	add("iter", builtinIter)
	add("getattr", builtinGetattr)
	add("hasattr", builtinHasattr)
	add("__build_class__", buildClass)
	add("__fformat__", builtinFFormat)
	AddBuiltinGlobal("__walrus__", py.None)
	add("__lmerge__", func(self py.Object, args py.Tuple) (py.Object, error) {
		var out []py.Object
		for _, a := range args {
			items, err := ToList(a)
			if err != nil {
				return nil, err
			}
			out = append(out, items...)
		}
		return py.NewListFromItems(out), nil
	})
	add("__smerge__", func(self py.Object, args py.Tuple) (py.Object, error) {
		s := &Set{}
		for _, a := range args {
			if err := Iterate(a, s.Add); err != nil {
				return nil, err
			}
		}
		return s, nil
	})
	add("__dmerge__", func(self py.Object, args py.Tuple) (py.Object, error) {
		d := NewDict()
		for _, a := range args {
			if !isMapping(a) && !(IsInstanceObj(a) && lookupMRO(a.Type(), "keys") != nil) {
				return nil, py.ExceptionNewf(py.TypeError, "'%s' object is not a mapping", TypeName(a))
			}
			if err := d.Update(a); err != nil {
				return nil, err
			}
		}
		return d, nil
	})
	add("super", superNew)
	AddBuiltinGlobal("dict", DictType)
	AddBuiltinGlobal("set", SetType)
	AddBuiltinGlobal("frozenset", FrozenSetType)
	AddBuiltinGlobal("bytearray", ByteArrayType)
	installDict()
	installSet()
	installByteArray()
	installStrTranslate()
	AddBuiltinGlobal("property", PropertyType)
	AddBuiltinGlobal("staticmethod", StaticMethodType)
	AddBuiltinGlobal("classmethod", ClassMethodType)
	AddBuiltinGlobal("RecursionError", RecursionError)
	AddBuiltinGlobal("ModuleNotFoundError", ModuleNotFoundError)
	for _, t := range []*py.Type{StaticMethodType, ClassMethodType, PropertyType, SuperType, DictType, SetType, FrozenSetType, ByteArrayType} {
		t.ObjectType = py.TypeType
	}
	PropertyType.Dict["setter"] = py.MustNewMethod("setter", func(self, fn py.Object) (py.Object, error) {
		p := *self.(*Property)
		p.Fset = fn
		return &p, nil
	}, 0, "")
	PropertyType.Dict["getter"] = py.MustNewMethod("getter", func(self, fn py.Object) (py.Object, error) {
		p := *self.(*Property)
		p.Fget = fn
		return &p, nil
	}, 0, "")
	PropertyType.Dict["deleter"] = py.MustNewMethod("deleter", func(self, fn py.Object) (py.Object, error) {
		p := *self.(*Property)
		p.Fdel = fn
		return &p, nil
	}, 0, "")
	PropertyType.Dict["fget"] = &py.Property{Fget: func(self py.Object) (py.Object, error) {
		if f := self.(*Property).Fget; f != nil {
			return f, nil
		}
		return py.None, nil
	}}
	StaticMethodType.Dict["__func__"] = &py.Property{Fget: func(self py.Object) (py.Object, error) { return self.(*StaticMethod).Callable, nil }}
	ClassMethodType.Dict["__func__"] = &py.Property{Fget: func(self py.Object) (py.Object, error) { return self.(*ClassMethod).Callable, nil }}
}

func installSys() {
	impl := py.GetModuleImpl("sys")
	replace := func(m *py.Method) {
		for i, old := range impl.Methods {
			if old.Name == m.Name {
				impl.Methods[i] = m
				return
			}
		}
		impl.Methods = append(impl.Methods, m)
	}
	replace(py.MustNewMethod("exc_info", func(self py.Object, args py.Tuple) (py.Object, error) {
		st := contextState(self)
		if st == nil || st.HandledExc == nil {
			return py.Tuple{py.None, py.None, py.None}, nil
		}
		var tb py.Object = py.None
		if st.HandledTB != nil {
			tb = st.HandledTB
		}
		return py.Tuple{st.HandledExc.Base, st.HandledExc, tb}, nil
	}, 0, "exc_info() -> (type, value, traceback) of the exception being handled"))
	replace(py.MustNewMethod("exit", func(self py.Object, args py.Tuple) (py.Object, error) {
		if err := nargs("exit", args, 0, 1); err != nil {
			return nil, err
		}
		return nil, &py.Exception{Base: py.SystemExit, Args: append(py.Tuple{}, args...), Dict: py.NewStringDict()}
	}, 0, "exit([status]): raise SystemExit"))
	replace(py.MustNewMethod("getrecursionlimit", func(self py.Object, args py.Tuple) (py.Object, error) {
		if st := contextState(self); st != nil {
			return py.Int(st.MaxDepth), nil
		}
		return py.Int(DefaultMaxDepth), nil
	}, 0, ""))
	replace(py.MustNewMethod("setrecursionlimit", func(self py.Object, args py.Tuple) (py.Object, error) {
		if err := nargs("setrecursionlimit", args, 1, 1); err != nil {
			return nil, err
		}
		n, err := argInt("setrecursionlimit", args[0], 0)
		if err != nil {
			return nil, err
		}
		if n < 1 {
			return nil, py.ExceptionNewf(py.ValueError, "recursion limit must be greater or equal than 1")
		}
		if n > 5000 {
			// deeper Python recursion risks the Go stack; gowsgi caps it
			n = 5000
		}
		if st := contextState(self); st != nil {
			st.MaxDepth = n
		}
		return py.None, nil
	}, 0, ""))
	impl.Globals["version"] = py.String("3.4.0 (gpython v0.2.0, embedded in gowsgi)")
	impl.Globals["version_info"] = py.Tuple{py.Int(3), py.Int(4), py.Int(0), py.String("final"), py.Int(0)}
	impl.Globals["hexversion"] = py.Int(0x030400f0)
	impl.Globals["platform"] = py.String("linux")
	impl.Globals["byteorder"] = py.String("little")
	impl.Globals["maxsize"] = py.Int(1<<63 - 1)
	impl.Globals["implementation_name"] = py.String("gpython")
}

func contextState(self py.Object) *State {
	m, ok := self.(*py.Module)
	if !ok || m == nil {
		return nil
	}
	return StateOf(m.Context)
}
