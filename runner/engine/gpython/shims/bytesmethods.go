package shims

import (
	"bytes"
	"encoding/hex"
	"strings"

	"github.com/go-python/gpython/py"
)

func argBytes(fname string, o py.Object) ([]byte, error) {
	b, ok := o.(py.Bytes)
	if !ok {
		return nil, py.ExceptionNewf(py.TypeError, "a bytes-like object is required, not '%s'", TypeName(o))
	}
	return b, nil
}

func isASCIISpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

func bytesList(items [][]byte) *py.List {
	l := py.NewListSized(len(items))
	for i, b := range items {
		l.Items[i] = py.Bytes(append([]byte(nil), b...))
	}
	return l
}

func bytesFind(fname string, self py.Object, args py.Tuple, reverse bool) (int, error) {
	if err := nargs(fname, args, 1, 3); err != nil {
		return 0, err
	}
	b := []byte(self.(py.Bytes))
	var sub []byte
	switch x := args[0].(type) {
	case py.Bytes:
		sub = x
	case py.Int:
		sub = []byte{byte(x)}
	default:
		return 0, py.ExceptionNewf(py.TypeError, "argument should be integer or bytes-like object, not '%s'", TypeName(args[0]))
	}
	var start, end py.Object
	if len(args) > 1 {
		start = args[1]
	}
	if len(args) > 2 {
		end = args[2]
	}
	i, j, err := sliceBounds(fname, start, end, len(b))
	if err != nil {
		return 0, err
	}
	if i > j || i > len(b) {
		return -1, nil
	}
	var k int
	if reverse {
		k = bytes.LastIndex(b[i:j], sub)
	} else {
		k = bytes.Index(b[i:j], sub)
	}
	if k < 0 {
		return -1, nil
	}
	return i + k, nil
}

func installBytesMethods() {
	T := py.BytesType
	method(T, "decode", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		enc, errs, err := encodeArgs("decode", args, kwargs)
		if err != nil {
			return nil, err
		}
		s, err := Decode(self.(py.Bytes), enc, errs)
		return py.String(s), err
	})
	method(T, "join", noKw("join", func(self py.Object, args py.Tuple) (py.Object, error) {
		if err := nargs("join", args, 1, 1); err != nil {
			return nil, err
		}
		var out []byte
		sep := []byte(self.(py.Bytes))
		i := 0
		err := Iterate(args[0], func(it py.Object) error {
			b, ok := it.(py.Bytes)
			if !ok {
				return py.ExceptionNewf(py.TypeError, "sequence item %d: expected a bytes-like object, %s found", i, TypeName(it))
			}
			if i > 0 {
				out = append(out, sep...)
			}
			out = append(out, b...)
			i++
			return nil
		})
		if err != nil {
			return nil, err
		}
		return py.Bytes(out), nil
	}))
	affix := func(name string, suffix bool) {
		method(T, name, noKw(name, func(self py.Object, args py.Tuple) (py.Object, error) {
			if err := nargs(name, args, 1, 3); err != nil {
				return nil, err
			}
			var affixes [][]byte
			switch a := args[0].(type) {
			case py.Bytes:
				affixes = [][]byte{a}
			case py.Tuple:
				for _, it := range a {
					b, err := argBytes(name, it)
					if err != nil {
						return nil, err
					}
					affixes = append(affixes, b)
				}
			default:
				return nil, py.ExceptionNewf(py.TypeError, "%s first arg must be bytes or a tuple of bytes, not %s", name, TypeName(args[0]))
			}
			b := []byte(self.(py.Bytes))
			var start, end py.Object
			if len(args) > 1 {
				start = args[1]
			}
			if len(args) > 2 {
				end = args[2]
			}
			i, j, err := sliceBounds(name, start, end, len(b))
			if err != nil {
				return nil, err
			}
			if i > j {
				return py.False, nil
			}
			for _, a := range affixes {
				if (!suffix && bytes.HasPrefix(b[i:j], a)) || (suffix && bytes.HasSuffix(b[i:j], a)) {
					return py.True, nil
				}
			}
			return py.False, nil
		}))
	}
	affix("startswith", false)
	affix("endswith", true)
	method(T, "find", noKw("find", func(self py.Object, args py.Tuple) (py.Object, error) {
		i, err := bytesFind("find", self, args, false)
		return py.Int(i), err
	}))
	method(T, "rfind", noKw("rfind", func(self py.Object, args py.Tuple) (py.Object, error) {
		i, err := bytesFind("rfind", self, args, true)
		return py.Int(i), err
	}))
	method(T, "index", noKw("index", func(self py.Object, args py.Tuple) (py.Object, error) {
		i, err := bytesFind("index", self, args, false)
		if err == nil && i < 0 {
			err = py.ExceptionNewf(py.ValueError, "subsection not found")
		}
		return py.Int(i), err
	}))
	method(T, "rindex", noKw("rindex", func(self py.Object, args py.Tuple) (py.Object, error) {
		i, err := bytesFind("rindex", self, args, true)
		if err == nil && i < 0 {
			err = py.ExceptionNewf(py.ValueError, "subsection not found")
		}
		return py.Int(i), err
	}))
	method(T, "count", noKw("count", func(self py.Object, args py.Tuple) (py.Object, error) {
		if err := nargs("count", args, 1, 1); err != nil {
			return nil, err
		}
		sub, err := argBytes("count", args[0])
		if err != nil {
			return nil, err
		}
		return py.Int(bytes.Count(self.(py.Bytes), sub)), nil
	}))
	splitFn := func(name string, reverse bool) {
		method(T, name, func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			a, err := parseArgs(name, args, kwargs, []string{"sep", "maxsplit"}, 0)
			if err != nil {
				return nil, err
			}
			max, err := argInt(name, a[1], -1)
			if err != nil {
				return nil, err
			}
			b := []byte(self.(py.Bytes))
			if a[0] == nil || a[0] == py.None {
				parts := splitWhitespace(string(b), max, reverse)
				l := py.NewListSized(len(parts))
				for i, p := range parts {
					l.Items[i] = py.Bytes(p)
				}
				return l, nil
			}
			sep, err := argBytes(name, a[0])
			if err != nil {
				return nil, err
			}
			if len(sep) == 0 {
				return nil, py.ExceptionNewf(py.ValueError, "empty separator")
			}
			if reverse {
				parts := rsplitSep(string(b), string(sep), max)
				l := py.NewListSized(len(parts))
				for i, p := range parts {
					l.Items[i] = py.Bytes(p)
				}
				return l, nil
			}
			if max < 0 {
				return bytesList(bytes.Split(b, sep)), nil
			}
			return bytesList(bytes.SplitN(b, sep, max+1)), nil
		})
	}
	splitFn("split", false)
	splitFn("rsplit", true)
	method(T, "splitlines", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		a, err := parseArgs("splitlines", args, kwargs, []string{"keepends"}, 0)
		if err != nil {
			return nil, err
		}
		keep := false
		if a[0] != nil {
			if keep, err = Truth(a[0]); err != nil {
				return nil, err
			}
		}
		b := []byte(self.(py.Bytes))
		var out [][]byte
		start := 0
		for i := 0; i < len(b); i++ {
			if b[i] != '\n' && b[i] != '\r' {
				continue
			}
			end := i + 1
			if b[i] == '\r' && i+1 < len(b) && b[i+1] == '\n' {
				end = i + 2
			}
			if keep {
				out = append(out, b[start:end])
			} else {
				out = append(out, b[start:i])
			}
			start = end
			i = end - 1
		}
		if start < len(b) {
			out = append(out, b[start:])
		}
		return bytesList(out), nil
	})
	strip := func(name string, left, right bool) {
		method(T, name, noKw(name, func(self py.Object, args py.Tuple) (py.Object, error) {
			if err := nargs(name, args, 0, 1); err != nil {
				return nil, err
			}
			f := isASCIISpace
			if len(args) == 1 && args[0] != py.None {
				chars, err := argBytes(name, args[0])
				if err != nil {
					return nil, err
				}
				f = func(c byte) bool { return bytes.IndexByte(chars, c) >= 0 }
			}
			b := []byte(self.(py.Bytes))
			i, j := 0, len(b)
			if left {
				for i < j && f(b[i]) {
					i++
				}
			}
			if right {
				for j > i && f(b[j-1]) {
					j--
				}
			}
			return py.Bytes(b[i:j]), nil
		}))
	}
	strip("strip", true, true)
	strip("lstrip", true, false)
	strip("rstrip", false, true)
	simple := func(name string, f func([]byte) []byte) {
		method(T, name, noKw(name, func(self py.Object, args py.Tuple) (py.Object, error) {
			if err := nargs(name, args, 0, 0); err != nil {
				return nil, err
			}
			return py.Bytes(f(self.(py.Bytes))), nil
		}))
	}
	simple("upper", func(b []byte) []byte {
		out := make([]byte, len(b))
		for i, c := range b {
			if c >= 'a' && c <= 'z' {
				c -= 32
			}
			out[i] = c
		}
		return out
	})
	simple("lower", func(b []byte) []byte {
		out := make([]byte, len(b))
		for i, c := range b {
			if c >= 'A' && c <= 'Z' {
				c += 32
			}
			out[i] = c
		}
		return out
	})
	method(T, "hex", noKw("hex", func(self py.Object, args py.Tuple) (py.Object, error) {
		return py.String(hex.EncodeToString(self.(py.Bytes))), nil
	}))
	part := func(name string, reverse bool) {
		method(T, name, noKw(name, func(self py.Object, args py.Tuple) (py.Object, error) {
			if err := nargs(name, args, 1, 1); err != nil {
				return nil, err
			}
			sep, err := argBytes(name, args[0])
			if err != nil {
				return nil, err
			}
			if len(sep) == 0 {
				return nil, py.ExceptionNewf(py.ValueError, "empty separator")
			}
			b := []byte(self.(py.Bytes))
			var k int
			if reverse {
				k = bytes.LastIndex(b, sep)
			} else {
				k = bytes.Index(b, sep)
			}
			if k < 0 {
				if reverse {
					return py.Tuple{py.Bytes{}, py.Bytes{}, py.Bytes(b)}, nil
				}
				return py.Tuple{py.Bytes(b), py.Bytes{}, py.Bytes{}}, nil
			}
			return py.Tuple{py.Bytes(b[:k]), py.Bytes(sep), py.Bytes(b[k+len(sep):])}, nil
		}))
	}
	part("partition", false)
	part("rpartition", true)
	method(T, "replace", noKw("replace", func(self py.Object, args py.Tuple) (py.Object, error) {
		if err := nargs("replace", args, 2, 3); err != nil {
			return nil, err
		}
		old, err := argBytes("replace", args[0])
		if err != nil {
			return nil, err
		}
		nw, err := argBytes("replace", args[1])
		if err != nil {
			return nil, err
		}
		n := -1
		if len(args) > 2 {
			if n, err = argInt("replace", args[2], -1); err != nil {
				return nil, err
			}
		}
		return py.Bytes(bytes.Replace(self.(py.Bytes), old, nw, n)), nil
	}))
	pred := func(name string, f func(c byte) bool) {
		method(T, name, noKw(name, func(self py.Object, args py.Tuple) (py.Object, error) {
			b := []byte(self.(py.Bytes))
			if len(b) == 0 {
				return py.False, nil
			}
			for _, c := range b {
				if !f(c) {
					return py.False, nil
				}
			}
			return py.True, nil
		}))
	}
	pred("isdigit", func(c byte) bool { return c >= '0' && c <= '9' })
	pred("isalpha", func(c byte) bool { return (c|32) >= 'a' && (c|32) <= 'z' })
	pred("isalnum", func(c byte) bool { return (c >= '0' && c <= '9') || ((c|32) >= 'a' && (c|32) <= 'z') })
	pred("isspace", isASCIISpace)
	T.Dict["fromhex"] = &ClassMethod{Callable: py.MustNewMethod("fromhex", func(self py.Object, args py.Tuple) (py.Object, error) {
		if err := nargs("fromhex", args, 1, 1); err != nil {
			return nil, err
		}
		s, err := argStr("fromhex", args[0])
		if err != nil {
			return nil, err
		}
		b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
		if err != nil {
			return nil, py.ExceptionNewf(py.ValueError, "non-hexadecimal number found in fromhex() arg")
		}
		return py.Bytes(b), nil
	}, 0, "")}
}
