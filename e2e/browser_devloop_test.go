package e2e

// The developer's loop as a person sees it, in headless Chromium: a page
// that follows the template by itself, a stylesheet swapped in place, the
// debug page, and the broken-code page that comes and goes with the save.
//
// With GOWSGI_SCREENSHOTS=DIR (make screenshots), the debug page and the
// broken-code page are saved there in light and dark: docs/screenshots/.

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// screenshots saves the page, light and dark, as DIR/NAME-light.png and
// NAME-dark.png when GOWSGI_SCREENSHOTS names a directory.
func screenshots(t *testing.T, p *page, name string) {
	t.Helper()
	dir := os.Getenv("GOWSGI_SCREENSHOTS")
	if dir == "" {
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p.screenshot(filepath.Join(dir, name+"-light.png"))
	p.darkMode(true)
	p.screenshot(filepath.Join(dir, name+"-dark.png"))
	p.darkMode(false)
}

func TestBrowserPageFollowsTheCode(t *testing.T) {
	dir := copyDir(t, filepath.Join(testApps, "devloop"))
	s := start(t, dir, "--python", venvPy, "--wsgi", "app.app", "--static", "/static=static")
	b := startBrowser(t)
	p := b.open(s.URL + "/")
	p.waitText("Hello from the first version", 5*time.Second)
	if color := p.eval(`getComputedStyle(document.querySelector('h1')).color`); color != "rgb(0, 0, 255)" {
		t.Fatalf("h1 color %q before the stylesheet changed", color)
	}
	waitListening := func() { // the page's script has connected to the event stream
		deadline := time.Now().Add(5 * time.Second)
		for p.eval(`String(window.__gowsgiLive === true)`) != "true" {
			if time.Now().After(deadline) {
				t.Fatal("the live-reload script did not run")
			}
			time.Sleep(20 * time.Millisecond)
		}
		time.Sleep(200 * time.Millisecond) // its EventSource to connect
	}
	waitListening()

	// A template edit: the page shows it by itself.
	tpl := filepath.Join(dir, "templates", "index.html")
	old, _ := os.ReadFile(tpl)
	write(t, tpl, strings.Replace(string(old), "the first version", "the second version", 1))
	p.waitText("Hello from the second version", 5*time.Second)
	if n := p.reloads(); n != 1 {
		t.Errorf("%d reloads for one save, want 1", n)
	}

	// A stylesheet edit under a static mount: swapped without a reload.
	waitListening()
	write(t, filepath.Join(dir, "static", "site.css"), "h1 { color: rgb(0, 128, 0); }\n")
	deadline := time.Now().Add(5 * time.Second)
	for p.eval(`getComputedStyle(document.querySelector('h1')).color`) != "rgb(0, 128, 0)" {
		if time.Now().After(deadline) {
			t.Fatalf("the new stylesheet did not apply; h1 is %s", p.eval(`getComputedStyle(document.querySelector('h1')).color`))
		}
		time.Sleep(50 * time.Millisecond)
	}
	if n := p.reloads(); n != 1 {
		t.Errorf("the stylesheet change reloaded the page (%d reloads)", n)
	}
}

func TestBrowserDebugAndBrokenPages(t *testing.T) {
	dir := copyDir(t, filepath.Join(testApps, "devloop"))
	s := start(t, dir, "--python", venvPy, "--wsgi", "app.app", "--static", "/static=static")
	b := startBrowser(t)

	// The debug page: the exception, a frame's source line, a local value.
	p := b.open(s.URL + "/order/7")
	p.waitText("KeyError: 7", 5*time.Second)
	text := p.eval(`document.body.innerText`)
	for _, want := range []string{"return orders[order_id]", "customer\t'Ada Lovelace'", "api_password\t********"} {
		if !strings.Contains(text, want) {
			t.Errorf("the debug page does not show %q:\n%s", want, text)
		}
	}
	// Library frames are folded: their source is not visible.
	if visible := p.eval(`String([...document.querySelectorAll('details.frame.lib')].some(d => d.open))`); visible != "false" {
		t.Errorf("a library frame is open")
	}
	screenshots(t, p, "debug")

	// Broken code: the open page turns into the error page by itself, and
	// back into the app once the save fixes it.
	home := b.open(s.URL + "/")
	home.waitText("Hello from the first version", 5*time.Second)
	time.Sleep(300 * time.Millisecond) // the live-reload stream to connect
	app := filepath.Join(dir, "app.py")
	good, _ := os.ReadFile(app)
	write(t, app, strings.Replace(string(good), "def home():", "def home(:", 1))
	home.waitText("The app's code did not import", 10*time.Second)
	if text := home.eval(`document.body.innerText`); !strings.Contains(text, "SyntaxError") || !strings.Contains(text, "app.py") {
		t.Errorf("the broken-code page does not show the error:\n%s", text)
	}
	screenshots(t, home, "broken")
	time.Sleep(300 * time.Millisecond)
	write(t, app, string(good))
	home.waitText("Hello from the first version", 10*time.Second)
}
