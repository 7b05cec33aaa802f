package server

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/gowsgi/gowsgi/reload"
	"github.com/gowsgi/gowsgi/runner/config"
	"github.com/gowsgi/gowsgi/runner/logging"
)

// startWatcher watches the app directory, --pythonpath entries and --watch
// directories.
func startWatcher(site *config.Site, lg *logging.Logger, assets bool) (*reload.Watcher, error) {
	// Nested roots are fine: reload watches an inner root even when the
	// outer one excludes its directory (a --pythonpath inside build/, say).
	roots := []string{site.Dir}
	for _, d := range append(append([]string{}, site.Python.Path...), site.Reload.Watch...) {
		if !slices.Contains(roots, d) {
			roots = append(roots, d)
		}
	}
	w, err := reload.New(reload.Options{
		Roots:   roots,
		Include: site.Reload.Include,
		Assets:  assetsIf(assets),
		Exclude: append(ownOutput(site.Dir), site.Reload.Exclude...),
		Poll:    site.Reload.Poll,
		Warnf:   lg.Warnf,
	})
	if err != nil {
		return nil, fmt.Errorf("%v (or turn reloading off with --no-reload)", err)
	}
	return w, nil
}

// ownOutput returns gowsgi's stdout and stderr when they are files inside
// root (`gowsgi ... > out.txt`), as globs relative to root: every log line
// would otherwise change a watched file and reload, forever.
func ownOutput(root string) []string {
	var globs []string
	for _, f := range []*os.File{os.Stdout, os.Stderr} {
		path, err := os.Readlink(fmt.Sprintf("/proc/self/fd/%d", f.Fd()))
		if err != nil {
			continue // not Linux, or not a file: nothing to exclude
		}
		if rel, err := filepath.Rel(root, path); err == nil && filepath.IsLocal(rel) {
			globs = append(globs, filepath.ToSlash(rel))
		}
	}
	return globs
}

// describeChanges turns a list of changed paths into a short phrase.
func describeChanges(root string, paths []string) string {
	rel := make([]string, 0, len(paths))
	for _, p := range paths {
		rel = append(rel, strings.TrimPrefix(strings.TrimPrefix(p, root), "/"))
	}
	sort.Strings(rel)
	if len(rel) > 3 {
		return fmt.Sprintf("%s and %d more changed", strings.Join(rel[:3], ", "), len(rel)-3)
	}
	return strings.Join(rel, ", ") + " changed"
}

// assetGlobs are the files a page loads beside its HTML: with live reload,
// a change to one refreshes open pages (a stylesheet is swapped in place)
// without reloading any app.
var assetGlobs = []string{"*.css", "*.js", "*.mjs", "*.svg", "*.png", "*.jpg", "*.jpeg", "*.gif", "*.webp", "*.ico", "*.woff2"}

func assetsIf(on bool) []string {
	if !on {
		return nil
	}
	return assetGlobs
}

// isAsset reports whether path is a file a page loads beside its HTML.
func isAsset(path string) bool {
	base := filepath.Base(path)
	for _, g := range assetGlobs {
		if ok, _ := filepath.Match(g, base); ok {
			return true
		}
	}
	return false
}
