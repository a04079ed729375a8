package main

import (
	"crypto/rsa"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cognate/cognate/internal/token"
)

type oneKey struct{ k *token.Key }

func (o oneKey) PublicKey(kid string) (*rsa.PublicKey, token.Use, bool) {
	return &o.k.Private.PublicKey, o.k.Use, kid == o.k.Kid
}

func post(h http.Handler, target, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService."+target)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// The two auth calls are answered here with two tokens signed by the
// handler's key; every other call reaches the upstream.
func TestSignsAuthAndForwardsTheRest(t *testing.T) {
	var forwarded []string
	h, err := newHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		forwarded = append(forwarded, r.Header.Get("X-Amz-Target")+" "+string(body))
	}))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ target, flow string }{
		{"AdminInitiateAuth", "ADMIN_USER_PASSWORD_AUTH"},
		{"InitiateAuth", "REFRESH_TOKEN_AUTH"},
	} {
		rec := post(h, c.target, `{"UserPoolId":"us-east-1_x","ClientId":"c","AuthFlow":"`+c.flow+`","AuthParameters":{"USERNAME":"alice"}}`)
		var out struct{ AuthenticationResult map[string]any }
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || rec.Code != 200 {
			t.Fatalf("%s: %d %s", c.flow, rec.Code, rec.Body)
		}
		for _, name := range []string{"AccessToken", "IdToken"} {
			tok, _ := out.AuthenticationResult[name].(string)
			if _, _, err := token.Verify(tok, oneKey{h.key}); err != nil {
				t.Errorf("%s %s: %v", c.flow, name, err)
			}
		}
		if _, ok := out.AuthenticationResult["RefreshToken"]; ok != (c.flow == "ADMIN_USER_PASSWORD_AUTH") {
			t.Errorf("%s: refresh token present = %v", c.flow, ok)
		}
	}
	post(h, "CreateUserPool", `{"PoolName":"p"}`)
	post(h, "InitiateAuth", `{"AuthFlow":"USER_SRP_AUTH"}`)
	if want := `AWSCognitoIdentityProviderService.CreateUserPool {"PoolName":"p"},AWSCognitoIdentityProviderService.InitiateAuth {"AuthFlow":"USER_SRP_AUTH"}`; strings.Join(forwarded, ",") != want {
		t.Errorf("forwarded %v, want %s", forwarded, want)
	}
}
