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
