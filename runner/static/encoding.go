package static

import (
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// codings are the precompressed variants looked for, best first.
var codings = [...]struct {
	name   string // the Content-Encoding token
	suffix string // appended to the file name
}{
	{"br", ".br"},
	{"gzip", ".gz"},
}

// sibling picks the precompressed variant of rel to send, if any: the
// acceptable coding with the highest q-value (br on a tie) whose file is a
// regular file inside the root. vary reports whether any variant exists,
// acceptable or not, since the response then depends on Accept-Encoding.
// The caller owns the returned file.
func (h *Handler) sibling(r *http.Request, rel string) (enc string, f *os.File, fi fs.FileInfo, vary bool) {
	var present [len(codings)]bool
	base := h.rootSlash + filepath.FromSlash(rel)
	for i, c := range codings {
		if lexists(base + c.suffix) {
			present[i] = true
			vary = true
		}
	}
	if !vary {
		return "", nil, nil, false
	}
	q := acceptEncoding(r.Header["Accept-Encoding"])
	for {
		best := -1
		for i := range codings {
			if present[i] && q[i] > 0 && (best < 0 || q[i] > q[best]) {
				best = i
			}
		}
		if best < 0 {
			return "", nil, nil, true
		}
		sf, sfi, err := h.open(rel + codings[best].suffix)
		if err == nil && sfi.Mode().IsRegular() {
			return codings[best].name, sf, sfi, true
		}
		if err == nil {
			sf.Close()
		}
		present[best] = false
	}
}

// acceptEncoding returns the q-value the header gives each of codings
// (0: refused or not mentioned). "*" covers codings not named; "x-gzip"
// is gzip. A q-value that does not parse refuses the coding.
func acceptEncoding(values []string) (q [len(codings)]float64) {
	var named [len(codings)]bool
	star := -1.0
	for _, v := range values {
		for v != "" {
			var item string
			item, v, _ = strings.Cut(v, ",")
			token, params, _ := strings.Cut(item, ";")
			token = strings.TrimSpace(token)
			if token == "" {
				continue
			}
			qv := qvalue(params)
			if token == "*" {
				star = qv
				continue
			}
			for i, c := range codings {
				if strings.EqualFold(token, c.name) || c.name == "gzip" && strings.EqualFold(token, "x-gzip") {
					// The most specific (and, on repeats, the lowest)
					// q-value wins.
					if !named[i] || qv < q[i] {
						q[i] = qv
					}
					named[i] = true
				}
			}
		}
	}
	if star >= 0 {
		for i := range codings {
			if !named[i] {
				q[i] = star
			}
		}
	}
	return q
}

// qvalue reads the "q" parameter of an Accept-Encoding item: 1 when absent,
// 0 when it does not parse or is out of range.
func qvalue(params string) float64 {
	for params != "" {
		var p string
		p, params, _ = strings.Cut(params, ";")
		k, val, ok := strings.Cut(p, "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "q") {
			continue
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
		if err != nil || f < 0 || f > 1 || f != f {
			return 0
		}
		return f
	}
	return 1
}
