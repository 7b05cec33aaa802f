package server

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gowsgi/gowsgi/runner/config"
)

func TestListenTCPPortZero(t *testing.T) {
	e, err := config.ParseEndpoint("tcp:0")
	if err != nil {
		t.Fatal(err)
	}
	ln, err := Listen(e)
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

// TestListenIPv4Only: interface=0.0.0.0 is every IPv4 interface and no
// IPv6 one (Go's "tcp" network would take both).
func TestListenIPv4Only(t *testing.T) {
	probe, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback here: %v", err)
	}
	probe.Close()
	e, err := config.ParseEndpoint("tcp:0:interface=0.0.0.0")
	if err != nil {
		t.Fatal(err)
	}
	ln, err := Listen(e)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	addr := ln.Addr().(*net.TCPAddr)
	if addr.IP.To4() == nil {
		t.Errorf("listening on %v, want an IPv4 address", addr)
	}
	port := strconv.Itoa(addr.Port)
	if c, err := net.Dial("tcp4", "127.0.0.1:"+port); err != nil {
		t.Errorf("IPv4: %v", err)
	} else {
		c.Close()
	}
	if c, err := net.Dial("tcp6", "[::1]:"+port); err == nil {
		c.Close()
		t.Errorf("interface=0.0.0.0 accepted a connection over IPv6")
	}
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
	e, err := config.ParseEndpoint("unix:" + path + ":mode=0660")
	if err != nil {
		t.Fatal(err)
	}
	ln, err := Listen(e)
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

	e, _ := config.ParseEndpoint("unix:" + path)
	ln, err := Listen(e)
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
	e, _ := config.ParseEndpoint("unix:" + live)
	if second, err := Listen(e); err == nil {
		second.Close()
		t.Fatal("took over a socket another server accepts on")
	} else if !strings.Contains(err.Error(), "another server") {
		t.Fatalf("unclear error: %v", err)
	}

	regular := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(regular, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	e, _ = config.ParseEndpoint("unix:" + regular)
	if second, err := Listen(e); err == nil {
		second.Close()
		t.Fatal("listened over a regular file")
	} else if !strings.Contains(err.Error(), "not a socket") {
		t.Fatalf("unclear error: %v", err)
	}
	if data, _ := os.ReadFile(regular); string(data) != "keep me" {
		t.Fatal("the regular file was touched")
	}
}
