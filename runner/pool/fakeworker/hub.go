package fakeworker

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gowsgi/gowsgi/runner/engine"
)

// Guard bounds every wait of a Hub: it only turns a hang into a failure, and
// is never what a test measures.
const Guard = 10 * time.Second

// Hub is the test's side of the fake workers: it starts them (Engine), hears
// what they do (State, WaitFor) and releases their blocked requests.
type Hub struct {
	dir  string
	sock string
	ln   net.Listener

	mu       sync.Mutex
	changed  chan struct{} // closed and replaced on every event
	st       State
	conns    map[int]net.Conn // by worker pid
	released map[string]bool  // ids Release was called for
	all      []net.Conn
}

// State is everything the workers have reported. It is only valid inside
// a WaitFor condition, or as returned by Hub.State (a copy).
type State struct {
	Events  []Event          // in the order they arrived
	Blocked map[string]Event // /block requests blocked now, by id
	PIDs    []int            // every worker process that said hello
}

// Count counts the events of kind for which match (nil: all) holds.
func (s *State) Count(kind string, match func(Event) bool) int {
	n := 0
	for _, e := range s.Events {
		if e.Kind == kind && (match == nil || match(e)) {
			n++
		}
	}
	return n
}

// Find returns the last event of kind for which match (nil: any) holds.
func (s *State) Find(kind string, match func(Event) bool) (Event, bool) {
	for i := len(s.Events) - 1; i >= 0; i-- {
		if e := s.Events[i]; e.Kind == kind && (match == nil || match(e)) {
			return e, true
		}
	}
	return Event{}, false
}

// New starts a hub; tb's cleanup closes it, which makes any worker still
// running exit.
func New(tb testing.TB) *Hub {
	tb.Helper()
	// Not tb.TempDir: a unix socket path must stay short.
	dir, err := os.MkdirTemp("", "fakeworker")
	if err != nil {
		tb.Fatal(err)
	}
	h := &Hub{
		dir:      dir,
		sock:     filepath.Join(dir, "hub.sock"),
		changed:  make(chan struct{}),
		st:       State{Blocked: map[string]Event{}},
		conns:    map[int]net.Conn{},
		released: map[string]bool{},
	}
	h.ln, err = net.Listen("unix", h.sock)
	if err != nil {
		os.RemoveAll(dir)
		tb.Fatal(err)
	}
	go h.accept()
	tb.Cleanup(func() {
		h.ln.Close()
		h.mu.Lock()
		for _, c := range h.all {
			c.Close()
		}
		h.mu.Unlock()
		os.RemoveAll(dir)
	})
	return h
}

func (h *Hub) accept() {
	for {
		c, err := h.ln.Accept()
		if err != nil {
			return
		}
		h.mu.Lock()
		h.all = append(h.all, c)
		h.mu.Unlock()
		go h.read(c)
	}
}

func (h *Hub) read(c net.Conn) {
	s := bufio.NewScanner(c)
	for s.Scan() {
		var e Event
		if json.Unmarshal(s.Bytes(), &e) != nil {
			continue
		}
		h.mu.Lock()
		h.st.Events = append(h.st.Events, e)
		switch e.Kind {
		case EvHello:
			h.conns[e.PID] = c
			h.st.PIDs = append(h.st.PIDs, e.PID)
		case EvBlocked:
			h.st.Blocked[e.ID] = e
			if h.released[e.ID] {
				fmt.Fprintf(c, "release %s\n", e.ID)
			}
		case EvUnblocked:
			delete(h.st.Blocked, e.ID)
		}
		close(h.changed)
		h.changed = make(chan struct{})
		h.mu.Unlock()
	}
}

// Engine starts fake workers: the test binary itself, which becomes one in
// Main.
func (h *Hub) Engine() engine.Engine { return fakeEngine{h} }

type fakeEngine struct{ h *Hub }

func (fakeEngine) Name() string     { return "fake" }
func (fakeEngine) Describe() string { return "fake worker (the test binary)" }

func (e fakeEngine) Command() (*exec.Cmd, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe, "-test.run=^$")
	// Under -race a process sleeps a second on its way out (atexit_sleep_ms),
	// and the pool waits for its workers to end.
	race := strings.TrimSpace(os.Getenv("GORACE") + " atexit_sleep_ms=0")
	cmd.Env = append(os.Environ(), envHub+"="+e.h.sock, "GORACE="+race)
	return cmd, nil
}

// FailImport makes the workers that import from now on answer with Failed
// and traceback; "" makes imports succeed again.
func (h *Hub) FailImport(traceback string) error {
	p := filepath.Join(h.dir, importFailFile)
	if traceback == "" {
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
			return err
		}
		return nil
	}
	// Written whole, then renamed: a worker reads it either complete or not at all.
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, []byte(traceback), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, p)
}

// HangImport makes the workers that import from now on hang in the
// import (on), or import at once again (off).
func (h *Hub) HangImport(on bool) error {
	p := filepath.Join(h.dir, importHangFile)
	if !on {
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
			return err
		}
		return nil
	}
	return os.WriteFile(p, nil, 0o644)
}

// Release lets the /block request with this id answer, now or as soon as it
// blocks.
func (h *Hub) Release(ids ...string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, id := range ids {
		if h.released[id] {
			continue
		}
		h.released[id] = true
		if e, ok := h.st.Blocked[id]; ok {
			fmt.Fprintf(h.conns[e.PID], "release %s\n", id)
		}
	}
}

// State returns a copy of what the workers have reported so far.
func (h *Hub) State() State {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := State{Events: append([]Event(nil), h.st.Events...), PIDs: append([]int(nil), h.st.PIDs...), Blocked: map[string]Event{}}
	for k, v := range h.st.Blocked {
		s.Blocked[k] = v
	}
	return s
}

// Await waits until cond holds (it is called under the hub's lock, after
// every event), at most timeout. It reports whether cond held.
func (h *Hub) Await(timeout time.Duration, cond func(*State) bool) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		h.mu.Lock()
		ok := cond(&h.st)
		changed := h.changed
		h.mu.Unlock()
		if ok {
			return true
		}
		select {
		case <-changed:
		case <-deadline.C:
			return false
		}
	}
}

// WaitFor waits until cond holds, failing tb (with what, and what the
// workers did) after Guard.
func (h *Hub) WaitFor(tb testing.TB, what string, cond func(*State) bool) {
	tb.Helper()
	if !h.Await(Guard, cond) {
		tb.Fatalf("waited %s for %s; the fake workers reported:\n%s", Guard, what, h.Dump())
	}
}

// Dump describes the reported events and the requests blocked now, for
// failure messages.
func (h *Hub) Dump() string {
	s := h.State()
	var b strings.Builder
	const most = 80
	evs := s.Events
	if len(evs) > most {
		fmt.Fprintf(&b, "  (%d earlier events)\n", len(evs)-most)
		evs = evs[len(evs)-most:]
	}
	for _, e := range evs {
		fmt.Fprintf(&b, "  %-9s pid %d", e.Kind, e.PID)
		if e.Lane != 0 {
			fmt.Fprintf(&b, " lane %d", e.Lane)
		}
		if e.Path != "" {
			fmt.Fprintf(&b, " %s", e.Path)
		}
		if e.ID != "" {
			fmt.Fprintf(&b, " id=%s", e.ID)
		}
		if e.How != "" {
			fmt.Fprintf(&b, " (%s)", e.How)
		}
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "  blocked now: %d\n", len(s.Blocked))
	return b.String()
}
