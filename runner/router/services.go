package router

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"

	"github.com/gowsgi/gowsgi/runner/config"
)

// The small services a Crossbar.io web transport can mount beside an app.

// Redirect answers every request with a redirect to target (Crossbar's
// "redirect" service).
func Redirect(target string, code int) http.Handler {
	if code == 0 {
		code = http.StatusFound
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target, code)
	})
}

// JSON answers GET and HEAD with a fixed JSON value (Crossbar's "json"
// service, with the options its documentation describes).
func JSON(j config.JSON) http.Handler {
	body := j.Value
	if j.Prettify {
		var b bytes.Buffer
		if json.Indent(&b, j.Value, "", "  ") == nil {
			body = b.Bytes()
		}
	}
	body = append(bytes.TrimRight(body, "\n"), '\n')
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			Error(w, r, http.StatusMethodNotAllowed, "this path serves a fixed JSON value", "Only GET and HEAD are answered here.", "")
			return
		}
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Content-Length", strconv.Itoa(len(body)))
		if j.CORS {
			h.Set("Access-Control-Allow-Origin", "*")
		}
		if j.NoCache {
			h.Set("Cache-Control", "no-store")
		}
		if r.Method == http.MethodHead {
			return
		}
		w.Write(body)
	})
}

// Proxy forwards requests under prefix to an HTTP backend (Crossbar's
// "reverseproxy" service): /prefix/rest goes to http://host:port/path/rest,
// with X-Forwarded-* and X-Real-IP set. An unreachable backend is a 502.
func Proxy(prefix string, p config.Proxy) http.Handler {
	target := &url.URL{Scheme: "http", Host: fmt.Sprintf("%s:%d", p.Host, p.Port), Path: "/" + strings.Trim(p.Path, "/")}
	return &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			rest := strings.TrimPrefix(pr.In.URL.Path, strings.TrimRight(prefix, "/"))
			pr.Out.URL.Scheme, pr.Out.URL.Host = target.Scheme, target.Host
			pr.Out.URL.Path = strings.TrimRight(target.Path, "/") + "/" + strings.TrimPrefix(rest, "/")
			pr.Out.URL.RawPath = ""
			pr.Out.Host = target.Host
			pr.SetXForwarded()
			if p.ForwardedProto != "" {
				pr.Out.Header.Set("X-Forwarded-Proto", p.ForwardedProto)
			}
			if p.ForwardedPort != 0 {
				pr.Out.Header.Set("X-Forwarded-Port", strconv.Itoa(p.ForwardedPort))
			}
			if ip := pr.Out.Header.Get("X-Forwarded-For"); ip != "" {
				pr.Out.Header.Set("X-Real-IP", strings.TrimSpace(ip[strings.LastIndexByte(ip, ',')+1:]))
			}
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			RecordOf(w).Note = "backend: " + err.Error()
			Error(w, r, http.StatusBadGateway, "the backend did not answer",
				fmt.Sprintf("The reverse proxy to %s failed: %v", target.Host, err), "")
		},
	}
}

// NotHosted answers a path whose Crossbar service gowsgi does not host
// (WAMP WebSockets, callers, publishers, ...) with 501 and why.
func NotHosted(kind, source string) http.Handler {
	detail := fmt.Sprintf("This path is configured (%s) as a Crossbar.io %q service, which gowsgi does not host. "+
		"gowsgi serves WSGI and ASGI apps (an app's own WebSockets: \"type\": \"asgi\"), static files, redirects, JSON values and reverse proxies; run Crossbar.io itself for WAMP.", source, kind)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		RecordOf(w).Note = kind + " is not hosted by gowsgi"
		Error(w, r, http.StatusNotImplemented, "a "+kind+" service is not hosted here", detail, "")
	})
}
