package e2e

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/golang-jwt/jwt/v5"

	"github.com/cognate/cognate/internal/lambda/lambdatest"
)

func TestLambdaPreTokenExample(t *testing.T) {
	t.Parallel()
	fn := startLambda(t, "../examples/triggers/pretokengen")
	s := StartServerWithLambdas(t, map[string]*lambdatest.Function{lambdaARN("pretokengen"): fn})
	f := poolFixture(t, s, &cip.CreateUserPoolInput{PoolName: aws.String("pt"),
		LambdaConfig: &types.LambdaConfigType{PreTokenGenerationConfig: &types.PreTokenGenerationVersionConfigType{
			LambdaArn: aws.String(lambdaARN("pretokengen")), LambdaVersion: types.PreTokenGenerationLambdaVersionTypeV20}}}, nil)
	f.addUser(t, "alice", testPassword)
	res := f.signIn(t, "alice", testPassword)
	for _, tok := range []string{*res.IdToken, *res.AccessToken} {
		claims := jwt.MapClaims{}
		if _, _, err := jwt.NewParser().ParseUnverified(tok, claims); err != nil {
			t.Fatal(err)
		}
		t.Logf("tenant=%v scope=%v", claims["tenant"], claims["scope"])
		if claims["tenant"] != "default" {
			t.Errorf("claims %v", claims)
		}
	}
}
