package pool

import (
	"context"
	"fmt"
	"testing"

	"github.com/gowsgi/gowsgi/runner/wire"
)

// BenchmarkPool is one request through the pool and back, against a fake
// worker (a Go process speaking the real protocol, no Python): acquire a
// lane, send the environ, read Start, Data and End, release. Deterministic
// enough to compare the scheduler and the lane I/O before and after a
// change; the allocation counts are the Go side's per request.
func BenchmarkPool(b *testing.B) {
	for _, clients := range []int{1, 4, 16} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			p, _, logs := newPool(b, 1, 20, nil)
			if err := p.Start(); err != nil {
				b.Fatalf("Start: %v\n%s", err, logs)
			}
			env := request("/quiet", "")
			b.ReportAllocs()
			b.SetParallelism(max(1, clients/2)) // GOMAXPROCS is 2 here: 1, 2 and 8 goroutines per P
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				ctx := context.Background()
				for pb.Next() {
					l, err := p.Acquire(ctx)
					if err != nil {
						b.Error(err)
						return
					}
					if err := l.Send(wire.Request, env); err != nil {
						b.Error(err)
						return
					}
					for {
						typ, _, err := l.Next()
						if err != nil {
							b.Error(err)
							return
						}
						if typ == wire.End || typ == wire.Fail {
							break
						}
					}
					p.Release(l)
				}
			})
		})
	}
}

// BenchmarkScheduler is the scheduler alone: acquire and release a lane of
// an idle worker, with no I/O. The common case takes no timer and no channel.
func BenchmarkScheduler(b *testing.B) {
	s := newScheduler(0, func(*worker) {})
	w := &worker{exited: make(chan struct{})}
	for i := range 20 {
		w.lanes = append(w.lanes, &Lane{w: w, id: i})
	}
	s.add(w)
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			l, err := s.acquire(ctx)
			if err != nil {
				b.Error(err)
				return
			}
			s.release(l)
		}
	})
}
