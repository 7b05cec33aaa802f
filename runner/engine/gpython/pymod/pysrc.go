package pymod

import (
	"embed"

	"github.com/go-python/gpython/py"
)

// Modules written in Python (the gpython subset), compiled once at start-up
// and run in each context that imports them.
//
//go:embed python/*.py
var pySources embed.FS

var pyModules = map[string]string{
	"logging":      "python/logging.py",
	"wsgiref.util": "python/wsgiref_util.py",
}

func registerPython() {
	registerPackage("wsgiref")
	for name, file := range pyModules {
		src, err := pySources.ReadFile(file)
		if err != nil {
			panic(err)
		}
		// Compiled here, not lazily: gpython writes a lazily compiled
		// CodeSrc back into the shared ModuleImpl, which races.
		code, err := py.Compile(string(src), "<gowsgi>/"+file, py.ExecMode, 0, true)
		if err != nil {
			panic("gowsgi: " + file + ": " + err.Error())
		}
		py.RegisterModule(&py.ModuleImpl{Info: py.ModuleInfo{Name: name, FileDesc: "<gowsgi>/" + file}, Code: code})
	}
}
