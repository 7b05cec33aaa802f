package pymod

import (
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/go-python/gpython/py"

	"github.com/gowsgi/gowsgi/runner/engine/gpython/shims"
)

var sources = struct {
	sync.Mutex
	m map[string][]string
}{m: map[string][]string{}}

// RememberSource keeps the text of a compiled file for tracebacks.
func RememberSource(path, src string) {
	sources.Lock()
	sources.m[path] = strings.Split(src, "\n")
	sources.Unlock()
}

// SourceLine returns line n (1-based) of a file, or "".
func SourceLine(path string, n int) string {
	sources.Lock()
	lines, ok := sources.m[path]
	sources.Unlock()
	if !ok {
		b, err := os.ReadFile(path)
		if err != nil {
			return ""
		}
		RememberSource(path, string(b))
		lines = strings.Split(string(b), "\n")
	}
	if n < 1 || n > len(lines) {
		return ""
	}
	return strings.TrimRight(lines[n-1], "\r")
}

// TracebackLine is the line a traceback entry points at: gpython records
// the offset after the failing instruction, which can name the next line.
func TracebackLine(tb *py.Traceback) int {
	if tb.Frame == nil || tb.Frame.Code == nil {
		return int(tb.Lineno)
	}
	if tb.Lasti > 0 {
		return int(tb.Frame.Code.Addr2Line(tb.Lasti - 1))
	}
	return int(tb.Lineno)
}

// recursiveCutoff is how many identical entries in a row a traceback
// shows before it says how many more there were (CPython's rule: a
// recursion overflow is not a thousand identical entries).
const recursiveCutoff = 3

func repeated(n int) string {
	n -= recursiveCutoff
	s := "s"
	if n == 1 {
		s = ""
	}
	return fmt.Sprintf("  [Previous line repeated %d more time%s]\n", n, s)
}

// FormatTB renders the "File ..., line ..., in ..." entries of tb.
func FormatTB(tb *py.Traceback) []string {
	var out []string
	last, count := "", 0
	for ; tb != nil; tb = tb.Next {
		file, name := "?", "?"
		if tb.Frame != nil && tb.Frame.Code != nil {
			file, name = tb.Frame.Code.Filename, tb.Frame.Code.Name
		}
		line := TracebackLine(tb)
		s := fmt.Sprintf("  File \"%s\", line %d, in %s\n", file, line, name)
		if src := strings.TrimSpace(SourceLine(file, line)); src != "" {
			s += "    " + src + "\n"
		}
		if s != last {
			if count > recursiveCutoff {
				out = append(out, repeated(count))
			}
			last, count = s, 0
		}
		if count++; count <= recursiveCutoff {
			out = append(out, s)
		}
	}
	if count > recursiveCutoff {
		out = append(out, repeated(count))
	}
	return out
}

// ExceptionLine is the last line of a traceback: "Type: message".
func ExceptionLine(e *py.Exception) string {
	name := e.Base.Name
	if e.Base.Flags&py.TPFLAGS_HEAPTYPE != 0 {
		if m, ok := e.Base.Dict["__module__"].(py.String); ok && m != "builtins" && m != "__main__" {
			name = string(m) + "." + name
		}
	}
	msg, err := shims.Str(e)
	if err != nil {
		msg = fmt.Sprintf("<exception str() failed: %v>", err)
	}
	if msg == "" {
		return name + "\n"
	}
	return name + ": " + msg + "\n"
}

// FormatSyntaxError renders a SyntaxError the way CPython does.
func FormatSyntaxError(e *py.Exception) string {
	var b strings.Builder
	file, _ := e.Dict["filename"].(py.String)
	line, _ := e.Dict["lineno"].(py.Int)
	if file != "" || line != 0 {
		fmt.Fprintf(&b, "  File \"%s\", line %d\n", file, line)
		text, _ := e.Dict["line"].(py.String)
		src := string(text)
		if src == "" {
			src = SourceLine(string(file), int(line))
		}
		src = strings.TrimRight(src, "\r\n")
		if strings.TrimSpace(src) != "" {
			trimmed := strings.TrimLeft(src, " \t")
			fmt.Fprintf(&b, "    %s\n", trimmed)
			if off, ok := e.Dict["offset"].(py.Int); ok && off > 0 {
				col := int(off) - (len(src) - len(trimmed))
				if col < 1 {
					col = 1
				}
				fmt.Fprintf(&b, "    %s^\n", strings.Repeat(" ", col-1))
			}
		}
	}
	msg := ""
	if args := shims.ExcArgs(e); len(args) > 0 {
		msg, _ = shims.Str(args[0])
	}
	fmt.Fprintf(&b, "%s: %s\n", e.Base.Name, msg)
	return b.String()
}

// FormatException renders an exception with its traceback like CPython.
func FormatException(e *py.Exception, tb *py.Traceback) string {
	var b strings.Builder
	if tb != nil {
		b.WriteString("Traceback (most recent call last):\n")
		for _, l := range FormatTB(tb) {
			b.WriteString(l)
		}
	}
	if e.Base.IsSubtype(py.SyntaxError) {
		if _, ok := e.Dict["lineno"]; ok {
			b.WriteString(FormatSyntaxError(e))
			return b.String()
		}
	}
	b.WriteString(ExceptionLine(e))
	return b.String()
}

func handled(self py.Object) (*py.Exception, *py.Traceback) {
	st := stateOf(self)
	if st == nil {
		return nil, nil
	}
	return st.HandledExc, st.HandledTB
}

func registerTraceback() {
	formatExc := func(self py.Object) string {
		e, tb := handled(self)
		if e == nil {
			return "NoneType: None\n"
		}
		return FormatException(e, tb)
	}
	write := func(self py.Object, file py.Object, s string) error {
		if file == nil || file == py.None {
			m, _ := self.(*py.Module)
			if m == nil {
				return nil
			}
			sys, err := m.Context.GetModule("sys")
			if err != nil {
				return err
			}
			file = sys.Globals["stderr"]
		}
		w, err := py.GetAttrString(file, "write")
		if err != nil {
			return err
		}
		_, err = py.Call(w, py.Tuple{py.String(s)}, nil)
		return err
	}
	excArg := func(args py.Tuple) (*py.Exception, *py.Traceback) {
		var e *py.Exception
		var tb *py.Traceback
		for _, a := range args {
			switch x := a.(type) {
			case *py.Exception:
				e = x
			case *py.Traceback:
				tb = x
			}
		}
		return e, tb
	}
	register("traceback", "Format exceptions (gowsgi subset).", []*py.Method{
		fn("format_exc", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			return py.String(formatExc(self)), nil
		}),
		fn("print_exc", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			a, err := parseArgs("print_exc", args, kwargs, []string{"limit", "file", "chain"}, 0)
			if err != nil {
				return nil, err
			}
			return py.None, write(self, a[1], formatExc(self))
		}),
		fn("format_exception", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			e, tb := excArg(args)
			if e == nil {
				return py.NewListFromStrings([]string{"NoneType: None\n"}), nil
			}
			if tb == nil {
				if he, htb := handled(self); he == e {
					tb = htb
				}
			}
			var out []string
			if tb != nil {
				out = append(out, "Traceback (most recent call last):\n")
				out = append(out, FormatTB(tb)...)
			}
			out = append(out, ExceptionLine(e))
			return py.NewListFromStrings(out), nil
		}),
		fn("format_exception_only", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			e, _ := excArg(args)
			if e == nil {
				return py.NewListFromStrings([]string{"NoneType: None\n"}), nil
			}
			return py.NewListFromStrings([]string{ExceptionLine(e)}), nil
		}),
		fn("print_exception", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			e, tb := excArg(args)
			if e == nil {
				return py.None, nil
			}
			return py.None, write(self, kwargs["file"], FormatException(e, tb))
		}),
		fn("format_tb", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			_, tb := excArg(args)
			return py.NewListFromStrings(FormatTB(tb)), nil
		}),
	}, nil)
}
