package router

import (
	"fmt"
	"html"
	"net/http"
	"strings"
)

// Error answers with a readable error: HTML for browsers, plain text for
// everything else. The traceback is shown only where the site allows it
// (it always reaches the access log through the Record).
func Error(w http.ResponseWriter, r *http.Request, code int, title, detail, traceback string) {
	if rw := responseOf(w); rw == nil || !rw.tracebacks {
		traceback = ""
	}
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	heading := fmt.Sprintf("%d %s", code, http.StatusText(code))
	if strings.Contains(r.Header.Get("Accept"), "text/html") {
		h.Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(code)
		fmt.Fprintf(w, `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>%s</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>:root{--bg:#fff;--fg:#1f2328;--dim:#656d76;--panel:#f6f8fa;--err:#c8102e}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--dim:#8d96a0;--panel:#161b22;--err:#ff7b72}}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;padding:1.4em 2em;background:var(--bg);color:var(--fg)}
h1{font-size:1.5em;color:var(--err);margin:.2em 0}pre{background:var(--panel);border-left:4px solid var(--err);padding:1em;overflow:auto;font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,monospace}
footer{color:var(--dim);font-size:.85em;margin-top:2em}</style></head>
<body><h1>%s</h1><p><strong>%s</strong></p>`, html.EscapeString(heading), html.EscapeString(heading), html.EscapeString(upperFirst(title)))
		if detail != "" {
			fmt.Fprintf(w, "<p>%s</p>", html.EscapeString(detail))
		}
		if traceback != "" {
			fmt.Fprintf(w, "<pre>%s</pre>", html.EscapeString(strings.TrimRight(traceback, "\n")))
		}
		fmt.Fprint(w, "<footer>gowsgi</footer>")
		if js := liveScriptFor(w); js != "" {
			fmt.Fprintf(w, `<script src="%s"></script>`, js)
		}
		fmt.Fprint(w, "</body></html>\n")
		return
	}
	h.Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(code)
	fmt.Fprintf(w, "%s: %s\n", heading, title)
	if detail != "" {
		fmt.Fprintf(w, "\n%s\n", detail)
	}
	if traceback != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimRight(traceback, "\n"))
	}
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
