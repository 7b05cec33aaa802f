package shims

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Rewrite turns the newer syntax that apps use into the Python 3.4 that
// gpython's parser reads, before it parses the source:
//
//   - f-strings become ”.join((literal, __fformat__(value, conv, spec), ...)),
//     with !r/!s/!a, format specs (nested fields too), `=` debugging and any
//     quotes inside the fields;
//   - variable annotations lose the annotation (`x: int = 1` becomes
//     `x = 1`, a bare `x: int` becomes `pass`);
//   - the positional-only marker `/` is dropped from parameter lists;
//   - underscores in numeric literals are dropped;
//   - `async def`, `async for`, `async with` and `await` are refused with a
//     SyntaxError that says they need CPython.
//
// Every rewrite keeps the text on its original line (newlines inside an
// f-string stay inside it), so tracebacks keep their line numbers.
func Rewrite(src string) (string, *RewriteError) {
	if !needsRewrite(src) {
		return src, nil
	}
	toks, err := lex(src)
	if err != nil {
		return src, nil // let gpython's parser report it
	}
	var b strings.Builder
	b.Grow(len(src) + len(src)/8)
	pos := 0
	emit := func(upto int, repl string) {
		b.WriteString(src[pos:upto])
		b.WriteString(repl)
	}
	depth := 0
	stmtStart := true
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		atStart := stmtStart
		stmtStart = false
		switch t.kind {
		case tkNewline:
			if depth == 0 {
				stmtStart = true
			}
			continue
		case tkComment:
			stmtStart = atStart
			continue
		case tkString:
			if t.fstring {
				r, err := fstringExpr(src[t.start:t.end], t.line)
				if err != nil {
					return "", err
				}
				emit(t.start, r)
				pos = t.end
			}
			continue
		case tkNumber:
			if strings.Contains(src[t.start:t.end], "_") {
				emit(t.start, strings.ReplaceAll(src[t.start:t.end], "_", ""))
				pos = t.end
			}
			continue
		case tkOp:
			text := src[t.start:t.end]
			switch text {
			case "(", "[", "{":
				if text != "(" && (text == "{" || i == 0 || !isSubscriptable(src, toks[i-1])) {
					if repl, endTok, ok, rerr := rewriteDisplay(src, toks, i); rerr != nil {
						return "", rerr
					} else if ok {
						emit(t.start, repl)
						pos = toks[endTok].end
						i = endTok
						continue
					}
				}
				depth++
			case ")", "]", "}":
				depth--
			case ";":
				if depth == 0 {
					stmtStart = true
				}
			}
			continue
		case tkName:
			name := src[t.start:t.end]
			if i+1 < len(toks) && toks[i+1].kind == tkOp && src[toks[i+1].start:toks[i+1].end] == ":=" {
				end := walrusEnd(src, toks, i+2, depth == 0)
				exprEnd := len(src)
				if end < len(toks) {
					exprEnd = toks[end].start
				}
				expr, rerr := Rewrite(src[toks[i+1].end:exprEnd])
				if rerr != nil {
					return "", rerr
				}
				emit(t.start, "__walrus__("+expr+", '"+walrusPrefix+name+"')")
				pos = exprEnd
				i = end - 1
				continue
			}
			if name == "def" && i+2 < len(toks) && toks[i+1].kind == tkName && src[toks[i+2].start:toks[i+2].end] == "(" {
				repl, endTok, ok := rewriteParams(src, toks, i+2)
				if ok {
					emit(toks[i+2].start, repl)
					pos = toks[endTok].end
					i = endTok
					depth = 0
					// the header's ':' ends the statement head; what follows
					// on the line is a statement
					if endTok+1 < len(toks) && src[toks[endTok+1].start:toks[endTok+1].end] == ":" {
						i = endTok + 1
						emit(toks[i].start, "")
						pos = toks[i].start
					}
					continue
				}
			}
			if (name == "async" && i+1 < len(toks) && toks[i+1].kind == tkName &&
				isOneOf(src[toks[i+1].start:toks[i+1].end], "def", "for", "with")) ||
				(name == "await" && i+1 < len(toks) && (toks[i+1].kind == tkName || toks[i+1].kind == tkOp && src[toks[i+1].start:toks[i+1].end] == "(")) {
				what := name
				if name == "async" {
					what = "async " + src[toks[i+1].start:toks[i+1].end]
				}
				return "", &RewriteError{Line: t.line, Col: t.col, Msg: fmt.Sprintf("%s needs CPython: gowsgi's gpython engine runs synchronous WSGI apps only (use --engine cpython)", what)}
			}
			if atStart && depth == 0 && !pyKeywords[name] {
				if j, ok := annotationAt(src, toks, i); ok {
					// toks[j] is the ':'; find '=' at depth 0 or the end of the statement
					d := 0
					k := j + 1
					for ; k < len(toks); k++ {
						tx := src[toks[k].start:toks[k].end]
						if toks[k].kind == tkOp {
							switch tx {
							case "(", "[", "{":
								d++
							case ")", "]", "}":
								d--
							}
							if d == 0 && (tx == "=" || tx == ";") {
								break
							}
						}
						if toks[k].kind == tkNewline && d == 0 {
							break
						}
					}
					end := len(src)
					if k < len(toks) {
						end = toks[k].start
					}
					nl := strings.Repeat("\\\n", strings.Count(src[toks[j].start:end], "\n"))
					if k < len(toks) && src[toks[k].start:toks[k].end] == "=" {
						// x: T = v  ->  x = v
						emit(toks[j].start, " "+nl)
						pos = end
					} else {
						// x: T  ->  pass
						emit(t.start, "pass"+nl)
						pos = end
					}
					i = k - 1
				}
			}
			continue
		}
	}
	b.WriteString(src[pos:])
	return b.String(), nil
}

// RewriteError is a SyntaxError found while rewriting.
type RewriteError struct {
	Line, Col int
	Msg       string
}

func (e *RewriteError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

func isOneOf(s string, opts ...string) bool {
	for _, o := range opts {
		if s == o {
			return true
		}
	}
	return false
}

var pyKeywords = map[string]bool{}

func init() {
	for _, k := range strings.Fields("False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield print exec match case type") {
		pyKeywords[k] = true
	}
	// match/case/type are soft keywords: a statement starting with them can
	// still be an annotation target, but that is rare; print/exec are not
	// keywords in Python 3 but never annotated.
}

// annotationAt reports whether the statement starting at toks[i] (a name)
// is an annotated assignment target: name(.name|[...])* ':'. It returns the
// index of the ':'.
func annotationAt(src string, toks []token, i int) (int, bool) {
	j := i + 1
	for j < len(toks) {
		t := toks[j]
		if t.kind != tkOp {
			return 0, false
		}
		switch src[t.start:t.end] {
		case ".":
			if j+1 < len(toks) && toks[j+1].kind == tkName {
				j += 2
				continue
			}
			return 0, false
		case "[":
			if j = matching(src, toks, j); j < 0 {
				j = len(toks)
			}
			j++
			continue
		case ":":
			return j, true
		}
		return 0, false
	}
	return 0, false
}

func needsRewrite(src string) bool {
	// cheap pre-check: anything that could be an f-string prefix, an
	// annotation, a '/', an underscore in a number or async/await
	return strings.ContainsAny(src, "fF:/_*=") || strings.Contains(src, "async") || strings.Contains(src, "await")
}

// lexer

const (
	tkName = iota
	tkNumber
	tkString
	tkOp
	tkNewline
	tkComment
)

type token struct {
	kind       int
	start, end int
	line, col  int
	fstring    bool
}

type lexErr struct{}

func (lexErr) Error() string { return "lex" }

func lex(src string) ([]token, error) {
	var toks []token
	line, lineStart := 1, 0
	depth := 0
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == '\n':
			if depth == 0 {
				toks = append(toks, token{kind: tkNewline, start: i, end: i + 1, line: line, col: i - lineStart})
			}
			i++
			line++
			lineStart = i
		case c == ' ' || c == '\t' || c == '\r' || c == '\f':
			i++
		case c == '\\' && i+1 < len(src) && (src[i+1] == '\n' || src[i+1] == '\r'):
			i++
			if src[i] == '\r' && i+1 < len(src) && src[i+1] == '\n' {
				i++
			}
			i++
			line++
			lineStart = i
		case c == '#':
			j := strings.IndexByte(src[i:], '\n')
			if j < 0 {
				j = len(src) - i
			}
			toks = append(toks, token{kind: tkComment, start: i, end: i + j, line: line})
			i += j
		case isIdentStart(src, i):
			j := i
			for j < len(src) && isIdentChar(src, j) {
				_, n := utf8.DecodeRuneInString(src[j:])
				j += n
			}
			// string prefix?
			if j < len(src) && (src[j] == '\'' || src[j] == '"') && isStrPrefix(src[i:j]) {
				end, nl, ok := scanString(src, j)
				if !ok {
					return nil, lexErr{}
				}
				toks = append(toks, token{kind: tkString, start: i, end: end, line: line, col: i - lineStart, fstring: strings.ContainsAny(src[i:j], "fF")})
				if nl > 0 {
					line += nl
					lineStart = strings.LastIndexByte(src[:end], '\n') + 1
				}
				i = end
				continue
			}
			toks = append(toks, token{kind: tkName, start: i, end: j, line: line, col: i - lineStart})
			i = j
		case c == '\'' || c == '"':
			end, nl, ok := scanString(src, i)
			if !ok {
				return nil, lexErr{}
			}
			toks = append(toks, token{kind: tkString, start: i, end: end, line: line, col: i - lineStart})
			if nl > 0 {
				line += nl
				lineStart = strings.LastIndexByte(src[:end], '\n') + 1
			}
			i = end
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9':
			j := i
			for j < len(src) && (isAlnum(src[j]) || src[j] == '_' || src[j] == '.' ||
				(src[j] == '+' || src[j] == '-') && (src[j-1] == 'e' || src[j-1] == 'E') && !strings.HasPrefix(strings.ToLower(src[i:j]), "0x")) {
				j++
			}
			toks = append(toks, token{kind: tkNumber, start: i, end: j, line: line, col: i - lineStart})
			i = j
		default:
			n := 1
			for _, op := range []string{"**=", "//=", ">>=", "<<=", "...", "->", ":=", "**", "//", ">>", "<<", "<=", ">=", "==", "!=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "@="} {
				if strings.HasPrefix(src[i:], op) {
					n = len(op)
					break
				}
			}
			switch c {
			case '(', '[', '{':
				depth++
			case ')', ']', '}':
				if depth > 0 {
					depth--
				}
			}
			toks = append(toks, token{kind: tkOp, start: i, end: i + n, line: line, col: i - lineStart})
			i += n
		}
	}
	return toks, nil
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isIdentStart(src string, i int) bool {
	c := src[i]
	if c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
		return true
	}
	if c < 0x80 {
		return false
	}
	r, _ := utf8.DecodeRuneInString(src[i:])
	return unicode.IsLetter(r)
}

func isIdentChar(src string, i int) bool {
	c := src[i]
	if c == '_' || isAlnum(c) {
		return true
	}
	if c < 0x80 {
		return false
	}
	r, _ := utf8.DecodeRuneInString(src[i:])
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r)
}

func isStrPrefix(p string) bool {
	switch strings.ToLower(p) {
	case "r", "u", "b", "br", "rb", "f", "fr", "rf":
		return true
	}
	return false
}

// scanString scans the string literal whose opening quote is at q; it
// returns the end offset and the number of newlines inside.
func scanString(src string, q int) (int, int, bool) {
	quote := src[q : q+1]
	if strings.HasPrefix(src[q:], strings.Repeat(quote, 3)) {
		quote = strings.Repeat(quote, 3)
	}
	i := q + len(quote)
	nl := 0
	for i < len(src) {
		c := src[i]
		if c == '\\' {
			if i+1 < len(src) && src[i+1] == '\n' {
				nl++
			}
			i += 2
			continue
		}
		if c == '\n' {
			if len(quote) == 1 {
				return 0, 0, false
			}
			nl++
		}
		if strings.HasPrefix(src[i:], quote) {
			return i + len(quote), nl, true
		}
		i++
	}
	return 0, 0, false
}

// f-strings

// fstringExpr rewrites one f-string literal (prefix included).
func fstringExpr(lit string, line int) (string, *RewriteError) {
	qi := strings.IndexAny(lit, "'\"")
	prefix := lit[:qi]
	raw := strings.ContainsAny(prefix, "rR")
	quote := lit[qi : qi+1]
	if strings.HasPrefix(lit[qi:], strings.Repeat(quote, 3)) {
		quote = strings.Repeat(quote, 3)
	}
	body := lit[qi+len(quote) : len(lit)-len(quote)]
	strPrefix := ""
	if raw {
		strPrefix = "r"
	}
	parts, err := fstringParts(body, raw, quote, strPrefix, line)
	if err != nil {
		return "", err
	}
	if len(parts) == 0 {
		return strPrefix + quote + quote, nil
	}
	if len(parts) == 1 && !strings.HasPrefix(parts[0], "__fformat__(") {
		return parts[0], nil
	}
	return "''.join((" + strings.Join(parts, ", ") + ",))", nil
}

// fstringParts splits an f-string body into Python expressions: literal
// pieces (in the original quotes) and __fformat__ calls.
func fstringParts(body string, raw bool, quote, strPrefix string, line int) ([]string, *RewriteError) {
	var parts []string
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			parts = append(parts, strPrefix+quote+lit.String()+quote)
			lit.Reset()
		}
	}
	i := 0
	for i < len(body) {
		c := body[i]
		switch {
		case c == '\\' && !raw:
			// keep escapes whole; \N{...} contains braces
			if i+1 < len(body) && body[i+1] == 'N' && i+2 < len(body) && body[i+2] == '{' {
				j := strings.IndexByte(body[i:], '}')
				if j < 0 {
					return nil, &RewriteError{Line: line, Msg: "f-string: malformed \\N character escape"}
				}
				lit.WriteString(body[i : i+j+1])
				i += j + 1
				continue
			}
			lit.WriteString(body[i:min(i+2, len(body))])
			i += 2
		case c == '{' && i+1 < len(body) && body[i+1] == '{':
			lit.WriteByte('{')
			i += 2
		case c == '}' && i+1 < len(body) && body[i+1] == '}':
			lit.WriteByte('}')
			i += 2
		case c == '}':
			return nil, &RewriteError{Line: line, Msg: "f-string: single '}' is not allowed"}
		case c == '{':
			expr, conv, spec, debug, next, err := fstringField(body, i+1, raw, quote, strPrefix, line)
			if err != nil {
				return nil, err
			}
			if debug != "" {
				lit.WriteString(debug)
				if conv == "" && spec == "" {
					conv = "r"
				}
			}
			flush()
			if spec == "" {
				spec = "''"
			}
			rexpr, rerr := Rewrite(expr)
			if rerr != nil {
				return nil, rerr
			}
			parts = append(parts, "__fformat__(("+rexpr+"), '"+conv+"', "+spec+")")
			i = next
		default:
			lit.WriteByte(c)
			i++
		}
	}
	flush()
	return parts, nil
}

// fstringField parses a replacement field starting after its '{'. It
// returns the expression source, the conversion, the spec as a Python
// expression, the `expr=` debug text and the offset after the '}'.
func fstringField(body string, i int, raw bool, quote, strPrefix string, line int) (expr, conv, spec, debug string, next int, err *RewriteError) {
	start := i
	depth := 0
	for i < len(body) {
		c := body[i]
		switch c {
		case '\'', '"':
			end, _, ok := scanString(body, i)
			if !ok {
				return "", "", "", "", 0, &RewriteError{Line: line, Msg: "f-string: unterminated string"}
			}
			i = end
			continue
		case '(', '[', '{':
			depth++
		case ')', ']':
			depth--
		case '}':
			if depth == 0 {
				expr = body[start:i]
				expr, debug = splitDebug(expr)
				if strings.TrimSpace(expr) == "" {
					return "", "", "", "", 0, &RewriteError{Line: line, Msg: "f-string: empty expression not allowed"}
				}
				return expr, "", "", debug, i + 1, nil
			}
			depth--
		case '!':
			if depth == 0 && i+1 < len(body) && body[i+1] != '=' {
				expr, debug = splitDebug(body[start:i])
				if i+2 >= len(body) || !strings.ContainsRune("rsa", rune(body[i+1])) {
					return "", "", "", "", 0, &RewriteError{Line: line, Msg: "f-string: invalid conversion character: expected 's', 'r', or 'a'"}
				}
				conv = body[i+1 : i+2]
				i += 2
				if body[i] == '}' {
					return expr, conv, "", debug, i + 1, nil
				}
				if body[i] != ':' {
					return "", "", "", "", 0, &RewriteError{Line: line, Msg: "f-string: expecting '}'"}
				}
				spec, next, err = fstringSpec(body, i+1, raw, quote, strPrefix, line)
				return expr, conv, spec, debug, next, err
			}
		case ':':
			if depth == 0 {
				expr, debug = splitDebug(body[start:i])
				spec, next, err = fstringSpec(body, i+1, raw, quote, strPrefix, line)
				return expr, "", spec, debug, next, err
			}
		}
		i++
	}
	return "", "", "", "", 0, &RewriteError{Line: line, Msg: "f-string: expecting '}'"}
}

// splitDebug recognises `expr=` (Python 3.8): it returns the expression and
// the text to print before the value ("expr=", spaces kept).
func splitDebug(e string) (string, string) {
	t := strings.TrimRight(e, " \t")
	if strings.HasSuffix(t, "=") && !strings.HasSuffix(t, "==") && !strings.HasSuffix(t, "!=") &&
		!strings.HasSuffix(t, "<=") && !strings.HasSuffix(t, ">=") {
		return t[:len(t)-1], e
	}
	return e, ""
}

// fstringSpec parses a format spec up to the field's closing '}': it may
// hold nested fields, so it becomes an f-string expression itself.
func fstringSpec(body string, i int, raw bool, quote, strPrefix string, line int) (string, int, *RewriteError) {
	start := i
	depth := 0
	for i < len(body) {
		switch body[i] {
		case '{':
			depth++
		case '}':
			if depth == 0 {
				specBody := body[start:i]
				if !strings.Contains(specBody, "{") {
					return strPrefix + quote + specBody + quote, i + 1, nil
				}
				parts, err := fstringParts(specBody, raw, quote, strPrefix, line)
				if err != nil {
					return "", 0, err
				}
				return "''.join((" + strings.Join(parts, ", ") + ",))", i + 1, nil
			}
			depth--
		}
		i++
	}
	return "", 0, &RewriteError{Line: line, Msg: "f-string: expecting '}'"}
}

const dropAnnotations = false

// rewriteParams rewrites a def's parameter list starting at toks[open]
// (its "("): the positional-only marker "/" is dropped, and
// keyword-only parameters with defaults are put before those without
// (gpython's parser pairs keyword-only defaults with the wrong names
// otherwise; their order does not matter to callers). It returns the new
// text, the index of the last token replaced, and whether it applied.
func rewriteParams(src string, toks []token, open int) (string, int, bool) {
	closeTok := matching(src, toks, open)
	if closeTok < 0 {
		return "", 0, false
	}
	// split parameters at depth-1 commas
	type param struct{ toks []token }
	var params []param
	var cur []token
	depth := 0
	for k := open + 1; k < closeTok; k++ {
		t := toks[k]
		if t.kind == tkComment || t.kind == tkNewline {
			continue
		}
		tx := src[t.start:t.end]
		if t.kind == tkOp {
			switch tx {
			case "(", "[", "{":
				depth++
			case ")", "]", "}":
				depth--
			}
			if depth == 0 && tx == "," {
				params = append(params, param{cur})
				cur = nil
				continue
			}
		}
		cur = append(cur, t)
	}
	if len(cur) > 0 {
		params = append(params, param{cur})
	}
	text := func(ts []token) string {
		if len(ts) == 0 {
			return ""
		}
		// keep the source between tokens (spacing, newlines inside values),
		// without comments
		var b strings.Builder
		for n, t := range ts {
			if n > 0 {
				gap := src[ts[n-1].end:t.start]
				if strings.Contains(gap, "#") {
					gap = " " + strings.Repeat("\n", strings.Count(gap, "\n"))
				}
				b.WriteString(gap)
			}
			b.WriteString(src[t.start:t.end])
		}
		return b.String()
	}
	var pos, kwDef, kwReq, rest []string
	kwonly := false
	for _, p := range params {
		ts := p.toks
		if len(ts) == 0 {
			continue
		}
		first := src[ts[0].start:ts[0].end]
		if first == "/" && len(ts) == 1 {
			continue
		}
		// annotations stay (the compile hook fixes how gpython builds
		// decorated functions that have them); this drop is kept off
		if dropAnnotations && len(ts) >= 2 && ts[1].kind == tkOp && src[ts[1].start:ts[1].end] == ":" ||
			len(ts) >= 3 && (first == "*" || first == "**") && src[ts[2].start:ts[2].end] == ":" {
			nameEnd := 1
			if first == "*" || first == "**" {
				nameEnd = 2
			}
			d := 0
			eq := -1
			for k := nameEnd; k < len(ts); k++ {
				tx := src[ts[k].start:ts[k].end]
				if ts[k].kind == tkOp {
					switch tx {
					case "(", "[", "{":
						d++
					case ")", "]", "}":
						d--
					}
					if d == 0 && tx == "=" {
						eq = k
						break
					}
				}
			}
			nt := append([]token{}, ts[:nameEnd]...)
			if eq >= 0 {
				nt = append(nt, ts[eq:]...)
			}
			ts = nt
		}
		t := text(ts)
		hasDefault := false
		for _, x := range ts {
			if x.kind == tkOp && src[x.start:x.end] == "=" {
				hasDefault = true
				break
			}
		}
		switch {
		case first == "**":
			rest = append(rest, t)
		case first == "*":
			kwonly = true
			pos = append(pos, t)
		case kwonly && hasDefault:
			kwDef = append(kwDef, t)
		case kwonly:
			kwReq = append(kwReq, t)
		default:
			pos = append(pos, t)
		}
	}
	all := append(append(append(pos, kwDef...), kwReq...), rest...)
	out := "(" + strings.Join(all, ", ")
	last := closeTok
	// a return annotation: '->' ... up to the ':' at depth 0
	if dropAnnotations && closeTok+1 < len(toks) && src[toks[closeTok+1].start:toks[closeTok+1].end] == "->" {
		d := 0
		for k := closeTok + 2; k < len(toks); k++ {
			tx := src[toks[k].start:toks[k].end]
			if toks[k].kind == tkOp {
				switch tx {
				case "(", "[", "{":
					d++
				case ")", "]", "}":
					d--
				}
				if d == 0 && tx == ":" {
					last = k - 1
					break
				}
			}
		}
		if last == closeTok {
			return "", 0, false
		}
	}
	orig := src[toks[open].start:toks[last].end]
	if n := strings.Count(orig, "\n") - strings.Count(out, "\n"); n > 0 {
		out += strings.Repeat("\n", n)
	}
	return out + ")", last, true
}

// isSubscriptable reports whether a '[' after t is a subscript (or a
// call's bracket) rather than a list display.
func isSubscriptable(src string, t token) bool {
	switch t.kind {
	case tkName:
		return !pyKeywords[src[t.start:t.end]] || isOneOf(src[t.start:t.end], "None", "True", "False")
	case tkString, tkNumber:
		return true
	case tkOp:
		return isOneOf(src[t.start:t.end], ")", "]", "}")
	}
	return false
}

// rewriteDisplay rewrites a list, set or dict display that unpacks with *
// or ** (Python 3.5): [*a, 1] becomes __lmerge__((a), [1]), {*a, 1}
// __smerge__((a), {1}) and {**a, 'k': 1} __dmerge__((a), {'k': 1}). It
// reports ok=false when the display has no unpacking.
func rewriteDisplay(src string, toks []token, open int) (string, int, bool, *RewriteError) {
	closeTok := -1
	depth := 0
	var items [][]token
	var cur []token
	for k := open; k < len(toks); k++ {
		t := toks[k]
		if t.kind == tkOp {
			switch src[t.start:t.end] {
			case "(", "[", "{":
				depth++
				if depth == 1 {
					continue
				}
			case ")", "]", "}":
				depth--
			case ",":
				if depth == 1 {
					items = append(items, cur)
					cur = nil
					continue
				}
			}
		}
		if depth == 0 {
			closeTok = k
			break
		}
		if t.kind != tkComment && t.kind != tkNewline {
			cur = append(cur, t)
		}
	}
	if closeTok < 0 {
		return "", 0, false, nil
	}
	if len(cur) > 0 {
		items = append(items, cur)
	}
	star := false
	for _, it := range items {
		if len(it) > 0 && it[0].kind == tkOp && (src[it[0].start:it[0].end] == "*" || src[it[0].start:it[0].end] == "**") {
			star = true
		}
		for _, t := range it {
			if t.kind == tkName && src[t.start:t.end] == "for" {
				return "", 0, false, nil // a comprehension
			}
		}
	}
	if !star {
		return "", 0, false, nil
	}
	text := func(ts []token) (string, *RewriteError) {
		if len(ts) == 0 {
			return "", nil
		}
		return Rewrite(src[ts[0].start:ts[len(ts)-1].end])
	}
	kind := src[toks[open].start:toks[open].end]
	isDict := false
	if kind == "{" {
		for _, it := range items {
			if len(it) > 0 && src[it[0].start:it[0].end] == "**" {
				isDict = true
			}
			for _, t := range it {
				if t.kind == tkOp && src[t.start:t.end] == ":" {
					isDict = true
				}
			}
		}
	}
	fn, openB, closeB := "__lmerge__", "[", "]"
	if kind == "{" {
		fn, openB, closeB = "__smerge__", "{", "}"
		if isDict {
			fn = "__dmerge__"
		}
	}
	var parts, group []string
	flush := func() {
		if len(group) > 0 {
			parts = append(parts, openB+strings.Join(group, ", ")+closeB)
			group = nil
		}
	}
	for _, it := range items {
		if len(it) == 0 {
			continue
		}
		op := src[it[0].start:it[0].end]
		if it[0].kind == tkOp && (op == "*" || op == "**") {
			flush()
			t, err := text(it[1:])
			if err != nil {
				return "", 0, false, err
			}
			parts = append(parts, "("+t+")")
			continue
		}
		t, err := text(it)
		if err != nil {
			return "", 0, false, err
		}
		group = append(group, t)
	}
	flush()
	out := fn + "(" + strings.Join(parts, ", ")
	orig := src[toks[open].start:toks[closeTok].end]
	if n := strings.Count(orig, "\n") - strings.Count(out, "\n"); n > 0 {
		out += strings.Repeat("\n", n)
	}
	return out + ")", closeTok, true, nil
}

// walrusPrefix marks the constant that names an assignment expression's
// target: `x := e` becomes __walrus__(e, '__walrus__:x'), and the compile
// hook turns that call into a store to x (see fixWalrus).
const walrusPrefix = "__walrus__:"

// walrusEnd finds where an assignment expression's value ends: a ',' or a
// closing bracket at its depth, or (unparenthesised, in an if/while
// header) the header's ':'.
func walrusEnd(src string, toks []token, k int, top bool) int {
	depth := 0
	for ; k < len(toks); k++ {
		t := toks[k]
		if t.kind == tkNewline && depth == 0 {
			return k
		}
		if t.kind != tkOp {
			if t.kind == tkName && depth == 0 && isOneOf(src[t.start:t.end], "for", "async") {
				return k
			}
			continue
		}
		switch src[t.start:t.end] {
		case "(", "[", "{":
			depth++
		case ")", "]", "}":
			if depth == 0 {
				return k
			}
			depth--
		case ",", ";":
			if depth == 0 {
				return k
			}
		case ":":
			if depth == 0 && top {
				return k
			}
		}
	}
	return k
}

// matching returns the index of the token that closes the bracket at
// toks[open], or -1 when the source ends first.
func matching(src string, toks []token, open int) int {
	depth := 0
	for k := open; k < len(toks); k++ {
		if toks[k].kind != tkOp {
			continue
		}
		switch src[toks[k].start:toks[k].end] {
		case "(", "[", "{":
			depth++
		case ")", "]", "}":
			depth--
		}
		if depth == 0 {
			return k
		}
	}
	return -1
}
