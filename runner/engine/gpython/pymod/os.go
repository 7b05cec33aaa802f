package pymod

import (
	"crypto/rand"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/go-python/gpython/py"

	"github.com/gowsgi/gowsgi/runner/engine/gpython/shims"
)

// The os module is re-registered without what would let one app take the
// whole worker down or reach outside: no _exit, system, chdir, putenv,
// unsetenv, remove*, rmdir, mkdir*, makedirs, fdopen, close (and gpython has
// no fork or kill). os.environ is a per-context copy.

var osKeep = map[string]bool{"getcwd": true, "getcwdb": true, "getenv": true, "getpid": true}

func registerOS() {
	orig := py.GetModuleImpl("os")
	var ms []*py.Method
	for _, m := range orig.Methods {
		if osKeep[m.Name] {
			ms = append(ms, m)
		}
	}
	ms = append(ms,
		fn("listdir", osListdir),
		fn("urandom", osUrandom),
		fn("stat", osStat),
		fn("getppid", func(self py.Object) (py.Object, error) { return py.Int(os.Getppid()), nil }),
		fn("cpu_count", func(self py.Object) (py.Object, error) { return py.Int(1), nil }),
		fn("fspath", func(self, p py.Object) (py.Object, error) { return p, nil }),
	)
	globals := py.StringDict{}
	for k, v := range orig.Globals {
		if k == "environ" {
			continue
		}
		globals[k] = v
	}
	globals["error"] = py.OSError
	register("os", "Miscellaneous operating system interfaces (restricted by gowsgi)", ms, globals)
	registerOSPath()
	env := envDict()
	postInit["os"] = func(ctx py.Context, m *py.Module, imp func(string) (*py.Module, error)) error {
		m.Globals["environ"] = env.Copy()
		p, err := imp("os.path")
		if err != nil {
			return err
		}
		m.Globals["path"] = p
		return nil
	}
}

func envDict() py.StringDict {
	d := py.NewStringDict()
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			d[k] = py.String(v)
		}
	}
	return d
}

// confine resolves p against the app root and refuses paths outside it.
func confine(self py.Object, p string) (string, error) {
	st := stateOf(self)
	root := "."
	if st != nil && st.Root != "" {
		root = st.Root
	}
	full := p
	if !filepath.IsAbs(full) {
		full = filepath.Join(root, full)
	}
	full = filepath.Clean(full)
	resolved := full
	if r, err := filepath.EvalSymlinks(full); err == nil {
		resolved = r
	}
	rootResolved := root
	if r, err := filepath.EvalSymlinks(root); err == nil {
		rootResolved = r
	}
	if resolved != rootResolved && !strings.HasPrefix(resolved, rootResolved+string(filepath.Separator)) {
		return "", py.ExceptionNewf(py.PermissionError, "[Errno 13] Permission denied: %s (gowsgi confines file access to the app directory %s)", shims.Quote(p), root)
	}
	return full, nil
}

func osError(err error, p string) error {
	switch {
	case os.IsNotExist(err):
		return py.ExceptionNewf(py.FileNotFoundError, "[Errno 2] No such file or directory: %s", shims.Quote(p))
	case os.IsPermission(err):
		return py.ExceptionNewf(py.PermissionError, "[Errno 13] Permission denied: %s", shims.Quote(p))
	}
	if pe, ok := err.(*os.PathError); ok && strings.Contains(pe.Err.Error(), "is a directory") {
		return py.ExceptionNewf(py.IsADirectoryError, "[Errno 21] Is a directory: %s", shims.Quote(p))
	}
	if pe, ok := err.(*os.PathError); ok && strings.Contains(pe.Err.Error(), "not a directory") {
		return py.ExceptionNewf(py.NotADirectoryError, "[Errno 20] Not a directory: %s", shims.Quote(p))
	}
	return py.ExceptionNewf(py.OSError, "%v", err)
}

func osListdir(self py.Object, args py.Tuple) (py.Object, error) {
	p := "."
	if len(args) > 0 {
		s, err := str("listdir", args[0])
		if err != nil {
			return nil, err
		}
		p = s
	}
	full, err := confine(self, p)
	if err != nil {
		return nil, err
	}
	ents, err := os.ReadDir(full)
	if err != nil {
		return nil, osError(err, p)
	}
	names := make([]string, len(ents))
	for i, e := range ents {
		names[i] = e.Name()
	}
	sort.Strings(names)
	return py.NewListFromStrings(names), nil
}

func osUrandom(self, n py.Object) (py.Object, error) {
	k, err := intArg("urandom", n, 0)
	if err != nil {
		return nil, err
	}
	if k < 0 {
		return nil, py.ExceptionNewf(py.ValueError, "negative argument not allowed")
	}
	b := make([]byte, k)
	_, _ = rand.Read(b)
	return py.Bytes(b), nil
}

var statResult = NewStructType("os.stat_result", []string{"st_mode", "st_ino", "st_dev", "st_nlink", "st_uid", "st_gid", "st_size", "st_atime", "st_mtime", "st_ctime"})

func osStat(self, p py.Object) (py.Object, error) {
	s, err := str("stat", p)
	if err != nil {
		return nil, err
	}
	full, err := confine(self, s)
	if err != nil {
		return nil, err
	}
	fi, err := os.Stat(full)
	if err != nil {
		return nil, osError(err, s)
	}
	mode := int64(fi.Mode().Perm())
	if fi.IsDir() {
		mode |= 0o040000
	} else if fi.Mode().IsRegular() {
		mode |= 0o100000
	}
	mt := py.Float(float64(fi.ModTime().UnixNano()) / 1e9)
	return statResult.Make(py.Tuple{py.Int(mode), py.Int(0), py.Int(0), py.Int(1), py.Int(0), py.Int(0),
		py.Int(fi.Size()), mt, mt, mt}), nil
}

func registerOSPath() {
	s1 := func(name string, f func(string) py.Object) *py.Method {
		return fn(name, func(self, a py.Object) (py.Object, error) {
			s, err := str(name, a)
			if err != nil {
				return nil, err
			}
			return f(s), nil
		})
	}
	ms := []*py.Method{
		fn("join", func(self py.Object, args py.Tuple) (py.Object, error) {
			if len(args) == 0 {
				return nil, py.ExceptionNewf(py.TypeError, "join() missing 1 required positional argument: 'a'")
			}
			out := ""
			for i, a := range args {
				s, err := str("join", a)
				if err != nil {
					return nil, err
				}
				switch {
				case i == 0:
					out = s
				case strings.HasPrefix(s, "/"):
					out = s
				case out == "" || strings.HasSuffix(out, "/"):
					out += s
				default:
					out += "/" + s
				}
			}
			return py.String(out), nil
		}),
		s1("dirname", func(s string) py.Object {
			i := strings.LastIndexByte(s, '/') + 1
			head := s[:i]
			if head != "" && strings.Trim(head, "/") != "" {
				head = strings.TrimRight(head, "/")
			}
			return py.String(head)
		}),
		s1("basename", func(s string) py.Object { return py.String(s[strings.LastIndexByte(s, '/')+1:]) }),
		s1("split", func(s string) py.Object {
			i := strings.LastIndexByte(s, '/') + 1
			head, tail := s[:i], s[i:]
			if head != "" && strings.Trim(head, "/") != "" {
				head = strings.TrimRight(head, "/")
			}
			return py.Tuple{py.String(head), py.String(tail)}
		}),
		s1("splitext", func(s string) py.Object {
			base := s[strings.LastIndexByte(s, '/')+1:]
			dot := strings.LastIndexByte(base, '.')
			if dot <= 0 || strings.Trim(base[:dot], ".") == "" {
				return py.Tuple{py.String(s), py.String("")}
			}
			cut := len(s) - len(base) + dot
			return py.Tuple{py.String(s[:cut]), py.String(s[cut:])}
		}),
		s1("isabs", func(s string) py.Object { return py.NewBool(strings.HasPrefix(s, "/")) }),
		s1("normpath", func(s string) py.Object { return py.String(normpath(s)) }),
		fn("abspath", func(self, a py.Object) (py.Object, error) {
			s, err := str("abspath", a)
			if err != nil {
				return nil, err
			}
			if !strings.HasPrefix(s, "/") {
				cwd := "/"
				if st := stateOf(self); st != nil && st.Root != "" {
					cwd = st.Root
				}
				s = cwd + "/" + s
			}
			return py.String(normpath(s)), nil
		}),
		fn("realpath", func(self, a py.Object) (py.Object, error) {
			s, err := str("realpath", a)
			if err != nil {
				return nil, err
			}
			if !filepath.IsAbs(s) {
				if st := stateOf(self); st != nil && st.Root != "" {
					s = filepath.Join(st.Root, s)
				}
			}
			if r, err := filepath.EvalSymlinks(s); err == nil {
				s = r
			}
			return py.String(filepath.Clean(s)), nil
		}),
		fn("relpath", func(self py.Object, args py.Tuple) (py.Object, error) {
			if len(args) < 1 || len(args) > 2 {
				return nil, py.ExceptionNewf(py.TypeError, "relpath() takes 1 or 2 arguments")
			}
			p, err := str("relpath", args[0])
			if err != nil {
				return nil, err
			}
			start := "."
			if len(args) == 2 {
				if start, err = str("relpath", args[1]); err != nil {
					return nil, err
				}
			}
			base := "/"
			if st := stateOf(self); st != nil && st.Root != "" {
				base = st.Root
			}
			abs := func(x string) string {
				if !filepath.IsAbs(x) {
					x = filepath.Join(base, x)
				}
				return x
			}
			r, err := filepath.Rel(abs(start), abs(p))
			if err != nil {
				return nil, py.ExceptionNewf(py.ValueError, "%v", err)
			}
			return py.String(r), nil
		}),
		fn("exists", func(self, a py.Object) (py.Object, error) {
			return statPred(self, a, func(fi os.FileInfo) bool { return true })
		}),
		fn("isfile", func(self, a py.Object) (py.Object, error) {
			return statPred(self, a, func(fi os.FileInfo) bool { return fi.Mode().IsRegular() })
		}),
		fn("isdir", func(self, a py.Object) (py.Object, error) {
			return statPred(self, a, func(fi os.FileInfo) bool { return fi.IsDir() })
		}),
		fn("getsize", func(self, a py.Object) (py.Object, error) {
			fi, s, err := pathStat(self, a)
			if err != nil {
				return nil, osError(err, s)
			}
			return py.Int(fi.Size()), nil
		}),
		fn("getmtime", func(self, a py.Object) (py.Object, error) {
			fi, s, err := pathStat(self, a)
			if err != nil {
				return nil, osError(err, s)
			}
			return py.Float(float64(fi.ModTime().UnixNano()) / 1e9), nil
		}),
		s1("expanduser", func(s string) py.Object { return py.String(s) }),
		fn("commonprefix", func(self, a py.Object) (py.Object, error) {
			items, err := shims.ToList(a)
			if err != nil {
				return nil, err
			}
			if len(items) == 0 {
				return py.String(""), nil
			}
			pre, _ := items[0].(py.String)
			for _, it := range items[1:] {
				s, _ := it.(py.String)
				for !strings.HasPrefix(string(s), string(pre)) {
					pre = pre[:len(pre)-1]
				}
			}
			return pre, nil
		}),
	}
	register("os.path", "Common pathname manipulations (posixpath).", ms, py.StringDict{"sep": py.String("/"), "curdir": py.String("."), "pardir": py.String("..")})
}

func pathStat(self, a py.Object) (os.FileInfo, string, error) {
	s, ok := a.(py.String)
	if !ok {
		return nil, "", py.ExceptionNewf(py.TypeError, "stat: path should be string, not %s", shims.TypeName(a))
	}
	p := string(s)
	if !filepath.IsAbs(p) {
		if st := stateOf(self); st != nil && st.Root != "" {
			p = filepath.Join(st.Root, p)
		}
	}
	fi, err := os.Stat(p)
	return fi, string(s), err
}

func statPred(self, a py.Object, f func(os.FileInfo) bool) (py.Object, error) {
	fi, _, err := pathStat(self, a)
	if err != nil {
		if _, ok := err.(*py.Exception); ok {
			return nil, err
		}
		return py.False, nil
	}
	return py.NewBool(f(fi)), nil
}

// normpath is posixpath.normpath.
func normpath(s string) string {
	if s == "" {
		return "."
	}
	initial := 0
	if strings.HasPrefix(s, "/") {
		initial = 1
		if strings.HasPrefix(s, "//") && !strings.HasPrefix(s, "///") {
			initial = 2
		}
	}
	var out []string
	for _, c := range strings.Split(s, "/") {
		if c == "" || c == "." {
			continue
		}
		if c != ".." || (initial == 0 && len(out) == 0) || (len(out) > 0 && out[len(out)-1] == "..") {
			out = append(out, c)
		} else if len(out) > 0 {
			out = out[:len(out)-1]
		}
	}
	res := strings.Join(out, "/")
	if initial > 0 {
		res = strings.Repeat("/", initial) + res
	}
	if res == "" {
		return "."
	}
	return res
}
