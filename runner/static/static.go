// Package static serves the files under one directory on a URL path, the
// way `twistd web --path DIR` and Crossbar.io's "static" service do.
//
// The handler is built to never serve a byte from outside its root: the
// request path is checked raw (encoded slashes, backslashes, NUL) and
// decoded (dot segments, empty segments, invalid UTF-8, drive letters),
// every candidate file is resolved with [filepath.EvalSymlinks] and must
// land inside the resolved root, and the file is then opened through an
// [os.Root], which confines every open to the root even when the tree
// changes between the check and the open. Only regular files are served;
// anything else, and any path segment starting with ".", is a 404.
//
// Files are sent with [http.ServeContent] over an [*os.File], so
// conditional requests (ETag, Last-Modified), byte ranges and HEAD are
// handled by net/http, and Linux sends the bytes with sendfile(2).
// Precompressed siblings (file.br, file.gz) are served to clients that
// accept them.
//
// Every error response (404, 405, and the 412, 416 and 500 that
// ServeContent would otherwise write itself) goes through Options.Error
// with the status, a short lower-case title and a detail that never names
// a filesystem path. By then the headers that describe a file (ETag,
// Last-Modified, Content-Encoding, Content-Length, Cache-Control, ...) are
// gone, and X-Content-Type-Options is set; a 405 carries Allow and a 416
// Content-Range. Error is also called for HEAD requests (net/http drops
// the body).
package static

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
	"unicode/utf8"
)

// Options configures a [Handler].
type Options struct {
	Root         string            // absolute directory
	Prefix       string            // the URL path the handler is mounted at: "/" or "/static" (no trailing slash except "/")
	Index        []string          // names tried for a directory, in order; nil = {"index.html", "index"}
	Listing      bool              // list directories without an index file
	MimeTypes    map[string]string // extension (".foo", lower-case) → Content-Type, over the defaults
	DefaultType  string            // Content-Type for unknown extensions; "" = "application/octet-stream"
	CacheTimeout time.Duration     // > 0: "Cache-Control: public, max-age=N" and an Expires header; 0: none
	// Error writes an error response; nil = a small plain-text page. The lead passes the site's error page.
	Error func(w http.ResponseWriter, r *http.Request, code int, title, detail string)
}

// Handler serves the files under one directory. It is safe for concurrent
// use. Build it with [New].
type Handler struct {
	root      string   // the resolved root, cleaned, without a trailing separator (unless it is "/")
	rootSlash string   // root with exactly one trailing separator
	fsys      *os.Root // every open goes through it
	prefix    string   // "/" or "/static"
	index     []string
	listing   bool
	types     map[string]string // lower-case extension → final Content-Type, overrides merged over the built-ins
	defType   string
	errorf    func(w http.ResponseWriter, r *http.Request, code int, title, detail string)

	cacheControl string        // "" when CacheTimeout is 0
	cacheTimeout time.Duration // for Expires
	expires      atomic.Pointer[expiresStamp]
}

type expiresStamp struct {
	sec int64
	val string
}

// New checks the options and opens the root. Root must exist and be a
// directory; it is resolved with [filepath.EvalSymlinks] once, here, so
// swapping a symlinked root later has no effect until a new Handler is
// built.
func New(o Options) (*Handler, error) {
	if o.Root == "" {
		return nil, errors.New("static: no root directory")
	}
	abs, err := filepath.Abs(o.Root)
	if err != nil {
		return nil, fmt.Errorf("static: root %q: %w", o.Root, err)
	}
	root, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return nil, fmt.Errorf("static: root %q: %w", o.Root, err)
	}
	fi, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("static: root %q: %w", o.Root, err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("static: root %q is not a directory", o.Root)
	}

	prefix := o.Prefix
	if prefix == "" {
		prefix = "/"
	}
	if prefix != "/" {
		prefix = strings.TrimRight(prefix, "/")
	}
	if prefix == "" {
		prefix = "/"
	}
	if prefix[0] != '/' || path.Clean(prefix) != prefix || !utf8.ValidString(prefix) || strings.ContainsAny(prefix, "\\?#\x00") {
		return nil, fmt.Errorf("static: prefix %q must be a clean absolute URL path such as \"/\" or \"/static\"", o.Prefix)
	}

	index := o.Index
	if index == nil {
		index = []string{"index.html", "index"}
	}
	for _, name := range index {
		if name == "" || name[0] == '.' || strings.ContainsAny(name, "/\\") || !validSegment(name) {
			return nil, fmt.Errorf("static: index name %q must be a plain file name", name)
		}
	}

	types := make(map[string]string, len(builtinTypes)+len(o.MimeTypes))
	for ext, t := range builtinTypes {
		types[ext] = withCharset(t)
	}
	for ext, t := range o.MimeTypes {
		ext = strings.ToLower(strings.TrimSpace(ext))
		if ext == "" || ext == "." {
			return nil, fmt.Errorf("static: empty extension in MimeTypes")
		}
		if ext[0] != '.' {
			ext = "." + ext
		}
		if strings.Count(ext, ".") != 1 || strings.ContainsAny(ext, "/\\ ") {
			return nil, fmt.Errorf("static: MimeTypes key %q must be one extension such as \".css\"", ext)
		}
		t = strings.TrimSpace(t)
		if t == "" {
			return nil, fmt.Errorf("static: empty Content-Type for %q in MimeTypes", ext)
		}
		types[ext] = withCharset(t)
	}
	defType := strings.TrimSpace(o.DefaultType)
	if defType == "" {
		defType = "application/octet-stream"
	}

	fsys, err := os.OpenRoot(root)
	if err != nil {
		return nil, fmt.Errorf("static: root %q: %w", o.Root, err)
	}
	h := &Handler{
		root:      root,
		rootSlash: root,
		fsys:      fsys,
		prefix:    prefix,
		index:     append([]string(nil), index...),
		listing:   o.Listing,
		types:     types,
		defType:   withCharset(defType),
		errorf:    o.Error,
	}
	if !strings.HasSuffix(root, string(filepath.Separator)) {
		h.rootSlash = root + string(filepath.Separator)
	}
	if h.errorf == nil {
		h.errorf = plainError
	}
	if o.CacheTimeout > 0 {
		secs := int64(o.CacheTimeout / time.Second)
		if secs < 1 {
			secs = 1
		}
		h.cacheTimeout = time.Duration(secs) * time.Second
		h.cacheControl = "public, max-age=" + strconv.FormatInt(secs, 10)
	}
	return h, nil
}

// Root returns the resolved root directory.
func (h *Handler) Root() string { return h.root }

// Close releases the root directory's descriptor. Requests served after
// Close fail with 404s.
func (h *Handler) Close() error { return h.fsys.Close() }

// ServeHTTP serves r.URL.Path, which must start with the mount prefix.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	hdr.Set("X-Content-Type-Options", "nosniff")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		hdr.Set("Allow", "GET, HEAD")
		h.fail(w, r, http.StatusMethodNotAllowed, "method not allowed", "static files are read with GET or HEAD")
		return
	}
	if rawHostile(r.RequestURI) || rawHostile(r.URL.RawPath) {
		h.notFound(w, r)
		return
	}

	upath := r.URL.Path
	if h.prefix != "/" {
		if upath == h.prefix {
			h.redirect(w, r, r.URL.EscapedPath()+"/")
			return
		}
		if len(upath) <= len(h.prefix) || upath[len(h.prefix)] != '/' || upath[:len(h.prefix)] != h.prefix {
			h.notFound(w, r)
			return
		}
		upath = upath[len(h.prefix):]
	}
	if upath == "" || upath[0] != '/' {
		h.notFound(w, r)
		return
	}
	rel := upath[1:]
	if !validRel(rel) {
		h.notFound(w, r)
		return
	}
	dirRequest := rel == "" || rel[len(rel)-1] == '/'
	if dirRequest && rel != "" {
		rel = rel[:len(rel)-1]
	}

	f, fi, err := h.open(rel)
	if err != nil {
		h.openError(w, r, err)
		return
	}
	if !fi.IsDir() {
		if dirRequest {
			f.Close()
			h.notFound(w, r)
			return
		}
		h.serveFile(w, r, rel, f, fi)
		return
	}
	if !dirRequest {
		f.Close()
		h.redirect(w, r, r.URL.EscapedPath()+"/")
		return
	}
	for _, name := range h.index {
		irel := name
		if rel != "" {
			irel = rel + "/" + name
		}
		idx, ifi, err := h.open(irel)
		if err != nil {
			continue
		}
		if !ifi.Mode().IsRegular() {
			idx.Close()
			continue
		}
		f.Close()
		h.serveFile(w, r, irel, idx, ifi)
		return
	}
	if !h.listing {
		f.Close()
		h.notFound(w, r)
		return
	}
	h.serveListing(w, r, rel, f)
	f.Close()
}

// serveFile sends f, or a precompressed sibling of it, and closes what it
// sends. rel is the file's slash-separated path under the root.
func (h *Handler) serveFile(w http.ResponseWriter, r *http.Request, rel string, f *os.File, fi fs.FileInfo) {
	hdr := w.Header()
	ctype := h.contentType(rel)
	enc, sf, sfi, vary := h.sibling(r, rel)
	if vary {
		hdr.Add("Vary", "Accept-Encoding")
	}
	if sf != nil {
		f.Close()
		f, fi = sf, sfi
		hdr.Set("Content-Encoding", enc)
		// ServeContent leaves Content-Length out when Content-Encoding
		// is set (it guards against on-the-fly compressors); ours is
		// exact, and without it the response would be chunked, with
		// no sendfile. Range responses overwrite it.
		hdr.Set("Content-Length", strconv.FormatInt(fi.Size(), 10))
	}
	defer f.Close()
	hdr.Set("Content-Type", ctype)
	hdr.Set("Etag", etag(fi, enc))
	if h.cacheControl != "" {
		hdr.Set("Cache-Control", h.cacheControl)
		hdr.Set("Expires", h.expiresAt(time.Now()))
	}
	cw := &catcher{ResponseWriter: w, h: h, r: r}
	http.ServeContent(cw, r, "", fi.ModTime(), f)
}

// etag is a strong validator from the size and the modification time,
// with the content coding appended for a compressed variant.
func etag(fi fs.FileInfo, enc string) string {
	var b [64]byte
	s := append(b[:0], '"')
	s = strconv.AppendInt(s, fi.Size(), 16)
	s = append(s, '-')
	s = strconv.AppendInt(s, fi.ModTime().UnixNano(), 16)
	if enc != "" {
		s = append(s, '-')
		s = append(s, enc...)
	}
	s = append(s, '"')
	return string(s)
}

func (h *Handler) expiresAt(now time.Time) string {
	sec := now.Unix()
	if s := h.expires.Load(); s != nil && s.sec == sec {
		return s.val
	}
	v := time.Unix(sec, 0).Add(h.cacheTimeout).UTC().Format(http.TimeFormat)
	h.expires.Store(&expiresStamp{sec: sec, val: v})
	return v
}

func (h *Handler) redirect(w http.ResponseWriter, r *http.Request, to string) {
	if r.URL.RawQuery != "" || r.URL.ForceQuery {
		to += "?" + r.URL.RawQuery
	}
	http.Redirect(w, r, to, http.StatusMovedPermanently)
}

// errNotFound stands for everything that must look like a missing file:
// escapes, dotfiles, special files.
var errNotFound = errors.New("static: not found")

// open resolves rel (slash-separated, validated, "" for the root) and opens
// it when it is a regular file or a directory inside the root.
func (h *Handler) open(rel string) (*os.File, fs.FileInfo, error) {
	name, err := h.resolve(rel)
	if err != nil {
		return nil, nil, err
	}
	// Lstat first so that devices and FIFOs are never opened (opening
	// one can block or have side effects). name has no symlinks left.
	lfi, err := h.fsys.Lstat(name)
	if err != nil {
		return nil, nil, err
	}
	if mode := lfi.Mode(); !mode.IsRegular() && !mode.IsDir() {
		return nil, nil, errNotFound
	}
	// os.Root opens every component with O_NOFOLLOW and confines
	// symlinks to the root. openFlags adds O_NONBLOCK where it exists,
	// so that a FIFO swapped in after the Lstat cannot block us.
	f, err := h.fsys.OpenFile(name, openFlags, 0)
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !os.SameFile(lfi, fi) || fi.Mode().Type() != lfi.Mode().Type() {
		f.Close()
		return nil, nil, errNotFound
	}
	return f, fi, nil
}

// resolve returns rel's symlink-free path relative to the root, or an
// error when it does not exist or resolves outside the root.
func (h *Handler) resolve(rel string) (string, error) {
	full := h.root
	if rel != "" {
		full = h.rootSlash + filepath.FromSlash(rel)
	}
	real, err := filepath.EvalSymlinks(full)
	if err != nil {
		return "", err
	}
	if real == h.root {
		return ".", nil
	}
	if !strings.HasPrefix(real, h.rootSlash) {
		return "", errNotFound
	}
	return real[len(h.rootSlash):], nil
}

func (h *Handler) openError(w http.ResponseWriter, r *http.Request, err error) {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		switch errno {
		case syscall.EIO, syscall.EMFILE, syscall.ENFILE, syscall.ENOMEM, syscall.ENOBUFS, syscall.ESTALE:
			// The detail is the errno text only: the error's path would
			// reveal the server's layout.
			h.fail(w, r, http.StatusInternalServerError, "could not read the file", errno.Error())
			return
		}
	}
	h.notFound(w, r)
}

func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	h.fail(w, r, http.StatusNotFound, "not found", "")
}

// fail drops the headers that describe a file and hands the response to
// the error writer.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, code int, title, detail string) {
	hdr := w.Header()
	for _, k := range fileHeaders {
		delete(hdr, k)
	}
	h.errorf(w, r, code, title, detail)
}

var fileHeaders = []string{
	"Accept-Ranges", "Cache-Control", "Content-Encoding", "Content-Length",
	"Content-Type", "Etag", "Expires", "Last-Modified",
}

// rawHostile reports whether a raw (still percent-encoded) request target
// smuggles a slash, a backslash or a NUL: "%2f", "%5c", "%00" or "\".
// Only the part before the query is looked at.
func rawHostile(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '?':
			return false
		case '\\':
			return true
		case '%':
			if i+2 < len(s) {
				a, b := s[i+1], s[i+2]|0x20
				if a == '2' && b == 'f' || a == '5' && b == 'c' || a == '0' && b == '0' {
					return true
				}
			}
		}
	}
	return false
}

// validRel reports whether rel, the decoded path under the mount with its
// leading slash removed, is safe to look up: valid UTF-8, no control
// characters or backslashes, no empty segment (except one trailing slash),
// and no segment that starts with "." (dot segments, dotfiles) or is a
// Windows drive ("C:").
func validRel(rel string) bool {
	if rel == "" {
		return true
	}
	if !utf8.ValidString(rel) {
		return false
	}
	if rel[len(rel)-1] == '/' {
		rel = rel[:len(rel)-1]
	}
	for {
		seg := rel
		i := strings.IndexByte(rel, '/')
		if i >= 0 {
			seg = rel[:i]
		}
		if seg == "" || seg[0] == '.' || !validSegment(seg) {
			return false
		}
		if i < 0 {
			return true
		}
		rel = rel[i+1:]
	}
}

// validSegment rejects control characters, backslashes and drive letters,
// and on Windows any colon (alternate data streams: "a.txt::$DATA").
func validSegment(seg string) bool {
	for i := 0; i < len(seg); i++ {
		if c := seg[i]; c < 0x20 || c == 0x7f || c == '\\' || c == ':' && runtime.GOOS == "windows" {
			return false
		}
	}
	if len(seg) >= 2 && seg[1] == ':' && (seg[0]|0x20 >= 'a' && seg[0]|0x20 <= 'z') {
		return false
	}
	return true
}
