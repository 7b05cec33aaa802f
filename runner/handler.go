package runner

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gowsgi/gowsgi/environ"
	"github.com/gowsgi/gowsgi/runner/logging"
)

var envBufs = sync.Pool{New: func() any { b := make([]byte, 0, 2048); return &b }}

// mount serves one app under a URL prefix ("" for the root).
type mount struct {
	prefix     string
	app        *App
	tracebacks bool // error pages show tracebacks
}

func (m *mount) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a := m.app
	cw := &countingWriter{ResponseWriter: w}
	start := time.Now()
	out := m.serve(cw, w, r)
	e := logging.Entry{
		Time:      start,
		Remote:    r.RemoteAddr,
		Method:    r.Method,
		URI:       r.RequestURI,
		Proto:     r.Proto,
		Status:    cw.status,
		Bytes:     cw.bytes,
		Duration:  time.Since(start),
		Referer:   r.Referer(),
		UserAgent: r.UserAgent(),
		Note:      out.note,
		Traceback: out.traceback,
		Worker:    out.worker,
	}
	if out.abort {
		e.Note = strings.TrimPrefix(e.Note+"; connection cut: the response could not be completed", "; ")
	}
	a.log.Access(e)
	if out.abort {
		// The status line has gone out: cutting the connection is the only
		// way left to tell the client the body is not complete. What the
		// client may have goes out first.
		http.NewResponseController(w).Flush()
		panic(http.ErrAbortHandler)
	}
}

// served is what the access log needs to know beyond status and size.
type served struct {
	note      string
	traceback string
	worker    int
	abort     bool
}

// serve answers r on w; raw is the writer under w, which http.MaxBytesReader
// needs to mark the connection for closing.
func (m *mount) serve(w, raw http.ResponseWriter, r *http.Request) served {
	a := m.app
	if a.cfg.MaxBody > 0 && r.ContentLength > a.cfg.MaxBody {
		m.errorPage(w, r, http.StatusRequestEntityTooLarge, "the request body is too large",
			fmt.Sprintf("The request body is %d bytes; this server accepts at most %d (--max-body).", r.ContentLength, a.cfg.MaxBody), "")
		return served{note: "body over --max-body"}
	}
	bp := envBufs.Get().(*[]byte)
	defer envBufs.Put(bp)
	env, err := environ.Build((*bp)[:0], r, environ.Site{ScriptName: m.prefix})
	*bp = env
	if err != nil {
		m.errorPage(w, r, http.StatusBadRequest, "bad request", err.Error(), "")
		return served{note: err.Error()}
	}

	l, err := a.acquire(r.Context())
	switch {
	case errors.Is(err, errQueueTimeout):
		w.Header().Set("Retry-After", "1")
		m.errorPage(w, r, http.StatusServiceUnavailable, "the server is busy",
			fmt.Sprintf("All %d threads stayed busy for %s (--queue-timeout). Try again shortly.", a.cfg.Threads*a.cfg.Workers, a.cfg.QueueTimeout), "")
		return served{note: "no free thread within --queue-timeout"}
	case errors.Is(err, errBroken):
		ie := a.Broken()
		if ie == nil {
			ie = &ImportError{At: time.Now()}
		}
		m.errorPage(w, r, http.StatusInternalServerError, "the app failed to load",
			fmt.Sprintf("The app's code did not import at %s. Fix it and save: gowsgi reloads by itself.", ie.At.Format("15:04:05")), ie.Traceback)
		return served{note: "the app does not import"}
	case errors.Is(err, errClosed):
		w.Header().Set("Connection", "close")
		m.errorPage(w, r, http.StatusServiceUnavailable, "the server is shutting down", "", "")
		return served{note: "shutting down"}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return served{note: "client left while queued"}
	case err != nil:
		m.errorPage(w, r, http.StatusInternalServerError, "internal error", err.Error(), "")
		return served{note: err.Error()}
	}

	body := r.Body
	if a.cfg.MaxBody > 0 {
		body = http.MaxBytesReader(raw, r.Body, a.cfg.MaxBody)
	}
	x := &exchange{app: a, l: l, w: w, r: r, body: body}
	out := x.serve(env)
	worker := int(l.w.id.Load())
	a.release(l)

	s := served{traceback: out.traceback, worker: worker, abort: out.abort, note: out.note}
	switch {
	case out.cancelled:
		s.note = "client went away"
	case out.errStatus != 0:
		s.note = out.errTitle
		if out.detail != "" && out.traceback == "" && out.errStatus == http.StatusInternalServerError {
			s.note += ": " + out.detail
		}
		m.errorPage(w, r, out.errStatus, out.errTitle, out.detail, out.traceback)
	}
	return s
}

// countingWriter remembers the status and counts body bytes for the log.
type countingWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (c *countingWriter) WriteHeader(code int) {
	if c.status == 0 {
		c.status = code
	}
	c.ResponseWriter.WriteHeader(code)
}

func (c *countingWriter) Write(p []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	n, err := c.ResponseWriter.Write(p)
	c.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the real writer (to flush).
func (c *countingWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }

// addHeaders adds --add-header values to every response, error pages too.
func addHeaders(h http.Handler, headers [][2]string) http.Handler {
	if len(headers) == 0 {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, kv := range headers {
			w.Header().Add(kv[0], kv[1])
		}
		h.ServeHTTP(w, r)
	})
}
