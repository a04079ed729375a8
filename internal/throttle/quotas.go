package throttle

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Category is one of Cognito's request-rate quota categories ("Quotas in
// Amazon Cognito", user pools API operation categories): operations that
// serve one use case share one rate.
type Category string

const (
	UserAuthentication  Category = "UserAuthentication"
	UserCreation        Category = "UserCreation"
	UserAccountRecovery Category = "UserAccountRecovery"
	UserRead            Category = "UserRead"
	UserUpdate          Category = "UserUpdate"
)

// DefaultRates are requests per second, per app client and per client IP
// (Cognito's are per account): Cognito's default quotas, except UserRead,
// which is off by default (Cognate answers GetUser at thousands per second
// and reads send nothing, store nothing: they are no abuse vector the way
// sign-ups and reset emails are). UserAuthentication's rate is set by
// --rate-limit-auth.
var DefaultRates = map[Category]float64{
	UserAuthentication:  120,
	UserCreation:        50,
	UserAccountRecovery: 30,
	UserRead:            0,
	UserUpdate:          25,
}

// operations are the public (unsigned) API operations by category, and
// the sign-in operations of the admin API; other admin calls come from the
// operator's own credentials and are not limited.
var operations = map[string]Category{
	"InitiateAuth": UserAuthentication, "RespondToAuthChallenge": UserAuthentication,
	"AdminInitiateAuth": UserAuthentication, "AdminRespondToAuthChallenge": UserAuthentication,
	"GetTokensFromRefreshToken": UserAuthentication,

	"SignUp": UserCreation, "ConfirmSignUp": UserCreation,

	"ForgotPassword": UserAccountRecovery, "ConfirmForgotPassword": UserAccountRecovery,
	"ChangePassword": UserAccountRecovery, "ResendConfirmationCode": UserAccountRecovery,

	"GetUser": UserRead, "GetDevice": UserRead, "ListDevices": UserRead, "GetUserAuthFactors": UserRead,

	"UpdateUserAttributes": UserUpdate, "DeleteUserAttributes": UserUpdate, "VerifyUserAttribute": UserUpdate,
	"GetUserAttributeVerificationCode": UserUpdate, "DeleteUser": UserUpdate, "GlobalSignOut": UserUpdate,
	"RevokeToken": UserUpdate, "AssociateSoftwareToken": UserUpdate, "VerifySoftwareToken": UserUpdate,
	"SetUserMFAPreference": UserUpdate, "ConfirmDevice": UserUpdate, "ForgetDevice": UserUpdate,
	"UpdateDeviceStatus": UserUpdate,
}

// CategoryOf is the quota category of an API operation; false for the
// operations no quota covers.
func CategoryOf(op string) (Category, bool) {
	c, ok := operations[op]
	return c, ok
}

// ParseRates reads "Category=rate,…" over the defaults: "" keeps them,
// "off" sets every category but UserAuthentication to zero (unlimited).
func ParseRates(spec string) (map[Category]float64, error) {
	rates := map[Category]float64{}
	for c, r := range DefaultRates {
		rates[c] = r
	}
	spec = strings.TrimSpace(spec)
	if spec == "off" {
		for c := range rates {
			if c != UserAuthentication {
				rates[c] = 0
			}
		}
		return rates, nil
	}
	for _, part := range strings.Split(spec, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		name, val, ok := strings.Cut(part, "=")
		c := Category(strings.TrimSpace(name))
		if _, known := DefaultRates[c]; !ok || !known {
			return nil, fmt.Errorf("%q: want Category=rate with a category of %s", part, strings.Join(categoryNames(), ", "))
		}
		r, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
		if err != nil || r < 0 {
			return nil, fmt.Errorf("%q: the rate must be a number of requests per second, 0 for unlimited", part)
		}
		rates[c] = r
	}
	return rates, nil
}

func categoryNames() []string {
	var names []string
	for c := range DefaultRates {
		names = append(names, string(c))
	}
	sort.Strings(names)
	return names
}

// Quotas limits each category per app client and per client IP, each key
// with its own token bucket at the category's rate (bursts of twice it).
type Quotas struct {
	byClient, byIP map[Category]*Limiter
}

// NewQuotas makes the limiters of rates (a rate of zero: unlimited).
func NewQuotas(rates map[Category]float64, now func() time.Time) *Quotas {
	q := &Quotas{byClient: map[Category]*Limiter{}, byIP: map[Category]*Limiter{}}
	for c, r := range rates {
		if r > 0 {
			q.byClient[c], q.byIP[c] = New(r, now), New(r, now)
		}
	}
	return q
}

// Allow takes a token of the category for the client (when known: "" is
// no client) and for the IP; it answers false when either bucket is empty.
// A nil Quotas allows everything.
func (q *Quotas) Allow(c Category, client, ip string) bool {
	if q == nil {
		return true
	}
	if l := q.byIP[c]; l != nil && !l.Allow(ip) {
		return false
	}
	if l := q.byClient[c]; l != nil && client != "" && !l.Allow(client) {
		return false
	}
	return true
}
