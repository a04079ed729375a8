// Package hostedui serves Cognito's hosted UI: the OAuth 2.0 and OIDC
// endpoints (/oauth2/authorize, /oauth2/token, /oauth2/userInfo,
// /oauth2/revoke, /logout) and a plain HTML /login form. Signing in sets a
// session cookie backed by a server-side session row; as in Cognito, global
// sign-out does not end that session, /logout does. Redirects go only to the
// client's registered callback and logout URLs.
package hostedui
