package certs

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

const (
	// CertFileName and KeyFileName are the files SelfSigned keeps in its dir.
	CertFileName = "localhost.pem"
	KeyFileName  = "localhost-key.pem"

	// Organization is the subject of gowsgi's self-signed certificate.
	Organization = "gowsgi development certificate"

	validity    = 825 * 24 * time.Hour // the most Apple platforms accept
	renewBefore = 30 * 24 * time.Hour  // replace when fewer days are left
	backdate    = time.Hour            // tolerate a little clock skew
)

// SelfSigned returns gowsgi's self-signed certificate for local development,
// creating it on first use in dir (typically DefaultDir()), and reusing it
// afterwards while it is valid for at least 30 more days (otherwise, or when
// the files are unreadable or do not form a pair, it is replaced).
//
// Files: dir/localhost.pem (certificate, 0644) and dir/localhost-key.pem
// (key, 0600); dir is created 0700. An existing dir that is writable by group
// or others or owned by another user is refused, and so is an existing key
// readable by group or others. The certificate: ECDSA P-256, SANs localhost,
// 127.0.0.1 and ::1, valid 825 days, KeyUsage DigitalSignature, ExtKeyUsage
// ServerAuth, a random 128-bit serial, subject O=gowsgi development
// certificate; it is not a CA, so its key cannot vouch for other names.
//
// created reports whether it was made now (so the caller prints TrustHint
// once). certFile is absolute.
//
// Two gowsgi processes starting at once do not race: the dir is locked
// (flock) while the files are checked and written, both files are written to
// temporary names and renamed into place, and the pair is loaded back and
// checked before it is returned (retrying once where there is no lock).
func SelfSigned(dir string) (cert tls.Certificate, certFile string, created bool, err error) {
	if dir == "" {
		return tls.Certificate{}, "", false, errors.New("TLS: no directory for the self-signed certificate")
	}
	if dir, err = filepath.Abs(dir); err != nil {
		return tls.Certificate{}, "", false, fmt.Errorf("TLS certificate directory: %v", err)
	}
	if err := prepareDir(dir); err != nil {
		return tls.Certificate{}, "", false, err
	}
	unlock, err := lockDir(dir)
	if err != nil {
		return tls.Certificate{}, "", false, fmt.Errorf("TLS certificate directory %s: cannot lock it: %v", dir, err)
	}
	defer unlock()

	certFile = filepath.Join(dir, CertFileName)
	keyFile := filepath.Join(dir, KeyFileName)
	if err := checkKeyFile(keyFile); err != nil {
		return tls.Certificate{}, "", false, err
	}
	now := time.Now()
	if c, err := load(keyFile, certFile, nil, now); err == nil && reusable(c.Leaf, now) {
		return c, certFile, false, nil
	}

	var lastErr error
	for range 2 {
		if err := create(dir, keyFile, certFile, time.Now()); err != nil {
			return tls.Certificate{}, "", false, err
		}
		// Load what is on disk now, not what we generated: that is what the
		// next gowsgi will read, and it must be a pair.
		c, err := Load(keyFile, certFile, nil)
		if err == nil {
			return c, certFile, true, nil
		}
		lastErr = err
	}
	return tls.Certificate{}, "", false, fmt.Errorf("TLS: the self-signed certificate just written to %s does not load: %v", dir, lastErr)
}

// reusable says whether a loaded self-signed certificate may be used again.
func reusable(leaf *x509.Certificate, now time.Time) bool {
	return leaf.NotAfter.Sub(now) >= renewBefore &&
		leaf.VerifyHostname("localhost") == nil &&
		leaf.VerifyHostname("127.0.0.1") == nil
}

// prepareDir creates dir 0700 or checks that an existing one is safe.
func prepareDir(dir string) error {
	fi, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(filepath.Dir(dir), 0o700); err != nil {
			return fmt.Errorf("TLS certificate directory %s: cannot create it: %v", dir, unwrapPath(err))
		}
		if err := os.Mkdir(dir, 0o700); err == nil {
			// The umask may have taken bits away; 0700 is what we want.
			if err := os.Chmod(dir, 0o700); err != nil {
				return fmt.Errorf("TLS certificate directory %s: %v", dir, unwrapPath(err))
			}
		} else if !errors.Is(err, fs.ErrExist) { // another gowsgi just made it
			return fmt.Errorf("TLS certificate directory %s: cannot create it: %v", dir, unwrapPath(err))
		}
		fi, err = os.Stat(dir)
	}
	if err != nil {
		return fmt.Errorf("TLS certificate directory %s: %v", dir, unwrapPath(err))
	}
	if !fi.IsDir() {
		return fmt.Errorf("TLS certificate directory %s: not a directory", dir)
	}
	if checkModes && fi.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("TLS certificate directory %s is writable by group or others (mode %04o), so someone else could swap the key; refusing to use it (fix: chmod 700 %s)",
			dir, fi.Mode().Perm(), shellQuote(dir))
	}
	if err := checkOwner(fi); err != nil {
		return fmt.Errorf("TLS certificate directory %s %v; refusing to use it (remove it, or pass a key and certificate explicitly)", dir, err)
	}
	return nil
}

// checkKeyFile refuses an existing key that others can read or that belongs
// to someone else. A missing key is fine: it is about to be made.
func checkKeyFile(keyFile string) error {
	fi, err := os.Stat(keyFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("TLS key file %s: %v", keyFile, unwrapPath(err))
	}
	if checkModes && fi.Mode().IsRegular() && fi.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("TLS key file %s is readable or writable by group or others (mode %04o); refusing to use it (fix: chmod 600 %s, or delete it to get a new one)",
			keyFile, fi.Mode().Perm(), shellQuote(keyFile))
	}
	if err := checkOwner(fi); err != nil {
		return fmt.Errorf("TLS key file %s %v; refusing to use it (delete it to get a new one)", keyFile, err)
	}
	return nil
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// create makes a new key and certificate and renames both into place. The
// key is renamed first and the certificate last, so localhost.pem appearing
// means the pair is complete.
func create(dir, keyFile, certFile string, now time.Time) error {
	certPEM, keyPEM, err := generate(now)
	if err != nil {
		return fmt.Errorf("TLS: cannot make a self-signed certificate: %v", err)
	}
	keyTmp, err := writeTemp(dir, ".localhost-key-*.tmp", keyPEM, 0o600)
	if err != nil {
		return err
	}
	certTmp, err := writeTemp(dir, ".localhost-*.tmp", certPEM, 0o644)
	if err != nil {
		os.Remove(keyTmp)
		return err
	}
	if err := os.Rename(keyTmp, keyFile); err != nil {
		os.Remove(keyTmp)
		os.Remove(certTmp)
		return fmt.Errorf("TLS key file %s: cannot write it: %v", keyFile, unwrapLink(err))
	}
	if err := os.Rename(certTmp, certFile); err != nil {
		os.Remove(certTmp)
		return fmt.Errorf("TLS certificate file %s: cannot write it: %v", certFile, unwrapLink(err))
	}
	syncDir(dir)
	return nil
}

func unwrapLink(err error) error {
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}

// writeTemp writes data to a new file in dir, which is created 0600 (so a
// key is never readable by others, not even while it is being written), then
// given exactly mode perm and flushed to disk. It returns the file's name.
func writeTemp(dir, pattern string, data []byte, perm fs.FileMode) (string, error) {
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return "", fmt.Errorf("TLS certificate directory %s: cannot write in it: %v", dir, unwrapPath(err))
	}
	name := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(perm) // whatever the umask took away
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		return "", fmt.Errorf("TLS certificate directory %s: cannot write %s: %v", dir, filepath.Base(name), unwrapPath(err))
	}
	return name, nil
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync() // best effort: not every system can sync a directory
		d.Close()
	}
}

// generate returns a new self-signed certificate and its key, PEM-encoded.
func generate(now time.Time) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	serial, err := randomSerial()
	if err != nil {
		return nil, nil, err
	}
	notBefore := now.Add(-backdate).Truncate(time.Second)
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{Organization: []string{Organization}},
		NotBefore:             notBefore,
		NotAfter:              notBefore.Add(validity),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  false,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, nil, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), nil
}

// randomSerial returns a random positive serial number of at most 128 bits.
func randomSerial() (*big.Int, error) {
	limit := new(big.Int).Lsh(big.NewInt(1), 128)
	for {
		n, err := rand.Int(rand.Reader, limit)
		if err != nil {
			return nil, err
		}
		if n.Sign() > 0 {
			return n, nil
		}
	}
}
