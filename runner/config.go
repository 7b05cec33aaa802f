package runner

import (
	"time"

	"github.com/gowsgi/gowsgi/runner/logging"
)

// Config is everything `gowsgi web` was told. main.go fills it from the
// command line; the runner reads it and never parses flags itself.
type Config struct {
	App        string     // --wsgi: "pkg.mod.attr" or "pkg.mod:attr"
	Listen     []Endpoint // --listen, in order; at least one
	Engine     Engine     // the chosen engine, already resolved
	Root       string     // the app directory (absolute): cwd or --rundir
	PythonPath []string   // --pythonpath entries (absolute)

	Threads      int           // lanes per worker (--threads)
	Workers      int           // worker processes (--workers)
	Timeout      time.Duration // per request; 0 = none (--timeout)
	QueueTimeout time.Duration // the longest wait for a free lane before a 503 (--queue-timeout)
	MaxBody      int64         // request body limit in bytes; 0 = none (--max-body)
	MaxMemory    int64         // a worker's resident memory limit in bytes; 0 = none (--max-memory)

	// Tracebacks says whether error pages show the traceback: "auto" shows
	// them when every listener is loopback-only.
	Tracebacks string      // "auto", "show" or "hide"
	AddHeaders [][2]string // --add-header, added to every response
	Log        *logging.Logger

	Reload ReloadConfig
}

// ReloadConfig is what the reload/ watcher is told.
type ReloadConfig struct {
	Enabled bool
	Watch   []string      // extra directories (absolute), besides Root and PythonPath
	Include []string      // extra globs to include
	Exclude []string      // extra globs to exclude
	Poll    time.Duration // > 0: poll at this interval instead of inotify
}

// Endpoint is one parsed --listen value.
type Endpoint struct {
	Network string // "tcp" or "unix"
	Address string // "127.0.0.1:8080", or a socket path
	Mode    uint32 // unix socket file mode; 0 = leave as created
	Spec    string // the text the user gave, for messages
}
