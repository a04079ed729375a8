package userpool

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/cognate/cognate/internal/srp"
)

// srpState is sealed into SECRET_BLOCK: the server's half of the exchange
// travels with the client, so any replica can finish it; its nonce makes it
// single-use.
type srpState struct {
	Pool     string `json:"p"`
	Client   string `json:"c"`
	Username string `json:"u"` // internal username; "" for a simulated user
	A        string `json:"a"`
	B        []byte `json:"b"`
	Expires  int64  `json:"e"`
	Nonce    string `json:"n"`
}

const srpLabel = "cognate srp secret block"

// srpWindow is how long a PASSWORD_VERIFIER challenge may be answered.
const srpWindow = 5 * time.Minute

func poolName(poolID string) string {
	_, name, _ := strings.Cut(poolID, "_")
	return name
}

// simulatedVerifier gives an unknown user a stable, fake verifier, so that
// with PreventUserExistenceErrors the challenge looks like a real one.
func (a *Auth) simulatedVerifier(poolID, username string) (salt, verifier []byte) {
	salt = a.Sealer.MAC([]byte("srp-simulated-salt\x00" + poolID + "\x00" + username))[:16]
	return salt, srp.ComputeVerifier(poolName(poolID), username, uuid.NewString(), salt)
}

func (a *Auth) srpInitiate(ctx context.Context, pool *Pool, client *Client, params map[string]string) (AuthResult, error) {
	username, hexA := params["USERNAME"], params["SRP_A"]
	if username == "" {
		return AuthResult{}, missing("USERNAME")
	}
	if hexA == "" {
		return AuthResult{}, missing("SRP_A")
	}
	if err := checkSecretHash(client, params["SECRET_HASH"], username); err != nil {
		return AuthResult{}, err
	}
	A, err := srp.ParseA(hexA)
	if err != nil {
		return AuthResult{}, Errorf(InvalidParameter, "SRP_A is invalid: %s", err.Error())
	}
	user, _, err := FindUser(ctx, a.Store, pool, username)
	var salt, verifier []byte
	internal := ""
	switch {
	case IsType(err, UserNotFound):
		if client.Settings.PreventUserExistenceErrors != "ENABLED" {
			return AuthResult{}, err
		}
		salt, verifier = a.simulatedVerifier(pool.ID, username)
	case err != nil:
		return AuthResult{}, err
	default:
		if user.Status == StatusUnconfirmed {
			return AuthResult{}, Errorf(UserNotConfirmed, "User is not confirmed.")
		}
		internal = user.Username
		if salt, verifier, err = a.Credentials.Verifier(user.Password, pool.ID, user.Username); err != nil {
			return AuthResult{}, err
		}
	}
	ch, err := srp.NewChallenge(verifier)
	if err != nil {
		return AuthResult{}, err
	}
	st := srpState{Pool: pool.ID, Client: client.ID, Username: internal, A: A.Text(16), B: ch.Secret(),
		Expires: a.Now().Add(srpWindow).Unix(), Nonce: uuid.NewString()}
	raw, _ := json.Marshal(st)
	block := base64.StdEncoding.EncodeToString(a.Sealer.Seal(raw, srpLabel))
	shown := internal
	if shown == "" {
		shown = username
	}
	return AuthResult{
		ChallengeName: "PASSWORD_VERIFIER",
		ChallengeParameters: map[string]string{
			"SALT":            srp.SaltHex(salt),
			"SECRET_BLOCK":    block,
			"SRP_B":           ch.BHex(),
			"USERNAME":        shown,
			"USER_ID_FOR_SRP": shown,
		},
	}, nil
}

var errIncorrect = Errorf(NotAuthorized, "Incorrect username or password.")

func (a *Auth) srpRespond(ctx context.Context, pool *Pool, client *Client, in RespondInput) (AuthResult, error) {
	r := in.ChallengeResponses
	for _, k := range []string{"PASSWORD_CLAIM_SECRET_BLOCK", "PASSWORD_CLAIM_SIGNATURE", "TIMESTAMP", "USERNAME"} {
		if r[k] == "" {
			return AuthResult{}, missing(k)
		}
	}
	_, canonical, err := srp.ParseTimestamp(r["TIMESTAMP"])
	if err != nil {
		return AuthResult{}, Errorf(InvalidParameter, "%s", err.Error())
	}
	sealed, err := base64.StdEncoding.DecodeString(r["PASSWORD_CLAIM_SECRET_BLOCK"])
	if err != nil {
		return AuthResult{}, errIncorrect
	}
	plain, err := a.Sealer.Open(sealed, srpLabel)
	if err != nil {
		return AuthResult{}, errIncorrect
	}
	var st srpState
	if json.Unmarshal(plain, &st) != nil || st.Client != client.ID || st.Pool != pool.ID {
		return AuthResult{}, errIncorrect
	}
	if a.Now().Unix() > st.Expires {
		return AuthResult{}, Errorf(NotAuthorized, "Invalid session for the user, session is expired.")
	}
	if st.Username == "" { // the simulated challenge of an unknown user
		return AuthResult{}, errIncorrect
	}
	user, _, err := FindUser(ctx, a.Store, pool, st.Username)
	if err != nil {
		return AuthResult{}, errIncorrect
	}
	if err := checkSecretHash(client, r["SECRET_HASH"], r["USERNAME"], user.Username); err != nil {
		return AuthResult{}, err
	}
	_, verifier, err := a.Credentials.Verifier(user.Password, pool.ID, user.Username)
	if err != nil {
		return AuthResult{}, err
	}
	A, err := srp.ParseA(st.A)
	if err != nil {
		return AuthResult{}, errIncorrect
	}
	ch, err := srp.NewChallengeWithSecret(verifier, new(big.Int).SetBytes(st.B))
	if err != nil {
		return AuthResult{}, errIncorrect
	}
	block, _ := base64.StdEncoding.DecodeString(r["PASSWORD_CLAIM_SECRET_BLOCK"])
	want, err := ch.ExpectedSignature(poolName(pool.ID), user.Username, A, verifier, block, canonical)
	if err != nil || !srp.VerifySignature(want, r["PASSWORD_CLAIM_SIGNATURE"]) {
		return AuthResult{}, errIncorrect
	}
	// One SECRET_BLOCK, one sign-in: a captured answer cannot be replayed.
	if err := a.Store.ConsumeNonce(ctx, "srp:"+st.Nonce, time.Unix(st.Expires, 0)); errors.Is(err, ErrAlreadyExists) {
		return AuthResult{}, Errorf(NotAuthorized, "Invalid session for the user.")
	} else if err != nil {
		return AuthResult{}, err
	}
	return a.afterPassword(ctx, pool, client, &user)
}
