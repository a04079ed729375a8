package userpool

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
