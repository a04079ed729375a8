// Package hostedui serves Cognito's hosted UI over HTTP: the OAuth 2.0 and
// OIDC endpoints (/oauth2/authorize, /oauth2/token, /oauth2/userInfo,
// /oauth2/revoke, /logout), a plain HTML /login form and the pages of the
// challenges that follow the password (challenge.go). It only translates:
// it reads queries and forms, keeps the cookies (cookies.go: Secure and
// __Host- behind TLS) and the CSRF tokens (csrf.go), renders the pages
// (pages.go) and turns the domain's answers into redirects and JSON. The
// rules — which authorization requests a client may make, client
// authentication, the grants, logout, what the session cookie stands for —
// are internal/userpool's (oauth_*.go, web_session.go, hosted_login.go).
package hostedui
