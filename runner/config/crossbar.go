package config

// Reading a Crossbar.io node config (.crossbar/config.json or config.yaml)
// into a Site: the "web" transports of its router workers, their endpoints
// and their paths. What gowsgi does not host (WAMP, other worker and
// transport types) becomes a warning; every mistake is an *Error named by the
// JSON path of the value, reported before anything starts.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"mime"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The file names a node directory is searched for, in Crossbar's order.
var crossbarConfigNames = []string{"config.yaml", "config.yml", "config.json"}

const crossbarConfigList = "config.yaml, config.yml or config.json"

// FindConfig resolves what --config names: a .json/.yaml/.yml file, or a directory holding config.yaml /
// config.yml / config.json (YAML first, as Crossbar). With arg == "", it looks for ./.crossbar/ under dir and returns "" (no error)
// when there is none. Errors: one line saying what was looked for.
//
// A relative arg is taken from dir. The path returned is absolute.
func FindConfig(dir, arg string) (string, error) {
	if arg == "" {
		nodeDir := filepath.Join(dir, ".crossbar")
		if info, err := os.Stat(nodeDir); err != nil || !info.IsDir() {
			return "", nil
		}
		nodeDir = absPath(nodeDir)
		if found := findConfigIn(nodeDir); found != "" {
			return found, nil
		}
		return "", &Error{Where: nodeDir, Msg: "no " + crossbarConfigList + " in this Crossbar.io node directory"}
	}
	where := "--config " + arg
	p := arg
	if !filepath.IsAbs(p) {
		p = filepath.Join(dir, p)
	}
	p = absPath(p)
	info, err := os.Stat(p)
	if err == nil && info.IsDir() {
		if found := findConfigIn(p); found != "" {
			return found, nil
		}
		return "", &Error{Where: where, Msg: "no " + crossbarConfigList + " in " + p}
	}
	switch strings.ToLower(filepath.Ext(p)) {
	case ".json", ".yaml", ".yml":
	default:
		return "", &Error{Where: where, Msg: p + ": expected a .json, .yaml or .yml file (a Crossbar.io node config) or its directory"}
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", &Error{Where: where, Msg: p + ": no such file"}
	case err != nil:
		return "", &Error{Where: where, Msg: err.Error()}
	case !info.Mode().IsRegular():
		return "", &Error{Where: where, Msg: p + ": not a regular file"}
	}
	return p, nil
}

func findConfigIn(dir string) string {
	for _, name := range crossbarConfigNames {
		p := filepath.Join(dir, name)
		if info, err := os.Stat(p); err == nil && info.Mode().IsRegular() {
			return p
		}
	}
	return ""
}

func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return filepath.Clean(p)
}

// LoadCrossbar reads a Crossbar.io node config (JSON or YAML by extension) into a Site, checked with Validate.
// base carries what the command line already decided and the config may add to or override:
// base.Dir (the project directory), base.Python (engine, interpreter), base.Log, base.Reload; pool is the
// per-app defaults from flags (--threads, --workers, --timeout ...), used where the config says nothing.
//
// Relative paths in the config start at the node directory, the one holding
// the file (as in Crossbar). The config's transports replace base.Transports;
// its pythonpath entries are appended to base.Python.Path and its env vars
// set over base.Python.Env; its warnings follow base.Warnings. With no
// base.Dir, the project directory is the parent of a ".crossbar" node
// directory, else the node directory itself.
func LoadCrossbar(file string, base Site, pool Pool) (site Site, err error) {
	data, err := os.ReadFile(file)
	if err != nil {
		msg := err.Error()
		if errors.Is(err, fs.ErrNotExist) {
			msg = "no such file"
		}
		return Site{}, &Error{Where: file, Msg: msg}
	}
	root, err := decodeConfig(file, data)
	if err != nil {
		return Site{}, err
	}

	nodeDir := filepath.Dir(absPath(file))
	site = base
	site.Transports = nil
	site.Warnings = slices.Clone(base.Warnings)
	site.Python.Path = slices.Clone(base.Python.Path)
	site.Python.Env = maps.Clone(base.Python.Env)
	switch {
	case site.Dir == "" && filepath.Base(nodeDir) == ".crossbar":
		site.Dir = filepath.Dir(nodeDir)
	case site.Dir == "":
		site.Dir = nodeDir
	default:
		site.Dir = absPath(site.Dir)
	}

	if pool == (Pool{}) {
		pool = DefaultPool
	}
	if pool.Threads == 0 {
		pool.Threads = DefaultPool.Threads
	}
	if pool.Workers == 0 {
		pool.Workers = DefaultPool.Workers
	}

	l := &loader{file: file, nodeDir: nodeDir, pool: pool, site: &site}
	defer func() {
		if r := recover(); r != nil {
			f, ok := r.(loadFailure)
			if !ok {
				panic(r)
			}
			site, err = Site{}, f.err
		}
	}()
	l.top(root)
	if err := site.Validate(); err != nil {
		return Site{}, err
	}
	return site, nil
}

// loadFailure carries the first mistake out of the walk.
type loadFailure struct{ err *Error }

type loader struct {
	file    string // as given, for messages about the whole file
	nodeDir string // absolute: relative paths in the config start here
	pool    Pool
	site    *Site
	// The current router worker's options.pythonpath (absolute) and
	// options.env.vars, added to the Site unless the worker is disabled.
	pyPath  []string
	envVars map[string]string
}

func (l *loader) fail(where, format string, args ...any) {
	panic(loadFailure{errorf(where, format, args...)})
}

func (l *loader) warn(format string, args ...any) {
	l.site.Warnings = append(l.site.Warnings, fmt.Sprintf(format, args...))
}

// ---- the document ----

var (
	topKeys          = []string{"$schema", "version", "controller", "workers"}
	workerTypes      = []string{"router", "container", "guest", "proxy", "websocket-testee"}
	routerKeys       = []string{"id", "type", "options", "manhole", "realms", "transports", "components", "connections"}
	workerOptionKeys = []string{"title", "python", "pythonpath", "cpu_affinity", "env", "expose_controller", "expose_shared", "disabled", "extra"}
	envKeys          = []string{"inherit", "vars"}
	transportTypes   = []string{"web", "websocket", "rawsocket", "universal", "mqtt", "flashpolicy", "websocket.testee", "stream.testee"}
	webTransportKeys = []string{"id", "type", "endpoint", "paths", "options"}
	webOptionKeys    = []string{"access_log", "display_tracebacks", "hsts", "hsts_max_age", "client_timeout"}
	endpointTypes    = []string{"tcp", "unix"}
	tcpKeys          = []string{"type", "port", "portrange", "interface", "version", "backlog", "shared", "user_timeout", "tls"}
	unixKeys         = []string{"type", "path", "backlog"}
	tlsKeys          = []string{"key", "certificate", "chain_certificates", "dhparam", "ciphers", "ca_certificates"}
)

func (l *loader) top(v any) {
	o, ok := v.(*object)
	if !ok {
		l.fail(l.file, `expected an object with a "workers" list at the top, got %s`, describe(v))
	}
	l.checkKeys(o, "", topKeys)
	for _, k := range o.keys {
		val, where := o.vals[k], childPath("", k)
		switch k {
		case "$schema":
			l.str(val, where)
		case "version":
			if n, ok := asInt(val); !ok || n < 1 || n > 2 {
				l.fail(where, "expected 1 or 2, got %s", describe(val))
			}
		case "controller":
			l.obj(val, where) // the node controller: nothing for gowsgi
		}
	}
	workers := l.list(l.required(o, "", "workers", `the list of workers; web transports live in "router" workers`), "workers")
	for i, w := range workers {
		l.worker(w, indexPath("workers", i))
	}
	if len(l.site.Transports) == 0 {
		l.fail("workers", `no "web" transport in a router worker: nothing for gowsgi to serve`)
	}
}

func (l *loader) worker(v any, where string) {
	o := l.obj(v, where)
	typ := l.typeOf(o, where, workerTypes, `the worker type; web transports live in "router" workers`)
	if typ != "router" {
		l.warn("%s: a %s worker is not run by gowsgi; ignored", where, typ)
		return
	}
	l.checkKeys(o, where, routerKeys)
	l.pyPath, l.envVars = nil, nil
	if opts, ok := o.get("options"); ok {
		before := len(l.site.Warnings)
		if disabled := l.workerOptions(opts, childPath(where, "options")); disabled {
			l.site.Warnings = l.site.Warnings[:before] // nothing of it is used
			l.warn("%s: disabled by its options; skipped", where)
			return
		}
	}
	for _, p := range l.pyPath {
		if !slices.Contains(l.site.Python.Path, p) {
			l.site.Python.Path = append(l.site.Python.Path, p)
		}
	}
	if len(l.envVars) > 0 && l.site.Python.Env == nil {
		l.site.Python.Env = map[string]string{}
	}
	maps.Copy(l.site.Python.Env, l.envVars)
	var wamp []string
	for _, k := range o.keys {
		val, w := o.vals[k], childPath(where, k)
		switch k {
		case "id":
			l.str(val, w)
		case "realms", "components", "connections", "manhole":
			if !isEmpty(val) {
				wamp = append(wamp, k)
			}
		}
	}
	if len(wamp) > 0 {
		l.warn("%s: WAMP realms are not served by gowsgi; ignored: %s", where, joinWords(wamp, "and"))
	}
	if ts, ok := o.get("transports"); ok {
		tw := childPath(where, "transports")
		for i, t := range l.list(ts, tw) {
			l.transport(t, indexPath(tw, i))
		}
	}
}

// workerOptions reads a router's options and reports whether the worker is disabled.
func (l *loader) workerOptions(v any, where string) (disabled bool) {
	o := l.obj(v, where)
	l.checkKeys(o, where, workerOptionKeys)
	for _, k := range o.keys {
		val, w := o.vals[k], childPath(where, k)
		switch k {
		case "title":
			l.str(val, w)
		case "python":
			l.warn("%s: %q is ignored; gowsgi's --python picks the interpreter", w, l.str(val, w))
		case "pythonpath":
			for i, e := range l.list(val, w) {
				ew := indexPath(w, i)
				p := l.resolve(l.str(e, ew))
				if _, err := os.Stat(p); err != nil {
					l.fail(ew, "%s: no such directory (pythonpath entries are relative to the node directory %s)", p, l.nodeDir)
				}
				l.pyPath = append(l.pyPath, p)
			}
		case "cpu_affinity":
			for i, e := range l.list(val, w) {
				l.integer(e, indexPath(w, i), 0, 1<<16, "a CPU number")
			}
		case "env":
			l.env(val, w)
		case "expose_controller", "expose_shared":
			l.boolean(val, w)
		case "disabled":
			switch d := val.(type) {
			case bool:
				disabled = d
			case string: // Crossbar: "${VAR}" is true when VAR is set and not empty
				if m := envReference.FindStringSubmatch(d); m != nil {
					d = os.Getenv(m[1])
				}
				disabled = d != ""
			default:
				l.fail(w, "expected true or false, got %s", describe(val))
			}
		}
	}
	return disabled
}

var envReference = regexp.MustCompile(`^\$\{(.+)\}$`)

func (l *loader) env(v any, where string) {
	o := l.obj(v, where)
	l.checkKeys(o, where, envKeys)
	for _, k := range o.keys {
		val, w := o.vals[k], childPath(where, k)
		switch k {
		case "inherit":
			switch inherit := val.(type) {
			case bool:
				if !inherit {
					l.warn("%s: ignored; gowsgi's Python workers inherit gowsgi's environment", w)
				}
			case []any:
				for i, e := range inherit {
					l.str(e, indexPath(w, i))
				}
				l.warn("%s: ignored; gowsgi's Python workers inherit gowsgi's whole environment", w)
			default:
				l.fail(w, "expected true, false or a list of variable names, got %s", describe(val))
			}
		case "vars":
			vars := l.obj(val, w)
			l.checkDups(vars, w)
			for _, name := range vars.keys {
				vw := childPath(w, name)
				if name == "" || strings.ContainsAny(name, "=\x00") {
					l.fail(vw, "not an environment variable name")
				}
				value := l.str(vars.vals[name], vw)
				if strings.ContainsRune(value, 0) {
					l.fail(vw, "an environment variable cannot hold a NUL character")
				}
				if l.envVars == nil {
					l.envVars = map[string]string{}
				}
				l.envVars[name] = value
			}
		}
	}
}

// ---- transports and endpoints ----

func (l *loader) transport(v any, where string) {
	o := l.obj(v, where)
	typ := l.typeOf(o, where, transportTypes, `the transport type; gowsgi serves "web"`)
	if typ != "web" {
		l.warn("%s: a %q transport is not served by gowsgi; ignored", where, typ)
		return
	}
	l.checkKeys(o, where, webTransportKeys)
	t := Transport{Source: where, Tracebacks: "auto"}
	for _, k := range o.keys {
		val, w := o.vals[k], childPath(where, k)
		switch k {
		case "id":
			l.str(val, w)
		case "endpoint":
			t.Listeners = append(t.Listeners, l.endpoint(val, w))
		case "options":
			l.webOptions(val, w, &t)
		case "paths":
			l.paths(val, w, "", &t)
		}
	}
	l.required(o, where, "endpoint", `where to listen, e.g. {"type": "tcp", "port": 8080}`)
	l.required(o, where, "paths", `the URL paths and their services, e.g. {"/": {"type": "wsgi", ...}}`)
	l.site.Transports = append(l.site.Transports, t)
}

func (l *loader) webOptions(v any, where string, t *Transport) {
	o := l.obj(v, where)
	l.checkKeys(o, where, webOptionKeys)
	hsts, maxAge := false, int64(0)
	for _, k := range o.keys {
		val, w := o.vals[k], childPath(where, k)
		switch k {
		case "access_log":
			l.boolean(val, w)
		case "display_tracebacks":
			if l.boolean(val, w) {
				t.Tracebacks = "show"
			} else {
				t.Tracebacks = "hide"
			}
		case "hsts":
			hsts = l.boolean(val, w)
		case "hsts_max_age":
			maxAge = l.integer(val, w, 0, 1<<31, "a number of seconds (0 or more)")
		case "client_timeout":
			if val != nil {
				l.integer(val, w, 1, 86400, "a number of seconds from 1 to 86400, or null")
			}
		}
	}
	if hsts {
		if maxAge == 0 { // Crossbar: hsts_max_age or 31536000
			maxAge = 31536000
		}
		t.HSTS = time.Duration(maxAge) * time.Second
	}
}

func (l *loader) endpoint(v any, where string) Listener {
	o := l.obj(v, where)
	typ := l.typeOf(o, where, endpointTypes, `"tcp" or "unix"`)
	if typ == "unix" {
		return l.unixEndpoint(o, where)
	}
	l.checkKeys(o, where, tcpKeys)
	var (
		port            int64 = -1
		rangeStart      int64 = -1
		version         int64 = 4
		iface           string
		hasIface        bool
		tls             *TLS
		ifaceW, rangeW  string
		versionExplicit bool
	)
	for _, k := range o.keys {
		val, w := o.vals[k], childPath(where, k)
		switch k {
		case "port":
			port = l.port(val, w)
		case "portrange":
			rangeW = w
			pr := l.list(val, w)
			if len(pr) != 2 {
				l.fail(w, "expected a list of two port numbers [first, last], got %d values", len(pr))
			}
			first := l.integer(pr[0], indexPath(w, 0), 1, 65535, "a port number from 1 to 65535")
			last := l.integer(pr[1], indexPath(w, 1), 1, 65535, "a port number from 1 to 65535")
			if last < first {
				l.fail(w, "the last port %d is below the first %d", last, first)
			}
			rangeStart = first
		case "interface":
			iface, hasIface, ifaceW = l.str(val, w), true, w
		case "version":
			if n, ok := asInt(val); !ok || (n != 4 && n != 6) {
				l.fail(w, "expected 4 or 6, got %s", describe(val))
			}
			version, _ = asInt(val)
			versionExplicit = true
		case "backlog":
			l.integer(val, w, 1, 65535, "a number from 1 to 65535")
		case "shared":
			l.boolean(val, w)
		case "user_timeout":
			l.integer(val, w, 0, 65535, "a number of milliseconds from 0 to 65535")
		case "tls":
			tls = l.tls(val, w)
		}
	}
	switch {
	case port >= 0 && rangeStart >= 0:
		l.fail(rangeW, "give port or portrange, not both")
	case rangeStart >= 0:
		port = rangeStart
		l.warn("%s: gowsgi listens on the first port of the range, %d", rangeW, port)
	case port < 0:
		l.fail(childPath(where, "port"), "required (the TCP port to listen on, e.g. 8080; 0 picks a free one)")
	}

	e := Listener{Network: "tcp", TLS: tls}
	switch {
	case !hasIface:
		iface, e.DefaultInterface = DefaultInterface, true
		if version == 6 {
			iface = DefaultInterface6
		}
	case iface == "": // Twisted: every interface
		iface = "0.0.0.0"
		if version == 6 {
			iface = "::"
		}
	case strings.ContainsAny(iface, "[]/ "):
		l.fail(ifaceW, "expected an IP address or a host name such as 127.0.0.1, ::1 or localhost, got %q", iface)
	default:
		if ip := net.ParseIP(iface); ip != nil {
			if ip.To4() != nil && version == 6 {
				l.fail(ifaceW, "%s is an IPv4 address but version is 6", iface)
			}
			if ip.To4() == nil && version == 4 {
				if versionExplicit {
					l.fail(ifaceW, "%s is an IPv6 address but version is 4", iface)
				}
				l.fail(ifaceW, `%s is an IPv6 address; add "version": 6 to the endpoint`, iface)
			}
		}
	}
	e.Address = net.JoinHostPort(iface, strconv.FormatInt(port, 10))
	e.Spec = fmt.Sprintf("%s (tcp %d", where, port)
	if tls != nil {
		e.Spec += ", tls"
	}
	e.Spec += ")"
	return e
}

// port reads a TCP port: a number, or as in Crossbar a "$VAR" naming an
// environment variable that holds one.
func (l *loader) port(v any, where string) int64 {
	if s, ok := v.(string); ok {
		if m := portReference.FindStringSubmatch(s); m != nil {
			value, set := os.LookupEnv(m[1])
			if !set {
				l.fail(where, "the environment variable %s is not set", m[1])
			}
			n, err := strconv.ParseInt(value, 10, 64)
			if err != nil || n < 0 || n > 65535 {
				l.fail(where, "expected a port number from 0 to 65535 in $%s, got %q", m[1], value)
			}
			return n
		}
	}
	return l.integer(v, where, 0, 65535, "a port number from 0 to 65535")
}

var portReference = regexp.MustCompile(`^\$([a-zA-Z_][a-zA-Z0-9_]*)$`)

func (l *loader) unixEndpoint(o *object, where string) Listener {
	l.checkKeys(o, where, unixKeys)
	for _, k := range o.keys {
		val, w := o.vals[k], childPath(where, k)
		switch k {
		case "path":
			l.str(val, w)
		case "backlog":
			l.integer(val, w, 1, 65535, "a number from 1 to 65535")
		}
	}
	pw := childPath(where, "path")
	raw := l.str(l.required(o, where, "path", "the socket file, relative to the node directory"), pw)
	if raw == "" {
		l.fail(pw, "expected a socket file name, got \"\"")
	}
	// Crossbar expands $VAR and ${VAR} (leaving unset ones as written).
	expanded := os.Expand(raw, func(name string) string {
		if value, ok := os.LookupEnv(name); ok {
			return value
		}
		return "${" + name + "}"
	})
	p := l.resolve(expanded)
	if info, err := os.Stat(filepath.Dir(p)); err != nil || !info.IsDir() {
		l.fail(pw, "%s: no such directory for the socket", filepath.Dir(p))
	}
	return Listener{Network: "unix", Address: p, Spec: fmt.Sprintf("%s (unix %s)", where, p)}
}

func (l *loader) tls(v any, where string) *TLS {
	o := l.obj(v, where)
	l.checkKeys(o, where, tlsKeys)
	t := &TLS{}
	var ignored []string
	for _, k := range o.keys {
		val, w := o.vals[k], childPath(where, k)
		switch k {
		case "key":
			t.Key = l.existingFile(val, w)
		case "certificate":
			t.Cert = l.existingFile(val, w)
		case "chain_certificates":
			for i, e := range l.list(val, w) {
				t.Chain = append(t.Chain, l.existingFile(e, indexPath(w, i)))
			}
		case "dhparam", "ciphers":
			l.str(val, w)
			ignored = append(ignored, k)
		case "ca_certificates":
			for i, e := range l.list(val, w) {
				l.existingFile(e, indexPath(w, i))
			}
			l.warn("%s: client certificates are NOT verified by gowsgi: any client can connect", w)
		}
	}
	l.required(o, where, "key", "the PEM private key file, relative to the node directory")
	l.required(o, where, "certificate", "the PEM certificate file, relative to the node directory")
	if len(ignored) > 0 {
		l.warn("%s: %s ignored; Go picks safe ones", where, joinWords(ignored, "and"))
	}
	return t
}

// existingFile reads a file name relative to the node directory; the file must exist.
func (l *loader) existingFile(v any, where string) string {
	p := l.resolve(l.str(v, where))
	if info, err := os.Stat(p); err != nil || info.IsDir() {
		l.fail(where, "%s: no such file", p)
	}
	return p
}

// resolve makes p absolute, starting from the node directory.
func (l *loader) resolve(p string) string {
	if !filepath.IsAbs(p) {
		p = filepath.Join(l.nodeDir, p)
	}
	return filepath.Clean(p)
}

// ---- paths and services ----

var (
	pathSegment = regexp.MustCompile(`^([a-z0-9A-Z_\-.]+|/)$`)

	// serviceTypes are Crossbar's web service types: those gowsgi hosts
	// first, then those answered with 501.
	serviceTypes = []string{
		"wsgi", "asgi", "static", "redirect", "json", "path", "reverseproxy",
		"websocket", "websocket-reverseproxy", "longpoll", "caller", "publisher", "webhook",
		"resource", "cgi", "nodeinfo", "upload", "archive", "wap", "catalog", "none",
	}
	// What the unhosted ones are, for their warning.
	serviceLabels = map[string]string{
		"websocket": "WAMP", "longpoll": "WAMP", "caller": "WAMP", "publisher": "WAMP",
		"webhook": "WAMP", "wap": "WAMP", "websocket-reverseproxy": "WebSocket",
	}

	wsgiKeys          = []string{"type", "module", "object", "minthreads", "maxthreads", "id"}
	asgiKeys          = []string{"type", "module", "object", "lifespan", "id"}
	staticKeys        = []string{"type", "directory", "package", "resource", "options", "id"}
	staticOptionKeys  = []string{"enable_directory_listing", "mime_types", "cache_timeout", "default_file"}
	redirectKeys      = []string{"type", "url", "id"}
	jsonKeys          = []string{"type", "value", "options", "id"}
	jsonOptionKeys    = []string{"prettify", "allow_cross_origin", "discourage_caching"}
	pathServiceKeys   = []string{"type", "paths", "id"}
	reverseproxyKeys  = []string{"type", "host", "port", "path", "forwarded_port", "forwarded_proto", "id"}
	forwardedProtos   = []string{"http", "https"}
	defaultCacheHours = 12 * time.Hour // Crossbar's DEFAULT_CACHE_TIMEOUT
)

// paths reads a "paths" object; prefix is the URL path it is mounted under
// ("" for the transport's own).
func (l *loader) paths(v any, where, prefix string, t *Transport) {
	o := l.obj(v, where)
	l.checkDups(o, where)
	for _, k := range o.keys {
		w := childPath(where, k)
		if !pathSegment.MatchString(k) || k == "." || k == ".." {
			if strings.Contains(strings.Trim(k, "/"), "/") {
				first, rest, _ := strings.Cut(strings.Trim(k, "/"), "/")
				l.fail(w, `a path key is one URL segment; for a deeper path nest a "path" service: %q: {"type": "path", "paths": {%q: ...}}`, first, rest)
			}
			l.fail(w, `a path key is one URL segment of letters, digits, "_", "-" and ".", or "/" for the root`)
		}
		l.service(o.vals[k], w, mountPath(prefix, k), t)
	}
}

func mountPath(prefix, key string) string {
	switch {
	case key == "/" && prefix == "":
		return "/"
	case key == "/":
		return prefix
	case prefix == "" || prefix == "/":
		return "/" + key
	}
	return prefix + "/" + key
}

func (l *loader) service(v any, where, path string, t *Transport) {
	o := l.obj(v, where)
	typ := l.typeOf(o, where, serviceTypes, `the service type, e.g. "wsgi" or "static"`)
	if id, ok := o.get("id"); ok {
		l.str(id, childPath(where, "id"))
	}
	m := Mount{Path: path, Source: where}
	switch typ {
	case "wsgi":
		m.Kind, m.WSGI = KindWSGI, l.wsgi(o, where)
	case "asgi":
		m.Kind, m.ASGI = KindASGI, l.asgi(o, where)
	case "static":
		m.Kind, m.Static = KindStatic, l.static(o, where)
	case "redirect":
		l.checkKeys(o, where, redirectKeys)
		uw := childPath(where, "url")
		u := l.str(l.required(o, where, "url", "where to redirect to: a path or a full URL"), uw)
		if _, err := url.Parse(u); err != nil || strings.TrimSpace(u) == "" {
			l.fail(uw, "expected a URL or a path, got %q", u)
		}
		m.Kind, m.Redirect = KindRedirect, &Redirect{URL: u, Code: 302}
	case "json":
		m.Kind, m.JSON = KindJSON, l.jsonService(o, where)
	case "path":
		l.checkKeys(o, where, pathServiceKeys)
		pw := childPath(where, "paths")
		l.paths(l.required(o, where, "paths", "the URL paths under this one and their services"), pw, path, t)
		return // a path service only groups: its children are the mounts
	case "reverseproxy":
		m.Kind, m.Proxy = KindProxy, l.proxy(o, where)
	default:
		what := fmt.Sprintf("%q", typ)
		if label := serviceLabels[typ]; label != "" {
			what += " (" + label + ")"
		}
		extra := ""
		if typ == "none" {
			extra = " (Crossbar answers 404)"
		}
		l.warn("%s: %s is not hosted by gowsgi; %s answers 501%s", where, what, path, extra)
		m.Kind, m.Unsupported = KindUnsupported, &Unsupported{Type: typ}
	}
	t.Mounts = append(t.Mounts, m)
}

func (l *loader) wsgi(o *object, where string) *WSGI {
	l.checkKeys(o, where, wsgiKeys)
	pool := l.pool
	minThreads, minW := int64(-1), ""
	maxGiven := false
	app := l.app(o, where, "WSGI")
	for _, k := range o.keys {
		val, w := o.vals[k], childPath(where, k)
		switch k {
		case "minthreads":
			minThreads, minW = l.integer(val, w, 0, 10000, "a number of threads (0 or more)"), w
		case "maxthreads":
			pool.Threads = int(l.integer(val, w, 1, 10000, "a number of threads from 1 to 10000"))
			maxGiven = true
		}
	}
	if minThreads > int64(pool.Threads) {
		limit := "--threads"
		if maxGiven {
			limit = "maxthreads"
		}
		l.fail(minW, "%d is more than %s (%d)", minThreads, limit, pool.Threads)
	}
	return &WSGI{App: app, Pool: pool}
}

// asgi reads an ASGI service: {"type": "asgi", "module": "main", "object": "app"}.
// What the config does not say comes from the command line's ASGI options.
func (l *loader) asgi(o *object, where string) *ASGI {
	l.checkKeys(o, where, asgiKeys)
	a := l.site.ASGIOptions
	if a.Lifespan == "" {
		a = ASGIDefaults
	}
	a.Pool = l.pool
	a.App = l.app(o, where, "ASGI")
	if v, ok := o.get("lifespan"); ok {
		w := childPath(where, "lifespan")
		if s := l.str(v, w); slices.Contains(Lifespans, s) {
			a.Lifespan = s
		} else {
			l.fail(w, `expected "auto", "on" or "off", got %q`, s)
		}
	}
	return &a
}

// app reads a service's "module" and "object": the app, "module:object".
func (l *loader) app(o *object, where, kind string) string {
	for _, k := range o.keys {
		val, w := o.vals[k], childPath(where, k)
		switch k {
		case "module":
			s := l.str(val, w)
			switch {
			case strings.ContainsAny(s, `/\`):
				l.fail(w, `expected a module name, got the path %q: put its directory in the router's "pythonpath" option and give the module name`, s)
			case strings.HasSuffix(s, ".py"):
				l.fail(w, "expected a module name, got the file %q: drop the .py (%q)", s, strings.TrimSuffix(s, ".py"))
			case !isDottedName(s):
				l.fail(w, `expected a Python module name such as "myapp" or "pkg.web", got %q`, s)
			}
		case "object":
			if s := l.str(val, w); !isDottedName(s) {
				l.fail(w, `expected the name of the %s app in the module, such as "app" or "application", got %q`, kind, s)
			}
		}
	}
	module := l.str(l.required(o, where, "module", "the Python module of the "+kind+" app"), childPath(where, "module"))
	obj := l.str(l.required(o, where, "object", `the `+kind+` app in the module, e.g. "app"`), childPath(where, "object"))
	app := module + ":" + obj
	if err := CheckAppName(app); err != nil {
		l.fail(where, "%q: %v", app, err)
	}
	return app
}

func isDottedName(s string) bool {
	for _, part := range strings.Split(s, ".") {
		if !isIdentifier(part) {
			return false
		}
	}
	return true
}

func (l *loader) static(o *object, where string) *Static {
	l.checkKeys(o, where, staticKeys)
	s := &Static{Index: slices.Clone(DefaultIndex), CacheTimeout: defaultCacheHours}
	_, hasDir := o.get("directory")
	_, hasPkg := o.get("package")
	_, hasRes := o.get("resource")
	switch {
	case hasDir && (hasPkg || hasRes):
		other := "package"
		if !hasPkg {
			other = "resource"
		}
		l.fail(childPath(where, other), `give either "directory" or "package" and "resource", not both`)
	case hasDir:
		dw := childPath(where, "directory")
		s.Dir = l.resolve(l.str(o.vals["directory"], dw))
		if info, err := os.Stat(s.Dir); err != nil || !info.IsDir() {
			l.fail(dw, "%s: no such directory", s.Dir)
		}
	case hasPkg && hasRes:
		s.Dir = l.packageResource(o, where)
	case hasPkg:
		l.fail(childPath(where, "resource"), `required with "package" (the directory in the package to serve)`)
	case hasRes:
		l.fail(childPath(where, "package"), `required with "resource" (the Python package holding it)`)
	default:
		l.fail(childPath(where, "directory"), `required (the directory to serve, relative to the node directory; or "package" and "resource")`)
	}
	if opts, ok := o.get("options"); ok {
		ow := childPath(where, "options")
		oo := l.obj(opts, ow)
		l.checkKeys(oo, ow, staticOptionKeys)
		for _, k := range oo.keys {
			val, w := oo.vals[k], childPath(ow, k)
			switch k {
			case "enable_directory_listing":
				s.Listing = l.boolean(val, w)
			case "mime_types":
				s.MimeTypes = l.mimeTypes(val, w)
			case "cache_timeout":
				s.CacheTimeout = 0
				if val != nil {
					s.CacheTimeout = time.Duration(l.integer(val, w, 0, 1<<31, "a number of seconds (0 or more), or null")) * time.Second
				}
			case "default_file":
				name := l.str(val, w)
				if name == "" || name == "." || name == ".." || strings.ContainsAny(name, `/\`) {
					l.fail(w, "expected a file name in the directory, such as index.html, got %q", name)
				}
				s.Index = []string{name}
			}
		}
	}
	return s
}

// packageResource finds a package's resource directory the way Python
// would import it from the worker's pythonpath, the command line's
// --pythonpath or the project directory.
func (l *loader) packageResource(o *object, where string) string {
	pw, rw := childPath(where, "package"), childPath(where, "resource")
	pkg, res := l.str(o.vals["package"], pw), l.str(o.vals["resource"], rw)
	if !isDottedName(pkg) {
		l.fail(pw, `expected a Python package name such as "mypkg" or "mypkg.web", got %q`, pkg)
	}
	if res == "" || filepath.IsAbs(res) || slices.Contains(strings.Split(filepath.ToSlash(res), "/"), "..") {
		l.fail(rw, "expected a directory inside the package, such as \"static\", got %q", res)
	}
	rel := filepath.Join(filepath.Join(strings.Split(pkg, ".")...), res)
	var roots []string
	for _, r := range slices.Concat(l.pyPath, l.site.Python.Path, []string{l.site.Dir}) {
		if !slices.Contains(roots, r) {
			roots = append(roots, r)
		}
	}
	for _, r := range roots {
		p := filepath.Join(r, rel)
		if info, err := os.Stat(p); err == nil && info.IsDir() {
			return p
		}
	}
	l.fail(pw, `no directory %s in %s (gowsgi looks in the pythonpath and the project directory; for an installed package give "directory")`,
		rel, strings.Join(roots, ", "))
	return ""
}

func (l *loader) mimeTypes(v any, where string) map[string]string {
	o := l.obj(v, where)
	l.checkDups(o, where)
	types := map[string]string{}
	for _, ext := range o.keys {
		w := childPath(where, ext)
		norm := strings.ToLower(strings.TrimSpace(ext))
		if !strings.HasPrefix(norm, ".") {
			norm = "." + norm
		}
		if norm == "." || strings.ContainsAny(norm, `/\ `) {
			l.fail(w, `expected a file extension such as ".md", got %q`, ext)
		}
		typ := l.str(o.vals[ext], w)
		if _, _, err := mime.ParseMediaType(typ); err != nil || !strings.Contains(typ, "/") {
			l.fail(w, `expected a media type such as "text/markdown", got %q`, typ)
		}
		types[norm] = typ
	}
	return types
}

func (l *loader) jsonService(o *object, where string) *JSON {
	l.checkKeys(o, where, jsonKeys)
	j := &JSON{}
	if opts, ok := o.get("options"); ok {
		ow := childPath(where, "options")
		oo := l.obj(opts, ow)
		l.checkKeys(oo, ow, jsonOptionKeys)
		for _, k := range oo.keys {
			val, w := oo.vals[k], childPath(ow, k)
			switch k {
			case "prettify":
				j.Prettify = l.boolean(val, w)
			case "allow_cross_origin":
				j.CORS = l.boolean(val, w)
			case "discourage_caching":
				j.NoCache = l.boolean(val, w)
			}
		}
	}
	vw := childPath(where, "value")
	value := l.required(o, where, "value", "the JSON value to answer with")
	var buf bytes.Buffer
	if err := encodeJSON(&buf, value, vw); err != nil {
		var e *Error
		if errors.As(err, &e) {
			panic(loadFailure{e})
		}
		l.fail(vw, "%v", err)
	}
	j.Value = buf.Bytes()
	return j
}

func (l *loader) proxy(o *object, where string) *Proxy {
	l.checkKeys(o, where, reverseproxyKeys)
	p := &Proxy{Port: 80, ForwardedPort: 80, ForwardedProto: "http"}
	for _, k := range o.keys {
		val, w := o.vals[k], childPath(where, k)
		switch k {
		case "host":
			p.Host = l.str(val, w)
			if p.Host == "" || strings.ContainsAny(p.Host, "/ ") {
				l.fail(w, "expected a host name or an IP address, got %q", p.Host)
			}
		case "port":
			p.Port = int(l.integer(val, w, 1, 65535, "a port number from 1 to 65535"))
		case "path":
			p.Path = l.str(val, w)
		case "forwarded_port":
			p.ForwardedPort = int(l.integer(val, w, 1, 65535, "a port number from 1 to 65535"))
		case "forwarded_proto":
			p.ForwardedProto = l.enum(val, w, forwardedProtos)
		}
	}
	l.required(o, where, "host", "the host to forward requests to")
	return p
}

// ---- typed reads ----

// required returns o[key], failing with "required (what)" when it is absent.
func (l *loader) required(o *object, where, key, what string) any {
	v, ok := o.get(key)
	if !ok {
		l.fail(childPath(where, key), "required (%s)", what)
	}
	return v
}

// typeOf reads o's "type", one of valid. When it is missing, a key that
// looks like a misspelt "type" is named instead.
func (l *loader) typeOf(o *object, where string, valid []string, what string) string {
	if _, ok := o.get("type"); !ok {
		for _, k := range o.keys {
			if Suggest(k, []string{"type"}) != "" {
				l.fail(childPath(where, k), `unknown key (did you mean "type"?)`)
			}
		}
	}
	return l.enum(l.required(o, where, "type", what), childPath(where, "type"), valid)
}

// checkKeys fails on a key given twice or not in known, with a did-you-mean.
func (l *loader) checkKeys(o *object, where string, known []string) {
	l.checkDups(o, where)
	for _, k := range o.keys {
		if slices.Contains(known, k) {
			continue
		}
		if s := Suggest(k, known); s != "" {
			if _, present := o.get(s); !present {
				l.fail(childPath(where, k), "unknown key (did you mean %q?)", s)
			}
		}
		l.fail(childPath(where, k), "unknown key; expected one of %s", quoteList(known))
	}
}

func (l *loader) checkDups(o *object, where string) {
	if len(o.dups) > 0 {
		l.fail(childPath(where, o.dups[0]), "given twice; give each key once")
	}
}

func (l *loader) obj(v any, where string) *object {
	o, ok := v.(*object)
	if !ok {
		l.fail(where, "expected an object, got %s", describe(v))
	}
	return o
}

func (l *loader) list(v any, where string) []any {
	list, ok := v.([]any)
	if !ok {
		l.fail(where, "expected a list, got %s", describe(v))
	}
	return list
}

func (l *loader) str(v any, where string) string {
	s, ok := v.(string)
	if !ok {
		l.fail(where, "expected a string, got %s", describe(v))
	}
	return s
}

func (l *loader) boolean(v any, where string) bool {
	b, ok := v.(bool)
	if !ok {
		l.fail(where, "expected true or false, got %s", describe(v))
	}
	return b
}

// integer reads a whole number from lo to hi; what describes it for the
// message ("expected a port number from 0 to 65535, got ...").
func (l *loader) integer(v any, where string, lo, hi int64, what string) int64 {
	n, ok := asInt(v)
	if !ok || n < lo || n > hi {
		l.fail(where, "expected %s, got %s", what, describe(v))
	}
	return n
}

func asInt(v any) (int64, bool) {
	if n, ok := v.(json.Number); ok {
		i, err := strconv.ParseInt(string(n), 10, 64)
		return i, err == nil
	}
	return 0, false
}

// enum reads a string that must be one of valid.
func (l *loader) enum(v any, where string, valid []string) string {
	s, ok := v.(string)
	if !ok {
		l.fail(where, "expected one of %s, got %s", quoteList(valid), describe(v))
	}
	if !slices.Contains(valid, s) {
		msg := fmt.Sprintf("expected one of %s, got %q", quoteList(valid), s)
		if sug := Suggest(s, valid); sug != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", sug)
		}
		l.fail(where, "%s", msg)
	}
	return s
}

func isEmpty(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case []any:
		return len(v) == 0
	case *object:
		return len(v.keys) == 0
	}
	return false
}

// quoteList writes "a", "b", "c".
func quoteList(words []string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = strconv.Quote(w)
	}
	return strings.Join(q, ", ")
}

// joinWords writes a, b and c.
func joinWords(words []string, and string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " " + and + " " + words[len(words)-1]
}
