package router

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gowsgi/gowsgi/runner/config"
	"github.com/gowsgi/gowsgi/runner/logging"
)

// named answers with its own name and the path it saw.
func named(name string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s %s", name, r.URL.Path)
	})
}

func get(t *testing.T, c *http.Client, url string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestLongestSegmentPrefixWins(t *testing.T) {
	rt := New([]Route{
		{Path: "/", Handler: named("root")},
		{Path: "/api", Handler: named("api")},
		{Path: "/api/v2", Handler: named("v2")},
		{Path: "/static", Handler: named("static")},
	}, Options{})
	srv := httptest.NewServer(rt)
	defer srv.Close()
	for path, want := range map[string]string{
		"/":             "root /",
		"/x":            "root /x",
		"/apix":         "root /apix",
		"/api":          "api /api",
		"/api/":         "api /api/",
		"/api/v1/users": "api /api/v1/users",
		"/api/v2":       "v2 /api/v2",
		"/api/v2/users": "v2 /api/v2/users",
		"/api/v2x":      "api /api/v2x",
		"/static/a.css": "static /static/a.css",
		"/staticx":      "root /staticx",
	} {
		if _, body := get(t, srv.Client(), srv.URL+path); body != want {
			t.Errorf("GET %s = %q, want %q", path, body, want)
		}
	}
}

func TestNothingMountedIs404AndLogged(t *testing.T) {
	var log bytes.Buffer
	lg := logging.New(logging.Options{Out: &log, AccessFormat: "combined"})
	srv := httptest.NewServer(New([]Route{{Path: "/app", Handler: named("app")}}, Options{
		Log: lg, AddHeaders: [][2]string{{"X-Frame-Options", "DENY"}},
	}))
	defer srv.Close()
	resp, body := get(t, srv.Client(), srv.URL+"/elsewhere")
	if resp.StatusCode != 404 || !strings.Contains(body, "nothing is mounted at this path") {
		t.Errorf("GET /elsewhere = %d %q", resp.StatusCode, body)
	}
	if resp.Header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("the added header is missing from the 404: %v", resp.Header)
	}
	resp, _ = get(t, srv.Client(), srv.URL+"/app/x")
	if resp.Header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("the added header is missing from a mount's answer: %v", resp.Header)
	}
	if !strings.Contains(log.String(), `"GET /elsewhere HTTP/1.1" 404`) || !strings.Contains(log.String(), `"GET /app/x HTTP/1.1" 200`) {
		t.Errorf("access log:\n%s", log.String())
	}
}

func TestTracebacksOnlyWhereAllowed(t *testing.T) {
	boom := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		RecordOf(w).Traceback = "Traceback: boom"
		Error(w, r, 500, "the app raised an exception", "", "Traceback: boom")
	})
	for _, show := range []bool{true, false} {
		srv := httptest.NewServer(New([]Route{{Path: "/", Handler: boom}}, Options{Tracebacks: show}))
		_, body := get(t, srv.Client(), srv.URL+"/")
		srv.Close()
		if strings.Contains(body, "Traceback: boom") != show {
			t.Errorf("tracebacks %v: page %q", show, body)
		}
	}
	// Outside a router (a handler under test), nothing is shown.
	rec := httptest.NewRecorder()
	boom.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if strings.Contains(rec.Body.String(), "boom") {
		t.Errorf("outside a router the traceback was shown: %q", rec.Body.String())
	}
}

func TestHSTSOnlyOverTLS(t *testing.T) {
	rt := New([]Route{{Path: "/", Handler: named("root")}}, Options{HSTS: 365 * 24 * time.Hour})
	plain := httptest.NewServer(rt)
	defer plain.Close()
	if resp, _ := get(t, plain.Client(), plain.URL+"/"); resp.Header.Get("Strict-Transport-Security") != "" {
		t.Errorf("HSTS over plain HTTP: %q", resp.Header.Get("Strict-Transport-Security"))
	}
	secure := httptest.NewTLSServer(rt)
	defer secure.Close()
	if resp, _ := get(t, secure.Client(), secure.URL+"/"); resp.Header.Get("Strict-Transport-Security") != "max-age=31536000" {
		t.Errorf("HSTS over TLS: %q", resp.Header.Get("Strict-Transport-Security"))
	}
}

func TestAbortCutsTheConnection(t *testing.T) {
	half := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "10")
		w.Write([]byte("12345"))
		RecordOf(w).Abort = true
	})
	srv := httptest.NewServer(New([]Route{{Path: "/", Handler: half}}, Options{}))
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil {
		t.Errorf("a cut response read completely: %q", b)
	}
}

func TestServices(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "backend %s host=%s xfp=%s xff=%s real=%s", r.URL.Path, r.Host,
			r.Header.Get("X-Forwarded-Proto"), r.Header.Get("X-Forwarded-For"), r.Header.Get("X-Real-Ip"))
	}))
	defer backend.Close()
	var host string
	var port int
	fmt.Sscanf(strings.TrimPrefix(backend.URL, "http://"), "127.0.0.1:%d", &port)
	host = "127.0.0.1"
	rt := New([]Route{
		{Path: "/old", Handler: Redirect("/new", 0)},
		{Path: "/info", Handler: JSON(config.JSON{Value: []byte(`{"a":[1,2]}`), Prettify: true, CORS: true, NoCache: true})},
		{Path: "/proxy", Handler: Proxy("/proxy", config.Proxy{Host: host, Port: port, Path: "/base", ForwardedProto: "https"})},
		{Path: "/down", Handler: Proxy("/down", config.Proxy{Host: "127.0.0.1", Port: 1})},
		{Path: "/ws", Handler: NotHosted("websocket", "paths.ws")},
	}, Options{})
	srv := httptest.NewServer(rt)
	defer srv.Close()
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	if resp, _ := get(t, noFollow, srv.URL+"/old"); resp.StatusCode != 302 || resp.Header.Get("Location") != "/new" {
		t.Errorf("redirect: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, body := get(t, noFollow, srv.URL+"/info")
	if resp.StatusCode != 200 || body != "{\n  \"a\": [\n    1,\n    2\n  ]\n}\n" || resp.Header.Get("Access-Control-Allow-Origin") != "*" ||
		resp.Header.Get("Cache-Control") != "no-store" || resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("json: %d %q %v", resp.StatusCode, body, resp.Header)
	}
	req, _ := http.NewRequest("POST", srv.URL+"/info", nil)
	if resp, err := noFollow.Do(req); err != nil || resp.StatusCode != 405 || resp.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST to json: %v %v", resp, err)
	}
	resp, body = get(t, noFollow, srv.URL+"/proxy/x/y?q=1")
	if resp.StatusCode != 200 || !strings.HasPrefix(body, "backend /base/x/y host=127.0.0.1:") || !strings.Contains(body, "xfp=https") ||
		!strings.Contains(body, "xff=127.0.0.1") || !strings.Contains(body, "real=127.0.0.1") {
		t.Errorf("proxy: %d %q", resp.StatusCode, body)
	}
	if resp, body := get(t, noFollow, srv.URL+"/down/x"); resp.StatusCode != 502 || !strings.Contains(body, "the backend did not answer") {
		t.Errorf("proxy to a closed port: %d %q", resp.StatusCode, body)
	}
	if resp, body := get(t, noFollow, srv.URL+"/ws"); resp.StatusCode != 501 || !strings.Contains(body, `"websocket" service, which gowsgi does not host`) {
		t.Errorf("not hosted: %d %q", resp.StatusCode, body)
	}
}

// TestExceptionPage renders a worker's report: the exception first, app
// frames open with their source and locals, library frames folded, the chain,
// headers with secrets masked; elsewhere (no debug pages, or not HTML) it is
// the plain error page.
func TestExceptionPage(t *testing.T) {
	report := []byte(`{"exceptions":[
	 {"type":"ValueError","message":"bad digit","relation":"cause","frames":[
	  {"file":"/app/parse.py","line":3,"function":"parse","first":2,"code":["def parse(s):","    return int(s)"],"locals":[["s","'x'"]],"app":true}]},
	 {"type":"RuntimeError","message":"<no quantity>","relation":"","frames":[
	  {"file":"/usr/lib/python3/dist-packages/lib.py","line":10,"function":"call","first":10,"code":["    f()"],"locals":[],"app":false},
	  {"file":"/app/view.py","line":7,"function":"view","first":7,"code":["    raise RuntimeError('<no quantity>') from e"],"locals":[["token","********"]],"app":true}]}]}`)
	page := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ExceptionPage(w, r, 500, "the app raised an exception", "", "", report)
	})
	get := func(opts Options, accept string) string {
		srv := httptest.NewServer(New([]Route{{Path: "/", Handler: page}}, opts))
		defer srv.Close()
		req, _ := http.NewRequest("GET", srv.URL+"/x?y=1", nil)
		req.Header.Set("Accept", accept)
		req.Header.Set("Authorization", "Bearer hunter2")
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	body := get(Options{Tracebacks: true, DebugPages: true}, "text/html")
	for _, want := range []string{
		`<h1>RuntimeError<span class="msg">: &lt;no quantity&gt;</span></h1>`,
		"The above exception was the direct cause of the following exception:",
		`<details class="frame app" open>`, `<details class="frame lib">`,
		`<span class="cur"><i>3</i>    return int(s)</span>`,
		`<td>s</td><td>&#39;x&#39;</td>`,
		`<td>token</td><td class="masked">********</td>`,
		`<td>Authorization</td><td class="masked">********</td>`,
		"Traceback (most recent call last):\n  File &#34;/app/parse.py&#34;, line 3, in parse\n    return int(s)\nValueError: bad digit",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(body, "hunter2") || strings.Contains(body, "<no quantity>") {
		t.Errorf("a secret or unescaped text on the page")
	}
	for name, opts := range map[string]Options{"no debug pages": {Tracebacks: true}, "no tracebacks": {DebugPages: true}} {
		if b := get(opts, "text/html"); strings.Contains(b, "frame app") {
			t.Errorf("%s: the debug page was shown", name)
		}
	}
	if b := get(Options{Tracebacks: true, DebugPages: true}, "application/json"); strings.Contains(b, "<html") {
		t.Errorf("a non-HTML client got the page")
	}
}
