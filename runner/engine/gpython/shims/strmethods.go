package shims

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/go-python/gpython/py"
)

// sliceBounds normalises Python start/end arguments for a sequence of n items.
func sliceBounds(fname string, start, end py.Object, n int) (int, int, error) {
	s, err := argInt(fname, start, 0)
	if err != nil {
		return 0, 0, err
	}
	e, err := argInt(fname, end, n)
	if err != nil {
		return 0, 0, err
	}
	if s < 0 {
		s += n
		if s < 0 {
			s = 0
		}
	}
	if e < 0 {
		e += n
		if e < 0 {
			e = 0
		}
	}
	if e > n {
		e = n
	}
	return s, e, nil
}

// ustr is a str with code-point indexing.
type ustr struct {
	s     string
	ascii bool
	r     []rune
}

func newUstr(s string) *ustr {
	u := &ustr{s: s, ascii: true}
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			u.ascii = false
			u.r = []rune(s)
			break
		}
	}
	return u
}

func (u *ustr) len() int {
	if u.ascii {
		return len(u.s)
	}
	return len(u.r)
}

// sub returns the code points [i:j] as a string.
func (u *ustr) sub(i, j int) string {
	if i >= j {
		return ""
	}
	if u.ascii {
		return u.s[i:j]
	}
	return string(u.r[i:j])
}

// cpIndex converts a byte offset in sub(i, j) into a code-point index of u.
func (u *ustr) cpIndex(base int, sub string, byteOff int) int {
	if u.ascii {
		return base + byteOff
	}
	return base + utf8.RuneCountInString(sub[:byteOff])
}

func strFind(fname string, self py.Object, args py.Tuple, reverse bool) (int, error) {
	if err := nargs(fname, args, 1, 3); err != nil {
		return 0, err
	}
	sub, err := argStr(fname, args[0])
	if err != nil {
		return 0, py.ExceptionNewf(py.TypeError, "must be str, not %s", TypeName(args[0]))
	}
	var start, end py.Object
	if len(args) > 1 {
		start = args[1]
	}
	if len(args) > 2 {
		end = args[2]
	}
	u := newUstr(string(self.(py.String)))
	i, j, err := sliceBounds(fname, start, end, u.len())
	if err != nil {
		return 0, err
	}
	if i > j || i > u.len() {
		return -1, nil
	}
	hay := u.sub(i, j)
	var k int
	if reverse {
		k = strings.LastIndex(hay, sub)
	} else {
		k = strings.Index(hay, sub)
	}
	if k < 0 {
		return -1, nil
	}
	return u.cpIndex(i, hay, k), nil
}

func isCased(r rune) bool { return unicode.IsUpper(r) || unicode.IsLower(r) || unicode.IsTitle(r) }

// isPySpace is str.isspace() for one code point.
func isPySpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\v', '\f', '\r', 0x1c, 0x1d, 0x1e, 0x1f, 0x85:
		return true
	}
	return r > 0x7f && unicode.IsSpace(r)
}

// splitWhitespace is str.split() with no separator.
func splitWhitespace(s string, maxsplit int, reverse bool) []string {
	r := []rune(s)
	var out []string
	if !reverse {
		i := 0
		for {
			for i < len(r) && isPySpace(r[i]) {
				i++
			}
			if i >= len(r) {
				break
			}
			if maxsplit >= 0 && len(out) == maxsplit {
				end := len(r)
				for end > i && isPySpace(r[end-1]) {
					end--
				}
				out = append(out, string(r[i:end]))
				break
			}
			j := i
			for j < len(r) && !isPySpace(r[j]) {
				j++
			}
			out = append(out, string(r[i:j]))
			i = j
		}
		return out
	}
	i := len(r)
	for {
		for i > 0 && isPySpace(r[i-1]) {
			i--
		}
		if i <= 0 {
			break
		}
		if maxsplit >= 0 && len(out) == maxsplit {
			start := 0
			for start < i && isPySpace(r[start]) {
				start++
			}
			out = append(out, string(r[start:i]))
			break
		}
		j := i
		for j > 0 && !isPySpace(r[j-1]) {
			j--
		}
		out = append(out, string(r[j:i]))
		i = j
	}
	for a, b := 0, len(out)-1; a < b; a, b = a+1, b-1 {
		out[a], out[b] = out[b], out[a]
	}
	return out
}

func rsplitSep(s, sep string, maxsplit int) []string {
	if maxsplit < 0 {
		return strings.Split(s, sep)
	}
	var out []string
	for len(out) < maxsplit {
		k := strings.LastIndex(s, sep)
		if k < 0 {
			break
		}
		out = append(out, s[k+len(sep):])
		s = s[:k]
	}
	out = append(out, s)
	for a, b := 0, len(out)-1; a < b; a, b = a+1, b-1 {
		out[a], out[b] = out[b], out[a]
	}
	return out
}

func strList(items []string) *py.List {
	l := py.NewListSized(len(items))
	for i, s := range items {
		l.Items[i] = py.String(s)
	}
	return l
}

func isLineBreak(r rune) bool {
	switch r {
	case '\n', '\r', '\v', '\f', 0x1c, 0x1d, 0x1e, 0x85, 0x2028, 0x2029:
		return true
	}
	return false
}

func splitLines(s string, keepends bool) []string {
	r := []rune(s)
	var out []string
	start := 0
	for i := 0; i < len(r); i++ {
		if !isLineBreak(r[i]) {
			continue
		}
		end := i + 1
		if r[i] == '\r' && i+1 < len(r) && r[i+1] == '\n' {
			end = i + 2
		}
		if keepends {
			out = append(out, string(r[start:end]))
		} else {
			out = append(out, string(r[start:i]))
		}
		start = end
		i = end - 1
	}
	if start < len(r) {
		out = append(out, string(r[start:]))
	}
	return out
}

func titleCase(s string) string {
	var b strings.Builder
	prevCased := false
	for _, r := range s {
		if prevCased {
			b.WriteRune(unicode.ToLower(r))
		} else {
			b.WriteRune(unicode.ToTitle(r))
		}
		prevCased = isCased(r)
	}
	return b.String()
}

func strPred(name string, empty bool, f func(r rune) bool) {
	method(py.StringType, name, noKw(name, func(self py.Object, args py.Tuple) (py.Object, error) {
		if err := nargs(name, args, 0, 0); err != nil {
			return nil, err
		}
		s := string(self.(py.String))
		if s == "" {
			return py.NewBool(empty), nil
		}
		for _, r := range s {
			if !f(r) {
				return py.False, nil
			}
		}
		return py.True, nil
	}))
}

func strPad(name string, fn func(s string, n int, fill string) string) {
	method(py.StringType, name, noKw(name, func(self py.Object, args py.Tuple) (py.Object, error) {
		if err := nargs(name, args, 1, 2); err != nil {
			return nil, err
		}
		w, err := argInt(name, args[0], 0)
		if err != nil {
			return nil, err
		}
		fill := " "
		if len(args) > 1 {
			f, ok := args[1].(py.String)
			if !ok || utf8.RuneCountInString(string(f)) != 1 {
				return nil, py.ExceptionNewf(py.TypeError, "The fill character must be exactly one character long")
			}
			fill = string(f)
		}
		s := string(self.(py.String))
		n := w - utf8.RuneCountInString(s)
		if n <= 0 {
			return self, nil
		}
		return py.String(fn(s, n, fill)), nil
	}))
}

func stripChars(fname string, args py.Tuple) (func(rune) bool, error) {
	if err := nargs(fname, args, 0, 1); err != nil {
		return nil, err
	}
	if len(args) == 0 || args[0] == py.None {
		return isPySpace, nil
	}
	chars, ok := args[0].(py.String)
	if !ok {
		return nil, py.ExceptionNewf(py.TypeError, "%s arg must be None or str", fname)
	}
	return func(r rune) bool { return strings.ContainsRune(string(chars), r) }, nil
}

func prefixArgs(fname string, self py.Object, args py.Tuple) (string, []string, error) {
	if err := nargs(fname, args, 1, 3); err != nil {
		return "", nil, err
	}
	var affixes []string
	switch a := args[0].(type) {
	case py.String:
		affixes = []string{string(a)}
	case py.Tuple:
		for _, it := range a {
			s, ok := it.(py.String)
			if !ok {
				return "", nil, py.ExceptionNewf(py.TypeError, "tuple for %s must only contain str, not %s", fname, TypeName(it))
			}
			affixes = append(affixes, string(s))
		}
	default:
		return "", nil, py.ExceptionNewf(py.TypeError, "%s first arg must be str or a tuple of str, not %s", fname, TypeName(args[0]))
	}
	u := newUstr(string(self.(py.String)))
	var start, end py.Object
	if len(args) > 1 {
		start = args[1]
	}
	if len(args) > 2 {
		end = args[2]
	}
	i, j, err := sliceBounds(fname, start, end, u.len())
	if err != nil {
		return "", nil, err
	}
	if i > u.len() {
		return "", nil, nil
	}
	return u.sub(i, j), affixes, nil
}

// Encode is str.encode.
func Encode(s, encoding, errors string) (py.Bytes, error) {
	enc := normEncoding(encoding)
	switch enc {
	case "utf-8":
		return py.Bytes(s), nil
	case "ascii", "latin-1":
		limit := rune(0x7f)
		if enc == "latin-1" {
			limit = 0xff
		}
		out := make([]byte, 0, len(s))
		pos := 0
		for _, r := range s {
			if r <= limit {
				out = append(out, byte(r))
			} else {
				switch errors {
				case "ignore":
				case "replace":
					out = append(out, '?')
				case "xmlcharrefreplace":
					out = append(out, []byte("&#"+itoa(int(r))+";")...)
				case "backslashreplace":
					e := py.StringEscape(py.String(string(r)), true)
					out = append(out, e...)
				default:
					rng := "128"
					if enc == "latin-1" {
						rng = "256"
					}
					return nil, py.ExceptionNewf(py.UnicodeEncodeError, "'%s' codec can't encode character '%s' in position %d: ordinal not in range(%s)",
						codecName(enc), py.StringEscape(py.String(string(r)), true), pos, rng)
				}
			}
			pos++
		}
		return py.Bytes(out), nil
	}
	return nil, py.ExceptionNewf(py.LookupError, "unknown encoding: %s", encoding)
}

func codecName(enc string) string {
	if enc == "latin-1" {
		return "latin-1"
	}
	return enc
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b [20]byte
	n := len(b)
	neg := i < 0
	if neg {
		i = -i
	}
	for i > 0 {
		n--
		b[n] = byte('0' + i%10)
		i /= 10
	}
	if neg {
		n--
		b[n] = '-'
	}
	return string(b[n:])
}

func normEncoding(e string) string {
	e = strings.ToLower(strings.ReplaceAll(strings.TrimSpace(e), "_", "-"))
	switch e {
	case "utf-8", "utf8", "u8", "utf":
		return "utf-8"
	case "ascii", "us-ascii", "646":
		return "ascii"
	case "latin-1", "latin1", "iso-8859-1", "iso8859-1", "8859", "cp819", "l1", "latin":
		return "latin-1"
	}
	return e
}

// Decode is bytes.decode.
func Decode(b []byte, encoding, errors string) (string, error) {
	enc := normEncoding(encoding)
	switch enc {
	case "utf-8":
		if utf8.Valid(b) {
			return string(b), nil
		}
		var sb strings.Builder
		for i := 0; i < len(b); {
			r, n := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && n <= 1 {
				switch errors {
				case "ignore":
				case "replace":
					sb.WriteRune(0xfffd)
				default:
					reason := "invalid start byte"
					if b[i] >= 0xc0 {
						reason = "invalid continuation byte"
						if i+1 >= len(b) {
							reason = "unexpected end of data"
						}
					}
					return "", py.ExceptionNewf(py.UnicodeDecodeError, "'utf-8' codec can't decode byte 0x%02x in position %d: %s", b[i], i, reason)
				}
				i++
				continue
			}
			sb.WriteRune(r)
			i += n
		}
		return sb.String(), nil
	case "latin-1":
		return Latin1(b), nil
	case "ascii":
		var sb strings.Builder
		for i, c := range b {
			if c < 0x80 {
				sb.WriteByte(c)
				continue
			}
			switch errors {
			case "ignore":
			case "replace":
				sb.WriteRune(0xfffd)
			default:
				return "", py.ExceptionNewf(py.UnicodeDecodeError, "'ascii' codec can't decode byte 0x%02x in position %d: ordinal not in range(128)", c, i)
			}
		}
		return sb.String(), nil
	}
	return "", py.ExceptionNewf(py.LookupError, "unknown encoding: %s", encoding)
}

// Latin1 decodes latin-1 bytes: each byte is one code point.
func Latin1(b []byte) string {
	ascii := true
	for _, c := range b {
		if c >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return string(b)
	}
	var sb strings.Builder
	sb.Grow(len(b) + len(b)/4)
	for _, c := range b {
		sb.WriteRune(rune(c))
	}
	return sb.String()
}

// ToLatin1 encodes s as latin-1; ok is false if a code point is above 255.
func ToLatin1(s string) ([]byte, bool) {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 0xff {
			return nil, false
		}
		out = append(out, byte(r))
	}
	return out, true
}

func encodeArgs(fname string, args py.Tuple, kwargs py.StringDict) (string, string, error) {
	a, err := parseArgs(fname, args, kwargs, []string{"encoding", "errors"}, 0)
	if err != nil {
		return "", "", err
	}
	enc, errs := "utf-8", "strict"
	if a[0] != nil {
		if enc, err = argStr(fname, a[0]); err != nil {
			return "", "", err
		}
	}
	if a[1] != nil {
		if errs, err = argStr(fname, a[1]); err != nil {
			return "", "", err
		}
	}
	return enc, errs, nil
}

func installStrMethods() {
	T := py.StringType
	method(T, "encode", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		enc, errs, err := encodeArgs("encode", args, kwargs)
		if err != nil {
			return nil, err
		}
		return Encode(string(self.(py.String)), enc, errs)
	})
	method(T, "join", noKw("join", func(self py.Object, args py.Tuple) (py.Object, error) {
		if err := nargs("join", args, 1, 1); err != nil {
			return nil, err
		}
		var b strings.Builder
		sep := string(self.(py.String))
		i := 0
		err := Iterate(args[0], func(it py.Object) error {
			s, ok := it.(py.String)
			if !ok {
				return py.ExceptionNewf(py.TypeError, "sequence item %d: expected str instance, %s found", i, TypeName(it))
			}
			if i > 0 {
				b.WriteString(sep)
			}
			b.WriteString(string(s))
			i++
			return nil
		})
		if err != nil {
			return nil, err
		}
		return py.String(b.String()), nil
	}))
	method(T, "format", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		s, err := StrFormat(string(self.(py.String)), args, kwargs)
		return py.String(s), err
	})
	method(T, "format_map", noKw("format_map", func(self py.Object, args py.Tuple) (py.Object, error) {
		if err := nargs("format_map", args, 1, 1); err != nil {
			return nil, err
		}
		d, ok := args[0].(py.StringDict)
		if dd, isDict := args[0].(*Dict); isDict {
			d, ok = dd.AsDict(), true
		}
		if !ok {
			return nil, py.ExceptionNewf(py.TypeError, "format_map() argument must be a dict")
		}
		s, err := StrFormat(string(self.(py.String)), nil, d)
		return py.String(s), err
	}))
	simple := func(name string, f func(string) string) {
		method(T, name, noKw(name, func(self py.Object, args py.Tuple) (py.Object, error) {
			if err := nargs(name, args, 0, 0); err != nil {
				return nil, err
			}
			return py.String(f(string(self.(py.String)))), nil
		}))
	}
	simple("upper", strings.ToUpper)
	simple("lower", strings.ToLower)
	simple("casefold", func(s string) string { return strings.ReplaceAll(strings.ToLower(s), "ß", "ss") })
	simple("title", titleCase)
	simple("capitalize", func(s string) string {
		if s == "" {
			return s
		}
		r, n := utf8.DecodeRuneInString(s)
		return string(unicode.ToTitle(r)) + strings.ToLower(s[n:])
	})
	simple("swapcase", func(s string) string {
		return strings.Map(func(r rune) rune {
			if unicode.IsUpper(r) {
				return unicode.ToLower(r)
			}
			if unicode.IsLower(r) {
				return unicode.ToUpper(r)
			}
			return r
		}, s)
	})
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
			s := string(self.(py.String))
			if a[0] == nil || a[0] == py.None {
				return strList(splitWhitespace(s, max, reverse)), nil
			}
			sep, ok := a[0].(py.String)
			if !ok {
				return nil, py.ExceptionNewf(py.TypeError, "must be str or None, not %s", TypeName(a[0]))
			}
			if sep == "" {
				return nil, py.ExceptionNewf(py.ValueError, "empty separator")
			}
			if reverse {
				return strList(rsplitSep(s, string(sep), max)), nil
			}
			if max < 0 {
				return strList(strings.Split(s, string(sep))), nil
			}
			return strList(strings.SplitN(s, string(sep), max+1)), nil
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
		return strList(splitLines(string(self.(py.String)), keep)), nil
	})
	part := func(name string, reverse bool) {
		method(T, name, noKw(name, func(self py.Object, args py.Tuple) (py.Object, error) {
			if err := nargs(name, args, 1, 1); err != nil {
				return nil, err
			}
			sep, err := argStr(name, args[0])
			if err != nil {
				return nil, err
			}
			if sep == "" {
				return nil, py.ExceptionNewf(py.ValueError, "empty separator")
			}
			s := string(self.(py.String))
			var k int
			if reverse {
				k = strings.LastIndex(s, sep)
			} else {
				k = strings.Index(s, sep)
			}
			if k < 0 {
				if reverse {
					return py.Tuple{py.String(""), py.String(""), py.String(s)}, nil
				}
				return py.Tuple{py.String(s), py.String(""), py.String("")}, nil
			}
			return py.Tuple{py.String(s[:k]), py.String(sep), py.String(s[k+len(sep):])}, nil
		}))
	}
	part("partition", false)
	part("rpartition", true)
	method(T, "strip", noKw("strip", func(self py.Object, args py.Tuple) (py.Object, error) {
		f, err := stripChars("strip", args)
		if err != nil {
			return nil, err
		}
		return py.String(strings.TrimFunc(string(self.(py.String)), f)), nil
	}))
	method(T, "lstrip", noKw("lstrip", func(self py.Object, args py.Tuple) (py.Object, error) {
		f, err := stripChars("lstrip", args)
		if err != nil {
			return nil, err
		}
		return py.String(strings.TrimLeftFunc(string(self.(py.String)), f)), nil
	}))
	method(T, "rstrip", noKw("rstrip", func(self py.Object, args py.Tuple) (py.Object, error) {
		f, err := stripChars("rstrip", args)
		if err != nil {
			return nil, err
		}
		return py.String(strings.TrimRightFunc(string(self.(py.String)), f)), nil
	}))
	method(T, "startswith", noKw("startswith", func(self py.Object, args py.Tuple) (py.Object, error) {
		s, affixes, err := prefixArgs("startswith", self, args)
		if err != nil {
			return nil, err
		}
		for _, a := range affixes {
			if strings.HasPrefix(s, a) {
				return py.True, nil
			}
		}
		return py.False, nil
	}))
	method(T, "endswith", noKw("endswith", func(self py.Object, args py.Tuple) (py.Object, error) {
		s, affixes, err := prefixArgs("endswith", self, args)
		if err != nil {
			return nil, err
		}
		for _, a := range affixes {
			if strings.HasSuffix(s, a) {
				return py.True, nil
			}
		}
		return py.False, nil
	}))
	method(T, "replace", noKw("replace", func(self py.Object, args py.Tuple) (py.Object, error) {
		if err := nargs("replace", args, 2, 3); err != nil {
			return nil, err
		}
		old, err := argStr("replace", args[0])
		if err != nil {
			return nil, err
		}
		nw, err := argStr("replace", args[1])
		if err != nil {
			return nil, err
		}
		n := -1
		if len(args) > 2 {
			if n, err = argInt("replace", args[2], -1); err != nil {
				return nil, err
			}
		}
		return py.String(strings.Replace(string(self.(py.String)), old, nw, n)), nil
	}))
	method(T, "find", noKw("find", func(self py.Object, args py.Tuple) (py.Object, error) {
		i, err := strFind("find", self, args, false)
		return py.Int(i), err
	}))
	method(T, "rfind", noKw("rfind", func(self py.Object, args py.Tuple) (py.Object, error) {
		i, err := strFind("rfind", self, args, true)
		return py.Int(i), err
	}))
	method(T, "index", noKw("index", func(self py.Object, args py.Tuple) (py.Object, error) {
		i, err := strFind("index", self, args, false)
		if err == nil && i < 0 {
			err = py.ExceptionNewf(py.ValueError, "substring not found")
		}
		return py.Int(i), err
	}))
	method(T, "rindex", noKw("rindex", func(self py.Object, args py.Tuple) (py.Object, error) {
		i, err := strFind("rindex", self, args, true)
		if err == nil && i < 0 {
			err = py.ExceptionNewf(py.ValueError, "substring not found")
		}
		return py.Int(i), err
	}))
	method(T, "count", noKw("count", func(self py.Object, args py.Tuple) (py.Object, error) {
		if err := nargs("count", args, 1, 3); err != nil {
			return nil, err
		}
		sub, err := argStr("count", args[0])
		if err != nil {
			return nil, err
		}
		u := newUstr(string(self.(py.String)))
		var start, end py.Object
		if len(args) > 1 {
			start = args[1]
		}
		if len(args) > 2 {
			end = args[2]
		}
		i, j, err := sliceBounds("count", start, end, u.len())
		if err != nil {
			return nil, err
		}
		if i > j {
			return py.Int(0), nil
		}
		hay := u.sub(i, j)
		if sub == "" {
			return py.Int(utf8.RuneCountInString(hay) + 1), nil
		}
		return py.Int(strings.Count(hay, sub)), nil
	}))
	method(T, "zfill", noKw("zfill", func(self py.Object, args py.Tuple) (py.Object, error) {
		if err := nargs("zfill", args, 1, 1); err != nil {
			return nil, err
		}
		w, err := argInt("zfill", args[0], 0)
		if err != nil {
			return nil, err
		}
		s := string(self.(py.String))
		n := w - utf8.RuneCountInString(s)
		if n <= 0 {
			return self, nil
		}
		sign := ""
		if s != "" && (s[0] == '+' || s[0] == '-') {
			sign, s = s[:1], s[1:]
		}
		return py.String(sign + strings.Repeat("0", n) + s), nil
	}))
	strPad("ljust", func(s string, n int, f string) string { return s + strings.Repeat(f, n) })
	strPad("rjust", func(s string, n int, f string) string { return strings.Repeat(f, n) + s })
	strPad("center", func(s string, n int, f string) string {
		width := n + utf8.RuneCountInString(s)
		left := n/2 + (n & width & 1)
		return strings.Repeat(f, left) + s + strings.Repeat(f, n-left)
	})
	method(T, "expandtabs", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		a, err := parseArgs("expandtabs", args, kwargs, []string{"tabsize"}, 0)
		if err != nil {
			return nil, err
		}
		ts, err := argInt("expandtabs", a[0], 8)
		if err != nil {
			return nil, err
		}
		var b strings.Builder
		col := 0
		for _, r := range string(self.(py.String)) {
			switch r {
			case '\t':
				if ts > 0 {
					n := ts - col%ts
					b.WriteString(strings.Repeat(" ", n))
					col += n
				}
			case '\n', '\r':
				b.WriteRune(r)
				col = 0
			default:
				b.WriteRune(r)
				col++
			}
		}
		return py.String(b.String()), nil
	})
	strPred("isdigit", false, func(r rune) bool { return unicode.IsDigit(r) })
	strPred("isdecimal", false, func(r rune) bool { return unicode.Is(unicode.Nd, r) })
	strPred("isnumeric", false, func(r rune) bool { return unicode.IsNumber(r) })
	strPred("isalpha", false, func(r rune) bool { return unicode.IsLetter(r) })
	strPred("isalnum", false, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) })
	strPred("isspace", false, isPySpace)
	strPred("isascii", true, func(r rune) bool { return r < 0x80 })
	strPred("isprintable", true, func(r rune) bool { return r == ' ' || (unicode.IsPrint(r) && !isPySpace(r)) })
	casePred := func(name string, want func(rune) bool) {
		method(T, name, noKw(name, func(self py.Object, args py.Tuple) (py.Object, error) {
			cased := false
			for _, r := range string(self.(py.String)) {
				if isCased(r) {
					if !want(r) {
						return py.False, nil
					}
					cased = true
				}
			}
			return py.NewBool(cased), nil
		}))
	}
	casePred("isupper", func(r rune) bool { return !unicode.IsLower(r) })
	casePred("islower", func(r rune) bool { return !unicode.IsUpper(r) && !unicode.IsTitle(r) })
	method(T, "istitle", noKw("istitle", func(self py.Object, args py.Tuple) (py.Object, error) {
		s := string(self.(py.String))
		return py.NewBool(s != "" && titleCase(s) == s && strings.IndexFunc(s, isCased) >= 0), nil
	}))
	method(T, "isidentifier", noKw("isidentifier", func(self py.Object, args py.Tuple) (py.Object, error) {
		s := string(self.(py.String))
		if s == "" {
			return py.False, nil
		}
		for i, r := range s {
			if !(r == '_' || unicode.IsLetter(r) || (i > 0 && (unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)))) {
				return py.False, nil
			}
		}
		return py.True, nil
	}))
	method(T, "removeprefix", noKw("removeprefix", func(self py.Object, args py.Tuple) (py.Object, error) {
		if err := nargs("removeprefix", args, 1, 1); err != nil {
			return nil, err
		}
		p, err := argStr("removeprefix", args[0])
		if err != nil {
			return nil, err
		}
		return py.String(strings.TrimPrefix(string(self.(py.String)), p)), nil
	}))
	method(T, "removesuffix", noKw("removesuffix", func(self py.Object, args py.Tuple) (py.Object, error) {
		if err := nargs("removesuffix", args, 1, 1); err != nil {
			return nil, err
		}
		p, err := argStr("removesuffix", args[0])
		if err != nil {
			return nil, err
		}
		return py.String(strings.TrimSuffix(string(self.(py.String)), p)), nil
	}))
	method(T, "__format__", noKw("__format__", func(self py.Object, args py.Tuple) (py.Object, error) {
		if err := nargs("__format__", args, 1, 1); err != nil {
			return nil, err
		}
		spec, err := argStr("__format__", args[0])
		if err != nil {
			return nil, err
		}
		s, err := FormatValue(self, spec)
		return py.String(s), err
	}))
}
