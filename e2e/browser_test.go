package e2e

// A small DevTools-protocol client, so that end-to-end tests can look at a
// page the way a person would: in a real (headless) Chromium that runs the
// page's JavaScript and applies its CSS.
//
// No WebSocket: Chromium is started with --remote-debugging-pipe and reads
// commands from its file descriptor 3 and writes responses and events to its
// file descriptor 4, each message one JSON object followed by a NUL byte.
// A reader goroutine hands each response (a message with an "id") to the
// caller waiting for it, and records each event (a "method" without an "id")
// on the page whose session it names (flat sessions: Target.attachToTarget
// with flatten:true, then every command carries the sessionId).

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// cdpTimeout is how long one command may take before the test fails.
const cdpTimeout = 10 * time.Second

// browser is one headless Chromium, ended at test cleanup: Browser.close,
// then SIGKILL by PID to whatever of it is still running, until nothing is.
type browser struct {
	t      *testing.T
	cmd    *exec.Cmd
	pid    int           // also the process group of Chromium and its helpers
	home   string        // its HOME, a temporary directory; the profile is in it
	log    string        // its stdout and stderr
	exited chan struct{} // closed when cmd.Wait returns

	wmu sync.Mutex // one message at a time on the pipe
	w   *os.File   // Chromium's fd 3

	mu      sync.Mutex
	nextID  int64
	pending map[int64]chan cdpMessage
	pages   map[string]*page // by sessionId
	readErr error            // why the reader stopped, after readDone
	// readDone is closed when the reader stops: Chromium closed fd 4.
	readDone chan struct{}
}

// cdpMessage is any message on the pipe: a command we send, a response
// (ID set, Result or Error) or an event (Method and Params, no ID).
type cdpMessage struct {
	ID        int64           `json:"id,omitempty"`
	SessionID string          `json:"sessionId,omitempty"`
	Method    string          `json:"method,omitempty"`
	Params    json.RawMessage `json:"params,omitempty"`
	Result    json.RawMessage `json:"result,omitempty"`
	Error     *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Data    string `json:"data"`
	} `json:"error,omitempty"`
}

// startBrowser starts a headless Chromium for this test. A missing Chromium
// fails the test: the browser tests are part of the suite.
func startBrowser(t *testing.T) *browser {
	t.Helper()
	exe, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("no chromium on PATH: install chromium (apt-get install chromium)")
	}
	// Commands go to Chromium's fd 3, answers come from its fd 4.
	cmdR, cmdW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	b := &browser{
		t:        t,
		home:     home,
		log:      filepath.Join(home, "chromium.log"),
		exited:   make(chan struct{}),
		w:        cmdW,
		pending:  map[int64]chan cdpMessage{},
		pages:    map[string]*page{},
		readDone: make(chan struct{}),
	}
	b.cmd = exec.Command(exe,
		"--headless",
		// The sandbox cannot start as root (and often not in containers);
		// the browser only ever loads the test's own pages.
		"--no-sandbox",
		"--disable-gpu",
		// The machine may have no network: keep Chromium from reaching out.
		"--disable-quic",
		"--no-first-run",
		"--no-default-browser-check",
		"--disable-background-networking",
		"--disable-component-update",
		"--disable-sync",
		"--disable-default-apps",
		// Even so it looks up accounts.google.com and clients2.google.com
		// at start: no name resolves, but for the test servers'.
		"--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
		"--mute-audio",
		"--hide-scrollbars",
		"--window-size=1280,800",
		"--user-data-dir="+filepath.Join(home, "profile"),
		"--remote-debugging-pipe",
		"about:blank",
	)
	b.cmd.ExtraFiles = []*os.File{cmdR, outW} // fd 3, fd 4
	// Its own home: Chromium's crash handler keeps its database in
	// ~/.config/chromium whatever --user-data-dir says, and NSS's is ~/.pki.
	b.cmd.Env = []string{"HOME=" + home}
	for _, kv := range cleanEnv() {
		if !strings.HasPrefix(kv, "HOME=") && !strings.HasPrefix(kv, "XDG_") {
			b.cmd.Env = append(b.cmd.Env, kv)
		}
	}
	// A file, not a pipe: helpers that outlive Chromium (its crash handler)
	// would hold a pipe open, and Wait would wait for them.
	logFile, err := os.Create(b.log)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	b.cmd.Stdout = logFile
	b.cmd.Stderr = logFile
	// Its own process group, so that its helpers (zygote, renderers, GPU
	// and network services) are found and ended with it.
	b.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := b.cmd.Start(); err != nil {
		cmdR.Close()
		cmdW.Close()
		outR.Close()
		outW.Close()
		t.Fatalf("starting %s: %v", exe, err)
	}
	cmdR.Close() // Chromium's ends
	outW.Close()
	b.pid = b.cmd.Process.Pid
	go func() {
		b.cmd.Wait()
		close(b.exited)
	}()
	go b.read(outR)
	t.Cleanup(b.close)

	var v struct {
		Product string `json:"product"`
	}
	// The first answer waits for Chromium to start, which takes longer on
	// a busy machine.
	if err := b.sendWithin(3*cdpTimeout, "", "Browser.getVersion", nil, &v); err != nil {
		t.Fatalf("chromium: %v", err)
	}
	t.Logf("browser: %s (pid %d)", v.Product, b.pid)
	return b
}

// read dispatches what Chromium writes: responses to their callers, events
// to their pages. It stops when Chromium closes the pipe.
func (b *browser) read(r *os.File) {
	defer r.Close()
	br := bufio.NewReaderSize(r, 1<<20)
	var err error
	for {
		var raw []byte
		raw, err = br.ReadBytes(0)
		if err != nil {
			break
		}
		var m cdpMessage
		if err = json.Unmarshal(raw[:len(raw)-1], &m); err != nil {
			err = fmt.Errorf("a message that is not JSON: %v: %.200q", err, raw)
			break
		}
		b.mu.Lock()
		if m.ID != 0 {
			if ch := b.pending[m.ID]; ch != nil {
				delete(b.pending, m.ID)
				ch <- m // buffered
			}
		} else if p := b.pages[m.SessionID]; p != nil && m.Method != "" {
			p.record(m)
		}
		b.mu.Unlock()
	}
	if err == io.EOF {
		err = fmt.Errorf("chromium closed the DevTools pipe")
	}
	b.mu.Lock()
	b.readErr = err
	b.mu.Unlock()
	close(b.readDone)
}

// send sends a command and waits for its answer up to cdpTimeout; the result
// is decoded into result unless that is nil. It does not touch the test, so
// it is usable where failing is not wanted (polling, cleanup).
func (b *browser) send(sessionID, method string, params, result any) error {
	return b.sendWithin(cdpTimeout, sessionID, method, params, result)
}

func (b *browser) sendWithin(timeout time.Duration, sessionID, method string, params, result any) error {
	ch := make(chan cdpMessage, 1)
	b.mu.Lock()
	b.nextID++
	id := b.nextID
	b.pending[id] = ch
	b.mu.Unlock()
	forget := func() {
		b.mu.Lock()
		delete(b.pending, id)
		b.mu.Unlock()
	}

	msg := cdpMessage{ID: id, SessionID: sessionID, Method: method}
	if params != nil {
		p, err := json.Marshal(params)
		if err != nil {
			forget()
			return fmt.Errorf("%s: %v", method, err)
		}
		msg.Params = p
	}
	data, err := json.Marshal(msg)
	if err != nil {
		forget()
		return fmt.Errorf("%s: %v", method, err)
	}
	b.wmu.Lock()
	_, err = b.w.Write(append(data, 0))
	b.wmu.Unlock()
	if err != nil {
		forget()
		return fmt.Errorf("%s: writing to chromium: %v", method, err)
	}

	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case m := <-ch:
		if m.Error != nil {
			return fmt.Errorf("%s: %s (%d) %s", method, m.Error.Message, m.Error.Code, m.Error.Data)
		}
		if result != nil {
			if err := json.Unmarshal(m.Result, result); err != nil {
				return fmt.Errorf("%s: decoding %s: %v", method, m.Result, err)
			}
		}
		return nil
	case <-b.readDone:
		forget()
		b.mu.Lock()
		defer b.mu.Unlock()
		return fmt.Errorf("%s: no answer: %v", method, b.readErr)
	case <-timer.C:
		forget()
		return fmt.Errorf("%s: no answer from chromium within %s", method, timeout)
	}
}

// call is send that fails the test.
func (b *browser) call(sessionID, method string, params, result any) {
	b.t.Helper()
	if err := b.send(sessionID, method, params, result); err != nil {
		b.t.Fatalf("chromium: %v", err)
	}
}

// close ends Chromium: Browser.close, then SIGKILL by PID to whatever of it
// is still there, until nothing is.
func (b *browser) close() {
	t := b.t
	select {
	case <-b.exited:
		t.Errorf("chromium exited during the test: %v", b.cmd.ProcessState)
	default:
		b.mu.Lock()
		for sid, p := range b.pages {
			p.logConsoleIfFailed()
			delete(b.pages, sid)
		}
		b.mu.Unlock()
		// The answer may not come: Chromium can close the pipe first.
		b.send("", "Browser.close", nil, nil)
		select {
		case <-b.exited:
		case <-time.After(10 * time.Second):
			t.Errorf("chromium did not exit within 10s of Browser.close; killing it")
			syscall.Kill(b.pid, syscall.SIGKILL)
			<-b.exited
		}
	}
	b.w.Close()
	if err := syscall.Kill(b.pid, 0); err != syscall.ESRCH {
		t.Errorf("chromium (pid %d) is still there after it exited: kill(0) = %v", b.pid, err)
	}
	// Its helpers, most of which end with it; the crash handler lingers a
	// moment. Both would be left running by a crash or a kill.
	deadline := time.Now().Add(10 * time.Second)
	for {
		left := b.leftovers()
		if len(left) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("chromium's processes still running 10s after it exited:\n%s", strings.Join(left, "\n"))
			break
		}
		for _, ps := range left {
			pid, _ := strconv.Atoi(strings.Fields(ps)[0])
			syscall.Kill(pid, syscall.SIGKILL)
		}
		time.Sleep(50 * time.Millisecond)
	}
	select {
	case <-b.readDone:
	case <-time.After(10 * time.Second):
		t.Errorf("the DevTools pipe is still open 10s after chromium exited")
	}
	if t.Failed() {
		t.Logf("chromium output:\n%s", b.output())
	}
}

// output is what Chromium wrote, without its complaints that there is no
// D-Bus (there are dozens, and no D-Bus is needed).
func (b *browser) output() string {
	out, err := os.ReadFile(b.log)
	if err != nil {
		return err.Error()
	}
	var lines []string
	dbus := 0
	for _, l := range strings.SplitAfter(string(out), "\n") {
		if strings.Contains(l, ":ERROR:dbus/") {
			dbus++
			continue
		}
		lines = append(lines, l)
	}
	if dbus > 0 {
		lines = append(lines, fmt.Sprintf("(and %d lines about D-Bus, left out)\n", dbus))
	}
	return strings.Join(lines, "")
}

// leftovers lists the live processes of this browser ("PID (COMM)"): those
// in its process group (zygotes, renderers, GPU and utility processes), and
// those whose command line names its home (the crash handler, which has a
// session of its own). Zombies do not count: this machine's init reaps
// orphans only now and then.
func (b *browser) leftovers() []string {
	home := []byte(b.home)
	dirs, _ := os.ReadDir("/proc")
	var left []string
	for _, d := range dirs {
		if _, err := strconv.Atoi(d.Name()); err != nil {
			continue
		}
		dir := filepath.Join("/proc", d.Name())
		stat, err := os.ReadFile(filepath.Join(dir, "stat"))
		if err != nil {
			continue // gone meanwhile
		}
		// pid (comm) state ppid pgrp ...; comm may hold spaces and parentheses.
		i := bytes.LastIndexByte(stat, ')')
		j := bytes.IndexByte(stat, ' ')
		if i < 0 || j < 0 || j > i {
			continue
		}
		f := strings.Fields(string(stat[i+1:]))
		if len(f) < 3 || f[0] == "Z" || f[0] == "X" {
			continue
		}
		if f[2] != strconv.Itoa(b.pid) {
			cmdline, _ := os.ReadFile(filepath.Join(dir, "cmdline"))
			if !bytes.Contains(cmdline, home) {
				continue
			}
		}
		left = append(left, string(stat[:i+1]))
	}
	return left
}

// page is one tab, attached with its own flat session.
type page struct {
	b         *browser
	t         *testing.T
	targetID  string
	sessionID string

	mu      sync.Mutex
	events  []cdpMessage    // every event of the session, in order
	changed chan struct{}   // closed and replaced at each event
	own     map[string]bool // loader ids of the navigations the test asked for
	start   int             // index in events of open's main-frame navigation, -1 before
}

// record appends an event; the reader calls it with b.mu held.
func (p *page) record(m cdpMessage) {
	p.mu.Lock()
	p.events = append(p.events, m)
	close(p.changed)
	p.changed = make(chan struct{})
	p.mu.Unlock()
}

// open opens url in a new tab and waits for its load event.
func (b *browser) open(url string) *page {
	b.t.Helper()
	p := &page{b: b, t: b.t, changed: make(chan struct{}), own: map[string]bool{}, start: -1}
	var created struct {
		TargetID string `json:"targetId"`
	}
	b.call("", "Target.createTarget", map[string]any{"url": "about:blank"}, &created)
	p.targetID = created.TargetID
	var attached struct {
		SessionID string `json:"sessionId"`
	}
	b.call("", "Target.attachToTarget", map[string]any{"targetId": p.targetID, "flatten": true}, &attached)
	p.sessionID = attached.SessionID
	b.mu.Lock()
	b.pages[p.sessionID] = p
	b.mu.Unlock()
	p.call("Page.enable", nil, nil)
	p.call("Runtime.enable", nil, nil)
	loader := p.navigate(url)
	p.mu.Lock()
	p.start = p.committed(loader)
	p.mu.Unlock()
	return p
}

func (p *page) call(method string, params, result any) {
	p.t.Helper()
	if err := p.b.send(p.sessionID, method, params, result); err != nil {
		p.t.Fatalf("chromium: %v", err)
	}
}

// frameEvent is the part of Page.frameNavigated's params used here.
type frameEvent struct {
	Frame struct {
		ParentID string `json:"parentId"`
		LoaderID string `json:"loaderId"`
	} `json:"frame"`
}

// mainFrameNavigated decodes a main-frame Page.frameNavigated event.
func mainFrameNavigated(m cdpMessage) (frameEvent, bool) {
	var f frameEvent
	if m.Method != "Page.frameNavigated" || json.Unmarshal(m.Params, &f) != nil || f.Frame.ParentID != "" {
		return f, false
	}
	return f, true
}

// committed is the index in p.events of the main frame's commit of loader,
// or -1. p.mu is held.
func (p *page) committed(loader string) int {
	for i, m := range p.events {
		if f, ok := mainFrameNavigated(m); ok && f.Frame.LoaderID == loader {
			return i
		}
	}
	return -1
}

// waitEvents waits until cond (called with p.mu held) is true, up to timeout.
func (p *page) waitEvents(timeout time.Duration, cond func() bool) bool {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		p.mu.Lock()
		ok := cond()
		ch := p.changed
		p.mu.Unlock()
		if ok {
			return true
		}
		select {
		case <-ch:
		case <-p.b.readDone:
			return false
		case <-timer.C:
			return false
		}
	}
}

// navigate loads url in the page and waits for its load event. It returns
// the navigation's loader id.
func (p *page) navigate(url string) string {
	p.t.Helper()
	var nav struct {
		LoaderID  string `json:"loaderId"`
		ErrorText string `json:"errorText"`
	}
	p.call("Page.navigate", map[string]any{"url": url}, &nav)
	if nav.ErrorText != "" {
		p.t.Fatalf("navigating to %s: %s", url, nav.ErrorText)
	}
	if nav.LoaderID == "" {
		return "" // within the document (a #fragment): there is no load
	}
	p.mu.Lock()
	p.own[nav.LoaderID] = true
	p.mu.Unlock()
	// The load event that follows this navigation's commit.
	if !p.waitEvents(cdpTimeout, func() bool {
		i := p.committed(nav.LoaderID)
		if i < 0 {
			return false
		}
		for _, m := range p.events[i+1:] {
			if m.Method == "Page.loadEventFired" {
				return true
			}
		}
		return false
	}) {
		p.t.Fatalf("navigating to %s: no load event within %s", url, cdpTimeout)
	}
	return nav.LoaderID
}

// reloads counts the main-frame navigations since open that the test did not
// ask for (neither open nor navigate): the page reloading itself, or its
// script moving to another page.
func (p *page) reloads() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.reloadsLocked()
}

func (p *page) reloadsLocked() int {
	n := 0
	if p.start < 0 {
		return 0
	}
	for _, m := range p.events[p.start+1:] {
		if f, ok := mainFrameNavigated(m); ok && !p.own[f.Frame.LoaderID] {
			n++
		}
	}
	return n
}

// waitReloads waits until reloads() is at least n.
func (p *page) waitReloads(n int, timeout time.Duration) {
	p.t.Helper()
	if !p.waitEvents(timeout, func() bool { return p.reloadsLocked() >= n }) {
		p.t.Fatalf("the page reloaded itself %d times within %s, want %d", p.reloads(), timeout, n)
	}
}

// evaluate runs js in the page (awaiting a promise) and returns its value: a
// string as is, anything else JSON-encoded ("undefined" for undefined).
func (p *page) evaluate(js string) (string, error) {
	var r struct {
		Result struct {
			Type                string          `json:"type"`
			Subtype             string          `json:"subtype"`
			Value               json.RawMessage `json:"value"`
			UnserializableValue string          `json:"unserializableValue"`
			Description         string          `json:"description"`
		} `json:"result"`
		ExceptionDetails *struct {
			Text      string `json:"text"`
			Exception *struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	err := p.b.send(p.sessionID, "Runtime.evaluate", map[string]any{
		"expression":    js,
		"returnByValue": true,
		"awaitPromise":  true,
	}, &r)
	if err != nil {
		return "", err
	}
	if e := r.ExceptionDetails; e != nil {
		msg := e.Text
		if e.Exception != nil && e.Exception.Description != "" {
			msg = e.Exception.Description
		}
		return "", fmt.Errorf("%s: %s", js, msg)
	}
	switch {
	case r.Result.UnserializableValue != "": // NaN, Infinity, -0, 1n
		return r.Result.UnserializableValue, nil
	case r.Result.Type == "undefined":
		return "undefined", nil
	case r.Result.Subtype == "null":
		return "null", nil
	case len(r.Result.Value) == 0:
		return r.Result.Description, nil // not serializable by value
	}
	var s string
	if json.Unmarshal(r.Result.Value, &s) == nil {
		return s, nil
	}
	return string(r.Result.Value), nil
}

// eval is evaluate that fails the test on an error or a thrown exception.
func (p *page) eval(js string) string {
	p.t.Helper()
	s, err := p.evaluate(js)
	if err != nil {
		p.t.Fatalf("eval: %v", err)
	}
	return s
}

// waitText waits until the page's visible text contains substr. Errors while
// polling (the page between two documents) are retried.
func (p *page) waitText(substr string, timeout time.Duration) {
	p.t.Helper()
	deadline := time.Now().Add(timeout)
	var text string
	var err error
	for {
		text, err = p.evaluate(`document.body ? document.body.innerText : ""`)
		if err == nil && strings.Contains(text, substr) {
			return
		}
		if time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		p.t.Fatalf("the page never showed %q within %s; last error: %v", substr, timeout, err)
	}
	p.t.Fatalf("the page never showed %q within %s; its text:\n%s", substr, timeout, text)
}

// screenshot writes a PNG of the page's viewport to path.
func (p *page) screenshot(path string) {
	p.t.Helper()
	var r struct {
		Data string `json:"data"`
	}
	p.call("Page.captureScreenshot", map[string]any{"format": "png"}, &r)
	data, err := base64.StdEncoding.DecodeString(r.Data)
	if err != nil {
		p.t.Fatalf("Page.captureScreenshot: %v", err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		p.t.Fatal(err)
	}
}

// darkMode makes the page see prefers-color-scheme: dark (or light).
func (p *page) darkMode(on bool) {
	p.t.Helper()
	scheme := "light"
	if on {
		scheme = "dark"
	}
	p.call("Emulation.setEmulatedMedia", map[string]any{
		"features": []map[string]string{{"name": "prefers-color-scheme", "value": scheme}},
	}, nil)
}

// logConsoleIfFailed logs the page's console messages and uncaught
// exceptions when the test failed.
func (p *page) logConsoleIfFailed() {
	if !p.t.Failed() {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	var lines []string
	for _, m := range p.events {
		switch m.Method {
		case "Runtime.consoleAPICalled":
			var c struct {
				Type string `json:"type"`
				Args []struct {
					Value       json.RawMessage `json:"value"`
					Description string          `json:"description"`
				} `json:"args"`
			}
			json.Unmarshal(m.Params, &c)
			line := "console." + c.Type + ":"
			for _, a := range c.Args {
				if len(a.Value) > 0 {
					line += " " + string(a.Value)
				} else {
					line += " " + a.Description
				}
			}
			lines = append(lines, line)
		case "Runtime.exceptionThrown":
			var e struct {
				ExceptionDetails struct {
					Text      string `json:"text"`
					Exception struct {
						Description string `json:"description"`
					} `json:"exception"`
				} `json:"exceptionDetails"`
			}
			json.Unmarshal(m.Params, &e)
			lines = append(lines, "uncaught: "+e.ExceptionDetails.Text+" "+e.ExceptionDetails.Exception.Description)
		}
	}
	if len(lines) > 0 {
		p.t.Logf("the page's console:\n%s", strings.Join(lines, "\n"))
	}
}

func TestBrowserSmoke(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "app.py"), `PAGE = '''<!doctype html>
<html><head><meta charset="utf-8"><title>smoke</title>
<style>
  body { background: #ffffff; color: #111111; margin: 0; padding: 2em; }
  @media (prefers-color-scheme: dark) { body { background: #101010; color: #eeeeee; } }
</style></head>
<body><h1>Served by gowsgi</h1>
<p>script: <span id="s">not run</span></p>
<script>
  addEventListener('load', () => { document.getElementById('s').textContent = 'ran ' + (6 * 7); });
</script></body></html>
'''

def application(environ, start_response):
    path = environ['PATH_INFO']
    if path == '/':
        body = PAGE
    elif path == '/second':
        body = '<!doctype html><p>second page, query %s</p>' % environ.get('QUERY_STRING', '')
    else:
        start_response('404 Not Found', [('Content-Type', 'text/plain')])
        return [b'not found']
    start_response('200 OK', [('Content-Type', 'text/html; charset=utf-8')])
    return [body.encode('utf-8')]
`)
	s := start(t, dir, "--python", venvPy, "--wsgi", "app.application")
	// Started after gowsgi, so closed before it (cleanups run last first):
	// Chromium keeps a spare, preconnected socket open, and gowsgi's graceful
	// shutdown (http.Server.Shutdown) waits until such a socket, on which no
	// request ever came, is 5s old before it counts as idle.
	b := startBrowser(t)

	p := b.open(s.URL + "/")
	p.waitText("script: ran 42", 10*time.Second)
	if got := p.eval("document.title"); got != "smoke" {
		t.Errorf("title = %q", got)
	}
	if got := p.eval("1 + 1"); got != "2" {
		t.Errorf("eval(1 + 1) = %q, want JSON 2", got)
	}

	shots := t.TempDir()
	light := filepath.Join(shots, "light.png")
	p.screenshot(light)
	if got := pixel(t, light); got != [3]uint8{255, 255, 255} {
		t.Errorf("light mode: the page's corner is %v, want white", got)
	}

	p.darkMode(true)
	if got := p.eval(`matchMedia('(prefers-color-scheme: dark)').matches`); got != "true" {
		t.Fatalf("dark mode: matchMedia(dark).matches = %s", got)
	}
	if got := p.eval(`getComputedStyle(document.body).backgroundColor`); got != "rgb(16, 16, 16)" {
		t.Errorf("dark mode: body background = %s", got)
	}
	dark := filepath.Join(shots, "dark.png")
	p.screenshot(dark)
	if got := pixel(t, dark); got != [3]uint8{16, 16, 16} {
		t.Errorf("dark mode: the page's corner is %v, want #101010", got)
	}
	p.darkMode(false)
	if got := p.eval(`matchMedia('(prefers-color-scheme: dark)').matches`); got != "false" {
		t.Errorf("light mode again: matchMedia(dark).matches = %s", got)
	}

	if n := p.reloads(); n != 0 {
		t.Errorf("reloads() = %d before anything reloaded", n)
	}
	p.navigate(s.URL + "/second?x=1")
	p.waitText("second page, query x=1", 5*time.Second)
	if got := p.eval("location.pathname"); got != "/second" {
		t.Errorf("location.pathname = %q", got)
	}
	if n := p.reloads(); n != 0 {
		t.Errorf("reloads() = %d after navigate, which the test asked for", n)
	}
	// The page reloading by itself is counted.
	p.eval(`setTimeout(() => location.reload(), 10); "ok"`)
	p.waitReloads(1, 10*time.Second)
	p.waitText("second page, query x=1", 5*time.Second)
}

// pixel decodes the PNG at path and returns the colour of a pixel near its
// top-left corner.
func pixel(t *testing.T, path string) [3]uint8 {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")) {
		t.Fatalf("%s is not a PNG: %.16q", path, data)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if sz := img.Bounds().Size(); sz.X < 100 || sz.Y < 100 {
		t.Fatalf("%s is %v, want a viewport-sized image", path, sz)
	}
	r, g, b, _ := img.At(img.Bounds().Min.X+5, img.Bounds().Min.Y+5).RGBA()
	return [3]uint8{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8)}
}
