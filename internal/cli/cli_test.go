package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
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

// awsSkeletonsScript runs the AWS CLI's own driver (what the `aws` script's
// main does) once per operation named in argv, each skeleton followed by a
// NUL byte.
const awsSkeletonsScript = `import sys, awscli.clidriver
for op in sys.argv[1:]:
    rc = awscli.clidriver.create_clidriver().main(["cognito-idp", op, "--generate-cli-skeleton"])
    sys.stdout.flush()
    if rc != 0:
        sys.exit(rc)
    sys.stdout.write("\0")
`

// awsSkeletons asks the AWS CLI for the input skeletons of ops. Each `aws`
// process spends ≈0.6 s of CPU starting Python and loading botocore, so
// when the interpreter that runs `aws` (its shebang's, else python3) has
// the awscli package, one process serves every operation; otherwise (the
// AWS CLI v2's frozen binary, say) it runs `aws` once per operation.
func awsSkeletons(t *testing.T, ops []string) [][]byte {
	path, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("aws CLI not installed")
	}
	python := []string{"python3"}
	if f, err := os.Open(path); err == nil {
		head := make([]byte, 256)
		n, _ := f.Read(head)
		f.Close()
		if line, _, _ := bytes.Cut(head[:n], []byte("\n")); bytes.HasPrefix(line, []byte("#!")) && bytes.Contains(line, []byte("python")) {
			python = strings.Fields(string(line[2:]))
		}
	}
	var kebab []string
	for _, op := range ops {
		kebab = append(kebab, Kebab(op))
	}
	args := append(append(python[1:], "-c", awsSkeletonsScript), kebab...)
	if out, err := exec.Command(python[0], args...).Output(); err == nil {
		if parts := bytes.Split(out, []byte{0}); len(parts) == len(ops)+1 {
			return parts[:len(ops)]
		}
	}
	var skeletons [][]byte
	for _, op := range kebab {
		out, err := exec.Command("aws", "cognito-idp", op, "--generate-cli-skeleton").Output()
		if err != nil {
			t.Fatalf("aws %s: %v", op, err)
		}
		skeletons = append(skeletons, out)
	}
	return skeletons
}

// The input skeletons match the AWS CLI's, operation by operation.
func TestInputSkeletonsMatchTheAWSCLI(t *testing.T) {
	m := awsmodel.Default()
	names := []string{"AdminUserGlobalSignOut", "AdminCreateUser", "CreateUserPoolClient", "InitiateAuth", "ListUsers", "CreateUserPool"}
	skeletons := awsSkeletons(t, names)
	for i, name := range names {
		op, _ := m.Operation(name)
		var ours bytes.Buffer
		if code := Run(context.Background(), op, []string{"--generate-cli-skeleton"}, &ours, &bytes.Buffer{}); code != 0 {
			t.Fatalf("%s: exit %d", name, code)
		}
		theirs := skeletons[i]
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
