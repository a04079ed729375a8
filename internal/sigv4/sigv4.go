package sigv4

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/cognate/cognate/internal/userpool"
)

// Principal is who signed a request.
type Principal struct {
	AccessKeyID string
	Name        string
}

// Credential is one admin key pair.
type Credential struct {
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
	Name            string `json:"name,omitempty"`
}

// Keyring finds the secret of an access key.
type Keyring interface {
	Lookup(accessKeyID string) (Credential, bool)
}

// StaticKeyring is a fixed set of credentials by access key id.
type StaticKeyring map[string]Credential

// Lookup implements Keyring.
func (k StaticKeyring) Lookup(id string) (Credential, bool) {
	c, ok := k[id]
	return c, ok
}

// Verifier checks signatures.
type Verifier struct {
	Keys    Keyring
	Now     func() time.Time
	Service string        // "cognito-idp" when empty
	MaxSkew time.Duration // 5 minutes when zero
}

// Result is what a valid signature establishes.
type Result struct {
	Principal Principal
	Region    string // from the credential scope: the call's region
	Date      time.Time
}

const (
	algorithm  = "AWS4-HMAC-SHA256"
	amzDate    = "20060102T150405Z"
	msgInvalid = "The security token included in the request is invalid."
	msgNoMatch = "The request signature we calculated does not match the signature you provided. " +
		"Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
)

func fail(typ, format string, args ...any) error { return userpool.Errorf(typ, format, args...) }

// authorization is a parsed Authorization header.
type authorization struct {
	AccessKeyID   string
	Date          string // yyyymmdd of the scope
	Region        string
	Service       string
	Terminator    string
	SignedHeaders []string
	Signature     string
}

// ParseAuthorization parses `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`.
// The error message lists every missing part, as AWS does.
func ParseAuthorization(h string) (authorization, error) {
	var a authorization
	alg, rest, _ := strings.Cut(strings.TrimSpace(h), " ")
	if alg != algorithm {
		return a, fail(userpool.IncompleteSignature, "Authorization header requires 'Credential' parameter. "+
			"Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. "+
			"Unsupported authorization type or algorithm. Authorization=%s", truncate(h))
	}
	var credential, signed string
	var haveCred, haveSigned, haveSig bool
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		switch k {
		case "Credential":
			credential, haveCred = v, v != ""
		case "SignedHeaders":
			signed, haveSigned = v, v != ""
		case "Signature":
			a.Signature, haveSig = v, v != ""
		}
	}
	var missing []string
	if !haveCred {
		missing = append(missing, "Authorization header requires 'Credential' parameter.")
	}
	if !haveSig {
		missing = append(missing, "Authorization header requires 'Signature' parameter.")
	}
	if !haveSigned {
		missing = append(missing, "Authorization header requires 'SignedHeaders' parameter.")
	}
	if len(missing) > 0 {
		return a, fail(userpool.IncompleteSignature, "%s Authorization=%s", strings.Join(missing, " "), truncate(h))
	}
	scope := strings.Split(credential, "/")
	if len(scope) != 5 || scope[0] == "" {
		return a, fail(userpool.IncompleteSignature, "Credential should have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '%s'", truncate(credential))
	}
	a.AccessKeyID, a.Date, a.Region, a.Service, a.Terminator = scope[0], scope[1], scope[2], scope[3], scope[4]
	a.SignedHeaders = strings.Split(signed, ";")
	return a, nil
}

var regionPattern = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d+$|^[a-z0-9-]{1,32}$`)
var hexSignature = regexp.MustCompile(`^[0-9a-f]{64}$`)

// Verify checks the request's signature over body.
func (v *Verifier) Verify(r *http.Request, body []byte) (Result, error) {
	service := v.Service
	if service == "" {
		service = "cognito-idp"
	}
	skew := v.MaxSkew
	if skew == 0 {
		skew = 5 * time.Minute
	}
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	header := r.Header.Get("Authorization")
	if header == "" {
		return Result{}, fail(userpool.MissingAuthenticationToken, "Missing Authentication Token")
	}
	a, err := ParseAuthorization(header)
	if err != nil {
		return Result{}, err
	}
	dateHeader := r.Header.Get("X-Amz-Date")
	if dateHeader == "" {
		return Result{}, fail(userpool.IncompleteSignature, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=%s", truncate(header))
	}
	signedAt, err := time.Parse(amzDate, dateHeader)
	if err != nil {
		return Result{}, fail(userpool.IncompleteSignature, "Date must be in ISO-8601 'basic format'. Got '%s'. See http://en.wikipedia.org/wiki/ISO_8601", truncate(dateHeader))
	}
	if a.Terminator != "aws4_request" {
		return Result{}, fail(userpool.InvalidSignature, "Credential should be scoped with a valid terminator: 'aws4_request', not '%s'.", truncate(a.Terminator))
	}
	if a.Service != service {
		return Result{}, fail(userpool.InvalidSignature, "Credential should be scoped to correct service: '%s'. ", service)
	}
	if !regionPattern.MatchString(a.Region) {
		return Result{}, fail(userpool.InvalidSignature, "Credential should be scoped to a valid region, not '%s'. ", truncate(a.Region))
	}
	if a.Date != dateHeader[:8] {
		return Result{}, fail(userpool.InvalidSignature, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.",
			truncate(a.Date), dateHeader[:8], dateHeader)
	}
	if !contains(a.SignedHeaders, "host") {
		return Result{}, fail(userpool.InvalidSignature, "'Host' must be a 'SignedHeader' in the AWS Authorization.")
	}
	cred, ok := v.Keys.Lookup(a.AccessKeyID)
	if !ok {
		return Result{}, fail(userpool.UnrecognizedClient, msgInvalid)
	}
	t := now().UTC()
	if signedAt.Before(t.Add(-skew)) {
		return Result{}, fail(userpool.InvalidSignature, "Signature expired: %s is now earlier than %s (%s - 5 min.)",
			dateHeader, t.Add(-skew).Format(amzDate), t.Format(amzDate))
	}
	if signedAt.After(t.Add(skew)) {
		return Result{}, fail(userpool.InvalidSignature, "Signature not yet current: %s is still later than %s (%s + 5 min.)",
			dateHeader, t.Add(skew).Format(amzDate), t.Format(amzDate))
	}
	sum := sha256.Sum256(body)
	payloadHash := hex.EncodeToString(sum[:])
	if claimed := r.Header.Get("X-Amz-Content-Sha256"); claimed != "" && claimed != payloadHash {
		return Result{}, fail(userpool.InvalidSignature, "The provided 'x-amz-content-sha256' header does not match what was computed.")
	}
	if !hexSignature.MatchString(a.Signature) {
		return Result{}, fail(userpool.InvalidSignature, msgNoMatch)
	}
	expected, err := recompute(r, a, payloadHash, cred, signedAt)
	if err != nil {
		return Result{}, fail(userpool.InvalidSignature, msgNoMatch)
	}
	if subtle.ConstantTimeCompare([]byte(expected), []byte(a.Signature)) != 1 {
		return Result{}, fail(userpool.InvalidSignature, msgNoMatch)
	}
	return Result{Principal: Principal{AccessKeyID: cred.AccessKeyID, Name: cred.Name}, Region: a.Region, Date: signedAt}, nil
}

// recompute signs a copy of the request that carries only the signed
// headers — the SDK signer signs every header it sees, adds content-length
// when the length is known, and overwrites X-Amz-Date, so each is controlled.
func recompute(r *http.Request, a authorization, payloadHash string, cred Credential, signedAt time.Time) (string, error) {
	u := &url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: r.URL.RawQuery}
	if u.Path == "" {
		u.Path = "/"
	}
	cp, err := http.NewRequest(r.Method, u.String(), nil)
	if err != nil {
		return "", err
	}
	cp.Host = r.Host
	cp.ContentLength = 0
	cp.Header = http.Header{}
	session := ""
	for _, name := range a.SignedHeaders {
		switch name {
		case "host":
			continue
		case "content-length":
			cp.ContentLength = r.ContentLength
			continue
		case "x-amz-security-token":
			session = r.Header.Get("X-Amz-Security-Token")
		}
		vals := r.Header.Values(name)
		if len(vals) == 0 {
			return "", errMissingSigned
		}
		for _, val := range vals {
			cp.Header.Add(name, val)
		}
	}
	err = v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = false }).SignHTTP(context.Background(),
		aws.Credentials{AccessKeyID: cred.AccessKeyID, SecretAccessKey: cred.SecretAccessKey, SessionToken: session},
		cp, payloadHash, a.Service, a.Region, signedAt)
	if err != nil {
		return "", err
	}
	got, _ := ParseAuthorization(cp.Header.Get("Authorization"))
	if strings.Join(got.SignedHeaders, ";") != strings.Join(a.SignedHeaders, ";") {
		return "", errMissingSigned
	}
	return got.Signature, nil
}

type sentinel string

func (s sentinel) Error() string { return string(s) }

const errMissingSigned = sentinel("signed header set differs")

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func truncate(s string) string {
	if len(s) > 256 {
		return s[:256]
	}
	return s
}
