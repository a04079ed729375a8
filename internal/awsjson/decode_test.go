package awsjson

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cognate/cognate/internal/awsmodel"
	"github.com/cognate/cognate/internal/userpool"
)

func op(t testing.TB, name string) *awsmodel.Operation {
	o, ok := awsmodel.Default().Operation(name)
	if !ok {
		t.Fatalf("no operation %s", name)
	}
	return o
}

func TestDecode(t *testing.T) {
	cases := []struct {
		name, op, body string
		wantType       string
		wantMsg        string
	}{
		{"ok", "AdminGetUser", `{"UserPoolId":"us-east-1_abc","Username":"alice"}`, "", ""},
		{"empty body", "AdminGetUser", ``, userpool.InvalidParameter,
			"2 validation errors detected: Value null at 'userPoolId' failed to satisfy constraint: Member must not be null; Value null at 'username' failed to satisfy constraint: Member must not be null"},
		{"pattern", "AdminGetUser", `{"UserPoolId":"bad pool","Username":"alice"}`, userpool.InvalidParameter,
			`1 validation error detected: Value 'bad pool' at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w-]+_[0-9a-zA-Z]+`},
		{"sensitive value hidden", "AdminGetUser", `{"UserPoolId":"us-east-1_abc","Username":""}`, userpool.InvalidParameter,
			"2 validation errors detected: Value at 'username' failed to satisfy constraint: Member must have length greater than or equal to 1; Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+"},
		{"enum", "InitiateAuth", `{"ClientId":"abc","AuthFlow":"NOPE"}`, userpool.InvalidParameter,
			"1 validation error detected: Value 'NOPE' at 'authFlow' failed to satisfy constraint: Member must satisfy enum value set: [USER_SRP_AUTH, REFRESH_TOKEN_AUTH, REFRESH_TOKEN, CUSTOM_AUTH, ADMIN_NO_SRP_AUTH, USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, USER_AUTH]"},
		{"range", "ListUserPools", `{"MaxResults":0}`, userpool.InvalidParameter,
			"1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"nested list path", "AdminCreateUser", `{"UserPoolId":"us-east-1_a","Username":"u","UserAttributes":[{"Name":"","Value":"x"}]}`, userpool.InvalidParameter,
			"2 validation errors detected: Value '' at 'userAttributes.1.member.name' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
				"Value '' at 'userAttributes.1.member.name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}\\t\\n\\r ]+"},
		{"null is absent", "AdminGetUser", `{"UserPoolId":null,"Username":"alice"}`, userpool.InvalidParameter,
			"1 validation error detected: Value null at 'userPoolId' failed to satisfy constraint: Member must not be null"},
		{"unknown members ignored", "AdminGetUser", `{"UserPoolId":"us-east-1_abc","Username":"a","Extra":[1,2]}`, "", ""},
		{"malformed", "AdminGetUser", `{"UserPoolId":`, userpool.SerializationError, ""},
		{"not an object", "AdminGetUser", `[1]`, userpool.SerializationError, ""},
		{"wrong type string", "AdminGetUser", `{"UserPoolId":5,"Username":"a"}`, userpool.SerializationError,
			"Unexpected value at 'UserPoolId': expected a string, got a number."},
		{"wrong type int", "ListUserPools", `{"MaxResults":"5"}`, userpool.SerializationError, ""},
		{"fraction for int", "ListUserPools", `{"MaxResults":1.5}`, userpool.SerializationError, ""},
		{"int overflow", "ListUserPools", `{"MaxResults":99999999999}`, userpool.SerializationError, ""},
		{"bool", "AdminSetUserPassword", `{"UserPoolId":"us-east-1_a","Username":"u","Password":"p","Permanent":"yes"}`, userpool.SerializationError, ""},
		{"invalid utf8", "AdminGetUser", "{\"UserPoolId\":\"\xff\"}", userpool.SerializationError, ""},
		{"deep nesting", "AdminGetUser", strings.Repeat("[", 100) + strings.Repeat("]", 100), userpool.SerializationError, ""},
		{"trailing data", "AdminGetUser", `{"UserPoolId":"us-east-1_a","Username":"u"} {}`, userpool.SerializationError, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var dst map[string]any
			err := Decode(op(t, c.op), []byte(c.body), &dst)
			if c.wantType == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if got := userpool.ErrorType(err); got != c.wantType {
				t.Fatalf("type %s (%v), want %s", got, err, c.wantType)
			}
			if c.wantMsg != "" && userpool.ErrorMessage(err) != c.wantMsg {
				t.Fatalf("message\n got %q\nwant %q", userpool.ErrorMessage(err), c.wantMsg)
			}
		})
	}
}

func TestDecodeIntoStruct(t *testing.T) {
	var in struct {
		UserPoolId string
		MaxResults int
	}
	if err := Decode(op(t, "ListUserPoolClients"), []byte(`{"UserPoolId":"us-east-1_a","MaxResults":5}`), &in); err != nil {
		t.Fatal(err)
	}
	if in.UserPoolId != "us-east-1_a" || in.MaxResults != 5 {
		t.Fatalf("%+v", in)
	}
}

func TestWriteError(t *testing.T) {
	w := httptest.NewRecorder()
	WriteError(w, "req-1", userpool.Errorf(userpool.NotAuthorized, "Incorrect username or password."))
	if w.Code != 400 || w.Header().Get("x-amzn-ErrorType") != "NotAuthorizedException:" ||
		w.Header().Get("x-amzn-RequestId") != "req-1" || w.Header().Get("Content-Type") != ContentType ||
		w.Header().Get("x-amzn-ErrorMessage") != "Incorrect username or password." {
		t.Fatalf("headers %v", w.Header())
	}
	if w.Body.String() != `{"__type":"NotAuthorizedException","message":"Incorrect username or password."}` {
		t.Fatalf("body %s", w.Body.String())
	}
	w = httptest.NewRecorder()
	WriteError(w, "req-2", errString("database is on fire"))
	if w.Code != 500 || strings.Contains(w.Body.String(), "fire") {
		t.Fatalf("internal error leaked or wrong status: %d %s", w.Code, w.Body.String())
	}
	w = httptest.NewRecorder()
	WriteResult(w, "req-3", nil)
	if w.Code != 200 || w.Body.String() != "{}" {
		t.Fatalf("empty result %d %s", w.Code, w.Body.String())
	}
}

type errString string

func (e errString) Error() string { return string(e) }

func FuzzDecode(f *testing.F) {
	f.Add("AdminGetUser", []byte(`{"UserPoolId":"us-east-1_abc","Username":"alice"}`))
	f.Add("AdminCreateUser", []byte(`{"UserPoolId":"us-east-1_a","Username":"u","UserAttributes":[{"Name":"email","Value":"x"}],"ClientMetadata":{"k":"v"}}`))
	f.Add("InitiateAuth", []byte(`{"ClientId":"c","AuthFlow":"USER_PASSWORD_AUTH","AuthParameters":{"USERNAME":"a"}}`))
	f.Add("CreateUserPool", []byte(`{"PoolName":"p","Policies":{"PasswordPolicy":{"MinimumLength":8}},"Schema":[{"Name":"x"}]}`))
	f.Add("ListUserPools", []byte(`{"MaxResults":1e400}`))
	f.Add("GetUser", []byte("{\"AccessToken\":\"\\ud800\"}"))
	names := []string{}
	for _, o := range awsmodel.Default().Operations() {
		names = append(names, o.Name)
	}
	f.Fuzz(func(t *testing.T, name string, body []byte) {
		o, ok := awsmodel.Default().Operation(name)
		if !ok {
			o, _ = awsmodel.Default().Operation(names[len(name)%len(names)])
		}
		var dst map[string]any
		err := Decode(o, body, &dst)
		if err != nil {
			typ := userpool.ErrorType(err)
			if typ != userpool.SerializationError && typ != userpool.InvalidParameter {
				t.Fatalf("unexpected error type %s: %v", typ, err)
			}
		}
	})
}
