package sigv4

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/cognate/cognate/internal/userpool"
)

const (
	exampleKey    = "AKIDEXAMPLE"
	exampleSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	vectorBody    = `{"UserPoolId": "us-east-1_EXAMPLE1", "Username": "alice"}`
	vectorSig     = "5ebd63c728b3a00fc02ffc76df005838a988258b1e77f374786674543f10f6a7"
)

var vectorTime = time.Date(2024, 1, 15, 12, 0, 0, 0, time.UTC)

func verifier(now time.Time) *Verifier {
	return &Verifier{Keys: StaticKeyring{exampleKey: {AccessKeyID: exampleKey, SecretAccessKey: exampleSecret, Name: "example"}},
		Now: func() time.Time { return now }}
}

// vectorRequest is the request of spec/sigv4.md §6 as a server receives it.
func vectorRequest(sig string) (*http.Request, []byte) {
	body := []byte(vectorBody)
	r := httptest.NewRequest("POST", "https://cognito-idp.us-east-1.amazonaws.com/", bytes.NewReader(body))
	r.Host = "cognito-idp.us-east-1.amazonaws.com"
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	r.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService.AdminUserGlobalSignOut")
	r.Header.Set("X-Amz-Date", "20240115T120000Z")
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240115/us-east-1/cognito-idp/aws4_request, "+
		"SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature="+sig)
	return r, body
}

func TestSpecVector(t *testing.T) {
	r, body := vectorRequest(vectorSig)
	res, err := verifier(vectorTime.Add(time.Minute)).Verify(r, body)
	if err != nil {
		t.Fatalf("spec vector rejected: %v", err)
	}
	if res.Region != "us-east-1" || res.Principal.AccessKeyID != exampleKey || res.Principal.Name != "example" {
		t.Fatalf("result %+v", res)
	}
	flipped := []byte(vectorSig)
	flipped[10] = 'f'
	if flipped[10] == vectorSig[10] {
		flipped[10] = '0'
	}
	r, body = vectorRequest(string(flipped))
	_, err = verifier(vectorTime).Verify(r, body)
	expect(t, err, userpool.InvalidSignature, msgNoMatch)
}

func expect(t *testing.T, err error, typ, msg string) {
	t.Helper()
	if userpool.ErrorType(err) != typ || (msg != "" && userpool.ErrorMessage(err) != msg) {
		t.Fatalf("got %v\nwant %s: %s", err, typ, msg)
	}
}

// signed builds a request signed by aws-sdk-go-v2 with the given headers.
func signed(t *testing.T, extra map[string]string, secret, session string, at time.Time, contentLength bool) (*http.Request, []byte) {
	t.Helper()
	body := []byte(`{"UserPoolId":"us-east-1_abc","Username":"bob"}`)
	r, _ := http.NewRequest("POST", "http://127.0.0.1:9229/", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	r.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService.AdminGetUser")
	for k, v := range extra {
		r.Header.Set(k, v)
	}
	if !contentLength {
		r.ContentLength = 0
	}
	sum := sha256.Sum256(body)
	err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: exampleKey, SecretAccessKey: secret, SessionToken: session},
		r, hex.EncodeToString(sum[:]), "cognito-idp", "eu-west-1", at)
	if err != nil {
		t.Fatal(err)
	}
	// What the server sees: Host from the URL, Content-Length as sent.
	r.Host = "127.0.0.1:9229"
	r.ContentLength = int64(len(body))
	return r, body
}

func TestSDKHeaderSets(t *testing.T) {
	cases := map[string]struct {
		extra         map[string]string
		session       string
		contentLength bool
	}{
		"botocore": {nil, "", false},
		"go v2":    {map[string]string{"Amz-Sdk-Invocation-Id": "abc", "Amz-Sdk-Request": "attempt=1; max=3"}, "", true},
		"js v3": {map[string]string{"Amz-Sdk-Invocation-Id": "abc", "Amz-Sdk-Request": "attempt=1; max=3",
			"X-Amz-User-Agent": "aws-sdk-js/3", "X-Amz-Content-Sha256": "2ee0d4efc9eb0bde2e1e0b09b2b74e1e1ce78dc1b15c6c7e1f2e6e6a0e2ddc5c"}, "", true},
		"session token": {nil, "FQoGZXIvYXdzEXAMPLE", false},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			r, body := signed(t, c.extra, exampleSecret, c.session, vectorTime, c.contentLength)
			if h := r.Header.Get("X-Amz-Content-Sha256"); h != "" {
				sum := sha256.Sum256(body)
				r.Header.Set("X-Amz-Content-Sha256", hex.EncodeToString(sum[:]))
				// re-sign with the real hash header present
				r, body = signed(t, map[string]string{"Amz-Sdk-Invocation-Id": "abc", "Amz-Sdk-Request": "attempt=1; max=3",
					"X-Amz-User-Agent": "aws-sdk-js/3", "X-Amz-Content-Sha256": hex.EncodeToString(sum[:])}, exampleSecret, "", vectorTime, true)
			}
			res, err := verifier(vectorTime).Verify(r, body)
			if err != nil {
				t.Fatalf("rejected: %v\n%s", err, r.Header.Get("Authorization"))
			}
			if res.Region != "eu-west-1" {
				t.Fatalf("region %q", res.Region)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	good := func() (*http.Request, []byte) { return signed(t, nil, exampleSecret, "", vectorTime, false) }
	t.Run("missing header", func(t *testing.T) {
		r, body := good()
		r.Header.Del("Authorization")
		_, err := verifier(vectorTime).Verify(r, body)
		expect(t, err, userpool.MissingAuthenticationToken, "Missing Authentication Token")
	})
	t.Run("missing parts", func(t *testing.T) {
		r, body := good()
		r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240115/eu-west-1/cognito-idp/aws4_request")
		_, err := verifier(vectorTime).Verify(r, body)
		expect(t, err, userpool.IncompleteSignature, "Authorization header requires 'Signature' parameter. "+
			"Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240115/eu-west-1/cognito-idp/aws4_request")
	})
	t.Run("bad algorithm", func(t *testing.T) {
		r, body := good()
		r.Header.Set("Authorization", "Basic Zm9vOmJhcg==")
		_, err := verifier(vectorTime).Verify(r, body)
		expect(t, err, userpool.IncompleteSignature, "")
	})
	t.Run("missing date", func(t *testing.T) {
		r, body := good()
		r.Header.Del("X-Amz-Date")
		_, err := verifier(vectorTime).Verify(r, body)
		expect(t, err, userpool.IncompleteSignature, "")
	})
	rewrite := func(from, to string) (*http.Request, []byte) {
		r, body := good()
		r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), from, to, 1))
		return r, body
	}
	t.Run("wrong service", func(t *testing.T) {
		r, body := rewrite("/cognito-idp/", "/s3/")
		_, err := verifier(vectorTime).Verify(r, body)
		expect(t, err, userpool.InvalidSignature, "Credential should be scoped to correct service: 'cognito-idp'. ")
	})
	t.Run("date mismatch", func(t *testing.T) {
		r, body := rewrite("/20240115/", "/20240114/")
		_, err := verifier(vectorTime).Verify(r, body)
		expect(t, err, userpool.InvalidSignature, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20240114' != '20240115', from '20240115T120000Z'.")
	})
	t.Run("unknown key", func(t *testing.T) {
		r, body := rewrite("Credential=AKIDEXAMPLE/", "Credential=AKIDOTHER/")
		_, err := verifier(vectorTime).Verify(r, body)
		expect(t, err, userpool.UnrecognizedClient, msgInvalid)
	})
	t.Run("wrong secret", func(t *testing.T) {
		r, body := signed(t, nil, "not-the-secret", "", vectorTime, false)
		_, err := verifier(vectorTime).Verify(r, body)
		expect(t, err, userpool.InvalidSignature, msgNoMatch)
	})
	t.Run("expired", func(t *testing.T) {
		r, body := good()
		_, err := verifier(vectorTime.Add(6*time.Minute)).Verify(r, body)
		expect(t, err, userpool.InvalidSignature, "Signature expired: 20240115T120000Z is now earlier than 20240115T120100Z (20240115T120600Z - 5 min.)")
	})
	t.Run("future", func(t *testing.T) {
		r, body := good()
		_, err := verifier(vectorTime.Add(-6*time.Minute)).Verify(r, body)
		expect(t, err, userpool.InvalidSignature, "Signature not yet current: 20240115T120000Z is still later than 20240115T115900Z (20240115T115400Z + 5 min.)")
	})
	t.Run("tampered body", func(t *testing.T) {
		r, _ := good()
		_, err := verifier(vectorTime).Verify(r, []byte(`{"UserPoolId":"us-east-1_abc","Username":"eve"}`))
		expect(t, err, userpool.InvalidSignature, msgNoMatch)
	})
	t.Run("tampered signed header", func(t *testing.T) {
		r, body := good()
		r.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService.AdminDeleteUser")
		_, err := verifier(vectorTime).Verify(r, body)
		expect(t, err, userpool.InvalidSignature, msgNoMatch)
	})
	t.Run("content hash mismatch", func(t *testing.T) {
		r, body := good()
		r.Header.Set("X-Amz-Content-Sha256", strings.Repeat("0", 64))
		_, err := verifier(vectorTime).Verify(r, body)
		expect(t, err, userpool.InvalidSignature, "")
	})
}

func FuzzParseAuthorization(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240115/us-east-1/cognito-idp/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" + vectorSig)
	f.Add("AWS4-HMAC-SHA256 Credential=a/b/c/d/e,SignedHeaders=,Signature=")
	f.Add("AWS4-HMAC-SHA256 Credential===,,,")
	f.Add("")
	f.Add("Basic abc")
	f.Fuzz(func(t *testing.T, h string) {
		a, err := ParseAuthorization(h)
		if err != nil {
			if typ := userpool.ErrorType(err); typ != userpool.IncompleteSignature {
				t.Fatalf("type %s", typ)
			}
			return
		}
		if a.AccessKeyID == "" || a.Signature == "" || len(a.SignedHeaders) == 0 {
			t.Fatalf("accepted incomplete header %q: %+v", h, a)
		}
		// A full verification of a parsed header must not panic either.
		r := httptest.NewRequest("POST", "http://127.0.0.1/", nil)
		r.Header.Set("Authorization", h)
		r.Header.Set("X-Amz-Date", "20240115T120000Z")
		verifier(vectorTime).Verify(r, nil)
	})
}
