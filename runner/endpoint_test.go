package runner

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseEndpoint(t *testing.T) {
	cases := []struct {
		spec string
		want Endpoint
	}{
		{"tcp:8080", Endpoint{Network: "tcp", Address: "127.0.0.1:8080"}},
		{"8080", Endpoint{Network: "tcp", Address: "127.0.0.1:8080"}},
		{"tcp:0", Endpoint{Network: "tcp", Address: "127.0.0.1:0"}},
		{"tcp:8080:interface=0.0.0.0", Endpoint{Network: "tcp", Address: "0.0.0.0:8080"}},
		{"tcp:port=80:interface=192.168.1.1", Endpoint{Network: "tcp", Address: "192.168.1.1:80"}},
		{"tcp:8080:127.0.0.2", Endpoint{Network: "tcp", Address: "127.0.0.2:8080"}},
		{"tcp:8080:backlog=100", Endpoint{Network: "tcp", Address: "127.0.0.1:8080"}},
		{"tcp:8080:interface=localhost", Endpoint{Network: "tcp", Address: "localhost:8080"}},
		{`tcp:8080:interface=\:\:1`, Endpoint{Network: "tcp", Address: "[::1]:8080"}},
		{"tcp6:8080", Endpoint{Network: "tcp", Address: "[::1]:8080"}},
		{`tcp6:8080:interface=\:\:`, Endpoint{Network: "tcp", Address: "[::]:8080"}},
		{"tcp:65535", Endpoint{Network: "tcp", Address: "127.0.0.1:65535"}},
		{"unix:/tmp/app.sock", Endpoint{Network: "unix", Address: "/tmp/app.sock"}},
		{"unix:/tmp/app.sock:mode=0660", Endpoint{Network: "unix", Address: "/tmp/app.sock", Mode: 0o660}},
		{"unix:/tmp/app.sock:mode=600", Endpoint{Network: "unix", Address: "/tmp/app.sock", Mode: 0o600}},
		{"unix:address=/tmp/app.sock:lockfile=1", Endpoint{Network: "unix", Address: "/tmp/app.sock"}},
		{`unix:/tmp/odd\:name.sock`, Endpoint{Network: "unix", Address: "/tmp/odd:name.sock"}},
	}
	for _, c := range cases {
		got, err := ParseEndpoint(c.spec)
		if err != nil {
			t.Errorf("ParseEndpoint(%q): %v", c.spec, err)
			continue
		}
		c.want.Spec = c.spec
		if got != c.want {
			t.Errorf("ParseEndpoint(%q) = %+v, want %+v", c.spec, got, c.want)
		}
	}
}

func TestParseEndpointErrors(t *testing.T) {
	cases := []struct{ spec, want string }{
		{"ssl:443:privateKey=key.pem", "ssl: endpoints are not supported yet; put a TLS proxy in front or use tcp:"},
		{"foo:80", `unknown endpoint type "foo"; e.g. tcp:8080`},
		{"127.0.0.1:8080", "write tcp:8080:interface=127.0.0.1"},
		{":8080", "write tcp:8080 for loopback"},
		{"tcp:http", `port "http" is not a number from 0 to 65535`},
		{"tcp:65536", `port "65536" is not a number from 0 to 65535`},
		{"tcp:-1", `port "-1" is not a number`},
		{"tcp:", "missing the port"},
		{"tcp:interface=0.0.0.0", "missing the port"},
		{"tcp:8080:bogus=1", `unknown option "bogus" for tcp; tcp takes port, interface, backlog`},
		{"tcp:8080:port=9090", "port is given twice"},
		{"tcp:8080:interface=::1", `escape the colons of an IPv6 address: interface=\:\:1`},
		{"tcp6:8080:interface=fe80::1", `interface=fe80\:\:1`},
		{"localhost:8080", "write tcp:8080:interface=localhost"},
		{"tcp:8080:backlog=many", `backlog "many" is not a number`},
		{"tcp6:8080:interface=127.0.0.1", "use tcp:8080:interface=127.0.0.1"},
		{"unix:", "missing the socket path"},
		{"unix:/tmp/x.sock:mode=rw", `mode "rw" is not an octal permission mode`},
		{"unix:/tmp/x.sock:mode=0999", `mode "0999" is not an octal permission mode`},
		{"unix:/tmp/x.sock:mode=01777", `mode "01777" is not an octal`},
		{"unix:/tmp/x.sock:mode=0", "would let nobody connect"},
		{"unix:/tmp/x.sock:0660:5:1:extra", "too many values"},
		{`tcp:8080\`, `lone "\"`},
		{"", "empty endpoint"},
		{"systemd:domain=INET:index=0", "not supported"},
	}
	for _, c := range cases {
		_, err := ParseEndpoint(c.spec)
		if err == nil {
			t.Errorf("ParseEndpoint(%q): no error", c.spec)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, c.want) {
			t.Errorf("ParseEndpoint(%q) = %q, want it to contain %q", c.spec, msg, c.want)
		}
		if !strings.HasPrefix(msg, `"`+c.spec+`"`) && c.spec != `tcp:8080\` {
			t.Errorf("ParseEndpoint(%q) = %q: the error should name the spec", c.spec, msg)
		}
		if strings.Contains(msg, "\n") {
			t.Errorf("ParseEndpoint(%q): error spans lines: %q", c.spec, msg)
		}
	}
}

func TestLoopback(t *testing.T) {
	cases := map[string]bool{
		"tcp:8080":                       true,
		"tcp6:8080":                      true,
		"tcp:8080:interface=localhost":   true,
		"tcp:8080:interface=127.0.0.9":   true,
		"unix:/tmp/x.sock":               true,
		"tcp:8080:interface=0.0.0.0":     false,
		`tcp6:8080:interface=\:\:`:       false,
		"tcp:8080:interface=192.168.1.1": false,
		"tcp:8080:interface=example.com": false,
	}
	for spec, want := range cases {
		e, err := ParseEndpoint(spec)
		if err != nil {
			t.Fatal(err)
		}
		if got := e.Loopback(); got != want {
			t.Errorf("%s: Loopback() = %v, want %v", spec, got, want)
		}
	}
}

func TestListenTCPPortZero(t *testing.T) {
	e, err := ParseEndpoint("tcp:0")
	if err != nil {
		t.Fatal(err)
	}
	ln, err := e.Listen()
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	addr := ln.Addr().(*net.TCPAddr)
	if addr.Port == 0 || !addr.IP.IsLoopback() {
		t.Fatalf("listening on %v, want a free loopback port", addr)
	}
	conn, err := net.Dial("tcp", addr.String())
	if err != nil {
		t.Fatal(err)
	}
	conn.Close()
}

// socketDir returns a short directory: unix socket paths are limited to
// about 100 bytes and t.TempDir() can be longer than that.
func socketDir(t *testing.T) string {
	dir, err := os.MkdirTemp("", "gowsgi")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func TestListenUnixMode(t *testing.T) {
	path := filepath.Join(socketDir(t), "app.sock")
	e, err := ParseEndpoint("unix:" + path + ":mode=0660")
	if err != nil {
		t.Fatal(err)
	}
	ln, err := e.Listen()
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode()&os.ModeSocket == 0 || info.Mode().Perm() != 0o660 {
		t.Fatalf("socket mode %v, want a socket with 0660", info.Mode())
	}
	conn, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	conn.Close()
}

func TestListenUnixRemovesStaleSocket(t *testing.T) {
	path := filepath.Join(socketDir(t), "app.sock")
	// Leave a socket file behind with nobody accepting on it, as a crashed
	// server does.
	stale, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	stale.(*net.UnixListener).SetUnlinkOnClose(false)
	stale.Close()
	if _, err := os.Lstat(path); err != nil {
		t.Fatalf("the stale socket should still exist: %v", err)
	}

	e, _ := ParseEndpoint("unix:" + path)
	ln, err := e.Listen()
	if err != nil {
		t.Fatalf("stale socket not replaced: %v", err)
	}
	defer ln.Close()
	conn, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	conn.Close()
}

func TestListenUnixKeepsLiveSocketAndFiles(t *testing.T) {
	dir := socketDir(t)
	live := filepath.Join(dir, "live.sock")
	ln, err := net.Listen("unix", live)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	e, _ := ParseEndpoint("unix:" + live)
	if second, err := e.Listen(); err == nil {
		second.Close()
		t.Fatal("took over a socket another server accepts on")
	} else if !strings.Contains(err.Error(), "another server") {
		t.Fatalf("unclear error: %v", err)
	}

	regular := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(regular, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	e, _ = ParseEndpoint("unix:" + regular)
	if second, err := e.Listen(); err == nil {
		second.Close()
		t.Fatal("listened over a regular file")
	} else if !strings.Contains(err.Error(), "not a socket") {
		t.Fatalf("unclear error: %v", err)
	}
	if data, _ := os.ReadFile(regular); string(data) != "keep me" {
		t.Fatal("the regular file was touched")
	}
}
