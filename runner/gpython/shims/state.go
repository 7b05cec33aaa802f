package shims

import (
	"sync"
	"sync/atomic"

	"github.com/go-python/gpython/py"
)

// State is what gowsgi keeps per gpython context: the guards (recursion
// depth, cancellation), the exception being handled (for sys.exc_info and
// traceback.format_exc) and the app's file-system root. A context is used by
// one goroutine at a time, so only the cancellation fields are shared.
type State struct {
	Ctx  py.Context
	Root string // open() and os.listdir are confined to this directory

	depth      int
	MaxDepth   int
	Tripped    bool // the recursion limit was hit: replace the context
	cancelled  atomic.Bool
	cancelMu   sync.Mutex
	cancelCh   chan struct{}
	Cancelled  bool // a cancellation was raised: replace the context
	HandledExc *py.Exception
	HandledTB  *py.Traceback

	// Failed remembers modules whose import raised, so that a second import
	// raises again instead of returning a half-initialised module.
	Failed map[string]error
}

// DefaultMaxDepth is the recursion limit of a context (CPython's default).
const DefaultMaxDepth = 1000

var states sync.Map // py.Context -> *State

// Attach creates the state of ctx.
func Attach(ctx py.Context, root string) *State {
	st := &State{Ctx: ctx, Root: root, MaxDepth: DefaultMaxDepth, cancelCh: make(chan struct{}), Failed: map[string]error{}}
	states.Store(ctx, st)
	return st
}

// Detach forgets the state of ctx (when the context is discarded).
func Detach(ctx py.Context) { states.Delete(ctx) }

// StateOf returns the state of ctx, or nil for a context gowsgi did not make.
func StateOf(ctx py.Context) *State {
	if ctx == nil {
		return nil
	}
	v, ok := states.Load(ctx)
	if !ok {
		return nil
	}
	return v.(*State)
}

// Cancel asks the code running in the context to stop: the next Python-level
// call (or a time.sleep in progress) raises RequestCancelled. Safe to call
// from any goroutine.
func (st *State) Cancel() {
	if st.cancelled.Swap(true) {
		return
	}
	st.cancelMu.Lock()
	close(st.cancelCh)
	st.cancelMu.Unlock()
}

// ResetCancel clears a cancellation before the next request.
func (st *State) ResetCancel() {
	if !st.cancelled.Load() {
		return
	}
	st.cancelMu.Lock()
	st.cancelCh = make(chan struct{})
	st.cancelled.Store(false)
	st.cancelMu.Unlock()
}

// IsCancelled reports whether Cancel was called since the last ResetCancel.
func (st *State) IsCancelled() bool { return st.cancelled.Load() }

// CancelChan is closed when the context is cancelled.
func (st *State) CancelChan() <-chan struct{} {
	st.cancelMu.Lock()
	defer st.cancelMu.Unlock()
	return st.cancelCh
}

// BeginRequest resets the per-request parts of the state.
func (st *State) BeginRequest() {
	st.depth = 0
	st.HandledExc = nil
	st.HandledTB = nil
}

// RecursionError is raised when a context's call depth passes its limit.
var RecursionError = Subclass(py.RuntimeError, "RecursionError", "Recursion limit exceeded.")

// RequestCancelled is raised inside a request that gowsgi cancelled (the
// client left or --timeout passed). It derives from BaseException so that
// `except Exception:` does not swallow it.
var RequestCancelled = Subclass(py.BaseException, "RequestCancelled", "The request was cancelled by gowsgi.")

// ModuleNotFoundError is ImportError's subclass for a module that is not there.
var ModuleNotFoundError = Subclass(py.ImportError, "ModuleNotFoundError", "Module not found.")

var hooksOnce sync.Once

// installGuards wraps gpython's call hooks with the per-context recursion
// limit and cancellation check.
func installGuards() {
	hooksOnce.Do(func() {
		evalCode := py.VmEvalCode
		py.VmEvalCode = func(ctx py.Context, co *py.Code, globals, locals py.StringDict, args []py.Object, kws py.StringDict, defs []py.Object, kwdefs py.StringDict, closure py.Tuple) (py.Object, error) {
			st := StateOf(ctx)
			if st == nil {
				return evalCode(ctx, co, globals, locals, args, kws, defs, kwdefs, closure)
			}
			if st.cancelled.Load() {
				st.Cancelled = true
				return nil, py.ExceptionNewf(RequestCancelled, "request cancelled by gowsgi (client gone or --timeout)")
			}
			st.depth++
			if st.depth > st.MaxDepth {
				st.depth--
				st.Tripped = true
				return nil, py.ExceptionNewf(RecursionError, "maximum recursion depth exceeded")
			}
			res, err := evalCode(ctx, co, globals, locals, args, kws, defs, kwdefs, closure)
			st.depth--
			return res, err
		}
		runFrame := py.VmRunFrame
		py.VmRunFrame = func(frame *py.Frame) (py.Object, error) {
			st := StateOf(frame.Context)
			if st == nil {
				return runFrame(frame)
			}
			if st.cancelled.Load() {
				st.Cancelled = true
				return nil, py.ExceptionNewf(RequestCancelled, "request cancelled by gowsgi (client gone or --timeout)")
			}
			st.depth++
			if st.depth > st.MaxDepth {
				st.depth--
				st.Tripped = true
				return nil, py.ExceptionNewf(RecursionError, "maximum recursion depth exceeded")
			}
			res, err := runFrame(frame)
			st.depth--
			return res, err
		}
	})
}

// Subclass makes a builtin-style subclass of base (an exception type). The
// type is readied by Install (py.TypeMakeReady): gpython's NewType copies
// the base's flags, READY included, which would skip computing the MRO.
func Subclass(base *py.Type, name, doc string) *py.Type {
	t := base.NewType(name, doc, nil, nil)
	t.Flags &^= py.TPFLAGS_READY | py.TPFLAGS_READYING
	t.ObjectType = py.TypeType
	return t
}
