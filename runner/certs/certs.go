package certs

import (
	"crypto/tls"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// DefaultDir returns the directory SelfSigned uses by default:
// $XDG_CONFIG_HOME/gowsgi/tls when XDG_CONFIG_HOME is an absolute path (on
// every system), else os.UserConfigDir()/gowsgi/tls. When no config
// directory can be found (HOME unset), the error says to pass a key and
// certificate explicitly.
func DefaultDir() (string, error) {
	if x := os.Getenv("XDG_CONFIG_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "gowsgi", "tls"), nil
	}
	base, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("TLS: no place for gowsgi's self-signed certificate (%v); pass a key and certificate explicitly (ssl:PORT:privateKey=KEY.pem:certKey=CERT.pem)", err)
	}
	return filepath.Join(base, "gowsgi", "tls"), nil
}

// TrustHint returns a few lines telling a developer how to trust certFile
// (curl, Debian/Ubuntu, Chrome and Firefox via NSS, macOS). Every line ends
// in a newline.
//
// The NSS trust flags are "CP,,", not "C,,": the certificate is its own
// issuer but not a CA, and NSS's own verifier (certutil -V, vfychain) only
// accepts it as a trusted peer (P), while Firefox only takes a trust anchor
// (C); with both, Chrome treats it as an anchor or a trusted leaf.
func TrustHint(certFile string) string {
	f := shellQuote(certFile)
	var b strings.Builder
	fmt.Fprintf(&b, "gowsgi made a self-signed certificate for localhost: %s\n", certFile)
	b.WriteString("To trust it (once; it is renewed 30 days before it expires, and then needs trusting again):\n")
	fmt.Fprintf(&b, "  curl:           curl --cacert %s https://localhost:PORT/\n", f)
	fmt.Fprintf(&b, "  Debian/Ubuntu:  sudo cp %s /usr/local/share/ca-certificates/gowsgi-localhost.crt && sudo update-ca-certificates\n", f)
	fmt.Fprintf(&b, "  Chrome (Linux): certutil -d sql:$HOME/.pki/nssdb -A -t CP,, -n gowsgi -i %s   (certutil: apt install libnss3-tools)\n", f)
	fmt.Fprintf(&b, "  Firefox:        for d in ~/.mozilla/firefox/*/; do certutil -d sql:\"$d\" -A -t CP,, -n gowsgi -i %s; done\n", f)
	fmt.Fprintf(&b, "  macOS:          security add-trusted-cert -r trustRoot -k ~/Library/Keychains/login.keychain-db %s\n", f)
	return b.String()
}

// ServerConfig returns a *tls.Config for a server with these certificates:
// TLS 1.2 minimum, NextProtos {"h2", "http/1.1"} so Go's http.Server
// negotiates HTTP/2 (with tls.NewListener and Server.Serve as well as with
// Server.ServeTLS). With several certificates, the one matching the
// client's server name (SNI) is used, else the first.
func ServerConfig(certs ...tls.Certificate) *tls.Config {
	return &tls.Config{
		MinVersion:   tls.VersionTLS12,
		NextProtos:   []string{"h2", "http/1.1"},
		Certificates: append([]tls.Certificate(nil), certs...),
	}
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-+,:@%=", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
