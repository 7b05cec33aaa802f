package pool

import (
	"os"
	"strings"
	"sync"
	"testing"
)

// lineSink collects what copyLines logs.
type lineSink struct {
	mu    sync.Mutex
	lines []string
}

func (s *lineSink) Worker(tag, line string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lines = append(s.lines, strings.TrimRight(line, "\r\n"))
}

// The defect: a line over 1 MiB on a worker's stdout or stderr made every
// later line of that stream vanish. A long line is logged in pieces, whole,
// and what follows it is still logged.
func TestLongOutputLineIsSplitNotDropped(t *testing.T) {
	r, wr, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	w := &worker{}
	sink := &lineSink{}
	var wg sync.WaitGroup
	wg.Add(1)
	go w.copyLines(r, sink, &wg)

	long := strings.Repeat("0123456789abcdef", 3<<20/16) // 3 MiB, no newline
	go func() {
		wr.WriteString("before\n" + long + "\nafter\nlast, unterminated")
		wr.Close()
	}()
	wg.Wait()

	lines := sink.lines
	if len(lines) < 4 || lines[0] != "before" || lines[len(lines)-2] != "after" || lines[len(lines)-1] != "last, unterminated" {
		var first, last []string
		for _, l := range lines {
			first = append(first, l[:min(len(l), 20)])
		}
		if len(first) > 6 {
			last, first = first[len(first)-3:], first[:3]
		}
		t.Fatalf("logged %d lines, starting %q ... ending %q; want before, the long line in pieces, after, last", len(lines), first, last)
	}
	pieces := lines[1 : len(lines)-2]
	if got := strings.Join(pieces, ""); got != long {
		t.Errorf("the long line came out as %d pieces of %d bytes in all, want its %d bytes in order", len(pieces), len(got), len(long))
	}
	for _, p := range pieces {
		if len(p) > maxLogLine {
			t.Errorf("a piece of %d bytes: pieces are at most %d", len(p), maxLogLine)
			break
		}
	}
}
