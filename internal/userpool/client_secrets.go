package userpool

import (
	"context"
	"crypto/hmac"
	"crypto/subtle"
	"slices"
	"strconv"
	"time"
)

// maxClientSecrets is how many secrets a client holds at once: two, so that
// a new one can be rolled out before the old one is deleted.
const maxClientSecrets = 2

// ClientSecretID names a secret as Cognito does: <client-id>--<epoch-create-time>
// (milliseconds here, so that two secrets made in one second differ).
func ClientSecretID(clientID string, created time.Time) string {
	return clientID + "--" + strconv.FormatInt(created.UnixMilli(), 10)
}

// newClientSecretValue generates a secret in Cognito's form (51 characters).
func newClientSecretValue() string { return randomString(51, idAlphabet) }

// Confidential reports whether the client has a secret.
func (c *Client) Confidential() bool { return len(c.Secrets) > 0 }

// SecretMatches reports whether given is one of the client's secrets. Every
// secret is compared, in constant time, whichever matches.
func (c *Client) SecretMatches(given string) bool {
	ok := 0
	for _, s := range c.Secrets {
		ok |= subtle.ConstantTimeCompare([]byte(s.Value), []byte(given))
	}
	return ok == 1
}

// secretHashMatches reports whether given is the SECRET_HASH of name under
// any of the client's secrets.
func (c *Client) secretHashMatches(given, name string) bool {
	ok := false
	for _, s := range c.Secrets {
		ok = hmac.Equal([]byte(given), []byte(SecretHash(s.Value, name, c.ID))) || ok
	}
	return ok
}

// AddClientSecret is AddUserPoolClientSecret: a second secret beside the
// first, given by the caller or generated (generated tells which; only a
// generated value is shown back, as in Cognito).
func (s *Pools) AddClientSecret(ctx context.Context, poolID, clientID, value string) (secret ClientSecret, generated bool, err error) {
	if _, err := s.DescribeClient(ctx, poolID, clientID); err != nil {
		return ClientSecret{}, false, err
	}
	if generated = value == ""; generated {
		value = newClientSecretValue()
	}
	_, err = s.Store.UpdateClient(ctx, clientID, func(c Client) (Client, error) {
		if !c.Confidential() {
			return c, Errorf(InvalidParameter, "Client %s has no client secret; secrets can be added only to confidential app clients.", c.ID)
		}
		if c.SecretMatches(value) {
			return c, Errorf(InvalidParameter, "Client %s already has this client secret.", c.ID)
		}
		if len(c.Secrets) >= maxClientSecrets {
			return c, Errorf(LimitExceeded, "Client %s already has %d client secrets; delete one before adding another.", c.ID, maxClientSecrets)
		}
		now := s.Now()
		secret = ClientSecret{ID: ClientSecretID(c.ID, now), Value: value, CreatedAt: now}
		for slices.ContainsFunc(c.Secrets, func(o ClientSecret) bool { return o.ID == secret.ID }) {
			secret.CreatedAt = secret.CreatedAt.Add(time.Millisecond)
			secret.ID = ClientSecretID(c.ID, secret.CreatedAt)
		}
		c.Secrets = append(slices.Clone(c.Secrets), secret)
		c.ModifiedAt = now
		return c, nil
	})
	return secret, generated, err
}

// ListClientSecrets is ListUserPoolClientSecrets (values never shown).
func (s *Pools) ListClientSecrets(ctx context.Context, poolID, clientID string) ([]ClientSecret, error) {
	c, err := s.DescribeClient(ctx, poolID, clientID)
	return c.Secrets, err
}

// DeleteClientSecret is DeleteUserPoolClientSecret; the last secret of a
// client cannot be deleted.
func (s *Pools) DeleteClientSecret(ctx context.Context, poolID, clientID, secretID string) error {
	if _, err := s.DescribeClient(ctx, poolID, clientID); err != nil {
		return err
	}
	_, err := s.Store.UpdateClient(ctx, clientID, func(c Client) (Client, error) {
		i := slices.IndexFunc(c.Secrets, func(o ClientSecret) bool { return o.ID == secretID })
		if i < 0 {
			return c, Errorf(ResourceNotFound, "Client secret %s does not exist.", secretID)
		}
		if len(c.Secrets) == 1 {
			return c, Errorf(InvalidParameter, "Client secret %s is the last secret of client %s and cannot be deleted.", secretID, c.ID)
		}
		c.Secrets = slices.Delete(slices.Clone(c.Secrets), i, i+1)
		c.ModifiedAt = s.Now()
		return c, nil
	})
	return err
}
