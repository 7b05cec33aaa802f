package static

import (
	"io"
	"net/http"
	"strconv"
	"strings"
)

// plainError is the default Options.Error: a short plain-text page.
func plainError(w http.ResponseWriter, r *http.Request, code int, title, detail string) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	text := http.StatusText(code)
	body := strconv.Itoa(code) + " " + text + "\n"
	if title != "" && !strings.EqualFold(title, text) {
		body += "\n" + title + "\n"
	}
	if detail != "" {
		body += "\n" + detail + "\n"
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(code)
	if r.Method != http.MethodHead {
		io.WriteString(w, body)
	}
}

// catcher routes the error statuses http.ServeContent writes itself (416,
// 412, 500) through the handler's error writer, and swallows the plain
// text ServeContent writes after them. Everything else passes through;
// ReadFrom is forwarded so that Linux still uses sendfile.
type catcher struct {
	http.ResponseWriter
	h      *Handler
	r      *http.Request
	wrote  bool
	failed bool
}

func (c *catcher) WriteHeader(code int) {
	if c.wrote {
		return
	}
	c.wrote = true
	if code < 400 {
		c.ResponseWriter.WriteHeader(code)
		return
	}
	c.failed = true
	title, detail := strings.ToLower(http.StatusText(code)), ""
	switch code {
	case http.StatusRequestedRangeNotSatisfiable:
		detail = "the requested range is not within the file"
	case http.StatusPreconditionFailed:
		detail = "the file does not match the request's preconditions"
	case http.StatusInternalServerError:
		title = "could not read the file"
	}
	c.h.fail(c.ResponseWriter, c.r, code, title, detail)
}

func (c *catcher) Write(p []byte) (int, error) {
	if !c.wrote {
		c.WriteHeader(http.StatusOK)
	}
	if c.failed {
		return len(p), nil
	}
	return c.ResponseWriter.Write(p)
}

func (c *catcher) ReadFrom(src io.Reader) (int64, error) {
	if !c.wrote {
		c.WriteHeader(http.StatusOK)
	}
	if c.failed {
		return io.Copy(io.Discard, src)
	}
	if rf, ok := c.ResponseWriter.(io.ReaderFrom); ok {
		return rf.ReadFrom(src)
	}
	return io.Copy(writerOnly{c.ResponseWriter}, src)
}

// Unwrap lets http.ResponseController reach the connection.
func (c *catcher) Unwrap() http.ResponseWriter { return c.ResponseWriter }

// writerOnly hides a ReadFrom method so that io.Copy does not recurse.
type writerOnly struct{ io.Writer }
