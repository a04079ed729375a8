package userpool

import (
	"context"
	"encoding/base64"

	"github.com/cognate/cognate/internal/secret"
)

// Caller is who made a request: an admin access key, or a user by token.
type Caller struct {
	AccessKeyID string // set for SigV4-signed admin calls
	Region      string // the call's region (credential scope, or from an id)
}

const idAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

func randomString(n int, alphabet string) string { return secret.RandomString(n, alphabet) }

var pageTokenEncoding = base64.RawURLEncoding

// page cuts a result fetched with limit+1 rows to limit, and returns the
// token of the next page when there is one.
func page[T any](items []T, limit int, key func(T) string) ([]T, string) {
	if len(items) <= limit {
		return items, ""
	}
	items = items[:limit]
	return items, encodePageToken(key(items[limit-1]))
}

// poolUser resolves a pool and one of its users (by username, alias or sub).
func poolUser(ctx context.Context, st Store, poolID, username string) (Pool, User, string, error) {
	pool, err := GetPool(ctx, st, poolID)
	if err != nil {
		return Pool{}, User{}, "", err
	}
	u, key, err := FindUser(ctx, st, &pool, username)
	return pool, u, key, err
}
