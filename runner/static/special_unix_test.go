//go:build unix

package static

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestSpecialFiles: only regular files are served. A FIFO must not even
// block the request (it is never opened for reading in blocking mode).
func TestSpecialFiles(t *testing.T) {
	fx := newFixture(t)
	if err := syscall.Mkfifo(filepath.Join(fx.root, "fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A FIFO as a precompressed sibling is ignored too.
	if err := syscall.Mkfifo(filepath.Join(fx.root, "style.css.gz"), 0o644); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(fx.root, "sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	paths := []string{"/static/fifo", "/static/sock", "/static/fifo/", "/static/sock/"}
	// A device node, where we may make one (root, no user namespace).
	if err := syscall.Mknod(filepath.Join(fx.root, "null"), syscall.S_IFCHR|0o666, 1<<8|3); err == nil {
		paths = append(paths, "/static/null")
	} else {
		t.Logf("no device node: %v", err)
	}
	if err := os.Symlink("fifo", filepath.Join(fx.root, "link-fifo")); err != nil {
		t.Fatal(err)
	}
	paths = append(paths, "/static/link-fifo")

	srv := serve(t, fx, Options{Prefix: "/static", Listing: true})
	for _, p := range paths {
		resp, _ := raw(t, srv, "GET", p)
		wantStatus(t, p, resp, 404)
	}
	resp, body := get(t, srv, "/static/style.css", "Accept-Encoding: gzip")
	wantStatus(t, "FIFO sibling", resp, 200)
	wantBody(t, "FIFO sibling", body, "body{color:red}")
	wantHeader(t, "FIFO sibling", resp, "Content-Encoding", "")

	// And the listing leaves them out.
	resp, b := get(t, srv, "/static/")
	wantStatus(t, "listing", resp, 200)
	for _, name := range []string{`"./fifo"`, `"./sock"`, `"./null"`, `"./link-fifo"`} {
		if strings.Contains(string(b), name) {
			t.Errorf("listing shows %s", name)
		}
	}
}
