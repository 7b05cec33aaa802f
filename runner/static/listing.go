package static

import (
	"bytes"
	"html/template"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

type listEntry struct {
	Name    string
	Href    string
	Dir     bool
	Size    int64
	ModTime time.Time
}

// HumanSize is the size in B, KiB, MiB, GiB or TiB, three significant
// figures at most.
func (e listEntry) HumanSize() string { return humanSize(e.Size) }

func (e listEntry) ISO() string     { return e.ModTime.UTC().Format(time.RFC3339) }
func (e listEntry) Display() string { return e.ModTime.UTC().Format("2006-01-02 15:04") }

type crumb struct{ Name, Href string }

type listPage struct {
	Path    string // the directory's URL path, decoded, with a trailing slash
	Crumbs  []crumb
	Parent  bool
	Entries []listEntry
}

// serveListing writes the HTML listing of the directory dir, whose path
// under the root is rel ("" for the root).
func (h *Handler) serveListing(w http.ResponseWriter, r *http.Request, rel string, dir *os.File) {
	des, err := dir.ReadDir(-1)
	if err != nil {
		h.fail(w, r, http.StatusInternalServerError, "could not list the directory", "")
		return
	}
	entries := make([]listEntry, 0, len(des))
	for _, de := range des {
		name := de.Name()
		if name == "" || name[0] == '.' || !validRel(name) {
			continue // dotfiles, and names no request could reach
		}
		erel := name
		if rel != "" {
			erel = rel + "/" + name
		}
		var isDir bool
		var size int64
		var mtime time.Time
		switch t := de.Type(); {
		case t.IsRegular() || t.IsDir():
			info, err := de.Info()
			if err != nil {
				continue
			}
			isDir, size, mtime = info.IsDir(), info.Size(), info.ModTime()
		case t&os.ModeSymlink != 0:
			// Listed only when it resolves inside the root to something
			// servable, exactly as a request for it would.
			f, info, err := h.open(erel)
			if err != nil {
				continue
			}
			f.Close()
			isDir, size, mtime = info.IsDir(), info.Size(), info.ModTime()
		default:
			continue // devices, FIFOs, sockets
		}
		href := "./" + url.PathEscape(name)
		if isDir {
			href += "/"
			size = 0
		}
		entries = append(entries, listEntry{Name: name, Href: href, Dir: isDir, Size: size, ModTime: mtime})
	}
	slices.SortFunc(entries, func(a, b listEntry) int {
		if a.Dir != b.Dir {
			if a.Dir {
				return -1
			}
			return 1
		}
		if c := strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})

	page := listPage{Entries: entries, Parent: rel != ""}
	var segs []string
	if rel != "" {
		segs = strings.Split(rel, "/")
	}
	mount := h.prefix
	if mount != "/" {
		mount += "/"
	}
	page.Path = mount
	if rel != "" {
		page.Path += rel + "/"
	}
	page.Crumbs = append(page.Crumbs, crumb{Name: mount, Href: up(len(segs))})
	for i, s := range segs {
		page.Crumbs = append(page.Crumbs, crumb{Name: s + "/", Href: up(len(segs) - 1 - i)})
	}

	var buf bytes.Buffer
	if err := listTemplate.Execute(&buf, page); err != nil {
		h.fail(w, r, http.StatusInternalServerError, "could not list the directory", "")
		return
	}
	hdr := w.Header()
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	hdr.Set("Content-Length", strconv.Itoa(buf.Len()))
	// No script runs in a listing, whatever a file name contains.
	hdr.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(buf.Bytes())
	}
}

// up is the relative reference n directories up: "./", "../", "../../".
func up(n int) string {
	if n == 0 {
		return "./"
	}
	return strings.Repeat("../", n)
}

func humanSize(n int64) string {
	if n < 1024 {
		return strconv.FormatInt(n, 10) + " B"
	}
	f := float64(n)
	for _, unit := range []string{"KiB", "MiB", "GiB", "TiB"} {
		f /= 1024
		if f < 1024 || unit == "TiB" {
			prec := 0
			if f < 10 {
				prec = 1
			}
			return strconv.FormatFloat(f, 'f', prec, 64) + " " + unit
		}
	}
	panic("unreachable")
}

var listTemplate = template.Must(template.New("listing").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Index of {{.Path}}</title>
<style>
:root{color-scheme:light dark;--fg:#1f2328;--muted:#59636e;--bg:#fff;--line:#d1d9e0;--hover:#f6f8fa;--link:#0969da}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9198a1;--bg:#0d1117;--line:#30363d;--hover:#151b23;--link:#4493f8}}
*{box-sizing:border-box}
body{margin:0;padding:2rem 1rem;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:64rem;margin:0 auto}
h1{font-size:1.3rem;font-weight:600;margin:0 0 1.25rem;overflow-wrap:anywhere}
h1 a{color:inherit}
table{width:100%;border-collapse:collapse}
th,td{padding:.4rem .75rem;border-bottom:1px solid var(--line);text-align:left;white-space:nowrap}
th{font-size:.75rem;font-weight:600;color:var(--muted);text-transform:uppercase;letter-spacing:.05em}
td.name{white-space:normal;overflow-wrap:anywhere;width:100%}
.size{text-align:right;font-variant-numeric:tabular-nums}
td.time{color:var(--muted);font-variant-numeric:tabular-nums}
tbody tr:hover td{background:var(--hover)}
a{color:var(--link);text-decoration:none}
a:hover{text-decoration:underline}
tr.dir td.name a{font-weight:600}
.empty{color:var(--muted);font-style:italic}
footer{margin-top:1rem;color:var(--muted);font-size:.8rem}
</style>
</head>
<body>
<main>
<h1>Index of {{range .Crumbs}}<a href="{{.Href}}">{{.Name}}</a>{{end}}</h1>
<table>
<thead><tr><th>Name</th><th class="size">Size</th><th>Modified (UTC)</th></tr></thead>
<tbody>
{{- if .Parent}}
<tr class="dir"><td class="name"><a href="../">../</a></td><td class="size"></td><td class="time"></td></tr>
{{- end}}
{{- range .Entries}}
<tr{{if .Dir}} class="dir"{{end}}><td class="name"><a href="{{.Href}}">{{.Name}}{{if .Dir}}/{{end}}</a></td>
{{- if .Dir}}<td class="size">—</td>{{else}}<td class="size" title="{{.Size}} bytes">{{.HumanSize}}</td>{{end -}}
<td class="time"><time datetime="{{.ISO}}">{{.Display}}</time></td></tr>
{{- else}}
<tr><td class="name empty" colspan="3">This directory is empty.</td></tr>
{{- end}}
</tbody>
</table>
<footer>{{len .Entries}} {{if eq (len .Entries) 1}}entry{{else}}entries{{end}}</footer>
</main>
</body>
</html>
`))
