package userpool

// The hosted UI's rules report two kinds of refusal as values, so that
// internal/hostedui only renders them (dex's oauth2.Error is the model).

// OAuthError is an RFC 6749 error: an error code and its description.
type OAuthError struct {
	Code        string // invalid_grant, invalid_client, …
	Description string
}

func (e *OAuthError) Error() string { return e.Code + ": " + e.Description }

func oauthErr(code, desc string) error { return &OAuthError{Code: code, Description: desc} }

// UntrustedRedirectError refuses a browser request that has no redirect
// to be trusted yet (an unknown client, an unregistered redirect_uri or
// logout_uri): the message is shown to the browser, which is sent nowhere,
// so that the hosted UI is never an open redirect.
type UntrustedRedirectError struct{ Message string }

func (e *UntrustedRedirectError) Error() string { return e.Message }

func untrusted(msg string) error { return &UntrustedRedirectError{Message: msg} }
