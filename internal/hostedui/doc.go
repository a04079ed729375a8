// Package hostedui serves Cognito's hosted UI over HTTP, one endpoint per
// file: /oauth2/authorize (authorize.go), the /login form (login.go) and
// the pages of the challenges that follow the password (challenge.go),
// /oauth2/token and /oauth2/revoke (token.go), /oauth2/userInfo
// (userinfo.go) and /logout (logout.go). It only translates: it reads
// queries and forms, keeps the cookies (cookies.go: Secure and __Host-
// behind TLS) and the CSRF tokens (csrf.go), renders the pages (pages.go)
// and turns the domain's answers into redirects and JSON. The rules —
// which authorization requests a client may make, client authentication,
// the grants, logout, what the session cookie stands for — are
// internal/userpool's (oauth_*.go, web_session.go, hosted_login.go).
package hostedui
