package e2e

// The developer's loop: debug pages that explain, pages that reload
// themselves, and messages that say what to do.

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// copyDir copies a testapps directory into a temporary one the test may edit.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	if out, err := exec.Command("cp", "-a", src+"/.", dst).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v\n%s", err, out)
	}
	return dst
}

func (s *server) getHTML(path string) (*http.Response, string) {
	s.t.Helper()
	req := s.request("GET", path, nil)
	req.Header.Set("Accept", "text/html,application/xhtml+xml")
	resp, body := s.do(req)
	return resp, string(body)
}

// TestDebugPageForAnAppException: an exception that reaches gowsgi gets the
// debug page: the exception first, each frame with its source and locals
// (secrets masked), the chain, the request with its cookie masked.
func TestDebugPageForAnAppException(t *testing.T) {
	s := start(t, filepath.Join(testApps, "devloop"), "--python", venvPy, "--no-reload", "--wsgi", "plain.application")
	req := s.request("GET", "/?n=1", nil)
	req.Header.Set("Accept", "text/html")
	req.Header.Set("Cookie", "sessionid=s3cr3t-cookie")
	resp, raw := s.do(req)
	body := string(raw)
	if resp.StatusCode != 500 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	for _, want := range []string{
		"<h1>RuntimeError<span class=\"msg\">: could not read the quantity</span></h1>",
		"ValueError",
		"The above exception was the direct cause of the following exception:",
		"return int(text)",    // a frame's source line
		"&#39;forty-two&#39;", // a local variable's value
		"quantity_text",       // and its name
		"plain.py</span>:12",  // file:line of the app's frame
		`<td>secret_token</td><td class="masked">********</td>`, // masked
		"sessionid=s3cr3t-cookie",                               // ...not: see below
	} {
		if want == "sessionid=s3cr3t-cookie" {
			if strings.Contains(body, want) {
				t.Errorf("the cookie is shown unmasked")
			}
			continue
		}
		if !strings.Contains(body, want) {
			t.Errorf("the debug page lacks %q", want)
		}
	}
	if strings.Contains(body, "'abc123'") {
		t.Errorf("a secret local's value is shown")
	}
	if !strings.Contains(body, "Traceback (most recent call last):") {
		t.Errorf("no text traceback to copy")
	}
	// A client that does not ask for HTML gets the plain error, with the
	// traceback (loopback), not the page.
	code, plain := s.get("/")
	if code != 500 || strings.Contains(plain, "<html") || !strings.Contains(plain, "RuntimeError: could not read the quantity") {
		t.Errorf("plain client: %d %q", code, plain)
	}
}

// TestDebugPageReplacesTheFramework500: Flask and Django (DEBUG off) catch
// the exception, log it and answer their own bare 500; the developer's
// browser gets the debug page for the logged exception instead.
func TestDebugPageReplacesTheFramework500(t *testing.T) {
	t.Run("flask", func(t *testing.T) {
		s := start(t, filepath.Join(testApps, "devloop"), "--python", venvPy, "--no-reload", "--wsgi", "app.app")
		resp, body := s.getHTML("/order/7")
		if resp.StatusCode != 500 || !strings.Contains(body, "<h1>KeyError<span class=\"msg\">: 7</span></h1>") ||
			!strings.Contains(body, "&#39;Ada Lovelace&#39;") || !strings.Contains(body, `<td>api_password</td><td class="masked">`) {
			t.Errorf("GET /order/7 = %d, not the debug page:\n%s", resp.StatusCode, body)
		}
		if !strings.Contains(body, "/flask/app.py") || !regexp.MustCompile(`<details class="frame lib">`).MatchString(body) {
			t.Errorf("library frames are not there, folded")
		}
		// An API client keeps Flask's own answer.
		if code, plain := s.get("/order/7"); code != 500 || !strings.Contains(plain, "Internal Server Error") || strings.Contains(plain, "KeyError") {
			t.Errorf("non-HTML client: %d %q", code, plain)
		}
	})
	t.Run("django", func(t *testing.T) {
		s := start(t, filepath.Join(testApps, "djangoproj"), "--python", venvPy, "--no-reload", "--wsgi", "mysite.wsgi.application")
		resp, body := s.getHTML("/boom/")
		if resp.StatusCode != 500 || !strings.Contains(body, "KeyError") || !strings.Contains(body, "{&#39;id&#39;: 42}") {
			t.Errorf("GET /boom/ = %d, not the debug page:\n%.2000s", resp.StatusCode, body)
		}
	})
	t.Run("off", func(t *testing.T) {
		s := start(t, filepath.Join(testApps, "devloop"), "--python", venvPy, "--no-reload", "--wsgi", "app.app", "--no-debug-pages")
		if resp, body := s.getHTML("/order/7"); resp.StatusCode != 500 || strings.Contains(body, "KeyError") {
			t.Errorf("--no-debug-pages: %d %q", resp.StatusCode, body)
		}
	})
	t.Run("not off loopback", func(t *testing.T) {
		// Listening on every interface: tracebacks, and so debug pages, are
		// not shown (the request still comes from 127.0.0.1).
		s := start(t, filepath.Join(testApps, "devloop"), "--python", venvPy, "--no-reload", "--wsgi", "app.app",
			"--listen", "tcp:0:interface=0.0.0.0")
		if resp, body := s.getHTML("/order/7"); resp.StatusCode != 500 || strings.Contains(body, "KeyError") || strings.Contains(body, "Ada") {
			t.Errorf("off loopback: %d %q", resp.StatusCode, body)
		}
	})
}

// TestLiveReloadScriptAndEvents: HTML pages carry the script (with a right
// Content-Length); other answers do not; the event stream says "reload"
// after a reload and "css" when a stylesheet under a static mount changes.
func TestLiveReloadScriptAndEvents(t *testing.T) {
	dir := copyDir(t, filepath.Join(testApps, "devloop"))
	s := start(t, dir, "--python", venvPy, "--wsgi", "app.app", "--static", "/static=static")
	resp, body := s.getHTML("/")
	tag := `<script src="/__gowsgi/live.js"></script></body>`
	if !strings.Contains(body, tag) || resp.ContentLength != int64(len(body)) {
		t.Fatalf("GET / (Content-Length %d, %d bytes):\n%s", resp.ContentLength, len(body), body)
	}
	if code, css := s.get("/static/site.css"); code != 200 || strings.Contains(css, "script") {
		t.Errorf("a stylesheet got the script: %q", css)
	}
	if code, js := s.get("/__gowsgi/live.js"); code != 200 || !strings.Contains(js, "EventSource") {
		t.Errorf("live.js: %d %q", code, js)
	}
	// The debug page carries it too, so a fixed error reloads by itself.
	if _, page := s.getHTML("/order/7"); !strings.Contains(page, `src="/__gowsgi/live.js"`) {
		t.Errorf("the debug page has no live-reload script")
	}

	events := openEvents(t, s.URL)
	write(t, filepath.Join(dir, "static", "site.css"), "h1 { color: red; }\n")
	if ev := events.next(t); ev != "css /static/site.css" {
		t.Errorf("after a stylesheet change: %q, want css /static/site.css", ev)
	}
	write(t, filepath.Join(dir, "templates", "index.html"), "<html><body><h1>second</h1></body></html>\n")
	if ev := events.next(t); ev != "reload now" {
		t.Errorf("after a template change: %q, want reload", ev)
	}
	if _, page := s.getHTML("/"); !strings.Contains(page, "<h1>second</h1>"+tag[:len(tag)-len("</body>")]) {
		t.Errorf("after the reload: %q", page)
	}
	if strings.Contains(s.out.String(), "site.css changed") {
		t.Errorf("a stylesheet under a static mount reloaded the app:\n%s", s.out)
	}
}

// sse reads server-sent events.
type sse struct {
	r    *bufio.Reader
	conn net.Conn
}

func openEvents(t *testing.T, base string) *sse {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	fmt.Fprintf(conn, "GET /__gowsgi/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
	r := bufio.NewReader(conn)
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	status, _ := r.ReadString('\n')
	if !strings.Contains(status, "200") {
		t.Fatalf("events: %q", status)
	}
	for { // the headers
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if line == "\r\n" {
			break
		}
	}
	return &sse{r: r, conn: conn}
}

// next returns the next event as "name data", skipping comments.
func (e *sse) next(t *testing.T) string {
	t.Helper()
	e.conn.SetDeadline(time.Now().Add(10 * time.Second))
	var name, data string
	for {
		line, err := e.r.ReadString('\n')
		if err != nil {
			t.Fatalf("reading events: %v", err)
		}
		line = strings.TrimRight(line, "\r\n")
		// The stream is chunked: skip the chunk-size lines.
		if _, err := strconv.ParseUint(line, 16, 32); err == nil && line != "" {
			continue
		}
		switch {
		case strings.HasPrefix(line, "event: "):
			name = line[len("event: "):]
		case strings.HasPrefix(line, "data: "):
			data = line[len("data: "):]
		case line == "" && name != "":
			return name + " " + data
		}
	}
}

// TestMessagesThatSayWhatToDo: a misspelt attribute and module get a
// did-you-mean, an ASGI app given to --wsgi is named as one, a module the
// interpreter lacks names the interpreter that has it, a port in use names
// its holder.
func TestMessagesThatSayWhatToDo(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "hello.py"), versionApp("hi"))
	write(t, filepath.Join(dir, "api.py"), "from fastapi import FastAPI\napp = FastAPI()\n")
	write(t, filepath.Join(dir, "needs_flask.py"), "import flask\napplication = flask.Flask(__name__)\n")
	run := func(env []string, args ...string) string {
		out, _ := gowsgi(dir, env, append([]string{"-n", "web", "--no-reload", "--listen", "tcp:0"}, args...)...).CombinedOutput()
		return string(out)
	}
	if out := run(nil, "--python", venvPy, "--wsgi", "hello.aplication"); !strings.Contains(out, "hello has no attribute 'aplication'; did you mean 'application'?") {
		t.Errorf("misspelt attribute:\n%s", out)
	}
	if out := run(nil, "--python", venvPy, "--wsgi", "helo.application"); !strings.Contains(out, "no module named 'helo'") || !strings.Contains(out, "did you mean 'hello'?") {
		t.Errorf("misspelt module:\n%s", out)
	}
	if out := run(nil, "--python", venvPy, "--wsgi", "api.app"); !strings.Contains(out, "api.app is an ASGI app") {
		t.Errorf("an ASGI app given to --wsgi:\n%s", out)
	}
	// An interpreter without Flask: the hint names one that has it.
	bare := filepath.Join(t.TempDir(), "bare")
	if out, err := exec.Command("/usr/bin/python3", "-m", "venv", "--without-pip", bare).CombinedOutput(); err != nil {
		t.Fatalf("venv: %v\n%s", err, out)
	}
	bareHint := regexp.MustCompile(`(?s)` + regexp.QuoteMeta(filepath.Join(bare, "bin", "python")) + ` ran the app \(CPython [0-9.]+, found through --python\) and cannot import "flask"\.\s+(\S+) can import it: run gowsgi with --python (\S+)`)
	out := run(nil, "--python", filepath.Join(bare, "bin", "python"), "--wsgi", "needs_flask.application")
	if m := bareHint.FindStringSubmatch(out); m == nil {
		t.Errorf("no interpreter hint:\n%s", out)
	} else if probe := exec.Command(m[2], "-c", "import flask"); probe.Run() != nil {
		t.Errorf("the hint names %s, which cannot import flask either", m[2])
	}
	// gpython asked for a framework: it needs CPython, and says how to get it.
	if out := run(nil, "--engine", "gpython", "--wsgi", "needs_flask.application"); !strings.Contains(out, `"flask" needs CPython`) ||
		!strings.Contains(out, "--python PATH") {
		t.Errorf("gpython and flask:\n%s", out)
	}
	// A port in use: who holds it, and how to get a free one.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	out2, _ := gowsgi(dir, nil, "-n", "web", "--python", venvPy, "--listen", fmt.Sprintf("tcp:%d", port), "--wsgi", "hello.application").CombinedOutput()
	if want := fmt.Sprintf("port %d is already in use (by PID %d:", port, os.Getpid()); !strings.Contains(string(out2), want) || !strings.Contains(string(out2), "--listen tcp:0") {
		t.Errorf("port in use: %s\nwant %q", out2, want)
	}
}

// TestReloadSaysWhatDoesNotCompile: a save that breaks a module the app
// imports only later (a Django views.py) does not read as a plain success.
func TestReloadSaysWhatDoesNotCompile(t *testing.T) {
	dir := copyDir(t, filepath.Join(testApps, "devloop"))
	s := start(t, dir, "--python", venvPy, "--wsgi", "lazy_app.application")
	if code, body := s.get("/"); code != 200 || body != "lazy view v1" {
		t.Fatalf("GET / = %d %q", code, body)
	}
	write(t, filepath.Join(dir, "lazy_view.py"), "def render(:\n    return 'broken'\n")
	s.waitLog(`gowsgi: \d\d:\d\d:\d\d reloaded \(lazy_view\.py changed\) in \d+ ms; but a changed file does not compile: lazy_view\.py: .* \(line 1\)`, 10*time.Second)
}

// TestDeliveredResponsesAreNotClientGone: a client that reads a whole page
// and closes the connection at once did not go away early.
func TestDeliveredResponsesAreNotClientGone(t *testing.T) {
	s := start(t, filepath.Join(testApps, "devloop"), "--python", venvPy, "--no-reload", "--wsgi", "app.app")
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
	for range 60 {
		resp, err := client.Get(s.URL + "/")
		if err != nil {
			t.Fatal(err)
		}
		io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	time.Sleep(200 * time.Millisecond) // the last access lines
	if n := strings.Count(s.out.String(), "client went away"); n > 0 {
		t.Errorf("%d of 60 delivered responses logged as \"client went away\":\n%s", n, s.out)
	}
}

// TestBannerForPeopleAndLogs: the watch line fits, reload lines carry the
// time, and "Press Ctrl+C" is not written where no person reads it.
func TestBannerForPeopleAndLogs(t *testing.T) {
	dir := appDir(t)
	s := start(t, dir, "--python", venvPy, "--wsgi", "app.application")
	out := s.out.String()
	if strings.Contains(out, "Press Ctrl+C") {
		t.Errorf("the Ctrl+C hint went to a pipe:\n%s", out)
	}
	if strings.Contains(out, "*.py") || strings.Contains(out, "*.css") {
		t.Errorf("the banner lists the default globs:\n%s", out)
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "  ") && !strings.Contains(line, "/") && len(line) > 80 {
			t.Errorf("a banner line is wider than 80 columns: %q", line)
		}
	}
	write(t, filepath.Join(dir, "app.py"), versionApp("v2"))
	s.waitLog(`gowsgi: \d\d:\d\d:\d\d reloaded \(app\.py changed\)`, 10*time.Second)
}
