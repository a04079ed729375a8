package userpool

import "context"

// Patience is a hint a caller gives the store about a write: it has other
// work to do while the write is made durable (a sign-in signs its tokens
// meanwhile), so a store that batches writes (SQLite's group commit) may
// hold this one briefly to share a commit with others. The answer still
// waits for durability; only the timing changes.

type patienceKey struct{}

// WithPatience marks ctx's writes as willing to wait for company.
func WithPatience(ctx context.Context) context.Context {
	return context.WithValue(ctx, patienceKey{}, true)
}

// PatienceFrom reports whether ctx carries WithPatience.
func PatienceFrom(ctx context.Context) bool {
	v, _ := ctx.Value(patienceKey{}).(bool)
	return v
}
