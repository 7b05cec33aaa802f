package gpython

import (
	"fmt"

	"github.com/gowsgi/gowsgi/runner/engine"
)

// ImportHint says that a module gpython cannot import needs CPython: a
// framework, a C extension, or a library beyond the Python 3.4 subset.
func (*Engine) ImportHint(traceback string) string {
	module := engine.MissingModule(traceback)
	if module == "" {
		return ""
	}
	return fmt.Sprintf("%q needs CPython: the built-in gpython engine runs small pure-Python apps only "+
		"(see docs/engines.md). Install Python 3 (e.g. apt-get install python3) or pass --python PATH; "+
		"gowsgi then uses it.", module)
}
