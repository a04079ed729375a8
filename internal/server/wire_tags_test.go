package server_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// A pool's tags through TagResource, UntagResource and ListTagsForResource
// are the UserPoolTags that CreateUserPool set and DescribeUserPool shows.
func TestPoolTagsByARN(t *testing.T) {
	t.Parallel() // each test owns its server and store
	w := newWire(t)
	poolID := w.pool("tagged", func(in *cip.CreateUserPoolInput) { in.UserPoolTags = map[string]string{"team": "a"} })
	d, err := w.api.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: &poolID})
	w.check(err)
	arn := d.UserPool.Arn

	tags := func() map[string]string {
		t.Helper()
		out, err := w.api.ListTagsForResource(ctx, &cip.ListTagsForResourceInput{ResourceArn: arn})
		w.check(err)
		return out.Tags
	}
	if got := tags(); !maps.Equal(got, map[string]string{"team": "a"}) {
		t.Fatalf("tags of a new pool: %v", got)
	}
	w.ok(w.api.TagResource(ctx, &cip.TagResourceInput{ResourceArn: arn, Tags: map[string]string{"team": "b", "env": "ci"}}))
	if got := tags(); !maps.Equal(got, map[string]string{"team": "b", "env": "ci"}) {
		t.Fatalf("after TagResource: %v", got)
	}
	d, err = w.api.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: &poolID})
	w.check(err)
	if !maps.Equal(d.UserPool.UserPoolTags, map[string]string{"team": "b", "env": "ci"}) {
		t.Fatalf("DescribeUserPool's UserPoolTags: %v", d.UserPool.UserPoolTags)
	}
	w.ok(w.api.UntagResource(ctx, &cip.UntagResourceInput{ResourceArn: arn, TagKeys: []string{"team", "never-set"}}))
	if got := tags(); !maps.Equal(got, map[string]string{"env": "ci"}) {
		t.Fatalf("after UntagResource: %v", got)
	}
	w.ok(w.api.UntagResource(ctx, &cip.UntagResourceInput{ResourceArn: arn, TagKeys: []string{"env"}}))
	if got := tags(); got == nil || len(got) != 0 {
		t.Fatalf("no tags left should list as {}: %#v", got)
	}

	_, err = w.api.TagResource(ctx, &cip.TagResourceInput{ResourceArn: arn, Tags: map[string]string{"aws:cloudformation:stack-name": "x"}})
	wantAPIError(t, err, "InvalidParameterException", "Tag keys starting with aws: are reserved for use by AWS: aws:cloudformation:stack-name.")
	many := map[string]string{}
	for i := range 51 {
		many[string(rune('a'+i/26))+string(rune('a'+i%26))] = "v"
	}
	_, err = w.api.TagResource(ctx, &cip.TagResourceInput{ResourceArn: arn, Tags: many})
	wantAPIError(t, err, "InvalidParameterException", "A user pool can have at most 50 tags; this request would leave it 51.")

	missing := "arn:aws:cognito-idp:us-east-1:" + accountOf(*arn) + ":userpool/us-east-1_nothere"
	_, err = w.api.ListTagsForResource(ctx, &cip.ListTagsForResourceInput{ResourceArn: &missing})
	wantAPIError(t, err, "ResourceNotFoundException", "User pool us-east-1_nothere does not exist.")
	otherAccount := "arn:aws:cognito-idp:us-east-1:999999999999:userpool/" + poolID
	_, err = w.api.TagResource(ctx, &cip.TagResourceInput{ResourceArn: &otherAccount, Tags: map[string]string{"k": "v"}})
	wantAPIError(t, err, "ResourceNotFoundException", "User pool "+poolID+" does not exist.")
	notAPool := "arn:aws:s3:us-east-1:123456789012:bucket/" + poolID
	_, err = w.api.UntagResource(ctx, &cip.UntagResourceInput{ResourceArn: &notAPool, TagKeys: []string{"k"}})
	wantAPIError(t, err, "InvalidParameterException", notAPool+" is not a valid user pool ARN.")
}

func accountOf(arn string) string { return strings.Split(arn, ":")[4] }

// GetCSVHeader lists the import file's columns in Cognito's order: the
// standard attributes without sub and identities, custom ones after
// them, then cognito:mfa_enabled and cognito:username.
func TestCSVHeaderFollowsTheSchema(t *testing.T) {
	t.Parallel() // each test owns its server and store
	w := newWire(t)
	poolID := w.pool("import", func(in *cip.CreateUserPoolInput) {
		in.Schema = []types.SchemaAttributeType{{Name: aws.String("joinedOn"), AttributeDataType: types.AttributeDataTypeString}}
	})
	out, err := w.api.GetCSVHeader(ctx, &cip.GetCSVHeaderInput{UserPoolId: &poolID})
	w.check(err)
	want := []string{"name", "given_name", "family_name", "middle_name", "nickname", "preferred_username", "profile", "picture",
		"website", "email", "email_verified", "gender", "birthdate", "zoneinfo", "locale", "phone_number", "phone_number_verified",
		"address", "updated_at", "custom:joinedOn", "cognito:mfa_enabled", "cognito:username"}
	if !slices.Equal(out.CSVHeader, want) || *out.UserPoolId != poolID {
		t.Fatalf("GetCSVHeader:\n got %q\nwant %q", out.CSVHeader, want)
	}
	_, err = w.api.GetCSVHeader(ctx, &cip.GetCSVHeaderInput{UserPoolId: aws.String("us-east-1_nothere")})
	wantAPIError(t, err, "ResourceNotFoundException", "User pool us-east-1_nothere does not exist.")
}
