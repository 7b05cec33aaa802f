// Package wire is the framing between gowsgi and its Python worker processes.
//
// Every message is a frame: one type byte, a big-endian uint32 payload
// length, then the payload. docs/protocol.md describes the conversation; this
// package only moves frames, so both the Go side of the runner and the
// embedded gpython worker use it.
package wire

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Version is the protocol version a worker announces in its HELLO frame.
const Version = "gowsgi-wire/2"

// MaxPayload bounds one frame so that a confused peer cannot make us allocate
// without limit. Bodies travel in many frames, never in one.
const MaxPayload = 16 << 20

// MaxChunk is the most body bytes, or log and traceback text, that one frame
// carries: longer bodies are split over several frames, longer text is cut.
// A worker asks for at most this much body at a time.
const MaxChunk = 1 << 20

// HeaderSize is the size of a frame header.
const HeaderSize = 5

// Frame types on the control socket (fd 3).
const (
	Hello   byte = 'H' // worker → go: "gowsgi-wire/2\0engine\0version\0executable\0pid\0protocols"
	Import  byte = 'I' // go → worker: JSON WorkerConfig; import the app
	Ready   byte = 'K' // worker → go: the app imported; payload is JSON ReadyInfo (may be empty)
	Preload byte = 'P' // go → worker (a spare, before Import): JSON PreloadConfig
	Failed  byte = 'F' // worker → go: the app did not import; payload is the traceback
	Quit    byte = 'Q' // go → worker: finish what is in flight and exit
)

// Frame types on a lane (fd 4 and up, one per worker thread).
const (
	Request   byte = 'R' // go → worker: the environ, NUL-separated key/value pairs
	Body      byte = 'B' // go → worker: request body bytes; empty means end of body
	BodyError byte = 'X' // go → worker: the request body could not be read; payload says why
	Cancel    byte = 'C' // go → worker: the client left or the request timed out

	Read  byte = 'r' // worker → go: uint32 BE, the most body bytes wanted now
	Start byte = 'S' // worker → go: "status\0name\0value\0..." in latin-1
	Data  byte = 'D' // worker → go: response body bytes
	End   byte = 'E' // worker → go: the response is complete
	Fail  byte = 'F' // worker → go: the app raised; payload is the traceback
	Log   byte = 'L' // worker → go: text the app wrote to wsgi.errors
	// Exception: worker → go, JSON: the exception of the Fail that follows,
	// or the one a framework logged before answering its own 500 (the
	// Start that follows). Its frames, source and local variables are for
	// the debug page; a worker may leave it out.
	Exception byte = 'x'
)

// ErrTooLarge is returned for a frame whose header announces more than MaxPayload.
var ErrTooLarge = errors.New("wire: frame larger than MaxPayload")

// Reader reads frames. The payload it returns is valid until the next call.
type Reader struct {
	r   *bufio.Reader
	buf []byte
	h   [HeaderSize]byte // here, not on the stack: passed to an io.Reader it would escape, an allocation per frame
}

// bufSize is a Reader's and a Writer's buffer: enough for the frames of a
// typical request (an environ, a page); a larger payload goes straight
// through. Every lane of every worker has one of each, alive for the
// worker's life, so it is most of the Go process's heap: 64 KiB each made
// the Go process 4 MiB larger for 2 workers of 20 threads, and made no
// request faster.
const bufSize = 16 << 10

// NewReader returns a Reader on r with a buffer big enough for typical frames.
func NewReader(r io.Reader) *Reader {
	return &Reader{r: bufio.NewReaderSize(r, bufSize)}
}

// Next reads one frame.
func (r *Reader) Next() (typ byte, payload []byte, err error) {
	h := &r.h
	if _, err = io.ReadFull(r.r, h[:]); err != nil {
		return 0, nil, err
	}
	n := binary.BigEndian.Uint32(h[1:])
	if n > MaxPayload {
		return 0, nil, ErrTooLarge
	}
	if int(n) > cap(r.buf) {
		r.buf = make([]byte, n)
	}
	r.buf = r.buf[:n]
	if _, err = io.ReadFull(r.r, r.buf); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return 0, nil, err
	}
	return h[0], r.buf, nil
}

// Buffered reports whether a complete frame header is already buffered, so a
// caller can tell "more is coming right now" from "the peer is still working".
func (r *Reader) Buffered() bool { return r.r.Buffered() >= HeaderSize }

// Writer writes frames through a buffer; call Flush to send them.
type Writer struct {
	w *bufio.Writer
	h [HeaderSize]byte // as Reader.h
}

// NewWriter returns a Writer on w.
func NewWriter(w io.Writer) *Writer {
	return &Writer{w: bufio.NewWriterSize(w, bufSize)}
}

// Write buffers one frame.
func (w *Writer) Write(typ byte, payload []byte) error {
	if len(payload) > MaxPayload {
		return ErrTooLarge
	}
	h := &w.h
	h[0] = typ
	binary.BigEndian.PutUint32(h[1:], uint32(len(payload)))
	if _, err := w.w.Write(h[:]); err != nil {
		return err
	}
	_, err := w.w.Write(payload)
	return err
}

// WriteString buffers one frame whose payload is s.
func (w *Writer) WriteString(typ byte, s string) error {
	if len(s) > MaxPayload {
		return ErrTooLarge
	}
	h := &w.h
	h[0] = typ
	binary.BigEndian.PutUint32(h[1:], uint32(len(s)))
	if _, err := w.w.Write(h[:]); err != nil {
		return err
	}
	_, err := w.w.WriteString(s)
	return err
}

// Send writes one frame and flushes it.
func (w *Writer) Send(typ byte, payload []byte) error {
	if err := w.Write(typ, payload); err != nil {
		return err
	}
	return w.w.Flush()
}

// Flush sends what is buffered.
func (w *Writer) Flush() error { return w.w.Flush() }

// Pairs splits a NUL-separated "k\0v\0k\0v" payload into pairs.
func Pairs(payload []byte) ([][2]string, error) {
	if len(payload) == 0 {
		return nil, nil
	}
	parts := strings.Split(string(payload), "\x00")
	if len(parts)%2 != 0 {
		return nil, fmt.Errorf("wire: odd number of fields (%d) in a key/value payload", len(parts))
	}
	out := make([][2]string, 0, len(parts)/2)
	for i := 0; i < len(parts); i += 2 {
		out = append(out, [2]string{parts[i], parts[i+1]})
	}
	return out, nil
}

// AppendPair appends "k\0v" to a NUL-separated payload, with a separator
// before it when dst is not empty.
func AppendPair(dst []byte, k, v string) []byte {
	if len(dst) > 0 {
		dst = append(dst, 0)
	}
	dst = append(dst, k...)
	dst = append(dst, 0)
	return append(dst, v...)
}

// WorkerConfig is the IMPORT payload: what a worker must load and how it is shaped.
type WorkerConfig struct {
	App          string   `json:"app"`          // "pkg.module.attr" or "pkg.module:attr"
	Protocol     string   `json:"protocol"`     // "wsgi" (ASGI comes later)
	Root         string   `json:"root"`         // the app directory, first on sys.path and the cwd
	PythonPath   []string `json:"pythonpath"`   // more sys.path entries, after Root
	Threads      int      `json:"threads"`      // lanes in this worker
	WorkerID     int      `json:"worker_id"`    // 1-based, for log tags
	Multiprocess bool     `json:"multiprocess"` // wsgi.multiprocess
	Multithread  bool     `json:"multithread"`  // wsgi.multithread
	// Fresh lists the directories whose modules must be imported anew by
	// every generation: the app's own code (Root, PythonPath, --watch dirs).
	Fresh []string `json:"fresh"`
	// Changed are the files whose change caused this reload: the worker
	// compiles the Python ones the app did not import (a Django views.py is
	// imported by the first request), so that a syntax error is reported now.
	Changed []string `json:"changed,omitempty"`
	// ImportTimeout is --import-timeout in seconds (0: none). gowsgi stops a
	// worker whose import runs longer; a worker may answer F first, with
	// where the import was at that moment.
	ImportTimeout float64 `json:"import_timeout,omitempty"`
	// Lifespan is the ASGI lifespan mode: "auto", "on" or "off".
	Lifespan string `json:"lifespan,omitempty"`
}

// ReadyInfo is the READY payload.
type ReadyInfo struct {
	// Preload names the modules the app imported from outside the Fresh
	// directories (its libraries: flask, jinja2, django...). A warm spare
	// imports them ahead of the next reload.
	Preload []string `json:"preload"`
	// Files are the source files of the modules it imported from the Fresh
	// directories: the app's own code. A change to one reloads this app only.
	Files []string `json:"files"`
	// Notes are lines for the banner about what the worker added, such as
	// Django's static files in development.
	Notes []string `json:"notes"`
	// Uncompiled are the changed Python files that do not compile:
	// "views.py: invalid syntax (line 3)".
	Uncompiled []string `json:"uncompiled,omitempty"`
}

// PreloadConfig is the PRELOAD payload: import these modules now, with the
// app's sys.path and working directory, and ignore any that fail.
type PreloadConfig struct {
	Root       string   `json:"root"`
	PythonPath []string `json:"pythonpath"`
	Modules    []string `json:"modules"`
}
