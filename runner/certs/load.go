// Package certs loads TLS certificates for gowsgi's ssl: and tls: listeners
// and manages gowsgi's self-signed certificate for local development.
//
// Standard library only. Every error is one line that names the file and
// says what is wrong with it, so the CLI can print it as is.
package certs

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Load reads a PEM key and certificate (certFile may equal keyFile when both
// are in one file, as twistd's server.pem), plus optional chain files
// appended to the certificate chain. Errors name the file and say what is
// wrong in one line (missing file, not PEM, key does not match certificate,
// expired certificate: say when it expired).
//
// certFile may hold more than one certificate (a "fullchain.pem"): the first
// is the server's, the rest are sent after it, followed by the certificates
// of each chain file in order. A certificate already in the chain is not
// added twice. The returned Certificate has Leaf set.
func Load(keyFile, certFile string, chain []string) (tls.Certificate, error) {
	return load(keyFile, certFile, chain, time.Now())
}

func load(keyFile, certFile string, chain []string, now time.Time) (tls.Certificate, error) {
	combined := filepath.Clean(keyFile) == filepath.Clean(certFile)
	keyRole, certRole := "TLS key file", "TLS certificate file"
	if combined {
		keyRole, certRole = "TLS key and certificate file", "TLS key and certificate file"
	}

	keyBlocks, err := readPEM(keyRole, keyFile)
	if err != nil {
		return tls.Certificate{}, err
	}
	certBlocks := keyBlocks
	if !combined {
		if certBlocks, err = readPEM(certRole, certFile); err != nil {
			return tls.Certificate{}, err
		}
	}

	key, err := parseKey(keyRole, keyFile, keyBlocks)
	if err != nil {
		return tls.Certificate{}, err
	}
	certs, err := parseCerts(certRole, certFile, certBlocks)
	if err != nil {
		return tls.Certificate{}, err
	}
	leaf := certs[0]

	if !publicKeyMatches(leaf, key) {
		for i, c := range certs[1:] {
			if publicKeyMatches(c, key) {
				return tls.Certificate{}, fmt.Errorf("%s %s: the key matches certificate %d in %s, not the first one; put the server's certificate first",
					keyRole, keyFile, i+2, certFile)
			}
		}
		if combined {
			return tls.Certificate{}, fmt.Errorf("%s %s: the private key does not match the certificate", keyRole, keyFile)
		}
		return tls.Certificate{}, fmt.Errorf("%s %s does not match the certificate in %s (they are not a pair)", keyRole, keyFile, certFile)
	}
	if now.After(leaf.NotAfter) {
		return tls.Certificate{}, fmt.Errorf("%s %s: the certificate expired on %s (%s ago)",
			certRole, certFile, formatTime(leaf.NotAfter), ago(now.Sub(leaf.NotAfter)))
	}
	if now.Before(leaf.NotBefore) {
		return tls.Certificate{}, fmt.Errorf("%s %s: the certificate is not valid until %s (in %s); check the system clock",
			certRole, certFile, formatTime(leaf.NotBefore), ago(leaf.NotBefore.Sub(now)))
	}

	out := tls.Certificate{PrivateKey: key, Leaf: leaf}
	seen := map[string]bool{}
	add := func(c *x509.Certificate) {
		if !seen[string(c.Raw)] {
			seen[string(c.Raw)] = true
			out.Certificate = append(out.Certificate, c.Raw)
		}
	}
	for _, c := range certs {
		add(c)
	}
	for _, f := range chain {
		blocks, err := readPEM("TLS chain file", f)
		if err != nil {
			return tls.Certificate{}, err
		}
		cs, err := parseCerts("TLS chain file", f, blocks)
		if err != nil {
			return tls.Certificate{}, err
		}
		for _, c := range cs {
			add(c)
		}
	}
	return out, nil
}

// readPEM reads every PEM block in path. It fails, naming the file, when the
// file cannot be read or holds no PEM at all.
func readPEM(role, path string) ([]*pem.Block, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is already in our message
		}
		return nil, fmt.Errorf("%s %s: %w", role, path, err)
	}
	var blocks []*pem.Block
	rest := data
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		blocks = append(blocks, b)
	}
	if len(blocks) > 0 {
		return blocks, nil
	}
	switch {
	case len(bytes.TrimSpace(data)) == 0:
		return nil, fmt.Errorf("%s %s: the file is empty", role, path)
	case bytes.Contains(data, []byte("-----BEGIN")):
		return nil, fmt.Errorf("%s %s: not valid PEM (a -----BEGIN line but no readable block: damaged base64 or no -----END line)", role, path)
	case data[0] == 0x30: // an ASN.1 SEQUENCE: DER
		tool, out := "x509", "cert.pem"
		if strings.Contains(role, "key") {
			tool, out = "pkey", "key.pem"
		}
		return nil, fmt.Errorf("%s %s: not PEM, it looks like binary DER; convert it with: openssl %s -inform der -in %s -out %s", role, path, tool, path, out)
	default:
		return nil, fmt.Errorf("%s %s: not PEM (no -----BEGIN line)", role, path)
	}
}

func blockTypes(blocks []*pem.Block) string {
	var types []string
	for _, b := range blocks {
		types = append(types, b.Type)
	}
	return strings.Join(types, ", ")
}

func parseKey(role, path string, blocks []*pem.Block) (crypto.Signer, error) {
	var b *pem.Block
	for _, x := range blocks {
		if strings.HasSuffix(x.Type, "PRIVATE KEY") {
			b = x
			break
		}
	}
	if b == nil {
		return nil, fmt.Errorf("%s %s: no private key in it (it holds %s)", role, path, blockTypes(blocks))
	}
	if b.Type == "ENCRYPTED PRIVATE KEY" || strings.Contains(b.Headers["Proc-Type"], "ENCRYPTED") {
		return nil, fmt.Errorf("%s %s: the private key is encrypted with a passphrase; decrypt it with: openssl pkey -in %s -out key.pem", role, path, path)
	}
	switch b.Type {
	case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY":
	default:
		return nil, fmt.Errorf("%s %s: its %s block cannot be used for TLS; expected PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY", role, path, b.Type)
	}
	// Like crypto/tls, try each encoding whatever the label says.
	var key any
	var err error
	if key, err = x509.ParsePKCS8PrivateKey(b.Bytes); err != nil {
		var err1, err2 error
		if key, err1 = x509.ParsePKCS1PrivateKey(b.Bytes); err1 != nil {
			if key, err2 = x509.ParseECPrivateKey(b.Bytes); err2 != nil {
				switch b.Type {
				case "RSA PRIVATE KEY":
					err = err1
				case "EC PRIVATE KEY":
					err = err2
				}
				return nil, fmt.Errorf("%s %s: cannot read the private key: %v", role, path, err)
			}
		}
	}
	switch k := key.(type) {
	case *rsa.PrivateKey, *ecdsa.PrivateKey, ed25519.PrivateKey:
		return k.(crypto.Signer), nil
	default:
		return nil, fmt.Errorf("%s %s: this kind of private key (%T) cannot be used for TLS; use RSA, ECDSA or Ed25519", role, path, key)
	}
}

func parseCerts(role, path string, blocks []*pem.Block) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	for _, b := range blocks {
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s %s: cannot read certificate %d: %v", role, path, len(certs)+1, err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, fmt.Errorf("%s %s: no certificate in it (it holds %s)", role, path, blockTypes(blocks))
	}
	return certs, nil
}

func publicKeyMatches(c *x509.Certificate, key crypto.Signer) bool {
	pub, ok := c.PublicKey.(interface{ Equal(crypto.PublicKey) bool })
	return ok && pub.Equal(key.Public())
}

func formatTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 MST") }

// ago says roughly how long d is: "3 days", "5 hours", "12 minutes".
func ago(d time.Duration) string {
	plural := func(n int64, unit string) string {
		if n == 1 {
			return "1 " + unit
		}
		return fmt.Sprintf("%d %ss", n, unit)
	}
	switch {
	case d >= 48*time.Hour:
		return plural(int64(d/(24*time.Hour)), "day")
	case d >= 2*time.Hour:
		return plural(int64(d/time.Hour), "hour")
	case d >= time.Minute:
		return plural(int64(d/time.Minute), "minute")
	default:
		return plural(int64(d/time.Second), "second")
	}
}
