package pymod

import (
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/go-python/gpython/py"

	"github.com/gowsgi/gowsgi/runner/engine/gpython/shims"
)

// The re module on Go's regexp (RE2): the syntax Python and RE2 share works
// the same; backreferences (\1 in a pattern, (?P=name)), lookahead and
// lookbehind ((?=...), (?!...), (?<=...), (?<!...)), possessive and atomic
// groups are not supported and raise re.error at compile time. \d, \w and
// \s match ASCII only (as with re.ASCII).

// ReError is re.error.
var ReError = shims.Subclass(py.ValueError, "error", "Exception raised for invalid regular expressions.")

// Flags, with CPython's values.
const (
	reI = 2
	reL = 4
	reM = 8
	reS = 16
	reU = 32
	reX = 64
	reA = 256
)

// Pattern is a compiled regular expression.
type Pattern struct {
	src     string
	flags   int
	re      *regexp.Regexp // search
	anchor  *regexp.Regexp // match: anchored at the start
	full    *regexp.Regexp // fullmatch
	names   []string
	ngroups int
}

var PatternType = newType("Pattern", "A compiled regular expression.", nil)

func (*Pattern) Type() *py.Type { return PatternType }

// Match is the result of a successful match.
type Match struct {
	p      *Pattern
	s      string
	idx    []int // byte offsets, as regexp returns them
	pos    int
	endpos int
}

var MatchType = newType("Match", "The result of re.match() and friends.", nil)

func (*Match) Type() *py.Type { return MatchType }

var reCache = struct {
	sync.Mutex
	m map[string]*Pattern
}{m: map[string]*Pattern{}}

// stripVerbose removes whitespace and comments (re.X) outside classes.
func stripVerbose(p string) string {
	var b strings.Builder
	inClass := false
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '\\' && i+1 < len(p):
			b.WriteByte(c)
			b.WriteByte(p[i+1])
			i++
		case inClass:
			if c == ']' {
				inClass = false
			}
			b.WriteByte(c)
		case c == '[':
			inClass = true
			b.WriteByte(c)
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f':
		case c == '#':
			for i < len(p) && p[i] != '\n' {
				i++
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// translate turns a Python pattern into RE2 syntax, refusing what RE2 lacks.
func translate(p string) (string, error) {
	var b strings.Builder
	inClass := false
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '\\' && i+1 < len(p) {
			n := p[i+1]
			switch {
			case n == 'Z':
				b.WriteString(`\z`)
			case n >= '1' && n <= '9' && !inClass:
				return "", py.ExceptionNewf(ReError, "backreferences (\\%c) are not supported by gowsgi's gpython engine (Go regexp)", n)
			default:
				b.WriteByte(c)
				b.WriteByte(n)
			}
			i++
			continue
		}
		if inClass {
			if c == ']' {
				inClass = false
			}
			b.WriteByte(c)
			continue
		}
		if c == '[' {
			inClass = true
			b.WriteByte(c)
			if i+1 < len(p) && p[i+1] == '^' {
				b.WriteByte('^')
				i++
			}
			if i+1 < len(p) && p[i+1] == ']' {
				b.WriteString(`\]`)
				i++
			}
			continue
		}
		if c == '(' && i+2 < len(p) && p[i+1] == '?' {
			rest := p[i+2:]
			switch {
			case strings.HasPrefix(rest, "="), strings.HasPrefix(rest, "!"), strings.HasPrefix(rest, "<="), strings.HasPrefix(rest, "<!"):
				return "", py.ExceptionNewf(ReError, "lookahead and lookbehind are not supported by gowsgi's gpython engine (Go regexp)")
			case strings.HasPrefix(rest, "P="):
				return "", py.ExceptionNewf(ReError, "backreferences ((?P=name)) are not supported by gowsgi's gpython engine (Go regexp)")
			case strings.HasPrefix(rest, ">"):
				return "", py.ExceptionNewf(ReError, "atomic groups are not supported by gowsgi's gpython engine (Go regexp)")
			case strings.HasPrefix(rest, "#"):
				j := strings.IndexByte(rest, ')')
				if j < 0 {
					return "", py.ExceptionNewf(ReError, "missing ), unterminated comment")
				}
				i += 2 + j
				continue
			case strings.HasPrefix(rest, "<") && !strings.HasPrefix(rest, "<=") && !strings.HasPrefix(rest, "<!"):
				b.WriteString("(?P")
				i++
				continue
			}
		}
		b.WriteByte(c)
	}
	return b.String(), nil
}

func compilePattern(src string, flags int) (*Pattern, error) {
	key := strconv.Itoa(flags) + "\x00" + src
	reCache.Lock()
	p, ok := reCache.m[key]
	reCache.Unlock()
	if ok {
		return p, nil
	}
	s := src
	if flags&reX != 0 {
		s = stripVerbose(s)
	}
	s, err := translate(s)
	if err != nil {
		return nil, err
	}
	prefix := ""
	if flags&reI != 0 {
		prefix += "i"
	}
	if flags&reM != 0 {
		prefix += "m"
	}
	if flags&reS != 0 {
		prefix += "s"
	}
	if prefix != "" {
		s = "(?" + prefix + ")" + s
	}
	re, err := regexp.Compile(s)
	if err != nil {
		return nil, py.ExceptionNewf(ReError, "%s", strings.TrimPrefix(err.Error(), "error parsing regexp: "))
	}
	anchor := regexp.MustCompile(`\A(?:` + s + `)`)
	full := regexp.MustCompile(`\A(?:` + s + `)\z`)
	p = &Pattern{src: src, flags: flags, re: re, anchor: anchor, full: full, names: re.SubexpNames(), ngroups: re.NumSubexp()}
	reCache.Lock()
	if len(reCache.m) > 512 {
		reCache.m = map[string]*Pattern{}
	}
	reCache.m[key] = p
	reCache.Unlock()
	return p, nil
}

func patternArg(fname string, o py.Object, flags py.Object) (*Pattern, error) {
	if p, ok := o.(*Pattern); ok {
		return p, nil
	}
	s, ok := o.(py.String)
	if !ok {
		if _, isBytes := o.(py.Bytes); isBytes {
			return nil, py.ExceptionNewf(py.TypeError, "bytes patterns are not supported by gowsgi's gpython engine")
		}
		return nil, py.ExceptionNewf(py.TypeError, "first argument must be string or compiled pattern")
	}
	f, err := intArg(fname, flags, 0)
	if err != nil {
		return nil, err
	}
	return compilePattern(string(s), f)
}

func subjectArg(o py.Object) (string, error) {
	s, ok := o.(py.String)
	if !ok {
		return "", py.ExceptionNewf(py.TypeError, "expected string, got '%s' (bytes subjects are not supported by gowsgi's gpython engine)", shims.TypeName(o))
	}
	return string(s), nil
}

// byteOffset converts a code-point index into a byte offset of s.
func byteOffset(s string, cp int) int {
	if cp <= 0 {
		return 0
	}
	n := 0
	for i := range s {
		if n == cp {
			return i
		}
		n++
	}
	return len(s)
}

func cpIndex(s string, b int) int {
	if b < 0 {
		return -1
	}
	return utf8.RuneCountInString(s[:b])
}

func (p *Pattern) do(kind string, s string, pos, endpos int) *Match {
	bpos, bend := byteOffset(s, pos), byteOffset(s, endpos)
	sub := s[:bend]
	var re *regexp.Regexp
	switch kind {
	case "match":
		re = p.anchor
	case "fullmatch":
		re = p.full
	default:
		re = p.re
	}
	loc := re.FindStringSubmatchIndex(sub[bpos:])
	if loc == nil {
		return nil
	}
	for i := range loc {
		if loc[i] >= 0 {
			loc[i] += bpos
		}
	}
	return &Match{p: p, s: s, idx: loc, pos: pos, endpos: endpos}
}

func (m *Match) group(g py.Object) (py.Object, error) {
	i, err := m.groupIndex(g)
	if err != nil {
		return nil, err
	}
	if m.idx[2*i] < 0 {
		return py.None, nil
	}
	return py.String(m.s[m.idx[2*i]:m.idx[2*i+1]]), nil
}

func (m *Match) groupIndex(g py.Object) (int, error) {
	switch x := g.(type) {
	case py.Int:
		if int(x) < 0 || int(x) > m.p.ngroups {
			return 0, py.ExceptionNewf(py.IndexError, "no such group")
		}
		return int(x), nil
	case py.String:
		for i, n := range m.p.names {
			if n == string(x) && i > 0 {
				return i, nil
			}
		}
	}
	return 0, py.ExceptionNewf(py.IndexError, "no such group")
}

// expand fills a sub() template: \1, \g<1>, \g<name> and escapes.
func (m *Match) expand(tmpl string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(tmpl); i++ {
		c := tmpl[i]
		if c != '\\' || i+1 >= len(tmpl) {
			b.WriteByte(c)
			continue
		}
		n := tmpl[i+1]
		i++
		switch {
		case n >= '0' && n <= '9':
			j := i
			for j+1 < len(tmpl) && j-i < 1 && tmpl[j+1] >= '0' && tmpl[j+1] <= '9' {
				j++
			}
			idx, _ := strconv.Atoi(tmpl[i : j+1])
			v, err := m.group(py.Int(idx))
			if err != nil {
				return "", py.ExceptionNewf(ReError, "invalid group reference %d", idx)
			}
			if s, ok := v.(py.String); ok {
				b.WriteString(string(s))
			}
			i = j
		case n == 'g':
			end := strings.IndexByte(tmpl[i:], '>')
			if i+1 >= len(tmpl) || tmpl[i+1] != '<' || end < 0 {
				return "", py.ExceptionNewf(ReError, "missing < in group reference")
			}
			name := tmpl[i+2 : i+end]
			var key py.Object = py.String(name)
			if k, err := strconv.Atoi(name); err == nil {
				key = py.Int(k)
			}
			v, err := m.group(key)
			if err != nil {
				return "", py.ExceptionNewf(ReError, "unknown group name '%s'", name)
			}
			if s, ok := v.(py.String); ok {
				b.WriteString(string(s))
			}
			i += end
		case n == 'n':
			b.WriteByte('\n')
		case n == 't':
			b.WriteByte('\t')
		case n == 'r':
			b.WriteByte('\r')
		case n == '\\':
			b.WriteByte('\\')
		default:
			b.WriteByte('\\')
			b.WriteByte(n)
		}
	}
	return b.String(), nil
}

func (p *Pattern) sub(repl py.Object, s string, count int) (string, int, error) {
	var b strings.Builder
	last, n := 0, 0
	for _, loc := range p.re.FindAllStringSubmatchIndex(s, -1) {
		if count > 0 && n >= count {
			break
		}
		m := &Match{p: p, s: s, idx: loc, pos: 0, endpos: utf8.RuneCountInString(s)}
		b.WriteString(s[last:loc[0]])
		switch r := repl.(type) {
		case py.String:
			e, err := m.expand(string(r))
			if err != nil {
				return "", 0, err
			}
			b.WriteString(e)
		default:
			v, err := py.Call(repl, py.Tuple{m}, nil)
			if err != nil {
				return "", 0, err
			}
			vs, ok := v.(py.String)
			if !ok {
				return "", 0, py.ExceptionNewf(py.TypeError, "expected str instance, %s found", shims.TypeName(v))
			}
			b.WriteString(string(vs))
		}
		last = loc[1]
		n++
	}
	b.WriteString(s[last:])
	return b.String(), n, nil
}

func (p *Pattern) findall(s string) py.Object {
	out := py.NewList()
	for _, loc := range p.re.FindAllStringSubmatchIndex(s, -1) {
		get := func(i int) py.Object {
			if loc[2*i] < 0 {
				return py.String("")
			}
			return py.String(s[loc[2*i]:loc[2*i+1]])
		}
		switch p.ngroups {
		case 0:
			out.Append(get(0))
		case 1:
			out.Append(get(1))
		default:
			t := make(py.Tuple, p.ngroups)
			for i := range t {
				t[i] = get(i + 1)
			}
			out.Append(t)
		}
	}
	return out
}

func (p *Pattern) split(s string, maxsplit int) py.Object {
	out := py.NewList()
	last, n := 0, 0
	for _, loc := range p.re.FindAllStringSubmatchIndex(s, -1) {
		if maxsplit > 0 && n >= maxsplit {
			break
		}
		out.Append(py.String(s[last:loc[0]]))
		for i := 1; i <= p.ngroups; i++ {
			if loc[2*i] < 0 {
				out.Append(py.None)
			} else {
				out.Append(py.String(s[loc[2*i]:loc[2*i+1]]))
			}
		}
		last = loc[1]
		n++
	}
	out.Append(py.String(s[last:]))
	return out
}

// reCall runs a module-level or Pattern-method function.
func reCall(kind string, p *Pattern, args []py.Object) (py.Object, error) {
	s, err := subjectArg(args[0])
	if err != nil {
		return nil, err
	}
	switch kind {
	case "match", "search", "fullmatch":
		n := utf8.RuneCountInString(s)
		pos, err := intArg(kind, args[1], 0)
		if err != nil {
			return nil, err
		}
		end, err := intArg(kind, args[2], n)
		if err != nil {
			return nil, err
		}
		if pos < 0 {
			pos = 0
		}
		if end > n {
			end = n
		}
		if pos > end {
			return py.None, nil
		}
		m := p.do(kind, s, pos, end)
		if m == nil {
			return py.None, nil
		}
		return m, nil
	case "findall":
		return p.findall(s), nil
	case "finditer":
		var items []py.Object
		for _, loc := range p.re.FindAllStringSubmatchIndex(s, -1) {
			items = append(items, &Match{p: p, s: s, idx: loc, endpos: utf8.RuneCountInString(s)})
		}
		return &shims.SliceIter{Items: items}, nil
	}
	return nil, py.ExceptionNewf(py.SystemError, "re: %s", kind)
}

func registerRe() {
	var ms []*py.Method
	for _, kind := range []string{"match", "search", "fullmatch", "findall", "finditer"} {
		kind := kind
		ms = append(ms, fn(kind, func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			a, err := parseArgs(kind, args, kwargs, []string{"pattern", "string", "flags"}, 2)
			if err != nil {
				return nil, err
			}
			p, err := patternArg(kind, a[0], a[2])
			if err != nil {
				return nil, err
			}
			return reCall(kind, p, []py.Object{a[1], nil, nil})
		}))
		PatternType.Dict[kind] = py.MustNewMethod(kind, func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			a, err := parseArgs(kind, args, kwargs, []string{"string", "pos", "endpos"}, 1)
			if err != nil {
				return nil, err
			}
			return reCall(kind, self.(*Pattern), a)
		}, 0, "")
	}
	subFn := func(name string, withCount bool) {
		call := func(p *Pattern, a []py.Object) (py.Object, error) {
			s, err := subjectArg(a[1])
			if err != nil {
				return nil, err
			}
			count, err := intArg(name, a[2], 0)
			if err != nil {
				return nil, err
			}
			out, n, err := p.sub(a[0], s, count)
			if err != nil {
				return nil, err
			}
			if withCount {
				return py.Tuple{py.String(out), py.Int(n)}, nil
			}
			return py.String(out), nil
		}
		ms = append(ms, fn(name, func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			a, err := parseArgs(name, args, kwargs, []string{"pattern", "repl", "string", "count", "flags"}, 3)
			if err != nil {
				return nil, err
			}
			p, err := patternArg(name, a[0], a[4])
			if err != nil {
				return nil, err
			}
			return call(p, a[1:4])
		}))
		PatternType.Dict[name] = py.MustNewMethod(name, func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			a, err := parseArgs(name, args, kwargs, []string{"repl", "string", "count"}, 2)
			if err != nil {
				return nil, err
			}
			return call(self.(*Pattern), a)
		}, 0, "")
	}
	subFn("sub", false)
	subFn("subn", true)
	ms = append(ms, fn("split", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		a, err := parseArgs("split", args, kwargs, []string{"pattern", "string", "maxsplit", "flags"}, 2)
		if err != nil {
			return nil, err
		}
		p, err := patternArg("split", a[0], a[3])
		if err != nil {
			return nil, err
		}
		s, err := subjectArg(a[1])
		if err != nil {
			return nil, err
		}
		max, err := intArg("split", a[2], 0)
		if err != nil {
			return nil, err
		}
		return p.split(s, max), nil
	}))
	PatternType.Dict["split"] = py.MustNewMethod("split", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		a, err := parseArgs("split", args, kwargs, []string{"string", "maxsplit"}, 1)
		if err != nil {
			return nil, err
		}
		s, err := subjectArg(a[0])
		if err != nil {
			return nil, err
		}
		max, err := intArg("split", a[1], 0)
		if err != nil {
			return nil, err
		}
		return self.(*Pattern).split(s, max), nil
	}, 0, "")
	ms = append(ms,
		fn("compile", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			a, err := parseArgs("compile", args, kwargs, []string{"pattern", "flags"}, 1)
			if err != nil {
				return nil, err
			}
			return patternArg("compile", a[0], a[1])
		}),
		fn("escape", func(self, o py.Object) (py.Object, error) {
			s, err := str("escape", o)
			if err != nil {
				return nil, err
			}
			var b strings.Builder
			for _, r := range s {
				if r < 128 && !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
					b.WriteByte('\\')
				}
				b.WriteRune(r)
			}
			return py.String(b.String()), nil
		}),
		fn("purge", func(self py.Object) (py.Object, error) {
			reCache.Lock()
			reCache.m = map[string]*Pattern{}
			reCache.Unlock()
			return py.None, nil
		}),
	)
	PatternType.Dict["pattern"] = &py.Property{Fget: func(self py.Object) (py.Object, error) { return py.String(self.(*Pattern).src), nil }}
	PatternType.Dict["flags"] = &py.Property{Fget: func(self py.Object) (py.Object, error) { return py.Int(self.(*Pattern).flags | reU), nil }}
	PatternType.Dict["groups"] = &py.Property{Fget: func(self py.Object) (py.Object, error) { return py.Int(self.(*Pattern).ngroups), nil }}
	PatternType.Dict["groupindex"] = &py.Property{Fget: func(self py.Object) (py.Object, error) {
		d := py.NewStringDict()
		for i, n := range self.(*Pattern).names {
			if n != "" {
				d[n] = py.Int(i)
			}
		}
		return d, nil
	}}
	registerMatch()
	g := py.StringDict{"error": ReError}
	for name, v := range map[string]int{"I": reI, "IGNORECASE": reI, "L": reL, "LOCALE": reL, "M": reM, "MULTILINE": reM,
		"S": reS, "DOTALL": reS, "U": reU, "UNICODE": reU, "X": reX, "VERBOSE": reX, "A": reA, "ASCII": reA} {
		g[name] = py.Int(v)
	}
	g["Pattern"] = PatternType
	g["Match"] = MatchType
	register("re", "Regular expressions on Go's regexp (no backreferences or lookaround).", ms, g)
}

func registerMatch() {
	methods(MatchType, map[string]interface{}{
		"group": func(self py.Object, args py.Tuple) (py.Object, error) {
			m := self.(*Match)
			if len(args) == 0 {
				return m.group(py.Int(0))
			}
			if len(args) == 1 {
				return m.group(args[0])
			}
			t := make(py.Tuple, len(args))
			for i, a := range args {
				v, err := m.group(a)
				if err != nil {
					return nil, err
				}
				t[i] = v
			}
			return t, nil
		},
		"groups": func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			a, err := parseArgs("groups", args, kwargs, []string{"default"}, 0)
			if err != nil {
				return nil, err
			}
			def := a[0]
			if def == nil {
				def = py.None
			}
			m := self.(*Match)
			t := make(py.Tuple, m.p.ngroups)
			for i := range t {
				v, _ := m.group(py.Int(i + 1))
				if v == py.None {
					v = def
				}
				t[i] = v
			}
			return t, nil
		},
		"groupdict": func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			a, err := parseArgs("groupdict", args, kwargs, []string{"default"}, 0)
			if err != nil {
				return nil, err
			}
			def := a[0]
			if def == nil {
				def = py.None
			}
			m := self.(*Match)
			d := py.NewStringDict()
			for i, n := range m.p.names {
				if n == "" {
					continue
				}
				v, _ := m.group(py.Int(i))
				if v == py.None {
					v = def
				}
				d[n] = v
			}
			return d, nil
		},
		"start": func(self py.Object, args py.Tuple) (py.Object, error) {
			m := self.(*Match)
			var g py.Object = py.Int(0)
			if len(args) > 0 {
				g = args[0]
			}
			i, err := m.groupIndex(g)
			if err != nil {
				return nil, err
			}
			return py.Int(cpIndex(m.s, m.idx[2*i])), nil
		},
		"end": func(self py.Object, args py.Tuple) (py.Object, error) {
			m := self.(*Match)
			var g py.Object = py.Int(0)
			if len(args) > 0 {
				g = args[0]
			}
			i, err := m.groupIndex(g)
			if err != nil {
				return nil, err
			}
			return py.Int(cpIndex(m.s, m.idx[2*i+1])), nil
		},
		"span": func(self py.Object, args py.Tuple) (py.Object, error) {
			m := self.(*Match)
			var g py.Object = py.Int(0)
			if len(args) > 0 {
				g = args[0]
			}
			i, err := m.groupIndex(g)
			if err != nil {
				return nil, err
			}
			return py.Tuple{py.Int(cpIndex(m.s, m.idx[2*i])), py.Int(cpIndex(m.s, m.idx[2*i+1]))}, nil
		},
		"expand": func(self, tmpl py.Object) (py.Object, error) {
			s, err := str("expand", tmpl)
			if err != nil {
				return nil, err
			}
			r, err := self.(*Match).expand(s)
			return py.String(r), err
		},
	})
	MatchType.Dict["string"] = &py.Property{Fget: func(self py.Object) (py.Object, error) { return py.String(self.(*Match).s), nil }}
	MatchType.Dict["re"] = &py.Property{Fget: func(self py.Object) (py.Object, error) { return self.(*Match).p, nil }}
	MatchType.Dict["pos"] = &py.Property{Fget: func(self py.Object) (py.Object, error) { return py.Int(self.(*Match).pos), nil }}
	MatchType.Dict["endpos"] = &py.Property{Fget: func(self py.Object) (py.Object, error) { return py.Int(self.(*Match).endpos), nil }}
	MatchType.Dict["lastindex"] = &py.Property{Fget: func(self py.Object) (py.Object, error) {
		m := self.(*Match)
		last, end := -1, -1
		for i := 1; i <= m.p.ngroups; i++ {
			if m.idx[2*i] >= 0 && m.idx[2*i+1] >= end {
				last, end = i, m.idx[2*i+1]
			}
		}
		if last < 0 {
			return py.None, nil
		}
		return py.Int(last), nil
	}}
}

// M__getitem__ is m[g].
func (m *Match) M__getitem__(key py.Object) (py.Object, error) { return m.group(key) }

// M__repr__ is CPython's <re.Match object; span=(0, 3), match='abc'>.
func (m *Match) M__repr__() (py.Object, error) {
	return py.String("<re.Match object; span=(" + strconv.Itoa(cpIndex(m.s, m.idx[0])) + ", " + strconv.Itoa(cpIndex(m.s, m.idx[1])) +
		"), match=" + shims.Quote(m.s[m.idx[0]:m.idx[1]]) + ">"), nil
}

// M__repr__ is re.compile('...').
func (p *Pattern) M__repr__() (py.Object, error) {
	return py.String("re.compile(" + shims.Quote(p.src) + ")"), nil
}

// M__bool__: a match is always true.
func (m *Match) M__bool__() (py.Object, error) { return py.True, nil }
