package pyrt

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/go-python/gpython/compile"
	"github.com/go-python/gpython/py"
)

const loopSrc = `
def work(n):
    d = {'a': 1, 'b': 2}
    l = [1, 2, 3]
    total = 0
    i = 0
    while i < n:
        if d['a'] == 1 and l[1] > 0:
            total += l[i % 3]
        i += 1
    return total
`

// BenchmarkLoopRewritten and BenchmarkLoopStock measure what the compile
// hook's helpers cost on a loop of comparisons and subscripts.
func BenchmarkLoopRewritten(b *testing.B) { benchLoop(b, py.Compile) }
func BenchmarkLoopStock(b *testing.B)     { benchLoop(b, compile.Compile) }

func benchLoop(b *testing.B, comp func(string, string, py.CompileMode, int, bool) (*py.Code, error)) {
	it, err := NewInterp(Config{Root: b.TempDir(), Stdout: NewSharedWriter(io.Discard), Stderr: NewSharedWriter(io.Discard)})
	if err != nil {
		b.Fatal(err)
	}
	code, err := comp(loopSrc, "loop.py", py.ExecMode, 0, true)
	if err != nil {
		b.Fatal(err)
	}
	m, _ := it.Ctx.Store().NewModule(it.Ctx, &py.ModuleImpl{Info: py.ModuleInfo{Name: "loop"}})
	if _, err := it.Ctx.RunCode(code, m.Globals, m.Globals, nil); err != nil {
		b.Fatal(err)
	}
	fn := m.Globals["work"]
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := py.Call(fn, py.Tuple{py.Int(1000)}, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNewInterp is starting a context and importing an app (the
// compiled code is cached after the first round).
func BenchmarkNewInterp(b *testing.B) {
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "hello.py"), []byte("import json\n\ndef application(environ, start_response):\n    start_response('200 OK', [])\n    return [b'hi']\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		it, err := NewInterp(Config{Root: dir, Stdout: NewSharedWriter(io.Discard), Stderr: NewSharedWriter(io.Discard)})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := it.LoadApp("hello.application"); err != nil {
			b.Fatal(err)
		}
		it.Close()
	}
}
