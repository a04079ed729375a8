package awsjson

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/cognate/cognate/internal/awsmodel"
)

func TestCheckOutput(t *testing.T) {
	cases := []struct {
		name, op string
		body     any
		want     []string // nil: conforms
	}{
		{"pool conforms", "DescribeUserPool",
			`{"UserPool":{"Id":"us-east-1_a","CreationDate":1.7e9,"Policies":{"PasswordPolicy":{"MinimumLength":8,"RequireSymbols":true}},` +
				`"MfaConfiguration":"OFF","SchemaAttributes":[{"Name":"email","Mutable":true}],"UserPoolTags":{"k":"v"}}}`, nil},
		{"wrong integer", "DescribeUserPool",
			`{"UserPool":{"Policies":{"PasswordPolicy":{"MinimumLength":"8"}}}}`,
			[]string{"UserPool.Policies.PasswordPolicy.MinimumLength: want integer, got string"}},
		{"member not in the model", "DescribeUserPool",
			`{"UserPool":{"Id":"us-east-1_a","SoftwareTokenMfaEnabled":true}}`,
			[]string{"UserPool.SoftwareTokenMfaEnabled: not a member of UserPoolType"}},
		{"timestamp as a string", "DescribeUserPool", `{"UserPool":{"CreationDate":"2026-01-01T00:00:00Z"}}`,
			[]string{"UserPool.CreationDate: want timestamp (epoch seconds), got string"}},
		{"boolean as a string", "DescribeUserPool", `{"UserPool":{"Policies":{"PasswordPolicy":{"RequireSymbols":"true"}}}}`,
			[]string{"UserPool.Policies.PasswordPolicy.RequireSymbols: want boolean, got string"}},
		{"fraction for integer", "DescribeUserPool", `{"UserPool":{"EstimatedNumberOfUsers":1.5}}`,
			[]string{"UserPool.EstimatedNumberOfUsers: want integer, got number 1.5"}},
		{"integer overflow", "DescribeUserPool", `{"UserPool":{"EstimatedNumberOfUsers":3000000000}}`,
			[]string{"UserPool.EstimatedNumberOfUsers: want integer, got number 3000000000"}},
		{"device timestamps", "AdminListDevices",
			`{"Devices":[{"DeviceKey":"k","DeviceCreateDate":1.7e9}]}`, nil},
		{"enum", "DescribeUserPool", `{"UserPool":{"MfaConfiguration":"SOMETIMES"}}`,
			[]string{`UserPool.MfaConfiguration: "SOMETIMES" is not in UserPoolMfaType's enum [OFF, ON, OPTIONAL]`}},
		{"list element and required member", "ListUsers",
			`{"Users":[{"Username":"a","Attributes":[{"Value":"x"},{"Name":"sub","Value":5}]}]}`,
			[]string{"Users[0].Attributes[0].Name: missing, but AttributeType requires it",
				"Users[0].Attributes[1].Value: want string, got number 5"}},
		{"list as an object", "ListUsers", `{"Users":{}}`, []string{"Users: want list, got object"}},
		{"structure as a list", "DescribeUserPool", `{"UserPool":[]}`, []string{"UserPool: want structure, got array"}},
		{"map value", "InitiateAuth", `{"ChallengeName":"PASSWORD_VERIFIER","ChallengeParameters":{"SALT":"ab","SRP_B":7}}`,
			[]string{"ChallengeParameters.SRP_B: want string, got number 7"}},
		{"map as a list", "InitiateAuth", `{"ChallengeParameters":[]}`, []string{"ChallengeParameters: want map, got array"}},
		{"null member", "AdminGetUser", `{"Username":"a","UserAttributes":null}`,
			[]string{"UserAttributes: want list, got null"}},
		{"no output shape answers {}", "AdminDeleteUser", `{}`, nil},
		{"no output shape, members", "AdminDeleteUser", `{"Deleted":true}`,
			[]string{"Deleted: not a member of (no output)"}},
		{"go value", "AdminGetUser", map[string]any{"Username": "a", "Enabled": "yes"},
			[]string{"Enabled: want boolean, got string"}},
		{"nil value is {}", "AdminDeleteUser", nil, nil},
		{"not JSON", "AdminGetUser", []byte(`{"Username":`), []string{"(root): not JSON: unexpected EOF"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body := c.body
			if s, ok := body.(string); ok {
				body = []byte(s)
			}
			err := CheckOutput(op(t, c.op), body)
			var got []string
			if err != nil {
				var mm *OutputMismatch
				if !errors.As(err, &mm) {
					t.Fatalf("error %T, want *OutputMismatch", err)
				}
				if mm.Operation != c.op {
					t.Errorf("operation %q, want %q", mm.Operation, c.op)
				}
				got = mm.Violations
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("violations\n got %q\nwant %q", got, c.want)
			}
		})
	}
}

func TestCheckOutputBlob(t *testing.T) {
	// The model's blobs (AssetBytesType, ImageFileType) sit in managed
	// login branding, which Cognate does not serve: a synthetic shape.
	blob := &awsmodel.Shape{Name: "AssetBytesType", Type: "blob"}
	w := &outputWalk{}
	w.value(blob, "aGk=", "Bytes")
	w.value(blob, "not base64!", "Bytes")
	w.value(blob, json.Number("5"), "Bytes")
	want := []string{"Bytes: want blob (base64), got a string that is not base64", "Bytes: want blob, got number 5"}
	if !slices.Equal(w.found, want) {
		t.Errorf("got %q, want %q", w.found, want)
	}
}

// BenchmarkCheckOutput is what COGNATE_CHECK_WIRE=1 adds to a sign-in's
// answer (besides one json.Marshal that WriteResult would do anyway).
func BenchmarkCheckOutput(b *testing.B) {
	body := []byte(`{"ChallengeParameters":{},"AuthenticationResult":{"AccessToken":"` + strings.Repeat("a", 900) +
		`","ExpiresIn":3600,"TokenType":"Bearer","RefreshToken":"` + strings.Repeat("r", 1700) + `","IdToken":"` + strings.Repeat("i", 1100) + `"}}`)
	o := op(b, "InitiateAuth")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if err := CheckOutput(o, body); err != nil {
			b.Fatal(err)
		}
	}
}
