package certs

import (
	"bufio"
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// ---- helpers ----

// testCert is a certificate the tests make themselves.
type testCert struct {
	cert    *x509.Certificate
	key     crypto.Signer
	certPEM []byte
	keyPEM  []byte // PKCS#8
}

type certOpts struct {
	notBefore, notAfter time.Time
	isCA                bool
	parent              *testCert // nil: self-signed
	key                 crypto.Signer
	name                string
}

func makeCert(t *testing.T, o certOpts) *testCert {
	t.Helper()
	if o.key == nil {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		o.key = k
	}
	if o.notBefore.IsZero() {
		o.notBefore = time.Now().Add(-time.Hour)
	}
	if o.notAfter.IsZero() {
		o.notAfter = time.Now().Add(365 * 24 * time.Hour)
	}
	if o.name == "" {
		o.name = "test"
	}
	serial, err := randomSerial()
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: o.name},
		NotBefore:             o.notBefore,
		NotAfter:              o.notAfter,
		BasicConstraintsValid: true,
		IsCA:                  o.isCA,
	}
	if o.isCA {
		tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature
	} else {
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		tmpl.DNSNames = []string{"localhost"}
		tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
	}
	parent, signer := tmpl, o.key
	if o.parent != nil {
		parent, signer = o.parent.cert, o.parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, o.key.Public(), signer)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(o.key)
	if err != nil {
		t.Fatal(err)
	}
	return &testCert{
		cert:    c,
		key:     o.key,
		certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		keyPEM:  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}),
	}
}

func writeFile(t *testing.T, path string, data []byte, mode fs.FileMode) string {
	t.Helper()
	if err := os.WriteFile(path, data, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
	return path
}

func join(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// oneLine fails unless err is a single-line error containing every want.
func oneLine(t *testing.T, err error, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; want one containing %q", want)
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") {
		t.Errorf("error is more than one line: %q", msg)
	}
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("error %q does not contain %q", msg, w)
		}
	}
}

func poolFromFile(t *testing.T, certFile string) *x509.CertPool {
	t.Helper()
	data, err := os.ReadFile(certFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) {
		t.Fatalf("%s: no certificates", certFile)
	}
	return pool
}

// serve runs an HTTPS server on 127.0.0.1 with cfg and returns its address.
// With serveTLS it uses http.Server.ServeTLS on a plain listener (the usual
// wiring); otherwise tls.Listen and http.Server.Serve.
func serve(t *testing.T, cfg *tls.Config, serveTLS bool) string {
	t.Helper()
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "hello from gowsgi over %s", r.Proto)
		}),
		ErrorLog: log.New(io.Discard, "", 0), // handshake failures are expected
	}
	var ln net.Listener
	var err error
	if serveTLS {
		ln, err = net.Listen("tcp", "127.0.0.1:0")
		srv.TLSConfig = cfg
	} else {
		ln, err = tls.Listen("tcp", "127.0.0.1:0", cfg)
	}
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if serveTLS {
			srv.ServeTLS(ln, "", "")
		} else {
			srv.Serve(ln)
		}
	}()
	t.Cleanup(func() {
		srv.Close()
		<-done
	})
	return ln.Addr().String()
}

// client returns an HTTP client trusting only pool that dials addr whatever
// the URL's host, so https://localhost:PORT/ checks the DNS name.
func client(pool *x509.CertPool, addr string) *http.Client {
	tr := &http.Transport{
		TLSClientConfig:   &tls.Config{RootCAs: pool},
		ForceAttemptHTTP2: true,
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
	}
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

func get(t *testing.T, c *http.Client, url string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

// ---- SelfSigned: a real server and client ----

func TestSelfSignedServesHTTP2ToTrustingClient(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "gowsgi", "tls")
	cert, certFile, created, err := SelfSigned(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !created {
		t.Error("created = false on first use")
	}
	if certFile != filepath.Join(dir, "localhost.pem") {
		t.Errorf("certFile = %s", certFile)
	}
	pool := poolFromFile(t, certFile)

	for _, serveTLS := range []bool{false, true} {
		name := "tls.Listen+Serve"
		if serveTLS {
			name = "ServeTLS"
		}
		t.Run(name, func(t *testing.T) {
			addr := serve(t, ServerConfig(cert), serveTLS)
			_, port, _ := net.SplitHostPort(addr)
			c := client(pool, addr)
			for _, host := range []string{"localhost", "127.0.0.1"} {
				url := "https://" + net.JoinHostPort(host, port) + "/"
				resp, body := get(t, c, url)
				if resp.StatusCode != 200 || body != "hello from gowsgi over HTTP/2.0" {
					t.Errorf("GET %s: %d %q", url, resp.StatusCode, body)
				}
				if resp.ProtoMajor != 2 || resp.TLS == nil || resp.TLS.NegotiatedProtocol != "h2" {
					t.Errorf("GET %s: protocol %s, ALPN %q; want HTTP/2 (h2)", url, resp.Proto, resp.TLS.NegotiatedProtocol)
				}
				if resp.TLS.Version < tls.VersionTLS12 {
					t.Errorf("TLS version %x", resp.TLS.Version)
				}
			}

			// The trust is real: a client that does not trust the file refuses.
			_, err := client(x509.NewCertPool(), addr).Get("https://localhost:" + port + "/")
			var uae x509.UnknownAuthorityError
			if !errors.As(err, &uae) {
				t.Errorf("untrusting client: err = %v; want x509.UnknownAuthorityError", err)
			}
			// And the name is checked: the certificate is for localhost only.
			_, err = client(pool, addr).Get("https://example.com:" + port + "/")
			var hne x509.HostnameError
			if !errors.As(err, &hne) {
				t.Errorf("wrong host name: err = %v; want x509.HostnameError", err)
			}
		})
	}
}

func TestSelfSignedCertificateProfile(t *testing.T) {
	before := time.Now()
	cert, certFile, _, err := SelfSigned(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	leaf := cert.Leaf
	if leaf == nil {
		t.Fatal("Leaf not set")
	}
	pub, ok := leaf.PublicKey.(*ecdsa.PublicKey)
	if !ok || pub.Curve != elliptic.P256() {
		t.Errorf("public key %T; want ECDSA P-256", leaf.PublicKey)
	}
	if _, ok := cert.PrivateKey.(*ecdsa.PrivateKey); !ok {
		t.Errorf("private key %T", cert.PrivateKey)
	}
	if len(leaf.DNSNames) != 1 || leaf.DNSNames[0] != "localhost" {
		t.Errorf("DNSNames = %v", leaf.DNSNames)
	}
	var ips []string
	for _, ip := range leaf.IPAddresses {
		ips = append(ips, ip.String())
	}
	if strings.Join(ips, " ") != "127.0.0.1 ::1" {
		t.Errorf("IPAddresses = %v", ips)
	}
	for _, h := range []string{"localhost", "127.0.0.1", "::1"} {
		if err := leaf.VerifyHostname(h); err != nil {
			t.Errorf("VerifyHostname(%s): %v", h, err)
		}
	}
	if life := leaf.NotAfter.Sub(leaf.NotBefore); life != 825*24*time.Hour {
		t.Errorf("validity %v; want 825 days", life)
	}
	if leaf.NotBefore.After(before) || leaf.NotBefore.Before(before.Add(-2*time.Hour)) {
		t.Errorf("NotBefore %v; want shortly before %v", leaf.NotBefore, before)
	}
	if leaf.KeyUsage != x509.KeyUsageDigitalSignature {
		t.Errorf("KeyUsage = %v", leaf.KeyUsage)
	}
	if len(leaf.ExtKeyUsage) != 1 || leaf.ExtKeyUsage[0] != x509.ExtKeyUsageServerAuth {
		t.Errorf("ExtKeyUsage = %v", leaf.ExtKeyUsage)
	}
	if leaf.IsCA || !leaf.BasicConstraintsValid {
		t.Errorf("IsCA = %v, BasicConstraintsValid = %v; want a non-CA", leaf.IsCA, leaf.BasicConstraintsValid)
	}
	if leaf.SerialNumber.Sign() <= 0 || leaf.SerialNumber.BitLen() > 128 || leaf.SerialNumber.BitLen() < 64 {
		t.Errorf("serial %v (%d bits); want a random positive 128-bit number", leaf.SerialNumber, leaf.SerialNumber.BitLen())
	}
	if o := leaf.Subject.Organization; len(o) != 1 || o[0] != "gowsgi development certificate" {
		t.Errorf("Subject = %v", leaf.Subject)
	}
	if leaf.Subject.String() != leaf.Issuer.String() || leaf.CheckSignature(leaf.SignatureAlgorithm, leaf.RawTBSCertificate, leaf.Signature) != nil {
		t.Error("not self-signed")
	}
	// It verifies as a server certificate for localhost when it is trusted.
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: poolFromFile(t, certFile), DNSName: "localhost"}); err != nil {
		t.Errorf("Verify: %v", err)
	}
	// The files hold a PKCS#8 key and exactly one certificate.
	keyData, _ := os.ReadFile(filepath.Join(filepath.Dir(certFile), "localhost-key.pem"))
	if b, _ := pem.Decode(keyData); b == nil || b.Type != "PRIVATE KEY" {
		t.Errorf("key file does not start with a PRIVATE KEY block")
	}
	if len(cert.Certificate) != 1 {
		t.Errorf("%d certificates in the chain; want 1", len(cert.Certificate))
	}
}

func TestSelfSignedSecondCallReuses(t *testing.T) {
	dir := t.TempDir()
	first, certFile1, created1, err := SelfSigned(dir)
	if err != nil || !created1 {
		t.Fatalf("first call: created=%v err=%v", created1, err)
	}
	pem1, _ := os.ReadFile(certFile1)
	second, certFile2, created2, err := SelfSigned(dir)
	if err != nil {
		t.Fatal(err)
	}
	if created2 {
		t.Error("second call: created = true; want the certificate reused")
	}
	if certFile2 != certFile1 {
		t.Errorf("certFile %s, then %s", certFile1, certFile2)
	}
	if first.Leaf.SerialNumber.Cmp(second.Leaf.SerialNumber) != 0 {
		t.Errorf("serial %v, then %v", first.Leaf.SerialNumber, second.Leaf.SerialNumber)
	}
	if pem2, _ := os.ReadFile(certFile2); !bytes.Equal(pem1, pem2) {
		t.Error("certificate file rewritten")
	}
}

// installOwn writes a pair into dir as SelfSigned would have.
func installOwn(t *testing.T, dir string, tc *testCert) {
	t.Helper()
	writeFile(t, filepath.Join(dir, "localhost.pem"), tc.certPEM, 0o644)
	writeFile(t, filepath.Join(dir, "localhost-key.pem"), tc.keyPEM, 0o600)
}

func TestSelfSignedReplacesNearExpiry(t *testing.T) {
	dir := t.TempDir()
	old := makeCert(t, certOpts{notBefore: time.Now().Add(-800 * 24 * time.Hour), notAfter: time.Now().Add(10 * 24 * time.Hour)})
	installOwn(t, dir, old)
	// The old one is still valid: Load accepts it, SelfSigned does not keep it.
	if _, err := Load(filepath.Join(dir, "localhost-key.pem"), filepath.Join(dir, "localhost.pem"), nil); err != nil {
		t.Fatalf("Load(old): %v", err)
	}

	cert, certFile, created, err := SelfSigned(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !created {
		t.Error("created = false; a certificate expiring in 10 days must be replaced")
	}
	if cert.Leaf.SerialNumber.Cmp(old.cert.SerialNumber) == 0 {
		t.Error("same serial as the old certificate")
	}
	if left := time.Until(cert.Leaf.NotAfter); left < 800*24*time.Hour {
		t.Errorf("new certificate expires in %v", left)
	}
	// What is on disk is the new pair.
	disk, err := Load(filepath.Join(dir, "localhost-key.pem"), certFile, nil)
	if err != nil {
		t.Fatal(err)
	}
	if disk.Leaf.SerialNumber.Cmp(cert.Leaf.SerialNumber) != 0 {
		t.Error("the files do not hold the returned certificate")
	}
}

func TestSelfSignedKeepsCertWithMoreThan30DaysLeft(t *testing.T) {
	dir := t.TempDir()
	old := makeCert(t, certOpts{notAfter: time.Now().Add(40 * 24 * time.Hour)})
	installOwn(t, dir, old)
	cert, _, created, err := SelfSigned(dir)
	if err != nil {
		t.Fatal(err)
	}
	if created || cert.Leaf.SerialNumber.Cmp(old.cert.SerialNumber) != 0 {
		t.Errorf("created = %v; a certificate with 40 days left must be reused", created)
	}
}

func TestSelfSignedReplacesBrokenFiles(t *testing.T) {
	a := makeCert(t, certOpts{})
	b := makeCert(t, certOpts{})
	cases := map[string]struct{ cert, key []byte }{
		"garbage":     {[]byte("not a certificate\n"), []byte("not a key\n")},
		"not a pair":  {a.certPEM, b.keyPEM},
		"empty":       {nil, nil},
		"only a cert": {a.certPEM, nil},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			installOwn(t, dir, &testCert{certPEM: c.cert, keyPEM: c.key})
			cert, _, created, err := SelfSigned(dir)
			if err != nil {
				t.Fatal(err)
			}
			if !created || cert.Leaf == nil {
				t.Errorf("created = %v; want broken files replaced", created)
			}
		})
	}
	t.Run("a certificate for another name", func(t *testing.T) {
		dir := t.TempDir()
		installOwn(t, dir, makeCertNamed(t, "example.com"))
		_, _, created, err := SelfSigned(dir)
		if err != nil || !created {
			t.Errorf("created = %v, err = %v; want a certificate not for localhost replaced", created, err)
		}
	})
}

// makeCertNamed makes a self-signed certificate for host only.
func makeCertNamed(t *testing.T, host string) *testCert {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(42),
		Subject:      pkix.Name{CommonName: host},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(365 * 24 * time.Hour),
		DNSNames:     []string{host},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalPKCS8PrivateKey(key)
	return &testCert{
		certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		keyPEM:  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}),
	}
}

// ---- SelfSigned: files, modes, refusals ----

func TestSelfSignedFileModes(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		t.Skip("no Unix modes")
	}
	dir := filepath.Join(t.TempDir(), "config", "gowsgi", "tls")
	_, certFile, _, err := SelfSigned(dir)
	if err != nil {
		t.Fatal(err)
	}
	modes := map[string]fs.FileMode{
		dir:                                     0o700 | fs.ModeDir,
		filepath.Join(dir, "localhost-key.pem"): 0o600,
		certFile:                                0o644,
	}
	for path, want := range modes {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode() & (fs.ModePerm | fs.ModeDir); got != want {
			t.Errorf("%s: mode %v; want %v", path, got, want)
		}
	}
	// Nothing else is left behind (no temporary files).
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != "localhost-key.pem localhost.pem" {
		t.Errorf("dir holds %v", names)
	}
}

func TestSelfSignedRefusesUnsafeDir(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		t.Skip("no Unix modes")
	}
	for _, mode := range []fs.FileMode{0o770, 0o702, 0o777, 0o1777} {
		t.Run(fmt.Sprintf("%04o", mode), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "tls")
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(dir, mode); err != nil {
				t.Fatal(err)
			}
			_, _, _, err := SelfSigned(dir)
			oneLine(t, err, dir, "writable by group or others", "chmod 700")
			if _, err := os.Stat(filepath.Join(dir, "localhost-key.pem")); !errors.Is(err, fs.ErrNotExist) {
				t.Error("a key was written into the unsafe dir")
			}
		})
	}
	t.Run("0755 is fine", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "tls")
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		os.Chmod(dir, 0o755)
		if _, _, _, err := SelfSigned(dir); err != nil {
			t.Error(err)
		}
	})
	t.Run("not a directory", func(t *testing.T) {
		f := writeFile(t, filepath.Join(t.TempDir(), "tls"), nil, 0o600)
		_, _, _, err := SelfSigned(f)
		oneLine(t, err, f, "not a directory")
	})
}

func TestSelfSignedRefusesDirOfAnotherUser(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		t.Skip("no Unix owners")
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root to give a directory away")
	}
	dir := filepath.Join(t.TempDir(), "tls")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, 65534, 65534); err != nil {
		t.Skipf("chown: %v", err)
	}
	_, _, _, err := SelfSigned(dir)
	oneLine(t, err, dir, "owned by another user", "uid 65534")
}

func TestSelfSignedRefusesExposedKey(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		t.Skip("no Unix modes")
	}
	dir := t.TempDir()
	if _, _, _, err := SelfSigned(dir); err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(dir, "localhost-key.pem")
	if err := os.Chmod(keyFile, 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, _, err := SelfSigned(dir)
	oneLine(t, err, keyFile, "readable or writable by group or others", "chmod 600")
}

// ---- SelfSigned: two gowsgi processes at once ----

func TestSelfSignedConcurrentGoroutines(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tls")
	const n = 8
	type result struct {
		serial  string
		created bool
		err     error
	}
	results := make([]result, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			c, _, created, err := SelfSigned(dir)
			if err == nil {
				results[i] = result{c.Leaf.SerialNumber.String(), created, nil}
			} else {
				results[i] = result{err: err}
			}
		})
	}
	close(start)
	wg.Wait()
	checkRace(t, dir, func(yield func(serial string, created bool, err error)) {
		for _, r := range results {
			yield(r.serial, r.created, r.err)
		}
	})
}

// checkRace checks what concurrent SelfSigned calls returned: all succeeded,
// the files on disk form a pair, and (where the dir is locked) exactly one
// call created it and every call returned the same certificate.
func checkRace(t *testing.T, dir string, each func(func(string, bool, error))) {
	t.Helper()
	disk, err := Load(filepath.Join(dir, "localhost-key.pem"), filepath.Join(dir, "localhost.pem"), nil)
	if err != nil {
		t.Fatalf("after the race, the files are not a pair: %v", err)
	}
	want := disk.Leaf.SerialNumber.String()
	createdCount, calls := 0, 0
	each(func(serial string, created bool, err error) {
		calls++
		if err != nil {
			t.Errorf("call %d: %v", calls, err)
			return
		}
		if created {
			createdCount++
		}
		if haveLock && serial != want {
			t.Errorf("call %d got serial %s; the files hold %s", calls, serial, want)
		}
	})
	if haveLock && createdCount != 1 {
		t.Errorf("%d of %d calls created a certificate; want exactly 1", createdCount, calls)
	}
	if createdCount == 0 {
		t.Error("no call created a certificate")
	}
}

const helperEnv = "GOWSGI_CERTS_TEST_HELPER"

// TestHelperProcess is not a test: TestSelfSignedConcurrentProcesses runs
// the test binary as separate gowsgi-like processes that call SelfSigned.
func TestHelperProcess(t *testing.T) {
	spec := os.Getenv(helperEnv)
	if spec == "" {
		t.Skip("helper process only")
	}
	dir, startFile, _ := strings.Cut(spec, "|")
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(time.Millisecond) {
		if _, err := os.Stat(startFile); err == nil {
			break
		}
		if time.Now().After(deadline) {
			fmt.Println("RESULT error no start signal")
			os.Exit(1)
		}
	}
	c, _, created, err := SelfSigned(dir)
	if err != nil {
		fmt.Printf("RESULT error %v\n", err)
	} else {
		fmt.Printf("RESULT ok %s %v\n", c.Leaf.SerialNumber, created)
	}
	os.Exit(0)
}

func TestSelfSignedConcurrentProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	base := t.TempDir()
	dir := filepath.Join(base, "tls")
	startFile := filepath.Join(base, "go")
	const n = 6
	cmds := make([]*exec.Cmd, n)
	outs := make([]*bytes.Buffer, n)
	for i := range cmds {
		outs[i] = new(bytes.Buffer)
		cmds[i] = exec.Command(exe, "-test.run=^TestHelperProcess$", "-test.count=1")
		cmds[i].Env = append(os.Environ(), helperEnv+"="+dir+"|"+startFile)
		cmds[i].Stdout = outs[i]
		cmds[i].Stderr = outs[i]
		if err := cmds[i].Start(); err != nil {
			t.Fatal(err)
		}
	}
	writeFile(t, startFile, nil, 0o600)
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("process %d: %v\n%s", i, err, outs[i])
		}
	}
	checkRace(t, dir, func(yield func(string, bool, error)) {
		for i, out := range outs {
			var line string
			for sc := bufio.NewScanner(bytes.NewReader(out.Bytes())); sc.Scan(); {
				if strings.HasPrefix(sc.Text(), "RESULT ") {
					line = sc.Text()
				}
			}
			f := strings.Fields(line)
			switch {
			case len(f) == 4 && f[1] == "ok":
				yield(f[2], f[3] == "true", nil)
			default:
				yield("", false, fmt.Errorf("process %d: %q\n%s", i, line, out))
			}
		}
	})
}

// ---- Load ----

func TestLoadSeparateFiles(t *testing.T) {
	dir := t.TempDir()
	tc := makeCert(t, certOpts{})
	key := writeFile(t, filepath.Join(dir, "key.pem"), tc.keyPEM, 0o600)
	crt := writeFile(t, filepath.Join(dir, "cert.pem"), tc.certPEM, 0o644)
	cert, err := Load(key, crt, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cert.Leaf == nil || !cert.Leaf.Equal(tc.cert) || len(cert.Certificate) != 1 {
		t.Errorf("Leaf/Certificate wrong: %d certificates", len(cert.Certificate))
	}
	// crypto/tls agrees that it is a usable pair.
	if _, err := tls.X509KeyPair(tc.certPEM, tc.keyPEM); err != nil {
		t.Fatal(err)
	}
}

func TestLoadTwistdCombinedServerPEM(t *testing.T) {
	dir := t.TempDir()
	tc := makeCert(t, certOpts{})
	for name, data := range map[string][]byte{
		"key first":  join(tc.keyPEM, tc.certPEM),
		"cert first": join(tc.certPEM, tc.keyPEM),
	} {
		t.Run(name, func(t *testing.T) {
			f := writeFile(t, filepath.Join(t.TempDir(), "server.pem"), data, 0o600)
			cert, err := Load(f, f, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !cert.Leaf.Equal(tc.cert) || len(cert.Certificate) != 1 {
				t.Error("wrong certificate")
			}
			// It serves: a client trusting the certificate connects.
			pool := x509.NewCertPool()
			pool.AddCert(tc.cert)
			addr := serve(t, ServerConfig(cert), false)
			if resp, _ := get(t, client(pool, addr), "https://localhost/"); resp.ProtoMajor != 2 {
				t.Errorf("proto %s", resp.Proto)
			}
		})
	}
	t.Run("not a pair", func(t *testing.T) {
		other := makeCert(t, certOpts{})
		f := writeFile(t, filepath.Join(dir, "server.pem"), join(other.keyPEM, tc.certPEM), 0o600)
		_, err := Load(f, f, nil)
		oneLine(t, err, f, "does not match")
	})
	t.Run("same file spelled differently", func(t *testing.T) {
		f := writeFile(t, filepath.Join(dir, "server.pem"), join(tc.keyPEM, tc.certPEM), 0o600)
		if _, err := Load(f, filepath.Join(dir, ".", "server.pem"), nil); err != nil {
			t.Error(err)
		}
	})
}

func TestLoadChainAppended(t *testing.T) {
	dir := t.TempDir()
	root := makeCert(t, certOpts{isCA: true, name: "Test Root"})
	inter := makeCert(t, certOpts{isCA: true, name: "Test Intermediate", parent: root})
	leaf := makeCert(t, certOpts{parent: inter})
	key := writeFile(t, filepath.Join(dir, "key.pem"), leaf.keyPEM, 0o600)
	crt := writeFile(t, filepath.Join(dir, "cert.pem"), leaf.certPEM, 0o644)
	interFile := writeFile(t, filepath.Join(dir, "inter.pem"), inter.certPEM, 0o644)
	rootFile := writeFile(t, filepath.Join(dir, "root.pem"), root.certPEM, 0o644)

	cert, err := Load(key, crt, []string{interFile, rootFile})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]byte{leaf.cert.Raw, inter.cert.Raw, root.cert.Raw}
	if len(cert.Certificate) != len(want) {
		t.Fatalf("%d certificates; want leaf, intermediate, root", len(cert.Certificate))
	}
	for i := range want {
		if !bytes.Equal(cert.Certificate[i], want[i]) {
			t.Errorf("certificate %d is not the expected one", i)
		}
	}
	if !cert.Leaf.Equal(leaf.cert) {
		t.Error("Leaf is not the server's certificate")
	}

	// The chain reaches the client: trusting only the root, it verifies.
	pool := x509.NewCertPool()
	pool.AddCert(root.cert)
	addr := serve(t, ServerConfig(cert), false)
	resp, body := get(t, client(pool, addr), "https://localhost/")
	if resp.StatusCode != 200 || !strings.HasPrefix(body, "hello") {
		t.Errorf("%d %q", resp.StatusCode, body)
	}
	if n := len(resp.TLS.PeerCertificates); n != 3 {
		t.Errorf("client got %d certificates", n)
	}
	// Without the chain file the same client cannot verify.
	bare, err := Load(key, crt, nil)
	if err != nil {
		t.Fatal(err)
	}
	addr = serve(t, ServerConfig(bare), false)
	if _, err := client(pool, addr).Get("https://localhost/"); err == nil {
		t.Error("verified without the intermediate")
	}

	t.Run("fullchain cert file plus repeated chain file", func(t *testing.T) {
		full := writeFile(t, filepath.Join(dir, "fullchain.pem"), join(leaf.certPEM, inter.certPEM), 0o644)
		both := writeFile(t, filepath.Join(dir, "chain.pem"), join(inter.certPEM, root.certPEM), 0o644)
		cert, err := Load(key, full, []string{both})
		if err != nil {
			t.Fatal(err)
		}
		if len(cert.Certificate) != 3 {
			t.Errorf("%d certificates; want 3 (the intermediate once)", len(cert.Certificate))
		}
	})
	t.Run("server certificate not first", func(t *testing.T) {
		wrong := writeFile(t, filepath.Join(dir, "wrong.pem"), join(inter.certPEM, leaf.certPEM), 0o644)
		_, err := Load(key, wrong, nil)
		oneLine(t, err, key, wrong, "certificate 2", "first")
	})
	t.Run("chain file without certificates", func(t *testing.T) {
		_, err := Load(key, crt, []string{key})
		oneLine(t, err, "TLS chain file "+key, "no certificate", "PRIVATE KEY")
	})
	t.Run("missing chain file", func(t *testing.T) {
		missing := filepath.Join(dir, "nope.pem")
		_, err := Load(key, crt, []string{interFile, missing})
		oneLine(t, err, "TLS chain file "+missing, "no such file")
	})
}

func TestLoadMismatchedKeyAndCertificate(t *testing.T) {
	dir := t.TempDir()
	a := makeCert(t, certOpts{})
	b := makeCert(t, certOpts{})
	key := writeFile(t, filepath.Join(dir, "a-key.pem"), a.keyPEM, 0o600)
	crt := writeFile(t, filepath.Join(dir, "b-cert.pem"), b.certPEM, 0o644)
	_, err := Load(key, crt, nil)
	oneLine(t, err, key, crt, "does not match")

	// Different key types do not match either.
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(rsaKey)
	rkey := writeFile(t, filepath.Join(dir, "rsa-key.pem"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
	_, err = Load(rkey, crt, nil)
	oneLine(t, err, rkey, "does not match")
}

func TestLoadMissingFile(t *testing.T) {
	dir := t.TempDir()
	tc := makeCert(t, certOpts{})
	key := writeFile(t, filepath.Join(dir, "key.pem"), tc.keyPEM, 0o600)
	crt := writeFile(t, filepath.Join(dir, "cert.pem"), tc.certPEM, 0o644)
	missing := filepath.Join(dir, "missing.pem")

	_, err := Load(missing, crt, nil)
	oneLine(t, err, "TLS key file "+missing, "no such file")
	if !errors.Is(err, fs.ErrNotExist) {
		t.Error("errors.Is(err, fs.ErrNotExist) = false")
	}
	_, err = Load(key, missing, nil)
	oneLine(t, err, "TLS certificate file "+missing, "no such file")
	_, err = Load(missing, missing, nil)
	oneLine(t, err, "TLS key and certificate file "+missing, "no such file")
	_, err = Load(dir, crt, nil)
	oneLine(t, err, dir, "is a directory")
}

func TestLoadNotPEM(t *testing.T) {
	tc := makeCert(t, certOpts{})
	good := writeFile(t, filepath.Join(t.TempDir(), "good-key.pem"), tc.keyPEM, 0o600)
	damaged := bytes.Replace(tc.certPEM, []byte("\n"), []byte("\n!!!"), 2)
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"garbage", []byte("hello, I am not a certificate\n"), "not PEM (no -----BEGIN line)"},
		{"empty", nil, "empty"},
		{"whitespace", []byte("\n \n"), "empty"},
		{"DER", tc.cert.Raw, "DER"},
		{"damaged", damaged, "not valid PEM"},
		{"no END", tc.certPEM[:len(tc.certPEM)-30], "not valid PEM"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := writeFile(t, filepath.Join(t.TempDir(), "cert.pem"), c.data, 0o644)
			_, err := Load(good, f, nil)
			oneLine(t, err, "TLS certificate file "+f, c.want)
			_, err = Load(f, f, nil)
			oneLine(t, err, "TLS key and certificate file "+f, c.want)
		})
	}
	t.Run("DER key says how to convert", func(t *testing.T) {
		der, _ := x509.MarshalPKCS8PrivateKey(tc.key)
		f := writeFile(t, filepath.Join(t.TempDir(), "key.der"), der, 0o600)
		_, err := Load(f, good, nil)
		oneLine(t, err, "TLS key file "+f, "openssl pkey -inform der")
	})
	t.Run("PEM with a damaged certificate inside", func(t *testing.T) {
		bad := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("nonsense")})
		f := writeFile(t, filepath.Join(t.TempDir(), "cert.pem"), bad, 0o644)
		_, err := Load(good, f, nil)
		oneLine(t, err, f, "cannot read certificate 1")
	})
	t.Run("wrong kind of block", func(t *testing.T) {
		dir := t.TempDir()
		keyAsCert := writeFile(t, filepath.Join(dir, "cert.pem"), tc.keyPEM, 0o644)
		certAsKey := writeFile(t, filepath.Join(dir, "key.pem"), tc.certPEM, 0o600)
		_, err := Load(good, keyAsCert, nil)
		oneLine(t, err, keyAsCert, "no certificate in it (it holds PRIVATE KEY)")
		_, err = Load(certAsKey, certAsKey, nil)
		oneLine(t, err, certAsKey, "no private key in it (it holds CERTIFICATE)")
		ssh := writeFile(t, filepath.Join(dir, "id.pem"), pem.EncodeToMemory(&pem.Block{Type: "OPENSSH PRIVATE KEY", Bytes: []byte("x")}), 0o600)
		_, err = Load(ssh, keyAsCert, nil)
		oneLine(t, err, ssh, "OPENSSH PRIVATE KEY", "cannot be used for TLS")
	})
}

func TestLoadEncryptedKey(t *testing.T) {
	tc := makeCert(t, certOpts{})
	dir := t.TempDir()
	crt := writeFile(t, filepath.Join(dir, "cert.pem"), tc.certPEM, 0o644)
	for name, b := range map[string]*pem.Block{
		"PKCS#8": {Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte("opaque")},
		"legacy": {Type: "RSA PRIVATE KEY", Headers: map[string]string{"Proc-Type": "4,ENCRYPTED", "DEK-Info": "AES-128-CBC,00000000000000000000000000000000"}, Bytes: []byte("opaque")},
	} {
		t.Run(name, func(t *testing.T) {
			f := writeFile(t, filepath.Join(dir, "key.pem"), pem.EncodeToMemory(b), 0o600)
			_, err := Load(f, crt, nil)
			oneLine(t, err, f, "encrypted", "openssl pkey")
		})
	}
}

func TestLoadKeyFormats(t *testing.T) {
	ec, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	sec1, _ := x509.MarshalECPrivateKey(ec)
	pkcs8 := func(k any) []byte { d, _ := x509.MarshalPKCS8PrivateKey(k); return d }
	cases := []struct {
		name  string
		key   crypto.Signer
		block *pem.Block
	}{
		{"EC PRIVATE KEY (openssl ecparam)", ec, &pem.Block{Type: "EC PRIVATE KEY", Bytes: sec1}},
		{"RSA PRIVATE KEY (PKCS#1)", rsaKey, &pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsaKey)}},
		{"PRIVATE KEY (PKCS#8 RSA)", rsaKey, &pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8(rsaKey)}},
		{"PRIVATE KEY (PKCS#8 Ed25519)", ed, &pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8(ed)}},
		{"mislabelled", ec, &pem.Block{Type: "RSA PRIVATE KEY", Bytes: pkcs8(ec)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			tc := makeCert(t, certOpts{key: c.key})
			// openssl ecparam -genkey writes EC PARAMETERS before the key.
			params := pem.EncodeToMemory(&pem.Block{Type: "EC PARAMETERS", Bytes: []byte{6, 5, 43, 129, 4, 0, 34}})
			f := writeFile(t, filepath.Join(dir, "server.pem"), join(params, pem.EncodeToMemory(c.block), tc.certPEM), 0o600)
			cert, err := Load(f, f, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !cert.Leaf.Equal(tc.cert) {
				t.Error("wrong leaf")
			}
			pool := x509.NewCertPool()
			pool.AddCert(tc.cert)
			addr := serve(t, ServerConfig(cert), false)
			if resp, _ := get(t, client(pool, addr), "https://localhost/"); resp.StatusCode != 200 {
				t.Errorf("status %d", resp.StatusCode)
			}
		})
	}
	t.Run("damaged key", func(t *testing.T) {
		dir := t.TempDir()
		tc := makeCert(t, certOpts{})
		f := writeFile(t, filepath.Join(dir, "key.pem"), pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: []byte("nonsense")}), 0o600)
		crt := writeFile(t, filepath.Join(dir, "cert.pem"), tc.certPEM, 0o644)
		_, err := Load(f, crt, nil)
		oneLine(t, err, f, "cannot read the private key")
	})
}

func TestLoadExpiredCertificate(t *testing.T) {
	dir := t.TempDir()
	expired := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	tc := makeCert(t, certOpts{notBefore: expired.Add(-90 * 24 * time.Hour), notAfter: expired})
	key := writeFile(t, filepath.Join(dir, "key.pem"), tc.keyPEM, 0o600)
	crt := writeFile(t, filepath.Join(dir, "cert.pem"), tc.certPEM, 0o644)
	_, err := Load(key, crt, nil)
	oneLine(t, err, crt, "expired on 2024-03-01 12:00 UTC", "days ago")

	// Not yet valid is refused too, with a hint about the clock.
	future := makeCert(t, certOpts{notBefore: time.Now().Add(72 * time.Hour), notAfter: time.Now().Add(400 * 24 * time.Hour)})
	key = writeFile(t, filepath.Join(dir, "fkey.pem"), future.keyPEM, 0o600)
	crt = writeFile(t, filepath.Join(dir, "fcert.pem"), future.certPEM, 0o644)
	_, err = Load(key, crt, nil)
	oneLine(t, err, crt, "not valid until", "clock")

	// An expired certificate in the chain is not the server's problem to
	// judge (cross-signed roots are kept past expiry on purpose).
	leaf := makeCert(t, certOpts{})
	key = writeFile(t, filepath.Join(dir, "lkey.pem"), leaf.keyPEM, 0o600)
	crt = writeFile(t, filepath.Join(dir, "lcert.pem"), leaf.certPEM, 0o644)
	oldChain := writeFile(t, filepath.Join(dir, "old.pem"), tc.certPEM, 0o644)
	if _, err := Load(key, crt, []string{oldChain}); err != nil {
		t.Errorf("expired chain certificate refused: %v", err)
	}
}

func TestAgo(t *testing.T) {
	for d, want := range map[time.Duration]string{
		30 * time.Second:     "30 seconds",
		time.Minute:          "1 minute",
		90 * time.Minute:     "90 minutes",
		5 * time.Hour:        "5 hours",
		49 * time.Hour:       "2 days",
		400 * 24 * time.Hour: "400 days",
	} {
		if got := ago(d); got != want {
			t.Errorf("ago(%v) = %q; want %q", d, got, want)
		}
	}
}

// ---- ServerConfig ----

func TestServerConfig(t *testing.T) {
	a := makeCert(t, certOpts{})
	b := makeCert(t, certOpts{})
	pair := func(tc *testCert) tls.Certificate {
		c, err := tls.X509KeyPair(tc.certPEM, tc.keyPEM)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	certs := []tls.Certificate{pair(a), pair(b)}
	cfg := ServerConfig(certs...)
	if cfg.MinVersion != tls.VersionTLS12 {
		t.Errorf("MinVersion = %x", cfg.MinVersion)
	}
	if strings.Join(cfg.NextProtos, ",") != "h2,http/1.1" {
		t.Errorf("NextProtos = %v", cfg.NextProtos)
	}
	if len(cfg.Certificates) != 2 {
		t.Fatalf("%d certificates", len(cfg.Certificates))
	}
	certs[0] = tls.Certificate{}
	if cfg.Certificates[0].PrivateKey == nil {
		t.Error("ServerConfig shares the caller's slice")
	}

	pool := x509.NewCertPool()
	pool.AddCert(a.cert)
	addr := serve(t, ServerConfig(pair(a)), false)

	t.Run("TLS 1.1 refused", func(t *testing.T) {
		conn, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool, ServerName: "localhost", MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11})
		if err == nil {
			conn.Close()
			t.Fatal("TLS 1.1 handshake succeeded")
		}
	})
	t.Run("TLS 1.2 accepted, HTTP/1.1 client still served", func(t *testing.T) {
		tr := &http.Transport{
			TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "localhost", MaxVersion: tls.VersionTLS12},
			DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
				var d net.Dialer
				return d.DialContext(ctx, network, addr)
			},
			// No ForceAttemptHTTP2 with a custom TLS config: HTTP/1.1.
		}
		defer tr.CloseIdleConnections()
		resp, body := get(t, &http.Client{Transport: tr}, "https://localhost/")
		if resp.ProtoMajor != 1 || resp.TLS.Version != tls.VersionTLS12 || body != "hello from gowsgi over HTTP/1.1" {
			t.Errorf("%s over TLS %x: %q", resp.Proto, resp.TLS.Version, body)
		}
	})
}

// ---- DefaultDir ----

func TestDefaultDir(t *testing.T) {
	xdg := filepath.Join(t.TempDir(), "xdg")
	t.Setenv("XDG_CONFIG_HOME", xdg)
	dir, err := DefaultDir()
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(xdg, "gowsgi", "tls"); dir != want {
		t.Errorf("DefaultDir() = %s; want %s", dir, want)
	}

	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		return
	}
	home := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", "")
	t.Setenv("HOME", home)
	base, err := os.UserConfigDir()
	if err != nil {
		t.Fatal(err)
	}
	if dir, err := DefaultDir(); err != nil || dir != filepath.Join(base, "gowsgi", "tls") {
		t.Errorf("DefaultDir() = %s, %v; want under %s", dir, err, base)
	}

	t.Setenv("HOME", "")
	os.Unsetenv("HOME")
	os.Unsetenv("XDG_CONFIG_HOME")
	_, err = DefaultDir()
	oneLine(t, err, "pass a key and certificate explicitly", "privateKey=")
}

// ---- TrustHint ----

func TestTrustHint(t *testing.T) {
	f := "/home/dev/.config/gowsgi/tls/localhost.pem"
	hint := TrustHint(f)
	for _, want := range []string{
		"curl --cacert " + f,
		"sudo cp " + f + " /usr/local/share/ca-certificates/gowsgi-localhost.crt && sudo update-ca-certificates",
		"certutil -d sql:$HOME/.pki/nssdb -A -t CP,, -n gowsgi -i " + f,
		".mozilla/firefox",
		"security add-trusted-cert -r trustRoot -k ~/Library/Keychains/login.keychain-db " + f,
	} {
		if !strings.Contains(hint, want) {
			t.Errorf("hint lacks %q:\n%s", want, hint)
		}
	}
	if !strings.HasSuffix(hint, "\n") || strings.Count(hint, "\n") > 8 {
		t.Errorf("want a few lines ending in a newline:\n%s", hint)
	}

	odd := "/Users/Jo O'Neil/Library/Application Support/gowsgi/tls/localhost.pem"
	if q := `'/Users/Jo O'\''Neil/Library/Application Support/gowsgi/tls/localhost.pem'`; !strings.Contains(TrustHint(odd), "curl --cacert "+q+" ") {
		t.Errorf("path not shell-quoted:\n%s", TrustHint(odd))
	}
}

// The hint's commands work, where the tools are installed.
func TestTrustHintCommandsWork(t *testing.T) {
	cert, certFile, _, err := SelfSigned(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	hint := TrustHint(certFile)

	t.Run("curl", func(t *testing.T) {
		curl, err := exec.LookPath("curl")
		if err != nil {
			t.Skip("no curl")
		}
		addr := serve(t, ServerConfig(cert), false)
		_, port, _ := net.SplitHostPort(addr)
		out, err := exec.Command(curl, "-sS", "--resolve", "localhost:"+port+":127.0.0.1",
			"--cacert", certFile, "https://localhost:"+port+"/").CombinedOutput()
		if err != nil || !strings.HasPrefix(string(out), "hello from gowsgi") {
			t.Errorf("curl --cacert: %v: %s", err, out)
		}
	})
	t.Run("NSS certutil", func(t *testing.T) {
		certutil, err := exec.LookPath("certutil")
		if err != nil || runtime.GOOS != "linux" {
			t.Skip("no NSS certutil")
		}
		_, after, ok := strings.Cut(hint, "nssdb -A -t ")
		if !ok {
			t.Fatalf("no certutil line in:\n%s", hint)
		}
		flags := strings.Fields(after)[0]
		db := "sql:" + t.TempDir()
		for _, args := range [][]string{
			{"-d", db, "-N", "--empty-password"},
			{"-d", db, "-A", "-t", flags, "-n", "gowsgi", "-i", certFile},
			{"-d", db, "-V", "-u", "V", "-n", "gowsgi"},
		} {
			out, err := exec.Command(certutil, args...).CombinedOutput()
			if err != nil {
				t.Fatalf("certutil %s: %v: %s", strings.Join(args, " "), err, out)
			}
		}
	})
}
