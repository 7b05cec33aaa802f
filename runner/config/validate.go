package config

import (
	"fmt"
	"os"
	"path"
	"slices"
	"strings"
)

// Error is a mistake in the configuration, named by where it was made: a
// flag ("--wsgi /a=x") or the JSON path of a config value
// ("workers[0].transports[0].paths.app.module").
type Error struct {
	Where string
	Msg   string
}

func (e *Error) Error() string { return e.Where + ": " + e.Msg }

func errorf(where, format string, args ...any) *Error {
	return &Error{Where: where, Msg: fmt.Sprintf(format, args...)}
}

// CleanMountPath normalises a URL path for a mount: a leading "/", no
// trailing one (but for "/" itself), no empty, "." or ".." segments.
func CleanMountPath(p string) (string, error) {
	if p == "" || p[0] != '/' {
		return "", fmt.Errorf("a mount path must start with \"/\" (got %q)", p)
	}
	if strings.ContainsAny(p, "?#%\\ \t\r\n\x00") {
		return "", fmt.Errorf("a mount path is a plain URL path: no spaces, %%-escapes, \\, ? or # (got %q)", p)
	}
	trimmed := strings.TrimRight(p, "/")
	if trimmed == "" {
		return "/", nil
	}
	for _, seg := range strings.Split(trimmed[1:], "/") {
		if seg == "" || seg == "." || seg == ".." {
			return "", fmt.Errorf("a mount path must not have empty, \".\" or \"..\" segments (got %q)", p)
		}
	}
	return path.Clean(trimmed), nil
}

// Validate checks what no single value can show: every transport listens
// somewhere, no two listeners share an address, mount paths are clean and
// unique, and every mount is complete. Each error names its source.
func (s *Site) Validate() error {
	if len(s.Transports) == 0 {
		return &Error{Where: "the configuration", Msg: "nothing to serve: give --wsgi, --static or --path, or --config FILE"}
	}
	addrs := map[string]string{}
	for _, t := range s.Transports {
		if len(t.Listeners) == 0 {
			return errorf(t.Source, "no endpoint to listen on")
		}
		for _, l := range t.Listeners {
			key := l.Network + " " + l.Address
			if earlier, dup := addrs[key]; dup && !strings.HasSuffix(l.Address, ":0") {
				return errorf(l.Spec, "the same address as %s; give it once", earlier)
			}
			addrs[key] = l.Spec
		}
		switch t.Tracebacks {
		case "auto", "show", "hide":
		default:
			return errorf(t.Source, "tracebacks must be auto, show or hide (got %q)", t.Tracebacks)
		}
		paths := map[string]string{}
		for _, m := range t.Mounts {
			clean, err := CleanMountPath(m.Path)
			if err != nil {
				return errorf(m.Source, "%v", err)
			}
			if clean != m.Path {
				return errorf(m.Source, "mount path %q is not clean; write %q", m.Path, clean)
			}
			if earlier, dup := paths[m.Path]; dup {
				return errorf(m.Source, "%s is already mounted by %s; give each path once", m.Path, earlier)
			}
			paths[m.Path] = m.Source
			if err := m.validate(); err != nil {
				return err
			}
			if m.Kind == KindASGI && s.Python.Engine == "gpython" {
				return errorf(m.Source, "ASGI apps need CPython: the gpython engine runs WSGI apps only (drop --engine gpython)")
			}
		}
	}
	return nil
}

func (m *Mount) validate() error {
	set := 0
	for _, p := range []bool{m.WSGI != nil, m.ASGI != nil, m.Static != nil, m.Redirect != nil, m.JSON != nil, m.Proxy != nil, m.Unsupported != nil} {
		if p {
			set++
		}
	}
	if set != 1 {
		return errorf(m.Source, "internal: a mount must have exactly one service (has %d)", set)
	}
	switch m.Kind {
	case KindWSGI:
		if m.WSGI == nil {
			break
		}
		if err := CheckAppName(m.WSGI.App); err != nil {
			return errorf(m.Source, "%q: %v", m.WSGI.App, err)
		}
		if field, err := m.WSGI.Pool.Check(); err != nil {
			return errorf(m.Source, "%s %v", field, err)
		}
		return nil
	case KindASGI:
		if m.ASGI == nil {
			break
		}
		if err := CheckAppName(m.ASGI.App); err != nil {
			return errorf(m.Source, "%q: %v", m.ASGI.App, err)
		}
		if field, err := m.ASGI.Pool.Check(); err != nil {
			return errorf(m.Source, "%s %v", field, err)
		}
		if !slices.Contains(Lifespans, m.ASGI.Lifespan) {
			return errorf(m.Source, "lifespan must be auto, on or off (got %q)", m.ASGI.Lifespan)
		}
		if m.ASGI.LimitConcurrency < 0 {
			return errorf(m.Source, "the concurrency limit must be 0 (none) or more (got %d)", m.ASGI.LimitConcurrency)
		}
		if m.ASGI.MaxMessage <= 0 {
			return errorf(m.Source, "the largest WebSocket message must be more than 0 bytes")
		}
		return nil
	case KindStatic:
		if m.Static == nil {
			break
		}
		info, err := os.Stat(m.Static.Dir)
		if err != nil || !info.IsDir() {
			return errorf(m.Source, "%s: no such directory", m.Static.Dir)
		}
		return nil
	case KindRedirect:
		if m.Redirect == nil {
			break
		}
		if m.Redirect.URL == "" {
			return errorf(m.Source, "a redirect needs a URL")
		}
		return nil
	case KindJSON:
		if m.JSON != nil {
			return nil
		}
	case KindProxy:
		if m.Proxy == nil {
			break
		}
		if m.Proxy.Host == "" {
			return errorf(m.Source, "a reverse proxy needs a host")
		}
		if m.Proxy.Port < 1 || m.Proxy.Port > 65535 {
			return errorf(m.Source, "port must be from 1 to 65535 (got %d)", m.Proxy.Port)
		}
		return nil
	case KindUnsupported:
		if m.Unsupported != nil {
			return nil
		}
	}
	return errorf(m.Source, "internal: a %s mount without its settings", m.Kind)
}

// Check reports the first pool size that cannot work, as the field's name
// ("threads", "workers") and what is wrong with it; callers name the flag or
// config key.
func (p Pool) Check() (field string, err error) {
	switch {
	case p.Threads < 1:
		return "threads", fmt.Errorf("must be at least 1 (got %d)", p.Threads)
	case p.Workers < 1:
		return "workers", fmt.Errorf("must be at least 1 (got %d)", p.Workers)
	}
	return "", nil
}
