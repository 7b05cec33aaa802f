package shims

import (
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-python/gpython/py"
)

// PercentFormat implements str % values the way CPython does (gpython's
// own maps it onto Go's fmt, which prints Go syntax for None, lists and
// objects and does not know %(name)s).
func PercentFormat(format string, values py.Object) (string, error) {
	var args py.Tuple
	var mapping py.Object
	switch v := values.(type) {
	case py.Tuple:
		args = v
	case py.StringDict, *Dict:
		mapping = v
		args = py.Tuple{v}
	default:
		if IsInstanceObj(v) && lookupMRO(v.Type(), "__getitem__") != nil {
			mapping = v
		}
		args = py.Tuple{v}
	}
	argi := 0
	usedMapping := false
	next := func() (py.Object, error) {
		if argi >= len(args) {
			return nil, py.ExceptionNewf(py.TypeError, "not enough arguments for format string")
		}
		a := args[argi]
		argi++
		return a, nil
	}
	var b strings.Builder
	n := len(format)
	for i := 0; i < n; {
		c := format[i]
		if c != '%' {
			j := strings.IndexByte(format[i:], '%')
			if j < 0 {
				b.WriteString(format[i:])
				break
			}
			b.WriteString(format[i : i+j])
			i += j
			continue
		}
		i++
		if i >= n {
			return "", py.ExceptionNewf(py.ValueError, "incomplete format")
		}
		var val py.Object
		haveVal := false
		if format[i] == '(' {
			if mapping == nil {
				return "", py.ExceptionNewf(py.TypeError, "format requires a mapping")
			}
			depth := 1
			j := i + 1
			for ; j < n && depth > 0; j++ {
				if format[j] == '(' {
					depth++
				} else if format[j] == ')' {
					depth--
				}
			}
			if depth > 0 {
				return "", py.ExceptionNewf(py.ValueError, "incomplete format key")
			}
			key := format[i+1 : j-1]
			v, err := py.GetItem(mapping, py.String(key))
			if err != nil {
				return "", err
			}
			val, haveVal, usedMapping = v, true, true
			i = j
		}
		var flags struct{ left, zero, plus, space, alt bool }
	flagLoop:
		for i < n {
			switch format[i] {
			case '-':
				flags.left = true
			case '0':
				flags.zero = true
			case '+':
				flags.plus = true
			case ' ':
				flags.space = true
			case '#':
				flags.alt = true
			default:
				break flagLoop
			}
			i++
		}
		width := -1
		if i < n && format[i] == '*' {
			w, err := next()
			if err != nil {
				return "", err
			}
			wi, ok := w.(py.Int)
			if !ok {
				return "", py.ExceptionNewf(py.TypeError, "* wants int")
			}
			width = int(wi)
			if width < 0 {
				flags.left = true
				width = -width
			}
			i++
		} else {
			start := i
			for i < n && format[i] >= '0' && format[i] <= '9' {
				i++
			}
			if i > start {
				width, _ = strconv.Atoi(format[start:i])
			}
		}
		prec := -1
		if i < n && format[i] == '.' {
			i++
			if i < n && format[i] == '*' {
				p, err := next()
				if err != nil {
					return "", err
				}
				pi, ok := p.(py.Int)
				if !ok {
					return "", py.ExceptionNewf(py.TypeError, "* wants int")
				}
				prec = int(pi)
				i++
			} else {
				start := i
				for i < n && format[i] >= '0' && format[i] <= '9' {
					i++
				}
				prec, _ = strconv.Atoi(format[start:i])
			}
		}
		for i < n && (format[i] == 'h' || format[i] == 'l' || format[i] == 'L') {
			i++
		}
		if i >= n {
			return "", py.ExceptionNewf(py.ValueError, "incomplete format")
		}
		conv := format[i]
		i++
		if conv == '%' {
			b.WriteByte('%')
			continue
		}
		if !haveVal {
			v, err := next()
			if err != nil {
				return "", err
			}
			val = v
		}
		var body, sign string
		numeric := false
		switch conv {
		case 's', 'r', 'a':
			var s string
			var err error
			switch conv {
			case 's':
				s, err = Str(val)
			case 'r':
				s, err = Repr(val)
			default:
				s, err = Repr(val)
				s = ASCII(s)
			}
			if err != nil {
				return "", err
			}
			if prec >= 0 && utf8.RuneCountInString(s) > prec {
				s = string([]rune(s)[:prec])
			}
			body = s
		case 'd', 'i', 'u', 'o', 'x', 'X':
			numeric = true
			bi, err := toBigIntForFormat(val, conv)
			if err != nil {
				return "", err
			}
			neg := bi.Sign() < 0
			abs := new(big.Int).Abs(bi)
			switch conv {
			case 'o':
				body = abs.Text(8)
				if flags.alt {
					body = "0o" + body
				}
			case 'x':
				body = abs.Text(16)
				if flags.alt {
					body = "0x" + body
				}
			case 'X':
				body = strings.ToUpper(abs.Text(16))
				if flags.alt {
					body = "0X" + body
				}
			default:
				body = abs.Text(10)
			}
			if prec >= 0 && len(body) < prec {
				body = strings.Repeat("0", prec-len(body)) + body
			}
			sign = signOf(neg, flags.plus, flags.space)
		case 'e', 'E', 'f', 'F', 'g', 'G':
			numeric = true
			f, err := toFloatForFormat(val, conv)
			if err != nil {
				return "", err
			}
			if prec < 0 {
				prec = 6
			}
			neg := math.Signbit(f) && !math.IsNaN(f)
			body = formatFloatC(math.Abs(f), conv, prec, flags.alt)
			sign = signOf(neg, flags.plus, flags.space)
		case 'c':
			switch v := val.(type) {
			case py.Int:
				if v < 0 || v > 0x10ffff {
					return "", py.ExceptionNewf(py.OverflowError, "%%c arg not in range(0x110000)")
				}
				body = string(rune(v))
			case py.String:
				if utf8.RuneCountInString(string(v)) != 1 {
					return "", py.ExceptionNewf(py.TypeError, "%%c requires int or char")
				}
				body = string(v)
			default:
				return "", py.ExceptionNewf(py.TypeError, "%%c requires int or char")
			}
		default:
			return "", py.ExceptionNewf(py.ValueError, "unsupported format character '%c' (0x%x) at index %d", conv, conv, i-1)
		}
		l := utf8.RuneCountInString(sign) + utf8.RuneCountInString(body)
		switch {
		case width <= l:
			b.WriteString(sign)
			b.WriteString(body)
		case flags.left:
			b.WriteString(sign)
			b.WriteString(body)
			b.WriteString(strings.Repeat(" ", width-l))
		case flags.zero && numeric:
			b.WriteString(sign)
			if conv == 'x' || conv == 'X' || conv == 'o' {
				if flags.alt && len(body) > 2 {
					b.WriteString(body[:2])
					body = body[2:]
				}
			}
			b.WriteString(strings.Repeat("0", width-l))
			b.WriteString(body)
		default:
			b.WriteString(strings.Repeat(" ", width-l))
			b.WriteString(sign)
			b.WriteString(body)
		}
	}
	if argi < len(args) && !usedMapping && mapping == nil {
		return "", py.ExceptionNewf(py.TypeError, "not all arguments converted during string formatting")
	}
	return b.String(), nil
}

func signOf(neg, plus, space bool) string {
	switch {
	case neg:
		return "-"
	case plus:
		return "+"
	case space:
		return " "
	}
	return ""
}

func toBigIntForFormat(v py.Object, conv byte) (*big.Int, error) {
	switch x := v.(type) {
	case py.Int:
		return big.NewInt(int64(x)), nil
	case py.Bool:
		if x {
			return big.NewInt(1), nil
		}
		return big.NewInt(0), nil
	case *py.BigInt:
		return (*big.Int)(x), nil
	case py.Float:
		if conv == 'd' || conv == 'i' || conv == 'u' {
			if math.IsInf(float64(x), 0) || math.IsNaN(float64(x)) {
				return nil, py.ExceptionNewf(py.OverflowError, "cannot convert float infinity to integer")
			}
			bf := new(big.Float).SetFloat64(math.Trunc(float64(x)))
			bi, _ := bf.Int(nil)
			return bi, nil
		}
		return nil, py.ExceptionNewf(py.TypeError, "%%%c format: an integer is required, not float", conv)
	}
	if conv == 'd' || conv == 'i' || conv == 'u' {
		return nil, py.ExceptionNewf(py.TypeError, "%%%c format: a real number is required, not %s", conv, TypeName(v))
	}
	return nil, py.ExceptionNewf(py.TypeError, "%%%c format: an integer is required, not %s", conv, TypeName(v))
}

func toFloatForFormat(v py.Object, conv byte) (float64, error) {
	switch x := v.(type) {
	case py.Float:
		return float64(x), nil
	case py.Int:
		return float64(x), nil
	case py.Bool:
		if x {
			return 1, nil
		}
		return 0, nil
	case *py.BigInt:
		f, _ := new(big.Float).SetInt((*big.Int)(x)).Float64()
		return f, nil
	}
	return 0, py.ExceptionNewf(py.TypeError, "must be real number, not %s", TypeName(v))
}

// formatFloatC formats a non-negative f like C's printf %e/%f/%g.
func formatFloatC(f float64, conv byte, prec int, alt bool) string {
	upper := conv == 'E' || conv == 'F' || conv == 'G'
	if math.IsInf(f, 0) {
		if upper {
			return "INF"
		}
		return "inf"
	}
	if math.IsNaN(f) {
		if upper {
			return "NAN"
		}
		return "nan"
	}
	var s string
	switch conv {
	case 'e', 'E':
		s = strconv.FormatFloat(f, 'e', prec, 64)
	case 'f', 'F':
		s = strconv.FormatFloat(f, 'f', prec, 64)
	case 'g', 'G':
		if prec == 0 {
			prec = 1
		}
		s = strconv.FormatFloat(f, 'g', prec, 64)
		if alt && !strings.Contains(s, ".") {
			// keep it simple: '#' asks for a decimal point
			if i := strings.IndexByte(s, 'e'); i >= 0 {
				s = s[:i] + "." + s[i:]
			} else {
				s += "."
			}
		}
	}
	if upper {
		s = strings.ToUpper(s)
	}
	return s
}

// formatSpec is a parsed format-spec mini-language string.
type formatSpec struct {
	fill     rune
	align    byte // '<', '>', '^', '=' or 0
	sign     byte // '+', '-', ' ' or 0
	alt      bool
	zero     bool
	width    int
	grouping byte // ',' or '_' or 0
	prec     int  // -1 if absent
	typ      byte // 0 if absent
}

func parseSpec(spec string) (formatSpec, error) {
	fs := formatSpec{fill: ' ', prec: -1, width: -1}
	r := []rune(spec)
	i := 0
	isAlign := func(c rune) bool { return c == '<' || c == '>' || c == '^' || c == '=' }
	if len(r) >= 2 && isAlign(r[1]) {
		fs.fill, fs.align = r[0], byte(r[1])
		i = 2
	} else if len(r) >= 1 && isAlign(r[0]) {
		fs.align = byte(r[0])
		i = 1
	}
	if i < len(r) && (r[i] == '+' || r[i] == '-' || r[i] == ' ') {
		fs.sign = byte(r[i])
		i++
	}
	if i < len(r) && r[i] == '#' {
		fs.alt = true
		i++
	}
	if i < len(r) && r[i] == '0' {
		fs.zero = true
		i++
	}
	start := i
	for i < len(r) && r[i] >= '0' && r[i] <= '9' {
		i++
	}
	if i > start {
		fs.width, _ = strconv.Atoi(string(r[start:i]))
	}
	if i < len(r) && (r[i] == ',' || r[i] == '_') {
		fs.grouping = byte(r[i])
		i++
	}
	if i < len(r) && r[i] == '.' {
		i++
		start = i
		for i < len(r) && r[i] >= '0' && r[i] <= '9' {
			i++
		}
		if i == start {
			return fs, py.ExceptionNewf(py.ValueError, "Format specifier missing precision")
		}
		fs.prec, _ = strconv.Atoi(string(r[start:i]))
	}
	if i < len(r) {
		fs.typ = byte(r[i])
		i++
	}
	if i < len(r) {
		return fs, py.ExceptionNewf(py.ValueError, "Invalid format specifier")
	}
	return fs, nil
}

// FormatValue is format(value, spec).
func FormatValue(v py.Object, spec string) (string, error) {
	if r, ok, err := callMethod(v, "__format__", py.String(spec)); ok {
		if err != nil {
			return "", err
		}
		return strOf(r)
	}
	fs, err := parseSpec(spec)
	if err != nil {
		return "", err
	}
	switch x := v.(type) {
	case py.Bool:
		if fs.typ == 0 || fs.typ == 's' {
			s := "False"
			if x {
				s = "True"
			}
			return pad(s, fs, '<'), nil
		}
		if x {
			return formatInt(big.NewInt(1), fs)
		}
		return formatInt(big.NewInt(0), fs)
	case py.Int:
		return formatIntOrFloat(big.NewInt(int64(x)), float64(x), fs)
	case *py.BigInt:
		f, _ := new(big.Float).SetInt((*big.Int)(x)).Float64()
		return formatIntOrFloat((*big.Int)(x), f, fs)
	case py.Float:
		return formatFloat(float64(x), fs)
	case py.String:
		if fs.typ != 0 && fs.typ != 's' {
			return "", py.ExceptionNewf(py.ValueError, "Unknown format code '%c' for object of type 'str'", fs.typ)
		}
		s := string(x)
		if fs.prec >= 0 && utf8.RuneCountInString(s) > fs.prec {
			s = string([]rune(s)[:fs.prec])
		}
		return pad(s, fs, '<'), nil
	}
	if spec != "" {
		return "", py.ExceptionNewf(py.TypeError, "unsupported format string passed to %s.__format__", TypeName(v))
	}
	return Str(v)
}

func formatIntOrFloat(bi *big.Int, f float64, fs formatSpec) (string, error) {
	switch fs.typ {
	case 'e', 'E', 'f', 'F', 'g', 'G', '%':
		return formatFloat(f, fs)
	}
	return formatInt(bi, fs)
}

func formatInt(bi *big.Int, fs formatSpec) (string, error) {
	if fs.prec >= 0 {
		return "", py.ExceptionNewf(py.ValueError, "Precision not allowed in integer format specifier")
	}
	neg := bi.Sign() < 0
	abs := new(big.Int).Abs(bi)
	var digits, prefix string
	switch fs.typ {
	case 0, 'd', 'n':
		digits = abs.Text(10)
	case 'b':
		digits, prefix = abs.Text(2), "0b"
	case 'o':
		digits, prefix = abs.Text(8), "0o"
	case 'x':
		digits, prefix = abs.Text(16), "0x"
	case 'X':
		digits, prefix = strings.ToUpper(abs.Text(16)), "0X"
	case 'c':
		return pad(string(rune(bi.Int64())), fs, '<'), nil
	default:
		return "", py.ExceptionNewf(py.ValueError, "Unknown format code '%c' for object of type 'int'", fs.typ)
	}
	if !fs.alt {
		prefix = ""
	}
	if fs.grouping != 0 {
		every := 3
		if fs.typ == 'b' || fs.typ == 'o' || fs.typ == 'x' || fs.typ == 'X' {
			every = 4
		}
		digits = group(digits, every, fs.grouping)
	}
	sign := ""
	switch {
	case neg:
		sign = "-"
	case fs.sign == '+':
		sign = "+"
	case fs.sign == ' ':
		sign = " "
	}
	return padNumber(sign+prefix, digits, fs), nil
}

func group(digits string, every int, sep byte) string {
	if len(digits) <= every {
		return digits
	}
	var b strings.Builder
	first := len(digits) % every
	if first > 0 {
		b.WriteString(digits[:first])
	}
	for i := first; i < len(digits); i += every {
		if b.Len() > 0 {
			b.WriteByte(sep)
		}
		b.WriteString(digits[i : i+every])
	}
	return b.String()
}

func formatFloat(f float64, fs formatSpec) (string, error) {
	neg := math.Signbit(f) && !math.IsNaN(f)
	a := math.Abs(f)
	var body string
	switch fs.typ {
	case 0:
		if fs.prec < 0 {
			body = FloatRepr(a)
		} else {
			p := fs.prec
			if p == 0 {
				p = 1
			}
			body = strconv.FormatFloat(a, 'g', p, 64)
			if !math.IsInf(a, 0) && !math.IsNaN(a) && !strings.ContainsAny(body, ".e") {
				body += ".0"
			}
		}
	case 'e', 'E', 'f', 'F', 'g', 'G':
		p := fs.prec
		if p < 0 {
			p = 6
		}
		body = formatFloatC(a, fs.typ, p, fs.alt)
	case '%':
		p := fs.prec
		if p < 0 {
			p = 6
		}
		body = formatFloatC(a*100, 'f', p, fs.alt) + "%"
	case 'n':
		p := fs.prec
		if p < 0 {
			p = 6
		}
		body = formatFloatC(a, 'g', p, fs.alt)
	default:
		return "", py.ExceptionNewf(py.ValueError, "Unknown format code '%c' for object of type 'float'", fs.typ)
	}
	if fs.grouping != 0 {
		intPart, rest := body, ""
		if i := strings.IndexAny(body, ".e%"); i >= 0 {
			intPart, rest = body[:i], body[i:]
		}
		body = group(intPart, 3, fs.grouping) + rest
	}
	sign := ""
	switch {
	case neg:
		sign = "-"
	case fs.sign == '+':
		sign = "+"
	case fs.sign == ' ':
		sign = " "
	}
	return padNumber(sign, body, fs), nil
}

func padNumber(prefix, body string, fs formatSpec) string {
	if fs.zero && fs.align == 0 {
		fs.align = '='
		if fs.fill == ' ' {
			fs.fill = '0'
		}
	}
	if fs.align == '=' {
		l := utf8.RuneCountInString(prefix) + utf8.RuneCountInString(body)
		if fs.width > l {
			return prefix + strings.Repeat(string(fs.fill), fs.width-l) + body
		}
		return prefix + body
	}
	return pad(prefix+body, fs, '>')
}

func pad(s string, fs formatSpec, defAlign byte) string {
	l := utf8.RuneCountInString(s)
	if fs.width <= l {
		return s
	}
	align := fs.align
	if align == 0 {
		align = defAlign
	}
	fill := string(fs.fill)
	n := fs.width - l
	switch align {
	case '<':
		return s + strings.Repeat(fill, n)
	case '^':
		left := n / 2
		return strings.Repeat(fill, left) + s + strings.Repeat(fill, n-left)
	default:
		return strings.Repeat(fill, n) + s
	}
}

// StrFormat implements str.format(*args, **kwargs).
func StrFormat(format string, args py.Tuple, kwargs py.StringDict) (string, error) {
	auto := 0
	manual := false
	return strFormat(format, args, kwargs, &auto, &manual, 0)
}

func strFormat(format string, args py.Tuple, kwargs py.StringDict, auto *int, manual *bool, depth int) (string, error) {
	if depth > 2 {
		return "", py.ExceptionNewf(py.ValueError, "Max string recursion exceeded")
	}
	var b strings.Builder
	n := len(format)
	for i := 0; i < n; {
		c := format[i]
		if c == '}' {
			if i+1 < n && format[i+1] == '}' {
				b.WriteByte('}')
				i += 2
				continue
			}
			return "", py.ExceptionNewf(py.ValueError, "Single '}' encountered in format string")
		}
		if c != '{' {
			b.WriteByte(c)
			i++
			continue
		}
		if i+1 < n && format[i+1] == '{' {
			b.WriteByte('{')
			i += 2
			continue
		}
		// find the matching '}'
		depthB := 1
		j := i + 1
		for ; j < n; j++ {
			if format[j] == '{' {
				depthB++
			} else if format[j] == '}' {
				depthB--
				if depthB == 0 {
					break
				}
			}
		}
		if j >= n {
			return "", py.ExceptionNewf(py.ValueError, "Single '{' encountered in format string")
		}
		field := format[i+1 : j]
		i = j + 1
		var conv byte
		spec := ""
		// split field: name[!conv][:spec]
		name := field
		if k := strings.IndexAny(field, "!:"); k >= 0 {
			name = field[:k]
			rest := field[k:]
			if rest[0] == '!' {
				if len(rest) < 2 {
					return "", py.ExceptionNewf(py.ValueError, "end of string while looking for conversion specifier")
				}
				conv = rest[1]
				rest = rest[2:]
				if rest != "" && rest[0] != ':' {
					return "", py.ExceptionNewf(py.ValueError, "expected ':' after conversion specifier")
				}
			}
			if rest != "" && rest[0] == ':' {
				spec = rest[1:]
			}
		}
		v, err := lookupField(name, args, kwargs, auto, manual)
		if err != nil {
			return "", err
		}
		switch conv {
		case 0:
		case 'r', 'a':
			s, err := Repr(v)
			if err != nil {
				return "", err
			}
			if conv == 'a' {
				s = ASCII(s)
			}
			v = py.String(s)
		case 's':
			s, err := Str(v)
			if err != nil {
				return "", err
			}
			v = py.String(s)
		default:
			return "", py.ExceptionNewf(py.ValueError, "Unknown conversion specifier %c", conv)
		}
		if strings.Contains(spec, "{") {
			spec, err = strFormat(spec, args, kwargs, auto, manual, depth+1)
			if err != nil {
				return "", err
			}
		}
		s, err := FormatValue(v, spec)
		if err != nil {
			return "", err
		}
		b.WriteString(s)
	}
	return b.String(), nil
}

func lookupField(name string, args py.Tuple, kwargs py.StringDict, auto *int, manual *bool) (py.Object, error) {
	first := name
	rest := ""
	if k := strings.IndexAny(name, ".["); k >= 0 {
		first, rest = name[:k], name[k:]
	}
	var v py.Object
	if first == "" {
		if *manual {
			return nil, py.ExceptionNewf(py.ValueError, "cannot switch from manual field specification to automatic field numbering")
		}
		if *auto >= len(args) {
			return nil, py.ExceptionNewf(py.IndexError, "Replacement index %d out of range for positional args tuple", *auto)
		}
		v = args[*auto]
		*auto++
	} else if idx, err := strconv.Atoi(first); err == nil {
		if *auto > 0 {
			return nil, py.ExceptionNewf(py.ValueError, "cannot switch from automatic field numbering to manual field specification")
		}
		*manual = true
		if idx >= len(args) {
			return nil, py.ExceptionNewf(py.IndexError, "Replacement index %d out of range for positional args tuple", idx)
		}
		v = args[idx]
	} else {
		var ok bool
		v, ok = kwargs[first]
		if !ok {
			return nil, KeyError(py.String(first))
		}
	}
	for rest != "" {
		if rest[0] == '.' {
			k := strings.IndexAny(rest[1:], ".[")
			attr := rest[1:]
			if k >= 0 {
				attr, rest = rest[1:k+1], rest[k+1:]
			} else {
				rest = ""
			}
			var err error
			v, err = GetAttr(v, attr)
			if err != nil {
				return nil, err
			}
		} else if rest[0] == '[' {
			k := strings.IndexByte(rest, ']')
			if k < 0 {
				return nil, py.ExceptionNewf(py.ValueError, "Missing ']' in format string")
			}
			key := rest[1:k]
			rest = rest[k+1:]
			var kobj py.Object = py.String(key)
			if ki, err := strconv.Atoi(key); err == nil {
				kobj = py.Int(ki)
			}
			var err error
			v, err = GetItem(v, kobj)
			if err != nil {
				return nil, err
			}
		} else {
			return nil, py.ExceptionNewf(py.ValueError, "Only '.' or '[' may follow ']' in format field specifier")
		}
	}
	return v, nil
}
