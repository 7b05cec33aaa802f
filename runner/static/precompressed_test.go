package static

import (
	"strconv"
	"strings"
	"testing"
)

func TestPrecompressed(t *testing.T) {
	fx := newFixture(t)
	srv := serve(t, fx, Options{Prefix: "/static"})
	const css = "text/css; charset=utf-8"
	cases := []struct {
		path, accept string
		enc, body    string
		ctype        string
	}{
		{"/static/comp.css", "br, gzip", "br", "BR-BYTES", css},
		{"/static/comp.css", "gzip, deflate, br, zstd", "br", "BR-BYTES", css},
		{"/static/comp.css", "gzip", "gzip", "GZ-BYTES", css},
		{"/static/comp.css", "x-gzip", "gzip", "GZ-BYTES", css},
		{"/static/comp.css", "BR", "br", "BR-BYTES", css},
		{"/static/comp.css", "gzip, br;q=0", "gzip", "GZ-BYTES", css},
		{"/static/comp.css", "br;q=0.0, gzip", "gzip", "GZ-BYTES", css},
		{"/static/comp.css", "br;q=0, gzip;q=0", "", "identity css", css},
		{"/static/comp.css", "gzip;q=1, br;q=0.5", "gzip", "GZ-BYTES", css},
		{"/static/comp.css", "br;q=0.5, gzip;q=0.5", "br", "BR-BYTES", css},
		{"/static/comp.css", "*", "br", "BR-BYTES", css},
		{"/static/comp.css", "*, br;q=0", "gzip", "GZ-BYTES", css},
		{"/static/comp.css", "*;q=0", "", "identity css", css},
		{"/static/comp.css", "identity", "", "identity css", css},
		{"/static/comp.css", "deflate", "", "identity css", css},
		{"/static/comp.css", "br;q=nonsense", "", "identity css", css},
		{"/static/comp.css", "", "", "identity css", css},
		{"/static/only-gz.js", "br, gzip", "gzip", "GZ-JS", "text/javascript; charset=utf-8"},
		{"/static/only-gz.js", "br", "", "js identity", "text/javascript; charset=utf-8"},
		// The sibling must be a regular file inside the root.
		{"/static/leak.css", "br, gzip", "", "leak identity", css},
		{"/static/dirsib.css", "br, gzip", "", "dirsib identity", css},
		// A sibling symlinked to a file inside is fine.
		{"/static/lnk.css", "gzip", "gzip", "GZ-BYTES", css},
	}
	for _, c := range cases {
		what := c.path + " with Accept-Encoding " + c.accept
		var headers []string
		if c.accept != "" {
			headers = append(headers, "Accept-Encoding: "+c.accept)
		}
		resp, body := get(t, srv, c.path, headers...)
		wantStatus(t, what, resp, 200)
		wantBody(t, what, body, c.body)
		wantHeader(t, what, resp, "Content-Encoding", c.enc)
		wantHeader(t, what, resp, "Content-Type", c.ctype)
		wantHeader(t, what, resp, "Vary", "Accept-Encoding")
		wantHeader(t, what, resp, "Content-Length", strconv.Itoa(len(c.body)))
		if strings.Contains(string(body), fx.marker) {
			t.Errorf("%s: LEAKED", what)
		}
		etag := resp.Header.Get("Etag")
		if !etagRE.MatchString(etag) {
			t.Errorf("%s: ETag %q", what, etag)
		}
		if c.enc != "" && !strings.HasSuffix(etag, "-"+c.enc+`"`) {
			t.Errorf("%s: ETag %q does not name the coding", what, etag)
		}
	}

	// No sibling: no Vary, no Content-Encoding.
	resp, _ := get(t, srv, "/static/hello.txt", "Accept-Encoding: br, gzip")
	wantNoHeader(t, "no sibling", resp, "Vary")
	wantNoHeader(t, "no sibling", resp, "Content-Encoding")

	// Each variant has its own ETag, and conditional requests respect it.
	etags := map[string]string{}
	for _, ae := range []string{"br", "gzip", "identity"} {
		resp, _ := get(t, srv, "/static/comp.css", "Accept-Encoding: "+ae)
		etags[ae] = resp.Header.Get("Etag")
	}
	if etags["br"] == etags["gzip"] || etags["br"] == etags["identity"] || etags["gzip"] == etags["identity"] {
		t.Fatalf("ETags do not differ per coding: %v", etags)
	}
	resp, body := get(t, srv, "/static/comp.css", "Accept-Encoding: br", "If-None-Match: "+etags["br"])
	wantStatus(t, "304 for br", resp, 304)
	wantBody(t, "304 for br", body, "")
	wantHeader(t, "304 for br", resp, "Vary", "Accept-Encoding")
	wantNoHeader(t, "304 for br", resp, "Content-Encoding")
	resp, body = get(t, srv, "/static/comp.css", "Accept-Encoding: gzip", "If-None-Match: "+etags["br"])
	wantStatus(t, "br ETag, gzip client", resp, 200)
	wantBody(t, "br ETag, gzip client", body, "GZ-BYTES")

	// Ranges apply to the compressed bytes.
	resp, body = get(t, srv, "/static/comp.css", "Accept-Encoding: br", "Range: bytes=3-4")
	wantStatus(t, "range of br", resp, 206)
	wantBody(t, "range of br", body, "BY")
	wantHeader(t, "range of br", resp, "Content-Range", "bytes 3-4/8")
	wantHeader(t, "range of br", resp, "Content-Encoding", "br")
	wantHeader(t, "range of br", resp, "Content-Length", "2")
	resp, _ = get(t, srv, "/static/comp.css", "Accept-Encoding: br", "Range: bytes=3-4", "If-Range: "+etags["gzip"])
	wantStatus(t, "If-Range with another coding's ETag", resp, 200)

	// HEAD: the compressed length, no body.
	resp, body = raw(t, srv, "HEAD", "/static/comp.css", "Accept-Encoding: gzip")
	wantStatus(t, "HEAD gzip", resp, 200)
	wantHeader(t, "HEAD gzip", resp, "Content-Length", "8")
	wantHeader(t, "HEAD gzip", resp, "Content-Encoding", "gzip")
	wantBody(t, "HEAD gzip", body, "")

	// Index files get siblings too.
	mustWrite(t, fx.root+"/zipped/index.html", "plain index")
	mustWrite(t, fx.root+"/zipped/index.html.gz", "GZ-INDEX")
	resp, body = get(t, srv, "/static/zipped/", "Accept-Encoding: gzip")
	wantStatus(t, "gzipped index", resp, 200)
	wantBody(t, "gzipped index", body, "GZ-INDEX")
	wantHeader(t, "gzipped index", resp, "Content-Type", "text/html; charset=utf-8")
}

func TestAcceptEncoding(t *testing.T) {
	type qs = [len(codings)]float64
	cases := []struct {
		values []string
		want   qs
	}{
		{nil, qs{0, 0}},
		{[]string{""}, qs{0, 0}},
		{[]string{"br"}, qs{1, 0}},
		{[]string{"gzip, br"}, qs{1, 1}},
		{[]string{"gzip;q=0.8, br;q=0.3"}, qs{0.3, 0.8}},
		{[]string{"gzip ; q=0.8 , br ; Q=0.3"}, qs{0.3, 0.8}},
		{[]string{"*;q=0.2"}, qs{0.2, 0.2}},
		{[]string{"*;q=0.2, br"}, qs{1, 0.2}},
		{[]string{"gzip", "br;q=0"}, qs{0, 1}},
		{[]string{"br, br;q=0"}, qs{0, 0}},
		{[]string{"br;q=2"}, qs{0, 0}},
		{[]string{"br;q=-1"}, qs{0, 0}},
		{[]string{"br;q=NaN"}, qs{0, 0}},
		{[]string{"br;level=5;q=0.5"}, qs{0.5, 0}},
		{[]string{",,, br ,"}, qs{1, 0}},
		{[]string{"x-gzip;q=0.4"}, qs{0, 0.4}},
		{[]string{"brotli, gzipx"}, qs{0, 0}},
	}
	for _, c := range cases {
		if got := acceptEncoding(c.values); got != c.want {
			t.Errorf("acceptEncoding(%q) = %v, want %v", c.values, got, c.want)
		}
	}
}
