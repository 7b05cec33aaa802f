package config

// Reading a Crossbar.io config file into plain values: *object (a mapping
// with its keys in document order), []any, string, json.Number (integers
// and JSON numbers), float64 (YAML floats), bool and nil. crossbar.go walks
// them, so that every mistake is named by its JSON path.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"
)

// object is a JSON object or YAML mapping, keys in document order.
type object struct {
	keys []string
	vals map[string]any
	dups []string // keys given more than once (the last value is kept, as in Python)
}

func newObject() *object { return &object{vals: map[string]any{}} }

func (o *object) set(k string, v any) {
	if _, seen := o.vals[k]; seen {
		o.dups = append(o.dups, k)
	} else {
		o.keys = append(o.keys, k)
	}
	o.vals[k] = v
}

func (o *object) get(k string) (any, bool) {
	v, ok := o.vals[k]
	return v, ok
}

// decodeConfig reads data as JSON or YAML, by the extension of name.
// Syntax errors name the file (as given), the line and, for JSON, the column.
func decodeConfig(name string, data []byte) (any, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a byte order mark, as some Windows editors write
	switch strings.ToLower(filepath.Ext(name)) {
	case ".json":
		return decodeJSON(name, data)
	case ".yaml", ".yml":
		return decodeYAML(name, data)
	}
	return nil, &Error{Where: name, Msg: "expected a .json, .yaml or .yml file (a Crossbar.io node config)"}
}

const emptyConfig = `empty; a Crossbar.io config is an object with a "workers" list`

func decodeJSON(name string, data []byte) (any, error) {
	// First pass: the standard decoder finds syntax errors and their offset.
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var probe any
	if err := dec.Decode(&probe); err != nil {
		var syn *json.SyntaxError
		switch {
		case errors.Is(err, io.EOF):
			return nil, &Error{Where: name, Msg: emptyConfig}
		case errors.Is(err, io.ErrUnexpectedEOF):
			return nil, &Error{Where: name + ":" + textPos(data, len(data)),
				Msg: "unexpected end of the file: an object or list is not closed"}
		case errors.As(err, &syn):
			at := max(int(syn.Offset)-1, 0) // the offset is just past the offending byte
			return nil, &Error{Where: name + ":" + textPos(data, at), Msg: syn.Error() + jsonHint(data, at)}
		default:
			return nil, &Error{Where: name, Msg: err.Error()}
		}
	}
	rest := data[dec.InputOffset():]
	if trimmed := bytes.TrimLeft(rest, " \t\r\n"); len(trimmed) > 0 {
		at := len(data) - len(trimmed)
		return nil, &Error{Where: name + ":" + textPos(data, at),
			Msg: "unexpected text after the end of the top-level object"}
	}
	// Second pass: the same bytes, token by token, to keep the key order.
	dec = json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := readJSON(dec)
	if err != nil {
		return nil, &Error{Where: name, Msg: err.Error()}
	}
	return v, nil
}

// jsonHint adds the likely cause of a JSON syntax error at data[at].
func jsonHint(data []byte, at int) string {
	if at >= len(data) {
		return ""
	}
	switch c := data[at]; c {
	case '}', ']':
		if prev := bytes.TrimRight(data[:at], " \t\r\n"); len(prev) > 0 && prev[len(prev)-1] == ',' {
			return fmt.Sprintf(" (JSON allows no comma before %q)", c)
		}
	case '/', '#':
		return " (JSON has no comments; a config.yaml may have them)"
	case '\'':
		return " (JSON strings take double quotes)"
	}
	return ""
}

// textPos is "line:column" (both from 1, the column counted in characters)
// of the byte offset at in data.
func textPos(data []byte, at int) string {
	at = min(at, len(data))
	line := 1 + bytes.Count(data[:at], []byte("\n"))
	start := bytes.LastIndexByte(data[:at], '\n') + 1
	return fmt.Sprintf("%d:%d", line, utf8.RuneCount(data[start:at])+1)
}

func readJSON(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return tok, nil // string, json.Number, bool or nil
	}
	switch d {
	case '{':
		o := newObject()
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nil, err
			}
			k, _ := kt.(string)
			v, err := readJSON(dec)
			if err != nil {
				return nil, err
			}
			o.set(k, v)
		}
		_, err := dec.Token() // '}'
		return o, err
	case '[':
		list := []any{}
		for dec.More() {
			v, err := readJSON(dec)
			if err != nil {
				return nil, err
			}
			list = append(list, v)
		}
		_, err := dec.Token() // ']'
		return list, err
	}
	return nil, fmt.Errorf("unexpected %q", d)
}

var yamlLineError = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func decodeYAML(name string, data []byte) (any, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		msg := err.Error()
		if m := yamlLineError.FindStringSubmatch(msg); m != nil {
			return nil, &Error{Where: name + ":" + m[1], Msg: m[2]}
		}
		return nil, &Error{Where: name, Msg: strings.TrimPrefix(msg, "yaml: ")}
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, &Error{Where: name, Msg: emptyConfig}
	}
	return fromYAML(name, doc.Content[0], 0)
}

// fromYAML turns a YAML node into the same values decodeJSON makes: mapping
// keys become strings as written, aliases are followed and "<<" merges are
// applied (explicit keys win).
func fromYAML(name string, n *yaml.Node, depth int) (any, error) {
	where := func() string { return fmt.Sprintf("%s:%d:%d", name, n.Line, n.Column) }
	if depth > 200 {
		return nil, &Error{Where: where(), Msg: "nested too deeply (an alias that contains itself?)"}
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return fromYAML(name, n.Content[0], depth+1)
	case yaml.AliasNode:
		return fromYAML(name, n.Alias, depth+1)
	case yaml.SequenceNode:
		list := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := fromYAML(name, c, depth+1)
			if err != nil {
				return nil, err
			}
			list = append(list, v)
		}
		return list, nil
	case yaml.MappingNode:
		explicit := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if k := n.Content[i]; k.Kind == yaml.ScalarNode && k.ShortTag() != "!!merge" {
				explicit[k.Value] = true
			}
		}
		o := newObject()
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, vn := n.Content[i], n.Content[i+1]
			if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
				if err := mergeYAML(name, o, explicit, vn, depth+1); err != nil {
					return nil, err
				}
				continue
			}
			if k.Kind != yaml.ScalarNode {
				return nil, &Error{Where: fmt.Sprintf("%s:%d:%d", name, k.Line, k.Column), Msg: "a mapping key must be a plain value such as a name"}
			}
			v, err := fromYAML(name, vn, depth+1)
			if err != nil {
				return nil, err
			}
			o.set(k.Value, v)
		}
		return o, nil
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return nil, nil
		case "!!bool":
			var b bool
			if err := n.Decode(&b); err != nil {
				return nil, &Error{Where: where(), Msg: err.Error()}
			}
			return b, nil
		case "!!int":
			var x any
			if err := n.Decode(&x); err != nil {
				return nil, &Error{Where: where(), Msg: err.Error()}
			}
			switch x := x.(type) {
			case int:
				return json.Number(strconv.Itoa(x)), nil
			case int64:
				return json.Number(strconv.FormatInt(x, 10)), nil
			case uint64:
				return json.Number(strconv.FormatUint(x, 10)), nil
			case float64:
				return x, nil
			}
			return n.Value, nil
		case "!!float":
			var f float64
			if err := n.Decode(&f); err != nil {
				return nil, &Error{Where: where(), Msg: err.Error()}
			}
			return f, nil
		}
		if n.Style == 0 {
			// Crossbar reads YAML with PyYAML, which follows YAML 1.1:
			// plain yes/no/on/off are booleans there.
			switch n.Value {
			case "yes", "Yes", "YES", "on", "On", "ON":
				return true, nil
			case "no", "No", "NO", "off", "Off", "OFF":
				return false, nil
			}
		}
		return n.Value, nil // strings, timestamps and anything tagged otherwise: as written
	}
	return nil, &Error{Where: where(), Msg: "unexpected YAML node"}
}

func mergeYAML(name string, o *object, explicit map[string]bool, n *yaml.Node, depth int) error {
	for n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n.Kind == yaml.SequenceNode {
		for _, c := range n.Content {
			if err := mergeYAML(name, o, explicit, c, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	v, err := fromYAML(name, n, depth)
	if err != nil {
		return err
	}
	m, ok := v.(*object)
	if !ok {
		return &Error{Where: fmt.Sprintf("%s:%d:%d", name, n.Line, n.Column), Msg: `"<<" merges a mapping or a list of mappings`}
	}
	for _, k := range m.keys {
		if _, done := o.vals[k]; !done && !explicit[k] {
			o.set(k, m.vals[k])
		}
	}
	return nil
}

// encodeJSON writes v compactly, keys in document order. where names v for
// errors (a YAML .inf or .nan has no JSON form).
func encodeJSON(buf *bytes.Buffer, v any, where string) error {
	switch v := v.(type) {
	case nil:
		buf.WriteString("null")
	case bool:
		buf.WriteString(strconv.FormatBool(v))
	case json.Number:
		buf.WriteString(string(v))
	case float64:
		if math.IsInf(v, 0) || math.IsNaN(v) {
			return &Error{Where: where, Msg: fmt.Sprintf("%v has no JSON form", v)}
		}
		buf.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
	case string:
		enc := json.NewEncoder(buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			return &Error{Where: where, Msg: err.Error()}
		}
		buf.Truncate(buf.Len() - 1) // Encode's newline
	case []any:
		buf.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := encodeJSON(buf, e, indexPath(where, i)); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
	case *object:
		buf.WriteByte('{')
		for i, k := range v.keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := encodeJSON(buf, k, where); err != nil {
				return err
			}
			buf.WriteByte(':')
			if err := encodeJSON(buf, v.vals[k], childPath(where, k)); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
	default:
		return &Error{Where: where, Msg: fmt.Sprintf("internal: unexpected %T", v)}
	}
	return nil
}

var identifierKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// childPath names the value under key in the value named parent:
// workers[0].options, paths["/"], paths["my-app"].
func childPath(parent, key string) string {
	if identifierKey.MatchString(key) {
		if parent == "" {
			return key
		}
		return parent + "." + key
	}
	return parent + "[" + strconv.Quote(key) + "]"
}

func indexPath(parent string, i int) string { return parent + "[" + strconv.Itoa(i) + "]" }

// describe shows a value in a "got ..." message.
func describe(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return strconv.FormatBool(v)
	case json.Number:
		return string(v)
	case float64:
		s := strconv.FormatFloat(v, 'g', -1, 64)
		if !strings.ContainsAny(s, ".eEIN") {
			s += ".0"
		}
		return s
	case string:
		if utf8.RuneCountInString(v) > 60 {
			v = string([]rune(v)[:57]) + "..."
		}
		return strconv.Quote(v)
	case *object:
		return "an object"
	case []any:
		return "a list"
	}
	return fmt.Sprintf("%v", v)
}
