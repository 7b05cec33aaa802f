// Package config is gowsgi's one model of what to serve: listeners, the
// mounts on each, the Python side, logging and reload. The command line
// (main's cli.go) and the Crossbar.io config file (crossbar.go) both build a
// Site and call Validate; the rest of gowsgi reads it and parses nothing.
package config

import (
	"time"
)

// Site is everything `gowsgi web` was told.
type Site struct {
	Dir        string      // the application directory (absolute): relative paths start here
	Transports []Transport // at least one; each its own listeners and mount table
	Python     Python
	Log        Log
	Reload     Reload
	Dev        Dev
	// ASGIOptions are what an ASGI service in a config file gets where it
	// says nothing: the command line's --lifespan, --ws-max-size, ...
	ASGIOptions ASGI
	Warnings    []string // said once at start, in yellow (services gowsgi does not host, ...)
}

// Dev is what gowsgi adds in development, wherever tracebacks are shown
// (every listener loopback, or --display-tracebacks).
type Dev struct {
	DebugPages bool // exceptions get the debug page, even those a framework turned into its own 500
	LiveReload bool // HTML pages reload themselves after a reload (needs reload on)
}

// Transport is one set of listeners serving one mount table: the whole
// command line, or one Crossbar "web" transport.
type Transport struct {
	Listeners  []Listener
	Mounts     []Mount     // unique paths; the router picks the longest prefix
	Tracebacks string      // "auto" (shown when every listener is loopback), "show" or "hide"
	AddHeaders [][2]string // added to every response
	HSTS       time.Duration
	Source     string // where it was configured, for messages: "the command line", "workers[0].transports[1]"
}

// Listener is one address to listen on, parsed from a twistd strport or a
// Crossbar endpoint.
type Listener struct {
	Network string // "tcp", "unix", or "systemd": a socket systemd passed
	Address string // "127.0.0.1:8080", a socket path, or the systemd socket's index ("0": fd 3)
	Mode    uint32 // unix socket file mode; 0 = leave as created
	Spec    string // the text the user gave, for messages
	TLS     *TLS   // nil: plain HTTP
	// DefaultInterface says no interface was given and gowsgi chose loopback.
	DefaultInterface bool
}

// TLS is a listener's certificate. With no Key, gowsgi makes (once) and uses
// a self-signed certificate for localhost.
type TLS struct {
	Key   string   // PEM private key file (absolute)
	Cert  string   // PEM certificate file (absolute); may be Key when both are in one file
	Chain []string // extra PEM certificates sent after Cert
}

// Kind is what a mount serves.
type Kind string

const (
	KindWSGI        Kind = "wsgi"
	KindASGI        Kind = "asgi"
	KindStatic      Kind = "static"
	KindRedirect    Kind = "redirect"
	KindJSON        Kind = "json"
	KindProxy       Kind = "reverseproxy"
	KindUnsupported Kind = "unsupported" // a Crossbar service gowsgi does not host: answered with 501
)

// Mount is one service at one URL path. Exactly the field of its Kind is set.
type Mount struct {
	Path   string // "/" or "/a/b": starts with "/", no trailing slash but for "/"
	Kind   Kind
	Source string // where it was configured, for messages: "--wsgi /a=app.app", "workers[0].transports[0].paths.ws"

	WSGI        *WSGI
	ASGI        *ASGI
	Static      *Static
	Redirect    *Redirect
	JSON        *JSON
	Proxy       *Proxy
	Unsupported *Unsupported
}

// WSGI is a Python WSGI app and its worker pool.
type WSGI struct {
	App  string // "pkg.mod.attr" or "pkg.mod:attr"
	Pool Pool
}

// ASGI is a Python ASGI app and its worker processes. Each worker runs an
// event loop that holds any number of requests and WebSockets, so
// Pool.Threads and Pool.QueueTimeout do not apply.
type ASGI struct {
	App              string
	Pool             Pool
	Lifespan         string        // "auto", "on" or "off" (--lifespan)
	LimitConcurrency int           // open requests and WebSockets before a 503 at once; 0 = no limit
	PingInterval     time.Duration // WebSocket pings; 0 = none (--ws-ping-interval)
	MaxMessage       int64         // the largest WebSocket message accepted (--ws-max-size)
}

// ASGIDefaults are what an ASGI mount gets when nothing says otherwise:
// uvicorn's.
var ASGIDefaults = ASGI{Lifespan: "auto", PingInterval: 20 * time.Second, MaxMessage: 16 << 20}

// Lifespans are the values of --lifespan.
var Lifespans = []string{"auto", "on", "off"}

// Pool sizes and bounds the worker processes of one app.
type Pool struct {
	Threads      int           // lanes per worker (--threads, Crossbar's maxthreads)
	Workers      int           // worker processes (--workers)
	Timeout      time.Duration // per request; 0 = none (--timeout)
	QueueTimeout time.Duration // the longest wait for a free lane before a 503 (--queue-timeout)
	MaxBody      int64         // request body limit in bytes; 0 = none (--max-body)
	MaxMemory    int64         // a worker's resident memory limit in bytes; 0 = none (--max-memory)

	ClientTimeout time.Duration // the longest a client's body read or response write may stall; 0 = none (--client-timeout)
	ImportTimeout time.Duration // the longest a worker may take to import the app; 0 = none (--import-timeout)
}

// DefaultPool is what a WSGI mount gets when nothing says otherwise:
// twistd's pool of 20 threads in one process.
var DefaultPool = Pool{Threads: 20, Workers: 1, QueueTimeout: 30 * time.Second,
	ImportTimeout: 30 * time.Second, ClientTimeout: 10 * time.Second}

// Static serves a directory.
type Static struct {
	Dir          string            // absolute
	Index        []string          // file names tried for a directory, in order
	Listing      bool              // list directories without an index file
	MimeTypes    map[string]string // extension (".foo") → Content-Type, over the defaults
	DefaultType  string            // for unknown extensions; "" = application/octet-stream
	CacheTimeout time.Duration     // > 0: Cache-Control max-age; 0: no Cache-Control
}

// DefaultIndex is twistd's: index, then index.html.
var DefaultIndex = []string{"index.html", "index"}

// Redirect answers every request with a redirect to URL.
type Redirect struct {
	URL  string
	Code int // 301, 302, 307 or 308; Crossbar's is 302
}

// JSON answers GET with a fixed JSON value.
type JSON struct {
	Value    []byte // the encoded value
	Prettify bool
	CORS     bool // Access-Control-Allow-Origin: *
	NoCache  bool // Cache-Control: no-store
}

// Proxy forwards requests to another HTTP server.
type Proxy struct {
	Host           string
	Port           int
	Path           string // prefix on the backend
	ForwardedPort  int
	ForwardedProto string
}

// Unsupported is a Crossbar service type gowsgi does not host.
type Unsupported struct {
	Type string // "websocket", "caller", ...
}

// Python is how Python code runs.
type Python struct {
	Engine      string            // "auto", "cpython" or "gpython"
	Interpreter string            // --python: a path or a name on PATH; "" = look for one
	Path        []string          // extra sys.path entries (absolute), after Dir
	Env         map[string]string // added to the workers' environment
}

// Log is where and how gowsgi logs.
type Log struct {
	ServerFile string // the server log; "" or "-" = stdout
	AccessFile string // the access log; "" = with the server log
	Format     string // color, combined, json, off
	Color      string // auto, always, never
}

// Reload is what the watcher is told.
type Reload struct {
	Enabled bool
	Watch   []string      // extra directories (absolute), besides Dir and Python.Path
	Include []string      // extra globs to include
	Exclude []string      // extra globs to exclude
	Poll    time.Duration // > 0: poll at this interval instead of inotify
}

// AppMounts returns every WSGI and ASGI mount of every transport.
func (s *Site) AppMounts() []*Mount {
	var ms []*Mount
	for i := range s.Transports {
		for j := range s.Transports[i].Mounts {
			if m := &s.Transports[i].Mounts[j]; m.Kind == KindWSGI || m.Kind == KindASGI {
				ms = append(ms, m)
			}
		}
	}
	return ms
}

// PythonApp is what a WSGI or ASGI mount runs: the app, its protocol
// ("wsgi", "asgi") and its pool.
func (m *Mount) PythonApp() (app, protocol string, pool Pool) {
	switch {
	case m.WSGI != nil:
		return m.WSGI.App, "wsgi", m.WSGI.Pool
	case m.ASGI != nil:
		return m.ASGI.App, "asgi", m.ASGI.Pool
	}
	return "", "", Pool{}
}
