package userpool

import (
	"slices"
	"testing"
)

func TestMissingRequiredAttributes(t *testing.T) {
	pool := func(required ...string) *Pool {
		in := []SchemaAttribute{}
		for _, name := range required {
			in = append(in, SchemaAttribute{Name: name, AttributeDataType: "String", Mutable: true, Required: true})
		}
		schema, err := buildSchema(in)
		if err != nil {
			t.Fatal(err)
		}
		return &Pool{Schema: schema}
	}
	attrs := func(names ...string) []Attribute {
		var out []Attribute
		for _, n := range names {
			out = append(out, Attribute{Name: n, Value: "v"})
		}
		return out
	}
	for _, c := range []struct {
		name  string
		pool  *Pool
		attrs []Attribute
		want  []string
	}{
		{"nothing required", pool(), attrs("email"), nil},
		{"sub is never asked for", pool(), nil, nil},
		{"given", pool("email"), attrs("email", "name"), nil},
		{"missing", pool("email"), attrs("name"), []string{"email"}},
		{"in schema order", pool("name", "email", "custom:tier"), attrs("email"), []string{"name", "custom:tier"}},
		{"an empty value counts as given", pool("name"), []Attribute{{Name: "name"}}, nil},
		{"a pool stored before schemas asks nothing", &Pool{}, nil, nil},
	} {
		if got := missingRequiredAttributes(c.pool, c.attrs); !slices.Equal(got, c.want) {
			t.Errorf("%s: missing %v, want %v", c.name, got, c.want)
		}
	}
}

// CreateUserPool and AddCustomAttributes name custom attributes alike.
func TestCustomAttributeNaming(t *testing.T) {
	for _, c := range []struct {
		in   SchemaAttribute
		want SchemaAttribute
	}{
		{SchemaAttribute{Name: "tier"}, SchemaAttribute{Name: "custom:tier", AttributeDataType: "String"}},
		{SchemaAttribute{Name: "custom:tier", AttributeDataType: "Number"}, SchemaAttribute{Name: "custom:tier", AttributeDataType: "Number"}},
	} {
		if got := customAttribute(c.in); got.Name != c.want.Name || got.AttributeDataType != c.want.AttributeDataType {
			t.Errorf("customAttribute(%+v) = %+v, want %+v", c.in, got, c.want)
		}
	}
	schema, err := buildSchema([]SchemaAttribute{{Name: "tier"}, {Name: "email", Required: true}})
	if err != nil {
		t.Fatal(err)
	}
	p := &Pool{Schema: schema}
	if sa, ok := schemaAttribute(p, "custom:tier"); !ok || sa.AttributeDataType != "String" {
		t.Errorf("custom:tier: %+v %v", sa, ok)
	}
	if sa, _ := schemaAttribute(p, "email"); !sa.Required {
		t.Errorf("email not required: %+v", sa)
	}
	if _, err := buildSchema([]SchemaAttribute{{Name: "tier"}, {Name: "custom:tier"}}); ErrorMessage(err) != "Existing attribute already has name custom:tier." {
		t.Errorf("duplicate custom attribute: %v", err)
	}
}
