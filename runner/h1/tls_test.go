package h1

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// selfSigned returns a server config for 127.0.0.1 and a pool that trusts it.
func selfSigned(t *testing.T) (*tls.Config, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		IsCA:         true, BasicConstraintsValid: true,
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{
		Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}},
		NextProtos:   []string{"h2", "http/1.1"},
	}, pool
}

// TestTLS: over TLS, HTTP/1.1 gets the reason phrase and the guard, HTTP/2
// is net/http's, both see r.TLS, and plain HTTP is told it came to the
// wrong port, as net/http tells it.
func TestTLS(t *testing.T) {
	cfg, pool := selfSigned(t)
	addr, warnings := serveWith(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		SetReason(r, 299, "Custom Thing")
		w.WriteHeader(299)
		fmt.Fprintf(w, "%s tls=%v", r.Proto, r.TLS != nil)
	}), func(l net.Listener, o Options) net.Listener { return ListenTLS(l, cfg, o) })

	c, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool, NextProtos: []string{"http/1.1"}})
	if err != nil {
		t.Fatal(err)
	}
	raw := exchangeOn(t, c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"+
		"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n")
	if got := statusLines(t, raw); fmt.Sprint(got) != fmt.Sprint([]string{"HTTP/1.1 299 Custom Thing", "HTTP/1.1 400 Bad Request"}) ||
		!strings.Contains(raw, "HTTP/1.1 tls=true") {
		t.Errorf("HTTP/1.1 over TLS: %q", raw)
	}

	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}}
	resp, err := client.Get("https://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.ProtoMajor != 2 || resp.StatusCode != 299 || string(body) != "HTTP/2.0 tls=true" {
		t.Errorf("HTTP/2: %s %d %q", resp.Proto, resp.StatusCode, body)
	}

	raw = exchange(t, addr, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if !strings.HasPrefix(raw, "HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.") {
		t.Errorf("plain HTTP to the TLS port: %q", raw)
	}
	w := strings.Join(warnings(), "\n")
	if !strings.Contains(w, "both Content-Length and Transfer-Encoding") || !strings.Contains(w, "TLS handshake error from 127.0.0.1:") {
		t.Errorf("warnings: %s", w)
	}
}

// TestTLSClose: Close ends Accept and the handshakes under way.
func TestTLSClose(t *testing.T) {
	cfg, _ := selfSigned(t)
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := ListenTLS(raw, cfg, Options{HandshakeTimeout: time.Minute})
	stalled, err := net.Dial("tcp", raw.Addr().String()) // connects, never says hello
	if err != nil {
		t.Fatal(err)
	}
	defer stalled.Close()
	accepted := make(chan error, 1)
	go func() {
		_, err := l.Accept()
		accepted <- err
	}()
	l.Close()
	if err := <-accepted; err == nil {
		t.Fatal("Accept after Close returned a connection")
	}
	stalled.SetReadDeadline(time.Now().Add(10 * time.Second)) // a hang guard
	// Closed in its handshake (EOF), or still in the backlog when the
	// listener closed (reset): either way not left hanging.
	if _, err := stalled.Read(make([]byte, 1)); err != io.EOF && !strings.Contains(fmt.Sprint(err), "reset") {
		t.Errorf("the handshaking connection was not closed: %v", err)
	}
}
