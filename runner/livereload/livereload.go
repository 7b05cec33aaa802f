// Package livereload makes open pages follow the code: HTML responses in
// development carry a small script that listens to gowsgi's own event stream
// (server-sent events under /__gowsgi/), and reloads the page after every
// successful reload of an app, or swaps a stylesheet that changed.
package livereload

import (
	_ "embed"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Prefix is the URL path gowsgi reserves for itself in development.
const Prefix = "/__gowsgi/"

// ScriptPath is the script HTML pages are given.
const ScriptPath = Prefix + "live.js"

// Tag is what goes into an HTML page, before </body>.
const Tag = `<script src="` + ScriptPath + `"></script>`

//go:embed live.js
var script []byte

// Hub sends events to every open page.
type Hub struct {
	mu     sync.Mutex
	subs   map[chan string]bool
	closed chan struct{}
	once   sync.Once
}

// New makes a hub with no page listening.
func New() *Hub { return &Hub{subs: map[chan string]bool{}, closed: make(chan struct{})} }

// Close ends every event stream, so that a graceful shutdown does not wait
// for open pages (the pages reconnect, and reload, when gowsgi is back).
func (h *Hub) Close() { h.once.Do(func() { close(h.closed) }) }

// Reload tells every page to reload itself.
func (h *Hub) Reload() { h.publish("event: reload\ndata: now\n\n") }

// Stylesheet tells every page to fetch the stylesheet at URL path again.
func (h *Hub) Stylesheet(path string) {
	h.publish("event: css\ndata: " + strings.ReplaceAll(path, "\n", "") + "\n\n")
}

func (h *Hub) publish(msg string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs {
		select {
		case ch <- msg:
		default: // a page that does not keep up misses an event, never blocks the rest
		}
	}
}

// Listeners is how many pages are listening.
func (h *Hub) Listeners() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}

// ServeHTTP serves the script and the event stream.
func (h *Hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case ScriptPath:
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Write(script)
	case Prefix + "events":
		h.events(w, r)
	default:
		http.NotFound(w, r)
	}
}

// events is one page's stream: a comment every 15 s keeps proxies and the
// browser from giving up on an idle connection.
func (h *Hub) events(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 500\n: gowsgi live reload\n\n")
	if rc.Flush() != nil {
		return
	}
	ch := make(chan string, 8)
	h.mu.Lock()
	h.subs[ch] = true
	h.mu.Unlock()
	defer func() {
		h.mu.Lock()
		delete(h.subs, ch)
		h.mu.Unlock()
	}()
	tick := time.NewTicker(15 * time.Second)
	defer tick.Stop()
	for {
		var msg string
		select {
		case <-r.Context().Done():
			return
		case <-h.closed:
			return
		case msg = <-ch:
		case <-tick.C:
			msg = ": ping\n\n"
		}
		rc.SetWriteDeadline(time.Now().Add(10 * time.Second))
		if _, err := fmt.Fprint(w, msg); err != nil || rc.Flush() != nil {
			return
		}
	}
}

// Inject puts the script tag before the last </body> of an HTML page and
// returns the new page. A fragment without </body> (a partial that htmx or
// a script swaps into a page) is returned as it is.
func Inject(page []byte) []byte {
	i := lastIndexFold(page, "</body>")
	if i < 0 {
		return page
	}
	out := make([]byte, 0, len(page)+len(Tag))
	out = append(out, page[:i]...)
	out = append(out, Tag...)
	return append(out, page[i:]...)
}

func lastIndexFold(b []byte, sub string) int {
	for i := len(b) - len(sub); i >= 0; i-- {
		if strings.EqualFold(string(b[i:i+len(sub)]), sub) {
			return i
		}
	}
	return -1
}
