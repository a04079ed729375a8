package e2e

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// AdminCreateUser through aws-sdk-go-v2 invites the user: the pool's
// template with the user name and temporary password lands in the outbox
// (`cognate outbox`), and that password signs in (NEW_PASSWORD_REQUIRED);
// RESEND sends a new one that replaces it; SUPPRESS sends nothing; an SMS
// invitation to a user with only an email is refused.
func TestInvitation(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	f := poolFixture(t, s, &cip.CreateUserPoolInput{PoolName: aws.String("invite"),
		AdminCreateUserConfig: &types.AdminCreateUserConfigType{InviteMessageTemplate: &types.MessageTemplateType{
			EmailMessage: aws.String("Hi {username}, your temporary password is {####}"), EmailSubject: aws.String("Welcome"),
			SMSMessage: aws.String("{username}: {####}")}}}, nil)
	ctx := context.Background()
	create := func(name string, action types.MessageActionType, mediums ...types.DeliveryMediumType) error {
		_, err := f.api.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &f.PoolID, Username: aws.String(name),
			MessageAction: action, DesiredDeliveryMediums: mediums,
			UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(name + "@example.com")}}})
		return err
	}
	signIn := func(name, password string) (*cip.InitiateAuthOutput, error) {
		return f.api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &f.ClientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
			AuthParameters: map[string]string{"USERNAME": name, "PASSWORD": password}})
	}

	if err := create("ann", "", types.DeliveryMediumTypeEmail); err != nil {
		t.Fatal(err)
	}
	msgs := outboxMessages(t, s, f.PoolID, "ann")
	if len(msgs) != 1 || msgs[0].Purpose != "invitation" || msgs[0].Message != "Hi ann, your temporary password is "+msgs[0].Code {
		t.Fatalf("outbox %+v", msgs)
	}
	if out, err := signIn("ann", msgs[0].Code); err != nil || out.ChallengeName != types.ChallengeNameTypeNewPasswordRequired {
		t.Fatalf("sign-in with the invitation's password: %+v, %v", out, err)
	}

	if err := create("ann", types.MessageActionTypeResend, types.DeliveryMediumTypeEmail); err != nil {
		t.Fatal(err)
	}
	again := outboxMessages(t, s, f.PoolID, "ann")
	if len(again) != 2 || again[1].Code == msgs[0].Code {
		t.Fatalf("after RESEND: %+v", again)
	}
	_, err := signIn("ann", msgs[0].Code)
	expectAPIError(t, err, "NotAuthorizedException", "Incorrect username or password.")
	if out, err := signIn("ann", again[1].Code); err != nil || out.ChallengeName != types.ChallengeNameTypeNewPasswordRequired {
		t.Fatalf("sign-in with the resent password: %+v, %v", out, err)
	}

	if err := create("quiet", types.MessageActionTypeSuppress); err != nil {
		t.Fatal(err)
	}
	if msgs := outboxMessages(t, s, f.PoolID, "quiet"); len(msgs) != 0 {
		t.Fatalf("SUPPRESS sent %+v", msgs)
	}
	expectAPIError(t, create("sms", ""), "InvalidParameterException", "User has no attribute matching desired delivery mediums")
}
