package server

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gowsgi/gowsgi/runner/certs"
	"github.com/gowsgi/gowsgi/runner/config"
	"github.com/gowsgi/gowsgi/runner/h1"
	"github.com/gowsgi/gowsgi/runner/logging"
	"github.com/gowsgi/gowsgi/runner/systemd"
)

// Listen opens the endpoint; a systemd endpoint takes the socket systemd
// passed. For a unix socket it first removes a stale
// socket file (a socket nobody accepts on, left by a server that died), but
// never a regular file or a live socket, and applies Mode when set. Errors
// do not repeat the spec: callers say which --listen failed.
func Listen(e config.Listener) (net.Listener, error) {
	if e.Network == "systemd" {
		index, err := strconv.Atoi(e.Address)
		if err != nil {
			return nil, err
		}
		return systemd.Listener(index)
	}
	unixPath := e.Network == "unix" && !strings.HasPrefix(e.Address, "@") // "@name": Linux abstract socket, no file
	if unixPath {
		if err := removeStaleSocket(e.Address); err != nil {
			return nil, err
		}
	}
	ln, err := net.Listen(network(e), e.Address)
	if err != nil {
		return nil, err
	}
	if unixPath && e.Mode != 0 {
		if err := os.Chmod(e.Address, fs.FileMode(e.Mode)); err != nil {
			ln.Close()
			return nil, err
		}
	}
	return ln, nil
}

// network is the network to listen on: "tcp4" for an IPv4 address, so that
// 0.0.0.0 means every IPv4 interface, as it says, and not also every IPv6
// one (Go's "tcp" on 0.0.0.0 takes both).
func network(e config.Listener) string {
	if e.Network == "tcp" {
		if host, _, err := net.SplitHostPort(e.Address); err == nil {
			if ip, err := netip.ParseAddr(host); err == nil && ip.Is4() {
				return "tcp4"
			}
		}
	}
	return e.Network
}

func removeStaleSocket(path string) error {
	info, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if info.Mode()&fs.ModeSocket == 0 {
		return fmt.Errorf("%s exists and is not a socket; remove it or choose another path", path)
	}
	conn, err := net.DialTimeout("unix", path, time.Second)
	if err == nil {
		conn.Close()
		return fmt.Errorf("another server is accepting connections on %s; stop it or choose another path", path)
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		// Not provably stale (permission denied, say): leave it alone and
		// let the listen fail with the real reason.
		return nil
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("cannot remove the stale socket %s: %w", path, err)
	}
	return nil
}

// tlsListener wraps l in TLS with the listener's certificate: the files it
// names, or gowsgi's self-signed localhost certificate (made on first use,
// with a note on how to trust it).
func tlsListener(l net.Listener, t *config.TLS, lg *logging.Logger, o h1.Options) (net.Listener, error) {
	var cert tls.Certificate
	if t.Key != "" {
		c, err := certs.Load(t.Key, t.Cert, t.Chain)
		if err != nil {
			return nil, err
		}
		cert = c
	} else {
		dir, err := certs.DefaultDir()
		if err != nil {
			return nil, err
		}
		c, file, created, err := certs.SelfSigned(dir)
		if err != nil {
			return nil, err
		}
		cert = c
		if created {
			lg.Infof("made a self-signed certificate for localhost: %s\n%s", file, certs.TrustHint(file))
		}
	}
	return h1.ListenTLS(l, certs.ServerConfig(cert), o), nil
}
