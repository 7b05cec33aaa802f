package pymod

import (
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/go-python/gpython/py"

	"github.com/gowsgi/gowsgi/runner/engine/gpython/shims"
)

// JSONDecodeError is json.JSONDecodeError, a ValueError.
var JSONDecodeError = shims.Subclass(py.ValueError, "JSONDecodeError", "Subclass of ValueError with the error position.")

type jsonEncoder struct {
	ensureASCII bool
	allowNaN    bool
	indent      string
	hasIndent   bool
	itemSep     string
	keySep      string
	defaultFn   py.Object
	b           strings.Builder
	depth       int
	active      map[uintptr]bool // the lists and dicts being encoded
	sortKeys    bool
}

// jsonQuote writes s as a JSON string.
func jsonQuote(b *strings.Builder, s string, ascii bool) {
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			switch {
			case r < 0x20 || (ascii && r > 0x7e):
				if r > 0xffff {
					r1, r2 := utf16.EncodeRune(r)
					b.WriteString(`\u` + hex4(r1) + `\u` + hex4(r2))
				} else {
					b.WriteString(`\u` + hex4(r))
				}
			default:
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
}

func hex4(r rune) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[r>>12&15], digits[r>>8&15], digits[r>>4&15], digits[r&15]})
}

func (e *jsonEncoder) newline() {
	if e.hasIndent {
		e.b.WriteByte('\n')
		e.b.WriteString(strings.Repeat(e.indent, e.depth))
	}
}

func (e *jsonEncoder) floatStr(f float64) (string, error) {
	switch {
	case math.IsNaN(f):
		if !e.allowNaN {
			return "", py.ExceptionNewf(py.ValueError, "Out of range float values are not JSON compliant")
		}
		return "NaN", nil
	case math.IsInf(f, 1):
		if !e.allowNaN {
			return "", py.ExceptionNewf(py.ValueError, "Out of range float values are not JSON compliant")
		}
		return "Infinity", nil
	case math.IsInf(f, -1):
		if !e.allowNaN {
			return "", py.ExceptionNewf(py.ValueError, "Out of range float values are not JSON compliant")
		}
		return "-Infinity", nil
	}
	return shims.FloatRepr(f), nil
}

func (e *jsonEncoder) encode(o py.Object) error {
	if e.depth > 500 {
		return py.ExceptionNewf(shims.RecursionError, "maximum recursion depth exceeded while encoding a JSON object")
	}
	switch x := o.(type) {
	case py.NoneType:
		e.b.WriteString("null")
	case py.Bool:
		if x {
			e.b.WriteString("true")
		} else {
			e.b.WriteString("false")
		}
	case py.Int:
		e.b.WriteString(strconv.FormatInt(int64(x), 10))
	case *py.BigInt:
		e.b.WriteString((*big.Int)(x).String())
	case py.Float:
		s, err := e.floatStr(float64(x))
		if err != nil {
			return err
		}
		e.b.WriteString(s)
	case py.String:
		jsonQuote(&e.b, string(x), e.ensureASCII)
	case *py.List:
		return e.nested(x, func() error { return e.array(x.Items) })
	case py.Tuple:
		return e.array(x)
	case *StructVal:
		return e.array(x.Items)
	case *DefaultDict:
		return e.encode(x.d)
	case *Deque:
		return e.nested(x, func() error { return e.array(x.items) })
	case py.StringDict:
		return e.nested(x, func() error { return e.dict(x) })
	case *shims.Dict:
		return e.nested(x, func() error { return e.odict(x) })
	default:
		if e.defaultFn != nil {
			e.depth++
			r, err := py.Call(e.defaultFn, py.Tuple{o}, nil)
			if err != nil {
				return err
			}
			err = e.encode(r)
			e.depth--
			return err
		}
		return py.ExceptionNewf(py.TypeError, "Object of type %s is not JSON serializable", shims.TypeName(o))
	}
	return nil
}

// nested encodes a list or dict, refusing one that contains itself
// (CPython's check_circular) rather than recursing until the depth limit.
func (e *jsonEncoder) nested(o py.Object, encode func() error) error {
	id := shims.ID(o)
	if e.active[id] {
		return py.ExceptionNewf(py.ValueError, "Circular reference detected")
	}
	if e.active == nil {
		e.active = map[uintptr]bool{}
	}
	e.active[id] = true
	err := encode()
	delete(e.active, id)
	return err
}

func (e *jsonEncoder) dict(x py.StringDict) error {
	keys := shims.SortedKeys(x)
	if len(keys) == 0 {
		e.b.WriteString("{}")
		return nil
	}
	e.b.WriteByte('{')
	e.depth++
	for i, k := range keys {
		if i > 0 {
			e.b.WriteString(e.itemSep)
		}
		e.newline()
		jsonQuote(&e.b, k, e.ensureASCII)
		e.b.WriteString(e.keySep)
		if err := e.encode(x[k]); err != nil {
			return err
		}
	}
	e.depth--
	e.newline()
	e.b.WriteByte('}')
	return nil
}

func (e *jsonEncoder) odict(x *shims.Dict) error {
	keys := x.Keys()
	if len(keys) == 0 {
		e.b.WriteString("{}")
		return nil
	}
	strs := make([]string, len(keys))
	for i, k := range keys {
		switch kk := k.(type) {
		case py.String:
			strs[i] = string(kk)
		case py.Bool:
			strs[i] = "false"
			if kk {
				strs[i] = "true"
			}
		case py.NoneType:
			strs[i] = "null"
		case py.Int, *py.BigInt, py.Float:
			s, err := shims.Repr(k)
			if err != nil {
				return err
			}
			strs[i] = s
		default:
			return py.ExceptionNewf(py.TypeError, "keys must be str, int, float, bool or None, not %s", shims.TypeName(k))
		}
	}
	order := make([]int, len(keys))
	for i := range order {
		order[i] = i
	}
	if e.sortKeys {
		sort.SliceStable(order, func(a, b int) bool { return strs[order[a]] < strs[order[b]] })
	}
	e.b.WriteByte('{')
	e.depth++
	for n, i := range order {
		if n > 0 {
			e.b.WriteString(e.itemSep)
		}
		e.newline()
		jsonQuote(&e.b, strs[i], e.ensureASCII)
		e.b.WriteString(e.keySep)
		v, _, err := x.Get(keys[i])
		if err != nil {
			return err
		}
		if err := e.encode(v); err != nil {
			return err
		}
	}
	e.depth--
	e.newline()
	e.b.WriteByte('}')
	return nil
}

func (e *jsonEncoder) array(items []py.Object) error {
	if len(items) == 0 {
		e.b.WriteString("[]")
		return nil
	}
	e.b.WriteByte('[')
	e.depth++
	for i, it := range items {
		if i > 0 {
			e.b.WriteString(e.itemSep)
		}
		e.newline()
		if err := e.encode(it); err != nil {
			return err
		}
	}
	e.depth--
	e.newline()
	e.b.WriteByte(']')
	return nil
}

var dumpsNames = []string{"obj", "skipkeys", "ensure_ascii", "check_circular", "allow_nan", "cls", "indent", "separators", "default", "sort_keys"}

func jsonDumps(args py.Tuple, kwargs py.StringDict) (string, error) {
	a, err := parseArgs("dumps", args, kwargs, dumpsNames, 1)
	if err != nil {
		return "", err
	}
	e := &jsonEncoder{ensureASCII: true, allowNaN: true, itemSep: ", ", keySep: ": "}
	if e.ensureASCII, err = truth(a[2], true); err != nil {
		return "", err
	}
	if e.allowNaN, err = truth(a[4], true); err != nil {
		return "", err
	}
	if a[5] != nil && a[5] != py.None {
		return "", py.ExceptionNewf(py.NotImplementedError, "json.dumps(cls=...) is not supported by gowsgi's gpython engine; use default=")
	}
	switch ind := a[6].(type) {
	case nil, py.NoneType:
	case py.Int:
		e.hasIndent, e.indent, e.itemSep = true, strings.Repeat(" ", int(ind)), ","
	case py.String:
		e.hasIndent, e.indent, e.itemSep = true, string(ind), ","
	default:
		return "", py.ExceptionNewf(py.TypeError, "indent must be None, an int or a str")
	}
	if a[7] != nil && a[7] != py.None {
		seps, err := shims.ToList(a[7])
		if err != nil || len(seps) != 2 {
			return "", py.ExceptionNewf(py.ValueError, "separators must be a (item_separator, key_separator) pair")
		}
		is, ok1 := seps[0].(py.String)
		ks, ok2 := seps[1].(py.String)
		if !ok1 || !ok2 {
			return "", py.ExceptionNewf(py.TypeError, "separators must be strings")
		}
		e.itemSep, e.keySep = string(is), string(ks)
	}
	if a[8] != nil && a[8] != py.None {
		e.defaultFn = a[8]
	}
	// sort_keys (a[9]); gpython's own StringDict (globals, vars()) has no
	// order and is always written sorted.
	if e.sortKeys, err = truth(a[9], false); err != nil {
		return "", err
	}
	if err := e.encode(a[0]); err != nil {
		return "", err
	}
	return e.b.String(), nil
}

type jsonDecoder struct {
	s   string
	pos int
}

func (d *jsonDecoder) errorf(msg string, pos int) error {
	line := strings.Count(d.s[:pos], "\n") + 1
	col := pos - strings.LastIndexByte(d.s[:pos], '\n')
	cpos := utf8.RuneCountInString(d.s[:pos])
	e := py.ExceptionNewf(JSONDecodeError, "%s: line %d column %d (char %d)", msg, line, col, cpos)
	e.Dict["msg"] = py.String(msg)
	e.Dict["pos"] = py.Int(cpos)
	e.Dict["lineno"] = py.Int(line)
	e.Dict["colno"] = py.Int(col)
	return e
}

func (d *jsonDecoder) ws() {
	for d.pos < len(d.s) {
		switch d.s[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

func (d *jsonDecoder) value() (py.Object, error) {
	d.ws()
	if d.pos >= len(d.s) {
		return nil, d.errorf("Expecting value", d.pos)
	}
	c := d.s[d.pos]
	switch {
	case c == '{':
		return d.object()
	case c == '[':
		return d.array()
	case c == '"':
		s, err := d.str()
		if err != nil {
			return nil, err
		}
		return py.String(s), nil
	case strings.HasPrefix(d.s[d.pos:], "null"):
		d.pos += 4
		return py.None, nil
	case strings.HasPrefix(d.s[d.pos:], "true"):
		d.pos += 4
		return py.True, nil
	case strings.HasPrefix(d.s[d.pos:], "false"):
		d.pos += 5
		return py.False, nil
	case strings.HasPrefix(d.s[d.pos:], "NaN"):
		d.pos += 3
		return py.Float(math.NaN()), nil
	case strings.HasPrefix(d.s[d.pos:], "Infinity"):
		d.pos += 8
		return py.Float(math.Inf(1)), nil
	case strings.HasPrefix(d.s[d.pos:], "-Infinity"):
		d.pos += 9
		return py.Float(math.Inf(-1)), nil
	case c == '-' || (c >= '0' && c <= '9'):
		return d.number()
	}
	return nil, d.errorf("Expecting value", d.pos)
}

func (d *jsonDecoder) number() (py.Object, error) {
	start := d.pos
	if d.s[d.pos] == '-' {
		d.pos++
	}
	digits := func() int {
		n := 0
		for d.pos < len(d.s) && d.s[d.pos] >= '0' && d.s[d.pos] <= '9' {
			d.pos++
			n++
		}
		return n
	}
	if d.pos < len(d.s) && d.s[d.pos] == '0' {
		d.pos++
	} else if digits() == 0 {
		return nil, d.errorf("Expecting value", start)
	}
	isFloat := false
	if d.pos+1 < len(d.s) && d.s[d.pos] == '.' && d.s[d.pos+1] >= '0' && d.s[d.pos+1] <= '9' {
		d.pos++
		digits()
		isFloat = true
	}
	if d.pos < len(d.s) && (d.s[d.pos] == 'e' || d.s[d.pos] == 'E') {
		save := d.pos
		d.pos++
		if d.pos < len(d.s) && (d.s[d.pos] == '+' || d.s[d.pos] == '-') {
			d.pos++
		}
		if digits() == 0 {
			d.pos = save
		} else {
			isFloat = true
		}
	}
	text := d.s[start:d.pos]
	if isFloat {
		f, err := strconv.ParseFloat(text, 64)
		if err != nil && !strings.Contains(err.Error(), "range") {
			return nil, d.errorf("Expecting value", start)
		}
		return py.Float(f), nil
	}
	if i, err := strconv.ParseInt(text, 10, 64); err == nil {
		return py.Int(i), nil
	}
	bi, _ := new(big.Int).SetString(text, 10)
	return (*py.BigInt)(bi), nil
}

func (d *jsonDecoder) str() (string, error) {
	start := d.pos
	d.pos++
	var b strings.Builder
	for {
		if d.pos >= len(d.s) {
			return "", d.errorf("Unterminated string starting at", start)
		}
		c := d.s[d.pos]
		switch {
		case c == '"':
			d.pos++
			return b.String(), nil
		case c == '\\':
			if d.pos+1 >= len(d.s) {
				return "", d.errorf("Unterminated string starting at", start)
			}
			esc := d.s[d.pos+1]
			d.pos += 2
			switch esc {
			case '"', '\\', '/':
				b.WriteByte(esc)
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				r, ok := d.hex4()
				if !ok {
					return "", d.errorf("Invalid \\uXXXX escape", d.pos-1)
				}
				if utf16.IsSurrogate(r) && strings.HasPrefix(d.s[d.pos:], `\u`) {
					save := d.pos
					d.pos += 2
					r2, ok := d.hex4()
					if ok {
						if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
							b.WriteRune(dec)
							continue
						}
					}
					d.pos = save
				}
				b.WriteRune(r)
			default:
				return "", d.errorf("Invalid \\escape", d.pos-2)
			}
		case c < 0x20:
			return "", d.errorf("Invalid control character at", d.pos)
		default:
			b.WriteByte(c)
			d.pos++
		}
	}
}

func (d *jsonDecoder) hex4() (rune, bool) {
	if d.pos+4 > len(d.s) {
		return 0, false
	}
	v, err := strconv.ParseUint(d.s[d.pos:d.pos+4], 16, 32)
	if err != nil {
		return 0, false
	}
	d.pos += 4
	return rune(v), true
}

func (d *jsonDecoder) object() (py.Object, error) {
	d.pos++
	out := shims.NewDict()
	d.ws()
	if d.pos < len(d.s) && d.s[d.pos] == '}' {
		d.pos++
		return out, nil
	}
	for {
		d.ws()
		if d.pos >= len(d.s) || d.s[d.pos] != '"' {
			return nil, d.errorf("Expecting property name enclosed in double quotes", d.pos)
		}
		k, err := d.str()
		if err != nil {
			return nil, err
		}
		d.ws()
		if d.pos >= len(d.s) || d.s[d.pos] != ':' {
			return nil, d.errorf("Expecting ':' delimiter", d.pos)
		}
		d.pos++
		v, err := d.value()
		if err != nil {
			return nil, err
		}
		out.SetStr(k, v)
		d.ws()
		if d.pos < len(d.s) && d.s[d.pos] == ',' {
			d.pos++
			continue
		}
		if d.pos < len(d.s) && d.s[d.pos] == '}' {
			d.pos++
			return out, nil
		}
		return nil, d.errorf("Expecting ',' delimiter", d.pos)
	}
}

func (d *jsonDecoder) array() (py.Object, error) {
	d.pos++
	l := py.NewList()
	d.ws()
	if d.pos < len(d.s) && d.s[d.pos] == ']' {
		d.pos++
		return l, nil
	}
	for {
		v, err := d.value()
		if err != nil {
			return nil, err
		}
		l.Append(v)
		d.ws()
		if d.pos < len(d.s) && d.s[d.pos] == ',' {
			d.pos++
			continue
		}
		if d.pos < len(d.s) && d.s[d.pos] == ']' {
			d.pos++
			return l, nil
		}
		return nil, d.errorf("Expecting ',' delimiter", d.pos)
	}
}

// JSONLoads parses a JSON document.
func JSONLoads(o py.Object) (py.Object, error) {
	var s string
	switch x := o.(type) {
	case py.String:
		s = string(x)
		if strings.HasPrefix(s, "\ufeff") {
			d := &jsonDecoder{s: s}
			return nil, d.errorf("Unexpected UTF-8 BOM (decode using utf-8-sig)", 0)
		}
	case py.Bytes:
		str, err := shims.Decode(x, "utf-8", "strict")
		if err != nil {
			return nil, err
		}
		s = strings.TrimPrefix(str, "\ufeff")
	default:
		return nil, py.ExceptionNewf(py.TypeError, "the JSON object must be str, bytes or bytearray, not %s", shims.TypeName(o))
	}
	d := &jsonDecoder{s: s}
	v, err := d.value()
	if err != nil {
		return nil, err
	}
	d.ws()
	if d.pos != len(d.s) {
		return nil, d.errorf("Extra data", d.pos)
	}
	return v, nil
}

func registerJSON() {
	register("json", "JSON encoder and decoder (Go implementation).", []*py.Method{
		fn("dumps", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			s, err := jsonDumps(args, kwargs)
			return py.String(s), err
		}),
		fn("dump", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			if len(args) < 2 {
				return nil, py.ExceptionNewf(py.TypeError, "dump() missing required argument 'fp'")
			}
			fp := args[1]
			s, err := jsonDumps(append(py.Tuple{args[0]}, args[2:]...), kwargs)
			if err != nil {
				return nil, err
			}
			w, err := py.GetAttrString(fp, "write")
			if err != nil {
				return nil, err
			}
			_, err = py.Call(w, py.Tuple{py.String(s)}, nil)
			return py.None, err
		}),
		fn("loads", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			if len(args) != 1 {
				return nil, py.ExceptionNewf(py.TypeError, "loads() takes exactly 1 positional argument")
			}
			for k := range kwargs {
				if k != "encoding" && k != "strict" {
					return nil, py.ExceptionNewf(py.NotImplementedError, "json.loads(%s=...) is not supported by gowsgi's gpython engine", k)
				}
			}
			return JSONLoads(args[0])
		}),
		fn("load", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			if len(args) != 1 {
				return nil, py.ExceptionNewf(py.TypeError, "load() takes exactly 1 positional argument")
			}
			r, err := py.GetAttrString(args[0], "read")
			if err != nil {
				return nil, err
			}
			s, err := py.Call(r, nil, nil)
			if err != nil {
				return nil, err
			}
			return JSONLoads(s)
		}),
	}, py.StringDict{"JSONDecodeError": JSONDecodeError})
}
