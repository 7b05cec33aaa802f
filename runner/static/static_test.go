package static

import (
	"fmt"
	"io"
	"io/fs"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func TestNewValidation(t *testing.T) {
	fx := newFixture(t)
	bad := []struct {
		name string
		o    Options
	}{
		{"no root", Options{}},
		{"missing root", Options{Root: filepath.Join(fx.dir, "nope")}},
		{"root is a file", Options{Root: filepath.Join(fx.root, "hello.txt")}},
		{"root is a dangling link", Options{Root: filepath.Join(fx.root, "dangling")}},
		{"relative prefix", Options{Root: fx.root, Prefix: "static"}},
		{"unclean prefix", Options{Root: fx.root, Prefix: "/a/../b"}},
		{"prefix with a query", Options{Root: fx.root, Prefix: "/a?b"}},
		{"index with a slash", Options{Root: fx.root, Index: []string{"a/index.html"}}},
		{"dot index", Options{Root: fx.root, Index: []string{".index"}}},
		{"empty index name", Options{Root: fx.root, Index: []string{""}}},
		{"empty extension", Options{Root: fx.root, MimeTypes: map[string]string{"": "text/plain"}}},
		{"empty type", Options{Root: fx.root, MimeTypes: map[string]string{".x": " "}}},
		{"double extension", Options{Root: fx.root, MimeTypes: map[string]string{".tar.gz": "application/x-tgz"}}},
		{"extension with a slash", Options{Root: fx.root, MimeTypes: map[string]string{".a/b": "text/plain"}}},
	}
	for _, c := range bad {
		if h, err := New(c.o); err == nil {
			h.Close()
			t.Errorf("%s: New succeeded, want an error", c.name)
		}
	}

	// A symlinked root is resolved once; a trailing slash on the prefix
	// is tolerated.
	link := filepath.Join(fx.dir, "rootlink")
	if err := os.Symlink("root", link); err != nil {
		t.Fatal(err)
	}
	h, err := New(Options{Root: link, Prefix: "/static/"})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	want, _ := filepath.EvalSymlinks(fx.root)
	if h.Root() != want {
		t.Errorf("Root() = %q, want %q", h.Root(), want)
	}
	if h.prefix != "/static" {
		t.Errorf("prefix = %q, want /static", h.prefix)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, body := get(t, srv, "/static/hello.txt")
	wantStatus(t, "through a symlinked root", resp, 200)
	wantBody(t, "through a symlinked root", body, "hello, world\n")
}

func TestContentTypes(t *testing.T) {
	fx := newFixture(t)
	srv := serve(t, fx, Options{Prefix: "/static"})
	cases := map[string]string{
		"hello.txt":      "text/plain; charset=utf-8",
		"page.html":      "text/html; charset=utf-8",
		"style.css":      "text/css; charset=utf-8",
		"UPPER.CSS":      "text/css; charset=utf-8",
		"app.js":         "text/javascript; charset=utf-8",
		"mod.mjs":        "text/javascript; charset=utf-8",
		"data.json":      "application/json; charset=utf-8",
		"pic.svg":        "image/svg+xml; charset=utf-8",
		"img.png":        "image/png",
		"photo.jpg":      "image/jpeg",
		"photo.jpeg":     "image/jpeg",
		"anim.gif":       "image/gif",
		"img.webp":       "image/webp",
		"favicon.ico":    "image/x-icon",
		"font.woff":      "font/woff",
		"font.woff2":     "font/woff2",
		"doc.xml":        "application/xml; charset=utf-8",
		"mod.wasm":       "application/wasm",
		"app.js.map":     "application/json; charset=utf-8",
		"doc.pdf":        "application/pdf",
		"data.foo":       "application/octet-stream",
		"noext":          "application/octet-stream", // HTML inside, never sniffed
		"data.unknownzz": "application/octet-stream",
		"empty.txt":      "text/plain; charset=utf-8",
	}
	for name, want := range cases {
		resp, _ := get(t, srv, "/static/"+name)
		wantStatus(t, name, resp, 200)
		wantHeader(t, name, resp, "Content-Type", want)
		wantHeader(t, name, resp, "X-Content-Type-Options", "nosniff")
	}
}

func TestMimeTypesAndDefaultType(t *testing.T) {
	fx := newFixture(t)
	srv := serve(t, fx, Options{
		Prefix: "/static",
		MimeTypes: map[string]string{
			".foo":       "application/x-foo",
			"CSS":        "text/x-custom-css", // no dot, upper case: normalised
			".json":      "application/json; charset=latin1",
			".unknownzz": "text/x-mine",
		},
		DefaultType: "text/plain",
	})
	cases := map[string]string{
		"data.foo":       "application/x-foo",
		"style.css":      "text/x-custom-css; charset=utf-8",
		"UPPER.CSS":      "text/x-custom-css; charset=utf-8",
		"data.json":      "application/json; charset=latin1",
		"data.unknownzz": "text/x-mine; charset=utf-8",
		"noext":          "text/plain; charset=utf-8",
		"img.png":        "image/png",
	}
	for name, want := range cases {
		resp, _ := get(t, srv, "/static/"+name)
		wantStatus(t, name, resp, 200)
		wantHeader(t, name, resp, "Content-Type", want)
	}
}

func TestWithCharset(t *testing.T) {
	cases := map[string]string{
		"text/plain":                    "text/plain; charset=utf-8",
		"text/plain;":                   "text/plain; charset=utf-8",
		"text/html; charset=iso-8859-1": "text/html; charset=iso-8859-1",
		"TEXT/CSS":                      "TEXT/CSS; charset=utf-8",
		"application/ld+json":           "application/ld+json; charset=utf-8",
		"application/atom+xml":          "application/atom+xml; charset=utf-8",
		"application/javascript":        "application/javascript; charset=utf-8",
		"image/png":                     "image/png",
		"application/wasm":              "application/wasm",
		"application/octet-stream":      "application/octet-stream",
	}
	for in, want := range cases {
		if got := withCharset(in); got != want {
			t.Errorf("withCharset(%q) = %q, want %q", in, got, want)
		}
	}
}

var etagRE = regexp.MustCompile(`^"[0-9a-f]+-[0-9a-f]+(-br|-gzip)?"$`)

func TestETagAndIfNoneMatch(t *testing.T) {
	fx := newFixture(t)
	srv := serve(t, fx, Options{Prefix: "/static"})
	resp, body := get(t, srv, "/static/hello.txt")
	wantStatus(t, "plain GET", resp, 200)
	wantBody(t, "plain GET", body, "hello, world\n")
	etag := resp.Header.Get("Etag")
	if !etagRE.MatchString(etag) {
		t.Fatalf("ETag %q is not a quoted strong validator", etag)
	}
	if want := fmt.Sprintf(`"%x-%x"`, len("hello, world\n"), mtime.UnixNano()); etag != want {
		t.Errorf("ETag = %s, want %s (size and mtime)", etag, want)
	}

	for _, inm := range []string{etag, "W/" + etag, `"nope", ` + etag, "*"} {
		resp, body = get(t, srv, "/static/hello.txt", "If-None-Match: "+inm)
		wantStatus(t, "If-None-Match "+inm, resp, 304)
		wantBody(t, "304", body, "")
		wantHeader(t, "304", resp, "Etag", etag)
		wantNoHeader(t, "304", resp, "Content-Type")
	}
	resp, body = get(t, srv, "/static/hello.txt", `If-None-Match: "something-else"`)
	wantStatus(t, "If-None-Match mismatch", resp, 200)
	wantBody(t, "If-None-Match mismatch", body, "hello, world\n")

	// If-None-Match wins over a matching If-Modified-Since.
	resp, _ = get(t, srv, "/static/hello.txt", `If-None-Match: "x"`, "If-Modified-Since: "+mtime.Format(http.TimeFormat))
	wantStatus(t, "If-None-Match over If-Modified-Since", resp, 200)

	// A change of content (and mtime) changes the ETag.
	p := filepath.Join(fx.root, "hello.txt")
	if err := os.WriteFile(p, []byte("changed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, mtime.Add(time.Hour), mtime.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	resp, body = get(t, srv, "/static/hello.txt", "If-None-Match: "+etag)
	wantStatus(t, "after a change", resp, 200)
	wantBody(t, "after a change", body, "changed\n")
	if resp.Header.Get("Etag") == etag {
		t.Errorf("the ETag did not change with the file")
	}
}

func TestLastModifiedAndIfModifiedSince(t *testing.T) {
	fx := newFixture(t)
	srv := serve(t, fx, Options{Prefix: "/static"})
	resp, _ := get(t, srv, "/static/style.css")
	wantStatus(t, "GET", resp, 200)
	wantHeader(t, "GET", resp, "Last-Modified", mtime.Format(http.TimeFormat))

	resp, body := get(t, srv, "/static/style.css", "If-Modified-Since: "+mtime.Format(http.TimeFormat))
	wantStatus(t, "If-Modified-Since = mtime", resp, 304)
	wantBody(t, "304", body, "")
	resp, _ = get(t, srv, "/static/style.css", "If-Modified-Since: "+mtime.Add(time.Hour).Format(http.TimeFormat))
	wantStatus(t, "If-Modified-Since later", resp, 304)
	resp, body = get(t, srv, "/static/style.css", "If-Modified-Since: "+mtime.Add(-time.Second).Format(http.TimeFormat))
	wantStatus(t, "If-Modified-Since earlier", resp, 200)
	wantBody(t, "If-Modified-Since earlier", body, "body{color:red}")
}

func TestRangeSingle(t *testing.T) {
	fx := newFixture(t)
	srv := serve(t, fx, Options{Prefix: "/static"})
	cases := []struct {
		rng        string
		start, end int // inclusive
	}{
		{"bytes=0-9", 0, 9},
		{"bytes=9990-", 9990, 9999},
		{"bytes=-5", 9995, 9999},
		{"bytes=100-99999", 100, 9999},
	}
	for _, c := range cases {
		resp, body := get(t, srv, "/static/big.bin", "Range: "+c.rng)
		wantStatus(t, c.rng, resp, 206)
		wantHeader(t, c.rng, resp, "Content-Range", fmt.Sprintf("bytes %d-%d/10000", c.start, c.end))
		wantHeader(t, c.rng, resp, "Content-Length", strconv.Itoa(c.end-c.start+1))
		wantHeader(t, c.rng, resp, "Accept-Ranges", "bytes")
		if string(body) != string(bigBin[c.start:c.end+1]) {
			t.Errorf("%s: wrong bytes", c.rng)
		}
	}
}

func TestRangeMultipart(t *testing.T) {
	fx := newFixture(t)
	srv := serve(t, fx, Options{Prefix: "/static"})
	resp, body := get(t, srv, "/static/big.bin", "Range: bytes=0-9, 5000-5004, -3")
	wantStatus(t, "multipart", resp, 206)
	mt, params, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/byteranges" {
		t.Fatalf("Content-Type %q, %v", resp.Header.Get("Content-Type"), err)
	}
	if cl := resp.Header.Get("Content-Length"); cl != strconv.Itoa(len(body)) {
		t.Errorf("Content-Length %s, body %d bytes", cl, len(body))
	}
	mr := multipart.NewReader(strings.NewReader(string(body)), params["boundary"])
	want := []struct {
		cr         string
		start, end int
	}{{"bytes 0-9/10000", 0, 9}, {"bytes 5000-5004/10000", 5000, 5004}, {"bytes 9997-9999/10000", 9997, 9999}}
	for i, w := range want {
		part, err := mr.NextPart()
		if err != nil {
			t.Fatalf("part %d: %v", i, err)
		}
		if got := part.Header.Get("Content-Range"); got != w.cr {
			t.Errorf("part %d: Content-Range %q, want %q", i, got, w.cr)
		}
		if got := part.Header.Get("Content-Type"); got != "application/octet-stream" {
			t.Errorf("part %d: Content-Type %q", i, got)
		}
		b, _ := io.ReadAll(part)
		if string(b) != string(bigBin[w.start:w.end+1]) {
			t.Errorf("part %d: wrong bytes", i)
		}
	}
	if _, err := mr.NextPart(); err != io.EOF {
		t.Errorf("more parts than ranges: %v", err)
	}
}

func TestRangeNotSatisfiable(t *testing.T) {
	fx := newFixture(t)
	var log errorLog
	srv := serve(t, fx, Options{Prefix: "/static", Error: log.write, CacheTimeout: time.Minute})
	resp, body := get(t, srv, "/static/big.bin", "Range: bytes=20000-30000")
	wantStatus(t, "416", resp, 416)
	wantHeader(t, "416", resp, "Content-Range", "bytes */10000")
	wantBody(t, "416", body, errorBody(416))
	for _, h := range []string{"Etag", "Last-Modified", "Cache-Control", "Expires", "Content-Encoding", "Accept-Ranges"} {
		wantNoHeader(t, "416", resp, h)
	}
	if c, _ := log.last(); c.Code != 416 {
		t.Errorf("Options.Error not called for the 416: %+v", c)
	}

	// An empty file ignores the range (ServeContent's rule) rather than 416.
	resp, _ = get(t, srv, "/static/empty.txt", "Range: bytes=0-10")
	wantStatus(t, "empty file", resp, 200)

	// A malformed range is refused too.
	resp, _ = get(t, srv, "/static/big.bin", "Range: bytes=x-y")
	wantStatus(t, "malformed range", resp, 416)
}

func TestIfRange(t *testing.T) {
	fx := newFixture(t)
	srv := serve(t, fx, Options{Prefix: "/static"})
	resp, _ := get(t, srv, "/static/big.bin")
	etag := resp.Header.Get("Etag")

	resp, body := get(t, srv, "/static/big.bin", "Range: bytes=10-19", "If-Range: "+etag)
	wantStatus(t, "If-Range current ETag", resp, 206)
	if string(body) != string(bigBin[10:20]) {
		t.Errorf("If-Range current ETag: wrong bytes")
	}
	resp, body = get(t, srv, "/static/big.bin", "Range: bytes=10-19", `If-Range: "stale"`)
	wantStatus(t, "If-Range stale ETag", resp, 200)
	if len(body) != len(bigBin) {
		t.Errorf("If-Range stale ETag: %d bytes, want the whole file", len(body))
	}
	resp, _ = get(t, srv, "/static/big.bin", "Range: bytes=10-19", "If-Range: "+mtime.Format(http.TimeFormat))
	wantStatus(t, "If-Range current date", resp, 206)
	resp, _ = get(t, srv, "/static/big.bin", "Range: bytes=10-19", "If-Range: "+mtime.Add(-time.Hour).Format(http.TimeFormat))
	wantStatus(t, "If-Range old date", resp, 200)
}

func TestHead(t *testing.T) {
	fx := newFixture(t)
	srv := serve(t, fx, Options{Prefix: "/static"})
	resp, body := do(t, srv, http.MethodHead, "/static/big.bin")
	wantStatus(t, "HEAD", resp, 200)
	wantHeader(t, "HEAD", resp, "Content-Length", "10000")
	wantHeader(t, "HEAD", resp, "Content-Type", "application/octet-stream")
	wantHeader(t, "HEAD", resp, "Last-Modified", mtime.Format(http.TimeFormat))
	if resp.Header.Get("Etag") == "" {
		t.Errorf("HEAD: no ETag")
	}
	wantBody(t, "HEAD", body, "")

	// Over raw TCP, to see that not one body byte follows the headers.
	resp, body = raw(t, srv, "HEAD", "/static/big.bin")
	wantStatus(t, "raw HEAD", resp, 200)
	wantBody(t, "raw HEAD", body, "")
	resp, body = raw(t, srv, "HEAD", "/static/big.bin", "Range: bytes=0-99")
	wantStatus(t, "raw HEAD with a range", resp, 206)
	wantHeader(t, "raw HEAD with a range", resp, "Content-Length", "100")
	wantBody(t, "raw HEAD with a range", body, "")
	resp, body = raw(t, srv, "HEAD", "/static/nope")
	wantStatus(t, "raw HEAD 404", resp, 404)
	wantBody(t, "raw HEAD 404", body, "")
}

func TestIndexFiles(t *testing.T) {
	fx := newFixture(t)
	srv := serve(t, fx, Options{Prefix: "/static"})
	cases := []struct{ path, body, ctype string }{
		{"/static/sub/", "<h1>sub index</h1>", "text/html; charset=utf-8"},
		{"/static/altindex/", "alt index", "application/octet-stream"},
		{"/static/both/", "index.html wins", "text/html; charset=utf-8"},
		{"/static/link-sub/", "<h1>sub index</h1>", "text/html; charset=utf-8"},
	}
	for _, c := range cases {
		resp, body := get(t, srv, c.path)
		wantStatus(t, c.path, resp, 200)
		wantBody(t, c.path, body, c.body)
		wantHeader(t, c.path, resp, "Content-Type", c.ctype)
		if resp.Header.Get("Etag") == "" {
			t.Errorf("%s: an index file is a file: it has an ETag", c.path)
		}
	}
	// An index "file" that is a directory, or a symlink out of the root,
	// does not count.
	for _, p := range []string{"/static/dirindex/", "/static/badindex/", "/static/custom/"} {
		resp, _ := get(t, srv, p)
		wantStatus(t, p, resp, 404)
	}
	// The requested index file is also served by its own name.
	resp, body := get(t, srv, "/static/sub/index.html")
	wantStatus(t, "index by name", resp, 200)
	wantBody(t, "index by name", body, "<h1>sub index</h1>")

	// Custom index names, in order; an empty list turns index files off.
	srv2 := serve(t, fx, Options{Prefix: "/static", Index: []string{"home.htm", "index.html"}})
	resp, body = get(t, srv2, "/static/custom/")
	wantStatus(t, "custom index", resp, 200)
	wantBody(t, "custom index", body, "home")
	resp, _ = get(t, srv2, "/static/altindex/")
	wantStatus(t, "custom index: 'index' not tried", resp, 404)
	srv3 := serve(t, fx, Options{Prefix: "/static", Index: []string{}, Listing: true})
	resp, body = get(t, srv3, "/static/sub/")
	wantStatus(t, "no index names", resp, 200)
	if !strings.Contains(string(body), "Index of") {
		t.Errorf("no index names: expected a listing, got %q", body)
	}
}

func TestDirectoryRedirect(t *testing.T) {
	fx := newFixture(t)
	srv := serve(t, fx, Options{Prefix: "/static"})
	cases := map[string]string{
		"/static/sub":           "/static/sub/",
		"/static/sub?a=1&b=%2F": "/static/sub/?a=1&b=%2F",
		"/static/link-sub":      "/static/link-sub/",
		"/static/list/z-dir":    "/static/list/z-dir/",
		"/static/empty":         "/static/empty/",
	}
	for from, to := range cases {
		resp, _ := get(t, srv, from)
		wantStatus(t, from, resp, 301)
		wantHeader(t, from, resp, "Location", to)
	}
	// A file with a trailing slash is not a directory.
	resp, _ := get(t, srv, "/static/hello.txt/")
	wantStatus(t, "file with a slash", resp, 404)
}

func TestPrefixRedirectAndBoundary(t *testing.T) {
	fx := newFixture(t)
	srv := serve(t, fx, Options{Prefix: "/static", Listing: true})
	resp, _ := get(t, srv, "/static")
	wantStatus(t, "prefix", resp, 301)
	wantHeader(t, "prefix", resp, "Location", "/static/")
	resp, _ = get(t, srv, "/static?x=1&y")
	wantStatus(t, "prefix with a query", resp, 301)
	wantHeader(t, "prefix with a query", resp, "Location", "/static/?x=1&y")
	resp, body := get(t, srv, "/static/")
	wantStatus(t, "mount root", resp, 200)
	if !strings.Contains(string(body), "hello.txt") {
		t.Errorf("mount root: no listing")
	}
	// Not on a segment boundary, or not under the prefix at all.
	for _, p := range []string{"/staticx", "/staticx/hello.txt", "/stati", "/", "/hello.txt", "/other/static/hello.txt"} {
		resp, _ := get(t, srv, p)
		wantStatus(t, p, resp, 404)
	}

	// A deeper prefix.
	srv2 := serve(t, fx, Options{Prefix: "/a/b"})
	resp, body = get(t, srv2, "/a/b/hello.txt")
	wantStatus(t, "deep prefix", resp, 200)
	wantBody(t, "deep prefix", body, "hello, world\n")
	resp, _ = get(t, srv2, "/a/b")
	wantStatus(t, "deep prefix redirect", resp, 301)
	wantHeader(t, "deep prefix redirect", resp, "Location", "/a/b/")
	resp, _ = get(t, srv2, "/a/hello.txt")
	wantStatus(t, "above the deep prefix", resp, 404)
}

func TestRootMount(t *testing.T) {
	fx := newFixture(t)
	for _, prefix := range []string{"/", ""} {
		srv := serve(t, fx, Options{Prefix: prefix, Listing: true})
		resp, body := get(t, srv, "/hello.txt")
		wantStatus(t, "root mount file", resp, 200)
		wantBody(t, "root mount file", body, "hello, world\n")
		resp, body = get(t, srv, "/")
		wantStatus(t, "root mount listing", resp, 200)
		if !strings.Contains(string(body), `href="./hello.txt"`) {
			t.Errorf("root mount listing: no link to hello.txt")
		}
		if strings.Contains(string(body), `href="../"`) {
			t.Errorf("root mount listing: a parent link at the mount root")
		}
		resp, _ = get(t, srv, "/sub")
		wantStatus(t, "root mount dir redirect", resp, 301)
		wantHeader(t, "root mount dir redirect", resp, "Location", "/sub/")
		resp, body = get(t, srv, "/sub/")
		wantStatus(t, "root mount index", resp, 200)
		wantBody(t, "root mount index", body, "<h1>sub index</h1>")
		resp, _ = get(t, srv, "/static/hello.txt")
		wantStatus(t, "root mount: /static is just a name", resp, 404)
	}
}

func TestCacheControl(t *testing.T) {
	fx := newFixture(t)
	srv := serve(t, fx, Options{Prefix: "/static", CacheTimeout: 90 * time.Second})
	before := time.Now().Truncate(time.Second)
	resp, _ := get(t, srv, "/static/hello.txt")
	wantStatus(t, "cached", resp, 200)
	wantHeader(t, "cached", resp, "Cache-Control", "public, max-age=90")
	exp, err := http.ParseTime(resp.Header.Get("Expires"))
	if err != nil {
		t.Fatalf("Expires %q: %v", resp.Header.Get("Expires"), err)
	}
	if exp.Before(before.Add(90*time.Second)) || exp.After(time.Now().Add(91*time.Second)) {
		t.Errorf("Expires %v is not about 90s from now", exp)
	}
	// A 304 carries the freshness too, so caches can renew theirs.
	resp, _ = get(t, srv, "/static/hello.txt", "If-None-Match: "+resp.Header.Get("Etag"))
	wantStatus(t, "cached 304", resp, 304)
	wantHeader(t, "cached 304", resp, "Cache-Control", "public, max-age=90")
	if resp.Header.Get("Expires") == "" {
		t.Errorf("cached 304: no Expires")
	}
	// Errors are not cached for the file's timeout.
	resp, _ = get(t, srv, "/static/nope.txt")
	wantStatus(t, "cached 404", resp, 404)
	wantNoHeader(t, "cached 404", resp, "Expires")
	if cc := resp.Header.Get("Cache-Control"); strings.Contains(cc, "max-age=90") {
		t.Errorf("cached 404: Cache-Control %q", cc)
	}

	srv2 := serve(t, fx, Options{Prefix: "/static"})
	resp, _ = get(t, srv2, "/static/hello.txt")
	wantNoHeader(t, "no timeout", resp, "Cache-Control")
	wantNoHeader(t, "no timeout", resp, "Expires")

	srv3 := serve(t, fx, Options{Prefix: "/static", CacheTimeout: 300 * time.Millisecond})
	resp, _ = get(t, srv3, "/static/hello.txt")
	wantHeader(t, "sub-second timeout", resp, "Cache-Control", "public, max-age=1")
}

func TestMethodNotAllowed(t *testing.T) {
	fx := newFixture(t)
	var log errorLog
	srv := serve(t, fx, Options{Prefix: "/static", Error: log.write})
	for _, m := range []string{"POST", "PUT", "DELETE", "PATCH", "OPTIONS", "PROPFIND", "TRACE"} {
		for _, p := range []string{"/static/hello.txt", "/static/nope", "/static/"} {
			resp, body := do(t, srv, m, p)
			wantStatus(t, m+" "+p, resp, 405)
			wantHeader(t, m+" "+p, resp, "Allow", "GET, HEAD")
			wantBody(t, m+" "+p, body, errorBody(405))
		}
	}
	if c, _ := log.last(); c.Code != 405 || c.Title == "" {
		t.Errorf("Options.Error call %+v", c)
	}
}

func TestDotfiles(t *testing.T) {
	fx := newFixture(t)
	srv := serve(t, fx, Options{Prefix: "/static", Listing: true})
	for _, p := range []string{
		"/static/.env", "/static/.git/HEAD", "/static/.git/", "/static/.git",
		"/static/sub/.hidden", "/static/list/.git/config", "/static/list/.hidden",
		"/static/.well-known/x.txt",
	} {
		resp, body := raw(t, srv, "GET", p)
		wantStatus(t, p, resp, 404)
		if strings.Contains(string(body), "SECRET_KEY") || strings.Contains(string(body), "refs/heads") {
			t.Errorf("%s: leaked a dotfile: %q", p, body)
		}
	}
}

func TestDefaultErrorPage(t *testing.T) {
	fx := newFixture(t)
	srv := serve(t, fx, Options{Prefix: "/static"})
	resp, body := get(t, srv, "/static/nope.txt")
	wantStatus(t, "404", resp, 404)
	wantHeader(t, "404", resp, "Content-Type", "text/plain; charset=utf-8")
	wantHeader(t, "404", resp, "X-Content-Type-Options", "nosniff")
	if !strings.HasPrefix(string(body), "404 Not Found\n") {
		t.Errorf("404 body %q", body)
	}
	resp, body = do(t, srv, "POST", "/static/hello.txt")
	wantStatus(t, "405", resp, 405)
	if !strings.HasPrefix(string(body), "405 Method Not Allowed\n") || !strings.Contains(string(body), "GET or HEAD") {
		t.Errorf("405 body %q", body)
	}
}

func TestErrorHook(t *testing.T) {
	fx := newFixture(t)
	var log errorLog
	srv := serve(t, fx, Options{Prefix: "/static", Error: log.write})
	cases := []struct {
		path    string
		headers []string
		code    int
	}{
		{"/static/nope", nil, 404},
		{"/static/.env", nil, 404},
		{"/static/link-secret.txt", nil, 404},
		{"/static/big.bin", []string{"Range: bytes=99999-"}, 416},
		{"/static/big.bin", []string{`If-Match: "nope"`}, 412},
		{"/static/comp.css", []string{"Accept-Encoding: br", "Range: bytes=50-60"}, 416},
	}
	for _, c := range cases {
		resp, body := get(t, srv, c.path, c.headers...)
		wantStatus(t, c.path, resp, c.code)
		wantBody(t, c.path, body, errorBody(c.code))
		wantNoHeader(t, c.path, resp, "Content-Encoding")
		wantNoHeader(t, c.path, resp, "Etag")
		if call, ok := log.last(); !ok || call.Code != c.code || call.Title == "" {
			t.Errorf("%s: Options.Error call %+v, want code %d with a title", c.path, call, c.code)
		}
	}
}

// TestServerErrors checks the 500 path with errors a test cannot provoke
// on a healthy disk, still through a real listener.
func TestServerErrors(t *testing.T) {
	fx := newFixture(t)
	var log errorLog
	h, err := New(Options{Root: fx.root, Error: log.write})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	errs := map[string]error{
		"/eio":    &fs.PathError{Op: "open", Path: "/secret/path", Err: syscall.EIO},
		"/emfile": &fs.PathError{Op: "open", Path: "/secret/path", Err: syscall.EMFILE},
		"/enoent": &fs.PathError{Op: "open", Path: "/x", Err: syscall.ENOENT},
		"/eloop":  &fs.PathError{Op: "open", Path: "/x", Err: syscall.ELOOP},
		"/eacces": &fs.PathError{Op: "open", Path: "/x", Err: syscall.EACCES},
		"/escape": errNotFound,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.openError(w, r, errs[r.URL.Path])
	}))
	defer srv.Close()
	want := map[string]int{"/eio": 500, "/emfile": 500, "/enoent": 404, "/eloop": 404, "/eacces": 404, "/escape": 404}
	for p, code := range want {
		resp, _ := get(t, srv, p)
		wantStatus(t, p, resp, code)
		call, _ := log.last()
		if call.Code != code {
			t.Errorf("%s: Options.Error got %d", p, call.Code)
		}
		if strings.Contains(call.Detail, "/secret/path") {
			t.Errorf("%s: the detail reveals the path: %q", p, call.Detail)
		}
	}
}

func TestSymlinksInsideRoot(t *testing.T) {
	fx := newFixture(t)
	srv := serve(t, fx, Options{Prefix: "/static"})
	for _, p := range []string{"/static/link-inside.txt", "/static/link-inside-abs.txt", "/static/list/link-in.txt"} {
		resp, body := get(t, srv, p)
		wantStatus(t, p, resp, 200)
		wantBody(t, p, body, "hello, world\n")
	}
	resp, body := get(t, srv, "/static/link-sub/inner.txt")
	wantStatus(t, "through a directory symlink", resp, 200)
	wantBody(t, "through a directory symlink", body, "inner")
	for _, p := range []string{"/static/loop", "/static/dangling", "/static/link-dev", "/static/link-etc/passwd", "/static/link-etc/"} {
		resp, _ := get(t, srv, p)
		wantStatus(t, p, resp, 404)
	}
}

// TestConcurrent hammers one handler from many goroutines, for the race
// detector.
func TestConcurrent(t *testing.T) {
	fx := newFixture(t)
	srv := serve(t, fx, Options{Prefix: "/static", Listing: true, CacheTimeout: time.Minute})
	c := client(srv)
	defer c.CloseIdleConnections()
	paths := []string{"/static/hello.txt", "/static/comp.css", "/static/list/", "/static/sub/", "/static/nope", "/static/big.bin"}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				p := paths[(g+i)%len(paths)]
				req, _ := http.NewRequest("GET", srv.URL+p, nil)
				req.Header.Set("Accept-Encoding", "br, gzip")
				resp, err := c.Do(req)
				if err != nil {
					errs <- err
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if want := map[bool]int{true: 404, false: 200}[p == "/static/nope"]; resp.StatusCode != want {
					errs <- fmt.Errorf("%s: %d", p, resp.StatusCode)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
