package pymod

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"strings"

	"github.com/go-python/gpython/py"

	"github.com/gowsgi/gowsgi/runner/engine/gpython/shims"
)

// Base64Error is binascii.Error (a ValueError).
var Base64Error = shims.Subclass(py.ValueError, "Error", "binascii.Error: invalid base64/hex data.")

func bytesLike(fname string, o py.Object) ([]byte, error) {
	switch x := o.(type) {
	case py.Bytes:
		return x, nil
	case py.String:
		b, ok := shims.ToLatin1(string(x))
		if !ok || strings.ContainsFunc(string(x), func(r rune) bool { return r > 0x7f }) {
			return nil, py.ExceptionNewf(py.ValueError, "string argument should contain only ASCII characters")
		}
		return b, nil
	}
	return nil, py.ExceptionNewf(py.TypeError, "a bytes-like object is required, not '%s'", shims.TypeName(o))
}

func b64Decode(data []byte, alt []byte, validate bool) (py.Object, error) {
	if len(alt) == 2 {
		data = []byte(strings.NewReplacer(string(alt[0]), "+", string(alt[1]), "/").Replace(string(data)))
	}
	clean := make([]byte, 0, len(data))
	for _, c := range data {
		switch {
		case (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=':
			clean = append(clean, c)
		default:
			if validate {
				return nil, py.ExceptionNewf(Base64Error, "Only base64 data is allowed")
			}
		}
	}
	// Python stops at the first complete padding; strip what follows.
	s := string(clean)
	if i := strings.IndexByte(s, '='); i >= 0 {
		j := i
		for j < len(s) && s[j] == '=' {
			j++
		}
		s = s[:j]
	}
	if strings.TrimRight(s, "=") == "" && s != "" {
		return nil, py.ExceptionNewf(Base64Error, "Incorrect padding")
	}
	raw := strings.TrimRight(s, "=")
	if len(raw)%4 == 1 {
		return nil, py.ExceptionNewf(Base64Error, "Invalid base64-encoded string: number of data characters (%d) cannot be 1 more than a multiple of 4", len(raw))
	}
	if len(s)%4 != 0 && len(raw) != len(s) || (len(raw) == len(s) && len(raw)%4 != 0) {
		return nil, py.ExceptionNewf(Base64Error, "Incorrect padding")
	}
	out, err := base64.RawStdEncoding.DecodeString(raw)
	if err != nil {
		return nil, py.ExceptionNewf(Base64Error, "Incorrect padding")
	}
	return py.Bytes(out), nil
}

func registerBase64() {
	enc := func(name string, e *base64.Encoding) *py.Method {
		return fn(name, func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			a, err := parseArgs(name, args, kwargs, []string{"s", "altchars"}, 1)
			if err != nil {
				return nil, err
			}
			b, ok := a[0].(py.Bytes)
			if !ok {
				return nil, py.ExceptionNewf(py.TypeError, "a bytes-like object is required, not '%s'", shims.TypeName(a[0]))
			}
			out := e.EncodeToString(b)
			if a[1] != nil && a[1] != py.None {
				alt, err := bytesLike(name, a[1])
				if err != nil {
					return nil, err
				}
				if len(alt) == 2 {
					out = strings.NewReplacer("+", string(alt[0]), "/", string(alt[1])).Replace(out)
				}
			}
			return py.Bytes(out), nil
		})
	}
	dec := func(name string, urlsafe bool) *py.Method {
		return fn(name, func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			a, err := parseArgs(name, args, kwargs, []string{"s", "altchars", "validate"}, 1)
			if err != nil {
				return nil, err
			}
			b, err := bytesLike(name, a[0])
			if err != nil {
				return nil, err
			}
			var alt []byte
			if urlsafe {
				alt = []byte("-_")
			} else if a[1] != nil && a[1] != py.None {
				if alt, err = bytesLike(name, a[1]); err != nil {
					return nil, err
				}
			}
			validate, err := truth(a[2], false)
			if err != nil {
				return nil, err
			}
			return b64Decode(b, alt, validate)
		})
	}
	register("base64", "Base16, Base32, Base64 data encodings (gowsgi subset).", []*py.Method{
		enc("b64encode", base64.StdEncoding),
		dec("b64decode", false),
		enc("standard_b64encode", base64.StdEncoding),
		dec("standard_b64decode", false),
		enc("urlsafe_b64encode", base64.URLEncoding),
		dec("urlsafe_b64decode", true),
		fn("encodebytes", func(self, a py.Object) (py.Object, error) {
			b, ok := a.(py.Bytes)
			if !ok {
				return nil, py.ExceptionNewf(py.TypeError, "expected bytes-like object, not %s", shims.TypeName(a))
			}
			s := base64.StdEncoding.EncodeToString(b)
			var out strings.Builder
			for len(s) > 76 {
				out.WriteString(s[:76] + "\n")
				s = s[76:]
			}
			if s != "" {
				out.WriteString(s + "\n")
			}
			return py.Bytes(out.String()), nil
		}),
		fn("decodebytes", func(self, a py.Object) (py.Object, error) {
			b, err := bytesLike("decodebytes", a)
			if err != nil {
				return nil, err
			}
			return b64Decode(b, nil, false)
		}),
		fn("b32encode", func(self, a py.Object) (py.Object, error) {
			b, err := bytesLike("b32encode", a)
			if err != nil {
				return nil, err
			}
			return py.Bytes(base32.StdEncoding.EncodeToString(b)), nil
		}),
		fn("b32decode", func(self py.Object, args py.Tuple) (py.Object, error) {
			if len(args) < 1 {
				return nil, py.ExceptionNewf(py.TypeError, "b32decode() missing argument")
			}
			b, err := bytesLike("b32decode", args[0])
			if err != nil {
				return nil, err
			}
			out, err := base32.StdEncoding.DecodeString(string(b))
			if err != nil {
				return nil, py.ExceptionNewf(Base64Error, "Incorrect padding")
			}
			return py.Bytes(out), nil
		}),
		fn("b16encode", func(self, a py.Object) (py.Object, error) {
			b, err := bytesLike("b16encode", a)
			if err != nil {
				return nil, err
			}
			return py.Bytes(strings.ToUpper(hex.EncodeToString(b))), nil
		}),
		fn("b16decode", func(self py.Object, args py.Tuple) (py.Object, error) {
			if len(args) < 1 {
				return nil, py.ExceptionNewf(py.TypeError, "b16decode() missing argument")
			}
			b, err := bytesLike("b16decode", args[0])
			if err != nil {
				return nil, err
			}
			out, err := hex.DecodeString(string(b))
			if err != nil {
				return nil, py.ExceptionNewf(Base64Error, "Non-base16 digit found")
			}
			return py.Bytes(out), nil
		}),
	}, py.StringDict{"binascii_Error": Base64Error})
}

// Hash is a hashlib hash object.
type Hash struct {
	name string
	h    hash.Hash
	mk   func() hash.Hash
	key  []byte // for hmac copies
}

var HashType = newType("HASH", "A hash object.", nil)

func (*Hash) Type() *py.Type { return HashType }

var hashes = map[string]func() hash.Hash{
	"md5": md5.New, "sha1": sha1.New, "sha224": sha256.New224, "sha256": sha256.New,
	"sha384": sha512.New384, "sha512": sha512.New,
}

func newHash(name string, data py.Object) (py.Object, error) {
	mk, ok := hashes[strings.ToLower(name)]
	if !ok {
		return nil, py.ExceptionNewf(py.ValueError, "unsupported hash type %s", name)
	}
	h := &Hash{name: strings.ToLower(name), h: mk(), mk: mk}
	if data != nil && data != py.None {
		b, ok := data.(py.Bytes)
		if !ok {
			if _, isStr := data.(py.String); isStr {
				return nil, py.ExceptionNewf(py.TypeError, "Strings must be encoded before hashing")
			}
			return nil, py.ExceptionNewf(py.TypeError, "object supporting the buffer API required")
		}
		h.h.Write(b)
	}
	return h, nil
}

func registerHashlib() {
	methods(HashType, map[string]interface{}{
		"update": func(self, data py.Object) (py.Object, error) {
			b, ok := data.(py.Bytes)
			if !ok {
				if _, isStr := data.(py.String); isStr {
					return nil, py.ExceptionNewf(py.TypeError, "Strings must be encoded before hashing")
				}
				return nil, py.ExceptionNewf(py.TypeError, "object supporting the buffer API required")
			}
			self.(*Hash).h.Write(b)
			return py.None, nil
		},
		"digest": func(self py.Object) (py.Object, error) { return py.Bytes(self.(*Hash).h.Sum(nil)), nil },
		"hexdigest": func(self py.Object) (py.Object, error) {
			return py.String(hex.EncodeToString(self.(*Hash).h.Sum(nil))), nil
		},
		"copy": func(self py.Object) (py.Object, error) {
			h := self.(*Hash)
			// hash.Hash has no Clone; re-create through the binary marshaler
			type marshaler interface {
				MarshalBinary() ([]byte, error)
				UnmarshalBinary([]byte) error
			}
			n := &Hash{name: h.name, mk: h.mk, h: h.mk(), key: h.key}
			if h.key != nil {
				n.h = hmac.New(h.mk, h.key)
			}
			if m, ok := h.h.(marshaler); ok {
				state, err := m.MarshalBinary()
				if err == nil {
					if err := n.h.(marshaler).UnmarshalBinary(state); err == nil {
						return n, nil
					}
				}
			}
			return nil, py.ExceptionNewf(py.NotImplementedError, "copy() of this hash is not supported")
		},
	})
	HashType.Dict["name"] = &py.Property{Fget: func(self py.Object) (py.Object, error) { return py.String(self.(*Hash).name), nil }}
	HashType.Dict["digest_size"] = &py.Property{Fget: func(self py.Object) (py.Object, error) { return py.Int(self.(*Hash).h.Size()), nil }}
	HashType.Dict["block_size"] = &py.Property{Fget: func(self py.Object) (py.Object, error) { return py.Int(self.(*Hash).h.BlockSize()), nil }}
	var ms []*py.Method
	for name := range hashes {
		name := name
		ms = append(ms, fn(name, func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			a, err := parseArgs(name, args, kwargs, []string{"string", "usedforsecurity"}, 0)
			if err != nil {
				return nil, err
			}
			return newHash(name, a[0])
		}))
	}
	ms = append(ms, fn("new", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		a, err := parseArgs("new", args, kwargs, []string{"name", "data", "usedforsecurity"}, 1)
		if err != nil {
			return nil, err
		}
		n, err := str("new", a[0])
		if err != nil {
			return nil, err
		}
		return newHash(n, a[1])
	}))
	avail := py.NewFrozenSetFromItems([]py.Object{py.String("md5"), py.String("sha1"), py.String("sha224"), py.String("sha256"), py.String("sha384"), py.String("sha512")})
	register("hashlib", "Secure hashes (Go crypto).", ms, py.StringDict{"algorithms_available": avail, "algorithms_guaranteed": avail})

	register("hmac", "Keyed-hashing for message authentication.", []*py.Method{
		fn("new", func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			a, err := parseArgs("new", args, kwargs, []string{"key", "msg", "digestmod"}, 1)
			if err != nil {
				return nil, err
			}
			key, ok := a[0].(py.Bytes)
			if !ok {
				return nil, py.ExceptionNewf(py.TypeError, "key: expected bytes or bytearray, but got '%s'", shims.TypeName(a[0]))
			}
			name := ""
			switch d := a[2].(type) {
			case nil, py.NoneType:
				return nil, py.ExceptionNewf(py.TypeError, "Missing required parameter 'digestmod'.")
			case py.String:
				name = string(d)
			default:
				// hashlib.sha256 (the constructor) or a module: ask its name
				if m, ok := d.(*py.Method); ok {
					name = m.Name
				} else if h, err := py.Call(d, nil, nil); err == nil {
					if hh, ok := h.(*Hash); ok {
						name = hh.name
					}
				}
			}
			mk, ok := hashes[strings.ToLower(name)]
			if !ok {
				return nil, py.ExceptionNewf(py.ValueError, "unsupported hash type %s", name)
			}
			h := &Hash{name: "hmac-" + strings.ToLower(name), mk: mk, h: hmac.New(mk, key), key: append([]byte(nil), key...)}
			if a[1] != nil && a[1] != py.None {
				b, ok := a[1].(py.Bytes)
				if !ok {
					return nil, py.ExceptionNewf(py.TypeError, "Strings must be encoded before hashing")
				}
				h.h.Write(b)
			}
			return h, nil
		}),
		fn("compare_digest", func(self py.Object, args py.Tuple) (py.Object, error) {
			if len(args) != 2 {
				return nil, py.ExceptionNewf(py.TypeError, "compare_digest() takes 2 arguments")
			}
			a, _, err1 := strOrBytes("compare_digest", args[0])
			b, _, err2 := strOrBytes("compare_digest", args[1])
			if err1 != nil || err2 != nil {
				return nil, py.ExceptionNewf(py.TypeError, "unsupported operand types for compare_digest")
			}
			return py.NewBool(subtle.ConstantTimeCompare(a, b) == 1), nil
		}),
	}, nil)
}
