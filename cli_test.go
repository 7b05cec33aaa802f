package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gowsgi/gowsgi/runner/config"
	"github.com/gowsgi/gowsgi/runner/engine"
	"github.com/gowsgi/gowsgi/runner/logging"
)

// cliParseAndConfigure runs both steps of the CLI with dir as the application
// directory.
func cliParseAndConfigure(dir string, args ...string) (*invocation, *config.Site, error) {
	var stdout bytes.Buffer
	inv, err := parseArgs(args, &stdout)
	if err != nil {
		return nil, nil, err
	}
	cfg, err := inv.config(dir)
	return inv, cfg, err
}

func cliMustConfigure(t *testing.T, dir string, args ...string) (*invocation, *config.Site) {
	t.Helper()
	inv, cfg, err := cliParseAndConfigure(dir, args...)
	if err != nil {
		t.Fatalf("%q: %v", args, err)
	}
	return inv, cfg
}

func TestDefaults(t *testing.T) {
	dir := t.TempDir()
	inv, cfg := cliMustConfigure(t, dir, "-n", "web", "--wsgi", "foo.application")
	pool := config.Pool{Threads: 20, Workers: 1, QueueTimeout: 30 * time.Second, ImportTimeout: 30 * time.Second, ClientTimeout: 10 * time.Second}
	want := &config.Site{
		Dir: dir,
		Transports: []config.Transport{{
			Listeners:  []config.Listener{{Network: "tcp", Address: "127.0.0.1:8080", Spec: "tcp:8080"}},
			Mounts:     []config.Mount{cliWSGIMount("foo.application", pool)},
			Tracebacks: "auto",
			Source:     "the command line",
		}},
		Python: config.Python{Engine: "auto"},
		Log:    config.Log{Format: "color", Color: "auto"},
		Reload: config.Reload{Enabled: true},
		Dev:    config.Dev{DebugPages: true, LiveReload: true},
	}
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("config:\n got %+v\nwant %+v", cfg, want)
	}
	if inv.web.AccessLog != "color" || inv.web.Color != "auto" || inv.web.Engine != "auto" {
		t.Errorf("defaults: access-log %q, color %q, engine %q", inv.web.AccessLog, inv.web.Color, inv.web.Engine)
	}
	if inv.global.Pidfile != "" || inv.global.Logfile != "" || inv.umask != -1 || len(inv.notes) != 0 {
		t.Errorf("globals: %+v umask %d notes %q", inv.global, inv.umask, inv.notes)
	}
}

func TestPositionSensitiveFlags(t *testing.T) {
	dir := t.TempDir()

	// -l before web is the server log, after it the access log.
	inv, _ := cliMustConfigure(t, dir, "-n", "-l", "server.log", "web", "--wsgi", "a.b", "-l", "access.log")
	if inv.global.Logfile != "server.log" || inv.web.Logfile != "access.log" {
		t.Errorf("-l: global %q, web %q", inv.global.Logfile, inv.web.Logfile)
	}

	// -n before web is --nodaemon, after it the deprecated --notracebacks.
	inv, cfg := cliMustConfigure(t, dir, "-n", "web", "--wsgi", "a.b", "-n")
	if !inv.global.Nodaemon || cfg.Transports[0].Tracebacks != "hide" {
		t.Errorf("-n: nodaemon %v, tracebacks %q", inv.global.Nodaemon, cfg.Transports[0].Tracebacks)
	}
	if len(inv.notes) != 1 || !strings.Contains(inv.notes[0], "--notracebacks") {
		t.Errorf("want a deprecation note for web -n, got %q", inv.notes)
	}

	// -p after web is the deprecated --port, appended to --listen.
	inv, cfg = cliMustConfigure(t, dir, "-n", "web", "--wsgi", "a.b", "--listen", "tcp:9000", "-p", "9090")
	if got := cliAddresses(cfg.Transports[0].Listeners); !reflect.DeepEqual(got, []string{"127.0.0.1:9000", "127.0.0.1:9090"}) {
		t.Errorf("-p: listen %q", got)
	}
	if len(inv.notes) != 1 || !strings.Contains(inv.notes[0], "use --listen tcp:9090") {
		t.Errorf("want a deprecation note for -p, got %q", inv.notes)
	}

	// The word after a global flag that takes a value is its value, even "web".
	inv, _ = cliMustConfigure(t, dir, "-l", "web", "-n", "--pidfile", "web", "-d", "web", "--umask", "022", "web", "--wsgi", "a.b")
	if inv.global.Logfile != "web" || inv.global.Pidfile != "web" || inv.global.Rundir != "web" || inv.umask != 0o22 {
		t.Errorf("values: %+v umask %o", inv.global, inv.umask)
	}

	// Long forms.
	inv, _ = cliMustConfigure(t, dir, "--nodaemon", "--logfile=-", "--rundir", ".", "web", "--wsgi", "a.b", "--logfile", "x.log")
	if !inv.global.Nodaemon || inv.global.Logfile != "-" || inv.web.Logfile != "x.log" {
		t.Errorf("long forms: %+v / %q", inv.global, inv.web.Logfile)
	}
}

func TestOwnFilesDoNotTriggerReload(t *testing.T) {
	dir := t.TempDir()
	_, cfg := cliMustConfigure(t, dir, "-n", "-l", "logs/server.log", "--pidfile", "gowsgi.pid", "web", "--wsgi", "a.b",
		"-l", filepath.Join(dir, "access.log"), "--watch-exclude", "*.bak")
	want := []string{"*.bak", "logs/server.log", "access.log", "gowsgi.pid"}
	if !reflect.DeepEqual(cfg.Reload.Exclude, want) {
		t.Errorf("exclude %q, want %q", cfg.Reload.Exclude, want)
	}
	_, cfg = cliMustConfigure(t, dir, "-n", "-l", "/var/log/elsewhere.log", "web", "--wsgi", "a.b", "-l", "-")
	if len(cfg.Reload.Exclude) != 0 {
		t.Errorf("files outside the app directory need no exclude: %q", cfg.Reload.Exclude)
	}
}

// cliWSGIMount is the mount --wsgi APP makes.
func cliWSGIMount(app string, p config.Pool) config.Mount {
	return config.Mount{Path: "/", Kind: config.KindWSGI, Source: "--wsgi " + app, WSGI: &config.WSGI{App: app, Pool: p}}
}

func cliAddresses(eps []config.Listener) []string {
	var out []string
	for _, e := range eps {
		out = append(out, e.Address)
	}
	return out
}

func TestWebOptions(t *testing.T) {
	dir := t.TempDir()
	for _, sub := range []string{"lib", "templates"} {
		if err := os.Mkdir(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	_, cfg := cliMustConfigure(t, dir, "-n", "web",
		"--wsgi", "mysite.wsgi:application",
		"--listen", "tcp:0", "--listen", "unix:app.sock:mode=0660", "--listen", `tcp:8081:interface=\:\:1`,
		"--pythonpath", "lib", "--pythonpath", dir,
		"--threads", "8", "--workers", "3",
		"--timeout", "30", "--queue-timeout", "1.5", "--max-body", "10MB",
		"--client-timeout", "0", "--import-timeout", "2m",
		"--display-tracebacks",
		"--add-header", "X-Frame-Options: DENY", "--add-header", "Cache-Control: no-store, max-age=0",
		"--no-reload", "--watch", "templates", "--watch-include", "*.html", "--watch-exclude", "*.log",
		"--watch-poll=250ms",
	)
	want := &config.Site{
		Dir: dir,
		Transports: []config.Transport{{
			Listeners: []config.Listener{
				{Network: "tcp", Address: "127.0.0.1:0", Spec: "tcp:0"},
				{Network: "unix", Address: filepath.Join(dir, "app.sock"), Mode: 0o660, Spec: "unix:app.sock:mode=0660"},
				{Network: "tcp", Address: "[::1]:8081", Spec: `tcp:8081:interface=\:\:1`},
			},
			Mounts: []config.Mount{cliWSGIMount("mysite.wsgi:application", config.Pool{
				Threads: 8, Workers: 3, Timeout: 30 * time.Second, QueueTimeout: 1500 * time.Millisecond, MaxBody: 10_000_000,
				ImportTimeout: 2 * time.Minute,
			})},
			Tracebacks: "show",
			AddHeaders: [][2]string{{"X-Frame-Options", "DENY"}, {"Cache-Control", "no-store, max-age=0"}},
			Source:     "the command line",
		}},
		Python: config.Python{Engine: "auto", Path: []string{filepath.Join(dir, "lib"), dir}},
		Log:    config.Log{Format: "color", Color: "auto"},
		Reload: config.Reload{
			Enabled: false,
			Watch:   []string{filepath.Join(dir, "templates")},
			Include: []string{"*.html"},
			Exclude: []string{"*.log"},
			Poll:    250 * time.Millisecond,
		},
		Dev: config.Dev{DebugPages: true},
	}
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("config:\n got %+v\nwant %+v", cfg, want)
	}
}

func TestWatchPoll(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		args []string
		want time.Duration
	}{
		{[]string{"--watch-poll"}, time.Second},
		{[]string{"--watch-poll", "--no-reload"}, time.Second},
		{[]string{"--watch-poll=2s"}, 2 * time.Second},
		{[]string{"--watch-poll", "3s"}, 3 * time.Second},
		{[]string{"--watch-poll", "0.5"}, 500 * time.Millisecond},
		{nil, 0},
	}
	for _, c := range cases {
		args := append([]string{"-n", "web", "--wsgi", "a.b"}, c.args...)
		_, cfg := cliMustConfigure(t, dir, args...)
		if cfg.Reload.Poll != c.want {
			t.Errorf("%q: poll %v, want %v", c.args, cfg.Reload.Poll, c.want)
		}
	}
}

func TestExpandWatchPollSkipsValues(t *testing.T) {
	takes := map[string]bool{"--add-header": true, "-l": true}
	got := expandWatchPoll([]string{"--add-header", "--watch-poll", "-l", "--watch-poll", "--watch-poll", "--", "--watch-poll"}, takes)
	want := []string{"--add-header", "--watch-poll", "-l", "--watch-poll", "--watch-poll=1s", "--", "--watch-poll"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		args []string
		want string // the message starts with the prefix and contains this
	}{
		{[]string{"-n", "web", "--wsgi", "a.b", "--threads", "0"}, "gowsgi web: --threads must be at least 1 (got 0)"},
		{[]string{"-n", "web", "--wsgi", "a.b", "--threads", "many"}, "gowsgi web: --threads"},
		{[]string{"-n", "web", "--wsgi", "a.b", "--threads"}, "gowsgi web: --threads"},
		{[]string{"-n", "web", "--wsgi", "a.b", "--workers", "0"}, "gowsgi web: --workers must be at least 1 (got 0)"},
		{[]string{"-n", "web", "--wsgi", "a.b", "--timeout", "soon"}, "gowsgi web: --timeout must be a duration"},
		{[]string{"-n", "web", "--wsgi", "a.b", "--timeout=-5s"}, "gowsgi web: --timeout must be a duration"},
		{[]string{"-n", "web", "--wsgi", "a.b", "--queue-timeout", "x"}, "gowsgi web: --queue-timeout must be a duration"},
		{[]string{"-n", "web", "--wsgi", "a.b", "--max-body", "10XB"}, "gowsgi web: --max-body must be a size"},
		{[]string{"-n", "web", "--wsgi", "a.b", "--engine", "pypy"}, "gowsgi web: --engine"},
		{[]string{"-n", "web", "--wsgi", "a.b", "--access-log", "xml"}, "gowsgi web: --access-log"},
		{[]string{"-n", "web", "--wsgi", "a.b", "--color", "sometimes"}, "gowsgi web: --color"},
		{[]string{"-n", "web", "--wsgi", "a.b", "--listen", "ssl:443:certKey=c.pem"}, "gowsgi web: --listen \"ssl:443:certKey=c.pem\": certKey without privateKey"},
		{[]string{"-n", "web", "--wsgi", "a.b", "--listen", "tcp:99999"}, "gowsgi web: --listen \"tcp:99999\": port"},
		{[]string{"-n", "web", "--wsgi", "a.b", "-p", "http"}, "gowsgi web: --listen \"http\""},
		{[]string{"-n", "web", "--wsgi", "a.b", "--listen", "tcp:80", "--listen", "80"}, "are the same address"},
		{[]string{"-n", "web", "--wsgi", "a.b", "--add-header", "NoColon"}, "gowsgi web: --add-header \"NoColon\""},
		{[]string{"-n", "web", "--wsgi", "a.b", "--add-header", "Bad Name: x"}, "gowsgi web: --add-header"},
		{[]string{"-n", "web", "--wsgi", "a.b", "--add-header", "Content-Length: 5"}, "managed by the server"},
		{[]string{"-n", "web", "--wsgi", "a.b", "--pythonpath", "missing"}, "gowsgi web: --pythonpath " + filepath.Join(dir, "missing") + ": no such"},
		{[]string{"-n", "web", "--wsgi", "a.b", "--watch", "missing"}, "gowsgi web: --watch " + filepath.Join(dir, "missing")},
		{[]string{"-n", "web", "--wsgi", "a.b", "--watch-include", "[a"}, "gowsgi web: --watch-include"},
		{[]string{"-n", "web", "--wsgi", "a.b", "--watch-poll=often"}, "gowsgi web: --watch-poll"},
		{[]string{"-n", "web", "--wsgi", "a.b", "--display-tracebacks", "--notracebacks"}, "contradict"},
		{[]string{"-n", "web", "--wsgi", "a.b", "--engine", "gpython", "--python", "/usr/bin/python3"}, "gowsgi web: --python"},
		{[]string{"-n", "web"}, "gowsgi web: --wsgi is required"},
		{[]string{"-n", "web", "--wsgi", "foo"}, "gowsgi web: --wsgi \"foo\""},
		{[]string{"-n", "web", "--wsgi", "foo.py"}, "gowsgi web: --wsgi \"foo.py\""},
		{[]string{"-n", "web", "--wsgi", "src/foo.app"}, "is a path"},
		{[]string{"-n", "web", "--wsgi", "a.b", "--foo"}, "gowsgi web: unknown flag --foo; see gowsgi web --help"},
		{[]string{"-n", "web", "--wsgi", "a.b", "--thread", "4"}, "gowsgi web: unknown flag --thread (did you mean"},
		{[]string{"-n", "web", "--wsgi", "a.b", "--pidfile", "x"}, `gowsgi web: --pidfile is a global option; put it before "web"`},
		{[]string{"-n", "web", "--wsgi", "a.b", "--https", "443"}, "gowsgi web: --https is a twistd web option gowsgi does not support"},
		{[]string{"-n", "web", "--wsgi", "a.b", "stray"}, `gowsgi web: unexpected argument "stray"`},
		{[]string{"--foo", "-n", "web", "--wsgi", "a.b"}, "gowsgi: unknown flag --foo; see gowsgi --help"},
		{[]string{"-n", "--wsgi", "a.b", "web"}, `gowsgi: --wsgi is a web option; put it after "web"`},
		{[]string{"-n", "--reactor", "epoll", "web", "--wsgi", "a.b"}, "gowsgi: --reactor is a twistd option gowsgi does not support"},
		{[]string{"-n", "--umask", "999", "web", "--wsgi", "a.b"}, "gowsgi: --umask must be an octal mode"},
		{[]string{"-n"}, "gowsgi: missing the command"},
		{[]string{}, "gowsgi: missing the command"},
		{[]string{"-n", "ftp"}, `gowsgi: unknown command "ftp"`},
	}
	for _, c := range cases {
		_, _, err := cliParseAndConfigure(dir, c.args...)
		var ee *exitError
		if !errors.As(err, &ee) {
			t.Errorf("%q: want a usage error, got %v", c.args, err)
			continue
		}
		if ee.code != 2 {
			t.Errorf("%q: exit %d, want 2 (%s)", c.args, ee.code, ee.msg)
		}
		if !strings.Contains(ee.msg, c.want) || !strings.HasPrefix(ee.msg, "gowsgi") {
			t.Errorf("%q:\n got %s\nwant %s", c.args, ee.msg, c.want)
		}
		if strings.Contains(ee.msg, "\n") {
			t.Errorf("%q: more than one line: %q", c.args, ee.msg)
		}
	}
}

// TestDaemonDefaults: without -n, web is a daemon with twistd's defaults
// (under gowsgi's names), and what a daemon cannot do is refused.
func TestDaemonDefaults(t *testing.T) {
	inv, err := parseArgs([]string{"web", "--wsgi", "foo.application"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if !inv.daemon() || inv.global.Logfile != "gowsgi.log" || inv.global.Pidfile != "gowsgi.pid" || inv.umask != 0o077 {
		t.Errorf("daemon defaults: daemon %v, logfile %q, pidfile %q, umask %o", inv.daemon(), inv.global.Logfile, inv.global.Pidfile, inv.umask)
	}
	// What is given wins; an empty --pidfile writes none.
	inv, err = parseArgs([]string{"-l", "srv.log", "--pidfile", "", "--umask", "022", "web", "--wsgi", "foo.application"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if inv.global.Logfile != "srv.log" || inv.global.Pidfile != "" || inv.umask != 0o022 {
		t.Errorf("given: logfile %q, pidfile %q, umask %o", inv.global.Logfile, inv.global.Pidfile, inv.umask)
	}
	// The foreground keeps its own defaults: stdout, no pidfile, the umask inherited.
	inv, err = parseArgs([]string{"-n", "web", "--wsgi", "foo.application"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if inv.daemon() || inv.global.Logfile != "" || inv.global.Pidfile != "" || inv.umask != -1 {
		t.Errorf("foreground: daemon %v, logfile %q, pidfile %q, umask %d", inv.daemon(), inv.global.Logfile, inv.global.Pidfile, inv.umask)
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-l", "-", "web", "--wsgi", "foo.application"}, "gowsgi: a daemon cannot log to stdout (-l -)"},
		{[]string{"web", "--wsgi", "foo.application", "-l", "-"}, "gowsgi web: a daemon cannot log to stdout (web -l -)"},
		{[]string{"web", "--wsgi", "foo.application", "--listen", "systemd:0"}, "sockets from systemd need -n"},
		// -n after web means --notracebacks there; say so rather than start a daemon.
		{[]string{"web", "--wsgi", "foo.application", "-n"}, `-n must come before "web"`},
	} {
		_, err := parseArgs(c.args, &bytes.Buffer{})
		var ee *exitError
		if !errors.As(err, &ee) || ee.code != 2 || !strings.Contains(ee.msg, c.want) {
			t.Errorf("%q: got %v, want exit 2 with %q", c.args, err, c.want)
		}
	}
}

// TestCommands: check takes web's options; stop and status take global
// options on either side and default to gowsgi.pid.
func TestCommands(t *testing.T) {
	dir := t.TempDir()
	inv, cfg := cliMustConfigure(t, dir, "-d", dir, "check", "--wsgi", "a.b", "--threads", "3", "-n")
	if inv.command != cmdCheck || inv.daemon() || cfg.AppMounts()[0].WSGI.Pool.Threads != 3 || cfg.Transports[0].Tracebacks != "hide" {
		t.Errorf("check: command %q, daemon %v, %+v", inv.command, inv.daemon(), cfg.AppMounts()[0].WSGI)
	}
	for _, c := range []struct {
		args          []string
		command, file string
		timeout       string
	}{
		{[]string{"stop"}, cmdStop, "gowsgi.pid", "30s"},
		{[]string{"status"}, cmdStatus, "gowsgi.pid", "30s"},
		{[]string{"-d", "site", "--pidfile", "run/x.pid", "stop", "--timeout", "5s"}, cmdStop, "site/run/x.pid", "5s"},
		{[]string{"status", "--pidfile", "/run/x.pid", "-d", "site"}, cmdStatus, "/run/x.pid", "30s"},
	} {
		inv, err := parseArgs(c.args, &bytes.Buffer{})
		if err != nil {
			t.Errorf("%q: %v", c.args, err)
			continue
		}
		if inv.command != c.command || inv.pidfilePath() != c.file || inv.global.Stop.Timeout != c.timeout {
			t.Errorf("%q: command %q, pidfile %q, timeout %q", c.args, inv.command, inv.pidfilePath(), inv.global.Stop.Timeout)
		}
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--pidfile", "", "status"}, "gowsgi status: --pidfile is empty"},
		{[]string{"stop", "--wsgi", "a.b"}, "gowsgi: --wsgi is a web option"},
		{[]string{"check", "--threads", "0", "--wsgi", "a.b"}, "--threads"},
		{[]string{"check", "--no-such"}, "gowsgi check: unknown flag --no-such"},
	} {
		_, _, err := cliParseAndConfigure(dir, c.args...)
		var ee *exitError
		if !errors.As(err, &ee) || ee.code != 2 || !strings.Contains(ee.msg, c.want) {
			t.Errorf("%q: got %v, want exit 2 with %q", c.args, err, c.want)
		}
	}
}

func TestRunOptions(t *testing.T) {
	dir := t.TempDir()
	inv, _ := cliMustConfigure(t, dir, "-n", "web", "--wsgi", "a.b")
	if inv.grace != 10*time.Second || inv.readyFile != "" || inv.shutdownAfter != 0 {
		t.Errorf("defaults: grace %s, ready file %q, shutdown after %s", inv.grace, inv.readyFile, inv.shutdownAfter)
	}
	inv, cfg := cliMustConfigure(t, dir, "-n", "web", "--wsgi", "a.b", "--grace", "2.5", "--ready-file", "out/ready", "--shutdown-after", "1m")
	if inv.grace != 2500*time.Millisecond || inv.readyFile != filepath.Join(dir, "out/ready") || inv.shutdownAfter != time.Minute {
		t.Errorf("given: grace %s, ready file %q, shutdown after %s", inv.grace, inv.readyFile, inv.shutdownAfter)
	}
	if !slices.Contains(cfg.Reload.Exclude, "out/ready") {
		t.Errorf("the ready file is not excluded from reload: %q", cfg.Reload.Exclude)
	}
	for _, args := range [][]string{{"--grace", "0"}, {"--grace", "soon"}, {"--shutdown-after", "0"}, {"--shutdown-after", "-1s"}} {
		_, _, err := cliParseAndConfigure(dir, append([]string{"-n", "web", "--wsgi", "a.b"}, args...)...)
		var ee *exitError
		if !errors.As(err, &ee) || ee.code != 2 || !strings.Contains(ee.msg, args[0]) {
			t.Errorf("%q: got %v", args, err)
		}
	}
}

func TestVersionAndHelp(t *testing.T) {
	var out bytes.Buffer
	_, err := parseArgs([]string{"--version"}, &out)
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 0 || ee.msg != "" {
		t.Fatalf("--version: %v", err)
	}
	if out.String() != "gowsgi "+version+"\n" {
		t.Errorf("--version printed %q", out.String())
	}

	cases := []struct {
		args []string
		want []string
	}{
		{[]string{"--help"}, []string{"Usage: gowsgi [global options] web [web options]", "web", "--nodaemon", "--logfile=FILE", "--pidfile", "--rundir", "--umask", "Examples:", "Exit status:"}},
		{[]string{"-h"}, []string{"Usage: gowsgi", "web"}},
		{[]string{"web", "--help"}, []string{"Usage: gowsgi -n [global options] web --wsgi|--asgi FQPN", "--wsgi=[/PATH=]FQPN", "--listen=ENDPOINT", "--threads=N", "Default: 20",
			"--[no-]reload", "--watch-poll=INTERVAL", "--access-log", "Deprecated twistd options:", "-p, --port", "Endpoints", "Examples:", "Exit status:"}},
		{[]string{"-n", "web", "--wsgi", "a.b", "-h"}, []string{"web --wsgi|--asgi FQPN [web options]"}},
	}
	for _, c := range cases {
		out.Reset()
		_, err := parseArgs(c.args, &out)
		if !errors.As(err, &ee) || ee.code != 0 {
			t.Errorf("%q: %v", c.args, err)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%q: help lacks %q:\n%s", c.args, w, out.String())
			}
		}
		if strings.Contains(out.String(), "notracebacks-deprecated") {
			t.Errorf("%q: help shows the hidden -n flag", c.args)
		}
	}
}

type cliFakeEngine string

func (f cliFakeEngine) Name() string                { return string(f) }
func (f cliFakeEngine) Describe() string            { return string(f) }
func (f cliFakeEngine) Command() (*exec.Cmd, error) { return nil, errors.New("fake") }

func TestChooseEngine(t *testing.T) {
	noPython := errors.New("no Python interpreter found (tried python3 (PATH))")
	finders := func(cpythonOK bool) engineFinders {
		return engineFinders{
			cpython: func(explicit string) (engine.Engine, error) {
				if !cpythonOK {
					return nil, noPython
				}
				return cliFakeEngine("cpython"), nil
			},
			gpython: func() (engine.Engine, error) { return cliFakeEngine("gpython"), nil },
		}
	}
	cases := []struct {
		engine, python string
		cpythonOK      bool
		want           string
		code           int // 0: no error
		note           bool
	}{
		{"auto", "", true, "cpython", 0, false},
		{"auto", "", false, "gpython", 0, true},
		{"auto", "/opt/py", false, "", 2, false},
		{"cpython", "", true, "cpython", 0, false},
		{"cpython", "", false, "", 2, false},
		{"gpython", "", true, "gpython", 0, false},
	}
	for _, c := range cases {
		e, note, err := chooseEngine(c.engine, c.python, finders(c.cpythonOK))
		if c.code != 0 {
			var ee *exitError
			if !errors.As(err, &ee) || ee.code != c.code || !strings.Contains(ee.msg, "tried python3") {
				t.Errorf("%+v: got %v", c, err)
			}
			continue
		}
		if err != nil || e.Name() != c.want || (note != "") != c.note {
			t.Errorf("%+v: got %v, %q, %v", c, e, note, err)
		}
	}
}

func TestOpenLogs(t *testing.T) {
	dir := t.TempDir()
	server, access := filepath.Join(dir, "server.log"), filepath.Join(dir, "access.log")
	if err := os.WriteFile(access, []byte("old line\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	inv, _ := cliMustConfigure(t, dir, "-n", "-l", server, "web", "--wsgi", "a.b", "-l", access, "--access-log", "combined", "--color", "always")
	stdout, err := os.Create(filepath.Join(dir, "stdout"))
	if err != nil {
		t.Fatal(err)
	}
	defer stdout.Close()
	log, closeLogs, err := inv.openLogs(stdout)
	if err != nil {
		t.Fatal(err)
	}
	log.Infof("hello")
	log.Access(cliAccessEntry())
	closeLogs()

	if data, _ := os.ReadFile(server); string(data) != "gowsgi: hello\n" {
		t.Errorf("server log: %q (files are never coloured)", data)
	}
	data, _ := os.ReadFile(access)
	if !strings.HasPrefix(string(data), "old line\n127.0.0.1 - - [") {
		t.Errorf("access log not appended to: %q", data)
	}
	if info, _ := stdout.Stat(); info.Size() != 0 {
		t.Errorf("wrote %d bytes to stdout", info.Size())
	}

	bad, _ := cliMustConfigure(t, dir, "-n", "-l", filepath.Join(dir, "no/such/dir/x.log"), "web", "--wsgi", "a.b")
	if _, _, err := bad.openLogs(stdout); err == nil || !strings.HasPrefix(err.Error(), "gowsgi: -l: ") {
		t.Errorf("unwritable log file: %v", err)
	}
}

func cliAccessEntry() logging.Entry {
	return logging.Entry{Remote: "127.0.0.1:50000", Method: "GET", URI: "/", Proto: "HTTP/1.1", Status: 200, Bytes: 5}
}
