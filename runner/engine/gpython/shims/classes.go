package shims

import (
	"github.com/go-python/gpython/py"
	"github.com/go-python/gpython/vm"

	"github.com/gowsgi/gowsgi/runner/engine/gpython/bytecode"
)

// gowsgi's own descriptor types: gpython's property builtin is missing and
// its staticmethod/classmethod do not work when read from the class.

// StaticMethodType is the type of staticmethod objects.
var StaticMethodType = py.NewTypeX("staticmethod", "staticmethod(function) -> method", func(t *py.Type, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
	if err := nargs("staticmethod", args, 1, 1); err != nil {
		return nil, err
	}
	return &StaticMethod{Callable: args[0]}, nil
}, nil)

// StaticMethod wraps a function that gets no implicit first argument.
type StaticMethod struct{ Callable py.Object }

func (*StaticMethod) Type() *py.Type { return StaticMethodType }

// M__get__ returns the function itself.
func (s *StaticMethod) M__get__(instance, owner py.Object) (py.Object, error) { return s.Callable, nil }

// M__call__ calls the function (Python 3.10+ allows calling a staticmethod).
func (s *StaticMethod) M__call__(args py.Tuple, kwargs py.StringDict) (py.Object, error) {
	return py.Call(s.Callable, args, kwargs)
}

// ClassMethodType is the type of classmethod objects.
var ClassMethodType = py.NewTypeX("classmethod", "classmethod(function) -> method", func(t *py.Type, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
	if err := nargs("classmethod", args, 1, 1); err != nil {
		return nil, err
	}
	return &ClassMethod{Callable: args[0]}, nil
}, nil)

// ClassMethod wraps a function that gets the class as its first argument.
type ClassMethod struct{ Callable py.Object }

func (*ClassMethod) Type() *py.Type { return ClassMethodType }

// M__get__ binds the function to the class.
func (c *ClassMethod) M__get__(instance, owner py.Object) (py.Object, error) {
	if owner == nil || owner == py.None {
		owner = TypeOf(instance)
	}
	return py.NewBoundMethod(owner, c.Callable), nil
}

// PropertyType is the type of property objects.
var PropertyType = py.NewTypeX("property", "property(fget=None, fset=None, fdel=None, doc=None)", func(t *py.Type, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
	a, err := parseArgs("property", args, kwargs, []string{"fget", "fset", "fdel", "doc"}, 0)
	if err != nil {
		return nil, err
	}
	p := &Property{}
	for i, v := range a {
		if v == py.None {
			a[i] = nil
		}
	}
	p.Fget, p.Fset, p.Fdel, p.Doc = a[0], a[1], a[2], a[3]
	if p.Doc == nil && p.Fget != nil {
		if f, ok := p.Fget.(*py.Function); ok {
			p.Doc = f.Doc
		}
	}
	return p, nil
}, nil)

// Property is a data descriptor calling Python functions.
type Property struct{ Fget, Fset, Fdel, Doc py.Object }

func (*Property) Type() *py.Type { return PropertyType }

// M__get__ calls the getter.
func (p *Property) M__get__(instance, owner py.Object) (py.Object, error) {
	if instance == nil || instance == py.None {
		return p, nil
	}
	if p.Fget == nil {
		return nil, py.ExceptionNewf(py.AttributeError, "property has no getter")
	}
	return py.Call(p.Fget, py.Tuple{instance}, nil)
}

// M__set__ calls the setter.
func (p *Property) M__set__(instance, value py.Object) (py.Object, error) {
	if p.Fset == nil {
		return nil, py.ExceptionNewf(py.AttributeError, "can't set attribute")
	}
	_, err := py.Call(p.Fset, py.Tuple{instance, value}, nil)
	return py.None, err
}

// M__delete__ calls the deleter.
func (p *Property) M__delete__(instance py.Object) (py.Object, error) {
	if p.Fdel == nil {
		return nil, py.ExceptionNewf(py.AttributeError, "can't delete attribute")
	}
	_, err := py.Call(p.Fdel, py.Tuple{instance}, nil)
	return py.None, err
}

// SuperType is the type of super objects.
var SuperType = py.NewType("super", "super(type, obj) -> bound super object")

// Super is super(cls, obj).
type Super struct {
	Cls *py.Type
	Obj py.Object
}

func (*Super) Type() *py.Type { return SuperType }

// M__getattribute__ looks name up in the MRO after Cls.
func (s *Super) M__getattribute__(name string) (py.Object, error) {
	var objType *py.Type
	isClass := false
	switch o := s.Obj.(type) {
	case *py.Type:
		if o.Name != "" {
			objType, isClass = o, true
		} else {
			objType = o.Type()
		}
	case *py.Exception:
		objType = o.Base
	default:
		objType = o.Type()
	}
	mro := objType.Mro
	i := 0
	for ; i < len(mro); i++ {
		if mro[i] == py.Object(s.Cls) {
			break
		}
	}
	for i++; i < len(mro); i++ {
		t := mro[i].(*py.Type)
		v, ok := t.Dict[name]
		if !ok {
			continue
		}
		switch x := v.(type) {
		case *py.Function:
			if isClass {
				return x, nil
			}
			return py.NewBoundMethod(s.Obj, x), nil
		case *py.Method:
			if isClass {
				return &unboundMethod{x}, nil
			}
			return py.NewBoundMethod(s.Obj, x), nil
		case *ClassMethod:
			return py.NewBoundMethod(objType, x.Callable), nil
		case *StaticMethod:
			return x.Callable, nil
		case *Property:
			if isClass {
				return x, nil
			}
			return x.M__get__(s.Obj, objType)
		}
		return v, nil
	}
	return nil, py.ExceptionNewf(py.AttributeError, "'super' object has no attribute '%s'", name)
}

// unboundMethod is a Go method of a builtin type read from the class, such
// as str.upper: calling it takes the instance as the first argument.
type unboundMethod struct{ m *py.Method }

var unboundMethodType = py.NewType("method_descriptor", "a method of a builtin type")

func (*unboundMethod) Type() *py.Type { return unboundMethodType }

// M__call__ calls the method with args[0] as self.
func (u *unboundMethod) M__call__(args py.Tuple, kwargs py.StringDict) (py.Object, error) {
	if len(args) == 0 {
		return nil, py.ExceptionNewf(py.TypeError, "unbound method %s() needs an argument", u.m.Name)
	}
	return u.m.CallWithKeywords(args[0], args[1:], kwargs)
}

// excAttr is an attribute of a user exception class that its methods assign
// (self.code = ...): gpython's exception objects have no instance dict, so
// the value is kept in the exception's Dict through this descriptor.
type excAttr struct {
	name string
	def  py.Object // the class-level value, if any
}

var excAttrType = py.NewType("exception_attribute", "an attribute of a user exception")

func (*excAttr) Type() *py.Type { return excAttrType }

// M__get__ reads the instance value, or the class-level default.
func (a *excAttr) M__get__(instance, owner py.Object) (py.Object, error) {
	if e, ok := instance.(*py.Exception); ok {
		if v, ok := e.Dict[a.name]; ok {
			return v, nil
		}
	}
	if a.def != nil {
		if d, ok := a.def.(py.I__get__); ok {
			return d.M__get__(instance, owner)
		}
		return a.def, nil
	}
	return nil, py.ExceptionNewf(py.AttributeError, "'%s' object has no attribute '%s'", TypeName(instance), a.name)
}

// M__set__ stores the instance value.
func (a *excAttr) M__set__(instance, value py.Object) (py.Object, error) {
	e, ok := instance.(*py.Exception)
	if !ok {
		return nil, py.ExceptionNewf(py.AttributeError, "can't set attribute '%s'", a.name)
	}
	e.Dict[a.name] = value
	return py.None, nil
}

// M__delete__ removes the instance value.
func (a *excAttr) M__delete__(instance py.Object) (py.Object, error) {
	if e, ok := instance.(*py.Exception); ok {
		delete(e.Dict, a.name)
	}
	return py.None, nil
}

// classAttr returns what reading name from the class t gives.
func classAttr(t *py.Type, v py.Object) (py.Object, error) {
	switch x := v.(type) {
	case *StaticMethod:
		return x.Callable, nil
	case *py.StaticMethod:
		return x.Callable, nil
	case *ClassMethod:
		return py.NewBoundMethod(t, x.Callable), nil
	case *py.ClassMethod:
		return py.NewBoundMethod(t, x.Callable), nil
	case *py.Method:
		return &unboundMethod{x}, nil
	case *excAttr:
		if x.def != nil {
			return classAttr(t, x.def)
		}
		return nil, py.ExceptionNewf(py.AttributeError, "type object '%s' has no attribute '%s'", t.Name, x.name)
	}
	return v, nil
}

func typeGetAttribute(self py.Object, args py.Tuple) (py.Object, error) {
	if len(args) != 2 {
		return nil, py.ExceptionNewf(py.TypeError, "__getattribute__ takes 1 argument")
	}
	t, ok := args[0].(*py.Type)
	name, ok2 := args[1].(py.String)
	if !ok || !ok2 {
		return nil, py.ExceptionNewf(py.TypeError, "bad __getattribute__ call")
	}
	switch name {
	case "__name__":
		switch t {
		case py.StringDictType:
			return py.String("dict"), nil
		case py.BigIntType:
			return py.String("int"), nil
		}
		return py.String(t.Name), nil
	case "__qualname__":
		if t.Qualname != "" {
			return py.String(t.Qualname), nil
		}
		return py.String(t.Name), nil
	case "__mro__":
		return t.Mro, nil
	case "__bases__":
		return t.Bases, nil
	case "__base__":
		if t.Base == nil {
			return py.None, nil
		}
		return t.Base, nil
	case "__dict__":
		return t.Dict.Copy(), nil
	case "__class__":
		return py.TypeType, nil
	case "__doc__":
		if d, ok := t.Dict["__doc__"]; ok {
			return d, nil
		}
		if t.Doc != "" {
			return py.String(t.Doc), nil
		}
		return py.None, nil
	case "__module__":
		if m, ok := t.Dict["__module__"]; ok {
			return m, nil
		}
		return py.String("builtins"), nil
	}
	if v := lookupMRO(t, string(name)); v != nil {
		return classAttr(t, v)
	}
	if v := lookupMRO(py.TypeType, string(name)); v != nil {
		switch x := v.(type) {
		case *py.Method:
			return py.NewBoundMethod(t, x), nil
		case py.I__get__:
			return x.M__get__(t, py.TypeType)
		}
		return v, nil
	}
	return nil, py.ExceptionNewf(py.AttributeError, "type object '%s' has no attribute '%s'", t.Name, name)
}

func typeSetAttr(self py.Object, args py.Tuple) (py.Object, error) {
	if len(args) != 3 {
		return nil, py.ExceptionNewf(py.TypeError, "__setattr__ takes 2 arguments")
	}
	t := args[0].(*py.Type)
	name, ok := args[1].(py.String)
	if !ok {
		return nil, py.ExceptionNewf(py.TypeError, "attribute name must be string")
	}
	if t.Flags&py.TPFLAGS_HEAPTYPE == 0 {
		return nil, py.ExceptionNewf(py.TypeError, "cannot set '%s' attribute of immutable type '%s'", name, t.Name)
	}
	t.Dict[string(name)] = args[2]
	return py.None, nil
}

func typeDelAttr(self py.Object, args py.Tuple) (py.Object, error) {
	if len(args) != 2 {
		return nil, py.ExceptionNewf(py.TypeError, "__delattr__ takes 1 argument")
	}
	t := args[0].(*py.Type)
	name, _ := args[1].(py.String)
	if t.Flags&py.TPFLAGS_HEAPTYPE == 0 {
		return nil, py.ExceptionNewf(py.TypeError, "cannot delete '%s' attribute of immutable type '%s'", name, t.Name)
	}
	if _, ok := t.Dict[string(name)]; !ok {
		return nil, py.ExceptionNewf(py.AttributeError, "type object '%s' has no attribute '%s'", t.Name, name)
	}
	delete(t.Dict, string(name))
	return py.None, nil
}

// userNew creates instances of classes defined in Python: it honours a
// __new__ and makes instances whose class defines __call__ callable.
func userNew(t *py.Type, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
	if f := lookupMRO(t, "__new__"); f != nil {
		var fn py.Object
		switch x := f.(type) {
		case *StaticMethod:
			fn = x.Callable
		case *py.StaticMethod:
			fn = x.Callable
		case *py.Function:
			fn = x
		}
		if fn != nil {
			return py.Call(fn, append(py.Tuple{t}, args...), kwargs)
		}
	}
	return allocInstance(t), nil
}

func allocInstance(t *py.Type) *py.Type {
	inst := t.Alloc()
	inst.New = instanceCall
	return inst
}

func instanceCall(inst *py.Type, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
	f := lookupMRO(inst.Type(), "__call__")
	if f == nil {
		return nil, py.ExceptionNewf(py.TypeError, "'%s' object is not callable", inst.Type().Name)
	}
	switch x := f.(type) {
	case *StaticMethod:
		return py.Call(x.Callable, args, kwargs)
	case *ClassMethod:
		return py.Call(x.Callable, append(py.Tuple{inst.Type()}, args...), kwargs)
	}
	return py.Call(f, append(py.Tuple{inst}, args...), kwargs)
}

func objectNew(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
	if len(args) < 1 {
		return nil, py.ExceptionNewf(py.TypeError, "object.__new__(): not enough arguments")
	}
	t, ok := args[0].(*py.Type)
	if !ok || t.Name == "" {
		return nil, py.ExceptionNewf(py.TypeError, "object.__new__(X): X is not a type object")
	}
	if t.Flags&py.TPFLAGS_BASE_EXC_SUBCLASS != 0 {
		return excNew(t, args[1:], nil)
	}
	return allocInstance(t), nil
}

func excNew(t *py.Type, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
	return &py.Exception{Base: t, Args: append(py.Tuple{}, args...), Dict: py.NewStringDict()}, nil
}

func excInit(self py.Object, args py.Tuple, kwargs py.StringDict) error {
	e, ok := self.(*py.Exception)
	if !ok {
		return nil
	}
	if f := userMethod(e.Base, "__init__"); f != nil {
		_, err := py.Call(f, append(py.Tuple{e}, args...), kwargs)
		return err
	}
	if len(kwargs) > 0 {
		return py.ExceptionNewf(py.TypeError, "%s() takes no keyword arguments", e.Base.Name)
	}
	return nil
}

// storedAttrs lists the attribute names that code assigns (STORE_ATTR).
func storedAttrs(co *py.Code, into map[string]bool) {
	_ = bytecode.Walk(co, func(c *py.Code) error {
		ins, err := bytecode.Decode(c.Code)
		if err != nil {
			return nil
		}
		for _, in := range ins {
			if (in.Op == vm.STORE_ATTR || in.Op == vm.DELETE_ATTR) && int(in.Arg) < len(c.Names) {
				into[c.Names[in.Arg]] = true
			}
		}
		return nil
	})
}

const excAttrsKey = "__gowsgi_exc_attrs__"

// finishExceptionClass makes a Python subclass of an exception raisable and
// able to hold instance attributes.
func finishExceptionClass(cls *py.Type, body *py.Code) {
	cls.New = excNew
	cls.Init = excInit
	names := map[string]bool{}
	storedAttrs(body, names)
	for _, b := range cls.Mro[1:] {
		if bt, ok := b.(*py.Type); ok {
			if t, ok := bt.Dict[excAttrsKey].(py.Tuple); ok {
				for _, n := range t {
					names[string(n.(py.String))] = true
				}
			}
		}
	}
	if len(names) == 0 {
		return
	}
	var all py.Tuple
	for n := range names {
		all = append(all, py.String(n))
		if n == "args" || n == "__traceback__" || n == "__cause__" || n == "__context__" {
			continue
		}
		if v, ok := cls.Dict[n]; ok {
			switch v.(type) {
			case *excAttr, *Property:
				continue
			case *py.Function, *StaticMethod, *ClassMethod:
				// a method, not an attribute
				continue
			}
			cls.Dict[n] = &excAttr{name: n, def: v}
			continue
		}
		if lookupMRO(cls, n) == nil {
			cls.Dict[n] = &excAttr{name: n}
		}
	}
	cls.Dict[excAttrsKey] = all
}

func buildClass(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
	if len(args) < 2 {
		return nil, py.ExceptionNewf(py.TypeError, "__build_class__: not enough arguments")
	}
	fn, ok := args[0].(*py.Function)
	if !ok {
		return nil, py.ExceptionNewf(py.TypeError, "__build_class__: func must be a function")
	}
	name, ok := args[1].(py.String)
	if !ok {
		return nil, py.ExceptionNewf(py.TypeError, "__build_class__: name is not a string")
	}
	bases := append(py.Tuple{}, args[2:]...)
	for _, b := range bases {
		if !IsClass(b) {
			return nil, py.ExceptionNewf(py.TypeError, "class %s: a base class must be a class, not %s", name, TypeName(b))
		}
	}
	var meta py.Object
	mkw := py.StringDict{}
	for k, v := range kwargs {
		if k == "metaclass" {
			meta = v
		} else {
			mkw[k] = v
		}
	}
	if meta == nil {
		meta = py.TypeType
		if len(bases) > 0 {
			meta = bases[0].(*py.Type).Type()
		}
	}
	ns := py.NewStringDict()
	cell, err := fn.Context.RunCode(fn.Code, fn.Globals, ns, fn.Closure)
	if err != nil {
		return nil, err
	}
	delete(ns, "__slots__") // gpython cannot do slots; instances keep a dict
	var kw py.StringDict
	if len(mkw) > 0 {
		kw = mkw
	}
	clsObj, err := py.Call(meta, py.Tuple{name, bases, ns}, kw)
	if err != nil {
		return nil, err
	}
	cls, ok := clsObj.(*py.Type)
	if ok && cls.Name != "" {
		if cls.Flags&py.TPFLAGS_BASE_EXC_SUBCLASS != 0 {
			finishExceptionClass(cls, fn.Code)
		} else if cls.Flags&py.TPFLAGS_HEAPTYPE != 0 {
			cls.New = userNew
		}
	}
	if c, ok := cell.(*py.Cell); ok {
		c.Set(clsObj)
	}
	return clsObj, nil
}

func superNew(self py.Object, args py.Tuple) (py.Object, error) {
	if len(args) == 0 {
		return nil, py.ExceptionNewf(py.RuntimeError, "super(): no arguments")
	}
	if len(args) != 2 {
		return nil, py.ExceptionNewf(py.TypeError, "super() takes 2 arguments here")
	}
	cls, ok := args[0].(*py.Type)
	if !ok || cls.Name == "" {
		return nil, py.ExceptionNewf(py.TypeError, "super() argument 1 must be type, not %s", TypeName(args[0]))
	}
	return &Super{Cls: cls, Obj: args[1]}, nil
}
