package awsjson

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/cognate/cognate/internal/awsmodel"
)

// OutputMismatch lists where a response body departs from its operation's
// output shape in the model. Clients are generated from the same model, so
// each item is a member some client drops, misreads or fails on.
type OutputMismatch struct {
	Operation  string
	Violations []string // "UserPool.Policies.PasswordPolicy.MinimumLength: want integer, got string"
}

func (e *OutputMismatch) Error() string {
	return e.Operation + " output does not match the model: " + strings.Join(e.Violations, "; ")
}

// CheckOutput walks a response body (its JSON bytes, or the value that
// would be marshalled) against op's output shape: members the shape does
// not have, JSON types that do not fit (timestamps are epoch-second
// numbers, blobs base64 strings), enum values outside the set, and
// required members that are missing. It returns nil or an *OutputMismatch.
// It is a test-time check (the product does not run it unless asked), so it
// favours a complete report over speed.
func CheckOutput(op *awsmodel.Operation, v any) error {
	var body []byte
	switch b := v.(type) {
	case []byte:
		body = b
	case json.RawMessage:
		body = b
	default:
		if v == nil {
			body = []byte("{}") // WriteResult's rendering of nil
			break
		}
		var err error
		if body, err = json.Marshal(v); err != nil {
			return &OutputMismatch{op.Name, []string{"(root): cannot be marshalled: " + err.Error()}}
		}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return &OutputMismatch{op.Name, []string{"(root): not JSON: " + err.Error()}}
	}
	w := &outputWalk{}
	if op.Output == nil {
		// No output shape: Cognito answers {}.
		w.value(&awsmodel.Shape{Name: "(no output)", Type: "structure"}, doc, "")
	} else {
		w.value(op.Output, doc, "")
	}
	if len(w.found) == 0 {
		return nil
	}
	return &OutputMismatch{op.Name, w.found}
}

type outputWalk struct{ found []string }

func (w *outputWalk) add(path, format string, args ...any) {
	w.found = append(w.found, pathOrRoot(path)+": "+fmt.Sprintf(format, args...))
}

// value checks v against s. A JSON null is reported as a wrong type, not
// as an absent member: Cognito leaves absent members out.
func (w *outputWalk) value(s *awsmodel.Shape, v any, path string) {
	if s == nil {
		return
	}
	want := s.Type
	if want == "timestamp" {
		want = "timestamp (epoch seconds)"
	}
	wrong := func() { w.add(path, "want %s, got %s", want, outputType(v)) }
	if s.Document {
		return // any JSON value
	}
	switch s.Type {
	case "structure":
		obj, ok := v.(map[string]any)
		if !ok {
			wrong()
			return
		}
		w.structure(s, obj, path)
	case "map":
		obj, ok := v.(map[string]any)
		if !ok {
			wrong()
			return
		}
		for _, k := range sortedKeys(obj) {
			if s.Key != nil && len(s.Key.Enum) > 0 && !slices.Contains(s.Key.Enum, k) {
				w.add(join(path, k), "key %q is not in %s's enum", k, s.Key.Name)
			}
			w.value(s.Value, obj[k], join(path, k))
		}
	case "list":
		arr, ok := v.([]any)
		if !ok {
			wrong()
			return
		}
		for i, el := range arr {
			w.value(s.Member, el, fmt.Sprintf("%s[%d]", path, i))
		}
	case "string":
		str, ok := v.(string)
		if !ok {
			wrong()
			return
		}
		if len(s.Enum) > 0 && !slices.Contains(s.Enum, str) {
			w.add(path, "%q is not in %s's enum [%s]", str, s.Name, strings.Join(s.Enum, ", "))
		}
	case "blob":
		str, ok := v.(string)
		if !ok {
			wrong()
			return
		}
		if _, err := base64.StdEncoding.DecodeString(str); err != nil {
			w.add(path, "want blob (base64), got a string that is not base64")
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			wrong()
		}
	case "integer", "long":
		n, ok := v.(json.Number)
		if !ok {
			wrong()
			return
		}
		i, err := strconv.ParseInt(n.String(), 10, 64)
		if err != nil || (s.Type == "integer" && (i > math.MaxInt32 || i < math.MinInt32)) {
			w.add(path, "want %s, got number %s", s.Type, n)
		}
	case "double", "float", "timestamp":
		if _, ok := v.(json.Number); !ok {
			wrong()
		}
	default:
		w.add(path, "the model's type %q is unknown to the checker", s.Type)
	}
}

func (w *outputWalk) structure(s *awsmodel.Shape, obj map[string]any, path string) {
	for _, k := range sortedKeys(obj) {
		m := s.MemberByName(k)
		if m == nil {
			w.add(join(path, k), "not a member of %s", s.Name)
			continue
		}
		w.value(m.Shape, obj[k], join(path, k))
	}
	for _, name := range s.Required {
		if _, ok := obj[name]; !ok {
			w.add(join(path, name), "missing, but %s requires it", s.Name)
		}
	}
}

func outputType(v any) string {
	switch x := v.(type) {
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case bool:
		return "boolean"
	case json.Number:
		return "number " + x.String()
	}
	return "null"
}

func sortedKeys(obj map[string]any) []string {
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
