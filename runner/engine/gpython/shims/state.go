package shims

import (
	"sync"
	"sync/atomic"

	"github.com/go-python/gpython/py"
)

// State is what gowsgi keeps per gpython context: the guards (recursion
// depth, cancellation), the exception being handled (for sys.exc_info and
// traceback.format_exc) and the app's file-system root. A context is used by
// one goroutine at a time; only its request's Cancel is shared.
type State struct {
	Ctx  py.Context
	Root string // open() and os.listdir are confined to this directory

	depth      int
	MaxDepth   int
	Tripped    bool    // the recursion limit was hit: replace the context
	cancel     *Cancel // the request being served, nil between requests
	Cancelled  bool    // a cancellation was raised: replace the context
	HandledExc *py.Exception
	HandledTB  *py.Traceback

	// Failed remembers modules whose import raised, so that a second import
	// raises again instead of returning a half-initialised module.
	Failed map[string]error

	// genReturns holds the return values of finished generators until a
	// `yield from` reads them (cleared per request).
	genReturns map[*py.Frame]py.Object
}

// DefaultMaxDepth is the recursion limit of a context (CPython's default).
const DefaultMaxDepth = 1000

var states sync.Map // py.Context -> *State

// Attach creates the state of ctx.
func Attach(ctx py.Context, root string) *State {
	st := &State{Ctx: ctx, Root: root, MaxDepth: DefaultMaxDepth, Failed: map[string]error{}}
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

// Cancel is one request's cancellation. The lane's reader goroutine makes
// one for each request and cancels it when a C frame comes; the context
// serving the request checks it. It is never reset, so a cancel that comes
// early (even with the request, in one write) is not lost.
type Cancel struct {
	flag atomic.Bool
	once sync.Once
	ch   chan struct{}
}

// NewCancel returns a request's cancellation, not cancelled.
func NewCancel() *Cancel { return &Cancel{ch: make(chan struct{})} }

// Cancel cancels the request; safe to call from any goroutine, more than once.
func (c *Cancel) Cancel() {
	c.once.Do(func() {
		c.flag.Store(true)
		close(c.ch)
	})
}

// Cancelled reports whether Cancel was called (false for a nil Cancel).
func (c *Cancel) Cancelled() bool { return c != nil && c.flag.Load() }

// BeginRequest resets the per-request parts of the state and binds the
// context's cancellation checks (the call guards, time.sleep) to c.
func (st *State) BeginRequest(c *Cancel) {
	st.depth = 0
	st.HandledExc = nil
	st.HandledTB = nil
	st.genReturns = nil
	st.Tripped, st.Cancelled = false, false
	st.cancel = c
}

// Shield unbinds the cancellation: what runs next (the response's close(),
// which PEP 3333 promises) runs to its end, as it does on CPython.
func (st *State) Shield() { st.cancel = nil }

// Unwound resets the call depth after a Go panic went through the Python
// frames without unwinding the guards' counts.
func (st *State) Unwound() { st.depth = 0 }

// IsCancelled reports whether the request being served was cancelled.
func (st *State) IsCancelled() bool { return st.cancel.Cancelled() }

// CancelChan is closed when the request being served is cancelled; between
// requests it is nil, which never fires.
func (st *State) CancelChan() <-chan struct{} {
	if st.cancel == nil {
		return nil
	}
	return st.cancel.ch
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
			if st.cancel.Cancelled() {
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
				res, err := runFrame(frame)
				if err != nil {
					frame.Yielded = false // a generator that raised is finished
				}
				return res, err
			}
			if st.cancel.Cancelled() {
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
			if err != nil {
				frame.Yielded = false // a generator that raised is finished
			}
			if err == nil && !frame.Yielded && res != nil && res != py.None && frame.Code.Flags&py.CO_GENERATOR != 0 {
				if st.genReturns == nil {
					st.genReturns = map[*py.Frame]py.Object{}
				}
				st.genReturns[frame] = res
			}
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
