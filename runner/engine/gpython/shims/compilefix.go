package shims

import (
	"bytes"
	"sort"
	"strings"
	"sync"

	"github.com/go-python/gpython/ast"
	"github.com/go-python/gpython/parser"
	"github.com/go-python/gpython/py"
	"github.com/go-python/gpython/vm"

	"github.com/gowsgi/gowsgi/runner/engine/gpython/bytecode"
)

// The compile hook fixes, after gpython's compiler, what that compiler gets
// wrong, and routes the operations whose Go implementations cannot be
// changed from outside gpython through gowsgi's helpers:
//
//   - Cell2arg: the compiler never fills it, so a function argument captured
//     by an inner function (every decorator) reads as unbound.
//   - free-variable indexes: in a function with both cell and free variables
//     the compiler forgets to offset free variables by len(Cellvars), so the
//     code silently reads the wrong variable. The LOAD_CLOSURE sites are
//     fixed exactly; the other sites are resolved by which of the two names
//     the source line mentions.
//   - zero-argument super() becomes super(__class__, <first argument>).
//   - except handlers record the exception for sys.exc_info() and
//     traceback.format_exc().
//   - %, *, subscripting, comparisons, `in` and iteration call helpers that
//     know str % (CPython's printf), bytes slicing, user __eq__/__lt__,
//     sorted dict iteration and errors raised inside a for loop's iterator.

var origCompile func(src, srcDesc string, mode py.CompileMode, flags int, dontInherit bool) (*py.Code, error)

var compileOnce sync.Once

func installCompileHook() {
	compileOnce.Do(func() {
		origCompile = py.Compile
		py.Compile = Compile
	})
}

// Compile compiles source with gpython's compiler and applies gowsgi's fixes.
func Compile(src, srcDesc string, mode py.CompileMode, flags int, dontInherit bool) (*py.Code, error) {
	out, rerr := Rewrite(src)
	if rerr != nil {
		line := ""
		if lines := strings.Split(src, "\n"); rerr.Line-1 < len(lines) && rerr.Line >= 1 {
			line = lines[rerr.Line-1]
		}
		return nil, py.MakeSyntaxError(py.ExceptionNewf(py.SyntaxError, "%s", rerr.Msg), srcDesc, rerr.Line, rerr.Col+1, line)
	}
	src = out
	co, err := origCompile(src, srcDesc, mode, flags, dontInherit)
	if err != nil {
		return nil, err
	}
	if err := FixCode(co, src, mode); err != nil {
		return nil, py.ExceptionNewf(py.SystemError, "gowsgi could not adapt the compiled code of %s: %v", srcDesc, err)
	}
	return co, nil
}

type fixer struct {
	src      string
	mode     py.CompileMode
	names    map[int][]nameUse // line -> identifier uses, parsed lazily
	parsed   bool
	perLine  map[*py.Code]map[int]int
	parseErr error
}

type nameUse struct {
	name string
	ctx  ast.ExprContext
	col  int
}

// FixCode applies the fixes to co and every code object nested in it.
func FixCode(co *py.Code, src string, mode py.CompileMode) error {
	f := &fixer{src: src, mode: mode, perLine: map[*py.Code]map[int]int{}}
	return bytecode.Walk(co, f.fix)
}

func (f *fixer) fix(co *py.Code) error {
	fixCell2arg(co)
	ncell, nfree := len(co.Cellvars), len(co.Freevars)
	ins, err := bytecode.Decode(co.Code)
	if err != nil {
		return err
	}
	// Deref indexes, decided before the edit so that it sees the original code.
	derefFix := map[int]uint32{}
	if ncell > 0 && nfree > 0 {
		if err := f.fixDerefs(co, ins, derefFix); err != nil {
			return err
		}
	}
	// Targets of SETUP_EXCEPT: the start of except handlers.
	handlers := map[int]bool{}
	targets := map[int]bool{}
	for _, in := range ins {
		if in.Op == vm.SETUP_EXCEPT {
			handlers[in.Target] = true
		}
		if in.Target >= 0 {
			targets[in.Target] = true
		}
	}
	// boolOnTop reports whether instruction i certainly finds a bool (or a
	// value gpython tests right) on the stack: then the truth helper is not
	// needed.
	boolOnTop := func(i int) bool {
		if i == 0 || targets[ins[i].Pos] {
			return false
		}
		p := ins[i-1]
		switch p.Op {
		case vm.COMPARE_OP, vm.UNARY_NOT:
			return true
		case vm.LOAD_CONST:
			switch co.Consts[p.Arg].(type) {
			case py.Bool, py.NoneType, py.Int, py.String:
				return true
			}
		}
		return false
	}
	classIdx := -1
	for i, n := range co.Freevars {
		if n == "__class__" {
			classIdx = ncell + i
		}
	}
	consts := map[py.Object]uint32{}
	constIdx := func(o py.Object) uint32 {
		if i, ok := consts[o]; ok {
			return i
		}
		co.Consts = append(co.Consts, o)
		i := uint32(len(co.Consts) - 1)
		consts[o] = i
		return i
	}
	call2 := func(h py.Object) []bytecode.Instr {
		return []bytecode.Instr{
			bytecode.New(vm.LOAD_CONST, constIdx(h)),
			bytecode.New(vm.ROT_THREE, 0),
			bytecode.New(vm.CALL_FUNCTION, 2),
		}
	}
	changed := len(derefFix) > 0
	// The accumulator of a dict or set comprehension lives in a local of
	// its own, since MAP_ADD/SET_ADD reach it at a stack depth.
	acc := -1
	if len(ins) > 0 && co.Flags&py.CO_OPTIMIZED != 0 &&
		((co.Name == "<dictcomp>" && ins[0].Op == vm.BUILD_MAP) || (co.Name == "<setcomp>" && ins[0].Op == vm.BUILD_SET)) {
		co.Varnames = append(co.Varnames, ".acc")
		co.Nlocals++
		acc = len(co.Varnames) - 1
	}
	// Targets of assignment expressions become locals of a function.
	walrusIdx := fixWalrusLocals(co, ins)
	// A **kwargs parameter becomes a dict at entry.
	var kwLoad, kwStore bytecode.Instr
	hasKw := false
	if co.Flags&py.CO_VARKEYWORDS != 0 {
		idx := int(co.Argcount + co.Kwonlyargcount)
		if co.Flags&py.CO_VARARGS != 0 {
			idx++
		}
		if idx < len(co.Varnames) {
			hasKw = true
			kwLoad, kwStore = bytecode.New(vm.LOAD_FAST, uint32(idx)), bytecode.New(vm.STORE_FAST, uint32(idx))
			for ci, c := range co.Cellvars {
				if c == co.Varnames[idx] {
					kwLoad, kwStore = bytecode.New(vm.LOAD_DEREF, uint32(ci)), bytecode.New(vm.STORE_DEREF, uint32(ci))
				}
			}
		}
	}
	call1 := func(h py.Object) []bytecode.Instr {
		return []bytecode.Instr{
			bytecode.New(vm.LOAD_CONST, constIdx(h)),
			bytecode.New(vm.ROT_TWO, 0),
			bytecode.New(vm.CALL_FUNCTION, 1),
		}
	}
	_, err = bytecode.Edit(co, func(i int, all []bytecode.Instr) []bytecode.Instr {
		in := all[i]
		if a, ok := derefFix[i]; ok {
			in.Arg = a
		}
		var out []bytecode.Instr
		if handlers[in.Pos] {
			out = append(out,
				bytecode.New(vm.ROT_THREE, 0),
				bytecode.New(vm.DUP_TOP_TWO, 0),
				bytecode.New(vm.LOAD_CONST, constIdx(hExcRecord)),
				bytecode.New(vm.ROT_THREE, 0),
				bytecode.New(vm.CALL_FUNCTION, 2),
				bytecode.New(vm.POP_TOP, 0),
				bytecode.New(vm.ROT_THREE, 0),
				bytecode.New(vm.ROT_THREE, 0),
			)
		}
		if i == 0 && hasKw {
			out = append(out, kwLoad)
			out = append(out, call1(hToDict)...)
			out = append(out, kwStore)
		}
		var rep []bytecode.Instr
		if h := binHelpers[in.Op]; h != nil {
			rep = call2(h)
		} else if h := unaryHelpers[in.Op]; h != nil {
			rep = call1(h)
		}
		switch in.Op {
		case vm.MAKE_FUNCTION, vm.MAKE_CLOSURE:
			rep = fixDecoratedDefaults(co, in, i, all, constIdx)
		case vm.BUILD_MAP:
			rep = []bytecode.Instr{
				bytecode.New(vm.LOAD_CONST, constIdx(hNewDict)),
				bytecode.New(vm.CALL_FUNCTION, 0),
			}
			if i == 0 && acc >= 0 {
				rep = append(rep, bytecode.New(vm.DUP_TOP, 0), bytecode.New(vm.STORE_FAST, uint32(acc)))
			}
		case vm.STORE_MAP:
			rep = []bytecode.Instr{
				bytecode.New(vm.BUILD_TUPLE, 2),
				bytecode.New(vm.LOAD_CONST, constIdx(hStoreMap)),
				bytecode.New(vm.ROT_THREE, 0),
				bytecode.New(vm.CALL_FUNCTION, 2),
			}
		case vm.MAP_ADD:
			if acc >= 0 {
				rep = []bytecode.Instr{
					bytecode.New(vm.LOAD_CONST, constIdx(hMapAdd)),
					bytecode.New(vm.ROT_THREE, 0),
					bytecode.New(vm.LOAD_FAST, uint32(acc)),
					bytecode.New(vm.CALL_FUNCTION, 3),
					bytecode.New(vm.POP_TOP, 0),
				}
			}
		case vm.BUILD_SET:
			rep = append([]bytecode.Instr{bytecode.New(vm.BUILD_TUPLE, in.Arg)}, call1(hNewSet)...)
			if i == 0 && acc >= 0 {
				rep = append(rep, bytecode.New(vm.DUP_TOP, 0), bytecode.New(vm.STORE_FAST, uint32(acc)))
			}
		case vm.SET_ADD:
			if acc >= 0 {
				rep = []bytecode.Instr{
					bytecode.New(vm.LOAD_CONST, constIdx(hSetAdd)),
					bytecode.New(vm.ROT_TWO, 0),
					bytecode.New(vm.LOAD_FAST, uint32(acc)),
					bytecode.New(vm.CALL_FUNCTION, 2),
					bytecode.New(vm.POP_TOP, 0),
				}
			}
		case vm.CALL_FUNCTION_KW, vm.CALL_FUNCTION_VAR_KW, vm.CALL_FUNCTION_VAR:
			rep = kwCall(in, constIdx)
		case vm.YIELD_VALUE:
			rep = append([]bytecode.Instr{in}, call1(hResume)...)
		case vm.YIELD_FROM:
			rep = append([]bytecode.Instr{in}, call1(hYieldFromResult)...)
		case vm.BINARY_SUBSCR:
			rep = call2(hSubscr)
		case vm.COMPARE_OP:
			if h := hCompare[in.Arg]; h != nil {
				rep = call2(h)
			}
		case vm.POP_JUMP_IF_FALSE, vm.POP_JUMP_IF_TRUE:
			if !boolOnTop(i) {
				rep = []bytecode.Instr{
					bytecode.New(vm.LOAD_CONST, constIdx(hTruth)),
					bytecode.New(vm.ROT_TWO, 0),
					bytecode.New(vm.CALL_FUNCTION, 1),
					in,
				}
			}
		case vm.JUMP_IF_TRUE_OR_POP, vm.JUMP_IF_FALSE_OR_POP:
			if !boolOnTop(i) {
				jump := bytecode.Instr{Op: vm.POP_JUMP_IF_TRUE, Pos: -1, Target: in.Target}
				if in.Op == vm.JUMP_IF_FALSE_OR_POP {
					jump.Op = vm.POP_JUMP_IF_FALSE
				}
				rep = []bytecode.Instr{
					bytecode.New(vm.DUP_TOP, 0),
					bytecode.New(vm.LOAD_CONST, constIdx(hTruth)),
					bytecode.New(vm.ROT_TWO, 0),
					bytecode.New(vm.CALL_FUNCTION, 1),
					jump,
					bytecode.New(vm.POP_TOP, 0),
				}
			}
		case vm.UNARY_NOT:
			rep = []bytecode.Instr{
				bytecode.New(vm.LOAD_CONST, constIdx(hNot)),
				bytecode.New(vm.ROT_TWO, 0),
				bytecode.New(vm.CALL_FUNCTION, 1),
			}
		case vm.LOAD_NAME, vm.LOAD_GLOBAL:
			if int(in.Arg) < len(co.Names) {
				if idx, ok := walrusIdx[co.Names[in.Arg]]; ok && idx >= 0 && in.Op == vm.LOAD_GLOBAL {
					rep = []bytecode.Instr{bytecode.New(vm.LOAD_FAST, uint32(idx))}
					break
				}
			}
			// gpython's parser makes `@a.b` a single name "a.b".
			if int(in.Arg) < len(co.Names) && strings.Contains(co.Names[in.Arg], ".") {
				rep = dottedLoad(co, in.Op, co.Names[in.Arg])
			}
		case vm.GET_ITER:
			if i+2 < len(all) && all[i+2].Op == vm.YIELD_FROM {
				break // yield from: the generator protocol needs the real iterator
			}
			rep = []bytecode.Instr{
				bytecode.New(vm.LOAD_CONST, constIdx(hIter)),
				bytecode.New(vm.ROT_TWO, 0),
				bytecode.New(vm.CALL_FUNCTION, 1),
			}
		case vm.FOR_ITER:
			rep = []bytecode.Instr{
				in,
				bytecode.New(vm.LOAD_CONST, constIdx(hForItem)),
				bytecode.New(vm.ROT_TWO, 0),
				bytecode.New(vm.CALL_FUNCTION, 1),
			}
		case vm.CALL_FUNCTION:
			if w := walrusStore(co, in, i, all, walrusIdx); w != nil {
				rep = w
				break
			}
			if in.Arg>>8 != 0 {
				rep = kwCall(in, constIdx)
				break
			}
			// super() -> super(__class__, first argument)
			if in.Arg == 0 && i > 0 && classIdx >= 0 && all[i-1].Op == vm.LOAD_GLOBAL &&
				int(all[i-1].Arg) < len(co.Names) && co.Names[all[i-1].Arg] == "super" {
				if self := firstArg(co); self != nil {
					rep = append([]bytecode.Instr{bytecode.New(vm.LOAD_DEREF, uint32(classIdx))}, *self, bytecode.New(vm.CALL_FUNCTION, 2))
				}
			}
		}
		if rep == nil {
			if out == nil {
				if _, ok := derefFix[i]; ok {
					return []bytecode.Instr{in}
				}
				return nil
			}
			rep = []bytecode.Instr{in}
		}
		changed = true
		return append(out, rep...)
	})
	if err != nil {
		return err
	}
	if changed {
		co.Stacksize += 4
	}
	return nil
}

func nameIndex(co *py.Code, name string) uint32 {
	for i, n := range co.Names {
		if n == name {
			return uint32(i)
		}
	}
	co.Names = append(co.Names, name)
	return uint32(len(co.Names) - 1)
}

// dottedLoad loads a.b.c as a, then its attributes.
func dottedLoad(co *py.Code, op vm.OpCode, dotted string) []bytecode.Instr {
	parts := strings.Split(dotted, ".")
	var first bytecode.Instr
	found := false
	if op == vm.LOAD_GLOBAL {
		if co.Flags&py.CO_OPTIMIZED != 0 {
			for i, v := range co.Varnames {
				if v == parts[0] {
					first, found = bytecode.New(vm.LOAD_FAST, uint32(i)), true
				}
			}
		}
		for i, v := range co.Cellvars {
			if v == parts[0] {
				first, found = bytecode.New(vm.LOAD_DEREF, uint32(i)), true
			}
		}
		for i, v := range co.Freevars {
			if v == parts[0] {
				first, found = bytecode.New(vm.LOAD_DEREF, uint32(len(co.Cellvars)+i)), true
			}
		}
	}
	if !found {
		first = bytecode.New(op, nameIndex(co, parts[0]))
	}
	out := []bytecode.Instr{first}
	for _, p := range parts[1:] {
		out = append(out, bytecode.New(vm.LOAD_ATTR, nameIndex(co, p)))
	}
	return out
}

// firstArg returns the instruction that loads a function's first argument.
func firstArg(co *py.Code) *bytecode.Instr {
	if co.Argcount < 1 || len(co.Varnames) == 0 {
		return nil
	}
	name := co.Varnames[0]
	for i, c := range co.Cellvars {
		if c == name {
			in := bytecode.New(vm.LOAD_DEREF, uint32(i))
			return &in
		}
	}
	in := bytecode.New(vm.LOAD_FAST, 0)
	return &in
}

func fixCell2arg(co *py.Code) {
	if len(co.Cellvars) == 0 || co.Cell2arg != nil {
		return
	}
	nargs := int(co.Argcount + co.Kwonlyargcount)
	if co.Flags&py.CO_VARARGS != 0 {
		nargs++
	}
	if co.Flags&py.CO_VARKEYWORDS != 0 {
		nargs++
	}
	if nargs > len(co.Varnames) {
		nargs = len(co.Varnames)
	}
	c2a := make([]byte, len(co.Cellvars))
	any := false
	for i, name := range co.Cellvars {
		c2a[i] = py.CO_CELL_NOT_AN_ARG
		for j := 0; j < nargs && j < 255; j++ {
			if co.Varnames[j] == name {
				c2a[i] = byte(j)
				any = true
				break
			}
		}
	}
	if any {
		co.Cell2arg = c2a
	}
}

func (f *fixer) fixDerefs(co *py.Code, ins []bytecode.Instr, out map[int]uint32) error {
	ncell, nfree := len(co.Cellvars), len(co.Freevars)
	cellIdx := func(name string) int {
		for i, c := range co.Cellvars {
			if c == name {
				return i
			}
		}
		return -1
	}
	freeIdx := func(name string) int {
		for i, c := range co.Freevars {
			if c == name {
				return i
			}
		}
		return -1
	}
	// LOAD_CLOSURE runs feeding MAKE_CLOSURE: exact, from the child's Freevars.
	for i := 0; i < len(ins); i++ {
		if ins[i].Op != vm.BUILD_TUPLE {
			continue
		}
		n := int(ins[i].Arg)
		if n == 0 || i-n < 0 || i+1 >= len(ins) || ins[i+1].Op != vm.LOAD_CONST {
			continue
		}
		child, ok := co.Consts[ins[i+1].Arg].(*py.Code)
		if !ok || len(child.Freevars) != n {
			continue
		}
		run := true
		for k := i - n; k < i; k++ {
			if ins[k].Op != vm.LOAD_CLOSURE {
				run = false
			}
		}
		if !run {
			continue
		}
		for k := 0; k < n; k++ {
			name := child.Freevars[k]
			if c := cellIdx(name); c >= 0 {
				out[i-n+k] = uint32(c)
			} else if fi := freeIdx(name); fi >= 0 {
				out[i-n+k] = uint32(ncell + fi)
			}
		}
	}
	for i, in := range ins {
		switch in.Op {
		case vm.LOAD_DEREF, vm.STORE_DEREF, vm.DELETE_DEREF, vm.LOAD_CLASSDEREF:
		default:
			continue
		}
		a := int(in.Arg)
		isCell, isFree := a < ncell, a < nfree
		switch {
		case isCell && !isFree:
			// already right
		case isFree && !isCell:
			out[i] = uint32(ncell + a)
		case isCell && isFree:
			if f.chooseFree(co, in, co.Cellvars[a], co.Freevars[a]) {
				out[i] = uint32(ncell + a)
			}
		}
	}
	return nil
}

// chooseFree decides whether an ambiguous deref names the free variable
// free (rather than the cell variable cell) from the names on its line.
func (f *fixer) chooseFree(co *py.Code, in bytecode.Instr, cell, free string) bool {
	f.parse()
	line := int(co.Addr2Line(int32(in.Pos)))
	var want ast.ExprContext
	switch in.Op {
	case vm.STORE_DEREF:
		want = ast.Store
	case vm.DELETE_DEREF:
		want = ast.Del
	default:
		want = ast.Load
	}
	var uses []nameUse
	for _, u := range f.names[line] {
		if (u.name == cell || u.name == free) && u.ctx == want {
			uses = append(uses, u)
		}
	}
	hasCell, hasFree := false, false
	for _, u := range uses {
		if u.name == cell {
			hasCell = true
		} else {
			hasFree = true
		}
	}
	switch {
	case hasFree && !hasCell:
		return true
	case hasCell && !hasFree:
		return false
	case !hasCell && !hasFree:
		return false
	}
	// Both on one line: take them in source order.
	m := f.perLine[co]
	if m == nil {
		m = map[int]int{}
		f.perLine[co] = m
	}
	k := m[line]
	m[line] = k + 1
	sort.SliceStable(uses, func(a, b int) bool { return uses[a].col < uses[b].col })
	if k < len(uses) {
		return uses[k].name == free
	}
	return false
}

func (f *fixer) parse() {
	if f.parsed {
		return
	}
	f.parsed = true
	f.names = map[int][]nameUse{}
	mode := f.mode
	if mode == "" {
		mode = py.ExecMode
	}
	tree, err := parser.Parse(bytes.NewBufferString(f.src), "<fix>", mode)
	if err != nil {
		f.parseErr = err
		return
	}
	add := func(line int, name string, ctx ast.ExprContext, col int) {
		f.names[line] = append(f.names[line], nameUse{name: name, ctx: ctx, col: col})
	}
	ast.Walk(tree, func(n ast.Ast) bool {
		switch x := n.(type) {
		case *ast.Name:
			add(x.Lineno, string(x.Id), x.Ctx, x.ColOffset)
		case *ast.FunctionDef:
			add(x.Lineno, string(x.Name), ast.Store, x.ColOffset)
		case *ast.ClassDef:
			add(x.Lineno, string(x.Name), ast.Store, x.ColOffset)
		case *ast.ExceptHandler:
			if x.Name != "" {
				add(x.Lineno, string(x.Name), ast.Store, x.ColOffset)
			}
		case *ast.Import:
			for _, a := range x.Names {
				name := string(a.AsName)
				if name == "" {
					name, _, _ = strings.Cut(string(a.Name), ".")
				}
				add(x.Lineno, name, ast.Store, x.ColOffset)
			}
		case *ast.ImportFrom:
			for _, a := range x.Names {
				name := string(a.AsName)
				if name == "" {
					name = string(a.Name)
				}
				add(x.Lineno, name, ast.Store, x.ColOffset)
			}
		}
		return true
	})
}

// fixDecoratedDefaults works around gpython's compiler loading a def's
// decorators after its defaults and annotations: MAKE_FUNCTION would take
// the decorators for defaults. The function is made bare, then a helper
// takes the defaults, annotations and decorators off the stack in one
// tuple, sets the function's defaults, and gives back the decorators and
// the function for the CALL_FUNCTIONs that follow.
func fixDecoratedDefaults(co *py.Code, in bytecode.Instr, i int, all []bytecode.Instr, constIdx func(py.Object) uint32) []bytecode.Instr {
	npos := int(in.Arg & 0xff)
	nkw := int((in.Arg >> 8) & 0xff)
	nann := int((in.Arg >> 16) & 0x7fff)
	nd := npos + 2*nkw + nann
	if nd == 0 || i < 2 || all[i-2].Op != vm.LOAD_CONST {
		return nil
	}
	fco, ok := co.Consts[all[i-2].Arg].(*py.Code)
	if !ok || strings.HasPrefix(fco.Name, "<") {
		return nil
	}
	k := 0
	for j := i + 1; j < len(all) && all[j].Op == vm.CALL_FUNCTION && all[j].Arg == 1; j++ {
		k++
	}
	if k == 0 {
		return nil
	}
	h := &Helper{Name: "def", Fn: func(args py.Tuple) (py.Object, error) {
		t := args[0].(py.Tuple)
		fn, ok := t[len(t)-1].(*py.Function)
		if !ok {
			return nil, py.ExceptionNewf(py.SystemError, "gowsgi: decorated def: no function")
		}
		d := t[:nd]
		decos := t[nd : nd+k]
		// as gpython's MAKE_FUNCTION pops them: annotations (names tuple
		// last), then keyword-only defaults (name, value pairs), then
		// positional defaults
		p := len(d)
		if nann > 0 {
			names, _ := d[p-1].(py.Tuple)
			p--
			anns := py.NewStringDict()
			for n := len(names) - 1; n >= 0; n-- {
				p--
				if s, ok := names[n].(py.String); ok {
					anns[string(s)] = d[p]
				}
			}
			fn.Annotations = anns
		}
		if nkw > 0 {
			defs := py.NewStringDict()
			for n := 0; n < nkw; n++ {
				p -= 2
				if s, ok := d[p].(py.String); ok {
					defs[string(s)] = d[p+1]
				}
			}
			fn.KwDefaults = defs
		}
		if npos > 0 {
			fn.Defaults = append(py.Tuple{}, d[p-npos:p]...)
		}
		out := make(py.Tuple, 0, k+1)
		out = append(out, fn)
		for n := len(decos) - 1; n >= 0; n-- {
			out = append(out, decos[n])
		}
		return out, nil
	}}
	bare := in
	bare.Arg = 0
	return []bytecode.Instr{
		bare,
		bytecode.New(vm.BUILD_TUPLE, uint32(nd+k+1)),
		bytecode.New(vm.LOAD_CONST, constIdx(h)),
		bytecode.New(vm.ROT_TWO, 0),
		bytecode.New(vm.CALL_FUNCTION, 1),
		bytecode.New(vm.UNPACK_SEQUENCE, uint32(k+1)),
	}
}

// fixWalrusLocals finds the targets of assignment expressions in co (see
// Rewrite): in a function each becomes a local variable (added to Varnames
// when gpython's compiler took it for a global). It maps each target to
// its local index, or -1 at module or class level (stored by name).
func fixWalrusLocals(co *py.Code, ins []bytecode.Instr) map[string]int {
	var out map[string]int
	for _, in := range ins {
		if in.Op != vm.LOAD_CONST {
			continue
		}
		s, ok := co.Consts[in.Arg].(py.String)
		if !ok || !strings.HasPrefix(string(s), walrusPrefix) {
			continue
		}
		name := strings.TrimPrefix(string(s), walrusPrefix)
		if out == nil {
			out = map[string]int{}
		}
		if _, done := out[name]; done {
			continue
		}
		out[name] = -1
		if co.Flags&py.CO_OPTIMIZED == 0 {
			continue
		}
		idx := -1
		for j, v := range co.Varnames {
			if v == name {
				idx = j
			}
		}
		for _, c := range co.Cellvars {
			if c == name {
				idx = -2
			}
		}
		if idx == -1 {
			co.Varnames = append(co.Varnames, name)
			co.Nlocals++
			idx = len(co.Varnames) - 1
		}
		out[name] = idx
	}
	return out
}

// walrusStore turns __walrus__(value, '__walrus__:x') into a store of the
// value to x that leaves the value on the stack.
func walrusStore(co *py.Code, in bytecode.Instr, i int, all []bytecode.Instr, idx map[string]int) []bytecode.Instr {
	if in.Arg != 2 || i == 0 || all[i-1].Op != vm.LOAD_CONST || idx == nil {
		return nil
	}
	s, ok := co.Consts[all[i-1].Arg].(py.String)
	if !ok || !strings.HasPrefix(string(s), walrusPrefix) {
		return nil
	}
	name := strings.TrimPrefix(string(s), walrusPrefix)
	var store bytecode.Instr
	switch n := idx[name]; {
	case n >= 0:
		store = bytecode.New(vm.STORE_FAST, uint32(n))
	case n == -2:
		for j, c := range co.Cellvars {
			if c == name {
				store = bytecode.New(vm.STORE_DEREF, uint32(j))
			}
		}
	default:
		store = bytecode.New(vm.STORE_NAME, nameIndex(co, name))
	}
	// [__walrus__, value, marker] -> [value] with value stored
	return []bytecode.Instr{
		bytecode.New(vm.POP_TOP, 0),
		bytecode.New(vm.ROT_TWO, 0),
		bytecode.New(vm.POP_TOP, 0),
		bytecode.New(vm.DUP_TOP, 0),
		store,
	}
}
