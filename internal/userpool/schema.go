package userpool

import "strings"

// The pool's schema: Cognito's standard attributes, the pool's custom ones,
// and the rules that check users' attributes against them.

// standardAttributes are Cognito's standard schema, in its order.
var standardAttributes = []SchemaAttribute{
	{Name: "sub", AttributeDataType: "String", Mutable: false, Required: true},
	{Name: "name", AttributeDataType: "String", Mutable: true},
	{Name: "given_name", AttributeDataType: "String", Mutable: true},
	{Name: "family_name", AttributeDataType: "String", Mutable: true},
	{Name: "middle_name", AttributeDataType: "String", Mutable: true},
	{Name: "nickname", AttributeDataType: "String", Mutable: true},
	{Name: "preferred_username", AttributeDataType: "String", Mutable: true},
	{Name: "profile", AttributeDataType: "String", Mutable: true},
	{Name: "picture", AttributeDataType: "String", Mutable: true},
	{Name: "website", AttributeDataType: "String", Mutable: true},
	{Name: "email", AttributeDataType: "String", Mutable: true},
	{Name: "email_verified", AttributeDataType: "Boolean", Mutable: true},
	{Name: "gender", AttributeDataType: "String", Mutable: true},
	{Name: "birthdate", AttributeDataType: "String", Mutable: true},
	{Name: "zoneinfo", AttributeDataType: "String", Mutable: true},
	{Name: "locale", AttributeDataType: "String", Mutable: true},
	{Name: "phone_number", AttributeDataType: "String", Mutable: true},
	{Name: "phone_number_verified", AttributeDataType: "Boolean", Mutable: true},
	{Name: "address", AttributeDataType: "String", Mutable: true},
	{Name: "updated_at", AttributeDataType: "Number", Mutable: true},
	{Name: "identities", AttributeDataType: "String", Mutable: true},
}

// buildSchema merges the standard attributes with the requested schema
// (CreateUserPool); other names are custom attributes.
func buildSchema(in []SchemaAttribute) ([]SchemaAttribute, error) {
	out := append([]SchemaAttribute(nil), standardAttributes...)
	index := map[string]int{}
	for i, a := range out {
		index[a.Name] = i
	}
	for _, a := range in {
		if i, ok := index[a.Name]; ok && i < len(standardAttributes) { // a standard attribute, tuned
			if a.Name == "sub" {
				continue
			}
			out[i].Required = a.Required
			out[i].Mutable = a.Mutable
			out[i].StringAttributeConstraints = a.StringAttributeConstraints
			out[i].NumberAttributeConstraints = a.NumberAttributeConstraints
			continue
		}
		a = customAttribute(a)
		if _, dup := index[a.Name]; dup {
			return nil, Errorf(InvalidParameter, "Existing attribute already has name %s.", a.Name)
		}
		index[a.Name] = len(out)
		out = append(out, a)
	}
	return out, nil
}

// customAttribute is a schema attribute added beside the standard ones
// (CreateUserPool, AddCustomAttributes): its name gets Cognito's "custom:"
// prefix (given with or without it), its type defaults to String.
func customAttribute(a SchemaAttribute) SchemaAttribute {
	a.Name = "custom:" + strings.TrimPrefix(a.Name, "custom:")
	if a.AttributeDataType == "" {
		a.AttributeDataType = "String"
	}
	return a
}

func schemaAttribute(p *Pool, name string) (SchemaAttribute, bool) {
	for _, a := range p.Schema {
		if a.Name == name {
			return a, true
		}
	}
	if len(p.Schema) == 0 { // pools stored before schemas existed
		for _, a := range standardAttributes {
			if a.Name == name {
				return a, true
			}
		}
	}
	return SchemaAttribute{}, false
}

// checkAttributes validates names against the pool's schema.
func checkAttributes(p *Pool, attrs []Attribute, creating bool) error {
	for _, a := range attrs {
		sa, ok := schemaAttribute(p, a.Name)
		if !ok {
			return Errorf(InvalidParameter, "Attributes did not conform to the schema: Type for attribute {%s} could not be determined", a.Name)
		}
		if a.Name == "sub" || (!creating && !sa.Mutable) {
			return Errorf(InvalidParameter, "Attributes did not conform to the schema: %s: Attribute cannot be updated. (changing an immutable attribute)", a.Name)
		}
		if sa.AttributeDataType == "Boolean" && a.Value != "true" && a.Value != "false" {
			return Errorf(InvalidParameter, "Attributes did not conform to the schema: %s: Attribute value must be a boolean", a.Name)
		}
	}
	return nil
}

// missingRequiredAttributes names the attributes the pool's schema requires
// (sub aside: Cognate sets it) that attrs lacks, in schema order. SignUp
// refuses a user without them, NEW_PASSWORD_REQUIRED lists them in its
// challenge and refuses the answer until they are given.
func missingRequiredAttributes(p *Pool, attrs []Attribute) []string {
	have := User{Attributes: attrs}
	var missing []string
	for _, sa := range p.Schema {
		if !sa.Required || sa.Name == "sub" {
			continue
		}
		if _, ok := have.Attribute(sa.Name); !ok {
			missing = append(missing, sa.Name)
		}
	}
	return missing
}
