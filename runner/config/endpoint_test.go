package config

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseEndpoint(t *testing.T) {
	cases := []struct {
		spec string
		want Listener
	}{
		{"tcp:8080", Listener{Network: "tcp", Address: "127.0.0.1:8080"}},
		{"8080", Listener{Network: "tcp", Address: "127.0.0.1:8080"}},
		{"tcp:0", Listener{Network: "tcp", Address: "127.0.0.1:0"}},
		{"tcp:8080:interface=0.0.0.0", Listener{Network: "tcp", Address: "0.0.0.0:8080"}},
		{"tcp:port=80:interface=192.168.1.1", Listener{Network: "tcp", Address: "192.168.1.1:80"}},
		{"tcp:8080:127.0.0.2", Listener{Network: "tcp", Address: "127.0.0.2:8080"}},
		{"tcp:8080:backlog=100", Listener{Network: "tcp", Address: "127.0.0.1:8080"}},
		{"tcp:8080:interface=localhost", Listener{Network: "tcp", Address: "localhost:8080"}},
		{`tcp:8080:interface=\:\:1`, Listener{Network: "tcp", Address: "[::1]:8080"}},
		{"tcp6:8080", Listener{Network: "tcp", Address: "[::1]:8080"}},
		{`tcp6:8080:interface=\:\:`, Listener{Network: "tcp", Address: "[::]:8080"}},
		{"tcp:65535", Listener{Network: "tcp", Address: "127.0.0.1:65535"}},
		{`tcp6:8080:interface=fe80\:\:1%eth0`, Listener{Network: "tcp", Address: "[fe80::1%eth0]:8080"}},
		{"tcp:8080:interface=my-host.local", Listener{Network: "tcp", Address: "my-host.local:8080"}},
		{"unix:/tmp/app.sock", Listener{Network: "unix", Address: "/tmp/app.sock"}},
		{"unix:/tmp/app.sock:mode=0660", Listener{Network: "unix", Address: "/tmp/app.sock", Mode: 0o660}},
		{"unix:/tmp/app.sock:mode=600", Listener{Network: "unix", Address: "/tmp/app.sock", Mode: 0o600}},
		{"unix:address=/tmp/app.sock:lockfile=1", Listener{Network: "unix", Address: "/tmp/app.sock"}},
		{`unix:/tmp/odd\:name.sock`, Listener{Network: "unix", Address: "/tmp/odd:name.sock"}},
		{"ssl:8443", Listener{Network: "tcp", Address: "127.0.0.1:8443", TLS: &TLS{}}},
		{"ssl:443:privateKey=server.pem", Listener{Network: "tcp", Address: "127.0.0.1:443", TLS: &TLS{Key: "server.pem", Cert: "server.pem"}}},
		{"ssl:port=443:privateKey=k.pem:certKey=c.pem:interface=0.0.0.0:extraCertChain=chain.pem", Listener{Network: "tcp", Address: "0.0.0.0:443",
			TLS: &TLS{Key: "k.pem", Cert: "c.pem", Chain: []string{"chain.pem"}}}},
		{"systemd:0", Listener{Network: "systemd", Address: "0"}},
		{"systemd:02", Listener{Network: "systemd", Address: "2"}},
		{"systemd:domain=INET:index=0", Listener{Network: "systemd", Address: "0"}},
		{"systemd:INET6:1", Listener{Network: "systemd", Address: "1"}},
		{"systemd:index=3:domain=UNIX", Listener{Network: "systemd", Address: "3"}},
	}
	for _, c := range cases {
		got, err := ParseEndpoint(c.spec)
		if err != nil {
			t.Errorf("ParseEndpoint(%q): %v", c.spec, err)
			continue
		}
		c.want.Spec = c.spec
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("ParseEndpoint(%q) = %+v, want %+v", c.spec, got, c.want)
		}
	}
}

func TestParseEndpointErrors(t *testing.T) {
	cases := []struct{ spec, want string }{
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
		{"systemd:", "want the index of a socket systemd passed, e.g. systemd:0"},
		{"systemd:domain=INET", "want the index"},
		{"systemd:x", `domain "x" is not INET, INET6 or UNIX`},
		{"systemd:0:1", `domain "0" is not INET`},
		{"systemd:index=-1", "want the index"},
		{"systemd:0:name=web", `unknown option "name" for systemd`},
		{"haproxy:tcp:80", "not supported"},
		{"0:", "the interface is empty"},
		{"tcp:8080:interface=", "the interface is empty"},
		{"tcp:8080:interface=a]b", `interface "a]b" is not an IP address or a host name`},
		{"ssl:8443:interface=x/y", `interface "x/y" is not an IP address`},
		{"tcp:8080:interface=-x.example", "is not an IP address or a host name"},
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
		"unix:/tmp/x.sock":               false, // nginx forwards remote clients to it
		"tcp:8080:interface=0.0.0.0":     false,
		`tcp6:8080:interface=\:\:`:       false,
		"tcp:8080:interface=192.168.1.1": false,
		"tcp:8080:interface=example.com": false,
		"systemd:0":                      false, // a socket made elsewhere: assume the network can reach it
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
