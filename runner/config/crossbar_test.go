package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// writeTree writes files (slash paths → contents) under a new temporary
// directory and returns it. A name ending in "/" makes a directory.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if strings.HasSuffix(name, "/") {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// seedSite is what the seed's config makes in the project directory dir.
func seedSite(dir string) Site {
	return Site{
		Dir: dir,
		Transports: []Transport{{
			Source:     "workers[0].transports[0]",
			Tracebacks: "auto",
			Listeners: []Listener{{
				Network: "tcp", Address: "127.0.0.1:8080", DefaultInterface: true,
				Spec: "workers[0].transports[0].endpoint (tcp 8080)",
			}},
			Mounts: []Mount{
				{Path: "/", Kind: KindWSGI, Source: `workers[0].transports[0].paths["/"]`,
					WSGI: &WSGI{App: "myapp:app", Pool: DefaultPool}},
				{Path: "/ws", Kind: KindUnsupported, Source: "workers[0].transports[0].paths.ws",
					Unsupported: &Unsupported{Type: "websocket"}},
			},
		}},
		Python: Python{Engine: "auto", Path: []string{dir}},
		Warnings: []string{
			`workers[0].transports[0].paths.ws: "websocket" (WAMP) is not hosted by gowsgi; /ws answers 501`,
		},
	}
}

func TestLoadCrossbarSeed(t *testing.T) {
	for _, name := range []string{"seed", "seed-yaml"} {
		t.Run(name, func(t *testing.T) {
			dir, err := filepath.Abs(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			file, err := FindConfig(dir, "")
			if err != nil || file == "" {
				t.Fatalf("FindConfig(%q, \"\") = %q, %v", dir, file, err)
			}
			site, err := LoadCrossbar(file, Site{Dir: dir, Python: Python{Engine: "auto"}}, DefaultPool)
			if err != nil {
				t.Fatal(err)
			}
			if want := seedSite(dir); !reflect.DeepEqual(site, want) {
				t.Errorf("LoadCrossbar(%s):\n got %+v\nwant %+v", file, site, want)
			}
			if got := site.Transports[0].Mounts[0].WSGI.Pool.Threads; got != 20 {
				t.Errorf("threads = %d, want 20", got)
			}
		})
	}
}

// With no project directory given, it is the parent of .crossbar.
func TestLoadCrossbarDefaultDir(t *testing.T) {
	dir, _ := filepath.Abs(filepath.Join("testdata", "seed"))
	site, err := LoadCrossbar(filepath.Join(dir, ".crossbar", "config.json"), Site{}, Pool{})
	if err != nil {
		t.Fatal(err)
	}
	if site.Dir != dir {
		t.Errorf("Dir = %q, want %q", site.Dir, dir)
	}
	if got := site.Transports[0].Mounts[0].WSGI.Pool; got != DefaultPool {
		t.Errorf("a zero pool should become DefaultPool, got %+v", got)
	}
}

func TestFindConfig(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"both/config.yaml":           "workers: []",
		"both/config.json":           "{}",
		"yml/config.yml":             "workers: []",
		"yml/config.json":            "{}",
		"json/config.json":           "{}",
		"empty/":                     "",
		"app.toml":                   "",
		"node.JSON":                  "{}",
		"proj/.crossbar/cfg.txt":     "",
		"auto/.crossbar/config.json": "{}",
		"noauto/":                    "",
	})
	cases := []struct {
		name, dir, arg string
		want, err      string
	}{
		{"yaml before json", dir, "both", "both/config.yaml", ""},
		{"yml before json", dir, "yml", "yml/config.yml", ""},
		{"json in a directory", dir, "json", "json/config.json", ""},
		{"a file", dir, "json/config.json", "json/config.json", ""},
		{"an absolute file", "/nonexistent", filepath.Join(dir, "both/config.json"), "both/config.json", ""},
		{"upper-case extension", dir, "node.JSON", "node.JSON", ""},
		{".crossbar auto-found", filepath.Join(dir, "auto"), "", "auto/.crossbar/config.json", ""},
		{"no .crossbar: nothing, no error", filepath.Join(dir, "noauto"), "", "", ""},
		{"missing file", dir, "nope.json", "", "--config nope.json: {dir}/nope.json: no such file"},
		{"toml refused", dir, "app.toml", "", "--config app.toml: {dir}/app.toml: expected a .json, .yaml or .yml file (a Crossbar.io node config) or its directory"},
		{"missing toml refused", dir, "nope.toml", "", "--config nope.toml: {dir}/nope.toml: expected a .json, .yaml or .yml file (a Crossbar.io node config) or its directory"},
		{"directory without config", dir, "empty", "", "--config empty: no config.yaml, config.yml or config.json in {dir}/empty"},
		{".crossbar without config", filepath.Join(dir, "proj"), "", "", "{dir}/proj/.crossbar: no config.yaml, config.yml or config.json in this Crossbar.io node directory"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := FindConfig(c.dir, c.arg)
			if c.err != "" {
				want := strings.ReplaceAll(c.err, "{dir}", dir)
				var cerr *Error
				if err == nil || err.Error() != want || !errors.As(err, &cerr) {
					t.Fatalf("FindConfig(%q, %q) = %q, %v; want error %q", c.dir, c.arg, got, err, want)
				}
				return
			}
			want := ""
			if c.want != "" {
				want = filepath.Join(dir, filepath.FromSlash(c.want))
			}
			if err != nil || got != want {
				t.Fatalf("FindConfig(%q, %q) = %q, %v; want %q", c.dir, c.arg, got, err, want)
			}
		})
	}
}

// webConfig wraps paths (a JSON object's text) in one router worker with one
// web transport on tcp port 8080.
func webConfig(paths string) string {
	return `{"workers": [{"type": "router", "transports": [{"type": "web",
		"endpoint": {"type": "tcp", "port": 8080}, "paths": ` + paths + `}]}]}`
}

const src = "workers[0].transports[0]"

func TestLoadCrossbarMapping(t *testing.T) {
	loopback := []Listener{{Network: "tcp", Address: "127.0.0.1:8080", DefaultInterface: true, Spec: src + ".endpoint (tcp 8080)"}}
	cases := []struct {
		name  string
		files map[string]string // the config is .crossbar/config.json or .crossbar/config.yaml
		base  Site
		pool  Pool
		// want builds the expected Site from the project directory; Dir, and
		// Python.Path/Warnings when nil, are filled in.
		want func(dir string) Site
	}{
		{
			name: "static with every option",
			files: map[string]string{
				"web/index.html": "hi",
				".crossbar/config.json": webConfig(`{"/": {"type": "static", "directory": "../web", "options": {
					"enable_directory_listing": true, "mime_types": {"md": "text/markdown", ".WASM": "application/wasm"},
					"cache_timeout": 60, "default_file": "app.html"}}}`),
			},
			want: func(dir string) Site {
				return oneTransport(loopback, Mount{Path: "/", Kind: KindStatic, Source: src + `.paths["/"]`,
					Static: &Static{Dir: dir + "/web", Index: []string{"app.html"}, Listing: true,
						MimeTypes:    map[string]string{".md": "text/markdown", ".wasm": "application/wasm"},
						CacheTimeout: time.Minute}})
			},
		},
		{
			name: "static defaults: 12 hours, no listing, twistd's index",
			files: map[string]string{
				".crossbar/web/":        "",
				".crossbar/config.json": webConfig(`{"/": {"type": "static", "directory": "web"}}`),
			},
			want: func(dir string) Site {
				return oneTransport(loopback, Mount{Path: "/", Kind: KindStatic, Source: src + `.paths["/"]`,
					Static: &Static{Dir: dir + "/.crossbar/web", Index: DefaultIndex, CacheTimeout: 12 * time.Hour}})
			},
		},
		{
			name: "static cache_timeout null is none",
			files: map[string]string{
				"web/":                  "",
				".crossbar/config.json": webConfig(`{"s": {"type": "static", "directory": "../web", "options": {"cache_timeout": null}}}`),
			},
			want: func(dir string) Site {
				return oneTransport(loopback, Mount{Path: "/s", Kind: KindStatic, Source: src + ".paths.s",
					Static: &Static{Dir: dir + "/web", Index: DefaultIndex}})
			},
		},
		{
			name: "static package and resource from the pythonpath",
			files: map[string]string{
				"src/mypkg/web/assets/": "",
				"src/mypkg/__init__.py": "",
				".crossbar/config.json": `{"workers": [{"type": "router", "options": {"pythonpath": ["../src"]},
					"transports": [{"type": "web", "endpoint": {"type": "tcp", "port": 8080},
					"paths": {"static": {"type": "static", "package": "mypkg.web", "resource": "assets"}}}]}]}`,
			},
			want: func(dir string) Site {
				s := oneTransport(loopback, Mount{Path: "/static", Kind: KindStatic, Source: src + ".paths.static",
					Static: &Static{Dir: dir + "/src/mypkg/web/assets", Index: DefaultIndex, CacheTimeout: 12 * time.Hour}})
				s.Python.Path = []string{dir + "/src"}
				return s
			},
		},
		{
			name:  "redirect",
			files: map[string]string{".crossbar/config.json": webConfig(`{"old": {"type": "redirect", "url": "/new"}}`)},
			want: func(dir string) Site {
				return oneTransport(loopback, Mount{Path: "/old", Kind: KindRedirect, Source: src + ".paths.old",
					Redirect: &Redirect{URL: "/new", Code: 302}})
			},
		},
		{
			name: "json with options, keys kept in order",
			files: map[string]string{".crossbar/config.json": webConfig(`{"info": {"type": "json",
				"value": {"z": 1, "a": [true, null, "x<y"], "n": 1.5e3},
				"options": {"prettify": true, "allow_cross_origin": true, "discourage_caching": true}}}`)},
			want: func(dir string) Site {
				return oneTransport(loopback, Mount{Path: "/info", Kind: KindJSON, Source: src + ".paths.info",
					JSON: &JSON{Value: []byte(`{"z":1,"a":[true,null,"x<y"],"n":1.5e3}`), Prettify: true, CORS: true, NoCache: true}})
			},
		},
		{
			name: "json from YAML",
			files: map[string]string{".crossbar/config.yaml": `
workers:
  - type: router
    transports:
      - type: web
        endpoint: {type: tcp, port: 8080}
        paths:
          info:
            type: json
            value: {version: 2, name: demo, tags: [a, b], ratio: 0.5, "on": yes, "off": "no"}
`},
			want: func(dir string) Site {
				return oneTransport(loopback, Mount{Path: "/info", Kind: KindJSON, Source: src + ".paths.info",
					JSON: &JSON{Value: []byte(`{"version":2,"name":"demo","tags":["a","b"],"ratio":0.5,"on":true,"off":"no"}`)}})
			},
		},
		{
			name: "nested path services",
			files: map[string]string{".crossbar/config.json": webConfig(`{"api": {"type": "path", "paths": {
				"/": {"type": "json", "value": "root"},
				"v1": {"type": "path", "paths": {"users": {"type": "redirect", "url": "https://example.com/"}}},
				"v2": {"type": "wsgi", "module": "api.v2", "object": "app", "maxthreads": 4}}}}`)},
			want: func(dir string) Site {
				return oneTransport(loopback,
					Mount{Path: "/api", Kind: KindJSON, Source: src + `.paths.api.paths["/"]`, JSON: &JSON{Value: []byte(`"root"`)}},
					Mount{Path: "/api/v1/users", Kind: KindRedirect, Source: src + ".paths.api.paths.v1.paths.users",
						Redirect: &Redirect{URL: "https://example.com/", Code: 302}},
					Mount{Path: "/api/v2", Kind: KindWSGI, Source: src + ".paths.api.paths.v2",
						WSGI: &WSGI{App: "api.v2:app", Pool: Pool{Threads: 4, Workers: 1, QueueTimeout: 30 * time.Second,
							ImportTimeout: 30 * time.Second, ClientTimeout: 10 * time.Second}}})
			},
		},
		{
			name:  "reverseproxy defaults",
			files: map[string]string{".crossbar/config.json": webConfig(`{"backend": {"type": "reverseproxy", "host": "127.0.0.1"}}`)},
			want: func(dir string) Site {
				return oneTransport(loopback, Mount{Path: "/backend", Kind: KindProxy, Source: src + ".paths.backend",
					Proxy: &Proxy{Host: "127.0.0.1", Port: 80, ForwardedPort: 80, ForwardedProto: "http"}})
			},
		},
		{
			name: "reverseproxy with everything",
			files: map[string]string{".crossbar/config.json": webConfig(`{"b": {"type": "reverseproxy", "host": "backend", "port": 9000,
				"path": "/x", "forwarded_port": 443, "forwarded_proto": "https"}}`)},
			want: func(dir string) Site {
				return oneTransport(loopback, Mount{Path: "/b", Kind: KindProxy, Source: src + ".paths.b",
					Proxy: &Proxy{Host: "backend", Port: 9000, Path: "/x", ForwardedPort: 443, ForwardedProto: "https"}})
			},
		},
		{
			name: "wsgi pool: maxthreads over the flags, the rest from the flags",
			files: map[string]string{".crossbar/config.json": webConfig(`{"/": {"type": "wsgi", "module": "app", "object": "application",
				"minthreads": 2, "maxthreads": 8, "id": "main_app"}}`)},
			pool: Pool{Threads: 5, Workers: 3, Timeout: time.Minute, MaxBody: 1 << 20},
			want: func(dir string) Site {
				return oneTransport(loopback, Mount{Path: "/", Kind: KindWSGI, Source: src + `.paths["/"]`,
					WSGI: &WSGI{App: "app:application", Pool: Pool{Threads: 8, Workers: 3, Timeout: time.Minute, MaxBody: 1 << 20}}})
			},
		},
		{
			name: "tls files relative to the node directory, hsts, tracebacks, interface",
			files: map[string]string{
				".crossbar/server.key": "k", ".crossbar/server.crt": "c", "certs/chain.pem": "x",
				".crossbar/config.json": `{"version": 2, "$schema": "https://example.com/schema.json", "workers": [{"type": "router",
					"transports": [{"type": "web", "id": "web1",
					"endpoint": {"type": "tcp", "port": 8443, "interface": "0.0.0.0", "backlog": 100, "shared": true, "user_timeout": 10,
						"tls": {"key": "server.key", "certificate": "server.crt", "chain_certificates": ["../certs/chain.pem"]}},
					"options": {"hsts": true, "display_tracebacks": true, "access_log": true, "client_timeout": 30},
					"paths": {"/": {"type": "redirect", "url": "/x"}}}]}]}`,
			},
			want: func(dir string) Site {
				s := oneTransport([]Listener{{Network: "tcp", Address: "0.0.0.0:8443", Spec: src + ".endpoint (tcp 8443, tls)",
					TLS: &TLS{Key: dir + "/.crossbar/server.key", Cert: dir + "/.crossbar/server.crt", Chain: []string{dir + "/certs/chain.pem"}}}},
					Mount{Path: "/", Kind: KindRedirect, Source: src + `.paths["/"]`, Redirect: &Redirect{URL: "/x", Code: 302}})
				s.Transports[0].HSTS = 365 * 24 * time.Hour
				s.Transports[0].Tracebacks = "show"
				return s
			},
		},
		{
			name: "hsts_max_age, tracebacks hidden, ipv6 default interface",
			files: map[string]string{".crossbar/config.json": `{"workers": [{"type": "router", "transports": [{"type": "web",
				"endpoint": {"type": "tcp", "port": 8080, "version": 6},
				"options": {"hsts": true, "hsts_max_age": 600, "display_tracebacks": false},
				"paths": {"/": {"type": "redirect", "url": "/x"}}}]}]}`},
			want: func(dir string) Site {
				s := oneTransport([]Listener{{Network: "tcp", Address: "[::1]:8080", DefaultInterface: true, Spec: src + ".endpoint (tcp 8080)"}},
					Mount{Path: "/", Kind: KindRedirect, Source: src + `.paths["/"]`, Redirect: &Redirect{URL: "/x", Code: 302}})
				s.Transports[0].HSTS = 10 * time.Minute
				s.Transports[0].Tracebacks = "hide"
				return s
			},
		},
		{
			name: "unix endpoint relative to the node directory",
			files: map[string]string{".crossbar/config.json": `{"workers": [{"type": "router", "transports": [{"type": "web",
				"endpoint": {"type": "unix", "path": "web.sock", "backlog": 10},
				"paths": {"/": {"type": "redirect", "url": "/x"}}}]}]}`},
			want: func(dir string) Site {
				return oneTransport([]Listener{{Network: "unix", Address: dir + "/.crossbar/web.sock", Spec: src + ".endpoint (unix " + dir + "/.crossbar/web.sock)"}},
					Mount{Path: "/", Kind: KindRedirect, Source: src + `.paths["/"]`, Redirect: &Redirect{URL: "/x", Code: 302}})
			},
		},
		{
			name: "two transports, other workers and transports skipped, env and python",
			files: map[string]string{
				"lib/": "", "other/": "",
				".crossbar/config.json": `{"controller": {"id": "node1"}, "workers": [
					{"type": "guest", "executable": "/bin/true"},
					{"type": "router", "id": "router1",
					 "options": {"title": "r", "python": "/usr/bin/python3", "pythonpath": ["..", "../lib"], "cpu_affinity": [0, 1],
					             "env": {"inherit": true, "vars": {"APP_MODE": "dev"}}, "expose_controller": true, "expose_shared": false, "extra": {"a": 1}},
					 "realms": [{"name": "realm1", "roles": []}],
					 "transports": [
						{"type": "rawsocket", "endpoint": {"type": "tcp", "port": 9000}},
						{"type": "web", "endpoint": {"type": "tcp", "port": 8080}, "paths": {"/": {"type": "wsgi", "module": "myapp", "object": "app"}}},
						{"type": "web", "endpoint": {"type": "tcp", "port": 8081}, "paths": {"/": {"type": "redirect", "url": "http://localhost:8080/"}}}
					 ]},
					{"type": "router", "options": {"pythonpath": ["../other"], "python": "python2", "env": {"vars": {"DISABLED": "1"}}, "disabled": true}, "transports": [{"type": "web", "endpoint": {"type": "tcp", "port": 8080}, "paths": {}}]},
					{"type": "container"}
				]}`,
			},
			base: Site{Python: Python{Path: []string{"/opt/extra"}, Env: map[string]string{"FROM_FLAGS": "1"}}},
			want: func(dir string) Site {
				w := "workers[1]"
				return Site{
					Transports: []Transport{
						{Source: w + ".transports[1]", Tracebacks: "auto",
							Listeners: []Listener{{Network: "tcp", Address: "127.0.0.1:8080", DefaultInterface: true, Spec: w + ".transports[1].endpoint (tcp 8080)"}},
							Mounts:    []Mount{{Path: "/", Kind: KindWSGI, Source: w + `.transports[1].paths["/"]`, WSGI: &WSGI{App: "myapp:app", Pool: DefaultPool}}}},
						{Source: w + ".transports[2]", Tracebacks: "auto",
							Listeners: []Listener{{Network: "tcp", Address: "127.0.0.1:8081", DefaultInterface: true, Spec: w + ".transports[2].endpoint (tcp 8081)"}},
							Mounts:    []Mount{{Path: "/", Kind: KindRedirect, Source: w + `.transports[2].paths["/"]`, Redirect: &Redirect{URL: "http://localhost:8080/", Code: 302}}}},
					},
					Python: Python{Path: []string{"/opt/extra", dir, dir + "/lib"}, Env: map[string]string{"FROM_FLAGS": "1", "APP_MODE": "dev"}},
					Warnings: []string{
						"workers[0]: a guest worker is not run by gowsgi; ignored",
						`workers[1].options.python: "/usr/bin/python3" is ignored; gowsgi's --python picks the interpreter`,
						"workers[1]: WAMP realms are not served by gowsgi; ignored: realms",
						`workers[1].transports[0]: a "rawsocket" transport is not served by gowsgi; ignored`,
						"workers[2]: disabled by its options; skipped",
						"workers[3]: a container worker is not run by gowsgi; ignored",
					},
				}
			},
		},
		{
			name: "unsupported services answer 501, each with a warning",
			files: map[string]string{".crossbar/config.json": webConfig(`{"ws": {"type": "websocket", "serializers": ["json"]},
				"call": {"type": "caller", "realm": "realm1", "role": "anonymous"},
				"cgi": {"type": "cgi", "directory": "cgi", "processor": "/usr/bin/python3"},
				"nothing": {"type": "none"}}`)},
			want: func(dir string) Site {
				s := oneTransport(loopback,
					Mount{Path: "/ws", Kind: KindUnsupported, Source: src + ".paths.ws", Unsupported: &Unsupported{Type: "websocket"}},
					Mount{Path: "/call", Kind: KindUnsupported, Source: src + ".paths.call", Unsupported: &Unsupported{Type: "caller"}},
					Mount{Path: "/cgi", Kind: KindUnsupported, Source: src + ".paths.cgi", Unsupported: &Unsupported{Type: "cgi"}},
					Mount{Path: "/nothing", Kind: KindUnsupported, Source: src + ".paths.nothing", Unsupported: &Unsupported{Type: "none"}})
				s.Warnings = []string{
					src + `.paths.ws: "websocket" (WAMP) is not hosted by gowsgi; /ws answers 501`,
					src + `.paths.call: "caller" (WAMP) is not hosted by gowsgi; /call answers 501`,
					src + `.paths.cgi: "cgi" is not hosted by gowsgi; /cgi answers 501`,
					src + `.paths.nothing: "none" is not hosted by gowsgi; /nothing answers 501 (Crossbar answers 404)`,
				}
				return s
			},
		},
		{
			name: "tls ciphers, dhparam and ca_certificates warn; portrange takes its first port",
			files: map[string]string{
				".crossbar/k.pem": "k", ".crossbar/c.pem": "c", ".crossbar/ca.pem": "ca", ".crossbar/dh.pem": "dh",
				".crossbar/config.json": `{"workers": [{"type": "router", "transports": [{"type": "web",
					"endpoint": {"type": "tcp", "portrange": [8443, 8450], "interface": "127.0.0.1",
						"tls": {"key": "k.pem", "certificate": "c.pem", "ciphers": "ECDHE-RSA-AES128-GCM-SHA256", "dhparam": "dh.pem", "ca_certificates": ["ca.pem"]}},
					"paths": {"/": {"type": "redirect", "url": "/x"}}}]}]}`,
			},
			want: func(dir string) Site {
				s := oneTransport([]Listener{{Network: "tcp", Address: "127.0.0.1:8443", Spec: src + ".endpoint (tcp 8443, tls)",
					TLS: &TLS{Key: dir + "/.crossbar/k.pem", Cert: dir + "/.crossbar/c.pem"}}},
					Mount{Path: "/", Kind: KindRedirect, Source: src + `.paths["/"]`, Redirect: &Redirect{URL: "/x", Code: 302}})
				s.Warnings = []string{
					src + ".endpoint.tls.ca_certificates: client certificates are NOT verified by gowsgi: any client can connect",
					src + ".endpoint.tls: ciphers and dhparam ignored; Go picks safe ones",
					src + ".endpoint.portrange: gowsgi listens on the first port of the range, 8443",
				}
				return s
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := writeTree(t, c.files)
			file, err := FindConfig(dir, "")
			if err != nil {
				t.Fatal(err)
			}
			base := c.base
			base.Dir = dir
			pool := c.pool
			if pool == (Pool{}) {
				pool = DefaultPool
			}
			site, err := LoadCrossbar(file, base, pool)
			if err != nil {
				t.Fatal(err)
			}
			want := c.want(dir)
			want.Dir = dir
			if want.Python.Path == nil {
				want.Python.Path = base.Python.Path
			}
			if !reflect.DeepEqual(site, want) {
				t.Errorf("got  %s\nwant %s", dump(site), dump(want))
			}
		})
	}
}

// oneTransport is a Site of one transport "workers[0].transports[0]".
func oneTransport(listeners []Listener, mounts ...Mount) Site {
	return Site{Transports: []Transport{{Source: src, Tracebacks: "auto", Listeners: listeners, Mounts: mounts}}}
}

// dump shows a Site with its pointers followed, for test failures.
func dump(s Site) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Dir=%s Python=%+v\n  Warnings=%q", s.Dir, s.Python, s.Warnings)
	for _, t := range s.Transports {
		fmt.Fprintf(&b, "\n  transport %s tracebacks=%s hsts=%s", t.Source, t.Tracebacks, t.HSTS)
		for _, l := range t.Listeners {
			fmt.Fprintf(&b, "\n    listener %s %s [%s] default=%v", l.Network, l.Address, l.Spec, l.DefaultInterface)
			if l.TLS != nil {
				fmt.Fprintf(&b, " tls=%+v", *l.TLS)
			}
		}
		for _, m := range t.Mounts {
			fmt.Fprintf(&b, "\n    mount %s %s [%s] ", m.Path, m.Kind, m.Source)
			switch {
			case m.WSGI != nil:
				fmt.Fprintf(&b, "%+v", *m.WSGI)
			case m.Static != nil:
				fmt.Fprintf(&b, "%+v", *m.Static)
			case m.Redirect != nil:
				fmt.Fprintf(&b, "%+v", *m.Redirect)
			case m.JSON != nil:
				fmt.Fprintf(&b, "%s %+v", m.JSON.Value, *m.JSON)
			case m.Proxy != nil:
				fmt.Fprintf(&b, "%+v", *m.Proxy)
			case m.Unsupported != nil:
				fmt.Fprintf(&b, "%+v", *m.Unsupported)
			}
		}
	}
	return b.String()
}

func TestLoadCrossbarErrors(t *testing.T) {
	const cfg = ".crossbar/config.json"
	cases := []struct {
		name  string
		files map[string]string
		want  string // the error, "{dir}" standing for the project directory
	}{
		{"missing module",
			map[string]string{cfg: webConfig(`{"app": {"type": "wsgi", "object": "app"}}`)},
			src + ".paths.app.module: required (the Python module of the WSGI app)"},
		{"unknown key with a suggestion",
			map[string]string{cfg: webConfig(`{"/": {"type": "wsgi", "modul": "myapp", "object": "app"}}`)},
			src + `.paths["/"].modul: unknown key (did you mean "module"?)`},
		{"unknown key without a suggestion",
			map[string]string{cfg: webConfig(`{"/": {"type": "redirect", "url": "/x", "status": 301}}`)},
			src + `.paths["/"].status: unknown key; expected one of "type", "url", "id"`},
		{"unknown option key with a suggestion",
			map[string]string{cfg: webConfig(`{"/": {"type": "static", "directory": ".", "options": {"enable_listing": true}}}`)},
			src + `.paths["/"].options.enable_listing: unknown key (did you mean "enable_directory_listing"?)`},
		{"bad type: a string for a number",
			map[string]string{cfg: webConfig(`{"/": {"type": "wsgi", "module": "m", "object": "app", "maxthreads": "20"}}`)},
			src + `.paths["/"].maxthreads: expected a number of threads from 1 to 10000, got "20"`},
		{"bad type: a number for a string",
			map[string]string{cfg: webConfig(`{"/": {"type": "wsgi", "module": 5, "object": "app"}}`)},
			src + `.paths["/"].module: expected a string, got 5`},
		{"bad type: a string for a boolean",
			map[string]string{cfg: webConfig(`{"/": {"type": "json", "value": 1, "options": {"prettify": "yes"}}}`)},
			src + `.paths["/"].options.prettify: expected true or false, got "yes"`},
		{"bad port",
			map[string]string{cfg: `{"workers": [{"type": "router", "transports": [{"type": "web", "endpoint": {"type": "tcp", "port": "eighty"}, "paths": {}}]}]}`},
			src + `.endpoint.port: expected a port number from 0 to 65535, got "eighty"`},
		{"port out of range",
			map[string]string{cfg: `{"workers": [{"type": "router", "transports": [{"type": "web", "endpoint": {"type": "tcp", "port": 70000}, "paths": {}}]}]}`},
			src + `.endpoint.port: expected a port number from 0 to 65535, got 70000`},
		{"port from an unset variable",
			map[string]string{cfg: `{"workers": [{"type": "router", "transports": [{"type": "web", "endpoint": {"type": "tcp", "port": "$GOWSGI_TEST_UNSET_PORT"}, "paths": {}}]}]}`},
			src + `.endpoint.port: the environment variable GOWSGI_TEST_UNSET_PORT is not set`},
		{"missing port",
			map[string]string{cfg: `{"workers": [{"type": "router", "transports": [{"type": "web", "endpoint": {"type": "tcp"}, "paths": {}}]}]}`},
			src + `.endpoint.port: required (the TCP port to listen on, e.g. 8080; 0 picks a free one)`},
		{"unknown service type with a suggestion",
			map[string]string{cfg: webConfig(`{"/": {"type": "wgsi", "module": "m", "object": "app"}}`)},
			src + `.paths["/"].type: expected one of "wsgi", "asgi", "static", "redirect", "json", "path", "reverseproxy", "websocket", "websocket-reverseproxy", "longpoll", "caller", "publisher", "webhook", "resource", "cgi", "nodeinfo", "upload", "archive", "wap", "catalog", "none", got "wgsi" (did you mean "wsgi"?)`},
		{"unknown worker type",
			map[string]string{cfg: `{"workers": [{"type": "rooter"}]}`},
			`workers[0].type: expected one of "router", "container", "guest", "proxy", "websocket-testee", got "rooter" (did you mean "router"?)`},
		{"misspelt type key",
			map[string]string{cfg: `{"workers": [{"tpye": "router"}]}`},
			`workers[0].tpye: unknown key (did you mean "type"?)`},
		{"unknown transport type",
			map[string]string{cfg: `{"workers": [{"type": "router", "transports": [{"type": "webb"}]}]}`},
			src + `.type: expected one of "web", "websocket", "rawsocket", "universal", "mqtt", "flashpolicy", "websocket.testee", "stream.testee", got "webb" (did you mean "web"?)`},
		{"bad segment key",
			map[string]string{cfg: webConfig(`{"a/b": {"type": "redirect", "url": "/x"}}`)},
			src + `.paths["a/b"]: a path key is one URL segment; for a deeper path nest a "path" service: "a": {"type": "path", "paths": {"b": ...}}`},
		{"bad segment characters",
			map[string]string{cfg: webConfig(`{"a b": {"type": "redirect", "url": "/x"}}`)},
			src + `.paths["a b"]: a path key is one URL segment of letters, digits, "_", "-" and ".", or "/" for the root`},
		{"pythonpath that does not exist",
			map[string]string{cfg: `{"workers": [{"type": "router", "options": {"pythonpath": ["../src"]}}]}`},
			`workers[0].options.pythonpath[0]: {dir}/src: no such directory (pythonpath entries are relative to the node directory {dir}/.crossbar)`},
		{"pythonpath not a list",
			map[string]string{cfg: `{"workers": [{"type": "router", "options": {"pythonpath": ".."}}]}`},
			`workers[0].options.pythonpath: expected a list, got ".."`},
		{"static directory missing",
			map[string]string{cfg: webConfig(`{"/": {"type": "static", "directory": "../public"}}`)},
			src + `.paths["/"].directory: {dir}/public: no such directory`},
		{"static without directory or package",
			map[string]string{cfg: webConfig(`{"/": {"type": "static"}}`)},
			src + `.paths["/"].directory: required (the directory to serve, relative to the node directory; or "package" and "resource")`},
		{"static package not found",
			map[string]string{cfg: webConfig(`{"/": {"type": "static", "package": "mypkg", "resource": "web"}}`)},
			src + `.paths["/"].package: no directory mypkg/web in {dir} (gowsgi looks in the pythonpath and the project directory; for an installed package give "directory")`},
		{"static with directory and package",
			map[string]string{cfg: webConfig(`{"/": {"type": "static", "directory": ".", "package": "p", "resource": "r"}}`)},
			src + `.paths["/"].package: give either "directory" or "package" and "resource", not both`},
		{"static mime type",
			map[string]string{cfg: webConfig(`{"/": {"type": "static", "directory": ".", "options": {"mime_types": {".md": "markdown"}}}}`)},
			src + `.paths["/"].options.mime_types[".md"]: expected a media type such as "text/markdown", got "markdown"`},
		{"static cache_timeout negative",
			map[string]string{cfg: webConfig(`{"/": {"type": "static", "directory": ".", "options": {"cache_timeout": -1}}}`)},
			src + `.paths["/"].options.cache_timeout: expected a number of seconds (0 or more), or null, got -1`},
		{"json without value",
			map[string]string{cfg: webConfig(`{"v": {"type": "json", "options": {"prettify": true}}}`)},
			src + `.paths.v.value: required (the JSON value to answer with)`},
		{"redirect without url",
			map[string]string{cfg: webConfig(`{"v": {"type": "redirect"}}`)},
			src + `.paths.v.url: required (where to redirect to: a path or a full URL)`},
		{"reverseproxy without host",
			map[string]string{cfg: webConfig(`{"v": {"type": "reverseproxy", "port": 8000}}`)},
			src + `.paths.v.host: required (the host to forward requests to)`},
		{"reverseproxy bad proto",
			map[string]string{cfg: webConfig(`{"v": {"type": "reverseproxy", "host": "h", "forwarded_proto": "htps"}}`)},
			src + `.paths.v.forwarded_proto: expected one of "http", "https", got "htps" (did you mean "https"?)`},
		{"wsgi module given as a file",
			map[string]string{cfg: webConfig(`{"/": {"type": "wsgi", "module": "myapp.py", "object": "app"}}`)},
			src + `.paths["/"].module: expected a module name, got the file "myapp.py": drop the .py ("myapp")`},
		{"wsgi minthreads over maxthreads",
			map[string]string{cfg: webConfig(`{"/": {"type": "wsgi", "module": "m", "object": "app", "minthreads": 30, "maxthreads": 10}}`)},
			src + `.paths["/"].minthreads: 30 is more than maxthreads (10)`},
		{"syntax error in JSON",
			map[string]string{cfg: "{\n  \"workers\": [\n    {\"type\": \"router\",}\n  ]\n}\n"},
			`{dir}/.crossbar/config.json:3:23: invalid character '}' looking for beginning of object key string (JSON allows no comma before '}')`},
		{"JSON with a comment",
			map[string]string{cfg: "{\n  // the workers\n  \"workers\": []\n}\n"},
			`{dir}/.crossbar/config.json:2:3: invalid character '/' looking for beginning of object key string (JSON has no comments; a config.yaml may have them)`},
		{"JSON cut short",
			map[string]string{cfg: "{\"workers\": [\n"},
			`{dir}/.crossbar/config.json:2:1: unexpected end of the file: an object or list is not closed`},
		{"JSON with trailing text",
			map[string]string{cfg: "{\"workers\": []}\n}\n"},
			`{dir}/.crossbar/config.json:2:1: unexpected text after the end of the top-level object`},
		{"empty file",
			map[string]string{cfg: "\n"},
			`{dir}/.crossbar/config.json: empty; a Crossbar.io config is an object with a "workers" list`},
		{"syntax error in YAML",
			map[string]string{".crossbar/config.yaml": "workers:\n  - type: router\n    transports: [\n"},
			`{dir}/.crossbar/config.yaml:3: did not find expected node content`},
		{"YAML tab indentation",
			map[string]string{".crossbar/config.yaml": "workers:\n\t- type: router\n"},
			`{dir}/.crossbar/config.yaml:2: found character that cannot start any token`},
		{"YAML error names the JSON path",
			map[string]string{".crossbar/config.yaml": "workers:\n  - type: router\n    transports:\n      - type: web\n        endpoint: {type: tcp, port: 80.5}\n        paths: {}\n"},
			src + `.endpoint.port: expected a port number from 0 to 65535, got 80.5`},
		{"workers not a list",
			map[string]string{cfg: `{"workers": {"type": "router"}}`},
			`workers: expected a list, got an object`},
		{"workers missing",
			map[string]string{cfg: `{"controller": {}}`},
			`workers: required (the list of workers; web transports live in "router" workers)`},
		{"unknown top-level key",
			map[string]string{cfg: `{"worker": []}`},
			`worker: unknown key (did you mean "workers"?)`},
		{"top level not an object",
			map[string]string{cfg: `[]`},
			`{dir}/.crossbar/config.json: expected an object with a "workers" list at the top, got a list`},
		{"bad version",
			map[string]string{cfg: `{"version": 3, "workers": []}`},
			`version: expected 1 or 2, got 3`},
		{"nothing to serve",
			map[string]string{cfg: `{"workers": [{"type": "guest"}]}`},
			`workers: no "web" transport in a router worker: nothing for gowsgi to serve`},
		{"tls without certificate",
			map[string]string{".crossbar/k.pem": "k", cfg: `{"workers": [{"type": "router", "transports": [{"type": "web",
				"endpoint": {"type": "tcp", "port": 443, "tls": {"key": "k.pem"}}, "paths": {}}]}]}`},
			src + `.endpoint.tls.certificate: required (the PEM certificate file, relative to the node directory)`},
		{"tls key missing on disk",
			map[string]string{cfg: `{"workers": [{"type": "router", "transports": [{"type": "web",
				"endpoint": {"type": "tcp", "port": 443, "tls": {"key": "k.pem", "certificate": "c.pem"}}, "paths": {}}]}]}`},
			src + `.endpoint.tls.key: {dir}/.crossbar/k.pem: no such file`},
		{"ipv6 interface on version 4",
			map[string]string{cfg: `{"workers": [{"type": "router", "transports": [{"type": "web", "endpoint": {"type": "tcp", "port": 80, "interface": "::1"}, "paths": {}}]}]}`},
			src + `.endpoint.interface: ::1 is an IPv6 address; add "version": 6 to the endpoint`},
		{"unknown endpoint type",
			map[string]string{cfg: `{"workers": [{"type": "router", "transports": [{"type": "web", "endpoint": {"type": "onion", "port": 80}, "paths": {}}]}]}`},
			src + `.endpoint.type: expected one of "tcp", "unix", got "onion"`},
		{"endpoint missing",
			map[string]string{cfg: `{"workers": [{"type": "router", "transports": [{"type": "web", "paths": {}}]}]}`},
			src + `.endpoint: required (where to listen, e.g. {"type": "tcp", "port": 8080})`},
		{"unix socket directory missing",
			map[string]string{cfg: `{"workers": [{"type": "router", "transports": [{"type": "web", "endpoint": {"type": "unix", "path": "run/web.sock"}, "paths": {}}]}]}`},
			src + `.endpoint.path: {dir}/.crossbar/run: no such directory for the socket`},
		{"duplicate key",
			map[string]string{cfg: webConfig(`{"ws": {"type": "websocket"}, "ws": {"type": "redirect", "url": "/"}}`)},
			src + `.paths.ws: given twice; give each key once`},
		{"env var not a string",
			map[string]string{cfg: `{"workers": [{"type": "router", "options": {"env": {"vars": {"N": 1}}}}]}`},
			`workers[0].options.env.vars.N: expected a string, got 1`},
		{"duplicate ports across transports",
			map[string]string{cfg: `{"workers": [{"type": "router", "transports": [
				{"type": "web", "endpoint": {"type": "tcp", "port": 8080}, "paths": {"/": {"type": "redirect", "url": "/a"}}},
				{"type": "web", "endpoint": {"type": "tcp", "port": 8080}, "paths": {"/": {"type": "redirect", "url": "/b"}}}]}]}`},
			`workers[0].transports[1].endpoint (tcp 8080): the same address as workers[0].transports[0].endpoint (tcp 8080); give it once`},
		{"the same mount twice through a path service",
			map[string]string{cfg: webConfig(`{"/": {"type": "path", "paths": {"a": {"type": "redirect", "url": "/x"}}}, "a": {"type": "redirect", "url": "/y"}}`)},
			src + `.paths.a: /a is already mounted by ` + src + `.paths["/"].paths.a; give each path once`},
	}
	seen := map[string]bool{}
	for _, c := range cases {
		if seen[c.name] {
			t.Fatalf("two cases named %q", c.name)
		}
		seen[c.name] = true
		t.Run(c.name, func(t *testing.T) {
			dir := writeTree(t, c.files)
			file, err := FindConfig(dir, "")
			if err != nil {
				t.Fatal(err)
			}
			site, err := LoadCrossbar(file, Site{Dir: dir}, DefaultPool)
			want := strings.ReplaceAll(c.want, "{dir}", dir)
			var cerr *Error
			if err == nil {
				t.Fatalf("no error, want %q; got %s", want, dump(site))
			}
			if !errors.As(err, &cerr) {
				t.Errorf("error %T is not a *config.Error", err)
			}
			if err.Error() != want {
				t.Errorf("error\n got %s\nwant %s", err, want)
			}
		})
	}
}

func TestLoadCrossbarMissingFile(t *testing.T) {
	_, err := LoadCrossbar(filepath.Join(t.TempDir(), "config.json"), Site{}, DefaultPool)
	if err == nil || !strings.HasSuffix(err.Error(), "config.json: no such file") {
		t.Errorf("got %v", err)
	}
}

func TestLoadCrossbarPortFromEnv(t *testing.T) {
	t.Setenv("GOWSGI_TEST_PORT", "9123")
	dir := writeTree(t, map[string]string{".crossbar/config.yml": `
workers:
  - type: router
    transports:
      - type: web
        endpoint: {type: tcp, port: $GOWSGI_TEST_PORT, interface: ""}
        paths: {"/": {type: redirect, url: /x}}
`})
	file, err := FindConfig(dir, ".crossbar")
	if err != nil {
		t.Fatal(err)
	}
	site, err := LoadCrossbar(file, Site{Dir: dir}, DefaultPool)
	if err != nil {
		t.Fatal(err)
	}
	if l := site.Transports[0].Listeners[0]; l.Address != "0.0.0.0:9123" || l.DefaultInterface {
		t.Errorf("listener = %+v, want 0.0.0.0:9123 (an empty interface is every interface, as in Twisted)", l)
	}
}

func TestLoadCrossbarYAMLMergeAndAliases(t *testing.T) {
	dir := writeTree(t, map[string]string{".crossbar/config.yaml": `
x-app: &app {type: wsgi, module: myapp, object: app, maxthreads: 4}
workers:
  - type: router
    transports:
      - type: web
        endpoint: {type: tcp, port: 8080}
        paths:
          a: *app
          b:
            <<: *app
            object: other
`})
	file, _ := FindConfig(dir, "")
	_, err := LoadCrossbar(file, Site{Dir: dir}, DefaultPool)
	// x-app is not a Crossbar key: refused like any other unknown key.
	if err == nil || err.Error() != `["x-app"]: unknown key; expected one of "$schema", "version", "controller", "workers"` {
		t.Fatalf("got %v", err)
	}
	dir = writeTree(t, map[string]string{".crossbar/config.yaml": `
workers:
  - type: router
    transports:
      - type: web
        endpoint: {type: tcp, port: 8080}
        paths:
          a: &app {type: wsgi, module: myapp, object: app, maxthreads: 4}
          b:
            <<: *app
            object: other
`})
	file, _ = FindConfig(dir, "")
	site, err := LoadCrossbar(file, Site{Dir: dir}, DefaultPool)
	if err != nil {
		t.Fatal(err)
	}
	var apps []string
	for _, m := range site.AppMounts() {
		apps = append(apps, m.Path+"="+m.WSGI.App)
		if m.WSGI.Pool.Threads != 4 {
			t.Errorf("%s: threads %d, want 4", m.Path, m.WSGI.Pool.Threads)
		}
	}
	if want := []string{"/a=myapp:app", "/b=myapp:other"}; !slices.Equal(apps, want) {
		t.Errorf("apps = %v, want %v", apps, want)
	}
}

func TestSuggest(t *testing.T) {
	keys := []string{"type", "module", "object", "minthreads", "maxthreads", "id"}
	cases := []struct{ word, want string }{
		{"modul", "module"},
		{"Module", "module"},
		{"tpye", "type"},
		{"objet", "object"},
		{"maxthread", "maxthreads"},
		{"max_threads", "maxthreads"},
		{"min", "minthreads"}, // a prefix
		{"thread_max", ""},
		{"mx", ""},
		{"directory", ""},
		{"", ""},
	}
	for _, c := range cases {
		if got := Suggest(c.word, keys); got != c.want {
			t.Errorf("Suggest(%q) = %q, want %q", c.word, got, c.want)
		}
	}
	if got := Suggest("rooter", workerTypes); got != "router" {
		t.Errorf("Suggest(rooter) = %q", got)
	}
	if got := Suggest("wgsi", serviceTypes); got != "wsgi" {
		t.Errorf("Suggest(wgsi) = %q", got)
	}
	if got := Suggest("enable_listing", staticOptionKeys); got != "enable_directory_listing" {
		t.Errorf("Suggest(enable_listing) = %q", got)
	}
	if got := Suggest("data", []string{"path"}); got != "" {
		t.Errorf("Suggest(data, path) = %q, want none", got)
	}
}
