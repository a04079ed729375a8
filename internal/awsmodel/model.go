// Package awsmodel is the Cognito user-pools service model that Cognate
// validates against and builds its command line from. model.json is derived
// from botocore's service-2.json by ./gen (shapes, constraints, which
// operations are SigV4-signed, short docs) and embedded in the binary.
package awsmodel

//go:generate go run ./gen -out model.json

import (
	_ "embed"
	"encoding/json"
	"sort"
	"sync"
)

//go:embed model.json
var modelJSON []byte

// Model is the parsed service model.
type Model struct {
	TargetPrefix string
	operations   map[string]*Operation
	shapes       map[string]*Shape
	sorted       []*Operation
}

// Operation is one API operation.
type Operation struct {
	Name   string
	Input  *Shape // nil when the operation takes no input
	Output *Shape // nil when it returns nothing
	Errors []string
	Signed bool // SigV4 required; false for the 32 token- or client-authorized operations
	Doc    string
}

// Shape is a model shape with its constraints.
type Shape struct {
	Name      string
	Type      string // structure, list, map, string, boolean, integer, long, double, float, timestamp, blob
	Members   []*Member
	Required  []string
	Min, Max  *float64
	Pattern   string
	Enum      []string
	Sensitive bool
	Exception bool
	Document  bool   // a document: any JSON value, no members
	Member    *Shape // list element
	Key       *Shape // map key
	Value     *Shape // map value
	byName    map[string]*Member
}

// Member is a structure member.
type Member struct {
	Name  string
	Shape *Shape
	Doc   string
}

// MemberByName returns the member or nil.
func (s *Shape) MemberByName(name string) *Member { return s.byName[name] }

// IsRequired reports whether the member must be present.
func (s *Shape) IsRequired(name string) bool {
	for _, r := range s.Required {
		if r == name {
			return true
		}
	}
	return false
}

var (
	once     sync.Once
	defModel *Model
)

// Default returns the embedded model, parsed once.
func Default() *Model {
	once.Do(func() {
		m, err := Parse(modelJSON)
		if err != nil {
			panic("awsmodel: embedded model: " + err.Error())
		}
		defModel = m
	})
	return defModel
}

type rawModel struct {
	Metadata struct {
		TargetPrefix string `json:"targetPrefix"`
	} `json:"metadata"`
	Operations map[string]struct {
		Input  string   `json:"input"`
		Output string   `json:"output"`
		Errors []string `json:"errors"`
		Signed bool     `json:"signed"`
		Doc    string   `json:"doc"`
	} `json:"operations"`
	Shapes map[string]struct {
		Type      string   `json:"type"`
		Min       *float64 `json:"min"`
		Max       *float64 `json:"max"`
		Pattern   string   `json:"pattern"`
		Enum      []string `json:"enum"`
		Sensitive bool     `json:"sensitive"`
		Exception bool     `json:"exception"`
		Document  bool     `json:"document"`
		Required  []string `json:"required"`
		Member    string   `json:"member"`
		Key       string   `json:"key"`
		Value     string   `json:"value"`
		Members   []struct {
			Name  string `json:"name"`
			Shape string `json:"shape"`
			Doc   string `json:"doc"`
		} `json:"members"`
	} `json:"shapes"`
}

// Parse reads a model in the format ./gen writes.
func Parse(data []byte) (*Model, error) {
	var raw rawModel
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, err
	}
	m := &Model{TargetPrefix: raw.Metadata.TargetPrefix, operations: map[string]*Operation{}, shapes: map[string]*Shape{}}
	for name, rs := range raw.Shapes {
		m.shapes[name] = &Shape{Name: name, Type: rs.Type, Min: rs.Min, Max: rs.Max, Pattern: rs.Pattern,
			Enum: rs.Enum, Sensitive: rs.Sensitive, Exception: rs.Exception, Document: rs.Document, Required: rs.Required}
	}
	// Second pass: resolve references to pointers (shapes may be recursive).
	for name, rs := range raw.Shapes {
		s := m.shapes[name]
		s.Member, s.Key, s.Value = m.shapes[rs.Member], m.shapes[rs.Key], m.shapes[rs.Value]
		s.byName = map[string]*Member{}
		for _, rm := range rs.Members {
			mem := &Member{Name: rm.Name, Shape: m.shapes[rm.Shape], Doc: rm.Doc}
			s.Members = append(s.Members, mem)
			s.byName[rm.Name] = mem
		}
	}
	for name, ro := range raw.Operations {
		op := &Operation{Name: name, Input: m.shapes[ro.Input], Output: m.shapes[ro.Output], Errors: ro.Errors, Signed: ro.Signed, Doc: ro.Doc}
		m.operations[name] = op
		m.sorted = append(m.sorted, op)
	}
	sort.Slice(m.sorted, func(i, j int) bool { return m.sorted[i].Name < m.sorted[j].Name })
	return m, nil
}

// Operation looks an operation up by name.
func (m *Model) Operation(name string) (*Operation, bool) {
	op, ok := m.operations[name]
	return op, ok
}

// Operations returns every operation, sorted by name.
func (m *Model) Operations() []*Operation { return m.sorted }

// Shape returns a shape by name, or nil.
func (m *Model) Shape(name string) *Shape { return m.shapes[name] }
