package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"testing"

	"github.com/cognate/cognate/internal/awsmodel"
)

func TestKebab(t *testing.T) {
	for in, want := range map[string]string{
		"UserPoolId": "user-pool-id", "AdminUserGlobalSignOut": "admin-user-global-sign-out", "MFAOptions": "mfa-options",
		"CallbackURLs": "callback-urls", "AWSAccountId": "aws-account-id", "Username": "username", "IdTokenValidity": "id-token-validity",
		"RespondToAuthChallenge": "respond-to-auth-challenge", "SMSMfaSettings": "sms-mfa-settings",
	} {
		if got := Kebab(in); got != want {
			t.Errorf("Kebab(%s) = %s, want %s", in, got, want)
		}
	}
}

// shapeOf replaces leaf values by their JSON type, so that skeletons are
// compared by structure (the AWS CLI picks enum placeholders at random).
func shapeOf(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			out[k] = shapeOf(e)
		}
		return out
	case []any:
		var out []any
		for _, e := range x {
			out = append(out, shapeOf(e))
		}
		return out
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "bool"
	}
	return nil
}

// The input skeletons match the AWS CLI's, operation by operation.
func TestInputSkeletonsMatchTheAWSCLI(t *testing.T) {
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("aws CLI not installed")
	}
	m := awsmodel.Default()
	for _, name := range []string{"AdminUserGlobalSignOut", "AdminCreateUser", "CreateUserPoolClient", "InitiateAuth", "ListUsers", "CreateUserPool"} {
		op, _ := m.Operation(name)
		var ours bytes.Buffer
		if code := Run(context.Background(), op, []string{"--generate-cli-skeleton"}, &ours, &bytes.Buffer{}); code != 0 {
			t.Fatalf("%s: exit %d", name, code)
		}
		theirs, err := exec.Command("aws", "cognito-idp", Kebab(name), "--generate-cli-skeleton").Output()
		if err != nil {
			t.Fatalf("aws %s: %v", Kebab(name), err)
		}
		var a, b any
		json.Unmarshal(ours.Bytes(), &a)
		json.Unmarshal(theirs, &b)
		aj, _ := json.Marshal(shapeOf(a))
		bj, _ := json.Marshal(shapeOf(b))
		if !bytes.Equal(aj, bj) {
			t.Errorf("%s skeleton differs:\nours   %s\ntheirs %s", name, aj, bj)
		}
	}
	// The exact text of the seed's example.
	op, _ := m.Operation("AdminUserGlobalSignOut")
	var out bytes.Buffer
	Run(context.Background(), op, []string{"--generate-cli-skeleton", "input"}, &out, &bytes.Buffer{})
	if out.String() != "{\n    \"UserPoolId\": \"\",\n    \"Username\": \"\"\n}\n" {
		t.Fatalf("skeleton text %q", out.String())
	}
}

func TestArgumentParsing(t *testing.T) {
	op, _ := awsmodel.Default().Operation("AdminCreateUser")
	_, params, err := parseArgs(op, []string{"--user-pool-id", "us-east-1_a", "--username", "bob",
		"--user-attributes", "Name=email,Value=b@x", "Name=name,Value=Bob", "--desired-delivery-mediums", "EMAIL", "SMS",
		"--force-alias-creation", "--client-metadata", `{"k":"v"}`})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(params)
	want := `{"ClientMetadata":{"k":"v"},"DesiredDeliveryMediums":["EMAIL","SMS"],"ForceAliasCreation":true,` +
		`"UserAttributes":[{"Name":"email","Value":"b@x"},{"Name":"name","Value":"Bob"}],"UserPoolId":"us-east-1_a","Username":"bob"}`
	if string(got) != want {
		t.Fatalf("params\n got %s\nwant %s", got, want)
	}
	_, params, _ = parseArgs(op, []string{"--no-force-alias-creation"})
	if params["ForceAliasCreation"] != false {
		t.Fatalf("--no- flag: %v", params)
	}
	if _, _, err := parseArgs(op, []string{"--bogus", "1"}); err == nil || err.Error() != "Unknown options: --bogus, 1" {
		t.Fatalf("unknown option: %v", err)
	}
	lp, _ := awsmodel.Default().Operation("ListUserPools")
	if _, _, err := parseArgs(lp, []string{"--max-results", "ten"}); err == nil {
		t.Fatal("a non-integer was accepted")
	}
}

// TestKebabMatchesBotocore compares every operation and member name with
// botocore's xform_name, when python3 and botocore are on the machine.
func TestKebabMatchesBotocore(t *testing.T) {
	script := `import json,gzip,os,botocore
from botocore import xform_name
m=json.load(gzip.open(os.path.join(os.path.dirname(botocore.__file__),'data/cognito-idp/2016-04-18/service-2.json.gz')))
names=set(m['operations'])
for s in m['shapes'].values(): names.update(s.get('members',{}).keys())
print(json.dumps({n: xform_name(n,'-') for n in names}))`
	out, err := exec.Command("python3", "-c", script).Output()
	if err != nil {
		t.Skip("python3 with botocore not available")
	}
	var want map[string]string
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatal(err)
	}
	for name, w := range want {
		if got := Kebab(name); got != w {
			t.Errorf("Kebab(%s) = %s, botocore says %s", name, got, w)
		}
	}
}
