// Package logging prints gowsgi's server log (banner, worker output, errors)
// and its access log (one line per request, in a chosen format).
//
// Every call builds its whole output first and hands it to the writer in one
// Write under the logger's mutex, so lines from concurrent requests never
// interleave, and a traceback always stays under the request it belongs to.
package logging

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// Access log formats.
const (
	FormatColor    = "color"    // readable; coloured when the stream allows, plain otherwise
	FormatCombined = "combined" // Apache combined, never coloured
	FormatJSON     = "json"     // one JSON object per line
	FormatOff      = "off"      // no access log
)

// DefaultSlowRequest is the SlowRequest used when Options leaves it zero.
const DefaultSlowRequest = time.Second

// Options for New.
type Options struct {
	Out          io.Writer        // server log (banner, worker output, errors): stdout by default, or -l FILE
	OutColor     bool             // colour the server log
	Access       io.Writer        // access log; nil means Out
	AccessColor  bool             // colour the access log (FormatColor only)
	AccessFormat string           // FormatColor, FormatCombined, FormatJSON or FormatOff; "" means FormatColor
	SlowRequest  time.Duration    // requests at least this slow stand out; 0 means DefaultSlowRequest, < 0 never
	Now          func() time.Time // for tests; nil = time.Now
	Version      string           // gowsgi's version, for a Banner that leaves Version empty
	Terminal     bool             // Out is a terminal a person watches (the Ctrl+C hint is for them only)
}

// Logger writes the server log and the access log. It is safe for
// concurrent use.
type Logger struct {
	mu sync.Mutex

	out, access     io.Writer
	outPal, accPal  *palette
	format          string
	slow            time.Duration
	now             func() time.Time
	version         string
	accessIsOut     bool // access lines go to the server log's stream
	tracebackToOut  bool // the access format cannot carry a traceback (or nobody reads it there)
	tracebackInLine bool // the access line carries the traceback itself
	terminal        bool
}

// New makes a Logger. A nil Out means os.Stdout.
func New(o Options) *Logger {
	l := &Logger{
		out:    o.Out,
		access: o.Access,
		format: o.AccessFormat,
		slow:   o.SlowRequest,
		now:    o.Now,

		version:  o.Version,
		terminal: o.Terminal,
	}
	if l.out == nil {
		l.out = os.Stdout
	}
	if l.access == nil {
		l.access = l.out
		o.AccessColor = o.OutColor
	}
	if l.format == "" {
		l.format = FormatColor
	}
	if l.slow == 0 {
		l.slow = DefaultSlowRequest
	}
	if l.now == nil {
		l.now = time.Now
	}
	l.accessIsOut = sameWriter(l.access, l.out)
	l.outPal = newPalette(o.OutColor)
	// Machine formats are never coloured, whatever the stream is.
	l.accPal = newPalette(o.AccessColor && l.format == FormatColor)

	switch l.format {
	case FormatColor:
		l.tracebackInLine = true
	case FormatJSON:
		// The JSON object carries the traceback; repeat it in the server log
		// only when that is a different stream, so people see it too.
		l.tracebackInLine = true
		l.tracebackToOut = !l.accessIsOut
	default: // combined and off have nowhere to put it
		l.tracebackToOut = true
	}
	return l
}

// sameWriter reports whether a and b are the same writer, without panicking
// on writers whose dynamic type is not comparable.
func sameWriter(a, b io.Writer) bool {
	if reflect.TypeOf(a) != reflect.TypeOf(b) || !reflect.TypeOf(a).Comparable() {
		return false
	}
	return a == b
}

// write writes b to the access log or the server log. The writer is read
// under the lock: Reopen may swap it at any moment.
func (l *Logger) write(access bool, b []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	w := l.out
	if access {
		w = l.access
	}
	// A log that cannot be written must not take the server down.
	_, _ = w.Write(b)
}

// Reopen swaps the writers, for log rotation (SIGUSR1): lines written after
// it returns go to out and access. The layout stays as New made it: when
// access lines shared the server log's stream, they go to out, and access
// is ignored; colours are not decided again (files are never coloured).
func (l *Logger) Reopen(out, access io.Writer) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.out = out
	if l.accessIsOut || access == nil {
		access = out
	}
	l.access = access
}

// Infof writes a plain "gowsgi: ..." line to the server log.
func (l *Logger) Infof(format string, args ...any) {
	l.message("", nil, format, args)
}

// Warnf writes a "gowsgi: warning: ..." line, yellow when coloured.
func (l *Logger) Warnf(format string, args ...any) {
	l.message("warning: ", l.outPal.yellow, format, args)
}

// Errorf writes a "gowsgi: error: ..." line, bold red when coloured.
func (l *Logger) Errorf(format string, args ...any) {
	l.message("error: ", l.outPal.boldRed, format, args)
}

type styler interface{ Sprint(a ...any) string }

func (l *Logger) message(level string, style styler, format string, args []any) {
	text := level + fmt.Sprintf(format, args...)
	text = strings.TrimRight(text, "\n")
	var b bytes.Buffer
	// A message with several lines keeps them together, the later ones indented.
	for i, line := range strings.Split(text, "\n") {
		if i == 0 {
			b.WriteString("gowsgi: ")
		} else {
			b.WriteString("  ")
		}
		line = cleanTerminal(line)
		if style != nil {
			line = style.Sprint(line)
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	l.write(false, b.Bytes())
}

// Eventf writes a server message that says when it happened ("03:04:05
// gowsgi: reloaded ..."): reloads and failed imports, which a developer
// matches against the moment of a save.
func (l *Logger) Eventf(format string, args ...any) {
	l.message(l.outPal.dim.Sprint(l.now().Format("15:04:05"))+" ", nil, format, args)
}

// Block writes a multi-line block (a traceback) to the server log: the title
// on a "gowsgi: " line in bold red, the text indented below it in red.
func (l *Logger) Block(title, text string) {
	var b bytes.Buffer
	b.WriteString("gowsgi: ")
	b.WriteString(l.outPal.boldRed.Sprint(cleanTerminal(title)))
	b.WriteByte('\n')
	writeIndented(&b, l.outPal, text)
	l.write(false, b.Bytes())
}

// writeIndented writes text line by line, indented and red.
func writeIndented(b *bytes.Buffer, p *palette, text string) {
	text = strings.TrimRight(text, "\n")
	if text == "" {
		return
	}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, "\r")
		b.WriteString("    ")
		b.WriteString(p.red.Sprint(cleanTerminal(line)))
		b.WriteByte('\n')
	}
}

// Worker writes one line of a worker's stdout/stderr or wsgi.errors under a
// dim tag. tag may be given as "worker 1" or "[worker 1]". The line is the
// app's own output and passes through as it is (colours included).
func (l *Logger) Worker(tag, line string) {
	if !strings.HasPrefix(tag, "[") {
		tag = "[" + tag + "]"
	}
	tag = l.outPal.dim.Sprint(tag)
	line = strings.TrimRight(line, "\r\n")
	var b bytes.Buffer
	for _, part := range strings.Split(line, "\n") {
		b.WriteString(tag)
		b.WriteByte(' ')
		b.WriteString(strings.TrimRight(part, "\r"))
		b.WriteByte('\n')
	}
	l.write(false, b.Bytes())
}

// Entry is one finished request.
type Entry struct {
	Time      time.Time     // when the request started
	Remote    string        // "127.0.0.1:54321" (host:port) or "@" for unix sockets
	Method    string        //
	URI       string        // path + "?" + query as received (RequestURI)
	Proto     string        // "HTTP/1.1"
	Status    int           //
	Bytes     int64         // body bytes sent
	Duration  time.Duration //
	Referer   string        //
	UserAgent string        //
	Worker    int           // 0 when no worker served it
	Note      string        // short reason for errors: "worker crashed", "timed out after 5s", "queue full"
	Traceback string        // the app's traceback, when it raised
	Exception []byte        // the worker's report of the exception (JSON: frames, source, locals), when it raised
}

// Access writes one request in the chosen format. A traceback is printed in
// full under a "color" line, carried in the "json" object, and written to the
// server log as a Block for "combined" and "off" (and for "json" when the
// access log is a different stream). Callers should not log it again.
func (l *Logger) Access(e Entry) {
	if e.Time.IsZero() {
		e.Time = l.now()
	}
	var b bytes.Buffer
	switch l.format {
	case FormatOff:
	case FormatCombined:
		l.combined(&b, e)
	case FormatJSON:
		l.json(&b, e)
	default:
		l.readable(&b, e)
	}
	if e.Traceback != "" && l.tracebackToOut {
		var tb bytes.Buffer
		tb.WriteString("gowsgi: ")
		tb.WriteString(l.outPal.boldRed.Sprint(cleanTerminal(tracebackTitle(e))))
		tb.WriteByte('\n')
		writeIndented(&tb, l.outPal, e.Traceback)
		if l.accessIsOut {
			// One stream: keep the line and its traceback in one Write.
			b.Write(tb.Bytes())
		} else {
			l.write(false, tb.Bytes())
		}
	}
	if b.Len() > 0 {
		l.write(true, b.Bytes())
	}
}

func tracebackTitle(e Entry) string {
	t := fmt.Sprintf("%s %s → %d", e.Method, e.URI, e.Status)
	if e.Worker > 0 {
		t += fmt.Sprintf(" (worker %d)", e.Worker)
	}
	if e.Note != "" {
		t += " — " + e.Note
	}
	return t
}

// readable writes the "color" format:
//
//	12:03:04  GET  /hello?x=1  200  13 B  1.2ms
//
// with the traceback, if any, indented below.
func (l *Logger) readable(b *bytes.Buffer, e Entry) {
	p := l.accPal
	server := e.Status >= 500
	b.WriteString(p.dim.Sprint(e.Time.Format("15:04:05")))
	b.WriteString("  ")
	b.WriteString(p.bold.Sprint(cleanTerminal(e.Method)))
	b.WriteString("  ")
	uri := cleanTerminal(e.URI)
	if server {
		uri = p.red.Sprint(uri)
	}
	b.WriteString(uri)
	b.WriteString("  ")
	b.WriteString(p.status(e.Status).Sprint(strconv.Itoa(e.Status)))
	b.WriteString("  ")
	b.WriteString(formatBytes(e.Bytes))
	b.WriteString("  ")
	dur := formatDuration(e.Duration)
	if l.slow > 0 && e.Duration >= l.slow {
		dur = p.slow.Sprint(dur)
	}
	b.WriteString(dur)
	if e.Note != "" {
		note := "— " + cleanTerminal(e.Note)
		switch {
		case server:
			note = p.boldRed.Sprint(note)
		case e.Status >= 400:
			note = p.yellow.Sprint(note)
		default:
			note = p.dim.Sprint(note)
		}
		b.WriteString("  ")
		b.WriteString(note)
	}
	b.WriteByte('\n')
	if e.Traceback != "" && l.tracebackInLine {
		writeIndented(b, p, e.Traceback)
	}
}

// combined writes Apache's combined format:
// %h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i"
func (l *Logger) combined(b *bytes.Buffer, e Entry) {
	host := e.Remote
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if host == "" {
		host = "-"
	}
	size := "-"
	if e.Bytes > 0 {
		size = strconv.FormatInt(e.Bytes, 10)
	}
	fmt.Fprintf(b, "%s - - [%s] \"%s %s %s\" %d %s \"%s\" \"%s\"\n",
		escapeApache(host),
		e.Time.Format("02/Jan/2006:15:04:05 -0700"),
		escapeApache(e.Method), escapeApache(e.URI), escapeApache(e.Proto),
		e.Status, size,
		orDash(escapeApache(e.Referer)), orDash(escapeApache(e.UserAgent)))
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

type jsonEntry struct {
	Time       string          `json:"time"`
	Remote     string          `json:"remote"`
	Method     string          `json:"method"`
	URI        string          `json:"uri"`
	Proto      string          `json:"proto"`
	Status     int             `json:"status"`
	Bytes      int64           `json:"bytes"`
	DurationMS float64         `json:"duration_ms"`
	Referer    string          `json:"referer"`
	UserAgent  string          `json:"user_agent"`
	Worker     int             `json:"worker"`
	Note       string          `json:"note"`
	Traceback  string          `json:"traceback,omitempty"`
	Exception  json.RawMessage `json:"exception,omitempty"`
}

// exceptionJSON is the worker's report, when it is JSON at all.
func exceptionJSON(report []byte) json.RawMessage {
	if len(report) == 0 || !json.Valid(report) {
		return nil
	}
	return report
}

func (l *Logger) json(b *bytes.Buffer, e Entry) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false) // keep URIs with & and < readable
	_ = enc.Encode(jsonEntry{
		Time:       e.Time.Format(time.RFC3339Nano),
		Remote:     e.Remote,
		Method:     e.Method,
		URI:        e.URI,
		Proto:      e.Proto,
		Status:     e.Status,
		Bytes:      e.Bytes,
		DurationMS: float64(e.Duration) / float64(time.Millisecond),
		Referer:    e.Referer,
		UserAgent:  e.UserAgent,
		Worker:     e.Worker,
		Note:       e.Note,
		Traceback:  e.Traceback,
		Exception:  exceptionJSON(e.Exception),
	})
}

// Banner is what the start-up banner shows.
type Banner struct {
	Version string   // gowsgi version; "" means Options.Version
	App     string   // "foo.application"
	Engine  string   // "cpython" / "gpython"
	Interp  string   // "CPython 3.11.2 (/usr/bin/python3)"
	Workers int      //
	Threads int      //
	Root    string   // the app directory
	Reload  string   // "watching 3 dirs with inotify" or "off"
	Mounts  []string // with several mounts: "/api  wsgi api.app (1 × 20 threads)", one a line
}

// Banner writes the start-up banner to the server log:
//
//	gowsgi 0.1.0 serving foo.application
//	  engine   cpython — CPython 3.11.2 (/usr/bin/python3)
//	  workers  1 × 20 threads
//	  root     /home/me/site
//	  reload   watching 3 dirs with inotify
//
// The "listening on" lines follow, from Listening, once the apps imported.
func (l *Logger) Banner(bn Banner) {
	p := l.outPal
	if bn.Version == "" {
		bn.Version = l.version
	}
	var b bytes.Buffer
	b.WriteString(p.bold.Sprint("gowsgi"))
	if bn.Version != "" {
		b.WriteString(" " + bn.Version)
	}
	if bn.App != "" {
		b.WriteString(" serving " + p.bold.Sprint(bn.App))
	}
	b.WriteByte('\n')
	row := func(label, value string) {
		if value == "" {
			return
		}
		if label == "" {
			b.WriteString("           " + value + "\n")
			return
		}
		b.WriteString("  ")
		b.WriteString(p.dim.Sprint(fmt.Sprintf("%-8s", label)))
		b.WriteByte(' ')
		b.WriteString(value)
		b.WriteByte('\n')
	}
	engine := bn.Engine
	if bn.Interp != "" {
		if engine != "" {
			engine += " — "
		}
		engine += bn.Interp
	}
	row("engine", engine)
	if bn.Workers > 0 || bn.Threads > 0 {
		row("workers", fmt.Sprintf("%d × %d %s", bn.Workers, bn.Threads, Plural(bn.Threads, "thread", "threads")))
	}
	row("root", bn.Root)
	for i, m := range bn.Mounts {
		label := ""
		if i == 0 {
			label = "mounts"
		}
		row(label, m)
	}
	row("reload", bn.Reload)
	l.write(false, b.Bytes())
}

// Listening writes the lines that say gowsgi serves, after the apps
// imported: what the apps' workers added (notes), "  listening on URL", one
// a line, and how to stop: stop when given (a daemon: "gowsgi stop"), else
// on a terminal "Press Ctrl+C to stop".
func (l *Logger) Listening(notes, urls []string, stop string) {
	p := l.outPal
	var b bytes.Buffer
	for _, n := range notes {
		b.WriteString("  " + p.dim.Sprint(fmt.Sprintf("%-8s", "note")) + " " + n + "\n")
	}
	for _, u := range urls {
		b.WriteString("  listening on ")
		url, rest, _ := strings.Cut(u, " ")
		b.WriteString(p.url.Sprint(url))
		if rest != "" {
			b.WriteString(" " + p.dim.Sprint(rest))
		}
		b.WriteByte('\n')
	}
	switch {
	case stop != "":
		b.WriteString("  " + p.dim.Sprint(stop) + "\n")
	case l.terminal:
		b.WriteString("  " + p.dim.Sprint("Press Ctrl+C to stop") + "\n")
	}
	l.write(false, b.Bytes())
}

// Plural is one when n is 1, else many: "1 worker", "2 workers".
func Plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// formatBytes prints a size people read at a glance: "13 B", "1.2 KiB", "340 MiB".
func formatBytes(n int64) string {
	if n < 1024 {
		return strconv.FormatInt(n, 10) + " B"
	}
	v := float64(n)
	units := []string{"KiB", "MiB", "GiB", "TiB", "PiB"}
	var unit string
	for _, unit = range units {
		v /= 1024
		if v < 1024 {
			break
		}
	}
	if v < 10 {
		return strconv.FormatFloat(v, 'f', 1, 64) + " " + unit
	}
	return strconv.FormatFloat(v, 'f', 0, 64) + " " + unit
}

// formatDuration prints a latency with about three significant digits:
// "850µs", "1.2ms", "340ms", "1.25s", "2m3s".
func formatDuration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return strconv.FormatInt(d.Microseconds(), 10) + "µs"
	case d < 100*time.Millisecond:
		return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 1, 64) + "ms"
	case d < time.Second:
		return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 0, 64) + "ms"
	case d < time.Minute:
		return strconv.FormatFloat(d.Seconds(), 'f', 2, 64) + "s"
	default:
		return d.Round(time.Second).String()
	}
}

// cleanTerminal escapes control characters and invalid UTF-8 so that text
// from the network (or a traceback quoting it) cannot move the cursor,
// change colours or retitle the terminal. Tabs are kept.
func cleanTerminal(s string) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || (unicode.IsControl(r) && r != '\t') {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\t':
			b.WriteRune(r)
		case unicode.IsControl(r):
			if r < 0x100 {
				fmt.Fprintf(&b, `\x%02x`, r)
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// escapeApache escapes like Apache's access log: quotes and backslashes get a
// backslash, bytes outside printable ASCII become \xhh.
func escapeApache(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&b, `\x%02x`, c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
