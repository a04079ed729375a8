package awsjson

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/cognate/cognate/internal/awsmodel"
	"github.com/cognate/cognate/internal/userpool"
)

// MaxDepth bounds JSON nesting; Cognito's deepest input is far shallower.
const MaxDepth = 32

func serialization(format string, args ...any) error {
	return userpool.Errorf(userpool.SerializationError, format, args...)
}

// Decode validates body against op's input and unmarshals it into dst.
func Decode(op *awsmodel.Operation, body []byte, dst any) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		body = []byte("{}")
	}
	if !utf8.Valid(body) {
		return serialization("Invalid UTF-8 in request body.")
	}
	if body[0] != '{' {
		return serialization("Start of structure or map expected; the request body must be a JSON object.")
	}
	if err := checkDepth(body); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return serialization("Could not parse the request body as JSON: %s", jsonErrorText(err))
	}
	if dec.More() {
		return serialization("Unexpected content after the JSON object.")
	}
	if op.Input != nil {
		if err := checkTypes(op.Input, doc, ""); err != nil {
			return err
		}
		v := &violations{}
		v.structure(op.Input, doc, "")
		if err := v.err(); err != nil {
			return err
		}
	}
	if dst == nil {
		return nil
	}
	if err := json.Unmarshal(body, dst); err != nil {
		return serialization("Could not decode the request: %s", jsonErrorText(err))
	}
	return nil
}

func jsonErrorText(err error) string {
	msg := err.Error()
	return strings.TrimPrefix(msg, "json: ")
}

// checkDepth rejects deeply nested documents before they are decoded.
func checkDepth(body []byte) error {
	depth := 0
	inString, escaped := false, false
	for _, c := range body {
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			depth++
			if depth > MaxDepth {
				return serialization("JSON nesting is deeper than %d levels.", MaxDepth)
			}
		case '}', ']':
			depth--
		}
	}
	return nil
}

// checkTypes walks the document and reports the first value whose JSON type
// does not fit its shape. Unknown members are ignored, as Cognito does.
func checkTypes(s *awsmodel.Shape, v any, path string) error {
	if v == nil || s == nil {
		return nil
	}
	wrong := func(want string) error {
		return serialization("Unexpected value at '%s': expected %s, got %s.", pathOrRoot(path), want, jsonType(v))
	}
	switch s.Type {
	case "structure":
		obj, ok := v.(map[string]any)
		if !ok {
			return wrong("a structure (JSON object)")
		}
		for _, m := range s.Members {
			if err := checkTypes(m.Shape, obj[m.Name], join(path, m.Name)); err != nil {
				return err
			}
		}
	case "map":
		obj, ok := v.(map[string]any)
		if !ok {
			return wrong("a map (JSON object)")
		}
		for k, val := range obj {
			if err := checkTypes(s.Value, val, join(path, k)); err != nil {
				return err
			}
		}
	case "list":
		arr, ok := v.([]any)
		if !ok {
			return wrong("a list (JSON array)")
		}
		for i, el := range arr {
			if err := checkTypes(s.Member, el, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	case "string", "blob":
		if _, ok := v.(string); !ok {
			return wrong("a string")
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return wrong("a boolean")
		}
	case "integer", "long":
		n, ok := v.(json.Number)
		if !ok {
			return wrong("an integer")
		}
		i, err := strconv.ParseInt(n.String(), 10, 64)
		if err != nil || (s.Type == "integer" && (i > math.MaxInt32 || i < math.MinInt32)) {
			return serialization("Unexpected value at '%s': %s is not a valid %s.", pathOrRoot(path), n, s.Type)
		}
	case "double", "float", "timestamp":
		n, ok := v.(json.Number)
		if !ok {
			return wrong("a number")
		}
		if _, err := n.Float64(); err != nil {
			return serialization("Unexpected value at '%s': %s is not a valid number.", pathOrRoot(path), n)
		}
	}
	return nil
}

func jsonType(v any) string {
	switch v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	}
	return "null"
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func pathOrRoot(p string) string {
	if p == "" {
		return "(root)"
	}
	return p
}

// violations collects constraint failures in model order.
type violations struct{ items []string }

func (v *violations) add(value string, sensitive bool, path, constraint string) {
	switch {
	case value == "\x00null":
		v.items = append(v.items, fmt.Sprintf("Value null at '%s' failed to satisfy constraint: %s", path, constraint))
	case sensitive:
		v.items = append(v.items, fmt.Sprintf("Value at '%s' failed to satisfy constraint: %s", path, constraint))
	default:
		v.items = append(v.items, fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: %s", value, path, constraint))
	}
}

func (v *violations) err() error {
	switch n := len(v.items); {
	case n == 0:
		return nil
	case n == 1:
		return userpool.Errorf(userpool.InvalidParameter, "1 validation error detected: %s", v.items[0])
	default:
		return userpool.Errorf(userpool.InvalidParameter, "%d validation errors detected: %s", n, strings.Join(v.items, "; "))
	}
}

// lowerCamel turns a member name into Coral's path form (UserPoolId → userPoolId).
func lowerCamel(name string) string {
	if name == "" {
		return name
	}
	r := []rune(name)
	// Leading acronyms lower-case as a block: "MFAOptions" → "mFAOptions" in
	// Coral; keep it simple and faithful to the common case: first rune only.
	r[0] = unicode.ToLower(r[0])
	return string(r)
}

func (v *violations) structure(s *awsmodel.Shape, obj map[string]any, path string) {
	for _, m := range s.Members {
		p := lowerCamel(m.Name)
		if path != "" {
			p = path + "." + p
		}
		val, present := obj[m.Name]
		if !present || val == nil {
			if s.IsRequired(m.Name) {
				v.add("\x00null", false, p, "Member must not be null")
			}
			continue
		}
		v.value(m.Shape, val, p, m.Shape.Sensitive)
	}
}

func (v *violations) value(s *awsmodel.Shape, val any, path string, sensitive bool) {
	if s == nil || val == nil {
		return
	}
	sensitive = sensitive || s.Sensitive
	switch s.Type {
	case "structure":
		v.structure(s, val.(map[string]any), path)
	case "list":
		arr := val.([]any)
		v.length(s, len(arr), listText(arr), path, sensitive)
		for i, el := range arr {
			v.value(s.Member, el, fmt.Sprintf("%s.%d.member", path, i+1), sensitive)
		}
	case "map":
		obj := val.(map[string]any)
		v.length(s, len(obj), "", path, sensitive)
		for k, el := range obj {
			v.value(s.Key, k, path+".key", sensitive)
			v.value(s.Value, el, fmt.Sprintf("%s.%s.member", path, k), sensitive)
		}
	case "string":
		str := val.(string)
		v.length(s, utf8.RuneCountInString(str), str, path, sensitive)
		if s.Pattern != "" {
			if re := compiled(s.Pattern); re != nil && !re.MatchString(str) {
				v.add(str, sensitive, path, "Member must satisfy regular expression pattern: "+s.Pattern)
			}
		}
		if len(s.Enum) > 0 && !contains(s.Enum, str) {
			v.add(str, sensitive, path, "Member must satisfy enum value set: ["+strings.Join(s.Enum, ", ")+"]")
		}
	case "integer", "long", "double", "float":
		f, _ := val.(json.Number).Float64()
		if s.Min != nil && f < *s.Min {
			v.add(val.(json.Number).String(), sensitive, path, "Member must have value greater than or equal to "+num(*s.Min))
		}
		if s.Max != nil && f > *s.Max {
			v.add(val.(json.Number).String(), sensitive, path, "Member must have value less than or equal to "+num(*s.Max))
		}
	}
}

func (v *violations) length(s *awsmodel.Shape, n int, text, path string, sensitive bool) {
	if s.Min != nil && float64(n) < *s.Min {
		v.add(text, sensitive, path, "Member must have length greater than or equal to "+num(*s.Min))
	}
	if s.Max != nil && float64(n) > *s.Max {
		v.add(text, sensitive, path, "Member must have length less than or equal to "+num(*s.Max))
	}
}

func listText(arr []any) string {
	parts := make([]string, 0, len(arr))
	for _, el := range arr {
		parts = append(parts, fmt.Sprint(el))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
