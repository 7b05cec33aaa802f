package static

import (
	"path/filepath"
	"strings"
	"testing"
)

// hostileTargets are request-target suffixes appended to the mount prefix
// ("" for a root mount) and sent raw over TCP. Every one must be a 404
// produced by the handler, with none of the secret in the body.
var hostileTargets = []string{
	// Dot segments, plain and encoded.
	"/../secret.txt",
	"/../../secret.txt",
	"/..",
	"/../",
	"/sub/../../secret.txt",
	"/hello.txt/../../secret.txt",
	"/./../secret.txt",
	"/%2e%2e/secret.txt",
	"/%2E%2e/secret.txt",
	"/%2e%2E/%2e%2e/secret.txt",
	"/.%2e/secret.txt",
	"/%2e./secret.txt",
	"/sub/%2e%2e/%2e%2e/secret.txt",
	"/%2e%2e",
	// Encoded slashes.
	"/..%2fsecret.txt",
	"/..%2Fsecret.txt",
	"/%2e%2e%2fsecret.txt",
	"/sub%2f..%2f..%2fsecret.txt",
	"/sub/..%2f..%2fsecret.txt",
	"/sub%2finner.txt", // even to a real file
	"/%2fetc%2fpasswd",
	// Backslashes.
	`/..\secret.txt`,
	`/sub\..\..\secret.txt`,
	"/..%5csecret.txt",
	"/..%5Csecret.txt",
	"/%2e%2e%5csecret.txt",
	// NUL.
	"/hello.txt%00",
	"/hello.txt%00.png",
	"/%00/../secret.txt",
	// Overlong and invalid UTF-8.
	"/%c0%ae%c0%ae/secret.txt",
	"/%c0%ae%c0%ae%c0%afsecret.txt",
	"/..%c0%afsecret.txt",
	"/..%c1%9csecret.txt",
	"/%e0%80%ae%e0%80%ae/secret.txt",
	"/%ff/hello.txt",
	"/hello%fe.txt",
	// Double encoding: decoded once, it is a literal name that does not exist.
	"/%252e%252e/secret.txt",
	"/%252e%252e%252fsecret.txt",
	// Absolute paths and empty segments.
	"//etc/passwd",
	"//secret.txt",
	"/sub//../../secret.txt",
	"///",
	// Windows drive letters.
	"/C:/secret.txt",
	"/c:%5csecret.txt",
	"/C:..",
	"/sub/C:/x",
	// Odd dot forms.
	"/..;/secret.txt",
	"/.../secret.txt",
	"/..../secret.txt",
	"/%20/../secret.txt",
	// Symlinks out of the root: to a file, to a directory, via a
	// directory inside, absolute and relative, and a listing through them.
	"/link-secret.txt",
	"/link-secret-abs.txt",
	"/link-outdir/secret2.txt",
	"/link-outdir-abs/secret2.txt",
	"/link-outdir/",
	"/link-outdir",
	"/link-outdir-abs/",
	"/outindex/",
	"/sub/escape/secret.txt",
	"/sub/escape/",
	"/sub/escape-secret",
	"/list/link-secret",
	"/list/link-out/secret2.txt",
	"/list/link-out/",
	"/badindex/index.html",
	"/leak.css.gz",
	"/leak.css.br",
	"/link-dev",
	"/link-etc/passwd",
}

func TestTraversal(t *testing.T) {
	if len(hostileTargets) < 25 {
		t.Fatalf("only %d hostile targets", len(hostileTargets))
	}
	fx := newFixture(t)
	secretAbs := filepath.ToSlash(filepath.Join(fx.dir, "secret.txt"))
	for _, mount := range []string{"/static", "/"} {
		var log errorLog
		// Listing on, so that a directory outside would be listed if it
		// were ever reached.
		srv := serve(t, fx, Options{Prefix: mount, Listing: true, Error: log.write})
		base := mount
		if base == "/" {
			base = ""
		}
		targets := append([]string{
			"/" + secretAbs,                          // "/static//tmp/.../secret.txt"
			"/" + strings.TrimPrefix(secretAbs, "/"), // "/static/tmp/.../secret.txt": a relative name
			"/..%2f..%2f..%2f..%2f..%2f..%2f..%2f..%2f" + strings.ReplaceAll(strings.TrimPrefix(secretAbs, "/"), "/", "%2f"),
		}, hostileTargets...)
		for _, suffix := range targets {
			for _, method := range []string{"GET", "HEAD"} {
				target := base + suffix
				resp, body := raw(t, srv, method, target, "Accept-Encoding: br, gzip", "Range: bytes=0-")
				if resp.StatusCode != 404 {
					t.Errorf("mount %s: %s %q: status %d, want 404 (body %q)", mount, method, target, resp.StatusCode, short(body))
				}
				if strings.Contains(string(body), fx.marker) || strings.Contains(string(body), "secret2") {
					t.Errorf("mount %s: %s %q: LEAKED: %q", mount, method, target, short(body))
				}
				if method == "GET" && string(body) != errorBody(404) {
					t.Errorf("mount %s: GET %q: body %q, not the handler's 404", mount, target, short(body))
				}
			}
		}
		// Positive controls: the same server does serve what it should.
		for suffix, want := range map[string]string{
			"/hello.txt":           "hello, world\n",
			"/link-inside-abs.txt": "hello, world\n",
			"/sub/inner.txt":       "inner",
			"/%68ello.txt":         "hello, world\n",
		} {
			resp, body := raw(t, srv, "GET", base+suffix)
			if resp.StatusCode != 200 || string(body) != want {
				t.Errorf("mount %s: control %q: %d %q", mount, base+suffix, resp.StatusCode, body)
			}
		}
	}
}

// TestTraversalAbsoluteForm sends absolute-form request targets, which
// net/http parses into r.URL without cleaning.
func TestTraversalAbsoluteForm(t *testing.T) {
	fx := newFixture(t)
	srv := serve(t, fx, Options{Prefix: "/static", Listing: true})
	for _, target := range []string{
		"http://127.0.0.1/static/../secret.txt",
		"http://127.0.0.1/static/%2e%2e/secret.txt",
		"http://127.0.0.1/static/..%2fsecret.txt",
		"http://127.0.0.1/static/link-secret.txt",
		"http://127.0.0.1/static//" + strings.TrimPrefix(filepath.ToSlash(filepath.Join(fx.dir, "secret.txt")), "/"),
	} {
		resp, body := raw(t, srv, "GET", target)
		if resp.StatusCode != 404 || strings.Contains(string(body), fx.marker) {
			t.Errorf("%q: %d %q", target, resp.StatusCode, body)
		}
	}
	resp, body := raw(t, srv, "GET", "http://127.0.0.1/static/hello.txt")
	if resp.StatusCode != 200 || string(body) != "hello, world\n" {
		t.Errorf("absolute-form control: %d %q", resp.StatusCode, body)
	}
}

// TestTraversalRejectedByNetHTTP covers targets net/http refuses before
// the handler runs (bad escapes): whatever answers, nothing leaks.
func TestTraversalRejectedByNetHTTP(t *testing.T) {
	fx := newFixture(t)
	srv := serve(t, fx, Options{Prefix: "/static", Listing: true})
	for _, target := range []string{
		"/static/%u002e%u002e/secret.txt",
		"/static/%%32%65%%32%65/secret.txt",
		"/static/%2/secret.txt",
		"/static/..%/secret.txt",
	} {
		resp, body := raw(t, srv, "GET", target)
		if resp.StatusCode != 400 && resp.StatusCode != 404 {
			t.Errorf("%q: status %d, want 400 or 404", target, resp.StatusCode)
		}
		if strings.Contains(string(body), fx.marker) {
			t.Errorf("%q: LEAKED: %q", target, body)
		}
	}
}

func TestValidRel(t *testing.T) {
	good := []string{"", "a", "a/", "a/b", "a/b/", "a b/ü.txt", "a..b", "a.", "ab:c", "1:x"}
	bad := []string{"/", "//", "a//b", "a//", ".", "..", "./a", "a/..", "a/../b", ".env", "a/.git/x",
		"a\\b", "a\x00b", "a\x01", "a\x7f", "C:", "c:/x", "x:y", "a/Z:b", "\xff", "a/\xc0\xae", "a///"}
	for _, s := range good {
		if !validRel(s) {
			t.Errorf("validRel(%q) = false, want true", s)
		}
	}
	for _, s := range bad {
		if validRel(s) {
			t.Errorf("validRel(%q) = true, want false", s)
		}
	}
}

func TestRawHostile(t *testing.T) {
	bad := []string{"/a%2fb", "/a%2Fb", "/a%5cb", "/a%5Cb", "/a%00", `/a\b`, "http://h/a%2fb"}
	good := []string{"/a/b", "/a%20b", "/a?x=%2f", "/a?x=\\", "/a%252fb", "", "/%2", "/%"}
	for _, s := range bad {
		if !rawHostile(s) {
			t.Errorf("rawHostile(%q) = false, want true", s)
		}
	}
	for _, s := range good {
		if rawHostile(s) {
			t.Errorf("rawHostile(%q) = true, want false", s)
		}
	}
}
