package sqlstore

// How rows are encoded: times, JSON columns, password credentials, client
// secrets and sign-in names, the same for every dialect.

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/cognate/cognate/internal/secret"
	"github.com/cognate/cognate/internal/userpool"
)

// ns stores a time as Unix nanoseconds; the zero time is 0.
func ns(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// fromNS reads what ns stored, in UTC.
func fromNS(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// mustJSON encodes a column value; the domain types always encode.
func mustJSON(v any) string {
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

// encodePassword encodes a credential column.
func encodePassword(p userpool.PasswordCredential) string {
	return mustJSON(storedPassword{Hash: p.Hash, SRPSalt: p.SRPSalt, SRPVerifier: p.SRPVerifier, SetAt: ns(p.SetAt),
		Failed: p.FailedAttempts, LockedUntil: ns(p.LockedUntil)})
}

// decodeUserColumns decodes the JSON columns of a user row into u; names is the
// sign_in_names column, NULL (nil) until they are computed.
func decodeUserColumns(u *userpool.User, attributes, password, mfa string, names *string) error {
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
	u.Password = userpool.PasswordCredential{Hash: sp.Hash, SRPSalt: sp.SRPSalt, SRPVerifier: sp.SRPVerifier, SetAt: fromNS(sp.SetAt),
		FailedAttempts: sp.Failed, LockedUntil: fromNS(sp.LockedUntil)}
	return nil
}

// decodePoolColumns decodes the JSON columns of a pool row into p.
func decodePoolColumns(p *userpool.Pool, settings, schema string) error {
	if err := json.Unmarshal([]byte(settings), &p.Settings); err != nil {
		return err
	}
	return json.Unmarshal([]byte(schema), &p.Schema)
}

// familyCols is the column list familyScan reads (table alias f).
const familyCols = `f.id, f.pool_id, f.client_id, f.user_sub, f.refresh_hash, f.epoch, f.auth_time_ns, f.created_ns, f.expires_ns, COALESCE(f.revoked_ns, 0), f.device_key, f.scope`

// familyScan receives a family row.
type familyScan struct {
	f                                   userpool.Family
	authTime, created, expires, revoked int64
}

// Dest are the scan destinations, in familyCols order.
func (fs *familyScan) Dest() []any {
	f := &fs.f
	return []any{&f.ID, &f.PoolID, &f.ClientID, &f.UserSub, &f.RefreshHash, &f.Epoch, &fs.authTime, &fs.created, &fs.expires, &fs.revoked, &f.DeviceKey, &f.Scope}
}

// Family returns the scanned family.
func (fs *familyScan) Family() userpool.Family {
	f := fs.f
	f.AuthTime, f.CreatedAt, f.ExpiresAt, f.RevokedAt = fromNS(fs.authTime), fromNS(fs.created), fromNS(fs.expires), fromNS(fs.revoked)
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

// encodeClientSecrets encodes a client's secrets for the clients.secret column:
// "" for a public client, else a JSON list, each value sealed under k (in
// plain text when k is nil: stores opened without a master key, in tests).
// (Secrets match [\w+]+, so a stored value beginning with '[' is always a
// list; older rows hold one secret as plain text.)
func encodeClientSecrets(clientID string, secrets []userpool.ClientSecret, k secret.Sealer) string {
	if len(secrets) == 0 {
		return ""
	}
	out := make([]storedSecret, len(secrets))
	for i, s := range secrets {
		v := s.Value
		if k != nil {
			v = secret.SealString(k, v, clientSecretLabel(clientID, s.ID))
		}
		out[i] = storedSecret{ID: s.ID, Value: v, Created: ns(s.CreatedAt)}
	}
	return mustJSON(out)
}

// parseClientSecrets reads what encodeClientSecrets stored, opening sealed values
// with k, and the plain single secret of rows written before clients had
// several (its id is derived from the client's creation time, as a new
// one's would be). It also reports whether any value was in plain text.
func parseClientSecrets(col, clientID string, clientCreated time.Time, k secret.Sealer) (secrets []userpool.ClientSecret, plain bool, err error) {
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
		out[i] = userpool.ClientSecret{ID: s.ID, Value: v, CreatedAt: fromNS(s.Created)}
	}
	return out, plain, nil
}

// resealClientSecrets returns the column sealed under k when col holds a
// secret in plain text (rows from before secrets were sealed), and false
// when it has nothing to seal.
func resealClientSecrets(col, clientID string, clientCreated time.Time, k secret.Sealer) (string, bool, error) {
	secrets, plain, err := parseClientSecrets(col, clientID, clientCreated, k)
	if err != nil || !plain {
		return col, false, err
	}
	return encodeClientSecrets(clientID, secrets, k), true, nil
}

// encodeSignInNames encodes the sign_in_names column: NULL for nil.
func encodeSignInNames(names []string) any {
	if names == nil {
		return nil
	}
	return mustJSON(names)
}

// namesChanged reports whether an update replaces the user's sign-in
// names: nil keeps them.
func namesChanged(before, after []string) bool {
	return after != nil && (before == nil || !slices.Equal(before, after))
}
