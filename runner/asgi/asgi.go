// Package asgi serves an ASGI app at a mount path: each HTTP request or
// WebSocket becomes a stream (runner/mux) on one of the app's workers,
// whose event loop runs it as a task. This file is the HTTP side and what
// both share; websocket.go relays WebSockets.
package asgi

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/textproto"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/gowsgi/gowsgi/environ"
	"github.com/gowsgi/gowsgi/runner/config"
	"github.com/gowsgi/gowsgi/runner/logging"
	"github.com/gowsgi/gowsgi/runner/mux"
	"github.com/gowsgi/gowsgi/runner/pool"
	"github.com/gowsgi/gowsgi/runner/router"
)

// Workers is what the handler needs of the app's pool (*pool.Pool).
type Workers interface {
	// Open starts a stream ('h' or 'w', with its scope) on a worker.
	Open(ctx context.Context, typ byte, scope []byte) (*mux.Stream, error)
	// Broken is the import error while the app does not import.
	Broken() *pool.ImportError
}

// Handler serves one ASGI app.
type Handler struct {
	root   string // root_path: "" for the root mount, else "/api"
	pool   Workers
	cfg    config.ASGI
	log    *logging.Logger
	active atomic.Int64 // open requests and WebSockets, for --limit-concurrency
}

// New makes the handler of the app mounted at path ("/" or "/api").
func New(path string, p Workers, cfg config.ASGI, log *logging.Logger) *Handler {
	return &Handler{root: strings.TrimRight(path, "/"), pool: p, cfg: cfg, log: log}
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := router.RecordOf(w)
	if limit := h.cfg.LimitConcurrency; limit > 0 {
		if h.active.Add(1) > int64(limit) {
			h.active.Add(-1)
			w.Header().Set("Retry-After", "1")
			router.Error(w, r, http.StatusServiceUnavailable, "the server is busy",
				fmt.Sprintf("%d requests and WebSockets are open, the most this app takes at once (--limit-concurrency).", limit), "")
			*rec = router.Record{Note: "over --limit-concurrency"}
			return
		}
		defer h.active.Add(-1)
	}
	if isWebSocket(r) {
		*rec = h.serveWebSocket(w, r)
		return
	}
	*rec = h.serveHTTP(w, r)
}

// open starts the stream of r, or answers why it cannot.
func (h *Handler) open(w http.ResponseWriter, r *http.Request, typ byte) (*mux.Stream, *router.Record) {
	st, err := h.pool.Open(r.Context(), typ, h.scope(r, typ))
	switch {
	case err == nil:
		return st, nil
	case errors.Is(err, context.Canceled):
		return nil, &router.Record{Note: "client left while waiting for a worker", Abort: true}
	case errors.Is(err, pool.ErrBroken):
		detail, traceback := h.pool.Broken().Page()
		router.Error(w, r, http.StatusInternalServerError, "the app failed to load", detail, traceback)
		return nil, &router.Record{Note: "the app does not import"}
	case errors.Is(err, pool.ErrClosed):
		w.Header().Set("Connection", "close")
		router.Error(w, r, http.StatusServiceUnavailable, "the server is shutting down", "", "")
		return nil, &router.Record{Note: "shutting down"}
	default:
		w.Header().Set("Retry-After", "1")
		router.Error(w, r, http.StatusServiceUnavailable, "the app is restarting",
			fmt.Sprintf("No worker came to serve it within %s (--queue-timeout): it is being replaced. Try again in a moment.", h.cfg.Pool.QueueTimeout), "")
		return nil, &router.Record{Note: err.Error()}
	}
}

// scope encodes what the worker makes the ASGI scope of: the fields of
// docs/protocol.md's `h` frame, NUL-separated, then the header pairs.
func (h *Handler) scope(r *http.Request, typ byte) []byte {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if typ == 'w' {
		scheme = strings.Replace(scheme, "http", "ws", 1)
	}
	version := "1.1"
	switch {
	case r.ProtoMajor == 2:
		version = "2"
	case r.ProtoMajor == 1 && r.ProtoMinor == 0:
		version = "1.0"
	}
	clientHost, clientPort := splitAddr(r.RemoteAddr)
	serverHost, serverPort := "", ""
	if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if a.Network() == "unix" {
			serverHost = a.String()
		} else {
			serverHost, serverPort = splitAddr(a.String())
		}
	}
	body := "0"
	if typ == 'h' && r.ContentLength != 0 {
		body = "1"
	}
	b := make([]byte, 0, 512)
	for _, f := range []string{r.Method, scheme, version, r.URL.EscapedPath(), r.URL.RawQuery, h.root,
		clientHost, clientPort, serverHost, serverPort, body} {
		b = append(append(b, f...), 0)
	}
	// Go keeps headers in a map, so their order across names is lost; the
	// values of one name keep theirs. Host comes first, then the rest by
	// name, so that the order is at least the same every time.
	b = appendPair(b, "host", r.Host)
	names := make([]string, 0, len(r.Header))
	for k := range r.Header {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		lower := strings.ToLower(k)
		for _, v := range r.Header[k] {
			b = appendPair(b, lower, v)
		}
	}
	return b[:len(b)-1]
}

func appendPair(b []byte, k, v string) []byte {
	b = append(append(b, k...), 0)
	return append(append(b, v...), 0)
}

func splitAddr(a string) (host, port string) {
	host, port, err := net.SplitHostPort(a)
	if err != nil {
		return "", ""
	}
	return host, port
}

// exchange is one HTTP request's conversation with its stream.
type exchange struct {
	h    *Handler
	st   *mux.Stream
	w    http.ResponseWriter
	r    *http.Request
	body io.Reader

	code      int  // from `S`
	started   bool // `S` came
	wrote     bool // the status line went out
	replaced  bool // a framework's own 500 page: the debug page goes out instead
	exception []byte
	buf       []byte // the body's reads
}

func (h *Handler) serveHTTP(w http.ResponseWriter, r *http.Request) router.Record {
	if h.cfg.Pool.MaxBody > 0 && r.ContentLength > h.cfg.Pool.MaxBody {
		router.Error(w, r, http.StatusRequestEntityTooLarge, "the request body is too large",
			fmt.Sprintf("The request body is %d bytes; this server accepts at most %d (--max-body).", r.ContentLength, h.cfg.Pool.MaxBody), "")
		return router.Record{Note: "body over --max-body"}
	}
	st, rec := h.open(w, r, 'h')
	if rec != nil {
		return *rec
	}
	x := &exchange{h: h, st: st, w: w, r: r, body: r.Body}
	if h.cfg.Pool.MaxBody > 0 && r.Body != nil {
		raw := w
		if u, ok := w.(interface{ Unwrap() http.ResponseWriter }); ok {
			raw = u.Unwrap()
		}
		x.body = http.MaxBytesReader(raw, r.Body, h.cfg.Pool.MaxBody)
	}
	ctx := r.Context()
	if t := h.cfg.Pool.Timeout; t > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, t)
		defer cancel()
	}
	return x.serve(ctx)
}

// serve relays the stream's frames until the response is complete.
func (x *exchange) serve(ctx context.Context) router.Record {
	for {
		f, err := x.st.Next(ctx)
		if err != nil {
			return x.interrupted(err)
		}
		if rec, done := x.frame(f); done {
			return rec
		}
	}
}

// frame handles one frame of an HTTP stream (or of a WebSocket's denial
// response); done is true when the exchange is over.
func (x *exchange) frame(f mux.Frame) (rec router.Record, done bool) {
	p := f.Payload
	switch f.Type {
	case 'r':
		if len(p) == 4 {
			return x.read(int(binary.BigEndian.Uint32(p)))
		}
	case 'S':
		if err := x.start(p); err != nil {
			return x.appFailed("the app sent an invalid response start", err.Error(), ""), true
		}
	case 'D':
		if len(p) == 0 {
			break
		}
		more := p[0] == 1
		if !x.started {
			return x.appFailed("the app sent a body before http.response.start", "", ""), true
		}
		if x.replaced {
			if more { // the page in pieces: each is dropped, and acked
				var n [4]byte
				binary.BigEndian.PutUint32(n[:], uint32(len(p)-1))
				x.st.Send('a', n[:])
				break
			}
			x.detach()
			router.ExceptionPage(x.w, x.r, http.StatusInternalServerError, "the app raised an exception", "", "", x.exception)
			return router.Record{Exception: x.exception, Note: "the app raised an exception"}, true
		}
		x.writeHeader()
		if _, err := x.w.Write(p[1:]); err != nil {
			return x.clientGone(), true
		}
		if !more {
			x.detach()
			return router.Record{}, true
		}
		if err := http.NewResponseController(x.w).Flush(); err != nil {
			return x.clientGone(), true
		}
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(p)-1))
		x.st.Send('a', n[:])
	case 'P':
		return x.sendFile(string(p)), true
	case 'x':
		x.exception = p
	case 'F':
		return x.appFailed("the app raised an exception", "", string(p)), true
	case 'E':
		x.st.Close()
		if !x.started {
			router.ExceptionPage(x.w, x.r, http.StatusInternalServerError, "the app returned without starting a response", "", "", nil)
			return router.Record{Note: "the app returned without starting a response"}, true
		}
		return router.Record{Note: "the app returned without completing its response", Abort: true}, true
	}
	return router.Record{}, false
}

// read answers the worker's `r`: at most n body bytes, in one `b`. The
// first read is what sends "100 Continue" to a client that waits for it.
func (x *exchange) read(n int) (router.Record, bool) {
	// One buffer for the request's reads: Send has copied the last one out.
	if want := min(n, 64<<10); cap(x.buf) < want {
		x.buf = make([]byte, want)
	}
	buf := x.buf[:min(n, 64<<10)]
	k, err := 0, error(nil)
	for k == 0 && err == nil {
		k, err = x.body.Read(buf)
	}
	more := byte(1)
	switch {
	case errors.Is(err, io.EOF):
		more = 0
	case err != nil:
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) && !x.started {
			x.st.Send('d')
			x.detach()
			router.Error(x.w, x.r, http.StatusRequestEntityTooLarge, "the request body is too large",
				fmt.Sprintf("The request body is larger than this server accepts (--max-body %d bytes).", tooLarge.Limit), "")
			return router.Record{Note: "body over --max-body"}, true
		}
		return x.clientGone(), true
	}
	x.st.Send('b', []byte{more}, buf[:k])
	return router.Record{}, false
}

// start takes `http.response.start`; the status line waits for the first
// body bytes, so that a body sent whole keeps the app's Content-Length.
func (x *exchange) start(p []byte) error {
	if x.started {
		return errors.New("http.response.start sent twice")
	}
	fields := strings.Split(string(p), "\x00")
	code, err := strconv.Atoi(fields[0])
	if err != nil || code < 100 || code > 999 {
		return fmt.Errorf("status %q is not a number from 100 to 999", fields[0])
	}
	if len(fields)%2 != 1 {
		return errors.New("a header without a value")
	}
	hd := x.w.Header()
	for i := 1; i+1 < len(fields); i += 2 {
		name, value := fields[i], fields[i+1]
		if environ.IsHopByHop(name) {
			continue // the server's business (Connection, Transfer-Encoding)
		}
		if err := environ.CheckHeader(name, value); err != nil {
			return err
		}
		k := textproto.CanonicalMIMEHeaderKey(name)
		hd[k] = append(hd[k], value)
	}
	if _, ok := hd["Content-Type"]; !ok {
		hd["Content-Type"] = nil // the app chose none: Go must not guess one
	}
	x.code, x.started = code, true
	if code == http.StatusInternalServerError && len(x.exception) > 0 && router.DebugPages(x.w) &&
		strings.Contains(x.r.Header.Get("Accept"), "text/html") {
		// A framework (Starlette's ServerErrorMiddleware) answered the
		// exception with its own bare 500 and re-raised it: the worker sent
		// the exception's report first. The developer gets the debug page.
		x.replaced = true
		clear(hd)
	}
	return nil
}

func (x *exchange) writeHeader() {
	if !x.wrote {
		x.wrote = true
		x.w.WriteHeader(x.code)
	}
}

// sendFile answers `http.response.pathsend`: Go sends the file (sendfile).
func (x *exchange) sendFile(path string) router.Record {
	x.detach()
	f, err := os.Open(path)
	var info os.FileInfo
	if err == nil {
		info, err = f.Stat()
		defer f.Close()
	}
	if err != nil || !x.started || info.IsDir() {
		if err == nil {
			err = errors.New("not a file, or no http.response.start before it")
		}
		return x.appFailed("the app's http.response.pathsend failed", err.Error(), "")
	}
	if x.w.Header().Get("Content-Length") == "" {
		x.w.Header().Set("Content-Length", strconv.FormatInt(info.Size(), 10))
	}
	x.writeHeader()
	if _, err := io.Copy(x.w, f); err != nil {
		return router.Record{Note: "client went away", Abort: true}
	}
	return router.Record{}
}

// appFailed answers an exception or a broken message of the app: a 500 page
// while nothing has been sent, else a cut connection.
func (x *exchange) appFailed(title, detail, traceback string) router.Record {
	x.detach()
	rec := router.Record{Traceback: traceback, Exception: x.exception, Note: title}
	if detail != "" {
		rec.Note += ": " + detail
	}
	if x.started {
		rec.Abort = true
		return rec
	}
	router.ExceptionPage(x.w, x.r, http.StatusInternalServerError, title, detail, traceback, x.exception)
	return rec
}

// interrupted handles the end of waiting for the worker: the worker died,
// the request ran past --timeout, or the client left.
func (x *exchange) interrupted(err error) router.Record {
	switch {
	case errors.Is(err, mux.ErrGone):
		x.st.Close()
		if x.started {
			return router.Record{Note: "the worker died", Abort: true}
		}
		router.Error(x.w, x.r, http.StatusBadGateway, "the worker died",
			"The worker process running the app ended during this request; a new one is starting.", "")
		return router.Record{Note: "the worker died"}
	case x.r.Context().Err() == nil: // our own deadline: --timeout
		x.st.Send('k')
		x.detach()
		t := x.h.cfg.Pool.Timeout
		if x.started {
			return router.Record{Note: fmt.Sprintf("stopped at --timeout %s", t), Abort: true}
		}
		router.Error(x.w, x.r, http.StatusGatewayTimeout, fmt.Sprintf("the app did not answer within --timeout %s", t),
			"The request took longer than the server allows; the app's task was cancelled.", "")
		return router.Record{Note: "timeout"}
	}
	return x.clientGone()
}

// clientGone tells the app its client has left.
func (x *exchange) clientGone() router.Record {
	x.st.Send('d')
	x.detach()
	return router.Record{Note: "client went away", Abort: true}
}

// detach leaves the stream to finish on its own; see leftover.
func (x *exchange) detach() { x.st.Detach(x.h.leftover(x.st, x.r.Method+" "+x.r.URL.Path)) }

// leftover handles the frames of a stream nobody waits for any more: the
// app's task may still run (a background task after the response, a task
// that has not seen the disconnect yet). What it sends is answered with a
// disconnect, so that no send() waits for ever, and its exceptions are
// logged.
func (h *Handler) leftover(st *mux.Stream, what string) func(mux.Frame) {
	told := false
	return func(f mux.Frame) {
		switch f.Type {
		case 'F':
			for _, line := range strings.Split(strings.TrimRight(string(f.Payload), "\n"), "\n") {
				h.log.Worker("asgi "+what, line)
			}
		case 'r', 'D', 'W', 'S', 'A', 'P', 'C':
			if !told {
				told = true
				if st.Kind == 'w' {
					st.Send('d', closePayload(1006, ""))
				} else {
					st.Send('d')
				}
			}
		}
	}
}
