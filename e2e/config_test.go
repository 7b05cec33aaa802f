package e2e

// The Crossbar.io node config, and TLS listeners.

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCrossbarSeedExample serves the seed's example exactly as Crossbar.io's
// documentation gives it (.crossbar/config.json, myapp.py, the template),
// and the same config as YAML: the Flask page at /, a 501 explaining the
// WAMP WebSocket path, and the warning at start. The config says port 8080.
func TestCrossbarSeedExample(t *testing.T) {
	for _, dir := range []string{"crossbar", "crossbar-yaml"} {
		t.Run(dir, func(t *testing.T) {
			s := startOn8080(t, filepath.Join(testApps, dir), "-n", "web", "--python", venvPy, "--no-reload")
			if s.URL != "http://127.0.0.1:8080" {
				t.Fatalf("listening on %s, want http://127.0.0.1:8080 (the config's port, on loopback)", s.URL)
			}
			s.waitLog(`paths\.ws: "websocket" \(WAMP\) is not hosted by gowsgi; /ws answers 501`, time.Second)
			s.waitLog(`loopback only`, time.Second)
			code, body := s.get("/")
			if code != 200 || !strings.Contains(body, "<h1>Hello from Crossbar.io</h1>") {
				t.Errorf("GET / = %d %q", code, body)
			}
			code, body = s.get("/ws")
			if code != http.StatusNotImplemented || !strings.Contains(body, "websocket") {
				t.Errorf("GET /ws = %d %q; want 501 explaining it", code, body)
			}
		})
	}
}

// startOn8080 starts a server whose config listens on port 8080, waiting
// (at most a minute) while another test run on this machine holds the port.
func startOn8080(t *testing.T, dir string, args ...string) *server {
	t.Helper()
	for range 60 {
		s := launchRaw(t, dir, nil, args...)
		if m := s.out.waitFor(listeningRE, 30*time.Second); m != nil {
			s.URL = m[1]
			return s
		}
		if !strings.Contains(s.out.String(), "already in use") {
			t.Fatalf("gowsgi did not start listening; output:\n%s", s.out)
		}
		time.Sleep(time.Second)
	}
	t.Fatal("port 8080 stayed in use for a minute")
	return nil
}

// TestCrossbarConfigServices: static files, a redirect, a JSON value and a
// nested path from one config file, on a free port.
func TestCrossbarConfigServices(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "hello.py"), versionApp("hello from the config"))
	write(t, filepath.Join(dir, "envapp.py"), `import os
def application(environ, start_response):
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [os.environ.get('GREETING', 'unset').encode()]
`)
	write(t, filepath.Join(dir, "web", "index.html"), "<p>static root</p>\n")
	write(t, filepath.Join(dir, "web", "data.foo"), "foo data\n")
	write(t, filepath.Join(dir, ".crossbar", "config.yaml"), `
version: 2
workers:
  - type: router
    options:
      pythonpath: [".."]
      env: {vars: {GREETING: hello from env.vars}}
    transports:
      - type: web
        endpoint: {type: tcp, port: 0}
        options: {display_tracebacks: true}
        paths:
          "/":
            type: static
            directory: ../web
            options:
              mime_types: {".foo": "text/x-foo"}
              cache_timeout: 60
          app:
            type: wsgi
            module: hello
            object: application
            maxthreads: 4
          old: {type: redirect, url: /app}
          env: {type: wsgi, module: envapp, object: application}
          info:
            type: json
            value: {name: gowsgi, tags: [a, b]}
            options: {allow_cross_origin: true}
          api:
            type: path
            paths:
              v1: {type: wsgi, module: hello, object: application}
`)
	s := startRaw(t, dir, "-n", "web", "--python", venvPy, "--no-reload")
	if code, body := s.get("/app"); code != 200 || body != "hello from the config" {
		t.Errorf("GET /app = %d %q", code, body)
	}
	if code, body := s.get("/env"); code != 200 || body != "hello from env.vars" {
		t.Errorf("GET /env = %d %q; want the worker option env.vars in the app's environment", code, body)
	}
	if code, body := s.get("/api/v1/x"); code != 200 || body != "hello from the config" {
		t.Errorf("GET /api/v1/x = %d %q", code, body)
	}
	resp, body := s.do(s.request("GET", "/", nil))
	if resp.StatusCode != 200 || string(body) != "<p>static root</p>\n" || resp.Header.Get("Cache-Control") != "public, max-age=60" {
		t.Errorf("GET / = %d %q Cache-Control %q", resp.StatusCode, body, resp.Header.Get("Cache-Control"))
	}
	if resp, _ := s.do(s.request("GET", "/data.foo", nil)); resp.Header.Get("Content-Type") != "text/x-foo; charset=utf-8" {
		t.Errorf("mime_types: Content-Type %q", resp.Header.Get("Content-Type"))
	}
	resp, err := http.DefaultTransport.RoundTrip(s.request("GET", "/old", nil))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/app" {
		t.Errorf("GET /old = %d Location %q; want 302 to /app", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, body = s.do(s.request("GET", "/info", nil))
	if resp.StatusCode != 200 || strings.TrimSpace(string(body)) != `{"name":"gowsgi","tags":["a","b"]}` ||
		resp.Header.Get("Content-Type") != "application/json" || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("GET /info = %d %q %v", resp.StatusCode, body, resp.Header)
	}
	// Both WSGI mounts run the same app with different pools: two pools.
	s.waitLog(`/app\s+wsgi hello:application \(1 × 4 threads\)`, time.Second)
}

// TestCrossbarConfigMistakes: each mistake is reported before anything
// starts, with the JSON path of the value, and exit status 2.
func TestCrossbarConfigMistakes(t *testing.T) {
	for _, c := range []struct{ name, config, want string }{
		{"missing module", `{"workers":[{"type":"router","transports":[{"type":"web","endpoint":{"type":"tcp","port":0},"paths":{"app":{"type":"wsgi","object":"app"}}}]}]}`,
			`workers[0].transports[0].paths.app.module: required (the Python module of the WSGI app)`},
		{"typo", `{"workers":[{"type":"router","transports":[{"type":"web","endpoint":{"type":"tcp","port":0},"paths":{"/":{"type":"wsgi","modul":"x","object":"app"}}}]}]}`,
			`did you mean "module"`},
		{"syntax", "{\"workers\": [\n  {\"type\": \"router\",,}\n]}", `config.json:2`},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, filepath.Join(dir, "config.json"), c.config)
			out, err := gowsgi(dir, nil, "-n", "web", "--python", venvPy, "--config", "config.json").CombinedOutput()
			if code := exitCode(err); code != 2 || !strings.Contains(string(out), c.want) {
				t.Errorf("exit %d, output %q; want 2 and %q", code, out, c.want)
			}
			if strings.Contains(string(out), "listening") {
				t.Errorf("started despite the mistake: %s", out)
			}
		})
	}
}

// TestTLSSelfSigned: ssl: with no key makes a self-signed certificate for
// localhost once, says how to trust it, and serves HTTPS and HTTP/2 with it.
func TestTLSSelfSigned(t *testing.T) {
	home := t.TempDir()
	env := []string{"XDG_CONFIG_HOME=" + home}
	s := waitListening(t, launchRaw(t, testApps, env, "-n", "web", "--no-reload", "--python", venvPy,
		"--wsgi", "pure.application", "--listen", "ssl:0"))
	if !strings.HasPrefix(s.URL, "https://127.0.0.1:") {
		t.Fatalf("banner URL %q, want https", s.URL)
	}
	certFile := filepath.Join(home, "gowsgi", "tls", "localhost.pem")
	s.waitLog(`made a self-signed certificate for localhost: `+certFile, time.Second)
	pemBytes, err := os.ReadFile(certFile)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pemBytes) {
		t.Fatal("the certificate file holds no certificate")
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: roots}, ForceAttemptHTTP2: true,
	}}
	resp, err := client.Get(s.URL + "/")
	if err != nil {
		t.Fatalf("HTTPS with the certificate trusted: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.ProtoMajor != 2 {
		t.Errorf("GET / over TLS = %d %s %q; want 200 over HTTP/2", resp.StatusCode, resp.Proto, body)
	}
	// A client that does not trust it is refused by TLS itself.
	if _, err := (&http.Client{Timeout: 5 * time.Second}).Get(s.URL + "/"); err == nil {
		t.Error("an untrusting client connected")
	}
	s.stop()

	// The second start reuses the certificate.
	s2 := waitListening(t, launchRaw(t, testApps, env, "-n", "web", "--no-reload", "--python", venvPy,
		"--wsgi", "pure.application", "--listen", "ssl:0"))
	if strings.Contains(s2.out.String(), "made a self-signed certificate") {
		t.Errorf("a second start made a new certificate:\n%s", s2.out)
	}
}
