package pymod

import (
	"bufio"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/go-python/gpython/py"

	"github.com/gowsgi/gowsgi/runner/engine/gpython/shims"
)

// Stream is BytesIO, StringIO or a file opened with open(): one Go type,
// with text (str) or binary (bytes) items.
type Stream struct {
	t      *py.Type
	text   bool
	buf    []byte // the whole content for BytesIO/StringIO (UTF-8 for text)
	pos    int    // byte offset into buf
	file   *os.File
	rd     *bufio.Reader
	closed bool
	name   string
	mode   string
}

var (
	BytesIOType  = newType("BytesIO", "Buffered I/O implementation using an in-memory bytes buffer.", newBytesIO)
	StringIOType = newType("StringIO", "Text I/O implementation using an in-memory buffer.", newStringIO)
	FileType     = newType("TextIOWrapper", "A file opened with open() (read-only under gowsgi).", nil)
	// UnsupportedOperation is raised for writes to read-only streams.
	UnsupportedOperation = shims.Subclass(py.OSError, "UnsupportedOperation", "Unsupported I/O operation.")
)

// Type of the stream.
func (s *Stream) Type() *py.Type { return s.t }

func newBytesIO(t *py.Type, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
	a, err := parseArgs("BytesIO", args, kwargs, []string{"initial_bytes"}, 0)
	if err != nil {
		return nil, err
	}
	s := &Stream{t: t}
	if a[0] != nil && a[0] != py.None {
		b, ok := a[0].(py.Bytes)
		if !ok {
			return nil, py.ExceptionNewf(py.TypeError, "a bytes-like object is required, not '%s'", shims.TypeName(a[0]))
		}
		s.buf = append([]byte(nil), b...)
	}
	return s, nil
}

func newStringIO(t *py.Type, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
	a, err := parseArgs("StringIO", args, kwargs, []string{"initial_value", "newline"}, 0)
	if err != nil {
		return nil, err
	}
	s := &Stream{t: t, text: true}
	if a[0] != nil && a[0] != py.None {
		v, err := str("StringIO", a[0])
		if err != nil {
			return nil, err
		}
		s.buf = []byte(v)
	}
	return s, nil
}

func (s *Stream) item(b []byte) py.Object {
	if s.text {
		return py.String(b)
	}
	return py.Bytes(b)
}

func (s *Stream) check() error {
	if s.closed {
		return py.ExceptionNewf(py.ValueError, "I/O operation on closed file.")
	}
	return nil
}

// readN reads up to n items (bytes, or code points for text); n < 0 reads all.
func (s *Stream) readN(n int) ([]byte, error) {
	if s.file != nil {
		if n < 0 {
			b, err := io.ReadAll(s.rd)
			if err != nil {
				return nil, osError(err, s.name)
			}
			return b, nil
		}
		if !s.text {
			b := make([]byte, n)
			k, err := io.ReadFull(s.rd, b)
			if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
				return nil, osError(err, s.name)
			}
			return b[:k], nil
		}
		var out []byte
		for i := 0; i < n; i++ {
			r, size, err := s.rd.ReadRune()
			if err != nil {
				break
			}
			_ = size
			out = utf8.AppendRune(out, r)
		}
		return out, nil
	}
	rest := s.buf[s.pos:]
	if n < 0 || n >= len(rest) {
		s.pos = len(s.buf)
		return append([]byte(nil), rest...), nil
	}
	if s.text {
		k := 0
		for i := 0; i < n && k < len(rest); i++ {
			_, size := utf8.DecodeRune(rest[k:])
			k += size
		}
		n = k
	}
	s.pos += n
	return append([]byte(nil), rest[:n]...), nil
}

func (s *Stream) readLine(limit int) ([]byte, error) {
	if s.file != nil {
		var out []byte
		for limit < 0 || len(out) < limit {
			c, err := s.rd.ReadByte()
			if err != nil {
				break
			}
			out = append(out, c)
			if c == '\n' {
				break
			}
		}
		return out, nil
	}
	rest := s.buf[s.pos:]
	i := strings.IndexByte(string(rest), '\n')
	end := len(rest)
	if i >= 0 {
		end = i + 1
	}
	if limit >= 0 && limit < end {
		end = limit
	}
	s.pos += end
	return append([]byte(nil), rest[:end]...), nil
}

// M__iter__ returns the stream.
func (s *Stream) M__iter__() (py.Object, error) { return s, s.check() }

// M__next__ returns the next line.
func (s *Stream) M__next__() (py.Object, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	l, err := s.readLine(-1)
	if err != nil {
		return nil, err
	}
	if len(l) == 0 {
		return nil, py.StopIteration
	}
	return s.item(l), nil
}

// M__enter__ returns the stream.
func (s *Stream) M__enter__() (py.Object, error) { return s, s.check() }

// M__exit__ closes the stream.
func (s *Stream) M__exit__(a, b, c py.Object) (py.Object, error) {
	s.close()
	return py.False, nil
}

func (s *Stream) close() {
	if s.file != nil && !s.closed {
		_ = s.file.Close()
	}
	s.closed = true
}

func registerIO() {
	for _, t := range []*py.Type{BytesIOType, StringIOType, FileType} {
		methods(t, map[string]interface{}{
			"read": func(self py.Object, args py.Tuple) (py.Object, error) {
				s := self.(*Stream)
				if err := s.check(); err != nil {
					return nil, err
				}
				n := -1
				if len(args) > 0 {
					var err error
					if n, err = intArg("read", args[0], -1); err != nil {
						return nil, err
					}
				}
				b, err := s.readN(n)
				if err != nil {
					return nil, err
				}
				return s.item(b), nil
			},
			"readline": func(self py.Object, args py.Tuple) (py.Object, error) {
				s := self.(*Stream)
				if err := s.check(); err != nil {
					return nil, err
				}
				n := -1
				if len(args) > 0 {
					var err error
					if n, err = intArg("readline", args[0], -1); err != nil {
						return nil, err
					}
				}
				b, err := s.readLine(n)
				if err != nil {
					return nil, err
				}
				return s.item(b), nil
			},
			"readlines": func(self py.Object, args py.Tuple) (py.Object, error) {
				s := self.(*Stream)
				if err := s.check(); err != nil {
					return nil, err
				}
				l := py.NewList()
				for {
					b, err := s.readLine(-1)
					if err != nil {
						return nil, err
					}
					if len(b) == 0 {
						return l, nil
					}
					l.Append(s.item(b))
				}
			},
			"write": func(self, arg py.Object) (py.Object, error) {
				s := self.(*Stream)
				if err := s.check(); err != nil {
					return nil, err
				}
				if s.file != nil {
					return nil, py.ExceptionNewf(UnsupportedOperation, "not writable")
				}
				var b []byte
				var n int
				if s.text {
					v, ok := arg.(py.String)
					if !ok {
						return nil, py.ExceptionNewf(py.TypeError, "string argument expected, got '%s'", shims.TypeName(arg))
					}
					b, n = []byte(v), utf8.RuneCountInString(string(v))
				} else {
					v, ok := arg.(py.Bytes)
					if !ok {
						return nil, py.ExceptionNewf(py.TypeError, "a bytes-like object is required, not '%s'", shims.TypeName(arg))
					}
					b, n = v, len(v)
				}
				end := s.pos + len(b)
				if end > len(s.buf) {
					s.buf = append(s.buf, make([]byte, end-len(s.buf))...)
				}
				copy(s.buf[s.pos:], b)
				s.pos = end
				return py.Int(n), nil
			},
			"writelines": func(self, arg py.Object) (py.Object, error) {
				w := self.Type().Dict["write"].(*py.Method)
				return py.None, shims.Iterate(arg, func(it py.Object) error {
					_, err := w.Call(self, py.Tuple{it})
					return err
				})
			},
			"getvalue": func(self py.Object) (py.Object, error) {
				s := self.(*Stream)
				if err := s.check(); err != nil {
					return nil, err
				}
				return s.item(append([]byte(nil), s.buf...)), nil
			},
			"seek": func(self py.Object, args py.Tuple) (py.Object, error) {
				s := self.(*Stream)
				if err := s.check(); err != nil {
					return nil, err
				}
				if len(args) < 1 || len(args) > 2 {
					return nil, py.ExceptionNewf(py.TypeError, "seek() takes 1 or 2 arguments")
				}
				off, err := intArg("seek", args[0], 0)
				if err != nil {
					return nil, err
				}
				whence := 0
				if len(args) == 2 {
					if whence, err = intArg("seek", args[1], 0); err != nil {
						return nil, err
					}
				}
				if s.file != nil {
					p, err := s.file.Seek(int64(off), whence)
					if err != nil {
						return nil, osError(err, s.name)
					}
					s.rd.Reset(s.file)
					return py.Int(p), nil
				}
				switch whence {
				case 1:
					off += s.pos
				case 2:
					off += len(s.buf)
				}
				if off < 0 {
					return nil, py.ExceptionNewf(py.ValueError, "negative seek value %d", off)
				}
				s.pos = off
				return py.Int(off), nil
			},
			"tell": func(self py.Object) (py.Object, error) {
				s := self.(*Stream)
				if s.file != nil {
					p, err := s.file.Seek(0, io.SeekCurrent)
					if err != nil {
						return nil, osError(err, s.name)
					}
					return py.Int(int(p) - s.rd.Buffered()), nil
				}
				return py.Int(s.pos), nil
			},
			"truncate": func(self py.Object, args py.Tuple) (py.Object, error) {
				s := self.(*Stream)
				if s.file != nil {
					return nil, py.ExceptionNewf(UnsupportedOperation, "not writable")
				}
				n := s.pos
				if len(args) > 0 && args[0] != py.None {
					var err error
					if n, err = intArg("truncate", args[0], s.pos); err != nil {
						return nil, err
					}
				}
				if n < len(s.buf) {
					s.buf = s.buf[:n]
				}
				return py.Int(n), nil
			},
			"close": func(self py.Object) (py.Object, error) {
				self.(*Stream).close()
				return py.None, nil
			},
			"flush":    func(self py.Object) (py.Object, error) { return py.None, nil },
			"readable": func(self py.Object) (py.Object, error) { return py.True, nil },
			"writable": func(self py.Object) (py.Object, error) { return py.NewBool(self.(*Stream).file == nil), nil },
			"seekable": func(self py.Object) (py.Object, error) { return py.True, nil },
			"isatty":   func(self py.Object) (py.Object, error) { return py.False, nil },
		})
		t.Dict["closed"] = &py.Property{Fget: func(self py.Object) (py.Object, error) { return py.NewBool(self.(*Stream).closed), nil }}
	}
	FileType.Dict["name"] = &py.Property{Fget: func(self py.Object) (py.Object, error) { return py.String(self.(*Stream).name), nil }}
	FileType.Dict["mode"] = &py.Property{Fget: func(self py.Object) (py.Object, error) { return py.String(self.(*Stream).mode), nil }}
	open := fn("open", builtinOpen)
	shims.AddBuiltin(open)
	register("io", "The io module (BytesIO, StringIO, open).", []*py.Method{open}, py.StringDict{
		"BytesIO":              BytesIOType,
		"StringIO":             StringIOType,
		"TextIOWrapper":        FileType,
		"UnsupportedOperation": UnsupportedOperation,
		"DEFAULT_BUFFER_SIZE":  py.Int(8192),
		"SEEK_SET":             py.Int(0),
		"SEEK_CUR":             py.Int(1),
		"SEEK_END":             py.Int(2),
	})
}

// builtinOpen is open(): read-only, and confined to the app directory.
func builtinOpen(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
	a, err := parseArgs("open", args, kwargs, []string{"file", "mode", "buffering", "encoding", "errors", "newline", "closefd", "opener"}, 1)
	if err != nil {
		return nil, err
	}
	name, err := str("open", a[0])
	if err != nil {
		return nil, py.ExceptionNewf(py.TypeError, "expected str, bytes or os.PathLike object, not %s", shims.TypeName(a[0]))
	}
	mode := "r"
	if a[1] != nil {
		if mode, err = str("open", a[1]); err != nil {
			return nil, err
		}
	}
	if strings.ContainsAny(mode, "wax+") {
		return nil, py.ExceptionNewf(py.PermissionError, "open(%s, %s): files are read-only on gowsgi's gpython engine", shims.Quote(name), shims.Quote(mode))
	}
	if a[3] != nil && a[3] != py.None {
		enc, err := str("open", a[3])
		if err != nil {
			return nil, err
		}
		switch strings.ToLower(strings.ReplaceAll(enc, "_", "-")) {
		case "utf-8", "utf8":
		default:
			return nil, py.ExceptionNewf(py.LookupError, "open(): only utf-8 text files are supported by gowsgi's gpython engine, not %s", enc)
		}
	}
	full, err := confine(self, name)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(full)
	if err != nil {
		return nil, osError(err, name)
	}
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		f.Close()
		return nil, py.ExceptionNewf(py.IsADirectoryError, "[Errno 21] Is a directory: %s", shims.Quote(name))
	}
	return &Stream{t: FileType, text: !strings.Contains(mode, "b"), file: f, rd: bufio.NewReaderSize(f, 64<<10), name: name, mode: mode}, nil
}
