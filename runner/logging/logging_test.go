package logging

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

var fixedTime = time.Date(2024, 3, 9, 12, 3, 4, 500_000_000, time.FixedZone("CET", 3600))

func fixedNow() time.Time { return fixedTime }

func sampleEntry() Entry {
	return Entry{
		Time:      fixedTime,
		Remote:    "127.0.0.1:54321",
		Method:    "GET",
		URI:       "/hello?x=1",
		Proto:     "HTTP/1.1",
		Status:    200,
		Bytes:     13,
		Duration:  1200 * time.Microsecond,
		Referer:   "http://example.com/",
		UserAgent: "curl/8.0",
		Worker:    1,
	}
}

var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")

func TestReadablePlain(t *testing.T) {
	var out bytes.Buffer
	l := New(Options{Out: &out, Now: fixedNow})
	l.Access(sampleEntry())
	want := "12:03:04  GET  /hello?x=1  200  13 B  1.2ms\n"
	if out.String() != want {
		t.Fatalf("got %q\nwant %q", out.String(), want)
	}
}

func TestReadableNoteAndTraceback(t *testing.T) {
	var out bytes.Buffer
	l := New(Options{Out: &out, Now: fixedNow})
	e := sampleEntry()
	e.Status = 500
	e.Bytes = 0
	e.Note = "worker crashed"
	e.Traceback = "Traceback (most recent call last):\n  File \"app.py\", line 3\nZeroDivisionError: division by zero\n"
	l.Access(e)
	want := "12:03:04  GET  /hello?x=1  500  0 B  1.2ms  — worker crashed\n" +
		"    Traceback (most recent call last):\n" +
		"      File \"app.py\", line 3\n" +
		"    ZeroDivisionError: division by zero\n"
	if out.String() != want {
		t.Fatalf("got %q\nwant %q", out.String(), want)
	}
}

func TestReadableColor(t *testing.T) {
	var out bytes.Buffer
	l := New(Options{Out: &out, OutColor: true, Now: fixedNow, SlowRequest: time.Second})
	e := sampleEntry()
	l.Access(e)
	line := out.String()
	if !strings.Contains(line, "\x1b[32m200\x1b[") {
		t.Errorf("2xx status not green: %q", line)
	}
	if !strings.Contains(line, "\x1b[1mGET\x1b[") {
		t.Errorf("method not bold: %q", line)
	}
	if !strings.Contains(line, "\x1b[2m12:03:04\x1b[") {
		t.Errorf("time not dim: %q", line)
	}
	if got := ansi.ReplaceAllString(line, ""); got != "12:03:04  GET  /hello?x=1  200  13 B  1.2ms\n" {
		t.Errorf("layout differs from the plain one: %q", got)
	}

	for status, seq := range map[int]string{301: "\x1b[36m", 404: "\x1b[33m", 503: "\x1b[31;1m"} {
		out.Reset()
		e.Status = status
		l.Access(e)
		if !strings.Contains(out.String(), seq+fmt.Sprint(status)) {
			t.Errorf("status %d: want %q in %q", status, seq, out.String())
		}
	}

	out.Reset()
	e.Status = 200
	e.Duration = 1500 * time.Millisecond
	l.Access(e)
	if !strings.Contains(out.String(), "\x1b[33;1m1.50s\x1b[") {
		t.Errorf("slow request not highlighted: %q", out.String())
	}

	out.Reset()
	e.Status = 500
	e.Traceback = "boom"
	l.Access(e)
	if !strings.Contains(out.String(), "    \x1b[31mboom\x1b[") {
		t.Errorf("traceback not red and indented: %q", out.String())
	}
}

func TestReadableEscapesControlCharacters(t *testing.T) {
	var out bytes.Buffer
	l := New(Options{Out: &out, Now: fixedNow})
	e := sampleEntry()
	e.URI = "/\x1b]0;pwned\x07"
	l.Access(e)
	if strings.ContainsAny(out.String(), "\x1b\x07") {
		t.Fatalf("control characters reached the terminal: %q", out.String())
	}
	if !strings.Contains(out.String(), `/\x1b]0;pwned\x07`) {
		t.Fatalf("escaped URI missing: %q", out.String())
	}
}

func TestCombined(t *testing.T) {
	var out bytes.Buffer
	l := New(Options{Out: &out, OutColor: true, AccessFormat: FormatCombined, Now: fixedNow})
	l.Access(sampleEntry())
	want := `127.0.0.1 - - [09/Mar/2024:12:03:04 +0100] "GET /hello?x=1 HTTP/1.1" 200 13 "http://example.com/" "curl/8.0"` + "\n"
	if out.String() != want {
		t.Fatalf("got  %q\nwant %q", out.String(), want)
	}

	out.Reset()
	e := sampleEntry()
	e.Remote = "[::1]:4000"
	e.Bytes = 0
	e.Referer = ""
	e.UserAgent = `evil "agent"`
	l.Access(e)
	want = `::1 - - [09/Mar/2024:12:03:04 +0100] "GET /hello?x=1 HTTP/1.1" 200 - "-" "evil \"agent\""` + "\n"
	if out.String() != want {
		t.Fatalf("got  %q\nwant %q", out.String(), want)
	}
}

func TestCombinedTracebackGoesToServerLog(t *testing.T) {
	var out, access bytes.Buffer
	l := New(Options{Out: &out, Access: &access, AccessFormat: FormatCombined, Now: fixedNow})
	e := sampleEntry()
	e.Status = 500
	e.Traceback = "Traceback\nValueError"
	l.Access(e)
	if strings.Contains(access.String(), "Traceback") || strings.Count(access.String(), "\n") != 1 {
		t.Errorf("access log should hold only the line: %q", access.String())
	}
	want := "gowsgi: GET /hello?x=1 → 500 (worker 1)\n    Traceback\n    ValueError\n"
	if out.String() != want {
		t.Errorf("server log: got %q\nwant %q", out.String(), want)
	}
}

func TestJSON(t *testing.T) {
	var out bytes.Buffer
	l := New(Options{Out: &out, AccessFormat: FormatJSON, Now: fixedNow})
	e := sampleEntry()
	e.URI = "/a?b=1&c=<2>"
	l.Access(e)
	line := out.String()
	if strings.Count(line, "\n") != 1 || !strings.HasSuffix(line, "\n") {
		t.Fatalf("want one line: %q", line)
	}
	if !strings.Contains(line, `"uri":"/a?b=1&c=<2>"`) {
		t.Errorf("URI should not be HTML-escaped: %s", line)
	}
	if strings.Contains(line, "traceback") {
		t.Errorf("traceback key without a traceback: %s", line)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(line), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"time": "2024-03-09T12:03:04.5+01:00", "remote": "127.0.0.1:54321", "method": "GET",
		"uri": "/a?b=1&c=<2>", "proto": "HTTP/1.1", "status": 200.0, "bytes": 13.0,
		"duration_ms": 1.2, "referer": "http://example.com/", "user_agent": "curl/8.0",
		"worker": 1.0, "note": "",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: got %#v, want %#v", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("unexpected keys: %v", got)
	}

	out.Reset()
	e.Traceback = "Traceback\nKeyError"
	l.Access(e)
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("with one stream the traceback stays inside the JSON: %v: %q", err, out.String())
	}
	if got["traceback"] != "Traceback\nKeyError" {
		t.Errorf("traceback: %#v", got["traceback"])
	}
}

func TestJSONTracebackAlsoInSeparateServerLog(t *testing.T) {
	var out, access bytes.Buffer
	l := New(Options{Out: &out, Access: &access, AccessFormat: FormatJSON, Now: fixedNow})
	e := sampleEntry()
	e.Traceback = "Traceback\nKeyError"
	l.Access(e)
	if !strings.Contains(access.String(), `"traceback":"Traceback\nKeyError"`) {
		t.Errorf("access: %q", access.String())
	}
	if !strings.Contains(out.String(), "    KeyError\n") {
		t.Errorf("server log: %q", out.String())
	}
}

func TestOff(t *testing.T) {
	var out bytes.Buffer
	l := New(Options{Out: &out, AccessFormat: FormatOff, Now: fixedNow})
	l.Access(sampleEntry())
	if out.Len() != 0 {
		t.Fatalf("off wrote %q", out.String())
	}
	e := sampleEntry()
	e.Traceback = "Traceback\nKeyError"
	l.Access(e)
	if !strings.Contains(out.String(), "    KeyError") {
		t.Fatalf("tracebacks must still reach the server log: %q", out.String())
	}
}

func TestZeroTimeUsesNow(t *testing.T) {
	var out bytes.Buffer
	l := New(Options{Out: &out, AccessFormat: FormatCombined, Now: fixedNow})
	e := sampleEntry()
	e.Time = time.Time{}
	l.Access(e)
	if !strings.Contains(out.String(), "[09/Mar/2024:12:03:04 +0100]") {
		t.Fatalf("got %q", out.String())
	}
}

func TestMessages(t *testing.T) {
	var out bytes.Buffer
	l := New(Options{Out: &out})
	l.Infof("reloading: %s changed", "app.py")
	l.Warnf("slow %d", 1)
	l.Errorf("two\nlines")
	want := "gowsgi: reloading: app.py changed\ngowsgi: warning: slow 1\ngowsgi: error: two\n  lines\n"
	if out.String() != want {
		t.Fatalf("got %q\nwant %q", out.String(), want)
	}

	out.Reset()
	l = New(Options{Out: &out, OutColor: true})
	l.Warnf("careful")
	l.Errorf("broken")
	if !strings.HasPrefix(out.String(), "gowsgi: \x1b[33mwarning: careful\x1b[") ||
		!strings.Contains(out.String(), "\ngowsgi: \x1b[31;1merror: broken\x1b[") {
		t.Fatalf("got %q", out.String())
	}
}

func TestBlockAndWorker(t *testing.T) {
	var out bytes.Buffer
	l := New(Options{Out: &out})
	l.Block("foo.application failed to import", "Traceback\n  File \"foo.py\"\nSyntaxError\n")
	l.Worker("worker 1", "hello\n")
	l.Worker("[worker 2]", "a\nb")
	want := "gowsgi: foo.application failed to import\n    Traceback\n      File \"foo.py\"\n    SyntaxError\n" +
		"[worker 1] hello\n[worker 2] a\n[worker 2] b\n"
	if out.String() != want {
		t.Fatalf("got %q\nwant %q", out.String(), want)
	}
}

func TestBanner(t *testing.T) {
	b := Banner{
		Version: "0.1.0", App: "foo.application", Engine: "cpython",
		Interp: "CPython 3.11.2 (/usr/bin/python3)", Workers: 1, Threads: 20,
		Root:   "/srv/site",
		Reload: "watching 3 dirs with inotify",
	}
	urls := []string{"http://127.0.0.1:8080/", "unix:/tmp/x.sock"}
	var out bytes.Buffer
	lg := New(Options{Out: &out, Terminal: true})
	lg.Banner(b)
	lg.Listening(nil, urls, "")
	want := `gowsgi 0.1.0 serving foo.application
  engine   cpython — CPython 3.11.2 (/usr/bin/python3)
  workers  1 × 20 threads
  root     /srv/site
  reload   watching 3 dirs with inotify
  listening on http://127.0.0.1:8080/
  listening on unix:/tmp/x.sock
  Press Ctrl+C to stop
`
	if out.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", out.String(), want)
	}

	out.Reset()
	b.Version = ""
	lg = New(Options{Out: &out, Version: "0.1.0", Terminal: true})
	lg.Banner(b)
	lg.Listening(nil, urls, "")
	if out.String() != want {
		t.Fatalf("Options.Version not used: got\n%s", out.String())
	}

	out.Reset()
	lg = New(Options{Out: &out, OutColor: true, Version: "0.1.0", Terminal: true})
	lg.Banner(b)
	lg.Listening(nil, urls, "")
	if !strings.Contains(out.String(), "\x1b[1;4mhttp://127.0.0.1:8080/\x1b[") {
		t.Errorf("URL not bold and underlined: %q", out.String())
	}
	if ansi.ReplaceAllString(out.String(), "") != want {
		t.Errorf("coloured banner has a different layout: %q", out.String())
	}
}

func TestFormatters(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1.0 KiB", 1300: "1.3 KiB", 200 << 10: "200 KiB", 5 << 30: "5.0 GiB"} {
		if got := formatBytes(n); got != want {
			t.Errorf("formatBytes(%d) = %q, want %q", n, got, want)
		}
	}
	for d, want := range map[time.Duration]string{
		850 * time.Microsecond: "850µs", 1200 * time.Microsecond: "1.2ms",
		340 * time.Millisecond: "340ms", 1250 * time.Millisecond: "1.25s", 123 * time.Second: "2m3s",
	} {
		if got := formatDuration(d); got != want {
			t.Errorf("formatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestUseColor(t *testing.T) {
	file, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()

	cases := []struct {
		name, mode, noColor, forceColor, term string
		want                                  bool
	}{
		{"file auto", "auto", "", "", "xterm", false},
		{"file always", "always", "", "", "xterm", true},
		{"never beats FORCE_COLOR", "never", "", "1", "xterm", false},
		{"always beats NO_COLOR", "always", "1", "", "dumb", true},
		{"FORCE_COLOR on a file", "auto", "", "1", "xterm", true},
		{"FORCE_COLOR beats TERM=dumb", "auto", "", "1", "dumb", true},
		{"FORCE_COLOR=0", "auto", "", "0", "xterm", false},
		{"NO_COLOR beats FORCE_COLOR", "auto", "1", "1", "xterm", false},
		{"TERM=dumb", "auto", "", "", "dumb", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("NO_COLOR", c.noColor)
			t.Setenv("FORCE_COLOR", c.forceColor)
			t.Setenv("TERM", c.term)
			if got := UseColor(c.mode, file); got != c.want {
				t.Errorf("UseColor(%q) = %v, want %v", c.mode, got, c.want)
			}
		})
	}
	t.Run("nil file", func(t *testing.T) {
		t.Setenv("NO_COLOR", "")
		t.Setenv("FORCE_COLOR", "")
		if UseColor("auto", nil) {
			t.Error("auto with no file should be false")
		}
	})
}

// recorder records every Write separately and is not safe for concurrent
// use on its own: the race detector catches a logger that forgets its lock.
type recorder struct{ writes []string }

func (r *recorder) Write(p []byte) (int, error) {
	r.writes = append(r.writes, string(p))
	return len(p), nil
}

func TestConcurrentLinesStayWhole(t *testing.T) {
	for _, format := range []string{FormatColor, FormatCombined, FormatJSON} {
		t.Run(format, func(t *testing.T) {
			rec := &recorder{}
			l := New(Options{Out: rec, OutColor: true, AccessFormat: format, Now: fixedNow})
			const goroutines, each = 16, 50
			var wg sync.WaitGroup
			for g := 0; g < goroutines; g++ {
				wg.Add(1)
				go func(g int) {
					defer wg.Done()
					for i := 0; i < each; i++ {
						e := sampleEntry()
						e.URI = fmt.Sprintf("/g%d/i%d", g, i)
						if i%5 == 0 {
							e.Status = 500
							e.Traceback = fmt.Sprintf("Traceback g%d i%d\nline two g%d i%d", g, i, g, i)
						}
						l.Access(e)
						l.Worker(fmt.Sprintf("worker %d", g), fmt.Sprintf("output g%d i%d", g, i))
					}
				}(g)
			}
			wg.Wait()
			if len(rec.writes) != 2*goroutines*each {
				t.Fatalf("got %d writes, want %d", len(rec.writes), 2*goroutines*each)
			}
			for _, w := range rec.writes {
				if !strings.HasSuffix(w, "\n") {
					t.Fatalf("write does not end a line: %q", w)
				}
				if strings.Contains(w, "Traceback") && format != FormatJSON {
					// The line and its traceback come in one Write, and belong together.
					want := map[string]int{FormatColor: 3, FormatCombined: 4}[format]
					if strings.Count(w, "\n") != want {
						t.Fatalf("traceback split from its line: %q", w)
					}
					var g, i int
					if _, err := fmt.Sscanf(w[strings.Index(w, "/g"):], "/g%d/i%d", &g, &i); err != nil {
						t.Fatal(err)
					}
					if !strings.Contains(ansi.ReplaceAllString(w, ""), fmt.Sprintf("line two g%d i%d\n", g, i)) {
						t.Fatalf("traceback of another request: %q", w)
					}
				}
			}
		})
	}
}

// TestListeningHintOnlyOnATerminal: "Press Ctrl+C" is for a person at a
// terminal, not for a log file or CI.
func TestListeningHintOnlyOnATerminal(t *testing.T) {
	var out bytes.Buffer
	New(Options{Out: &out}).Listening(nil, []string{"http://127.0.0.1:8080/ (loopback only)"}, "")
	if got, want := out.String(), "  listening on http://127.0.0.1:8080/ (loopback only)\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestEventfHasTheTime(t *testing.T) {
	var out bytes.Buffer
	now := time.Date(2026, 12, 1, 3, 4, 5, 0, time.UTC)
	New(Options{Out: &out, Now: func() time.Time { return now }}).Eventf("reloaded (%s) in %d ms", "app.py changed", 42)
	if got, want := out.String(), "gowsgi: 03:04:05 reloaded (app.py changed) in 42 ms\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestListeningStopHint(t *testing.T) {
	var out bytes.Buffer
	New(Options{Out: &out, Terminal: true}).Listening(nil, []string{"http://127.0.0.1:8080/"}, "Stop it with: gowsgi stop")
	if !strings.HasSuffix(out.String(), "  listening on http://127.0.0.1:8080/\n  Stop it with: gowsgi stop\n") || strings.Contains(out.String(), "Ctrl+C") {
		t.Errorf("banner with a stop hint:\n%s", out.String())
	}
}

// TestReopen: after Reopen every kind of line goes to the new writers, none
// to the old; lines written while it swaps stay whole (run with -race).
func TestReopen(t *testing.T) {
	t.Run("separate access log", func(t *testing.T) {
		var out1, acc1, out2, acc2 bytes.Buffer
		l := New(Options{Out: &out1, Access: &acc1, AccessFormat: FormatCombined, Now: fixedNow})
		l.Infof("before")
		l.Access(sampleEntry())
		l.Reopen(&out2, &acc2)
		l.Infof("after")
		l.Worker("worker 1", "printed")
		l.Block("title", "text")
		e := sampleEntry()
		e.URI = "/after"
		l.Access(e)
		if out1.String() != "gowsgi: before\n" || !strings.Contains(acc1.String(), "/hello") || strings.Contains(acc1.String(), "/after") {
			t.Errorf("old writers got lines after Reopen: %q / %q", out1.String(), acc1.String())
		}
		if out2.String() != "gowsgi: after\n[worker 1] printed\ngowsgi: title\n    text\n" || !strings.Contains(acc2.String(), `"GET /after HTTP/1.1"`) {
			t.Errorf("new writers: %q / %q", out2.String(), acc2.String())
		}
	})
	t.Run("shared stream", func(t *testing.T) {
		var out1, out2, stray bytes.Buffer
		l := New(Options{Out: &out1, Now: fixedNow})
		l.Reopen(&out2, &stray) // access lines shared the server log: they still do
		l.Access(sampleEntry())
		l.Infof("after")
		if out1.Len() != 0 || stray.Len() != 0 || out2.String() != "12:03:04  GET  /hello?x=1  200  13 B  1.2ms\ngowsgi: after\n" {
			t.Errorf("old %q, stray %q, new %q", out1.String(), stray.String(), out2.String())
		}
	})
	t.Run("concurrent", func(t *testing.T) {
		recs := []*recorder{{}, {}, {}}
		l := New(Options{Out: recs[0], Now: fixedNow})
		var wg sync.WaitGroup
		for g := 0; g < 8; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 200; i++ {
					l.Access(sampleEntry())
					l.Infof("line %d", i)
				}
			}()
		}
		for _, r := range recs[1:] {
			l.Reopen(r, nil)
		}
		wg.Wait()
		total := 0
		for _, r := range recs {
			for _, w := range r.writes {
				if !strings.HasSuffix(w, "\n") || strings.Count(w, "\n") != 1 {
					t.Fatalf("write not one whole line: %q", w)
				}
			}
			total += len(r.writes)
		}
		if total != 8*200*2 {
			t.Errorf("%d lines written, want %d", total, 8*200*2)
		}
	})
}
