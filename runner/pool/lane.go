package pool

import (
	"net"
	"sync"
	"time"

	"github.com/gowsgi/gowsgi/runner/wire"
)

// Lane is one socket to one worker thread: a request borrows it with
// Pool.Acquire and gives it back with Pool.Release.
type Lane struct {
	w  *worker
	id int
	c  net.Conn
	r  *wire.Reader

	mu     sync.Mutex // guards wr: a cancel may be written while a request runs
	wr     *wire.Writer
	broken bool // a protocol error or timeout left it out of step: never reuse
}

// Send writes one frame to the worker thread. It is safe to call from
// another goroutine while the request runs (a cancel).
func (l *Lane) Send(typ byte, payload []byte) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.wr.Send(typ, payload)
}

// Next reads the worker thread's next frame.
func (l *Lane) Next() (byte, []byte, error) { return l.r.Next() }

// Buffered reports whether a frame is already waiting to be read.
func (l *Lane) Buffered() bool { return l.r.Buffered() }

// SetReadDeadline bounds the wait for the worker's next frame (zero: none).
func (l *Lane) SetReadDeadline(t time.Time) { l.c.SetReadDeadline(t) }

// MarkBroken takes the lane out of service for good: it fell out of step
// with its worker thread. Call it before Release.
func (l *Lane) MarkBroken() { l.broken = true }

// Worker is the worker's slot number, for the log.
func (l *Lane) Worker() int { return int(l.w.id.Load()) }

// WorkerTag names the worker for log lines: "worker 2".
func (l *Lane) WorkerTag() string { return l.w.tag() }

// WaitExit waits at most d for the lane's worker to end. It reports whether
// the worker is gone and, if so, how it ended (" (killed by SIGKILL)").
func (l *Lane) WaitExit(d time.Duration) (gone bool, how string) {
	select {
	case <-l.w.exited:
	case <-time.After(d):
	}
	if !l.w.dead() {
		return false, ""
	}
	return true, exitNote(l.w.exitErr)
}
