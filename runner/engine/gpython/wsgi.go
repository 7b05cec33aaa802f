package gpython

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/go-python/gpython/py"

	"github.com/gowsgi/gowsgi/runner/engine/gpython/shims"
	"github.com/gowsgi/gowsgi/runner/wire"
)

// readSize is how many body bytes wsgi.input asks for at a time.
const readSize = 65536

// boxedKeys are the wsgi.* environ keys as Python strs, boxed once.
var boxedKeys = map[string]py.Object{}

func init() {
	for _, k := range []string{"wsgi.version", "wsgi.input", "wsgi.errors", "wsgi.multithread", "wsgi.multiprocess", "wsgi.run_once", "wsgi.input_terminated", "wsgi.file_wrapper"} {
		boxedKeys[k] = py.String(k)
	}
}

// environ builds the WSGI environ from an R frame: the pairs are latin-1
// (WSGI's native strings), so each byte becomes one code point.
func (req *request) environ(payload []byte) (*shims.Dict, error) {
	n := bytes.Count(payload, []byte{0}) + 1
	if len(payload) == 0 {
		n = 0
	}
	if n%2 != 0 {
		return nil, fmt.Errorf("odd number of fields (%d) in the environ", n)
	}
	env := shims.NewDictSized(n/2 + 8)
	hasBody := true
	// One copy of the payload; ASCII fields are substrings of it, fields
	// with bytes >= 0x80 are decoded as latin-1 (one byte, one code point).
	all := string(payload)
	field := func(s string) string {
		for i := 0; i < len(s); i++ {
			if s[i] >= 0x80 {
				return shims.Latin1([]byte(s))
			}
		}
		return s
	}
	var parts []string
	if all != "" {
		parts = strings.Split(all, "\x00")
	}
	for i := 0; i+1 < len(parts); i += 2 {
		key, val := parts[i], parts[i+1]
		if key == "gowsgi.body" {
			hasBody = val != "0"
			continue
		}
		k := field(key)
		ko, ok := req.l.envKeys[k]
		if !ok {
			ko = py.String(k)
			if req.l.envKeys == nil {
				req.l.envKeys = map[string]py.Object{}
			}
			if len(req.l.envKeys) < 512 {
				req.l.envKeys[strings.Clone(k)] = ko
			}
		}
		env.SetStrBoxed(k, ko, py.String(field(val)))
	}
	w := req.l.w
	req.input = &inputStream{req: req, eof: !hasBody}
	req.errors = &errorStream{req: req}
	env.SetStrBoxed("wsgi.version", boxedKeys["wsgi.version"], py.Tuple{py.Int(1), py.Int(0)})
	env.SetStrBoxed("wsgi.input", boxedKeys["wsgi.input"], req.input)
	env.SetStrBoxed("wsgi.errors", boxedKeys["wsgi.errors"], req.errors)
	env.SetStrBoxed("wsgi.multithread", boxedKeys["wsgi.multithread"], py.NewBool(w.cfg.Multithread))
	env.SetStrBoxed("wsgi.multiprocess", boxedKeys["wsgi.multiprocess"], py.NewBool(w.cfg.Multiprocess))
	env.SetStrBoxed("wsgi.run_once", boxedKeys["wsgi.run_once"], py.False)
	env.SetStrBoxed("wsgi.input_terminated", boxedKeys["wsgi.input_terminated"], py.True)
	env.SetStrBoxed("wsgi.file_wrapper", boxedKeys["wsgi.file_wrapper"], fileWrapperType)
	return env, nil
}

// inputStream is wsgi.input: the request body, pulled from gowsgi with r
// frames as the app reads it.
type inputStream struct {
	req *request
	buf []byte
	eof bool
}

var inputType = newPyType("Input", "wsgi.input: the request body")

func (*inputStream) Type() *py.Type { return inputType }

// fill asks gowsgi for more body bytes (want, between readSize and
// wire.MaxChunk) and waits for the answer.
func (in *inputStream) fill(want int) error {
	req := in.req
	l := req.l
	if req.done {
		// a wsgi.input kept past its request must not read the next one's body
		return py.ExceptionNewf(py.OSError, "wsgi.input read after its response ended")
	}
	if req.cancel.Cancelled() {
		return in.cancelled()
	}
	if want < readSize {
		want = readSize
	}
	if want > wire.MaxChunk {
		want = wire.MaxChunk
	}
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(want))
	if err := l.out.Send(wire.Read, n[:]); err != nil {
		in.eof = true
		req.lost = true
		return py.ExceptionNewf(py.OSError, "gowsgi: the request body is gone (lane closed)")
	}
	for {
		f, ok := <-l.frames
		if !ok {
			in.eof = true
			req.lost = true
			return py.ExceptionNewf(py.OSError, "gowsgi: the request body is gone (lane closed)")
		}
		switch f.typ {
		case wire.Body:
			if len(f.payload) == 0 {
				in.eof = true
			} else {
				in.buf = append(in.buf, f.payload...)
			}
			return nil
		case wire.BodyError:
			in.eof = true
			return py.ExceptionNewf(py.OSError, "%s", shims.Latin1(f.payload))
		case wire.Cancel:
			return in.cancelled()
		}
	}
}

func (in *inputStream) cancelled() error {
	in.eof = true
	in.req.st.Cancelled = true
	return py.ExceptionNewf(shims.RequestCancelled, "request cancelled by gowsgi while reading the body")
}

func (in *inputStream) read(size int) ([]byte, error) {
	if size < 0 {
		for !in.eof {
			if err := in.fill(wire.MaxChunk); err != nil {
				return nil, err
			}
		}
		out := in.buf
		in.buf = nil
		return out, nil
	}
	for len(in.buf) < size && !in.eof {
		if err := in.fill(size - len(in.buf)); err != nil {
			return nil, err
		}
	}
	if size > len(in.buf) {
		size = len(in.buf)
	}
	out := append([]byte(nil), in.buf[:size]...)
	in.buf = in.buf[size:]
	return out, nil
}

func (in *inputStream) readline(size int) ([]byte, error) {
	for {
		if i := bytes.IndexByte(in.buf, '\n'); i >= 0 {
			end := i + 1
			if size >= 0 && size < end {
				end = size
			}
			out := append([]byte(nil), in.buf[:end]...)
			in.buf = in.buf[end:]
			return out, nil
		}
		if in.eof || (size >= 0 && size <= len(in.buf)) {
			end := len(in.buf)
			if size >= 0 && size < end {
				end = size
			}
			out := append([]byte(nil), in.buf[:end]...)
			in.buf = in.buf[end:]
			return out, nil
		}
		if err := in.fill(readSize); err != nil {
			return nil, err
		}
	}
}

// M__iter__ returns the stream (lines).
func (in *inputStream) M__iter__() (py.Object, error) { return in, nil }

// M__next__ returns the next line.
func (in *inputStream) M__next__() (py.Object, error) {
	l, err := in.readline(-1)
	if err != nil {
		return nil, err
	}
	if len(l) == 0 {
		return nil, py.StopIteration
	}
	return py.Bytes(l), nil
}

func sizeArg(fname string, args py.Tuple) (int, error) {
	if len(args) == 0 || args[0] == py.None {
		return -1, nil
	}
	if len(args) > 1 {
		return 0, py.ExceptionNewf(py.TypeError, "%s() takes at most 1 argument (%d given)", fname, len(args))
	}
	n, ok := args[0].(py.Int)
	if !ok {
		return 0, py.ExceptionNewf(py.TypeError, "%s() argument must be int or None, not %s", fname, shims.TypeName(args[0]))
	}
	return int(n), nil
}

// errorStream is wsgi.errors: text for gowsgi's log, sent a line at a time.
type errorStream struct {
	req     *request
	pending strings.Builder
	done    bool // the request is over: writes go to stderr
}

var errorsType = newPyType("Errors", "wsgi.errors: text for the server log")

func (*errorStream) Type() *py.Type { return errorsType }

func (e *errorStream) write(s string) {
	if e.done {
		e.req.l.w.errOut.WriteString(s)
		return
	}
	e.pending.WriteString(s)
	if e.pending.Len() > 65536 && !strings.Contains(s, "\n") {
		e.flush()
		return
	}
	p := e.pending.String()
	if i := strings.LastIndexByte(p, '\n'); i >= 0 {
		_ = e.req.l.out.Write(wire.Log, textPayload(p[:i]))
		e.pending.Reset()
		e.pending.WriteString(p[i+1:])
	}
}

func (e *errorStream) flush() {
	if e == nil || e.pending.Len() == 0 || e.done {
		return
	}
	_ = e.req.l.out.Write(wire.Log, textPayload(e.pending.String()))
	e.pending.Reset()
}

// fileWrapper is wsgi.file_wrapper: iterates a file-like object in blocks
// and closes it.
type fileWrapper struct {
	filelike py.Object
	blksize  int
	done     bool
}

var fileWrapperType = newPyType("FileWrapper", "wsgi.file_wrapper(filelike, blksize=8192)")

func (*fileWrapper) Type() *py.Type { return fileWrapperType }

// M__iter__ returns the wrapper.
func (f *fileWrapper) M__iter__() (py.Object, error) { return f, nil }

// M__next__ reads the next block.
func (f *fileWrapper) M__next__() (py.Object, error) {
	if f.done {
		return nil, py.StopIteration
	}
	read, err := py.GetAttrString(f.filelike, "read")
	if err != nil {
		return nil, err
	}
	data, err := py.Call(read, py.Tuple{py.Int(f.blksize)}, nil)
	if err != nil {
		return nil, err
	}
	if ok, _ := shims.Truth(data); !ok {
		f.done = true
		return nil, py.StopIteration
	}
	return data, nil
}

func newPyType(name, doc string) *py.Type {
	t := &py.Type{ObjectType: py.TypeType, Name: name, Doc: doc, Dict: py.StringDict{}}
	if err := t.Ready(); err != nil {
		panic(err)
	}
	return t
}

func init() {
	m := func(t *py.Type, name string, f interface{}) { t.Dict[name] = py.MustNewMethod(name, f, 0, "") }
	m(inputType, "read", func(self py.Object, args py.Tuple) (py.Object, error) {
		n, err := sizeArg("read", args)
		if err != nil {
			return nil, err
		}
		b, err := self.(*inputStream).read(n)
		if err != nil {
			return nil, err
		}
		return py.Bytes(b), nil
	})
	m(inputType, "readline", func(self py.Object, args py.Tuple) (py.Object, error) {
		n, err := sizeArg("readline", args)
		if err != nil {
			return nil, err
		}
		b, err := self.(*inputStream).readline(n)
		if err != nil {
			return nil, err
		}
		return py.Bytes(b), nil
	})
	m(inputType, "readlines", func(self py.Object, args py.Tuple) (py.Object, error) {
		hint, err := sizeArg("readlines", args)
		if err != nil {
			return nil, err
		}
		in := self.(*inputStream)
		l := py.NewList()
		total := 0
		for {
			b, err := in.readline(-1)
			if err != nil {
				return nil, err
			}
			if len(b) == 0 {
				return l, nil
			}
			l.Append(py.Bytes(b))
			total += len(b)
			if hint > 0 && total >= hint {
				return l, nil
			}
		}
	})
	m(errorsType, "write", func(self, arg py.Object) (py.Object, error) {
		s, ok := arg.(py.String)
		if !ok {
			return nil, py.ExceptionNewf(py.TypeError, "wsgi.errors.write() takes str, not %s", shims.TypeName(arg))
		}
		self.(*errorStream).write(string(s))
		return py.None, nil
	})
	m(errorsType, "writelines", func(self, arg py.Object) (py.Object, error) {
		return py.None, shims.Iterate(arg, func(it py.Object) error {
			s, ok := it.(py.String)
			if !ok {
				return py.ExceptionNewf(py.TypeError, "wsgi.errors.write() takes str, not %s", shims.TypeName(it))
			}
			self.(*errorStream).write(string(s))
			return nil
		})
	})
	m(errorsType, "flush", func(self py.Object) (py.Object, error) {
		self.(*errorStream).flush()
		return py.None, nil
	})
	fileWrapperType.New = func(t *py.Type, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		if len(args) < 1 || len(args) > 2 {
			return nil, py.ExceptionNewf(py.TypeError, "FileWrapper(filelike, blksize=8192)")
		}
		bs := 8192
		if len(args) == 2 {
			n, ok := args[1].(py.Int)
			if !ok || n <= 0 {
				return nil, py.ExceptionNewf(py.TypeError, "blksize must be a positive int")
			}
			bs = int(n)
		}
		if v, ok := kwargs["blksize"].(py.Int); ok && v > 0 {
			bs = int(v)
		}
		return &fileWrapper{filelike: args[0], blksize: bs}, nil
	}
	m(fileWrapperType, "close", func(self py.Object) (py.Object, error) {
		f := self.(*fileWrapper)
		f.done = true
		if c, err := py.GetAttrString(f.filelike, "close"); err == nil {
			return py.Call(c, nil, nil)
		}
		return py.None, nil
	})
}
