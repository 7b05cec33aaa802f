// Package router is the mount table: it sends each request to the mount
// whose path is the longest prefix of the request's path (on segment
// boundaries: /abc is not inside /a), answers what no mount serves, and
// writes one access-log line per request.
package router

import (
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gowsgi/gowsgi/runner/h1"
	"github.com/gowsgi/gowsgi/runner/livereload"
	"github.com/gowsgi/gowsgi/runner/logging"
)

// Route is one mount: a URL path ("/" or "/a/b") and what serves it.
type Route struct {
	Path    string
	Handler http.Handler
}

// Options are a router's site-wide settings.
type Options struct {
	Tracebacks bool            // error pages may show tracebacks
	DebugPages bool            // where tracebacks are shown, exceptions get the debug page
	Live       *livereload.Hub // non-nil: pages reload themselves in development
	AddHeaders [][2]string     // added to every response, error pages too
	HSTS       time.Duration
	Log        *logging.Logger
}

// Router dispatches requests to routes.
type Router struct {
	routes []Route // longest path first
	opts   Options
}

// New makes a router. Paths must be clean and unique (config.Validate
// checks them).
func New(routes []Route, o Options) *Router {
	rs := slices.Clone(routes)
	slices.SortStableFunc(rs, func(a, b Route) int { return len(b.Path) - len(a.Path) })
	return &Router{routes: rs, opts: o}
}

// Match returns the route serving path, or false.
func (rt *Router) Match(path string) (Route, bool) {
	for _, r := range rt.routes {
		if Within(path, r.Path) {
			return r, true
		}
	}
	return Route{}, false
}

// Within reports whether path is at or below the mount path prefix.
func Within(path, prefix string) bool {
	if prefix == "/" {
		return true
	}
	return strings.HasPrefix(path, prefix) && (len(path) == len(prefix) || path[len(prefix)] == '/')
}

func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if rt.opts.Live != nil && strings.HasPrefix(r.URL.Path, livereload.Prefix) {
		rt.opts.Live.ServeHTTP(w, r) // gowsgi's own: not the app's, not logged
		return
	}
	rw := &response{ResponseWriter: w, tracebacks: rt.opts.Tracebacks, debug: rt.opts.DebugPages, live: rt.opts.Live != nil}
	h := w.Header()
	for _, kv := range rt.opts.AddHeaders {
		h.Add(kv[0], kv[1])
	}
	if rt.opts.HSTS > 0 && r.TLS != nil {
		h.Set("Strict-Transport-Security", "max-age="+strconv.FormatInt(int64(rt.opts.HSTS/time.Second), 10))
	}
	if h1.MayTunnel(r) {
		// The connection's guard stops reading requests after this one;
		// it ends here unless a handler takes it over (a WebSocket proxy).
		h.Set("Connection", "close")
	}
	start := time.Now()
	if r.Method == http.MethodConnect {
		// Its target is a host, not a path: it asks a proxy for a tunnel.
		rw.rec.Note = "CONNECT is for proxies"
		Error(rw, r, http.StatusNotImplemented, "this server is not a proxy", "CONNECT asks a proxy for a tunnel; gowsgi serves its own paths only.", "")
	} else if route, ok := rt.Match(r.URL.Path); ok {
		route.Handler.ServeHTTP(rw, r)
	} else {
		Error(rw, r, http.StatusNotFound, "nothing is mounted at this path", "No app or directory is mounted at "+r.URL.Path+".", "")
	}
	rec := &rw.rec
	e := logging.Entry{
		Time:      start,
		Remote:    r.RemoteAddr,
		Method:    r.Method,
		URI:       r.RequestURI,
		Proto:     r.Proto,
		Status:    rw.status,
		Bytes:     rw.bytes,
		Duration:  time.Since(start),
		Referer:   r.Referer(),
		UserAgent: r.UserAgent(),
		Note:      rec.Note,
		Traceback: rec.Traceback,
		Exception: rec.Exception,
		Worker:    rec.Worker,
	}
	if rec.Abort {
		e.Note = strings.TrimPrefix(e.Note+"; connection cut: the response could not be completed", "; ")
	}
	if rt.opts.Log != nil {
		rt.opts.Log.Access(e)
	}
	if rec.Abort {
		// Cutting the connection is the only way left to tell the client
		// the body is not complete, or that there is no answer (net/http
		// would make up an empty 200). What the client may have goes out
		// first.
		if rw.status != 0 {
			http.NewResponseController(w).Flush()
		}
		panic(http.ErrAbortHandler)
	}
}

// Record is what the access log needs to know about a request beyond its
// status and size. Handlers fill it through RecordOf.
type Record struct {
	Note      string // why it ended as it did, when the status does not say
	Traceback string // the app's traceback, when it raised
	Exception []byte // the worker's report of the exception (JSON), when it raised
	Worker    int    // the worker that served it
	Abort     bool   // the response cannot be completed: cut the connection
}

// RecordOf returns the record of the request being answered on w. Outside a
// router (a handler under test) it returns a record nobody reads.
func RecordOf(w http.ResponseWriter) *Record {
	if rw := responseOf(w); rw != nil {
		return &rw.rec
	}
	return &Record{}
}

// LiveReload reports whether HTML answered on w should carry the live
// reload script.
func LiveReload(w http.ResponseWriter) bool {
	rw := responseOf(w)
	return rw != nil && rw.live
}

// liveScriptFor is the script the pages gowsgi writes itself carry on w.
func liveScriptFor(w http.ResponseWriter) string {
	if LiveReload(w) {
		return livereload.ScriptPath
	}
	return ""
}

// responseOf finds the router's writer under w, through the writers that
// handlers wrap around it (they Unwrap, as http.ResponseController expects).
func responseOf(w http.ResponseWriter) *response {
	for {
		switch v := w.(type) {
		case *response:
			return v
		case interface{ Unwrap() http.ResponseWriter }:
			w = v.Unwrap()
		default:
			return nil
		}
	}
}

// response remembers the status and counts body bytes for the log.
type response struct {
	http.ResponseWriter
	status     int
	bytes      int64
	tracebacks bool
	debug      bool // debug pages (where tracebacks are shown)
	live       bool // HTML pages get the live-reload script
	rec        Record
}

func (c *response) WriteHeader(code int) {
	if c.status == 0 {
		c.status = code
	}
	c.ResponseWriter.WriteHeader(code)
}

func (c *response) Write(p []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	n, err := c.ResponseWriter.Write(p)
	c.bytes += int64(n)
	return n, err
}

// ReadFrom keeps the server's own ReadFrom reachable, so that a file copied
// into the response goes out with sendfile.
func (c *response) ReadFrom(r io.Reader) (int64, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	n, err := io.Copy(c.ResponseWriter, r)
	c.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the real writer (to flush).
func (c *response) Unwrap() http.ResponseWriter { return c.ResponseWriter }
