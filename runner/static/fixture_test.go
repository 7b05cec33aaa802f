package static

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// fixture is a directory tree:
//
//	dir/secret.txt            the marker, just outside the root
//	dir/outside/secret2.txt   the marker, in a directory outside the root
//	dir/root/...              the served root (see newFixture)
type fixture struct {
	dir     string
	root    string
	outside string
	marker  string
}

// mtime is the modification time of every regular file in the fixture.
var mtime = time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)

var bigBin = func() []byte {
	b := make([]byte, 10000)
	for i := range b {
		b[i] = byte(i % 251)
	}
	return b
}()

func newFixture(t testing.TB) *fixture {
	t.Helper()
	dir := t.TempDir()
	var rnd [12]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		t.Fatal(err)
	}
	fx := &fixture{
		dir:     dir,
		root:    filepath.Join(dir, "root"),
		outside: filepath.Join(dir, "outside"),
		marker:  "SECRET-" + hex.EncodeToString(rnd[:]),
	}
	files := map[string]string{
		"../secret.txt":          "top secret: " + fx.marker + "\n",
		"../outside/secret2.txt": fx.marker + "\n",

		"hello.txt":      "hello, world\n",
		"page.html":      "<!DOCTYPE html><title>page</title>",
		"style.css":      "body{color:red}",
		"UPPER.CSS":      "b{}",
		"app.js":         "console.log(1)",
		"mod.mjs":        "export {}",
		"data.json":      `{"a":1}`,
		"pic.svg":        "<svg/>",
		"img.png":        "\x89PNG",
		"photo.jpg":      "\xff\xd8\xff",
		"photo.jpeg":     "\xff\xd8\xff",
		"anim.gif":       "GIF89a",
		"img.webp":       "RIFF",
		"favicon.ico":    "\x00\x00\x01\x00",
		"font.woff":      "wOFF",
		"font.woff2":     "wOF2",
		"doc.xml":        "<a/>",
		"mod.wasm":       "\x00asm",
		"app.js.map":     "{}",
		"doc.pdf":        "%PDF-1.7",
		"data.foo":       "foo",
		"noext":          "<html><script>alert(1)</script>",
		"data.unknownzz": "<html><script>alert(1)</script>",
		"big.bin":        string(bigBin),
		"empty.txt":      "",

		"sub/index.html":            "<h1>sub index</h1>",
		"sub/inner.txt":             "inner",
		"sub/.hidden":               "hidden " + "x",
		"altindex/index":            "alt index",
		"both/index.html":           "index.html wins",
		"both/index":                "index loses",
		"custom/home.htm":           "home",
		"dirindex/index.html/x.txt": "x",

		"list/<b>&\"x.txt":  "escaped",
		"list/a b.txt":      "space",
		"list/ünï.txt":      "unicode",
		"list/Zeta.txt":     "zeta",
		"list/alpha.txt":    "alpha",
		"list/z-dir/f.txt":  "f",
		"list/.hidden":      "hidden",
		"list/.git/config":  "[core]",
		".env":              "SECRET_KEY=1",
		".git/HEAD":         "ref: refs/heads/main",
		".well-known/x.txt": "x",

		"comp.css":        "identity css",
		"comp.css.br":     "BR-BYTES",
		"comp.css.gz":     "GZ-BYTES",
		"only-gz.js":      "js identity",
		"only-gz.js.gz":   "GZ-JS",
		"leak.css":        "leak identity",
		"dirsib.css":      "dirsib identity",
		"dirsib.css.br/a": "a",
		"lnk.css":         "lnk identity",
	}
	for name, content := range files {
		p := filepath.Join(fx.root, filepath.FromSlash(name))
		mustWrite(t, p, content)
	}
	for _, d := range []string{"empty"} {
		if err := os.MkdirAll(filepath.Join(fx.root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	links := map[string]string{
		"link-secret.txt":     "../secret.txt",
		"link-secret-abs.txt": filepath.Join(dir, "secret.txt"),
		"link-outdir":         "../outside",
		"link-outdir-abs":     fx.outside,
		"link-inside.txt":     "hello.txt",
		"link-inside-abs.txt": filepath.Join(fx.root, "hello.txt"),
		"link-sub":            "sub",
		"link-dev":            "/dev/zero",
		"link-etc":            "/etc",
		"loop":                "loop",
		"dangling":            "nope",
		"sub/escape":          "../..",
		"sub/escape-secret":   "../../secret.txt",
		"list/link-out":       "../../outside",
		"list/link-secret":    "../../secret.txt",
		"list/link-in.txt":    "../hello.txt",
		"leak.css.gz":         "../secret.txt",
		"leak.css.br":         "../outside/secret2.txt",
		"lnk.css.gz":          "comp.css.gz",
		"badindex/index.html": "../../secret.txt",
		"outindex":            "../outside",
	}
	if err := os.MkdirAll(filepath.Join(fx.root, "badindex"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(fx.root, filepath.FromSlash(name))); err != nil {
			t.Fatal(err)
		}
	}
	// Every regular file and directory gets the same known mtime.
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && info.Mode()&os.ModeSymlink == 0 {
			os.Chtimes(p, mtime, mtime)
		}
		return nil
	})
	// The fixture is only meaningful if the secret is really there.
	if b, err := os.ReadFile(filepath.Join(fx.root, "link-secret.txt")); err != nil || !strings.Contains(string(b), fx.marker) {
		t.Fatalf("fixture: the symlink does not reach the secret: %q, %v", b, err)
	}
	return fx
}

func mustWrite(t testing.TB, p, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// errorCall is one call of a recording Options.Error.
type errorCall struct {
	Code          int
	Title, Detail string
}

type errorLog struct {
	mu    sync.Mutex
	calls []errorCall
}

// write is an Options.Error that records its calls and writes a body
// only the handler can produce, so that tests know who answered.
func (l *errorLog) write(w http.ResponseWriter, r *http.Request, code int, title, detail string) {
	l.mu.Lock()
	l.calls = append(l.calls, errorCall{code, title, detail})
	l.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(code)
	io.WriteString(w, errorBody(code))
}

func (l *errorLog) last() (errorCall, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.calls) == 0 {
		return errorCall{}, false
	}
	return l.calls[len(l.calls)-1], true
}

func errorBody(code int) string { return "gowsgi-static-error " + http.StatusText(code) + "\n" }

// serve starts a real server on 127.0.0.1 for a handler built from o;
// Root defaults to the fixture's root.
func serve(t *testing.T, fx *fixture, o Options) *httptest.Server {
	t.Helper()
	if o.Root == "" {
		o.Root = fx.root
	}
	h, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		srv.Close()
		h.Close()
	})
	return srv
}

// client neither follows redirects nor asks for or undoes compression.
func client(srv *httptest.Server) *http.Client {
	tr := srv.Client().Transport.(*http.Transport).Clone()
	tr.DisableCompression = true
	return &http.Client{
		Transport:     tr,
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// do sends method to srv's path with headers given as "Name: value".
func do(t *testing.T, srv *httptest.Server, method, path string, headers ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range headers {
		k, v, ok := strings.Cut(h, ":")
		if !ok {
			t.Fatalf("bad header %q", h)
		}
		req.Header.Add(k, strings.TrimSpace(v))
	}
	c := client(srv)
	defer c.CloseIdleConnections()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", method, path, err)
	}
	return resp, body
}

func get(t *testing.T, srv *httptest.Server, path string, headers ...string) (*http.Response, []byte) {
	t.Helper()
	return do(t, srv, http.MethodGet, path, headers...)
}

// raw sends a request target byte for byte over TCP, so that no client
// cleans or re-encodes it, and returns the parsed response and every byte
// of its body.
func raw(t *testing.T, srv *httptest.Server, method, target string, headers ...string) (*http.Response, []byte) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", srv.Listener.Addr().String(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	var req bytes.Buffer
	req.WriteString(method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n")
	for _, h := range headers {
		req.WriteString(h + "\r\n")
	}
	req.WriteString("\r\n")
	if _, err := conn.Write(req.Bytes()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), &http.Request{Method: method})
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", method, target, err)
	}
	return resp, body
}

func wantStatus(t *testing.T, what string, resp *http.Response, code int) {
	t.Helper()
	if resp.StatusCode != code {
		t.Fatalf("%s: status %d, want %d", what, resp.StatusCode, code)
	}
}

func wantHeader(t *testing.T, what string, resp *http.Response, name, value string) {
	t.Helper()
	if got := resp.Header.Get(name); got != value {
		t.Errorf("%s: %s = %q, want %q", what, name, got, value)
	}
}

func wantNoHeader(t *testing.T, what string, resp *http.Response, name string) {
	t.Helper()
	if got, ok := resp.Header[http.CanonicalHeaderKey(name)]; ok {
		t.Errorf("%s: unexpected %s: %q", what, name, got)
	}
}

func wantBody(t *testing.T, what string, body []byte, want string) {
	t.Helper()
	if string(body) != want {
		t.Errorf("%s: body %q, want %q", what, body, want)
	}
}

// short trims a body for an error message.
func short(b []byte) string {
	if len(b) > 200 {
		return string(b[:200]) + "…"
	}
	return string(b)
}
