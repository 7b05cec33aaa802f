package pyrt

import (
	"io"
	"strings"
	"sync"

	"github.com/go-python/gpython/py"

	"github.com/gowsgi/gowsgi/runner/engine/gpython/shims"
)

// SharedWriter serialises whole lines from many contexts onto one writer,
// so that lines printed by different lanes never interleave.
type SharedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

// NewSharedWriter wraps w.
func NewSharedWriter(w io.Writer) *SharedWriter { return &SharedWriter{w: w} }

// WriteString writes s in one call.
func (s *SharedWriter) WriteString(str string) {
	if s == nil || s.w == nil || str == "" {
		return
	}
	s.mu.Lock()
	_, _ = io.WriteString(s.w, str)
	s.mu.Unlock()
}

// LineWriter is sys.stdout / sys.stderr of one context: line-buffered onto
// a SharedWriter.
type LineWriter struct {
	name    string
	out     *SharedWriter
	pending strings.Builder
}

// LineWriterType is the Python type of LineWriter.
var LineWriterType = py.NewType("TextIOWrapper", "a line-buffered text stream")

// Type of the writer.
func (*LineWriter) Type() *py.Type { return LineWriterType }

// Write buffers s and sends every complete line.
func (l *LineWriter) Write(s string) {
	if !strings.Contains(s, "\n") {
		l.pending.WriteString(s)
		if l.pending.Len() > 64<<10 {
			l.Flush()
		}
		return
	}
	i := strings.LastIndexByte(s, '\n')
	l.pending.WriteString(s[:i+1])
	l.out.WriteString(l.pending.String())
	l.pending.Reset()
	l.pending.WriteString(s[i+1:])
}

// Flush sends a partial line.
func (l *LineWriter) Flush() {
	if l.pending.Len() == 0 {
		return
	}
	l.out.WriteString(l.pending.String())
	l.pending.Reset()
}

func init() {
	LineWriterType.Dict["write"] = py.MustNewMethod("write", func(self, arg py.Object) (py.Object, error) {
		s, ok := arg.(py.String)
		if !ok {
			return nil, py.ExceptionNewf(py.TypeError, "write() argument must be str, not %s", shims.TypeName(arg))
		}
		self.(*LineWriter).Write(string(s))
		return py.Int(len([]rune(string(s)))), nil
	}, 0, "")
	LineWriterType.Dict["writelines"] = py.MustNewMethod("writelines", func(self, arg py.Object) (py.Object, error) {
		return py.None, shims.Iterate(arg, func(it py.Object) error {
			s, ok := it.(py.String)
			if !ok {
				return py.ExceptionNewf(py.TypeError, "write() argument must be str, not %s", shims.TypeName(it))
			}
			self.(*LineWriter).Write(string(s))
			return nil
		})
	}, 0, "")
	LineWriterType.Dict["flush"] = py.MustNewMethod("flush", func(self py.Object) (py.Object, error) {
		self.(*LineWriter).Flush()
		return py.None, nil
	}, 0, "")
	LineWriterType.Dict["isatty"] = py.MustNewMethod("isatty", func(self py.Object) (py.Object, error) {
		return py.False, nil
	}, 0, "")
	LineWriterType.Dict["encoding"] = py.String("utf-8")
}
