package gpython

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/go-python/gpython/py"

	"github.com/gowsgi/gowsgi/runner/engine/gpython/pymod"
	"github.com/gowsgi/gowsgi/runner/engine/gpython/pyrt"
)

// The snippet table: testdata/snippets/*.py are small programs, each with a
// header naming its category, what it exercises and whether it runs the same
// on gpython as on CPython:
//
//	# snippet: <category> | <what it exercises>
//	# status: works | differs | fails
//	# note: <the known difference, for differs and fails>
//
// <name>.out holds CPython 3.11's output. The test runs every snippet on
// gpython and checks the status: "works" must print exactly CPython's
// output, "differs" must run but print something else, "fails" must raise.
// When /usr/bin/python3 (or python3) is there, it also checks that the .out
// files are CPython's current output. docs/engines.md carries the table,
// generated from the snippets: the test fails when the doc is stale.
//
//	GOWSGI_UPDATE_SNIPPETS=1 go test -run TestSnippets ./runner/engine/gpython  # rewrite .out from CPython and the doc table

const snippetDir = "testdata/snippets"

type snippet struct {
	name, category, title, status, note string
	src                                 string
}

func loadSnippets(t *testing.T) []snippet {
	files, err := filepath.Glob(filepath.Join(snippetDir, "*.py"))
	if err != nil {
		t.Fatal(err)
	}
	var out []snippet
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		s := snippet{name: strings.TrimSuffix(filepath.Base(f), ".py"), src: string(b), status: "works"}
		for _, line := range strings.Split(string(b), "\n") {
			if !strings.HasPrefix(line, "#") {
				break
			}
			k, v, _ := strings.Cut(strings.TrimSpace(strings.TrimPrefix(line, "#")), ":")
			v = strings.TrimSpace(v)
			switch k {
			case "snippet":
				s.category, s.title, _ = strings.Cut(v, " | ")
			case "status":
				s.status = v
			case "note":
				s.note = v
			}
		}
		if s.category == "" {
			t.Fatalf("%s: no '# snippet:' header", f)
		}
		out = append(out, s)
	}
	return out
}

// canonical renders what a run printed: stdout, then stderr, then the last
// line of an uncaught exception.
func canonical(stdout, stderr, exc string) string {
	var b strings.Builder
	b.WriteString(stdout)
	if stderr != "" {
		b.WriteString("--- stderr ---\n" + stderr)
	}
	if exc != "" {
		b.WriteString("!! " + exc + "\n")
	}
	return b.String()
}

func runGpython(t *testing.T, s snippet) (string, bool) {
	dir, _ := filepath.Abs(snippetDir)
	var out, errOut bytes.Buffer
	it, err := pyrt.NewInterp(pyrt.Config{Root: dir, Stdout: pyrt.NewSharedWriter(&out), Stderr: pyrt.NewSharedWriter(&errOut)})
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	var runErr error
	func() {
		defer func() {
			if r := recover(); r != nil {
				runErr = fmt.Errorf("internal error in gpython: %v", r)
			}
		}()
		runErr = it.RunMain(s.src, filepath.Join(dir, s.name+".py"))
	}()
	it.FlushOutput()
	exc := ""
	if runErr != nil {
		exc = lastErrorLine(runErr)
	}
	return canonical(out.String(), errOut.String(), exc), runErr != nil
}

func lastErrorLine(err error) string {
	var e *py.Exception
	switch x := err.(type) {
	case py.ExceptionInfo:
		e, _ = x.Value.(*py.Exception)
	case *py.Exception:
		e = x
	}
	if e == nil {
		return strings.TrimSpace(err.Error())
	}
	if e.Base.IsSubtype(py.SyntaxError) {
		msg := ""
		if a, ok := e.Args.(py.Tuple); ok && len(a) > 0 {
			msg = fmt.Sprint(a[0])
		}
		return e.Base.Name + ": " + strings.Trim(msg, "'")
	}
	return strings.TrimSpace(pymod.ExceptionLine(e))
}

// python3 finds the CPython the .out files come from: 3.11. Another
// version may word some outputs differently, so it is not used to check
// them (the committed .out files still are the reference).
func python3(t *testing.T) string {
	for _, p := range []string{"/usr/bin/python3", "python3", "python3.11"} {
		path, err := exec.LookPath(p)
		if err != nil {
			continue
		}
		out, err := exec.Command(path, "-c", "import sys; print('%d.%d' % sys.version_info[:2])").Output()
		if err == nil && strings.TrimSpace(string(out)) == "3.11" {
			return path
		}
		t.Logf("%s is Python %s, not 3.11: the .out files are not re-checked against it", path, strings.TrimSpace(string(out)))
	}
	return ""
}

func runCPython(t *testing.T, py string, s snippet) string {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, "-E", "-s", "-X", "utf8", s.name+".py")
	cmd.Dir = snippetDir
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	stderr, exc := errOut.String(), ""
	if err != nil {
		if i := strings.Index(stderr, "Traceback (most recent call last)"); i >= 0 || strings.Contains(stderr, "Error") {
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			exc = strings.TrimSpace(lines[len(lines)-1])
			if i < 0 {
				i = strings.LastIndex(stderr, "  File ")
			}
			if i >= 0 {
				stderr = stderr[:i]
			} else {
				stderr = ""
			}
		}
	}
	return canonical(out.String(), stderr, exc)
}

func TestSnippets(t *testing.T) {
	snips := loadSnippets(t)
	update := os.Getenv("GOWSGI_UPDATE_SNIPPETS") != ""
	cpy := python3(t)
	if update && cpy == "" {
		t.Fatal("GOWSGI_UPDATE_SNIPPETS needs python3 3.11")
	}
	counts := map[string]int{}
	type row struct {
		s   snippet
		exc string
	}
	var rows []row
	for _, s := range snips {
		outFile := filepath.Join(snippetDir, s.name+".out")
		if cpy != "" {
			want := runCPython(t, cpy, s)
			if update {
				if err := os.WriteFile(outFile, []byte(want), 0o644); err != nil {
					t.Fatal(err)
				}
			} else if b, err := os.ReadFile(outFile); err != nil || string(b) != want {
				t.Errorf("%s: %s is not CPython's output (GOWSGI_UPDATE_SNIPPETS=1 rewrites it):\n%s", s.name, outFile, want)
			}
		}
		wantB, err := os.ReadFile(outFile)
		if err != nil {
			t.Errorf("%s: no CPython output: %v", s.name, err)
			continue
		}
		want := string(wantB)
		got, raised := runGpython(t, s)
		exc := ""
		if raised {
			lines := strings.Split(strings.TrimSpace(got), "\n")
			exc = strings.TrimPrefix(lines[len(lines)-1], "!! ")
		}
		counts[s.status]++
		switch s.status {
		case "works":
			if got != want {
				t.Errorf("%s (marked works) differs from CPython:\n--- gpython\n%s--- cpython\n%s", s.name, got, want)
			}
		case "differs":
			if got == want {
				t.Errorf("%s is marked 'differs' but now matches CPython: mark it works", s.name)
			}
			if raised {
				t.Errorf("%s is marked 'differs' but raises on gpython (%s): mark it fails", s.name, exc)
			}
		case "fails":
			if !raised {
				t.Errorf("%s is marked 'fails' but runs on gpython:\n%s", s.name, got)
			}
		default:
			t.Errorf("%s: unknown status %q", s.name, s.status)
		}
		if s.status != "works" && s.note == "" {
			t.Errorf("%s: a %s snippet needs a '# note:'", s.name, s.status)
		}
		rows = append(rows, row{s, exc})
		if os.Getenv("GOWSGI_SNIPPET_REPORT") != "" {
			status := "OK"
			if got != want {
				status = "DIFF"
				if raised {
					status = "ERR"
				}
			}
			fmt.Printf("%-6s %-28s %s\n", status, s.name, exc)
			if status != "OK" && os.Getenv("GOWSGI_SNIPPET_REPORT") == "full" {
				fmt.Printf("--- gpython\n%s--- cpython\n%s\n", got, want)
			}
		}
	}
	t.Logf("snippets: %d works, %d differs, %d fails (of %d)", counts["works"], counts["differs"], counts["fails"], len(snips))

	// The table in docs/engines.md.
	sort.SliceStable(rows, func(i, j int) bool { return categoryOrder(rows[i].s.category) < categoryOrder(rows[j].s.category) })
	var b strings.Builder
	fmt.Fprintf(&b, "%d snippets: **%d run exactly as on CPython 3.11, %d run with a known difference, %d fail.**\n\n",
		len(rows), counts["works"], counts["differs"], counts["fails"])
	b.WriteString("| area | what | gpython | known difference |\n|---|---|---|---|\n")
	for _, r := range rows {
		status := map[string]string{"works": "same as CPython", "differs": "**differs**", "fails": "**fails**"}[r.s.status]
		note := r.s.note
		if r.s.status == "fails" && r.exc != "" {
			note += " (`" + strings.ReplaceAll(r.exc, "|", "\\|") + "`)"
		}
		fmt.Fprintf(&b, "| %s | %s (`%s`) | %s | %s |\n", r.s.category, strings.ReplaceAll(r.s.title, "|", "\\|"), r.s.name, status, strings.ReplaceAll(note, "|", "\\|"))
	}
	checkDoc(t, b.String(), update)
}

func categoryOrder(c string) int {
	for i, k := range []string{"str", "bytes", "containers", "builtins", "functions", "classes", "exceptions", "modules", "syntax", "wsgi"} {
		if k == c {
			return i
		}
	}
	return 99
}

const (
	docPath    = "../../../docs/engines.md"
	tableBegin = "<!-- snippet-table:begin (generated by runner/engine/gpython/snippets_test.go) -->\n"
	tableEnd   = "<!-- snippet-table:end -->\n"
)

func checkDoc(t *testing.T, table string, update bool) {
	b, err := os.ReadFile(docPath)
	if err != nil {
		t.Errorf("docs/engines.md: %v", err)
		return
	}
	doc := string(b)
	i := strings.Index(doc, tableBegin)
	j := strings.Index(doc, tableEnd)
	if i < 0 || j < i {
		t.Errorf("docs/engines.md has no snippet-table markers")
		return
	}
	cur := doc[i+len(tableBegin) : j]
	if cur == table {
		return
	}
	if update {
		doc = doc[:i+len(tableBegin)] + table + doc[j:]
		if err := os.WriteFile(docPath, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("docs/engines.md's snippet table is stale: GOWSGI_UPDATE_SNIPPETS=1 go test -run TestSnippets ./runner/engine/gpython rewrites it")
}
