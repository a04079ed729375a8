package userpool

import "testing"

func TestCheckSelfWrite(t *testing.T) {
	pool := &Pool{Schema: standardAttributes}
	pool.Schema = append(pool.Schema, SchemaAttribute{Name: "custom:team", AttributeDataType: "String", Mutable: true})
	open := &Client{}
	narrow := &Client{Settings: ClientSettings{WriteAttributes: []string{"given_name", "email"}}}
	listsFlag := &Client{Settings: ClientSettings{WriteAttributes: []string{"email", "email_verified"}}}
	const refused = "A client attempted to write unauthorized attribute"
	cases := []struct {
		name     string
		client   *Client
		attrs    []Attribute
		creating bool
		wantType string // "" = accepted
		wantMsg  string
	}{
		{"default client writes a standard attribute", open, []Attribute{{"email", "a@example.com"}}, false, "", ""},
		{"default client writes a custom attribute", open, []Attribute{{"custom:team", "red"}}, false, "", ""},
		{"email_verified never", open, []Attribute{{"email_verified", "true"}}, false, NotAuthorized, refused},
		{"phone_number_verified never", open, []Attribute{{"phone_number", "+15550100"}, {"phone_number_verified", "true"}}, false, NotAuthorized, refused},
		{"verified flag at sign-up", open, []Attribute{{"email", "a@example.com"}, {"email_verified", "true"}}, true, NotAuthorized, refused},
		{"setting it false is a write too", open, []Attribute{{"email_verified", "false"}}, false, NotAuthorized, refused},
		{"listed flag is still refused", listsFlag, []Attribute{{"email_verified", "true"}}, false, NotAuthorized, refused},
		{"narrow client, listed", narrow, []Attribute{{"given_name", "A"}, {"email", "a@example.com"}}, false, "", ""},
		{"narrow client, unlisted", narrow, []Attribute{{"given_name", "A"}, {"family_name", "B"}}, false, NotAuthorized, refused},
		{"narrow client, unlisted custom", narrow, []Attribute{{"custom:team", "red"}}, true, NotAuthorized, refused},
		{"schema errors come first", narrow, []Attribute{{"nope", "x"}}, false, InvalidParameter,
			"Attributes did not conform to the schema: Type for attribute {nope} could not be determined"},
		{"sub stays a schema error", open, []Attribute{{"sub", "x"}}, false, InvalidParameter,
			"Attributes did not conform to the schema: sub: Attribute cannot be updated. (changing an immutable attribute)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := checkSelfWrite(pool, c.client, c.attrs, c.creating)
			if c.wantType == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if ErrorType(err) != c.wantType || ErrorMessage(err) != c.wantMsg {
				t.Fatalf("got %v, want %s %q", err, c.wantType, c.wantMsg)
			}
		})
	}
}
