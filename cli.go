package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/alecthomas/kong"

	"github.com/gowsgi/gowsgi/runner/config"
	"github.com/gowsgi/gowsgi/runner/engine"
	"github.com/gowsgi/gowsgi/runner/logging"
)

// The command line is twistd's: `gowsgi [global options] web [web options]`.
// Several flags mean different things on each side of `web` (-n, -l, -p),
// and kong refuses a short flag declared at two levels, so there are two kong
// parsers. The global one declares `web` as a passthrough command: kong then
// knows which global flags take a value (`-l web web` logs to a file named
// "web") and hands everything after the command, untouched, to the web parser.

// globalOptions are twistd's own options, given before the command.
type globalOptions struct {
	Nodaemon bool             `short:"n" help:"Run in the foreground. Without -n, web runs as a daemon: in the background, detached from the terminal, logging to gowsgi.log."`
	Logfile  string           `short:"l" placeholder:"FILE" help:"Write the server log (banner, worker output, errors) to FILE, appending. Default: stdout (\"-\") in the foreground, gowsgi.log for a daemon. Access lines go here too unless web -l says otherwise."`
	Pidfile  string           `placeholder:"FILE" help:"Write the process id to FILE once serving and remove it on exit; refuse to start while it names a live gowsgi. Default: gowsgi.pid for a daemon (and for stop and status), none in the foreground; an empty FILE writes none."`
	Rundir   string           `short:"d" placeholder:"DIR" help:"Change to DIR before anything else. It is the application directory (imported from, watched for changes), and relative paths in other options start there."`
	Umask    string           `placeholder:"OCTAL" help:"Set the umask, e.g. 022, for the log, pid and socket files gowsgi creates. Default: 0077 for a daemon, inherited in the foreground."`
	Version  kong.VersionFlag `help:"Print the version and exit."`

	Web    webPassthrough `cmd:"" passthrough:"" help:"Serve a Python WSGI application over HTTP (see gowsgi web --help)."`
	Check  webPassthrough `cmd:"" passthrough:"" help:"Import the app(s) as web would, then exit: 0 when they import, 1 with the traceback when not. Takes web's options."`
	Stop   stopOptions    `cmd:"" help:"Stop the gowsgi named by the pidfile (SIGTERM), and wait until it has exited."`
	Status struct{}       `cmd:"" help:"Say whether the gowsgi named by the pidfile runs: exit 0 if it does, 3 if not."`
}

type webPassthrough struct {
	Args []string `arg:"" optional:"" name:"web-options"`
}

type stopOptions struct {
	Timeout string `default:"30s" placeholder:"DURATION" help:"How long to wait for it to exit (its requests in flight finish first). Default: ${default}."`
}

// The commands.
const (
	cmdWeb    = "web"
	cmdCheck  = "check"
	cmdStop   = "stop"
	cmdStatus = "status"
)

// The files a daemon writes unless told otherwise, in its run directory.
const (
	defaultDaemonLog     = "gowsgi.log"
	defaultPidfile       = "gowsgi.pid"
	defaultDaemonUmask   = 0o077
	daemonNoStdoutReason = "a daemon cannot log to stdout"
)

// webOptions are the options after `web`. Values that need a friendlier
// error than kong's are strings here and are checked in config.
type webOptions struct {
	WSGI       []string `name:"wsgi" placeholder:"[/PATH=]FQPN" sep:"none" group:"app" help:"The WSGI application to serve: a dotted module path and the callable, e.g. foo.application, mysite.wsgi.application or app:app. Mounted at / unless a URL path comes first: --wsgi /blog=blog.app. Repeatable: each app gets its own workers."`
	ASGI       []string `name:"asgi" placeholder:"[/PATH=]FQPN" sep:"none" group:"app" help:"An ASGI application to serve (FastAPI, Starlette, Django's asgi.application): e.g. main.app, mounted like --wsgi (--asgi /api=main.app). Each worker runs an event loop that holds any number of requests and WebSockets. Needs the cpython engine. Repeatable."`
	Static     []string `placeholder:"/PATH=DIR" sep:"none" group:"app" help:"Serve the files in DIR under the URL path, e.g. --static /static=assets. Repeatable."`
	Path       string   `placeholder:"DIR" group:"app" help:"Serve the files in DIR at / (twistd's static site root); with --wsgi, mount the app elsewhere."`
	Config     string   `placeholder:"FILE" group:"app" help:"Read what to serve from a Crossbar.io node config (.json or .yaml, or a directory holding config.yaml/config.json). Without --wsgi, --static or --path, ./.crossbar/ is read when it exists."`
	MimeType   string   `short:"m" placeholder:"TYPE" group:"static" help:"The Content-Type of static files whose extension is unknown. Default: application/octet-stream."`
	Index      []string `short:"i" placeholder:"NAME" sep:"none" group:"static" help:"A file name served for a directory, tried in order (repeatable). Default: index.html, then index."`
	DirListing bool     `group:"static" help:"List the files of static directories that have no index file. Off by default."`

	Listen []string `placeholder:"ENDPOINT" sep:"none" group:"listen" help:"Where to listen, as a twistd strports endpoint: tcp:PORT, tcp:PORT:interface=ADDR, tcp6:PORT, unix:PATH[:mode=0660] or a bare port. Repeat it to listen in several places. tcp:0 picks a free port. Default: tcp:8080 on 127.0.0.1 (not every interface, unlike twistd)."`

	Python     string   `placeholder:"PATH" group:"python" help:"The Python interpreter for the cpython engine. Otherwise gowsgi looks at $VIRTUAL_ENV, ./.venv, ./venv, then python3 on PATH."`
	PythonPath []string `name:"pythonpath" placeholder:"DIR" sep:"none" group:"python" help:"Add DIR to sys.path, after the application directory. Repeatable; it must exist."`
	Engine     string   `enum:"auto,cpython,gpython" default:"auto" placeholder:"auto|cpython|gpython" group:"python" help:"How to run Python: cpython (the real interpreter, every framework works), gpython (built in, no Python needed, simple pure-Python apps only) or auto (cpython when an interpreter is found, gpython otherwise). Default: ${default}."`

	Threads      int    `default:"20" placeholder:"N" group:"pool" help:"Threads per worker process, i.e. requests a worker serves at once. Default: ${default}, the size of twistd's --wsgi pool."`
	Workers      int    `default:"1" placeholder:"N" group:"pool" help:"Worker processes. More than one uses more cores despite the GIL. Default: ${default}."`
	Timeout      string `default:"0" placeholder:"DURATION" group:"pool" help:"Give up on a request after DURATION (504). A Go duration (30s, 2m) or seconds (30). Default: 0, no limit."`
	QueueTimeout string `default:"30s" placeholder:"DURATION" group:"pool" help:"How long a request may wait for a free thread before it gets a 503. 0 waits as long as it takes. Default: ${default}."`
	MaxBody      string `default:"0" placeholder:"SIZE" group:"pool" help:"Refuse request bodies larger than SIZE with 413: bytes, or 512k, 10MB, 1GiB (k, m, g and KiB, MiB, GiB are powers of 1024; KB, MB, GB of 1000). Default: 0, no limit."`
	MaxMemory    string `default:"0" placeholder:"SIZE" group:"pool" help:"Replace a worker process whose resident memory grows past SIZE (checked twice a second; Linux). Its requests in flight get a 502. Between checks, an allocation that would take it SIZE past its size after the import fails in the app (MemoryError). Default: 0, no limit."`

	Lifespan         string `enum:"auto,on,off" default:"auto" placeholder:"auto|on|off" group:"asgi" help:"ASGI lifespan events: on (an app that does not support them fails to start), off, or auto (used when the app supports them; an app that raises on them still starts, and the exception is shown). Default: ${default}."`
	LimitConcurrency int    `default:"0" placeholder:"N" group:"asgi" help:"Answer 503 at once when an ASGI app already has N requests and WebSockets open. Default: 0, no limit."`
	WSPingInterval   string `name:"ws-ping-interval" default:"20s" placeholder:"DURATION" group:"asgi" help:"Ping every WebSocket this often, and close it (1011) when a ping goes unanswered for 20 s. 0: no pings. Default: ${default}."`
	WSMaxSize        string `name:"ws-max-size" default:"16MiB" placeholder:"SIZE" group:"asgi" help:"The largest WebSocket message accepted; a larger one closes the socket with 1009. Default: ${default}."`

	ClientTimeout string `default:"10s" placeholder:"DURATION" group:"pool" help:"Cut off a client whose upload or download makes no progress for DURATION (408, or a cut connection); the first 64 KiB of a body arrive before the request takes a thread. Unlike --timeout, the app's own time is not limited. 0: no limit. Default: ${default}."`
	ImportTimeout string `default:"30s" placeholder:"DURATION" group:"pool" help:"Stop a worker whose import of the app takes longer than DURATION, as an import that fails (a newer save also abandons it). 0 waits as long as it takes. Default: ${default}."`

	DisplayTracebacks bool     `group:"errors" help:"Show Python tracebacks on error pages, to every client. Default: shown only when every listener is loopback or a unix socket."`
	DebugPages        bool     `negatable:"" default:"true" group:"errors" help:"Where tracebacks are shown, answer an exception with the debug page: every frame with its source and local variables, chained exceptions, the request; also for exceptions a framework (Flask, Django) caught and turned into its own 500. On by default."`
	LiveReload        bool     `negatable:"" default:"true" group:"reload" help:"Where tracebacks are shown, HTML pages reload themselves after every reload, and stylesheets are swapped when they change. On by default (with reload)."`
	Notracebacks      bool     `group:"errors" help:"Never show tracebacks on error pages; they still go to the log."`
	AddHeader         []string `placeholder:"\"NAME: VALUE\"" sep:"none" group:"errors" help:"Add a header to every response. Repeatable."`

	Logfile   string `short:"l" placeholder:"FILE" group:"log" help:"Write the access log to FILE, appending, instead of the server log."`
	AccessLog string `enum:"color,combined,json,off" default:"color" placeholder:"color|combined|json|off" group:"log" help:"Access log format: color (a readable line; plain when colour is off), combined (Apache combined), json (one object per line) or off. Default: ${default}."`
	Color     string `enum:"auto,always,never" default:"auto" placeholder:"auto|always|never" group:"log" help:"Colour terminal output: auto (on a terminal, honouring NO_COLOR, FORCE_COLOR and TERM=dumb), always or never. Files are never coloured. Default: ${default}."`

	Reload       bool     `negatable:"" default:"true" group:"reload" help:"Reload when sources change, without dropping requests. On by default."`
	Watch        []string `placeholder:"DIR" sep:"none" group:"reload" help:"Also watch DIR (the application directory and --pythonpath entries are always watched). Repeatable."`
	WatchInclude []string `placeholder:"GLOB" sep:"none" group:"reload" help:"Also reload when files matching GLOB change (*.py always counts), e.g. '*.html'. Repeatable."`
	WatchExclude []string `placeholder:"GLOB" sep:"none" group:"reload" help:"Ignore files matching GLOB. Repeatable."`
	WatchPoll    string   `placeholder:"INTERVAL" group:"reload" help:"Poll for changes every INTERVAL instead of using inotify, for network and WSL mounts. A bare --watch-poll polls every 1s."`

	Grace         string `default:"10s" placeholder:"DURATION" group:"run" help:"On SIGTERM or Ctrl+C, let requests in flight finish for at most DURATION. Default: ${default}."`
	ReadyFile     string `placeholder:"FILE" group:"run" help:"Once serving, write the base URL of each listener to FILE, one a line (written whole, by a rename); removed on exit. For scripts and CI to wait for."`
	ShutdownAfter string `placeholder:"DURATION" group:"run" help:"Stop by itself, gracefully, DURATION after starting (a CI job that must not hang)."`

	Port              []string `short:"p" placeholder:"ENDPOINT" sep:"none" group:"deprecated" help:"Deprecated: use --listen. Added to the --listen list."`
	NotracebacksShort bool     `name:"notracebacks-deprecated" short:"n" hidden:"" help:"Deprecated -n: use --notracebacks."`
}

// exitError ends gowsgi with a status. msg, when set, is one line for stderr.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

func usageErrorf(format string, args ...any) *exitError {
	return &exitError{code: 2, msg: fmt.Sprintf(format, args...)}
}

// invocation is a parsed command line.
type invocation struct {
	command string // cmdWeb, cmdCheck, cmdStop or cmdStatus
	global  globalOptions
	web     webOptions
	umask   int      // -1 when --umask was not given
	notes   []string // deprecation notes, one line each, for stderr

	// Set by config: the web options that are about the process, not the site.
	grace         time.Duration
	readyFile     string // absolute; "" for none
	shutdownAfter time.Duration
}

// daemon says whether this invocation runs a server in the background.
func (inv *invocation) daemon() bool { return inv.command == cmdWeb && !inv.global.Nodaemon }

// kongExit is what kong's Exit panics with, so that --help and --version end
// the parse instead of the process.
type kongExit struct{ code int }

// parseArgs parses the command line (without the program name). Help and the
// version go to stdout and come back as an *exitError with code 0; every
// other problem is an *exitError with code 2 and one line naming the flag.
func parseArgs(args []string, stdout io.Writer) (inv *invocation, err error) {
	inv = &invocation{umask: -1}

	defer func() {
		if r := recover(); r != nil {
			ke, ok := r.(kongExit)
			if !ok {
				panic(r)
			}
			inv, err = nil, &exitError{code: ke.code}
		}
	}()

	globalParser, err := newGlobalParser(&inv.global, stdout)
	if err != nil {
		return nil, err
	}
	kctx, err := globalParser.Parse(args)
	if err != nil {
		return nil, translateKongError(err, "gowsgi", "gowsgi --help")
	}
	inv.command, _, _ = strings.Cut(kctx.Command(), " ")
	pidfileGiven := false
	for _, p := range kctx.Path {
		pidfileGiven = pidfileGiven || (p.Flag != nil && p.Flag.Name == "pidfile")
	}
	if inv.command == cmdWeb || inv.command == cmdCheck {
		webParser, err := newWebParser(&inv.web, stdout)
		if err != nil {
			return nil, err
		}
		passed := inv.global.Web.Args
		if inv.command == cmdCheck {
			passed = inv.global.Check.Args
		}
		webArgs := expandWatchPoll(passed, flagsTakingValues(webParser))
		if _, err := webParser.Parse(webArgs); err != nil {
			return nil, translateKongError(err, "gowsgi "+inv.command, "gowsgi web --help")
		}
	}

	switch {
	case inv.command == cmdStop || inv.command == cmdStatus:
		if !pidfileGiven {
			inv.global.Pidfile = defaultPidfile
		}
		if inv.global.Pidfile == "" {
			return nil, usageErrorf("gowsgi %s: --pidfile is empty; %s finds the server by its pidfile", inv.command, inv.command)
		}
	case inv.daemon():
		if inv.web.NotracebacksShort {
			return nil, usageErrorf(`gowsgi: -n must come before "web" to run in the foreground (after it, -n means --notracebacks: write that if you meant it); e.g. gowsgi -n web --wsgi foo.application`)
		}
		// twistd's daemon defaults, with gowsgi's names.
		switch inv.global.Logfile {
		case "":
			inv.global.Logfile = defaultDaemonLog
		case "-":
			return nil, usageErrorf("gowsgi: %s (-l -); give a file, or run in the foreground with -n", daemonNoStdoutReason)
		}
		if inv.web.Logfile == "-" {
			return nil, usageErrorf("gowsgi web: %s (web -l -); give a file, or run in the foreground with -n", daemonNoStdoutReason)
		}
		if !pidfileGiven {
			inv.global.Pidfile = defaultPidfile
		}
		if inv.global.Umask == "" {
			inv.umask = defaultDaemonUmask
		}
		for _, l := range append(append([]string{}, inv.web.Listen...), inv.web.Port...) {
			if strings.HasPrefix(l, "systemd:") {
				return nil, usageErrorf("gowsgi: --listen %s: sockets from systemd need -n (a systemd service runs in the foreground); see docs/systemd.md", l)
			}
		}
	}
	if inv.global.Umask != "" {
		u, err := config.ParseOctal(inv.global.Umask)
		if err != nil || u > 0o777 {
			return nil, usageErrorf("gowsgi: --umask must be an octal mode such as 022 or 0077 (got %q)", inv.global.Umask)
		}
		inv.umask = int(u)
	}
	if len(inv.web.Port) > 0 {
		example := inv.web.Port[0]
		if _, err := strconv.Atoi(example); err == nil {
			example = "tcp:" + example
		}
		inv.notes = append(inv.notes, fmt.Sprintf("gowsgi web: -p/--port is deprecated; use --listen %s", example))
	}
	if inv.web.NotracebacksShort {
		inv.notes = append(inv.notes, "gowsgi web: -n (after web) is deprecated; use --notracebacks")
	}
	return inv, nil
}

func kongOptions(stdout io.Writer, name, usage, description, examples string) []kong.Option {
	return []kong.Option{
		kong.Name(name),
		kong.Description(description),
		kong.Writers(stdout, io.Discard),
		kong.Exit(func(code int) { panic(kongExit{code}) }),
		// kong's own usage line cannot show the two levels; print ours.
		kong.ConfigureHelp(kong.HelpOptions{Compact: true, WrapUpperBound: 100, NoExpandSubcommands: true, NoAppSummary: true}),
		kong.Help(func(options kong.HelpOptions, ctx *kong.Context) error {
			if _, err := io.WriteString(ctx.Stdout, "Usage: "+usage+"\n"); err != nil {
				return err
			}
			if err := kong.DefaultHelpPrinter(options, ctx); err != nil {
				return err
			}
			_, err := io.WriteString(ctx.Stdout, examples)
			return err
		}),
	}
}

const globalDescription = `Run a Python WSGI application in the foreground while you work on it, the way "twistd -n web --wsgi" does (or, without -n, as a daemon), as one binary: a pool of worker threads in real Python processes, reload on save without dropping requests, and a request log you can read.

Options before "web" are twistd's global options; the web command's options come after it. Some letters mean different things on each side, as in twistd: -n is --nodaemon before "web" and the deprecated --notracebacks after it; -l is the server log before and the access log after.`

const globalExamples = `
Examples:
  gowsgi -n web --wsgi foo.application
      Serve foo.application on http://127.0.0.1:8080/, reloading on save.

  gowsgi -n -d ~/src/mysite web --wsgi mysite.wsgi.application --listen tcp:8000
      Serve a Django project from its directory on port 8000.

  gowsgi -n -l server.log web --wsgi app:app --listen tcp:0 --no-reload --access-log combined
      CI: a free port, no reload, logs for machines.

  gowsgi web --wsgi app:app --listen tcp:0 --ready-file url.txt && curl "$(cat url.txt)/"
  gowsgi stop
      A daemon: gowsgi returns once it serves (gowsgi.pid, gowsgi.log).

  gowsgi check --wsgi app:app
      CI: does the app import? 0 if so, 1 and the traceback if not.

Signals: SIGTERM or SIGINT stop gracefully (another one more than a second
later forces the exit), SIGHUP reloads, SIGUSR1 reopens the log files.

Exit status:
  0 clean shutdown, 1 the app failed to import or a runtime error,
  2 a usage error, 130 forced exit (a second Ctrl+C);
  gowsgi status: 0 running, 3 not running.
`

const webDescription = `Serve Python WSGI applications (PEP 3333), ASGI applications (WebSockets included) and static files over HTTP. Go speaks HTTP; Python worker processes run each application: a WSGI app on a pool of threads, an ASGI app on an event loop. Several apps and directories can share one site, each mounted at its own URL path, from flags or from a Crossbar.io config file. The server reloads an app when its sources change: the new code starts, then takes over, and no request fails. When it does not import, the error page shows the traceback until the next save fixes it.`

const webExamples = `
Endpoints (--listen), as in twistd:
  tcp:8080                          127.0.0.1:8080 (the default)
  tcp:8080:interface=0.0.0.0        every IPv4 interface: the whole network can connect
  tcp:8080:interface=\:\:1          IPv6 loopback; escape colons with a backslash
  tcp6:8080                         [::1]:8080
  tcp:0                             a free port; the banner says which
  ssl:8443                          HTTPS (and HTTP/2) with a self-signed localhost certificate
  ssl:443:privateKey=key.pem:certKey=cert.pem   HTTPS with your certificate
  unix:/tmp/app.sock:mode=0660      a unix socket, e.g. behind nginx
  systemd:0                         the first socket systemd passed (socket activation; with -n)

Examples:
  gowsgi -n web --wsgi hello.app
      A Flask app in hello.py, on http://127.0.0.1:8080/.

  gowsgi -n web --wsgi mysite.wsgi.application --watch-include '*.html'
      Django; also reload when templates change.

  gowsgi -n web --wsgi /=site.app --wsgi /api=api.app --static /static=assets
      Several apps and a directory on one site, each at its own URL path.

  gowsgi -n web --asgi main.app
      An ASGI app (FastAPI, Starlette), WebSockets included.

  gowsgi -n web --wsgi /=legacy.application --asgi /api=main.app
      A WSGI app at / and an ASGI app at /api; the longest matching path wins.

  gowsgi -n web --path public
      A static site, as twistd web --path serves it.

  gowsgi -n web --config .crossbar/config.json
      What a Crossbar.io node config says to serve (.crossbar/ is found by itself).

  gowsgi -n web --wsgi app:app --listen tcp:0 --no-reload --access-log json -l access.log
      CI: a free port, no reload, JSON access lines in access.log.

  gowsgi -n web --wsgi app:app --listen tcp:0 --ready-file url.txt --shutdown-after 10m
      CI: url.txt holds http://127.0.0.1:PORT once serving; stop after 10 minutes at most.

Exit status:
  0 clean shutdown, 1 the app failed to import or a runtime error,
  2 a usage error, 130 forced exit (a second Ctrl+C).
`

func newGlobalParser(g *globalOptions, stdout io.Writer) (*kong.Kong, error) {
	opts := kongOptions(stdout, "gowsgi", "gowsgi [global options] web [web options]\n       gowsgi [global options] check [web options]\n       gowsgi [global options] stop|status", globalDescription, globalExamples)
	opts = append(opts, kong.Vars{"version": "gowsgi " + version})
	return kong.New(g, opts...)
}

func newWebParser(w *webOptions, stdout io.Writer) (*kong.Kong, error) {
	opts := kongOptions(stdout, "gowsgi web", "gowsgi -n [global options] web --wsgi|--asgi FQPN [web options]\n       gowsgi [global options] check --wsgi|--asgi FQPN [web options]", webDescription, webExamples)
	opts = append(opts, kong.ExplicitGroups([]kong.Group{
		{Key: "app", Title: "Application:"},
		{Key: "static", Title: "Static files:"},
		{Key: "listen", Title: "Listening:"},
		{Key: "python", Title: "Python:"},
		{Key: "pool", Title: "Workers and limits:"},
		{Key: "asgi", Title: "ASGI and WebSockets:"},
		{Key: "errors", Title: "Responses:"},
		{Key: "log", Title: "Logging:"},
		{Key: "reload", Title: "Reload:"},
		{Key: "run", Title: "Running:"},
		{Key: "deprecated", Title: "Deprecated twistd options:", Description: "-n after web means --notracebacks, as in twistd (before web it is --nodaemon)."},
	}))
	return kong.New(w, opts...)
}

// flagsTakingValues returns the flags ("--listen", "-l") that consume the
// next word as their value.
func flagsTakingValues(k *kong.Kong) map[string]bool {
	m := map[string]bool{}
	for _, f := range k.Model.Flags {
		if f.IsBool() || f.IsCounter() {
			continue
		}
		m["--"+f.Name] = true
		if f.Short != 0 {
			m["-"+string(f.Short)] = true
		}
	}
	return m
}

// expandWatchPoll gives --watch-poll its optional value, which kong cannot
// express: a bare --watch-poll becomes --watch-poll=1s, and "--watch-poll 2s"
// becomes --watch-poll=2s (web takes no positional arguments, so a word after
// it can only be its value). Values of other flags are skipped, so
// `--add-header --watch-poll` is left alone.
func expandWatchPoll(args []string, takesValue map[string]bool) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return append(out, args[i:]...)
		case a == "--watch-poll":
			if i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
				out = append(out, "--watch-poll="+args[i+1])
				i++
			} else {
				out = append(out, "--watch-poll=1s")
			}
			continue
		case strings.HasPrefix(a, "--") && !strings.Contains(a, "=") && takesValue[a]:
			out = append(out, a)
			if i+1 < len(args) {
				out = append(out, args[i+1])
				i++
			}
			continue
		case len(a) >= 2 && a[0] == '-' && a[1] != '-':
			// A short cluster such as -nl: the first letter that takes a value
			// takes the rest of the word, or the next word if nothing is left.
			for j := 1; j < len(a); j++ {
				if takesValue["-"+a[j:j+1]] {
					if j == len(a)-1 && i+1 < len(args) {
						out = append(out, a, args[i+1])
						i++
						a = ""
					}
					break
				}
			}
			if a == "" {
				continue
			}
		}
		out = append(out, a)
	}
	return out
}

// Options that exist in twistd but not (yet) in gowsgi, so that people
// coming from twistd get a reason rather than "unknown flag".
var twistdOnlyGlobal = map[string]string{
	"--uid": "", "-u": "", "--gid": "", "-g": "", "--euid": "", "--chroot": "",
	"--reactor": "there is no reactor to choose", "-r": "there is no reactor to choose",
	"--syslog": "", "--prefix": "", "--logger": "", "--profile": "", "-p": "", "--profiler": "",
	"--savestats": "", "--spew": "", "--debug": "", "-b": "", "--originalname": "",
	"--file": "", "-f": "", "--python": "", "-y": "", "--source": "", "-s": "",
	"--no_save": "", "-o": "", "--encrypted": "", "-e": "", "--help-reactors": "there is no reactor to choose",
}

var twistdOnlyWeb = map[string]string{
	"--https": "use --listen ssl:PORT[:privateKey=KEY.pem:certKey=CERT.pem]", "--certificate": "use --listen ssl:PORT:privateKey=KEY.pem:certKey=CERT.pem", "-c": "use --listen ssl:PORT:privateKey=KEY.pem:certKey=CERT.pem",
	"--privkey": "use --listen ssl:PORT:privateKey=KEY.pem", "-k": "use --listen ssl:PORT:privateKey=KEY.pem",
	"--processor": "", "--allow-ignore-ext": "", "--ignore-ext": "",
	"--user": "", "-u": "", "--personal": "", "--class": "", "--resource-script": "",
}

var globalFlagNames = map[string]bool{
	"--nodaemon": true, "--logfile": true, "--pidfile": true, "--rundir": true, "-d": true,
	"--umask": true, "--version": true,
}

// translateKongError turns a kong parse error into one line naming the flag
// and the fix.
func translateKongError(err error, prefix, helpHint string) error {
	var ee *exitError
	if errors.As(err, &ee) {
		return ee
	}
	msg := err.Error()
	see := "; see " + helpHint

	if rest, ok := strings.CutPrefix(msg, "unknown flag "); ok {
		flag, suggestion, _ := strings.Cut(rest, ", did you mean ")
		if prefix == "gowsgi" {
			if reason, ok := twistdOnlyGlobal[flag]; ok {
				return usageErrorf("gowsgi: %s is a twistd option gowsgi does not support%s%s", flag, reasonSuffix(reason), see)
			}
			if isWebFlag(flag) {
				return usageErrorf(`gowsgi: %s is a web option; put it after "web", e.g. gowsgi -n web %s ...`, flag, flag)
			}
		} else {
			if reason, ok := twistdOnlyWeb[flag]; ok {
				return usageErrorf("gowsgi web: %s is a twistd web option gowsgi does not support%s%s", flag, reasonSuffix(reason), see)
			}
			if flag == "--version" {
				return usageErrorf("gowsgi web: --version is a global option: gowsgi --version")
			}
			if globalFlagNames[flag] {
				return usageErrorf(`gowsgi web: %s is a global option; put it before "web", e.g. gowsgi -n %s ... web --wsgi foo.application`, flag, flag)
			}
		}
		if suggestion != "" {
			return usageErrorf("%s: unknown flag %s (did you mean %s)%s", prefix, flag, suggestion, see)
		}
		return usageErrorf("%s: unknown flag %s%s", prefix, flag, see)
	}
	if rest, ok := strings.CutPrefix(msg, "unexpected argument "); ok {
		if prefix == "gowsgi" {
			word, suggestion, _ := strings.Cut(rest, ", did you mean ")
			if suggestion != "" {
				suggestion = " (did you mean " + strings.Trim(strings.TrimSuffix(suggestion, "?"), `\"`) + "?)"
			}
			return usageErrorf(`gowsgi: unknown command %q%s; the commands are web, check, stop and status, e.g. gowsgi -n web --wsgi foo.application`, word, suggestion)
		}
		return usageErrorf("gowsgi web: unexpected argument %q; web takes only options, e.g. --wsgi foo.application%s", rest, see)
	}
	if strings.HasPrefix(msg, "expected one of") || strings.HasPrefix(msg, "expected \"web\"") {
		return usageErrorf(`gowsgi: missing the command; e.g. gowsgi -n web --wsgi foo.application%s`, see)
	}
	// A flag at the end of the line, or followed by another flag.
	if flag, _, ok := strings.Cut(msg, ": "); ok && strings.HasPrefix(flag, "-") &&
		(strings.Contains(msg, `but got "EOL"`) || strings.Contains(msg, "missing value")) {
		return usageErrorf("%s: %s needs a value%s", prefix, flag, see)
	}
	// A value that looks like a flag: kong wants --timeout=-5.
	if flag, rest, ok := strings.Cut(msg, ": expected "); ok && strings.HasPrefix(flag, "-") &&
		(strings.Contains(rest, "(long flag)") || strings.Contains(rest, "(short flag)")) {
		got := rest
		if i := strings.Index(rest, `but got "`); i >= 0 {
			got, _, _ = strings.Cut(rest[i+len(`but got "`):], `"`)
		}
		return usageErrorf("%s: %s needs a value but is followed by %s; for a value starting with \"-\" write %s=VALUE%s", prefix, flag, got, flag, see)
	}
	// kong's other messages already name the flag ("--threads: expected a
	// valid 64 bit int but got \"x\"", "--engine must be one of ...").
	msg = strings.TrimSuffix(strings.ReplaceAll(msg, "\n", " "), "?")
	return usageErrorf("%s: %s%s", prefix, msg, see)
}

func reasonSuffix(reason string) string {
	if reason == "" {
		return ""
	}
	return " (" + reason + ")"
}

// isWebFlag reports whether flag is spelt like one of web's flags.
func isWebFlag(flag string) bool {
	var w webOptions
	k, err := kong.New(&w, kong.Name("gowsgi web"))
	if err != nil {
		return false
	}
	for _, f := range k.Model.Flags {
		if flag == "--"+f.Name || (f.Tag.Negatable != "" && flag == "--no-"+f.Name) || (f.Short != 0 && flag == "-"+string(f.Short)) {
			return !f.Hidden
		}
	}
	return false
}

// config checks the web options and builds the runner configuration. dir is
// the application directory (absolute: the working directory after --rundir);
// relative paths start there. Engine and Log are left for main to fill.
func (inv *invocation) config(dir string) (*config.Site, error) {
	w := &inv.web
	fail := func(format string, args ...any) (*config.Site, error) {
		return nil, usageErrorf("gowsgi web: "+format, args...)
	}
	abs := func(p string) string {
		if filepath.IsAbs(p) {
			return filepath.Clean(p)
		}
		return filepath.Join(dir, p)
	}

	site := &config.Site{Dir: dir}
	t := config.Transport{Tracebacks: "auto", Source: "the command line"}
	cfg := config.Pool{}

	specs := append(append([]string{}, w.Listen...), w.Port...)
	if len(specs) == 0 {
		specs = []string{"tcp:8080"}
	}
	seen := map[string]string{}
	for _, spec := range specs {
		e, err := config.ParseEndpoint(spec)
		if err != nil {
			return fail("--listen %v", err)
		}
		if e.Network == "unix" && !strings.HasPrefix(e.Address, "@") {
			e.Address = abs(e.Address)
		}
		if e.TLS != nil && e.TLS.Key != "" {
			e.TLS.Key, e.TLS.Cert = abs(e.TLS.Key), abs(e.TLS.Cert)
			for i, c := range e.TLS.Chain {
				e.TLS.Chain[i] = abs(c)
			}
		}
		key := e.Network + " " + e.Address
		if earlier, dup := seen[key]; dup {
			return fail("--listen %q and %q are the same address; give it once", earlier, spec)
		}
		seen[key] = spec
		t.Listeners = append(t.Listeners, e)
	}

	if w.Python != "" {
		if w.Engine == "gpython" {
			return fail("--python picks the interpreter for the cpython engine; drop it or use --engine cpython")
		}
		if strings.ContainsRune(w.Python, filepath.Separator) {
			w.Python = abs(w.Python)
		}
	}
	for _, p := range w.PythonPath {
		p = abs(p)
		if _, err := os.Stat(p); err != nil {
			return fail("--pythonpath %s: no such file or directory", p)
		}
		site.Python.Path = append(site.Python.Path, p)
	}

	if field, err := (config.Pool{Threads: w.Threads, Workers: w.Workers}).Check(); err != nil {
		return fail("--%s %v", field, err)
	}
	cfg.Threads, cfg.Workers = w.Threads, w.Workers
	var err error
	if cfg.Timeout, err = config.ParseDuration(w.Timeout); err != nil {
		return fail("--timeout must be a duration like 30s or 2m, or a number of seconds (got %q)", w.Timeout)
	}
	if cfg.QueueTimeout, err = config.ParseDuration(w.QueueTimeout); err != nil {
		return fail("--queue-timeout must be a duration like 30s or 2m, or a number of seconds (got %q)", w.QueueTimeout)
	}
	if cfg.MaxBody, err = config.ParseSize(w.MaxBody); err != nil {
		return fail("--max-body must be a size like 10MB, 512k or 1GiB, or a number of bytes (got %q)", w.MaxBody)
	}
	if cfg.MaxMemory, err = config.ParseSize(w.MaxMemory); err != nil {
		return fail("--max-memory must be a size like 512MB or 2GiB, or a number of bytes (got %q)", w.MaxMemory)
	}
	if cfg.ClientTimeout, err = config.ParseDuration(w.ClientTimeout); err != nil {
		return fail("--client-timeout must be a duration like 30s or 2m, or a number of seconds (got %q)", w.ClientTimeout)
	}
	if cfg.ImportTimeout, err = config.ParseDuration(w.ImportTimeout); err != nil {
		return fail("--import-timeout must be a duration like 30s or 2m, or a number of seconds (got %q)", w.ImportTimeout)
	}

	switch {
	case w.DisplayTracebacks && (w.Notracebacks || w.NotracebacksShort):
		return fail("--display-tracebacks and --notracebacks contradict each other; keep one")
	case w.DisplayTracebacks:
		t.Tracebacks = "show"
	case w.Notracebacks || w.NotracebacksShort:
		t.Tracebacks = "hide"
	}
	for _, h := range w.AddHeader {
		name, value, err := config.ParseHeader(h)
		if err != nil {
			return fail("--add-header %q: %v", h, err)
		}
		t.AddHeaders = append(t.AddHeaders, [2]string{name, value})
	}

	site.Reload.Enabled = w.Reload
	for _, d := range w.Watch {
		d = abs(d)
		info, err := os.Stat(d)
		if err != nil || !info.IsDir() {
			return fail("--watch %s: no such directory", d)
		}
		site.Reload.Watch = append(site.Reload.Watch, d)
	}
	for _, g := range w.WatchInclude {
		if _, err := filepath.Match(g, ""); err != nil || g == "" {
			return fail("--watch-include %q is not a valid glob; e.g. '*.html'", g)
		}
	}
	for _, g := range w.WatchExclude {
		if _, err := filepath.Match(g, ""); err != nil || g == "" {
			return fail("--watch-exclude %q is not a valid glob; e.g. '*.log'", g)
		}
	}
	site.Reload.Include = w.WatchInclude
	site.Reload.Exclude = w.WatchExclude
	if inv.grace, err = config.ParseDuration(w.Grace); err != nil || inv.grace <= 0 {
		return fail("--grace must be a positive duration like 10s or 1m (got %q)", w.Grace)
	}
	if w.ShutdownAfter != "" {
		if inv.shutdownAfter, err = config.ParseDuration(w.ShutdownAfter); err != nil || inv.shutdownAfter <= 0 {
			return fail("--shutdown-after must be a positive duration like 30s or 5m (got %q)", w.ShutdownAfter)
		}
	}
	if w.ReadyFile != "" {
		inv.readyFile = abs(w.ReadyFile)
	}
	// The files gowsgi writes itself must not trigger a reload: a log line
	// would reload the app, which logs another line, ... (Their temporary
	// twins, ".NAME.*.tmp", are excluded as *.tmp already.)
	for _, own := range []string{inv.global.Logfile, w.Logfile, inv.global.Pidfile, w.ReadyFile} {
		if own == "" || own == "-" {
			continue
		}
		if rel, err := filepath.Rel(dir, abs(own)); err == nil && !strings.HasPrefix(rel, "..") {
			site.Reload.Exclude = append(site.Reload.Exclude, filepath.ToSlash(rel))
		}
	}
	if w.WatchPoll != "" {
		if site.Reload.Poll, err = config.ParseDuration(w.WatchPoll); err != nil {
			return fail("--watch-poll must be an interval like 1s or 500ms (got %q)", w.WatchPoll)
		}
	}
	site.Python.Engine, site.Python.Interpreter = w.Engine, w.Python
	site.Dev = config.Dev{DebugPages: w.DebugPages, LiveReload: w.LiveReload && w.Reload}
	site.Log = config.Log{ServerFile: inv.global.Logfile, AccessFile: w.Logfile, Format: w.AccessLog, Color: w.Color}
	configFile, err := config.FindConfig(dir, w.Config)
	if err != nil {
		return fail("--config: %v", err)
	}
	if w.Config == "" && (len(w.WSGI) > 0 || len(w.ASGI) > 0 || len(w.Static) > 0 || w.Path != "") {
		configFile = "" // flags say what to serve: a .crossbar/ beside it is not read
	}
	if configFile != "" {
		switch {
		case len(w.WSGI) > 0 || len(w.ASGI) > 0 || len(w.Static) > 0 || w.Path != "":
			return fail("--config and --wsgi/--asgi/--static/--path both say what to serve; give one (the config file's paths, or the flags)")
		case len(w.Listen) > 0 || len(w.Port) > 0:
			return fail("--listen does not apply with --config: the config file's transports say where to listen")
		}
		if site.ASGIOptions, err = inv.asgiOptions(cfg); err != nil {
			return nil, err
		}
		loaded, err := config.LoadCrossbar(configFile, *site, cfg)
		if err != nil {
			return nil, usageErrorf("gowsgi web: %s: %v", configFile, err)
		}
		return &loaded, nil
	}

	asgi, err := inv.asgiOptions(cfg)
	if err != nil {
		return nil, err
	}
	mounts, err := inv.mounts(abs, cfg, asgi)
	if err != nil {
		return nil, err
	}
	t.Mounts = mounts
	site.Transports = []config.Transport{t}
	if err := site.Validate(); err != nil {
		return fail("%v", err)
	}
	return site, nil
}

// mounts builds the mount table from --wsgi, --asgi, --static and --path.
func (inv *invocation) mounts(abs func(string) string, pool config.Pool, asgi config.ASGI) ([]config.Mount, error) {
	w := &inv.web
	fail := func(format string, args ...any) ([]config.Mount, error) {
		return nil, usageErrorf("gowsgi web: "+format, args...)
	}
	if len(w.WSGI) == 0 && len(w.ASGI) == 0 && len(w.Static) == 0 && w.Path == "" {
		return fail("--wsgi is required, e.g. gowsgi -n web --wsgi foo.application (or --path DIR, --static /URL=DIR, --config FILE)")
	}
	var ms []config.Mount
	for _, v := range w.ASGI {
		path, app, err := appFlag("--asgi", v)
		if err != nil {
			return nil, err
		}
		a := asgi
		a.App = app
		ms = append(ms, config.Mount{Path: path, Kind: config.KindASGI, Source: "--asgi " + v, ASGI: &a})
	}
	for _, v := range w.WSGI {
		path, app, err := appFlag("--wsgi", v)
		if err != nil {
			return nil, err
		}
		ms = append(ms, config.Mount{Path: path, Kind: config.KindWSGI, Source: "--wsgi " + v, WSGI: &config.WSGI{App: app, Pool: pool}})
	}
	static := func(flag, path, dir string) error {
		clean, err := config.CleanMountPath(path)
		if err != nil {
			return usageErrorf("gowsgi web: %s: %v", flag, err)
		}
		index := config.DefaultIndex
		if len(w.Index) > 0 {
			index = w.Index
		}
		ms = append(ms, config.Mount{Path: clean, Kind: config.KindStatic, Source: flag, Static: &config.Static{
			Dir: abs(dir), Index: index, Listing: w.DirListing, DefaultType: w.MimeType,
		}})
		return nil
	}
	if w.Path != "" {
		if err := static("--path "+w.Path, "/", w.Path); err != nil {
			return nil, err
		}
	}
	for _, v := range w.Static {
		path, dir, ok := strings.Cut(v, "=")
		if !ok || dir == "" || !strings.HasPrefix(path, "/") {
			return fail("--static %q: want /URLPATH=DIR, e.g. --static /static=assets", v)
		}
		if err := static("--static "+v, path, dir); err != nil {
			return nil, err
		}
	}
	return ms, nil
}

// asgiOptions are what the ASGI options say, for every ASGI app.
func (inv *invocation) asgiOptions(pool config.Pool) (config.ASGI, error) {
	w := &inv.web
	a := config.ASGIDefaults
	a.Pool, a.Lifespan, a.LimitConcurrency = pool, w.Lifespan, w.LimitConcurrency
	var err error
	if a.PingInterval, err = config.ParseDuration(w.WSPingInterval); err != nil {
		return a, usageErrorf("gowsgi web: --ws-ping-interval must be a duration like 20s, or 0 for none (got %q)", w.WSPingInterval)
	}
	if a.MaxMessage, err = config.ParseSize(w.WSMaxSize); err != nil {
		return a, usageErrorf("gowsgi web: --ws-max-size must be a size like 16MiB or 1MB (got %q)", w.WSMaxSize)
	}
	if a.MaxMessage <= 0 {
		return a, usageErrorf("gowsgi web: --ws-max-size must be at least 1 byte (got %q)", w.WSMaxSize)
	}
	if w.LimitConcurrency < 0 {
		return a, usageErrorf("gowsgi web: --limit-concurrency must be 0 (no limit) or more (got %d)", w.LimitConcurrency)
	}
	return a, nil
}

// appFlag splits the value of --wsgi or --asgi, [/PATH=]FQPN, into a clean
// mount path and the app.
func appFlag(flag, v string) (path, app string, err error) {
	path, app = "/", v
	if before, _, ok := strings.Cut(v, "="); ok && !strings.HasPrefix(v, "/") && !strings.ContainsAny(before, ".:") {
		return "", "", usageErrorf("gowsgi web: %s %q: a mount path starts with /, e.g. %s /%s", flag, v, flag, v)
	}
	if strings.HasPrefix(v, "/") {
		var ok bool
		if path, app, ok = strings.Cut(v, "="); !ok {
			return "", "", usageErrorf("gowsgi web: %s %q: a URL path is followed by =FQPN, e.g. %s /blog=blog.app", flag, v, flag)
		}
	}
	if err := config.CheckAppName(app); err != nil {
		return "", "", usageErrorf("gowsgi web: %s %q: %v", flag, v, err)
	}
	if path, err = config.CleanMountPath(path); err != nil {
		return "", "", usageErrorf("gowsgi web: %s %q: %v", flag, v, err)
	}
	return path, app, nil
}

// openLogs makes the logger from -l (server log, before web), web -l (access
// log) and --color/--access-log. Files are opened for appending and are never
// coloured. The returned close function closes the files. (logs.go)
func (inv *invocation) openLogs(stdout *os.File) (*logging.Logger, func(), error) {
	ls, err := inv.openLogSet(stdout, nil)
	if err != nil {
		return nil, nil, err
	}
	return ls.log, ls.close, nil
}

// engineFinders are the engines' constructors; main passes the real ones,
// tests pass fakes.
type engineFinders struct {
	cpython func(explicit string) (engine.Engine, error)
	gpython func() (engine.Engine, error)
}

// chooseEngine resolves --engine. With auto and no interpreter found it
// falls back to gpython and says why in note.
func chooseEngine(name, python string, find engineFinders) (eng engine.Engine, note string, err error) {
	switch name {
	case "gpython":
		e, err := find.gpython()
		if err != nil {
			return nil, "", &exitError{code: 1, msg: fmt.Sprintf("gowsgi: the gpython engine failed to start: %v", err)}
		}
		return e, "", nil
	case "cpython":
		e, err := find.cpython(python)
		if err != nil {
			return nil, "", usageErrorf("gowsgi web: --engine cpython: %v; install Python 3 or pass --python PATH", oneLine(err))
		}
		return e, "", nil
	}
	e, cerr := find.cpython(python)
	if cerr == nil {
		return e, "", nil
	}
	if python != "" {
		// An explicit interpreter that does not work is a mistake to report,
		// not a reason to quietly run something else.
		return nil, "", usageErrorf("gowsgi web: %v", oneLine(cerr))
	}
	g, gerr := find.gpython()
	if gerr != nil {
		return nil, "", &exitError{code: 1, msg: fmt.Sprintf("gowsgi: no engine available: %v; and gpython: %v", oneLine(cerr), oneLine(gerr))}
	}
	return g, fmt.Sprintf("no Python interpreter found (%s); using the built-in gpython engine, which runs simple pure-Python apps only", oneLine(cerr)), nil
}

func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}
