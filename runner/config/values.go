package config

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/gowsgi/gowsgi/environ"
)

// CheckAppName accepts "pkg.mod.attr" and "pkg.mod:attr" (attr may be dotted).
func CheckAppName(name string) error {
	const fix = "give a module and a callable, e.g. foo.application or app:app"
	switch {
	case strings.ContainsAny(name, `/\`):
		return fmt.Errorf("is a path; give a module path instead (use -d DIR or --pythonpath DIR for the directory), e.g. foo.application")
	case strings.HasSuffix(name, ".py"):
		return fmt.Errorf("names a file; %s", fix)
	}
	module, attr, hasColon := strings.Cut(name, ":")
	if !hasColon {
		i := strings.LastIndexByte(name, '.')
		if i < 0 {
			return errors.New(fix)
		}
		module, attr = name[:i], name[i+1:]
	}
	for _, part := range append(strings.Split(module, "."), strings.Split(attr, ".")...) {
		if !isIdentifier(part) {
			return errors.New(fix)
		}
	}
	return nil
}

// TopModule is the top-level module or package an app name imports first:
// "mysite" for mysite.wsgi.application and for mysite.wsgi:application.
func TopModule(name string) string {
	module, _, _ := strings.Cut(name, ":")
	top, _, _ := strings.Cut(module, ".")
	return top
}

func isIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if r == '_' || unicode.IsLetter(r) || (i > 0 && unicode.IsDigit(r)) {
			continue
		}
		return false
	}
	return true
}

// ParseDuration reads a Go duration ("30s", "1m30s") or plain seconds ("30",
// "0.5"). Negative values are refused.
func ParseDuration(s string) (time.Duration, error) {
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		if f < 0 || f > math.MaxInt64/float64(time.Second) || math.IsNaN(f) {
			return 0, errors.New("out of range")
		}
		return time.Duration(f * float64(time.Second)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, err
	}
	if d < 0 {
		return 0, errors.New("negative")
	}
	return d, nil
}

// sizeUnits: single letters and IEC names are powers of 1024 (as in nginx's
// 512k); SI names are powers of 1000.
var sizeUnits = map[string]float64{
	"": 1, "b": 1,
	"k": 1 << 10, "kib": 1 << 10, "kb": 1e3,
	"m": 1 << 20, "mib": 1 << 20, "mb": 1e6,
	"g": 1 << 30, "gib": 1 << 30, "gb": 1e9,
	"t": 1 << 40, "tib": 1 << 40, "tb": 1e12,
}

// ParseSize reads a byte count such as 1048576, 512k, 10MB or 1.5GiB.
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := 0
	for i < len(t) && (t[i] >= '0' && t[i] <= '9' || t[i] == '.') {
		i++
	}
	number, unit := t[:i], strings.ToLower(strings.TrimSpace(t[i:]))
	mult, ok := sizeUnits[unit]
	if number == "" || !ok {
		return 0, fmt.Errorf("bad size %q", s)
	}
	f, err := strconv.ParseFloat(number, 64)
	if err != nil {
		return 0, err
	}
	v := f * mult
	if v >= math.MaxInt64 {
		return 0, fmt.Errorf("size %q is too large", s)
	}
	return int64(v), nil
}

func ParseOctal(s string) (uint64, error) {
	digits := strings.TrimPrefix(strings.TrimPrefix(s, "0o"), "0O")
	if digits == "" {
		return 0, errors.New("empty")
	}
	return strconv.ParseUint(digits, 8, 32)
}

// reservedHeader reports the headers the server manages itself: adding them
// to every response would break the framing of the connection.
func reservedHeader(name string) bool {
	return environ.IsHopByHop(name) || strings.EqualFold(name, "Content-Length") || strings.EqualFold(name, "Proxy-Connection")
}

// ParseHeader reads "Name: value" as given to --add-header.
func ParseHeader(h string) (string, string, error) {
	name, value, ok := strings.Cut(h, ":")
	if !ok {
		return "", "", errors.New(`want "Name: value", e.g. "X-Frame-Options: DENY"`)
	}
	name, value = strings.TrimSpace(name), strings.TrimSpace(value)
	if name == "" || strings.IndexFunc(name, func(r rune) bool { return !isTokenChar(r) }) >= 0 {
		return "", "", errors.New(`the name must be a header token such as X-Frame-Options; want "Name: value"`)
	}
	if strings.ContainsAny(value, "\r\n\x00") {
		return "", "", errors.New("the value must be one line")
	}
	if reservedHeader(name) {
		return "", "", fmt.Errorf("%s is managed by the server and cannot be added", name)
	}
	return name, value, nil
}

// isTokenChar reports whether r may appear in an HTTP header name (RFC 9110 tchar).
func isTokenChar(r rune) bool {
	if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
		return true
	}
	return strings.ContainsRune("!#$%&'*+-.^_`|~", r)
}
