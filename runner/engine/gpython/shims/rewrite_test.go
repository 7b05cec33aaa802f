package shims

import (
	"strings"
	"testing"
)

// TestRewriteKeepsLines: every rewrite keeps each statement on its line.
func TestRewriteKeepsLines(t *testing.T) {
	for _, src := range []string{
		"x: int = (\n  1)\ny = 2\n",
		"s = f'''a\n{x}\nb'''\nz = 1\n",
		"d = {\n  **a,\n  'k': [1,\n  2],\n}\n",
		"def f(a, /, *, b,\n      c=1) -> int:\n    return a\n",
		"if (m := g(\n    1)):\n    pass\n",
		"print(f\"{x!r:>{w}} {y=}\")\n",
	} {
		out, err := Rewrite(src)
		if err != nil {
			t.Fatalf("%q: %v", src, err)
		}
		if strings.Count(out, "\n") != strings.Count(src, "\n") {
			t.Errorf("%q -> %q: %d lines, want %d", src, out, strings.Count(out, "\n"), strings.Count(src, "\n"))
		}
	}
	if _, err := Rewrite("x = 1\nasync def f():\n    pass\n"); err == nil || err.Line != 2 || !strings.Contains(err.Msg, "needs CPython") {
		t.Errorf("async def: %v", err)
	}
}
