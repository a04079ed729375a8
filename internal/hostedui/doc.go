// Package hostedui serves Cognito's hosted UI: the OAuth 2.0 and OIDC
// endpoints (/oauth2/authorize, /oauth2/token, /oauth2/userInfo,
// /oauth2/revoke, /logout), a plain HTML /login form and the pages of the
// challenges that follow the password (challenge.go), which run the API's
// own sign-in state machine (userpool.HostedSignIn). Signing in, after the
// last challenge, sets a session cookie backed by a server-side session
// row (cookies.go: Secure and __Host- behind TLS); as in Cognito, global
// sign-out does not end that session, /logout does. Redirects go only to the
// client's registered callback and logout URLs.
package hostedui
