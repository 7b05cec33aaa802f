package wsgi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/gowsgi/gowsgi/environ"
	"github.com/gowsgi/gowsgi/runner/config"
	"github.com/gowsgi/gowsgi/runner/logging"
	"github.com/gowsgi/gowsgi/runner/pool"
	"github.com/gowsgi/gowsgi/runner/router"
)

var envBufs = sync.Pool{New: func() any { b := make([]byte, 0, 2048); return &b }}

// Handler serves one WSGI app at a mount path: it builds the environ,
// borrows a lane from the app's pool and runs the exchange over it.
type Handler struct {
	prefix string // SCRIPT_NAME: "" for the root mount, else "/api"
	pool   *pool.Pool
	cfg    config.Pool
	log    *logging.Logger
}

// New makes the handler of the app mounted at path ("/" or "/api").
func New(path string, p *pool.Pool, cfg config.Pool, log *logging.Logger) *Handler {
	return &Handler{prefix: strings.TrimRight(path, "/"), pool: p, cfg: cfg, log: log}
}

func (m *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := router.RecordOf(w)
	*rec = m.serve(w, r)
}

// serve answers r on w.
func (m *Handler) serve(w http.ResponseWriter, r *http.Request) router.Record {
	a := m
	if a.cfg.MaxBody > 0 && r.ContentLength > a.cfg.MaxBody {
		router.Error(w, r, http.StatusRequestEntityTooLarge, "the request body is too large",
			fmt.Sprintf("The request body is %d bytes; this server accepts at most %d (--max-body).", r.ContentLength, a.cfg.MaxBody), "")
		return router.Record{Note: "body over --max-body"}
	}
	bp := envBufs.Get().(*[]byte)
	defer envBufs.Put(bp)
	site := environ.Site{ScriptName: m.prefix}
	if r.TLS != nil {
		site.URLScheme = "https"
	}
	env, err := environ.Build((*bp)[:0], r, site)
	*bp = env
	if err != nil {
		router.Error(w, r, http.StatusBadRequest, "bad request", err.Error(), "")
		return router.Record{Note: err.Error()}
	}

	var body io.Reader
	if r.Body != nil && r.Body != http.NoBody {
		body = r.Body
		if a.cfg.MaxBody > 0 {
			// MaxBytesReader marks the connection for closing through the
			// server's own writer, under the router's.
			raw := w
			if u, ok := w.(interface{ Unwrap() http.ResponseWriter }); ok {
				raw = u.Unwrap()
			}
			body = http.MaxBytesReader(raw, r.Body, a.cfg.MaxBody)
		}
	}
	progress, xw, body := a.guard(w, r, body)
	if body == nil {
		body = http.NoBody
	} else {
		rest, release, stalled, bad := readAhead(progress, body)
		defer release()
		var tooLarge *http.MaxBytesError
		switch {
		case stalled != "":
			w.Header().Set("Connection", "close")
			router.Error(w, r, http.StatusRequestTimeout, "the client sent the request too slowly",
				fmt.Sprintf("The request body did not arrive in time (%s).", stalled), "")
			return router.Record{Note: "the client sent its body too slowly (" + stalled + ")"}
		case errors.As(bad, &tooLarge):
			router.Error(w, r, http.StatusRequestEntityTooLarge, "the request body is too large",
				fmt.Sprintf("The request body is larger than this server accepts (--max-body %d bytes).", tooLarge.Limit), "")
			return router.Record{Note: "body over --max-body"}
		case bad != nil:
			// Cut short or malformed (chunked framing): the client's fault,
			// answered before any thread of the app is taken.
			w.Header().Set("Connection", "close")
			router.Error(w, r, http.StatusBadRequest, "the request body is malformed",
				fmt.Sprintf("The request body could not be read (%v).", bad), "")
			return router.Record{Note: "the request body is malformed: " + bad.Error()}
		}
		body = rest
	}

	l, err := a.pool.Acquire(r.Context())
	switch {
	case errors.Is(err, pool.ErrQueueTimeout):
		w.Header().Set("Retry-After", "1")
		router.Error(w, r, http.StatusServiceUnavailable, "the server is busy",
			fmt.Sprintf("All %d threads stayed busy for %s (--queue-timeout). Try again shortly.", a.cfg.Threads*a.cfg.Workers, a.cfg.QueueTimeout), "")
		return router.Record{Note: "no free thread within --queue-timeout"}
	case errors.Is(err, pool.ErrBroken):
		detail, traceback := a.pool.Broken().Page()
		router.Error(w, r, http.StatusInternalServerError, "the app failed to load", detail, traceback)
		return router.Record{Note: "the app does not import"}
	case errors.Is(err, pool.ErrClosed):
		w.Header().Set("Connection", "close")
		router.Error(w, r, http.StatusServiceUnavailable, "the server is shutting down", "", "")
		return router.Record{Note: "shutting down"}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		// Cut, so that net/http does not make up an empty 200 for a client
		// that only half-closed its side.
		return router.Record{Note: "client left while queued", Abort: true}
	case err != nil:
		router.Error(w, r, http.StatusInternalServerError, "internal error", err.Error(), "")
		return router.Record{Note: err.Error()}
	}

	x := &exchange{h: a, l: l, w: xw, r: r, body: body, progress: progress}
	out := x.serve(env)
	worker := l.Worker()
	a.pool.Release(l)

	s := router.Record{Traceback: out.traceback, Exception: out.exception, Worker: worker, Abort: out.abort, Note: out.note}
	switch {
	case out.cancelled:
		s.Note = "client went away"
		s.Abort = true // neither a made-up 200 nor a cut body that looks complete
	case out.errStatus != 0:
		s.Note = out.errTitle
		if out.detail != "" && out.traceback == "" && out.errStatus == http.StatusInternalServerError {
			s.Note += ": " + out.detail
		}
		router.ExceptionPage(w, r, out.errStatus, out.errTitle, out.detail, out.traceback, out.exception)
	}
	return s
}
