package config

import (
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// FuzzParseEndpoint: any --listen text gives a listener or a one-line
// error naming it, never a panic; a listener is one that can be opened.
func FuzzParseEndpoint(f *testing.F) {
	for _, s := range []string{"tcp:8080", "8080", "tcp:0:interface=0.0.0.0", `tcp6:8080:interface=\:\:1`, "unix:/tmp/a.sock:mode=0660",
		"ssl:8443:privateKey=k.pem:certKey=c.pem", "tcp:8080:interface=::1", "127.0.0.1:80", `tcp:8080\`, "unix:address=x:lockfile=1", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		e, err := ParseEndpoint(spec)
		if err != nil {
			if msg := err.Error(); msg == "" || strings.Contains(msg, "\n") {
				t.Fatalf("ParseEndpoint(%q): error %q", spec, msg)
			}
			return
		}
		if e.Spec != spec {
			t.Fatalf("Spec %q, want %q", e.Spec, spec)
		}
		switch e.Network {
		case "unix":
			if e.Address == "" || e.Mode > 0o777 {
				t.Fatalf("ParseEndpoint(%q) = %+v", spec, e)
			}
		case "tcp":
			host, port, err := net.SplitHostPort(e.Address)
			if n, perr := strconv.Atoi(port); err != nil || perr != nil || n > 65535 {
				t.Fatalf("ParseEndpoint(%q): address %q (%v)", spec, e.Address, err)
			}
			if _, err := netip.ParseAddr(host); err != nil && !isHostName(host) {
				t.Fatalf("ParseEndpoint(%q): interface %q is neither an address nor a host name", spec, host)
			}
		default:
			t.Fatalf("ParseEndpoint(%q): network %q", spec, e.Network)
		}
		e.Loopback()
	})
}

// FuzzLoadCrossbar: any config file, JSON or YAML, loads or is refused with
// an error, never a panic or a hang; what loads passes Validate.
func FuzzLoadCrossbar(f *testing.F) {
	for _, name := range []string{"testdata/seed/.crossbar/config.json", "testdata/seed-yaml/.crossbar/config.yaml"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, strings.HasSuffix(name, ".yaml"))
	}
	f.Add([]byte(`{"workers":[{"type":"router","transports":[{"type":"web","endpoint":{"type":"unix","path":"s.sock"},"paths":{"/":{"type":"static","directory":".."}}}]}]}`), false)
	f.Add([]byte("workers:\n- type: router\n  transports: [{type: web, endpoint: {type: tcp, port: $PORT}}]\n"), true)
	f.Add([]byte("{\"workers\": [{\"type\": \"router\",,}]}"), false)
	f.Add([]byte("a: &a [*a, *a]\nb: *a\n"), true)
	f.Fuzz(func(t *testing.T, data []byte, yaml bool) {
		dir := t.TempDir()
		name := "config.json"
		if yaml {
			name = "config.yaml"
		}
		file := filepath.Join(dir, ".crossbar", name)
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, data, 0o644); err != nil {
			t.Fatal(err)
		}
		site, err := LoadCrossbar(file, Site{Dir: dir, Python: Python{Engine: "auto"}}, DefaultPool)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("an empty error")
			}
			return
		}
		if err := site.Validate(); err != nil {
			t.Fatalf("loaded, but Validate says: %v", err)
		}
	})
}
