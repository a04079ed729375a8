// Package rowcodec is what the SQL backends share about rows: how times,
// JSON columns and password credentials are stored and read back, and the
// column lists of families. Keeping it in one place keeps SQLite and
// PostgreSQL in step when a domain type grows a field.
package rowcodec

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/cognate/cognate/internal/secret"
	"github.com/cognate/cognate/internal/userpool"
)

// NS stores a time as Unix nanoseconds; the zero time is 0.
func NS(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// FromNS reads what NS stored, in UTC.
func FromNS(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// JSON encodes a column value; the domain types always encode.
func JSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// storedPassword is the JSON form of a PasswordCredential.
type storedPassword struct {
	Hash        []byte `json:"h,omitempty"`
	SRPSalt     []byte `json:"s,omitempty"`
	SRPVerifier []byte `json:"v,omitempty"`
	SetAt       int64  `json:"t,omitempty"`
	Failed      int    `json:"f,omitempty"`
	LockedUntil int64  `json:"l,omitempty"`
}

// Password encodes a credential column.
func Password(p userpool.PasswordCredential) string {
	return JSON(storedPassword{Hash: p.Hash, SRPSalt: p.SRPSalt, SRPVerifier: p.SRPVerifier, SetAt: NS(p.SetAt),
		Failed: p.FailedAttempts, LockedUntil: NS(p.LockedUntil)})
}

// UserColumns decodes the JSON columns of a user row into u; names is the
// sign_in_names column, NULL (nil) until they are computed.
func UserColumns(u *userpool.User, attributes, password, mfa string, names *string) error {
	if err := json.Unmarshal([]byte(attributes), &u.Attributes); err != nil {
		return err
	}
	if names != nil {
		u.SignInNames = []string{}
		if err := json.Unmarshal([]byte(*names), &u.SignInNames); err != nil {
			return err
		}
	}
	var sp storedPassword
	if err := json.Unmarshal([]byte(password), &sp); err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(mfa), &u.MFA); err != nil {
		return err
	}
	u.Password = userpool.PasswordCredential{Hash: sp.Hash, SRPSalt: sp.SRPSalt, SRPVerifier: sp.SRPVerifier, SetAt: FromNS(sp.SetAt),
		FailedAttempts: sp.Failed, LockedUntil: FromNS(sp.LockedUntil)}
	return nil
}

// PoolColumns decodes the JSON columns of a pool row into p.
func PoolColumns(p *userpool.Pool, settings, schema string) error {
	if err := json.Unmarshal([]byte(settings), &p.Settings); err != nil {
		return err
	}
	return json.Unmarshal([]byte(schema), &p.Schema)
}

// FamilyColumns is the column list FamilyScan reads (table alias f).
const FamilyColumns = `f.id, f.pool_id, f.client_id, f.user_sub, f.refresh_hash, f.epoch, f.auth_time_ns, f.created_ns, f.expires_ns, COALESCE(f.revoked_ns, 0), f.device_key, f.scope`

// FamilyScan receives a family row.
type FamilyScan struct {
	f                                   userpool.Family
	authTime, created, expires, revoked int64
}

// Dest are the scan destinations, in FamilyColumns order.
func (fs *FamilyScan) Dest() []any {
	f := &fs.f
	return []any{&f.ID, &f.PoolID, &f.ClientID, &f.UserSub, &f.RefreshHash, &f.Epoch, &fs.authTime, &fs.created, &fs.expires, &fs.revoked, &f.DeviceKey, &f.Scope}
}

// Family returns the scanned family.
func (fs *FamilyScan) Family() userpool.Family {
	f := fs.f
	f.AuthTime, f.CreatedAt, f.ExpiresAt, f.RevokedAt = FromNS(fs.authTime), FromNS(fs.created), FromNS(fs.expires), FromNS(fs.revoked)
	return f
}

// storedSecret is the JSON form of one ClientSecret. Value is sealed
// (secret.SealString) when the store has a sealer; rows written before
// secrets were sealed hold it in plain text.
type storedSecret struct {
	ID      string `json:"id"`
	Value   string `json:"v"`
	Created int64  `json:"t"`
}

// clientSecretLabel binds a sealed secret to its client and secret id.
func clientSecretLabel(clientID, secretID string) string {
	return "cognate client secret\x00" + clientID + "\x00" + secretID
}

// ClientSecrets encodes a client's secrets for the clients.secret column:
// "" for a public client, else a JSON list, each value sealed under k (in
// plain text when k is nil: stores opened without a master key, in tests).
// (Secrets match [\w+]+, so a stored value beginning with '[' is always a
// list; older rows hold one secret as plain text.)
func ClientSecrets(clientID string, secrets []userpool.ClientSecret, k secret.Sealer) string {
	if len(secrets) == 0 {
		return ""
	}
	out := make([]storedSecret, len(secrets))
	for i, s := range secrets {
		v := s.Value
		if k != nil {
			v = secret.SealString(k, v, clientSecretLabel(clientID, s.ID))
		}
		out[i] = storedSecret{ID: s.ID, Value: v, Created: NS(s.CreatedAt)}
	}
	return JSON(out)
}

// ParseClientSecrets reads what ClientSecrets stored, opening sealed values
// with k, and the plain single secret of rows written before clients had
// several (its id is derived from the client's creation time, as a new
// one's would be). It also reports whether any value was in plain text.
func ParseClientSecrets(col, clientID string, clientCreated time.Time, k secret.Sealer) (secrets []userpool.ClientSecret, plain bool, err error) {
	switch {
	case col == "":
		return nil, false, nil
	case col[0] != '[':
		return []userpool.ClientSecret{{ID: userpool.ClientSecretID(clientID, clientCreated), Value: col, CreatedAt: clientCreated}}, true, nil
	}
	var stored []storedSecret
	if err := json.Unmarshal([]byte(col), &stored); err != nil {
		return nil, false, err
	}
	out := make([]userpool.ClientSecret, len(stored))
	for i, s := range stored {
		v := s.Value
		if secret.IsSealedString(v) {
			if k == nil {
				return nil, false, errors.New("client " + clientID + ": secret is sealed and the store has no master key")
			}
			if v, err = secret.OpenString(k, v, clientSecretLabel(clientID, s.ID)); err != nil {
				return nil, false, fmt.Errorf("client %s: opening secret %s: %w", clientID, s.ID, err)
			}
		} else {
			plain = true
		}
		out[i] = userpool.ClientSecret{ID: s.ID, Value: v, CreatedAt: FromNS(s.Created)}
	}
	return out, plain, nil
}

// ResealClientSecrets returns the column sealed under k when col holds a
// secret in plain text (rows from before secrets were sealed), and false
// when it has nothing to seal.
func ResealClientSecrets(col, clientID string, clientCreated time.Time, k secret.Sealer) (string, bool, error) {
	secrets, plain, err := ParseClientSecrets(col, clientID, clientCreated, k)
	if err != nil || !plain {
		return col, false, err
	}
	return ClientSecrets(clientID, secrets, k), true, nil
}

// SignInNames encodes the sign_in_names column: NULL for nil.
func SignInNames(names []string) any {
	if names == nil {
		return nil
	}
	return JSON(names)
}

// NamesChanged reports whether an update replaces the user's sign-in
// names: nil keeps them.
func NamesChanged(before, after []string) bool {
	return after != nil && (before == nil || !slices.Equal(before, after))
}

// ClaimNames inserts each of a user's sign-in names with insert; the
// primary key of sign_in_names makes each the user's alone, and a unique
// violation (isUnique) becomes a *userpool.NameTakenError naming it.
func ClaimNames(names []string, insert func(name string) error, isUnique func(error) bool) error {
	for _, n := range names {
		if err := insert(n); isUnique(err) {
			return &userpool.NameTakenError{Name: n}
		} else if err != nil {
			return err
		}
	}
	return nil
}

// ClaimAttemptSQL is the conditional upsert of AttemptStore.ClaimAttempt
// over table attempt_windows, written with the backend's placeholders for
// pool, sub, kind, until (ns), now (ns) and max. It returns the new count,
// or no row when the open window is full.
func ClaimAttemptSQL(pool, sub, kind, until, now, max string) string {
	return `INSERT INTO attempt_windows AS w (pool_id, user_sub, kind, count, ends_ns) VALUES (` + pool + `, ` + sub + `, ` + kind + `, 1, ` + until + `)
		ON CONFLICT (pool_id, user_sub, kind) DO UPDATE SET
			count = CASE WHEN w.ends_ns <= ` + now + ` THEN 1 ELSE w.count + 1 END,
			ends_ns = CASE WHEN w.ends_ns <= ` + now + ` THEN excluded.ends_ns ELSE w.ends_ns END
		WHERE w.ends_ns <= ` + now + ` OR w.count < ` + max + `
		RETURNING count`
}
