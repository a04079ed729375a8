package sigv4

import (
	"cmp"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/cognate/cognate/internal/policy"
	"github.com/cognate/cognate/internal/userpool"
)

// Principal is who signed a request.
type Principal struct {
	AccessKeyID string
	Name        string
	// Policy limits what the principal may do; nil: everything.
	Policy *policy.Policy
}

// Credential is one admin key pair.
type Credential struct {
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
	Name            string `json:"name,omitempty"`
	// Policy is an IAM identity-based policy document limiting the key;
	// without one the key may do everything.
	Policy *policy.Policy `json:"policy,omitempty"`
	// Expires, when set, is the time from which the key is refused like
	// an unknown one.
	Expires *time.Time `json:"expires,omitempty"`
}

// Keyring finds the secret of an access key.
type Keyring interface {
	Lookup(accessKeyID string) (Credential, bool)
}

// StaticKeyring is a fixed set of credentials by access key id.
type StaticKeyring map[string]Credential

// Lookup implements Keyring.
func (k StaticKeyring) Lookup(accessKeyID string) (Credential, bool) {
	c, ok := k[accessKeyID]
	return c, ok
}

// Verifier checks SigV4 signatures against a keyring.
type Verifier struct {
	Keys    Keyring
	Now     func() time.Time // injectable clock; nil = time.Now
	Service string           // "cognito-idp" when empty
	MaxSkew time.Duration    // 5 min when zero

	signers sync.Map // access key id → *keySigner
}

// keySigner is the SDK signer of one credential. The signer caches the key
// it derives (four HMACs) per day, region and access key id — not per
// secret, so a secret changed under the same id gets a fresh signer.
type keySigner struct {
	secret string
	signer *v4.Signer
}

func (v *Verifier) signerFor(c Credential) *v4.Signer {
	if ks, ok := v.signers.Load(c.AccessKeyID); ok && ks.(*keySigner).secret == c.SecretAccessKey {
		return ks.(*keySigner).signer
	}
	ks := &keySigner{secret: c.SecretAccessKey, signer: v4.NewSigner()}
	v.signers.Store(c.AccessKeyID, ks)
	return ks.signer
}

// Result is what a valid signature establishes.
type Result struct {
	Principal Principal
	Region    string // from the credential scope: the call's region
	Date      time.Time
}

const (
	algorithm     = "AWS4-HMAC-SHA256"
	terminator    = "aws4_request"
	amzDateLayout = "20060102T150405Z"

	msgMissingToken = "Missing Authentication Token"
	msgUnknownKey   = "The security token included in the request is invalid."
	msgNoMatch      = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	msgNeedDate     = "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
	msgHashMismatch = "The provided 'x-amz-content-sha256' header does not match what was computed."
	maxEchoBytes    = 1024 // of client input echoed back in a message
)

var (
	regionPattern    = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	signaturePattern = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

func fail(typ, format string, args ...any) error { return userpool.Errorf(typ, format, args...) }

// authorization is a parsed Authorization header. Everything in it is
// client-controlled and unchecked beyond its shape.
type authorization struct {
	AccessKeyID, Date, Region, Service, Terminator string
	SignedHeaders                                  []string // as listed, in order
	Signature                                      string
}

// parseAuthorization parses `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…,
// Signature=…`. Like AWS, it reports every missing part in one message, and
// hasDate adds the sentence about the missing date header to that message.
func parseAuthorization(header string, hasDate bool) (authorization, error) {
	var a authorization
	params := map[string]string{}
	if alg, rest, _ := strings.Cut(strings.TrimSpace(header), " "); alg == algorithm {
		// AWS splits on commas and whitespace alike, so a stray space inside a
		// value surfaces as a token without '='.
		for _, tok := range strings.FieldsFunc(rest, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
			k, v, ok := strings.Cut(tok, "=")
			if !ok {
				return a, fail(userpool.IncompleteSignature, "'%s' not a valid key=value pair (missing equal-sign) in Authorization header: '%s'.", echo(tok), echo(header))
			}
			if _, seen := params[k]; !seen {
				params[k] = v
			}
		}
	} // any other scheme has none of the parameters
	var missing []string
	for _, p := range []string{"Credential", "Signature", "SignedHeaders"} {
		if params[p] == "" {
			missing = append(missing, "Authorization header requires '"+p+"' parameter.")
		}
	}
	if !hasDate {
		missing = append(missing, msgNeedDate)
	}
	if len(missing) > 0 {
		return a, fail(userpool.IncompleteSignature, "%s Authorization=%s", strings.Join(missing, " "), echo(header))
	}
	scope := strings.Split(params["Credential"], "/")
	if len(scope) != 5 {
		return a, fail(userpool.IncompleteSignature, "Credential should have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '%s'", echo(params["Credential"]))
	}
	a.AccessKeyID, a.Date, a.Region, a.Service, a.Terminator = scope[0], scope[1], scope[2], scope[3], scope[4]
	a.SignedHeaders = strings.Split(params["SignedHeaders"], ";")
	a.Signature = params["Signature"]
	return a, nil
}

// Verify checks the SigV4 signature of r, whose body has already been read
// into body. Errors are *userpool.Error with AWS's exception types and texts.
func (v *Verifier) Verify(r *http.Request, body []byte) (Result, error) {
	service := cmp.Or(v.Service, "cognito-idp")
	maxSkew := cmp.Or(v.MaxSkew, 5*time.Minute)
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}

	header := r.Header.Get("Authorization")
	if header == "" {
		return Result{}, fail(userpool.MissingAuthenticationToken, msgMissingToken)
	}
	amzDate := r.Header.Get("X-Amz-Date")
	a, err := parseAuthorization(header, amzDate != "" || r.Header.Get("Date") != "")
	if err != nil {
		return Result{}, err
	}
	if amzDate == "" {
		// Only a Date header: AWS allows it, but no target SDK sends it and the
		// Go signer always signs X-Amz-Date, so the signature can't be rebuilt.
		return Result{}, fail(userpool.InvalidSignature, msgNoMatch)
	}
	signedAt, err := time.Parse(amzDateLayout, amzDate)
	if err != nil {
		return Result{}, fail(userpool.IncompleteSignature, "Date must be in ISO-8601 'basic format'. Got '%s'. See http://en.wikipedia.org/wiki/ISO_8601", echo(amzDate))
	}
	if err := checkScope(a, service, amzDate); err != nil {
		return Result{}, err
	}
	if err := checkSignedHeaders(a, r); err != nil {
		return Result{}, err
	}
	var cred Credential
	ok := false
	if v.Keys != nil {
		cred, ok = v.Keys.Lookup(a.AccessKeyID)
	}
	// An empty secret would be a signable key; an expired key is as unknown
	// as a removed one.
	if !ok || cred.SecretAccessKey == "" || (cred.Expires != nil && !now().Before(*cred.Expires)) {
		return Result{}, fail(userpool.UnrecognizedClient, msgUnknownKey)
	}
	if err := checkSkew(signedAt, now().UTC().Truncate(time.Second), maxSkew); err != nil {
		return Result{}, err
	}
	sum := sha256.Sum256(body)
	payloadHash := hex.EncodeToString(sum[:])
	if claimed := r.Header.Get("X-Amz-Content-Sha256"); claimed != "" && claimed != payloadHash {
		return Result{}, fail(userpool.InvalidSignature, msgHashMismatch)
	}
	if !signaturePattern.MatchString(a.Signature) {
		return Result{}, fail(userpool.InvalidSignature, msgNoMatch)
	}
	expected, ok := recompute(v.signerFor(cred), r, a, payloadHash, cred.SecretAccessKey, signedAt)
	if !ok || subtle.ConstantTimeCompare([]byte(expected), []byte(a.Signature)) != 1 {
		return Result{}, fail(userpool.InvalidSignature, msgNoMatch)
	}
	return Result{Principal: Principal{AccessKeyID: a.AccessKeyID, Name: cred.Name, Policy: cred.Policy}, Region: a.Region, Date: signedAt}, nil
}

func checkScope(a authorization, service, amzDate string) error {
	switch {
	case a.Terminator != terminator:
		return fail(userpool.InvalidSignature, "Credential should be scoped with a valid terminator: '%s', not '%s'. ", terminator, echo(a.Terminator))
	case a.Service != service:
		return fail(userpool.InvalidSignature, "Credential should be scoped to correct service: '%s'. ", service)
	case len(a.Region) > 64 || !regionPattern.MatchString(a.Region):
		return fail(userpool.InvalidSignature, "Credential should be scoped to a valid region, not '%s'. ", echo(a.Region))
	case a.Date != amzDate[:8]:
		return fail(userpool.InvalidSignature, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.", echo(a.Date), amzDate[:8], amzDate)
	}
	return nil
}

// checkSignedHeaders requires the headers that make a signature mean
// something here: host and date as AWS does, and X-Amz-Target because the
// operation is dispatched on it — unsigned, a captured AdminGetUser could be
// replayed as AdminDeleteUser with the same body. Every target SDK signs it.
func checkSignedHeaders(a authorization, r *http.Request) error {
	if !slices.Contains(a.SignedHeaders, "host") {
		return fail(userpool.InvalidSignature, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
	}
	for _, name := range []string{"X-Amz-Date", "X-Amz-Target"} {
		if r.Header.Get(name) != "" && !slices.Contains(a.SignedHeaders, strings.ToLower(name)) {
			return fail(userpool.InvalidSignature, "'%s' must be a 'SignedHeader' in the AWS Authorization.", name)
		}
	}
	return nil
}

func checkSkew(signedAt, now time.Time, maxSkew time.Duration) error {
	window := fmt.Sprintf("%g min", maxSkew.Minutes()) // AWS: "5 min."
	if earliest := now.Add(-maxSkew); signedAt.Before(earliest) {
		return fail(userpool.InvalidSignature, "Signature expired: %s is now earlier than %s (%s - %s.)",
			signedAt.Format(amzDateLayout), earliest.Format(amzDateLayout), now.Format(amzDateLayout), window)
	}
	if latest := now.Add(maxSkew); signedAt.After(latest) {
		return fail(userpool.InvalidSignature, "Signature not yet current: %s is still later than %s (%s + %s.)",
			signedAt.Format(amzDateLayout), latest.Format(amzDateLayout), now.Format(amzDateLayout), window)
	}
	return nil
}

// recompute signs a copy of the request with aws-sdk-go-v2's signer and
// returns the signature it computes. The signer signs every header it sees,
// adds content-length whenever the length is known, writes its own
// X-Amz-Date and strips default ports, so the copy holds exactly the headers
// the client listed, with values as received. ok is false when the signer's
// header list still differs from the client's (unsorted or duplicated names,
// a listed header that was not sent, one the signer never signs such as
// user-agent): such a signature can't match.
func recompute(signer *v4.Signer, r *http.Request, a authorization, payloadHash, secret string, signedAt time.Time) (signature string, ok bool) {
	cp := &http.Request{
		Method: r.Method,
		// No scheme: the signer then never strips a port from Host.
		URL:    &url.URL{Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: r.URL.RawQuery},
		Host:   r.Host,
		Header: http.Header{},
	}
	for _, name := range a.SignedHeaders {
		switch name {
		case "host":
			continue
		case "content-length":
			cp.ContentLength = r.ContentLength
			continue
		}
		values := r.Header.Values(name)
		if len(values) == 0 {
			return "", false
		}
		// Separate values: the signer trims each and joins them with ",".
		cp.Header[http.CanonicalHeaderKey(name)] = slices.Clone(values)
	}
	// No SessionToken: a signed X-Amz-Security-Token is copied like any other
	// header, and the signer must not add one the client did not send.
	creds := aws.Credentials{AccessKeyID: a.AccessKeyID, SecretAccessKey: secret}
	if err := signer.SignHTTP(context.Background(), creds, cp, payloadHash, a.Service, a.Region, signedAt); err != nil {
		return "", false
	}
	got, err := parseAuthorization(cp.Header.Get("Authorization"), true)
	if err != nil || !slices.Equal(got.SignedHeaders, a.SignedHeaders) {
		return "", false
	}
	return got.Signature, true
}

// echo bounds how much client input goes back into an error message.
func echo(s string) string {
	if len(s) > maxEchoBytes {
		return s[:maxEchoBytes]
	}
	return s
}
