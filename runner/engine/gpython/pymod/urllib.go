package pymod

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/go-python/gpython/py"

	"github.com/gowsgi/gowsgi/runner/engine/gpython/shims"
)

const alwaysSafe = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~"

// Quote is urllib.parse.quote on bytes.
func Quote(b []byte, safe string) string {
	var sb strings.Builder
	for _, c := range b {
		if c < 0x80 && (strings.IndexByte(alwaysSafe, c) >= 0 || strings.IndexByte(safe, c) >= 0) {
			sb.WriteByte(c)
		} else {
			sb.WriteByte('%')
			sb.WriteByte("0123456789ABCDEF"[c>>4])
			sb.WriteByte("0123456789ABCDEF"[c&15])
		}
	}
	return sb.String()
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// UnquoteBytes decodes %XX escapes; malformed escapes stay as they are.
func UnquoteBytes(s string) []byte {
	if !strings.Contains(s, "%") {
		return []byte(s)
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s)+0 && i+2 <= len(s)-1 {
			h, ok1 := unhex(s[i+1])
			l, ok2 := unhex(s[i+2])
			if ok1 && ok2 {
				out = append(out, h<<4|l)
				i += 2
				continue
			}
		}
		out = append(out, s[i])
	}
	return out
}

// Unquote is urllib.parse.unquote.
func Unquote(s, encoding, errors string) (string, error) {
	if !strings.Contains(s, "%") {
		return s, nil
	}
	return shims.Decode(UnquoteBytes(s), encoding, errors)
}

func quoteArg(fname string, a []py.Object) ([]byte, string, error) {
	b, _, err := strOrBytes(fname, a[0])
	if err != nil {
		return nil, "", err
	}
	safe := ""
	if a[1] != nil {
		sb, _, err := strOrBytes(fname, a[1])
		if err != nil {
			return nil, "", err
		}
		safe = string(sb)
	}
	return b, safe, nil
}

func quoteFn(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
	a, err := parseArgs("quote", args, kwargs, []string{"string", "safe", "encoding", "errors"}, 1)
	if err != nil {
		return nil, err
	}
	if a[1] == nil {
		a[1] = py.String("/")
	}
	b, safe, err := quoteArg("quote", a)
	if err != nil {
		return nil, err
	}
	return py.String(Quote(b, safe)), nil
}

// QuotePlus is urllib.parse.quote_plus.
func QuotePlus(b []byte, safe string) string {
	if !strings.Contains(string(b), " ") {
		return Quote(b, safe)
	}
	return strings.ReplaceAll(Quote(b, safe+" "), " ", "+")
}

func quotePlusFn(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
	a, err := parseArgs("quote_plus", args, kwargs, []string{"string", "safe", "encoding", "errors"}, 1)
	if err != nil {
		return nil, err
	}
	b, safe, err := quoteArg("quote_plus", a)
	if err != nil {
		return nil, err
	}
	return py.String(QuotePlus(b, safe)), nil
}

func unquoteArgs(fname string, args py.Tuple, kwargs py.StringDict) (string, string, string, error) {
	a, err := parseArgs(fname, args, kwargs, []string{"string", "encoding", "errors"}, 1)
	if err != nil {
		return "", "", "", err
	}
	var s string
	switch x := a[0].(type) {
	case py.String:
		s = string(x)
	case py.Bytes:
		s = shims.Latin1(x)
	default:
		return "", "", "", py.ExceptionNewf(py.TypeError, "a bytes-like object is required, not '%s'", shims.TypeName(a[0]))
	}
	enc, errs := "utf-8", "replace"
	if a[1] != nil && a[1] != py.None {
		if enc, err = str(fname, a[1]); err != nil {
			return "", "", "", err
		}
	}
	if a[2] != nil && a[2] != py.None {
		if errs, err = str(fname, a[2]); err != nil {
			return "", "", "", err
		}
	}
	return s, enc, errs, nil
}

// ParseQSL is urllib.parse.parse_qsl.
func ParseQSL(qs string, keepBlank, strict bool, encoding, errors, sep string) ([][2]string, error) {
	var out [][2]string
	if qs == "" {
		return out, nil
	}
	for _, nv := range strings.Split(qs, sep) {
		if nv == "" && !strict {
			continue
		}
		k, v, ok := strings.Cut(nv, "=")
		if !ok {
			if strict {
				return nil, py.ExceptionNewf(py.ValueError, "bad query field: %s", shims.Quote(nv))
			}
			if !keepBlank {
				continue
			}
		}
		if v != "" || keepBlank {
			name, err := Unquote(strings.ReplaceAll(k, "+", " "), encoding, errors)
			if err != nil {
				return nil, err
			}
			value, err := Unquote(strings.ReplaceAll(v, "+", " "), encoding, errors)
			if err != nil {
				return nil, err
			}
			out = append(out, [2]string{name, value})
		}
	}
	return out, nil
}

func parseQSArgs(fname string, args py.Tuple, kwargs py.StringDict) ([][2]string, error) {
	a, err := parseArgs(fname, args, kwargs, []string{"qs", "keep_blank_values", "strict_parsing", "encoding", "errors", "max_num_fields", "separator"}, 1)
	if err != nil {
		return nil, err
	}
	var qs string
	switch x := a[0].(type) {
	case py.String:
		qs = string(x)
	case py.Bytes:
		qs = shims.Latin1(x)
	case py.NoneType:
	default:
		return nil, py.ExceptionNewf(py.TypeError, "%s() argument must be str or bytes", fname)
	}
	keep, err := truth(a[1], false)
	if err != nil {
		return nil, err
	}
	strict, err := truth(a[2], false)
	if err != nil {
		return nil, err
	}
	enc, errs, sep := "utf-8", "replace", "&"
	if a[3] != nil {
		if enc, err = str(fname, a[3]); err != nil {
			return nil, err
		}
	}
	if a[4] != nil {
		if errs, err = str(fname, a[4]); err != nil {
			return nil, err
		}
	}
	if a[6] != nil {
		if sep, err = str(fname, a[6]); err != nil {
			return nil, err
		}
	}
	pairs, err := ParseQSL(qs, keep, strict, enc, errs, sep)
	if err != nil {
		return nil, err
	}
	if a[5] != nil && a[5] != py.None {
		max, err := intArg(fname, a[5], 0)
		if err != nil {
			return nil, err
		}
		if len(pairs) > max {
			return nil, py.ExceptionNewf(py.ValueError, "Max number of fields exceeded")
		}
	}
	return pairs, nil
}

var (
	splitResult = NewStructType("urllib.parse.SplitResult", []string{"scheme", "netloc", "path", "query", "fragment"})
	parseResult = NewStructType("urllib.parse.ParseResult", []string{"scheme", "netloc", "path", "params", "query", "fragment"})
)

var usesParams = map[string]bool{"": true, "ftp": true, "hdl": true, "prospero": true, "http": true, "imap": true, "https": true, "shttp": true,
	"rtsp": true, "rtspu": true, "sip": true, "sips": true, "mms": true, "sftp": true, "tel": true}

var usesNetloc = map[string]bool{"": true, "ftp": true, "http": true, "gopher": true, "nntp": true, "telnet": true, "imap": true, "wais": true,
	"file": true, "mms": true, "https": true, "shttp": true, "snews": true, "prospero": true, "rtsp": true, "rtspu": true, "rsync": true,
	"svn": true, "svn+ssh": true, "sftp": true, "nfs": true, "git": true, "git+ssh": true, "ws": true, "wss": true}

// URLSplit is urllib.parse.urlsplit.
func URLSplit(u, scheme string, allowFragments bool) ([5]string, error) {
	u = strings.TrimLeft(u, "\x00\x01\x02\x03\x04\x05\x06\x07\x08\t\n\v\f\r\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ")
	for _, c := range []string{"\t", "\r", "\n"} {
		u = strings.ReplaceAll(u, c, "")
	}
	var netloc, query, fragment string
	if i := strings.IndexByte(u, ':'); i > 0 && isASCIILetter(u[0]) {
		ok := true
		for _, c := range []byte(u[:i]) {
			if !(isASCIILetter(c) || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.') {
				ok = false
				break
			}
		}
		if ok {
			scheme, u = strings.ToLower(u[:i]), u[i+1:]
		}
	}
	if strings.HasPrefix(u, "//") {
		delim := len(u)
		for _, c := range "/?#" {
			if w := strings.IndexRune(u[2:], c); w >= 0 && w+2 < delim {
				delim = w + 2
			}
		}
		netloc, u = u[2:delim], u[delim:]
		if strings.Contains(netloc, "[") != strings.Contains(netloc, "]") {
			return [5]string{}, py.ExceptionNewf(py.ValueError, "Invalid IPv6 URL")
		}
	}
	if allowFragments {
		if i := strings.IndexByte(u, '#'); i >= 0 {
			u, fragment = u[:i], u[i+1:]
		}
	}
	if i := strings.IndexByte(u, '?'); i >= 0 {
		u, query = u[:i], u[i+1:]
	}
	return [5]string{scheme, netloc, u, query, fragment}, nil
}

func isASCIILetter(c byte) bool { return (c|32) >= 'a' && (c|32) <= 'z' }

// URLUnsplit is urllib.parse.urlunsplit.
func URLUnsplit(scheme, netloc, u, query, fragment string) string {
	if netloc != "" || (scheme != "" && usesNetloc[scheme] && !strings.HasPrefix(u, "//")) {
		if u != "" && u[0] != '/' {
			u = "/" + u
		}
		u = "//" + netloc + u
	}
	if scheme != "" {
		u = scheme + ":" + u
	}
	if query != "" {
		u += "?" + query
	}
	if fragment != "" {
		u += "#" + fragment
	}
	return u
}

func strTuple(items ...string) py.Tuple {
	t := make(py.Tuple, len(items))
	for i, s := range items {
		t[i] = py.String(s)
	}
	return t
}

func tupleStrings(fname string, o py.Object, n int) ([]string, error) {
	items, err := shims.ToList(o)
	if err != nil {
		return nil, err
	}
	if len(items) != n {
		return nil, py.ExceptionNewf(py.ValueError, "%s() expects a sequence of %d items", fname, n)
	}
	out := make([]string, n)
	for i, it := range items {
		if it == py.None {
			continue
		}
		s, err := str(fname, it)
		if err != nil {
			return nil, err
		}
		out[i] = s
	}
	return out, nil
}

func netlocParts(netloc string) (user, pass, host, port string, hasUser, hasPass bool) {
	hostport := netloc
	if i := strings.LastIndexByte(netloc, '@'); i >= 0 {
		userinfo := netloc[:i]
		hostport = netloc[i+1:]
		hasUser = true
		if u, p, ok := strings.Cut(userinfo, ":"); ok {
			user, pass, hasPass = u, p, true
		} else {
			user = userinfo
		}
	}
	if strings.HasPrefix(hostport, "[") {
		if j := strings.IndexByte(hostport, ']'); j >= 0 {
			host = hostport[1:j]
			if rest := hostport[j+1:]; strings.HasPrefix(rest, ":") {
				port = rest[1:]
			}
			return
		}
	}
	if h, p, ok := strings.Cut(hostport, ":"); ok {
		host, port = h, p
	} else {
		host = hostport
	}
	return
}

func addURLProps(st *StructType, netlocIdx int, unparse func(v *StructVal) string) {
	nl := func(self py.Object) string { return string(self.(*StructVal).Items[netlocIdx].(py.String)) }
	st.T.Dict["hostname"] = &py.Property{Fget: func(self py.Object) (py.Object, error) {
		_, _, host, _, _, _ := netlocParts(nl(self))
		if host == "" {
			return py.None, nil
		}
		return py.String(strings.ToLower(host)), nil
	}}
	st.T.Dict["port"] = &py.Property{Fget: func(self py.Object) (py.Object, error) {
		_, _, _, port, _, _ := netlocParts(nl(self))
		if port == "" {
			return py.None, nil
		}
		p, err := strconv.Atoi(port)
		if err != nil || p < 0 || p > 65535 {
			return nil, py.ExceptionNewf(py.ValueError, "Port could not be cast to integer value as %s", shims.Quote(port))
		}
		return py.Int(p), nil
	}}
	st.T.Dict["username"] = &py.Property{Fget: func(self py.Object) (py.Object, error) {
		u, _, _, _, has, _ := netlocParts(nl(self))
		if !has {
			return py.None, nil
		}
		return py.String(u), nil
	}}
	st.T.Dict["password"] = &py.Property{Fget: func(self py.Object) (py.Object, error) {
		_, p, _, _, _, has := netlocParts(nl(self))
		if !has {
			return py.None, nil
		}
		return py.String(p), nil
	}}
	st.T.Dict["geturl"] = py.MustNewMethod("geturl", func(self py.Object) (py.Object, error) {
		return py.String(unparse(self.(*StructVal))), nil
	}, 0, "")
}

func svals(v *StructVal) []string {
	out := make([]string, len(v.Items))
	for i, it := range v.Items {
		s, _ := it.(py.String)
		out[i] = string(s)
	}
	return out
}

func urlunparse(p []string) string {
	u := p[2]
	if p[3] != "" {
		u += ";" + p[3]
	}
	return URLUnsplit(p[0], p[1], u, p[4], p[5])
}

func registerURLLib() {
	addURLProps(splitResult, 1, func(v *StructVal) string { s := svals(v); return URLUnsplit(s[0], s[1], s[2], s[3], s[4]) })
	addURLProps(parseResult, 1, func(v *StructVal) string { return urlunparse(svals(v)) })
	registerPackage("urllib")
	splitArgs := func(fname string, args py.Tuple, kwargs py.StringDict) ([5]string, error) {
		a, err := parseArgs(fname, args, kwargs, []string{"urlstring", "scheme", "allow_fragments"}, 1)
		if err != nil {
			return [5]string{}, err
		}
		u, err := str(fname, a[0])
		if err != nil {
			return [5]string{}, err
		}
		scheme := ""
		if a[1] != nil {
			if scheme, err = str(fname, a[1]); err != nil {
				return [5]string{}, err
			}
		}
		frag, err := truth(a[2], true)
		if err != nil {
			return [5]string{}, err
		}
		return URLSplit(u, scheme, frag)
	}
	register("urllib.parse", "Parse URLs into components (gowsgi subset).", []*py.Method{
		fn("quote", quoteFn),
		fn("quote_plus", quotePlusFn),
		fn("quote_from_bytes", quoteFn),
		fn("unquote", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			s, enc, errs, err := unquoteArgs("unquote", args, kwargs)
			if err != nil {
				return nil, err
			}
			r, err := Unquote(s, enc, errs)
			return py.String(r), err
		}),
		fn("unquote_plus", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			s, enc, errs, err := unquoteArgs("unquote_plus", args, kwargs)
			if err != nil {
				return nil, err
			}
			r, err := Unquote(strings.ReplaceAll(s, "+", " "), enc, errs)
			return py.String(r), err
		}),
		fn("unquote_to_bytes", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			s, _, _, err := unquoteArgs("unquote_to_bytes", args, kwargs)
			if err != nil {
				return nil, err
			}
			return py.Bytes(UnquoteBytes(s)), nil
		}),
		fn("urlencode", urlencode),
		fn("parse_qsl", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			pairs, err := parseQSArgs("parse_qsl", args, kwargs)
			if err != nil {
				return nil, err
			}
			l := py.NewListSized(len(pairs))
			for i, p := range pairs {
				l.Items[i] = strTuple(p[0], p[1])
			}
			return l, nil
		}),
		fn("parse_qs", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			pairs, err := parseQSArgs("parse_qs", args, kwargs)
			if err != nil {
				return nil, err
			}
			d := shims.NewDict()
			for _, p := range pairs {
				if v, ok := d.GetStr(p[0]); ok {
					v.(*py.List).Append(py.String(p[1]))
				} else {
					d.SetStr(p[0], py.NewListFromItems([]py.Object{py.String(p[1])}))
				}
			}
			return d, nil
		}),
		fn("urlsplit", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			p, err := splitArgs("urlsplit", args, kwargs)
			if err != nil {
				return nil, err
			}
			return splitResult.Make(strTuple(p[:]...)), nil
		}),
		fn("urlparse", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			p, err := splitArgs("urlparse", args, kwargs)
			if err != nil {
				return nil, err
			}
			path, params := p[2], ""
			if usesParams[p[0]] && strings.Contains(path, ";") {
				i := -1
				if strings.Contains(path, "/") {
					slash := strings.LastIndexByte(path, '/')
					if j := strings.IndexByte(path[slash:], ';'); j >= 0 {
						i = slash + j
					}
				} else {
					i = strings.IndexByte(path, ';')
				}
				if i >= 0 {
					path, params = path[:i], path[i+1:]
				}
			}
			return parseResult.Make(strTuple(p[0], p[1], path, params, p[3], p[4])), nil
		}),
		fn("urlunsplit", func(self, parts py.Object) (py.Object, error) {
			s, err := tupleStrings("urlunsplit", parts, 5)
			if err != nil {
				return nil, err
			}
			return py.String(URLUnsplit(s[0], s[1], s[2], s[3], s[4])), nil
		}),
		fn("urlunparse", func(self, parts py.Object) (py.Object, error) {
			s, err := tupleStrings("urlunparse", parts, 6)
			if err != nil {
				return nil, err
			}
			return py.String(urlunparse(s)), nil
		}),
		fn("urljoin", func(self py.Object, args py.Tuple) (py.Object, error) {
			if len(args) < 2 {
				return nil, py.ExceptionNewf(py.TypeError, "urljoin() takes 2 arguments")
			}
			base, err := str("urljoin", args[0])
			if err != nil {
				return nil, err
			}
			ref, err := str("urljoin", args[1])
			if err != nil {
				return nil, err
			}
			if base == "" {
				return py.String(ref), nil
			}
			if ref == "" {
				return py.String(base), nil
			}
			b, err1 := url.Parse(base)
			r, err2 := url.Parse(ref)
			if err1 != nil || err2 != nil {
				return py.String(ref), nil
			}
			return py.String(b.ResolveReference(r).String()), nil
		}),
	}, py.StringDict{"SplitResult": splitResult.T, "ParseResult": parseResult.T})
}

func urlencode(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
	a, err := parseArgs("urlencode", args, kwargs, []string{"query", "doseq", "safe", "encoding", "errors", "quote_via"}, 1)
	if err != nil {
		return nil, err
	}
	doseq, err := truth(a[1], false)
	if err != nil {
		return nil, err
	}
	safe := ""
	if a[2] != nil {
		b, _, err := strOrBytes("urlencode", a[2])
		if err != nil {
			return nil, err
		}
		safe = string(b)
	}
	quote := func(o py.Object) (string, error) {
		if a[5] != nil {
			r, err := py.Call(a[5], py.Tuple{o, py.String(safe)}, nil)
			if err != nil {
				return "", err
			}
			return shims.Str(r)
		}
		switch x := o.(type) {
		case py.String:
			return QuotePlus([]byte(x), safe), nil
		case py.Bytes:
			return QuotePlus(x, safe), nil
		}
		s, err := shims.Str(o)
		if err != nil {
			return "", err
		}
		return QuotePlus([]byte(s), safe), nil
	}
	var pairs [][2]py.Object
	switch q := a[0].(type) {
	case py.StringDict:
		for _, k := range shims.SortedKeys(q) {
			pairs = append(pairs, [2]py.Object{py.String(k), q[k]})
		}
	case *shims.Dict:
		_ = q.RangeItems(func(k, v py.Object) error {
			pairs = append(pairs, [2]py.Object{k, v})
			return nil
		})
	default:
		items, err := shims.ToList(q)
		if err != nil {
			return nil, py.ExceptionNewf(py.TypeError, "not a valid non-string sequence or mapping object")
		}
		for _, it := range items {
			kv, err := shims.ToList(it)
			if err != nil || len(kv) != 2 {
				return nil, py.ExceptionNewf(py.TypeError, "not a valid non-string sequence or mapping object")
			}
			pairs = append(pairs, [2]py.Object{kv[0], kv[1]})
		}
	}
	var parts []string
	for _, p := range pairs {
		k, err := quote(p[0])
		if err != nil {
			return nil, err
		}
		v := p[1]
		_, isStr := v.(py.String)
		_, isBytes := v.(py.Bytes)
		if doseq && !isStr && !isBytes {
			items, err := shims.ToList(v)
			if err != nil {
				s, err := quote(v)
				if err != nil {
					return nil, err
				}
				parts = append(parts, k+"="+s)
				continue
			}
			for _, it := range items {
				s, err := quote(it)
				if err != nil {
					return nil, err
				}
				parts = append(parts, k+"="+s)
			}
			continue
		}
		s, err := quote(v)
		if err != nil {
			return nil, err
		}
		parts = append(parts, k+"="+s)
	}
	return py.String(strings.Join(parts, "&")), nil
}
