package userpool

import "context"

// The sign-in seam for the passkey tests (USER_AUTH calls it in-package).

func (p *Passkeys) HasForTest(ctx context.Context, pool *Pool, u *User) (bool, error) {
	return p.has(ctx, pool, u)
}

func (p *Passkeys) BeginForTest(ctx context.Context, pool *Pool, client *Client, u *User) (string, []byte, error) {
	return p.begin(ctx, pool, client, u)
}

func (p *Passkeys) FinishForTest(ctx context.Context, pool *Pool, client *Client, u *User, state []byte, credential string) error {
	return p.finish(ctx, pool, client, u, state, credential)
}
