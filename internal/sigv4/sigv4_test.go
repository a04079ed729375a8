package sigv4

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/cognate/cognate/internal/userpool"
)

// The worked vector of spec/sigv4.md §6.
const (
	exampleKey    = "AKIDEXAMPLE"
	exampleSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	vectorURL     = "https://cognito-idp.us-east-1.amazonaws.com/"
	vectorBody    = `{"UserPoolId": "us-east-1_EXAMPLE1", "Username": "alice"}`
	vectorDate    = "20240115T120000Z"
	vectorScope   = exampleKey + "/20240115/us-east-1/cognito-idp/aws4_request"
	vectorSigned  = "content-type;host;x-amz-date;x-amz-target"
	vectorSig     = "5ebd63c728b3a00fc02ffc76df005838a988258b1e77f374786674543f10f6a7"
	vectorAuth    = "AWS4-HMAC-SHA256 Credential=" + vectorScope + ", SignedHeaders=" + vectorSigned + ", Signature=" + vectorSig
)

var vectorTime = time.Date(2024, 1, 15, 12, 0, 0, 0, time.UTC)

func verifierAt(now time.Time) *Verifier {
	return &Verifier{
		Keys: StaticKeyring{exampleKey: {AccessKeyID: exampleKey, SecretAccessKey: exampleSecret, Name: "example"}},
		Now:  func() time.Time { return now },
	}
}

// vectorRequest is the §6 request as the server receives it, Content-Length
// included although the client did not sign it.
func vectorRequest(authorization string) (*http.Request, []byte) {
	r := httptest.NewRequest("POST", vectorURL, strings.NewReader(vectorBody))
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	r.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService.AdminUserGlobalSignOut")
	r.Header.Set("X-Amz-Date", vectorDate)
	r.Header.Set("Authorization", authorization)
	return r, []byte(vectorBody)
}

func expectError(t *testing.T, err error, typ, msg string) {
	t.Helper()
	if userpool.ErrorType(err) != typ || userpool.ErrorMessage(err) != msg {
		t.Fatalf("got  %v\nwant %s: %s", err, typ, msg)
	}
}

func TestSpecVector(t *testing.T) {
	r, body := vectorRequest(vectorAuth)
	if r.ContentLength == 0 {
		t.Fatal("the vector must arrive with a Content-Length to exercise the signer's content-length trap")
	}
	res, err := verifierAt(vectorTime).Verify(r, body)
	if err != nil {
		t.Fatalf("spec vector rejected: %v", err)
	}
	want := Result{Principal: Principal{AccessKeyID: exampleKey, Name: "example"}, Region: "us-east-1", Date: vectorTime}
	if res != want {
		t.Fatalf("got %+v, want %+v", res, want)
	}

	for i := range vectorSig {
		flipped := []byte(vectorSig)
		if flipped[i] == '0' {
			flipped[i] = '1'
		} else {
			flipped[i] = '0'
		}
		r, body := vectorRequest(strings.Replace(vectorAuth, vectorSig, string(flipped), 1))
		_, err := verifierAt(vectorTime).Verify(r, body)
		expectError(t, err, userpool.InvalidSignature, msgNoMatch)
	}
}

// signVector signs the §6 request with the Go signer, as a client would.
func signVector(t *testing.T, secret string) string {
	t.Helper()
	r, _ := vectorRequest("")
	r.Header.Del("Authorization")
	r.ContentLength = 0 // the vector's client did not sign content-length
	sum := sha256.Sum256([]byte(vectorBody))
	creds := aws.Credentials{AccessKeyID: exampleKey, SecretAccessKey: secret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, hex.EncodeToString(sum[:]), "cognito-idp", "us-east-1", vectorTime); err != nil {
		t.Fatal(err)
	}
	return r.Header.Get("Authorization")
}

// TestSignerReproducesVector pins the oracle to the spec's independent result.
func TestSignerReproducesVector(t *testing.T) {
	if got := signVector(t, exampleSecret); got != vectorAuth {
		t.Fatalf("signer gave %s", got)
	}
}

// sdkShape is how one client builds a request: the headers it signs, the
// ones it adds unsigned, and the SignedHeaders it ends up sending.
type sdkShape struct {
	signed     http.Header
	unsigned   http.Header
	signLength bool // the client signs content-length
	wantSigned string
}

var sdkShapes = map[string]sdkShape{
	"botocore": {
		signed:     http.Header{},
		unsigned:   http.Header{"Amz-Sdk-Invocation-Id": {"5b0b"}, "Amz-Sdk-Request": {"attempt=1"}, "Accept-Encoding": {"identity"}, "User-Agent": {"aws-cli/1.45.11"}},
		wantSigned: "content-type;host;x-amz-date;x-amz-target",
	},
	"go v2": {
		signed:     http.Header{"Amz-Sdk-Invocation-Id": {"5b0b"}, "Amz-Sdk-Request": {"attempt=1; max=3"}},
		unsigned:   http.Header{"User-Agent": {"aws-sdk-go-v2/1.48.0"}, "Accept-Encoding": {"gzip"}},
		signLength: true,
		wantSigned: "amz-sdk-invocation-id;amz-sdk-request;content-length;content-type;host;x-amz-date;x-amz-target",
	},
	"js v3": {
		signed:     http.Header{"Amz-Sdk-Invocation-Id": {"5b0b"}, "Amz-Sdk-Request": {"attempt=1; max=3"}, "X-Amz-User-Agent": {"aws-sdk-js/3.1169.0"}, "X-Amz-Content-Sha256": {"<body hash>"}},
		unsigned:   http.Header{"User-Agent": {"aws-sdk-js/3.1169.0 ua/2.1"}},
		signLength: true,
		wantSigned: "amz-sdk-invocation-id;amz-sdk-request;content-length;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-target;x-amz-user-agent",
	},
}

// sendSigned signs a request the way shape's client does and sends it over a
// real connection, so Host (with the server's non-default port),
// Content-Length and repeated headers arrive exactly as net/http delivers them.
func sendSigned(t *testing.T, url string, shape sdkShape, sessionToken string) {
	t.Helper()
	body := []byte(`{"UserPoolId":"eu-west-1_abc","Username":"bob"}`)
	sum := sha256.Sum256(body)
	r, err := http.NewRequest("POST", url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	r.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService.AdminGetUser")
	for k, vs := range shape.signed {
		for _, v := range vs {
			r.Header.Add(k, strings.ReplaceAll(v, "<body hash>", hex.EncodeToString(sum[:])))
		}
	}
	if !shape.signLength {
		r.ContentLength = 0 // the signer adds content-length whenever it is known
	}
	creds := aws.Credentials{AccessKeyID: exampleKey, SecretAccessKey: exampleSecret, SessionToken: sessionToken}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, hex.EncodeToString(sum[:]), "cognito-idp", "eu-west-1", vectorTime); err != nil {
		t.Fatal(err)
	}
	r.ContentLength = int64(len(body))
	for k, vs := range shape.unsigned {
		r.Header[k] = vs
	}
	if got := r.Header.Get("Authorization"); !strings.Contains(got, "SignedHeaders="+shape.wantSigned+",") {
		t.Fatalf("test client signed %s, want %s", got, shape.wantSigned)
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

func TestRoundTrips(t *testing.T) {
	type outcome struct {
		res Result
		err error
	}
	outcomes := make(chan outcome, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		res, err := verifierAt(vectorTime.Add(90*time.Second)).Verify(r, body)
		outcomes <- outcome{res, err}
	}))
	defer srv.Close()
	check := func(t *testing.T) {
		t.Helper()
		o := <-outcomes
		if o.err != nil {
			t.Fatalf("rejected: %v", o.err)
		}
		want := Result{Principal: Principal{AccessKeyID: exampleKey, Name: "example"}, Region: "eu-west-1", Date: vectorTime}
		if o.res != want {
			t.Fatalf("got %+v, want %+v", o.res, want)
		}
	}

	for name, shape := range sdkShapes {
		for _, token := range []string{"", "FwoGZXIvYXdzEXAMPLE//token+with/slashes=="} {
			if token != "" {
				name += " with session token"
				shape.wantSigned = strings.Replace(shape.wantSigned, "x-amz-date", "x-amz-date;x-amz-security-token", 1)
			}
			t.Run(name, func(t *testing.T) {
				sendSigned(t, srv.URL+"/", shape, token)
				check(t)
			})
		}
	}
	t.Run("path, query and repeated header", func(t *testing.T) {
		shape := sdkShapes["go v2"]
		shape.signed = http.Header{"X-Amz-User-Agent": {"a  b ", " c"}}
		shape.wantSigned = "content-length;content-type;host;x-amz-date;x-amz-target;x-amz-user-agent"
		sendSigned(t, srv.URL+"/base/a%20b/?z=1&a=x%2Fy&a=2", shape, "")
		check(t)
	})
}

func TestErrors(t *testing.T) {
	replace := func(old, new string) func(*http.Request) {
		return func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), old, new, 1))
		}
	}
	setHeader := func(name, value string) func(*http.Request) {
		return func(r *http.Request) { r.Header.Set(name, value) }
	}
	const needDate = " Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
	cases := []struct {
		name   string
		change func(*http.Request)
		body   string        // replaces the body when set
		clock  time.Duration // offset of the server clock from the signing time
		typ    string
		msg    string
	}{
		{name: "missing Authorization", change: func(r *http.Request) { r.Header.Del("Authorization") },
			typ: userpool.MissingAuthenticationToken, msg: "Missing Authentication Token"},
		{name: "missing Signature and SignedHeaders", change: setHeader("Authorization", "AWS4-HMAC-SHA256 Credential="+vectorScope),
			typ: userpool.IncompleteSignature,
			msg: "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256 Credential=" + vectorScope},
		{name: "missing parts and date", change: func(r *http.Request) {
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 SignedHeaders=host")
			r.Header.Del("X-Amz-Date")
		},
			typ: userpool.IncompleteSignature,
			msg: "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter." + needDate + " Authorization=AWS4-HMAC-SHA256 SignedHeaders=host"},
		{name: "empty parameter", change: replace("Signature="+vectorSig, "Signature="),
			typ: userpool.IncompleteSignature,
			msg: "Authorization header requires 'Signature' parameter. Authorization=AWS4-HMAC-SHA256 Credential=" + vectorScope + ", SignedHeaders=" + vectorSigned + ", Signature="},
		{name: "bearer token", change: func(r *http.Request) {
			r.Header.Set("Authorization", "Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln")
			r.Header.Del("X-Amz-Date")
		},
			typ: userpool.IncompleteSignature,
			msg: "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter." + needDate + " Authorization=Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln"},
		{name: "bad algorithm", change: replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA1"),
			typ: userpool.IncompleteSignature,
			msg: "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=" + strings.Replace(vectorAuth, "SHA256", "SHA1", 1)},
		{name: "space inside credential", change: replace("Credential=", "Credential= "),
			typ: userpool.IncompleteSignature,
			msg: "'" + vectorScope + "' not a valid key=value pair (missing equal-sign) in Authorization header: '" + strings.Replace(vectorAuth, "=", "= ", 1) + "'."},
		{name: "short scope", change: replace("/us-east-1/", "/"),
			typ: userpool.IncompleteSignature,
			msg: "Credential should have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKIDEXAMPLE/20240115/cognito-idp/aws4_request'"},
		{name: "bad date format", change: setHeader("X-Amz-Date", "2024-01-15T12:00:00Z"),
			typ: userpool.IncompleteSignature,
			msg: "Date must be in ISO-8601 'basic format'. Got '2024-01-15T12:00:00Z'. See http://en.wikipedia.org/wiki/ISO_8601"},
		{name: "bad terminator", change: replace("/aws4_request", "/aws4_reqest"),
			typ: userpool.InvalidSignature, msg: "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws4_reqest'. "},
		{name: "wrong service", change: replace("/cognito-idp/", "/cognito-identity/"),
			typ: userpool.InvalidSignature, msg: "Credential should be scoped to correct service: 'cognito-idp'. "},
		{name: "invalid region", change: replace("/us-east-1/", "/US_EAST_1/"),
			typ: userpool.InvalidSignature, msg: "Credential should be scoped to a valid region, not 'US_EAST_1'. "},
		{name: "date mismatch", change: replace("/20240115/", "/20240114/"),
			typ: userpool.InvalidSignature,
			msg: "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20240114' != '20240115', from '20240115T120000Z'."},
		{name: "host not signed", change: replace("SignedHeaders=content-type;host;", "SignedHeaders=content-type;"),
			typ: userpool.InvalidSignature, msg: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."},
		{name: "target not signed", change: replace(";x-amz-target", ""),
			typ: userpool.InvalidSignature, msg: "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization."},
		{name: "unknown key", change: replace("Credential=AKIDEXAMPLE/", "Credential=AKIDOTHER/"),
			typ: userpool.UnrecognizedClient, msg: "The security token included in the request is invalid."},
		{name: "empty key", change: replace("Credential=AKIDEXAMPLE/", "Credential=/"),
			typ: userpool.UnrecognizedClient, msg: "The security token included in the request is invalid."},
		{name: "expired", clock: 5*time.Minute + time.Second,
			typ: userpool.InvalidSignature, msg: "Signature expired: 20240115T120000Z is now earlier than 20240115T120001Z (20240115T120501Z - 5 min.)"},
		{name: "not yet current", clock: -5*time.Minute - time.Second,
			typ: userpool.InvalidSignature, msg: "Signature not yet current: 20240115T120000Z is still later than 20240115T115959Z (20240115T115459Z + 5 min.)"},
		{name: "wrong secret", change: setHeader("Authorization", signVector(t, "not-the-secret")),
			typ: userpool.InvalidSignature, msg: msgNoMatch},
		{name: "uppercase signature", change: replace(vectorSig, strings.ToUpper(vectorSig)),
			typ: userpool.InvalidSignature, msg: msgNoMatch},
		{name: "tampered body", body: `{"UserPoolId": "us-east-1_EXAMPLE1", "Username": "mallory"}`,
			typ: userpool.InvalidSignature, msg: msgNoMatch},
		{name: "tampered signed header", change: setHeader("X-Amz-Target", "AWSCognitoIdentityProviderService.AdminDeleteUser"),
			typ: userpool.InvalidSignature, msg: msgNoMatch},
		{name: "signed header not sent", change: func(r *http.Request) { r.Header.Del("Content-Type") },
			typ: userpool.InvalidSignature, msg: msgNoMatch},
		{name: "signed header list unsorted", change: replace(vectorSigned, "host;content-type;x-amz-date;x-amz-target"),
			typ: userpool.InvalidSignature, msg: msgNoMatch},
		{name: "unsigned user-agent listed", change: replace(vectorSigned, vectorSigned+";user-agent"),
			typ: userpool.InvalidSignature, msg: msgNoMatch},
		{name: "only a Date header", change: func(r *http.Request) {
			r.Header.Del("X-Amz-Date")
			r.Header.Set("Date", "Mon, 15 Jan 2024 12:00:00 GMT")
		},
			typ: userpool.InvalidSignature, msg: msgNoMatch},
		{name: "content hash mismatch", change: setHeader("X-Amz-Content-Sha256", strings.Repeat("0", 64)),
			typ: userpool.InvalidSignature, msg: "The provided 'x-amz-content-sha256' header does not match what was computed."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, body := vectorRequest(vectorAuth)
			if c.change != nil {
				c.change(r)
			}
			if c.body != "" {
				body = []byte(c.body)
			}
			_, err := verifierAt(vectorTime.Add(c.clock)).Verify(r, body)
			expectError(t, err, c.typ, c.msg)
		})
	}
}

func TestAccepted(t *testing.T) {
	cases := []struct {
		name   string
		change func(*http.Request)
		clock  time.Duration
	}{
		{name: "clock exactly 5 min ahead", clock: 5 * time.Minute},
		{name: "clock exactly 5 min behind", clock: -5 * time.Minute},
		{name: "unsigned header changed", change: func(r *http.Request) { r.Header.Set("User-Agent", "anything") }},
		{name: "matching content hash unsigned", change: func(r *http.Request) {
			sum := sha256.Sum256([]byte(vectorBody))
			r.Header.Set("X-Amz-Content-Sha256", hex.EncodeToString(sum[:]))
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, body := vectorRequest(vectorAuth)
			if c.change != nil {
				c.change(r)
			}
			if _, err := verifierAt(vectorTime.Add(c.clock)).Verify(r, body); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestConfiguration(t *testing.T) {
	r, body := vectorRequest(vectorAuth)
	v := verifierAt(vectorTime.Add(-16 * time.Minute))
	v.MaxSkew = 15 * time.Minute
	_, err := v.Verify(r, body)
	expectError(t, err, userpool.InvalidSignature, "Signature not yet current: 20240115T120000Z is still later than 20240115T115900Z (20240115T114400Z + 15 min.)")

	v = verifierAt(vectorTime)
	v.Service = "execute-api"
	_, err = v.Verify(r, body)
	expectError(t, err, userpool.InvalidSignature, "Credential should be scoped to correct service: 'execute-api'. ")

	v.Service = ""
	for _, keys := range []Keyring{nil, StaticKeyring{exampleKey: {AccessKeyID: exampleKey}}} {
		v.Keys = keys
		_, err = v.Verify(r, body)
		expectError(t, err, userpool.UnrecognizedClient, "The security token included in the request is invalid.")
	}
}

// FuzzParseAuthorization: any header either parses into a complete
// authorization or fails with IncompleteSignatureException; never a panic.
func FuzzParseAuthorization(f *testing.F) {
	f.Fuzz(func(t *testing.T, header string) {
		a, err := parseAuthorization(header, true)
		if err != nil {
			if typ := userpool.ErrorType(err); typ != userpool.IncompleteSignature {
				t.Fatalf("%q: error type %s", header, typ)
			}
			return
		}
		if a.Signature == "" || len(a.SignedHeaders) == 0 {
			t.Fatalf("%q: accepted an incomplete header: %+v", header, a)
		}
	})
}

// FuzzVerify: whatever a client sends, Verify answers with one of the
// authentication errors and never panics.
func FuzzVerify(f *testing.F) {
	f.Fuzz(func(t *testing.T, authorization, amzDate string, body []byte) {
		r, _ := vectorRequest(authorization)
		r.Header.Set("X-Amz-Date", amzDate)
		res, err := verifierAt(vectorTime).Verify(r, body)
		switch userpool.ErrorType(err) {
		case userpool.MissingAuthenticationToken, userpool.IncompleteSignature, userpool.InvalidSignature, userpool.UnrecognizedClient:
		default:
			if err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			if res.Principal.AccessKeyID != exampleKey {
				t.Fatalf("accepted %+v", res)
			}
		}
	})
}

// The verifier keeps one SDK signer per credential, whose derived-key cache
// is keyed by access key id and day only: a secret changed under the same
// id must not keep accepting signatures made with the old one.
func TestSecretChangedUnderSameKeyID(t *testing.T) {
	keys := StaticKeyring{exampleKey: {AccessKeyID: exampleKey, SecretAccessKey: exampleSecret}}
	v := &Verifier{Keys: keys, Now: func() time.Time { return vectorTime }}
	verify := func() error {
		r, body := vectorRequest(vectorAuth)
		_, err := v.Verify(r, body)
		return err
	}
	for range 2 { // the second call reuses the cached signing key
		if err := verify(); err != nil {
			t.Fatalf("vector rejected: %v", err)
		}
	}
	keys[exampleKey] = Credential{AccessKeyID: exampleKey, SecretAccessKey: "rotated/secret/EXAMPLEKEY"}
	expectError(t, verify(), userpool.InvalidSignature, msgNoMatch)
	keys[exampleKey] = Credential{AccessKeyID: exampleKey, SecretAccessKey: exampleSecret}
	if err := verify(); err != nil {
		t.Fatalf("vector rejected after the secret came back: %v", err)
	}
}
