package reload

import (
	"path/filepath"
	"slices"
	"strings"
)

// defaultInclude are the file names that trigger a reload, matched against
// the base name: code, templates and the config formats apps read at import.
var defaultInclude = []string{
	"*.py", "*.html", "*.jinja", "*.jinja2", "*.j2", "*.txt", "*.json",
	"*.toml", "*.yaml", "*.yml", "*.ini", "*.cfg", ".env",
}

// defaultExcludeDirs are never walked or watched, wherever they are.
// Any directory holding a pyvenv.cfg (a virtualenv) is skipped as well;
// .venv is also listed by name so a venv being created is skipped before
// its pyvenv.cfg is written.
var defaultExcludeDirs = []string{
	".git", ".hg", ".svn", "__pycache__", "node_modules", ".tox", ".nox",
	".mypy_cache", ".pytest_cache", ".hypothesis", ".idea", "site-packages", ".venv",
}

// defaultExcludeFiles are bytecode and editor scratch files (vim's 4913 and
// swap files, emacs lock files, JetBrains safe-write copies, ...).
var defaultExcludeFiles = []string{
	"*.pyc", "*.pyo", "*.swp", "*.swx", "*.sw?", "*~", ".#*", "4913", "*.tmp",
	"*___jb_*___", ".DS_Store", "flycheck_*",
}

// venvMarker makes a directory a virtualenv, whatever its name.
const venvMarker = "pyvenv.cfg"

// glob is one pattern. With a "/" it matches the path relative to the
// root; without, the base name. A trailing "/" limits it to directories.
type glob struct {
	pat     string
	rel     bool
	dirOnly bool
	// Most patterns are "*.ext", "name" or "prefix*": matched without
	// filepath.Match, which is most of the cost of a polling scan.
	kind  globKind
	fixed string
}

type globKind int

const (
	globGeneral globKind = iota
	globExact
	globSuffix
	globPrefix
)

func newGlob(s string) glob {
	s = strings.TrimPrefix(filepath.ToSlash(strings.TrimSpace(s)), "./")
	g := glob{}
	if strings.HasSuffix(s, "/") {
		g.dirOnly = true
		s = strings.TrimRight(s, "/")
	}
	g.rel = strings.Contains(s, "/")
	g.pat = filepath.FromSlash(s)
	const meta = `*?[\`
	switch {
	case !strings.ContainsAny(g.pat, meta):
		g.kind, g.fixed = globExact, g.pat
	case strings.HasPrefix(g.pat, "*") && !strings.ContainsAny(g.pat[1:], meta+"/"):
		g.kind, g.fixed = globSuffix, g.pat[1:]
	case strings.HasSuffix(g.pat, "*") && !strings.ContainsAny(g.pat[:len(g.pat)-1], meta+"/"):
		g.kind, g.fixed = globPrefix, g.pat[:len(g.pat)-1]
	}
	return g
}

func (g glob) match(rel, base string, isDir bool) bool {
	if g.dirOnly && !isDir {
		return false
	}
	name := base
	if g.rel {
		name = rel
	}
	switch g.kind {
	case globExact:
		return name == g.fixed
	case globSuffix: // "*" matches no separator, and a base name has none
		return strings.HasSuffix(name, g.fixed) && (!g.rel || !strings.ContainsRune(name[:len(name)-len(g.fixed)], filepath.Separator))
	case globPrefix:
		return strings.HasPrefix(name, g.fixed) && (!g.rel || !strings.ContainsRune(name[len(g.fixed):], filepath.Separator))
	}
	ok, _ := filepath.Match(g.pat, name) // patterns were validated in New
	return ok
}

// filter decides what is watched (directories) and reported (files).
type filter struct {
	include      []glob // defaults, then the user's
	excludeFiles []glob // defaults: files only
	exclude      []glob // the user's: files and directories
	excludeDirs  map[string]bool
	userInclude  []string // for Describe
	userExclude  []string
}

func newFilter(include, assets, exclude []string) *filter {
	f := &filter{excludeDirs: map[string]bool{}}
	for _, s := range slices.Concat(defaultInclude, include, assets) {
		f.include = append(f.include, newGlob(s))
	}
	for _, s := range defaultExcludeFiles {
		f.excludeFiles = append(f.excludeFiles, newGlob(s))
	}
	for _, s := range exclude {
		f.exclude = append(f.exclude, newGlob(s))
	}
	for _, d := range defaultExcludeDirs {
		f.excludeDirs[d] = true
	}
	f.userInclude = include
	f.userExclude = exclude
	return f
}

// skipDir reports whether a directory (rel to its root) is left unwatched.
// The default file patterns are not applied to directories.
func (f *filter) skipDir(rel, base string) bool {
	if f.excludeDirs[base] {
		return true
	}
	for _, g := range f.exclude {
		if g.match(rel, base, true) {
			return true
		}
	}
	return false
}

// wantFile reports whether a change to this file (rel to its root) counts.
// Excludes win over includes.
func (f *filter) wantFile(rel, base string) bool {
	if base == venvMarker {
		return false // *.cfg, but it marks a virtualenv, not app config
	}
	for _, g := range f.excludeFiles {
		if g.match(rel, base, false) {
			return false
		}
	}
	for _, g := range f.exclude {
		if g.match(rel, base, false) {
			return false
		}
	}
	for _, g := range f.include {
		if g.match(rel, base, false) {
			return true
		}
	}
	return false
}

// patterns lists the user's own include and exclude globs, for Describe
// (the defaults are in docs/reload.md: listing them made the banner wrap).
func (f *filter) patterns() string {
	var parts []string
	if len(f.userInclude) > 0 {
		parts = append(parts, "also "+strings.Join(f.userInclude, " "))
	}
	if len(f.userExclude) > 0 {
		parts = append(parts, "not "+strings.Join(f.userExclude, " "))
	}
	return strings.Join(parts, "; ")
}
