// Package mux carries many streams over one worker lane: the ASGI side of
// the wire protocol (docs/protocol.md, "ASGI: one lane, many streams").
//
// Every frame keeps runner/wire's header; its payload starts with a uint32
// stream id. One goroutine reads the lane and queues each frame on its
// stream; writers share one buffer, flushed by whichever writer is last, so
// frames written at once by many requests leave in one write.
package mux

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"net"
	"sync"
	"sync/atomic"

	"github.com/gowsgi/gowsgi/runner/wire"
)

// ErrGone is what a stream's reads and writes return once the lane is
// gone: the worker died, or was stopped.
var ErrGone = errors.New("the worker is gone")

// Conn is one worker's lane, shared by its streams.
type Conn struct {
	c net.Conn

	wmu     sync.Mutex
	bw      *bufio.Writer
	writers atomic.Int32 // writers waiting or writing: the last one flushes
	werr    error

	mu      sync.Mutex
	streams map[uint32]*Stream
	next    uint32
	idle    func() // called when the last stream closes
	done    chan struct{}
}

// New starts reading the lane c.
func New(c net.Conn) *Conn {
	m := &Conn{c: c, bw: bufio.NewWriterSize(c, 64<<10), streams: map[uint32]*Stream{}, done: make(chan struct{})}
	go m.read()
	return m
}

// OnIdle sets what is called each time the last open stream closes.
func (m *Conn) OnIdle(f func()) {
	m.mu.Lock()
	m.idle = f
	m.mu.Unlock()
}

// Done is closed when the lane is gone.
func (m *Conn) Done() <-chan struct{} { return m.done }

// Len is the number of open streams.
func (m *Conn) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.streams)
}

// Each calls f for every open stream (outside the lock).
func (m *Conn) Each(f func(*Stream)) {
	m.mu.Lock()
	ss := make([]*Stream, 0, len(m.streams))
	for _, s := range m.streams {
		ss = append(ss, s)
	}
	m.mu.Unlock()
	for _, s := range ss {
		f(s)
	}
}

// Open starts a stream with its first frame: typ 'h' or 'w' and the scope.
func (m *Conn) Open(typ byte, scope []byte) (*Stream, error) {
	m.mu.Lock()
	select {
	case <-m.done:
		m.mu.Unlock()
		return nil, ErrGone
	default:
	}
	m.next++
	s := &Stream{m: m, ID: m.next, Kind: typ, signal: make(chan struct{}, 1)}
	m.streams[s.ID] = s
	m.mu.Unlock()
	if err := s.Send(typ, scope); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Close ends the lane; every open stream's reads fail with ErrGone.
func (m *Conn) Close() error { return m.c.Close() }

// write sends one frame of stream id made of parts.
func (m *Conn) write(typ byte, id uint32, parts ...[]byte) error {
	n := 4
	for _, p := range parts {
		n += len(p)
	}
	if n > wire.MaxPayload {
		return wire.ErrTooLarge
	}
	var h [wire.HeaderSize + 4]byte
	h[0] = typ
	binary.BigEndian.PutUint32(h[1:5], uint32(n))
	binary.BigEndian.PutUint32(h[5:9], id)
	m.writers.Add(1)
	m.wmu.Lock()
	defer m.wmu.Unlock()
	err := m.werr
	if err == nil {
		_, err = m.bw.Write(h[:])
		for _, p := range parts {
			if err == nil {
				_, err = m.bw.Write(p)
			}
		}
	}
	// The last writer flushes: frames that pile up while one is written
	// leave together.
	if m.writers.Add(-1) == 0 && err == nil {
		err = m.bw.Flush()
	}
	if err != nil {
		m.werr = ErrGone
		return ErrGone
	}
	return nil
}

// read queues each frame on its stream until the lane ends.
func (m *Conn) read() {
	r := wire.NewReader(m.c)
	defer func() {
		m.mu.Lock()
		close(m.done)
		ss := m.streams
		m.streams = map[uint32]*Stream{}
		m.mu.Unlock()
		for _, s := range ss {
			s.wake()
		}
	}()
	for {
		typ, p, err := r.Next()
		if err != nil || len(p) < 4 {
			m.c.Close()
			return
		}
		id := binary.BigEndian.Uint32(p)
		m.mu.Lock()
		s := m.streams[id]
		m.mu.Unlock()
		if s == nil {
			continue // it ended first: frames may cross
		}
		s.push(Frame{Type: typ, Payload: append([]byte(nil), p[4:]...)})
	}
}

// Frame is one frame of a stream, its id taken off.
type Frame struct {
	Type    byte
	Payload []byte
}

// Stream is one request or WebSocket on a lane.
type Stream struct {
	m    *Conn
	ID   uint32
	Kind byte // 'h' or 'w'

	mu       sync.Mutex
	queue    []Frame
	signal   chan struct{} // a frame was queued, or the lane ended
	closed   bool
	detached func(Frame) // set by Detach: gets the frames nobody waits for
	draining bool        // Detach is handing over the queue: new frames join it
	onClose  func(code uint16, reason string)
}

func (s *Stream) push(f Frame) {
	s.mu.Lock()
	if d := s.detached; d != nil && !s.draining {
		s.mu.Unlock()
		d(f)
		if f.Type == 'E' {
			s.Close()
		}
		return
	}
	s.queue = append(s.queue, f)
	s.mu.Unlock()
	s.wake()
}

func (s *Stream) wake() {
	select {
	case s.signal <- struct{}{}:
	default:
	}
}

// Next returns the stream's next frame from the worker, waiting while ctx
// lasts; ErrGone when the lane has ended.
func (s *Stream) Next(ctx context.Context) (Frame, error) {
	for {
		s.mu.Lock()
		if len(s.queue) > 0 {
			f := s.queue[0]
			s.queue[0] = Frame{}
			s.queue = s.queue[1:]
			s.mu.Unlock()
			return f, nil
		}
		s.mu.Unlock()
		select {
		case <-s.m.done:
			s.mu.Lock()
			n := len(s.queue)
			s.mu.Unlock()
			if n == 0 {
				return Frame{}, ErrGone
			}
		case <-s.signal:
		case <-ctx.Done():
			return Frame{}, ctx.Err()
		}
	}
}

// Send writes a frame of this stream to the worker.
func (s *Stream) Send(typ byte, parts ...[]byte) error { return s.m.write(typ, s.ID, parts...) }

// Detach hands the stream's remaining frames to f, from the lane's reader,
// once nobody waits for them (the response is complete, or abandoned): the
// stream stays open until the worker's 'E', which is when the app's task
// has really ended (Starlette runs background tasks after the response).
func (s *Stream) Detach(f func(Frame)) {
	s.mu.Lock()
	s.detached = f
	s.draining = true
	for len(s.queue) > 0 {
		fr := s.queue[0]
		s.queue[0] = Frame{}
		s.queue = s.queue[1:]
		s.mu.Unlock()
		f(fr)
		if fr.Type == 'E' {
			s.Close()
			return
		}
		s.mu.Lock()
	}
	s.draining = false
	s.mu.Unlock()
	select {
	case <-s.m.done:
		s.Close()
	default:
	}
}

// OnShutdown sets what the stream does when its worker is retired or the
// server stops: a WebSocket closes with code.
func (s *Stream) OnShutdown(f func(code uint16, reason string)) {
	s.mu.Lock()
	s.onClose = f
	s.mu.Unlock()
}

// Shutdown tells the stream its worker is going away.
func (s *Stream) Shutdown(code uint16, reason string) bool {
	s.mu.Lock()
	f := s.onClose
	s.mu.Unlock()
	if f == nil {
		return false
	}
	f(code, reason)
	return true
}

// Close forgets the stream.
func (s *Stream) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	s.mu.Unlock()
	m := s.m
	m.mu.Lock()
	_, was := m.streams[s.ID]
	delete(m.streams, s.ID)
	empty := len(m.streams) == 0
	idle := m.idle
	m.mu.Unlock()
	if was && empty && idle != nil {
		idle()
	}
}
