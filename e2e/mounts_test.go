package e2e

// Several apps and static files on one site, from flags: the mount table,
// SCRIPT_NAME/PATH_INFO per mount, Flask's url_for under a mount, static
// files served by Go beside the apps, and reload of the one app that changed.

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestMountsTwoFlaskAppsAndStatic(t *testing.T) {
	dir := filepath.Join(testApps, "mounts")
	s := start(t, dir, "--python", venvPy, "--no-reload",
		"--wsgi", "/a=appa.app", "--wsgi", "/b=appb.app", "--static", "/static=static")
	s.waitLog(`mounts\s+/a\s+wsgi appa.app`, 5*time.Second)

	for _, c := range []struct{ app, path, scriptName, pathInfo, url, static string }{
		{"a", "/a/where/q", "/a", "/where/q", "/a/where/q", "/a/static/x.css"},
		{"b", "/b/where/z", "/b", "/where/z", "/b/where/z", "/b/static/x.css"},
	} {
		code, body := s.get(c.path)
		var got map[string]string
		if code != 200 || json.Unmarshal([]byte(body), &got) != nil {
			t.Fatalf("GET %s = %d %q", c.path, code, body)
		}
		if got["app"] != c.app || got["script_name"] != c.scriptName || got["path_info"] != c.pathInfo ||
			got["url"] != c.url || got["static"] != c.static {
			t.Errorf("GET %s = %v; want app %s, SCRIPT_NAME %s, PATH_INFO %s, url_for %s and %s",
				c.path, got, c.app, c.scriptName, c.pathInfo, c.url, c.static)
		}
	}
	// url_for in a page, too: the link points inside the mount.
	if code, body := s.get("/a/"); code != 200 || body != "A home; next: /a/where/x" {
		t.Errorf("GET /a/ = %d %q", code, body)
	}
	// Flask redirects the bare mount to its slash form, inside the mount.
	resp, err := http.DefaultTransport.RoundTrip(s.request("GET", "/b", nil))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusPermanentRedirect || !strings.HasSuffix(resp.Header.Get("Location"), "/b/") {
		t.Errorf("GET /b = %d Location %q; want 308 to /b/", resp.StatusCode, resp.Header.Get("Location"))
	}

	// Static files come from Go, beside the apps.
	resp, body := s.do(s.request("GET", "/static/css/site.css", nil))
	if resp.StatusCode != 200 || string(body) != "body { color: #333; }\n" || resp.Header.Get("Content-Type") != "text/css; charset=utf-8" {
		t.Errorf("GET /static/css/site.css = %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	etag := resp.Header.Get("ETag")
	req := s.request("GET", "/static/css/site.css", nil)
	req.Header.Set("If-None-Match", etag)
	if resp, _ := s.do(req); etag == "" || resp.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match %q: %d, want 304", etag, resp.StatusCode)
	}
	req = s.request("GET", "/static/css/site.css", nil)
	req.Header.Set("Range", "bytes=0-3")
	if resp, body := s.do(req); resp.StatusCode != http.StatusPartialContent || string(body) != "body" {
		t.Errorf("Range 0-3: %d %q", resp.StatusCode, body)
	}
	if code, body := s.get("/static/"); code != 200 || !strings.Contains(body, "static index") {
		t.Errorf("GET /static/ = %d %q", code, body)
	}

	// Nothing mounted at / or at a path that only shares a prefix.
	for _, p := range []string{"/", "/ab", "/staticx/css/site.css"} {
		if code, body := s.get(p); code != 404 || !strings.Contains(body, "nothing is mounted") {
			t.Errorf("GET %s = %d %q; want the 404 page", p, code, body)
		}
	}
	// A static root never hands out the apps' code, however the path is spelt.
	for _, target := range []string{"/static/../appa.py", "/static/..%2fappa.py", "/static/%2e%2e/appa.py", "/static/.%2e/appa.py", "/static/..\\appa.py"} {
		status, body := rawGet(t, s, target)
		if status == 200 || strings.Contains(body, "Flask(__name__)") {
			t.Errorf("GET %s = %d %q: the app's source leaked", target, status, body)
		}
	}
}

// TestMountScriptNameTable: the longest mount wins on segment boundaries, and
// SCRIPT_NAME is the mount, PATH_INFO the rest, as PEP 3333 and Twisted's
// resource tree have it.
func TestMountScriptNameTable(t *testing.T) {
	dir := filepath.Join(testApps, "mounts")
	s := start(t, dir, "--python", venvPy, "--no-reload",
		"--wsgi", "environ_app.application", "--wsgi", "/api=environ_app.application", "--wsgi", "/api/v2=environ_app.application")
	for _, c := range []struct{ path, scriptName, pathInfo string }{
		{"/", "", "/"},
		{"/x", "", "/x"},
		{"/apix", "", "/apix"},
		{"/api", "/api", ""},
		{"/api/", "/api", "/"},
		{"/api/x/y", "/api", "/x/y"},
		{"/api/v2", "/api/v2", ""},
		{"/api/v2/", "/api/v2", "/"},
		{"/api/v2/z", "/api/v2", "/z"},
		{"/api/v2x", "/api", "/v2x"},
		{"/api/v2?q=1", "/api/v2", ""},
		{"/a%20b", "", "/a b"},
	} {
		code, body := s.get(c.path)
		var got map[string]string
		if code != 200 || json.Unmarshal([]byte(body), &got) != nil {
			t.Fatalf("GET %s = %d %q", c.path, code, body)
		}
		if got["script_name"] != c.scriptName || got["path_info"] != c.pathInfo {
			t.Errorf("GET %s: SCRIPT_NAME %q PATH_INFO %q; want %q %q", c.path, got["script_name"], got["path_info"], c.scriptName, c.pathInfo)
		}
	}
}

// TestMountsReloadOnlyTheChangedApp: a save reloads the app that imported
// the file and no other; a change under a static root reloads nothing.
func TestMountsReloadOnlyTheChangedApp(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a.py"), versionApp("a1"))
	write(t, filepath.Join(dir, "b.py"), versionApp("b1"))
	write(t, filepath.Join(dir, "assets", "site.css"), "body {}\n")
	write(t, filepath.Join(dir, "assets", "notes.txt"), "v1\n")
	s := start(t, dir, "--python", venvPy, "--wsgi", "/a=a.application", "--wsgi", "/b=b.application", "--static", "/assets=assets")
	waitPath := func(path, want string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			code, body := s.get(path)
			if code == 200 && body == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("GET %s never answered %q; last %d %q", path, want, code, body)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitPath("/a", "a1")
	waitPath("/b", "b1")

	write(t, filepath.Join(dir, "a.py"), versionApp("a2"))
	waitPath("/a", "a2")
	s.waitLog(`/a \(a\.application\): reloaded \(a\.py changed\)`, 5*time.Second)
	// Static files change without a reload (and notes.txt matches the
	// default include globs, so the watcher does see it).
	write(t, filepath.Join(dir, "assets", "notes.txt"), "v2\n")
	write(t, filepath.Join(dir, "b.py"), versionApp("b2"))
	waitPath("/b", "b2")
	s.waitLog(`/b \(b\.application\): reloaded \(b\.py changed\)`, 5*time.Second)
	time.Sleep(300 * time.Millisecond) // let a wrong reload show itself in the log
	out := s.out.String()
	if n := strings.Count(out, "reloaded ("); n != 2 {
		t.Errorf("%d reloads, want 2 (a.py for /a, b.py for /b):\n%s", n, out)
	}
	if strings.Contains(out, "notes.txt") {
		t.Errorf("a change under the static root reloaded an app:\n%s", out)
	}
	if code, body := s.get("/assets/notes.txt"); code != 200 || body != "v2\n" {
		t.Errorf("GET /assets/notes.txt = %d %q", code, body)
	}
}

func TestMountFlagMistakes(t *testing.T) {
	dir := filepath.Join(testApps, "mounts")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--wsgi", "/a=appa.app", "--wsgi", "/a=appb.app"}, `gowsgi web: --wsgi /a=appb.app: /a is already mounted by --wsgi /a=appa.app`},
		{[]string{"--wsgi", "/a"}, `gowsgi web: --wsgi "/a": a URL path is followed by =FQPN`},
		{[]string{"--wsgi", "/a/../b=appa.app"}, `must not have empty, "." or ".." segments`},
		{[]string{"--static", "static"}, `gowsgi web: --static "static": want /URLPATH=DIR`},
		{[]string{"--static", "/s=missing"}, "--static /s=missing: " + filepath.Join(dir, "missing") + ": no such directory"},
		{[]string{"--path", "static", "--wsgi", "appa.app"}, `--path static: / is already mounted by --wsgi appa.app`},
		{[]string{"--listen", "ssl:0:certKey=x.pem"}, `certKey without privateKey`},
	} {
		out, err := gowsgi(dir, nil, append([]string{"-n", "web", "--python", venvPy}, c.args...)...).CombinedOutput()
		if code := exitCode(err); code != 2 || !strings.Contains(string(out), c.want) {
			t.Errorf("%q: exit %d, output %q; want 2 and %q", c.args, code, out, c.want)
		}
	}
}

// TestDjangoStaticInDevelopment: a Django project with DEBUG on and
// django.contrib.staticfiles installed gets its static files as runserver
// serves them, so the admin is styled; the banner says so.
func TestDjangoStaticInDevelopment(t *testing.T) {
	s := start(t, filepath.Join(testApps, "djangodev"), "--python", venvPy, "--no-reload", "--wsgi", "devsite.wsgi.application")
	s.waitLog(`note\s+Django static files at /static/, as runserver serves them`, time.Second)
	code, page := s.get("/admin/login/")
	if code != 200 || !strings.Contains(page, `href="/static/admin/css/base.css"`) {
		t.Fatalf("GET /admin/login/ = %d, without its stylesheet link:\n%s", code, page)
	}
	resp, css := s.do(s.request("GET", "/static/admin/css/base.css", nil))
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/css") || !strings.Contains(string(css), "body") {
		t.Errorf("GET /static/admin/css/base.css = %d %q (%d bytes)", resp.StatusCode, resp.Header.Get("Content-Type"), len(css))
	}
	// With DEBUG off (testapps/djangoproj) nothing is added.
	s2 := start(t, filepath.Join(testApps, "djangoproj"), "--python", venvPy, "--no-reload", "--wsgi", "mysite.wsgi.application")
	if strings.Contains(s2.out.String(), "Django static files") {
		t.Errorf("DEBUG off, yet the banner says static files are served:\n%s", s2.out)
	}
}
