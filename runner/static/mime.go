package static

import (
	"mime"
	"path"
	"strings"
)

// builtinTypes are the common web types, fixed here so that responses do
// not depend on the machine's /etc/mime.types. withCharset adds the
// charset to the textual ones.
var builtinTypes = map[string]string{
	".html":        "text/html",
	".htm":         "text/html",
	".css":         "text/css",
	".js":          "text/javascript",
	".mjs":         "text/javascript",
	".cjs":         "text/javascript",
	".json":        "application/json",
	".map":         "application/json",
	".webmanifest": "application/manifest+json",
	".xml":         "application/xml",
	".txt":         "text/plain",
	".md":          "text/markdown",
	".csv":         "text/csv",
	".svg":         "image/svg+xml",
	".png":         "image/png",
	".jpg":         "image/jpeg",
	".jpeg":        "image/jpeg",
	".gif":         "image/gif",
	".webp":        "image/webp",
	".avif":        "image/avif",
	".ico":         "image/x-icon",
	".woff":        "font/woff",
	".woff2":       "font/woff2",
	".ttf":         "font/ttf",
	".otf":         "font/otf",
	".wasm":        "application/wasm",
	".pdf":         "application/pdf",
	".mp4":         "video/mp4",
	".webm":        "video/webm",
	".mp3":         "audio/mpeg",
	".ogg":         "audio/ogg",
	".zip":         "application/zip",
	".gz":          "application/gzip",
}

// contentType is the Content-Type for the file at rel: the overrides and
// built-ins first, then Go's mime table (which reads the system's), then
// the default. Nothing is sniffed.
func (h *Handler) contentType(rel string) string {
	ext := path.Ext(rel)
	if ext == "" {
		return h.defType
	}
	if t, ok := h.types[ext]; ok {
		return t
	}
	lower := strings.ToLower(ext)
	if t, ok := h.types[lower]; ok {
		return t
	}
	if t := mime.TypeByExtension(lower); t != "" {
		return withCharset(t)
	}
	return h.defType
}

// withCharset appends "; charset=utf-8" to textual types that do not name
// a charset already.
func withCharset(t string) string {
	base, params, _ := strings.Cut(t, ";")
	if strings.Contains(strings.ToLower(params), "charset=") {
		return t
	}
	base = strings.ToLower(strings.TrimSpace(base))
	if !textual(base) {
		return t
	}
	return strings.TrimRight(t, "; ") + "; charset=utf-8"
}

func textual(base string) bool {
	if strings.HasPrefix(base, "text/") || strings.HasSuffix(base, "+xml") || strings.HasSuffix(base, "+json") {
		return true
	}
	switch base {
	case "application/javascript", "application/x-javascript", "application/ecmascript",
		"application/json", "application/xml", "application/xhtml+xml":
		return true
	}
	return false
}
