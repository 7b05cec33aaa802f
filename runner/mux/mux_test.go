package mux_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gowsgi/gowsgi/runner/mux"
	"github.com/gowsgi/gowsgi/runner/wire"
)

// These tests run a mux.Conn over a real unix socket pair, with the test
// as the worker on the other end: it reads and writes frames with
// runner/wire, as a worker does. They synchronise on frames, never on the
// clock; guard only turns a hang into a failure.

const guard = 10 * time.Second

// socketPair returns two connected unix stream sockets.
func socketPair(t *testing.T) (net.Conn, net.Conn) {
	t.Helper()
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	conn := func(fd int, name string) net.Conn {
		f := os.NewFile(uintptr(fd), name)
		defer f.Close()
		c, err := net.FileConn(f)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	a, b := conn(fds[0], "go"), conn(fds[1], "worker")
	t.Cleanup(func() { a.Close(); b.Close() })
	return a, b
}

// peer is the fake worker's end of the lane.
type peer struct {
	t *testing.T
	c net.Conn
	r *wire.Reader
	w *wire.Writer
}

func newConn(t *testing.T) (*mux.Conn, *peer) {
	t.Helper()
	a, b := socketPair(t)
	m := mux.New(a)
	t.Cleanup(func() { m.Close() })
	return m, &peer{t: t, c: b, r: wire.NewReader(b), w: wire.NewWriter(b)}
}

// next reads one frame: its type, stream id and the rest of the payload.
func (p *peer) next() (byte, uint32, []byte) {
	p.t.Helper()
	p.c.SetReadDeadline(time.Now().Add(guard))
	typ, payload, err := p.r.Next()
	if err != nil {
		p.t.Fatalf("the worker's read: %v", err)
	}
	if len(payload) < 4 {
		p.t.Fatalf("frame %q without a stream id: %q", typ, payload)
	}
	return typ, binary.BigEndian.Uint32(payload), append([]byte(nil), payload[4:]...)
}

// send writes one frame of stream id and flushes it.
func (p *peer) send(typ byte, id uint32, payload string) {
	p.t.Helper()
	b := binary.BigEndian.AppendUint32(nil, id)
	if err := p.w.Send(typ, append(b, payload...)); err != nil {
		p.t.Fatalf("the worker's write: %v", err)
	}
}

// open opens a stream and checks the frame that announces it.
func (p *peer) open(m *mux.Conn, typ byte, scope string) *mux.Stream {
	p.t.Helper()
	s, err := m.Open(typ, []byte(scope))
	if err != nil {
		p.t.Fatalf("Open: %v", err)
	}
	gotTyp, id, got := p.next()
	if gotTyp != typ || id != s.ID || string(got) != scope || s.Kind != typ {
		p.t.Fatalf("Open(%q, %q) sent %q for stream %d with %q (stream %d, kind %q)", typ, scope, gotTyp, id, got, s.ID, s.Kind)
	}
	return s
}

func next(t *testing.T, s *mux.Stream) mux.Frame {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	f, err := s.Next(ctx)
	if err != nil {
		t.Fatalf("stream %d: Next: %v", s.ID, err)
	}
	return f
}

func want(t *testing.T, s *mux.Stream, typ byte, payload string) {
	t.Helper()
	f := next(t, s)
	if f.Type != typ || string(f.Payload) != payload {
		t.Fatalf("stream %d: got %q %q, want %q %q", s.ID, f.Type, f.Payload, typ, payload)
	}
}

// empty checks that nothing is queued on s.
func empty(t *testing.T, s *mux.Stream) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if f, err := s.Next(ctx); err == nil {
		t.Fatalf("stream %d: got %q %q, want nothing", s.ID, f.Type, f.Payload)
	}
}

func TestStreamsGetTheirOwnFramesInOrder(t *testing.T) {
	m, p := newConn(t)
	a := p.open(m, 'h', "GET\x00http")
	b := p.open(m, 'w', "GET\x00ws")
	if a.ID == b.ID {
		t.Fatalf("two open streams share id %d", a.ID)
	}
	if m.Len() != 2 {
		t.Fatalf("Len = %d, want 2", m.Len())
	}
	// Interleaved, and several in one write.
	for i := range 3 {
		for _, s := range []*mux.Stream{a, b} {
			b := binary.BigEndian.AppendUint32(nil, s.ID)
			p.w.Write('D', fmt.Appendf(b, "%d-%d", s.ID, i))
		}
	}
	p.w.Flush()
	for _, s := range []*mux.Stream{b, a} {
		for i := range 3 {
			want(t, s, 'D', fmt.Sprintf("%d-%d", s.ID, i))
		}
		empty(t, s)
	}
	// The Go side's frames carry the stream's id.
	if err := a.Send('b', []byte{0}, []byte("body")); err != nil {
		t.Fatal(err)
	}
	if typ, id, got := p.next(); typ != 'b' || id != a.ID || string(got) != "\x00body" {
		t.Fatalf("Send sent %q for stream %d with %q", typ, id, got)
	}
}

func TestFramesOfUnknownOrClosedStreamsAreIgnored(t *testing.T) {
	m, p := newConn(t)
	a := p.open(m, 'h', "a")
	b := p.open(m, 'h', "b")
	a.Close()
	a.Close() // twice is harmless
	if m.Len() != 1 {
		t.Fatalf("Len = %d after closing one of two streams", m.Len())
	}
	p.send('D', a.ID, "to a closed stream")
	p.send('D', 4000, "to a stream never opened")
	p.send('E', a.ID, "")
	p.send('D', b.ID, "to b")
	// The lane is read in order, so once b has its frame, a's have been
	// read, and dropped.
	want(t, b, 'D', "to b")
	empty(t, a)
	empty(t, b)
	// The lane still works, and ids are not reused.
	c := p.open(m, 'h', "c")
	if c.ID == a.ID || c.ID == b.ID {
		t.Fatalf("a new stream got id %d (a %d, b %d)", c.ID, a.ID, b.ID)
	}
	p.send('E', c.ID, "")
	want(t, c, 'E', "")
}

func TestConcurrentWritersFramesArriveIntact(t *testing.T) {
	m, p := newConn(t)
	const writers, frames = 16, 100
	streams := make([]*mux.Stream, writers)
	for i := range streams {
		streams[i] = p.open(m, 'h', "")
	}
	// payload is frame i of stream id: its own bytes, of varying sizes
	// (some larger than the write buffer), made of parts.
	payload := func(id uint32, i int) [][]byte {
		head := binary.BigEndian.AppendUint32(nil, uint32(i))
		n := (i*997 + int(id)*131) % 2000
		if i%40 == 7 {
			n += 70 << 10
		}
		return [][]byte{head, bytes.Repeat([]byte{byte(id), byte(i)}, n)}
	}
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for _, s := range streams {
		wg.Go(func() {
			for i := range frames {
				if err := s.Send('D', payload(s.ID, i)...); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	seen := map[uint32]int{}
	for range writers * frames {
		typ, id, got := p.next()
		i := seen[id]
		seen[id]++
		if w := bytes.Join(payload(id, i), nil); typ != 'D' || !bytes.Equal(got, w) {
			t.Fatalf("frame %d of stream %d: %q of %d bytes, want 'D' of %d bytes", i, id, typ, len(got), len(w))
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for _, s := range streams {
		if seen[s.ID] != frames {
			t.Errorf("stream %d: %d frames arrived, want %d", s.ID, seen[s.ID], frames)
		}
	}
}

func TestDetach(t *testing.T) {
	m, p := newConn(t)
	idle := make(chan struct{}, 10)
	m.OnIdle(func() { idle <- struct{}{} })
	a := p.open(m, 'h', "a")
	marker := p.open(m, 'h', "marker")
	p.send('D', a.ID, "\x01queued 1")
	p.send('D', a.ID, "\x01queued 2")
	p.send('D', marker.ID, "m1")
	want(t, marker, 'D', "m1") // a's two frames are queued

	got := make(chan mux.Frame, 10)
	a.Detach(func(f mux.Frame) { got <- f })
	for _, w := range []string{"\x01queued 1", "\x01queued 2"} {
		if f := <-got; f.Type != 'D' || string(f.Payload) != w {
			t.Fatalf("Detach handed %q %q, want 'D' %q", f.Type, f.Payload, w)
		}
	}
	if len(got) != 0 {
		t.Fatalf("Detach handed %d frames more than were queued", len(got))
	}
	p.send('D', a.ID, "\x00later")
	p.send('E', a.ID, "")
	p.send('D', a.ID, "after E")
	p.send('D', marker.ID, "m2")
	want(t, marker, 'D', "m2")
	for _, w := range []struct {
		typ     byte
		payload string
	}{{'D', "\x00later"}, {'E', ""}} {
		select {
		case f := <-got:
			if f.Type != w.typ || string(f.Payload) != w.payload {
				t.Fatalf("the detached stream got %q %q, want %q %q", f.Type, f.Payload, w.typ, w.payload)
			}
		default:
			t.Fatalf("the detached stream did not get %q %q", w.typ, w.payload)
		}
	}
	if len(got) != 0 {
		t.Fatalf("a frame after 'E' reached the closed stream: %q", (<-got).Payload)
	}
	empty(t, a)
	if m.Len() != 1 || len(idle) != 0 {
		t.Fatalf("after 'E' on a detached stream: Len %d (want 1), idle called %d times (want 0)", m.Len(), len(idle))
	}

	// An 'E' already queued closes the stream during Detach.
	b := p.open(m, 'h', "b")
	p.send('E', b.ID, "")
	p.send('D', marker.ID, "m3")
	want(t, marker, 'D', "m3")
	b.Detach(func(mux.Frame) {})
	marker.Close()
	if m.Len() != 0 || len(idle) != 1 {
		t.Fatalf("Len %d (want 0), idle called %d times (want 1)", m.Len(), len(idle))
	}
}

func TestOnIdleWhenTheLastStreamCloses(t *testing.T) {
	m, p := newConn(t)
	idle := 0
	m.OnIdle(func() { idle++ })
	a := p.open(m, 'h', "a")
	b := p.open(m, 'w', "b")
	a.Close()
	if idle != 0 {
		t.Fatalf("OnIdle ran with a stream open")
	}
	b.Close()
	b.Close()
	a.Close()
	if idle != 1 {
		t.Fatalf("OnIdle ran %d times for one last stream, want 1", idle)
	}
	c := p.open(m, 'h', "c")
	c.Close()
	if idle != 2 {
		t.Fatalf("OnIdle ran %d times, want 2", idle)
	}
}

func TestPeerGone(t *testing.T) {
	m, p := newConn(t)
	a := p.open(m, 'h', "a")
	b := p.open(m, 'w', "b")
	p.send('D', a.ID, "\x01before the end")
	p.c.Close()
	select {
	case <-m.Done():
	case <-time.After(guard):
		t.Fatal("Done not closed when the worker closed its end")
	}
	// What came before the end is still delivered.
	want(t, a, 'D', "\x01before the end")
	for _, s := range []*mux.Stream{a, b, a} {
		if _, err := s.Next(context.Background()); !errors.Is(err, mux.ErrGone) {
			t.Fatalf("stream %d: Next after the worker left: %v, want ErrGone", s.ID, err)
		}
		if err := s.Send('d'); !errors.Is(err, mux.ErrGone) {
			t.Fatalf("stream %d: Send after the worker left: %v, want ErrGone", s.ID, err)
		}
	}
	if s, err := m.Open('h', nil); !errors.Is(err, mux.ErrGone) || s != nil {
		t.Fatalf("Open after the worker left: %v, %v; want ErrGone", s, err)
	}
	if m.Len() != 0 {
		t.Fatalf("Len = %d after the worker left", m.Len())
	}
	// A stream detached after the end closes at once.
	a.Detach(func(mux.Frame) {})
}

func TestShutdown(t *testing.T) {
	m, p := newConn(t)
	a := p.open(m, 'h', "a")
	b := p.open(m, 'w', "b")
	type call struct {
		code   uint16
		reason string
	}
	var calls []call
	b.OnShutdown(func(code uint16, reason string) { calls = append(calls, call{code, reason}) })
	n := 0
	m.Each(func(s *mux.Stream) {
		if s.Shutdown(1012, "restart") {
			n++
		}
	})
	if n != 1 || len(calls) != 1 || calls[0] != (call{1012, "restart"}) {
		t.Fatalf("Shutdown: %d streams answered, calls %v; want 1 and [{1012 restart}]", n, calls)
	}
	if a.Shutdown(1001, "") {
		t.Fatal("Shutdown of a stream without OnShutdown reported true")
	}
}

// Frames that come while Detach hands over the queued ones wait their
// turn: the callback sees the stream's frames in order, one at a time.
func TestDetachKeepsOrder(t *testing.T) {
	m, p := newConn(t)
	a := p.open(m, 'h', "a")
	marker := p.open(m, 'h', "marker")
	p.send('D', a.ID, "1")
	p.send('D', marker.ID, "m1")
	want(t, marker, 'D', "m1") // "1" is queued

	var mu sync.Mutex
	var order []string
	delivered := make(chan struct{}, 10)
	entered, release := make(chan struct{}), make(chan struct{})
	go a.Detach(func(f mux.Frame) {
		if string(f.Payload) == "1" {
			close(entered)
			<-release
		}
		mu.Lock()
		order = append(order, fmt.Sprintf("%c%s", f.Type, f.Payload))
		mu.Unlock()
		delivered <- struct{}{}
	})
	<-entered // the callback is busy with the queued frame
	p.send('D', a.ID, "2")
	p.send('E', a.ID, "")
	p.send('D', marker.ID, "m2")
	want(t, marker, 'D', "m2") // the lane's reader has seen "2" and 'E'
	close(release)
	for range 3 {
		select {
		case <-delivered:
		case <-time.After(guard):
			t.Fatal("the detached stream's frames were not all delivered")
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if got := fmt.Sprint(order); got != "[D1 D2 E]" {
		t.Fatalf("the callback got %s, want [D1 D2 E]", got)
	}
	marker.Close()
	if m.Len() != 0 {
		t.Fatalf("Len = %d after 'E' on the detached stream and closing the other", m.Len())
	}
}
