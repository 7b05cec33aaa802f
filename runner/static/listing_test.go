package static

import (
	"html"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var hrefRE = regexp.MustCompile(`href="([^"]*)"`)

func TestListing(t *testing.T) {
	fx := newFixture(t)
	srv := serve(t, fx, Options{Prefix: "/static", Listing: true})
	resp, b := get(t, srv, "/static/list/")
	wantStatus(t, "listing", resp, 200)
	wantHeader(t, "listing", resp, "Content-Type", "text/html; charset=utf-8")
	wantHeader(t, "listing", resp, "X-Content-Type-Options", "nosniff")
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("listing: Content-Security-Policy %q", csp)
	}
	if resp.Header.Get("Content-Length") != strconv.Itoa(len(b)) {
		t.Errorf("listing: Content-Length %q for %d bytes", resp.Header.Get("Content-Length"), len(b))
	}
	body := string(b)
	for _, want := range []string{
		"<title>Index of /static/list/</title>",
		"prefers-color-scheme:dark",
		`<a href="../">../</a>`,
		`href="./z-dir/">z-dir/</a>`,
		`href="./alpha.txt">alpha.txt</a>`,
		`href="./a%20b.txt">a b.txt</a>`,
		`href="./%C3%BCn%C3%AF.txt">ünï.txt</a>`,
		`href="./link-in.txt">link-in.txt</a>`,
		`title="5 bytes">5 B<`,
		`<time datetime="2024-05-06T07:08:09Z">2024-05-06 07:08</time>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("listing lacks %q", want)
		}
	}
	// Hidden: dotfiles, and symlinks that leave the root.
	for _, hidden := range []string{".hidden", ".git", "link-out", "link-secret"} {
		if strings.Contains(body, hidden) {
			t.Errorf("listing shows %q", hidden)
		}
	}
	if strings.Contains(body, "<script") || strings.Contains(body, "http://") || strings.Contains(body, "https://") {
		t.Errorf("listing is not self-contained")
	}
	// Directories first, then names regardless of case.
	order := []string{">z-dir/<", ">&lt;b&gt;&amp;&#34;x.txt<", ">a b.txt<", ">alpha.txt<", ">link-in.txt<", ">Zeta.txt<", ">ünï.txt<"}
	last := -1
	for _, name := range order {
		i := strings.Index(body, name)
		if i < 0 {
			t.Fatalf("listing lacks %s", name)
		}
		if i < last {
			t.Errorf("%s is out of order", name)
		}
		last = i
	}

	// The mount root has no parent link and shows sizes in KiB.
	resp, b = get(t, srv, "/static/")
	wantStatus(t, "mount root", resp, 200)
	body = string(b)
	if strings.Contains(body, `href="../">../<`) {
		t.Errorf("a parent link at the mount root")
	}
	if !strings.Contains(body, `title="10000 bytes">9.8 KiB<`) {
		t.Errorf("big.bin's size is not shown as 9.8 KiB")
	}
	if !strings.Contains(body, `href="./link-sub/">link-sub/</a>`) {
		t.Errorf("a symlink to a directory inside is not listed as a directory")
	}

	// A directory whose only entry escapes the root looks empty.
	resp, b = get(t, srv, "/static/badindex/")
	wantStatus(t, "badindex", resp, 200)
	if strings.Contains(string(b), "index.html") || !strings.Contains(string(b), "This directory is empty.") {
		t.Errorf("badindex listing shows its escaping index.html")
	}

	// An empty directory says so; HEAD has the headers and no body.
	resp, b = get(t, srv, "/static/empty/")
	wantStatus(t, "empty", resp, 200)
	if !strings.Contains(string(b), "This directory is empty.") {
		t.Errorf("empty directory: %q", b)
	}
	resp, b = raw(t, srv, "HEAD", "/static/list/")
	wantStatus(t, "HEAD listing", resp, 200)
	if n, _ := strconv.Atoi(resp.Header.Get("Content-Length")); n < 500 {
		t.Errorf("HEAD listing: Content-Length %q", resp.Header.Get("Content-Length"))
	}
	wantBody(t, "HEAD listing", b, "")
}

func TestListingEscapesNames(t *testing.T) {
	fx := newFixture(t)
	mustWrite(t, fx.root+"/list/x\"><img src=x onerror=alert(1)>.txt", "xss")
	mustWrite(t, fx.root+"/list/javascript:alert(1)", "js")
	mustWrite(t, fx.root+"/list/100%.txt", "pct")
	mustWrite(t, fx.root+"/list/q?a=1#f.txt", "query")
	srv := serve(t, fx, Options{Prefix: "/static", Listing: true})
	resp, b := get(t, srv, "/static/list/")
	wantStatus(t, "listing", resp, 200)
	body := string(b)
	if strings.Contains(body, `<b>&"x.txt`) || strings.Contains(body, "<img") {
		t.Fatalf("a name reached the page unescaped:\n%s", body)
	}
	if !strings.Contains(body, "&lt;b&gt;&amp;&#34;x.txt") {
		t.Errorf("the escaped name is missing")
	}
	if strings.Contains(body, `href="javascript:`) {
		t.Errorf("a javascript: link")
	}
	// Every link leads where it says: follow them all.
	base, _ := url.Parse(srv.URL + "/static/list/")
	want := map[string]string{
		`<b>&"x.txt`:                          "escaped",
		"a b.txt":                             "space",
		"ünï.txt":                             "unicode",
		`x"><img src=x onerror=alert(1)>.txt`: "xss",
		"javascript:alert(1)":                 "js",
		"100%.txt":                            "pct",
		"q?a=1#f.txt":                         "query",
		"alpha.txt":                           "alpha",
	}
	followed := map[string]bool{}
	for _, m := range hrefRE.FindAllStringSubmatch(body, -1) {
		ref, err := url.Parse(html.UnescapeString(m[1]))
		if err != nil {
			t.Errorf("href %q: %v", m[1], err)
			continue
		}
		u := base.ResolveReference(ref)
		if u.Host != base.Host {
			t.Errorf("href %q leaves the site: %s", m[1], u)
			continue
		}
		resp, got := get(t, srv, u.RequestURI())
		if resp.StatusCode != 200 {
			t.Errorf("href %q → %s: %d", m[1], u.RequestURI(), resp.StatusCode)
			continue
		}
		name, _ := url.PathUnescape(strings.TrimPrefix(u.EscapedPath(), "/static/list/"))
		followed[name] = true
		if w, ok := want[name]; ok && string(got) != w {
			t.Errorf("href %q: body %q, want %q", m[1], got, w)
		}
	}
	for name := range want {
		if !followed[name] {
			t.Errorf("no working link to %q", name)
		}
	}
}

func TestListingOff(t *testing.T) {
	fx := newFixture(t)
	srv := serve(t, fx, Options{Prefix: "/static"})
	for _, p := range []string{"/static/", "/static/list/", "/static/empty/", "/static/list/z-dir/"} {
		resp, body := get(t, srv, p)
		wantStatus(t, p, resp, 404)
		if strings.Contains(string(body), "alpha.txt") || strings.Contains(string(body), "Index of") {
			t.Errorf("%s: a listing with Listing off: %q", p, body)
		}
	}
	// Index files still work.
	resp, _ := get(t, srv, "/static/sub/")
	wantStatus(t, "index with listing off", resp, 200)
}

func TestHumanSize(t *testing.T) {
	cases := map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1.0 KiB", 10000: "9.8 KiB", 10240: "10 KiB",
		1 << 20: "1.0 MiB", 5 << 30: "5.0 GiB", 3 << 40: "3.0 TiB", 5000 << 40: "5000 TiB"}
	for n, want := range cases {
		if got := humanSize(n); got != want {
			t.Errorf("humanSize(%d) = %q, want %q", n, got, want)
		}
	}
}
