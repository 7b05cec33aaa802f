package pyrt

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestRunFile runs one Python file on gpython with the compatibility layer
// and prints its output: GPY_FILE=app.py go test -run TestRunFile -v ./runner/engine/gpython/pyrt
func TestRunFile(t *testing.T) {
	f := os.Getenv("GPY_FILE")
	if f == "" {
		t.Skip("set GPY_FILE")
	}
	src, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	it, err := NewInterp(Config{Root: filepath.Dir(f), Stdout: NewSharedWriter(&out), Stderr: NewSharedWriter(&out)})
	if err != nil {
		t.Fatal(err)
	}
	err = it.RunMain(string(src), f)
	it.FlushOutput()
	fmt.Print(out.String())
	if err != nil {
		fmt.Print(FormatError(err))
	}
}
