package userpool

import "context"

// IssueImplicit is the implicit flow (response_type=token): tokens go
// straight to the browser, in the redirect's fragment, so never a refresh
// token.
func (a *Auth) IssueImplicit(ctx context.Context, ar *AuthorizeRequest, user *User) (Tokens, error) {
	t, err := a.signInScoped(ctx, &ar.Pool, &ar.Client, user, a.Now(), "", ar.Scope, ar.Nonce, tokenCause{source: tokenSourceHosted})
	t.RefreshToken = ""
	return t, err
}
