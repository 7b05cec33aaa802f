package router

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"regexp"
	"slices"
	"strings"
)

// Exception is what a worker reports about an exception (the wire's x
// frame): the chain, first raised first, each with its frames, their source
// and their local variables. See worker.py's exception_detail.
type Exception struct {
	Exceptions []struct {
		Type     string  `json:"type"`
		Message  string  `json:"message"`
		Relation string  `json:"relation"` // how it leads to the next: "cause", "context" or ""
		Frames   []Frame `json:"frames"`
	} `json:"exceptions"`
}

// Frame is one frame of a traceback.
type Frame struct {
	File     string      `json:"file"`
	Line     int         `json:"line"`
	Function string      `json:"function"`
	First    int         `json:"first"` // the line number of Code[0]
	Code     []string    `json:"code"`
	Locals   [][2]string `json:"locals"`
	App      bool        `json:"app"` // the app's own code, not a library's
}

// Text is the report as Python prints a traceback, chained exceptions
// included.
func (e Exception) Text() string {
	var b strings.Builder
	for i, x := range e.Exceptions {
		if i > 0 {
			switch e.Exceptions[i-1].Relation {
			case "cause":
				b.WriteString("\nThe above exception was the direct cause of the following exception:\n\n")
			default:
				b.WriteString("\nDuring handling of the above exception, another exception occurred:\n\n")
			}
		}
		if len(x.Frames) > 0 {
			b.WriteString("Traceback (most recent call last):\n")
		}
		for _, f := range x.Frames {
			fmt.Fprintf(&b, "  File %q, line %d, in %s\n", f.File, f.Line, f.Function)
			if i := f.Line - f.First; i >= 0 && i < len(f.Code) {
				fmt.Fprintf(&b, "    %s\n", strings.TrimSpace(f.Code[i]))
			}
		}
		b.WriteString(x.Type)
		if x.Message != "" {
			b.WriteString(": " + x.Message)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// SourceLine is one numbered line of a frame's source, for the page.
type SourceLine struct {
	N       int
	Text    string
	Current bool
}

// Source numbers the frame's lines of code.
func (f Frame) Source() []SourceLine {
	out := make([]SourceLine, len(f.Code))
	for i, text := range f.Code {
		out[i] = SourceLine{N: f.First + i, Text: text, Current: f.First+i == f.Line}
	}
	return out
}

// DebugPages reports whether w answers with debug pages: where tracebacks
// are shown and debug pages are not turned off.
func DebugPages(w http.ResponseWriter) bool {
	rw := responseOf(w)
	return rw != nil && rw.tracebacks && rw.debug
}

// secretHeader names the request headers the debug page masks.
var secretHeader = regexp.MustCompile(`(?i)cookie|authorization|token|secret|key`)

// ExceptionPage answers with the debug page for an exception the worker
// reported: the exception first, then each frame with its source and local
// variables (the app's own frames open, library frames folded), chained
// exceptions, the request, and the whole as text to copy. Where debug pages
// are not shown, or the report cannot be read, it is Error's page.
func ExceptionPage(w http.ResponseWriter, r *http.Request, code int, title, detail, traceback string, report []byte) {
	var exc Exception
	if !DebugPages(w) || len(report) == 0 || !strings.Contains(r.Header.Get("Accept"), "text/html") ||
		json.Unmarshal(report, &exc) != nil || len(exc.Exceptions) == 0 {
		Error(w, r, code, title, detail, traceback)
		return
	}
	last := exc.Exceptions[len(exc.Exceptions)-1]
	page := debugData{
		Heading:   fmt.Sprintf("%d %s", code, http.StatusText(code)),
		Title:     upperFirst(title),
		Detail:    detail,
		Type:      last.Type,
		Message:   last.Message,
		Exception: exc,
		Method:    r.Method,
		URL:       r.URL.RequestURI(),
		Traceback: strings.TrimRight(traceback, "\n"),
		LiveJS:    liveScriptFor(w),
	}
	if page.Traceback == "" {
		page.Traceback = strings.TrimRight(exc.Text(), "\n")
	}
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range r.Header {
			if !yield(k) {
				return
			}
		}
	}) {
		v := strings.Join(r.Header[k], ", ")
		if secretHeader.MatchString(k) {
			v = "********"
		}
		page.Headers = append(page.Headers, [2]string{k, v})
	}
	page.Environ = [][2]string{
		{"REQUEST_METHOD", r.Method}, {"PATH", r.URL.Path}, {"QUERY_STRING", r.URL.RawQuery},
		{"REMOTE_ADDR", r.RemoteAddr}, {"HOST", r.Host}, {"PROTOCOL", r.Proto},
	}
	var b bytes.Buffer
	if err := debugTemplate.Execute(&b, page); err != nil {
		Error(w, r, code, title, detail, traceback)
		return
	}
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	w.Write(b.Bytes())
}

type debugData struct {
	Heading, Title, Detail string
	Type, Message          string
	Exception              Exception
	Method, URL            string
	Headers, Environ       [][2]string
	Traceback              string
	LiveJS                 string
}

//go:embed debugpage.html
var debugHTML string

var debugTemplate = template.Must(template.New("debug").Funcs(template.FuncMap{
	"sub1": func(i int) int { return i - 1 },
	"relation": func(rel string) string {
		switch rel {
		case "cause":
			return "The above exception was the direct cause of the following exception:"
		case "context":
			return "During handling of the above exception, another exception occurred:"
		}
		return ""
	},
}).Parse(debugHTML))
