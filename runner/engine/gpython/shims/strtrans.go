package shims

import (
	"strings"
	"unicode/utf8"

	"github.com/go-python/gpython/py"
)

// str.maketrans and str.translate (int-keyed tables need gowsgi's Dict).
func installStrTranslate() {
	T := py.StringType
	T.Dict["maketrans"] = py.MustNewMethod("maketrans", func(self py.Object, args py.Tuple) (py.Object, error) {
		if _, ok := self.(*py.Type); !ok && self != nil {
			args = append(py.Tuple{self}, args...)
		}
		if err := nargs("maketrans", args, 1, 3); err != nil {
			return nil, err
		}
		d := NewDict()
		if len(args) == 1 {
			src, ok := args[0].(*Dict)
			if !ok {
				if sd, isSD := args[0].(py.StringDict); isSD {
					src, ok = NewDictFrom(sd), true
				}
			}
			if !ok {
				return nil, py.ExceptionNewf(py.TypeError, "if you give only one argument to maketrans it must be a dict")
			}
			err := src.Range(func(k, v py.Object) (bool, error) {
				switch kk := k.(type) {
				case py.String:
					if utf8.RuneCountInString(string(kk)) != 1 {
						return false, py.ExceptionNewf(py.ValueError, "string keys in translate table must be of length 1")
					}
					r, _ := utf8.DecodeRuneInString(string(kk))
					return true, d.Set(py.Int(r), v)
				case py.Int:
					return true, d.Set(kk, v)
				}
				return false, py.ExceptionNewf(py.TypeError, "keys in translate table must be strings or integers")
			})
			return d, err
		}
		x, ok1 := args[0].(py.String)
		y, ok2 := args[1].(py.String)
		if !ok1 || !ok2 {
			return nil, py.ExceptionNewf(py.TypeError, "maketrans() argument 1 and 2 must be str")
		}
		xr, yr := []rune(string(x)), []rune(string(y))
		if len(xr) != len(yr) {
			return nil, py.ExceptionNewf(py.ValueError, "the first two maketrans arguments must have equal length")
		}
		for i := range xr {
			if err := d.Set(py.Int(xr[i]), py.Int(yr[i])); err != nil {
				return nil, err
			}
		}
		if len(args) == 3 {
			z, ok := args[2].(py.String)
			if !ok {
				return nil, py.ExceptionNewf(py.TypeError, "maketrans() argument 3 must be str")
			}
			for _, r := range string(z) {
				if err := d.Set(py.Int(r), py.None); err != nil {
					return nil, err
				}
			}
		}
		return d, nil
	}, 0, "")
	T.Dict["translate"] = py.MustNewMethod("translate", func(self py.Object, table py.Object) (py.Object, error) {
		s := string(self.(py.String))
		var b strings.Builder
		for _, r := range s {
			v, err := GetItem(table, py.Int(r))
			if err != nil {
				if py.IsException(py.LookupError, err) {
					b.WriteRune(r)
					continue
				}
				return nil, err
			}
			switch x := v.(type) {
			case py.NoneType:
			case py.Int:
				b.WriteRune(rune(x))
			case py.String:
				b.WriteString(string(x))
			default:
				return nil, py.ExceptionNewf(py.TypeError, "character mapping must return integer, None or str")
			}
		}
		return py.String(b.String()), nil
	}, 0, "")
}
