package userpool

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
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
	Device   string `json:"d,omitempty"` // set for DEVICE_PASSWORD_VERIFIER
	Unknown  string `json:"g,omitempty"` // the name asked for, for a simulated user
	Custom   bool   `json:"x,omitempty"` // a CUSTOM_AUTH step: answered only with its session
}

const srpLabel = "cognate srp secret block"

// srpWindow is how long a PASSWORD_VERIFIER challenge may be answered.
const srpWindow = 5 * time.Minute

// srpRealm is the pool-id name part that SRP mixes into the verifier.
func srpRealm(poolID string) string {
	_, name := SplitPoolID(poolID)
	return name
}

// simulatedVerifier gives an unknown user a stable salt and a verifier, so
// that with PreventUserExistenceErrors the challenge looks like a real one.
// The verifier is computed once per process: B = k·v + g^b hides it, and
// skipping the exponentiation keeps the timing of real users.
func (a *Auth) simulatedVerifier(poolID, username string) (salt, verifier []byte) {
	salt = a.Sealer.MAC([]byte("srp-simulated-salt\x00" + poolID + "\x00" + username))[:16]
	a.simOnce.Do(func() { a.simVerifier = srp.ComputeVerifier("simulated", "user", uuid.NewString(), salt) })
	return salt, a.simVerifier
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
		if err := a.unknownSignIn(ctx, pool, client, username, err); err != nil {
			return AuthResult{}, err
		}
		salt, verifier = a.simulatedVerifier(pool.ID, username)
	case err != nil:
		return AuthResult{}, err
	default:
		// An unconfirmed user is told so after the proof (srpRespond).
		if err := a.preAuthentication(ctx, pool, client, &user, false); err != nil {
			return AuthResult{}, err
		}
		internal = user.Username
		if salt, verifier, err = a.Credentials.Verifier(user.Password, pool.ID, user.Username); err != nil {
			return AuthResult{}, err
		}
	}
	return a.srpChallenge(pool, client, internal, username, A, salt, verifier, params["DEVICE_KEY"], false)
}

// srpChallenge is the PASSWORD_VERIFIER challenge for the internal user
// name ("" for a simulated user: asked is shown) with its salt and
// verifier (USER_SRP_AUTH, and CUSTOM_AUTH's SRP_A step).
func (a *Auth) srpChallenge(pool *Pool, client *Client, internal, asked string, A *big.Int, salt, verifier []byte, deviceKey string, custom bool) (AuthResult, error) {
	ch, err := srp.NewChallenge(verifier)
	if err != nil {
		return AuthResult{}, err
	}
	st := srpState{Pool: pool.ID, Client: client.ID, Username: internal, A: A.Text(16), B: ch.Secret(),
		Device: deviceKey, Expires: a.Now().Add(srpWindow).Unix(), Nonce: uuid.NewString(), Custom: custom}
	shown := internal
	if shown == "" {
		shown, st.Unknown = asked, asked
	}
	block := a.sealBlock(st)
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

// unknownSignIn is the start of a sign-in by an unknown name (notFound,
// FindUser's error): the error itself, unless the client hides unknown
// users; then PreAuthentication hears of it (userNotFound) and the
// sign-in goes on, to fail later like a user's.
func (a *Auth) unknownSignIn(ctx context.Context, pool *Pool, client *Client, username string, notFound error) error {
	if client.Settings.PreventUserExistenceErrors != "ENABLED" {
		return notFound
	}
	return a.preAuthentication(ctx, pool, client, &User{Username: username}, true)
}

func (a *Auth) sealBlock(st srpState) string {
	raw, _ := json.Marshal(st)
	return base64.StdEncoding.EncodeToString(a.Sealer.Seal(raw, srpLabel))
}

var errIncorrect = Errorf(NotAuthorized, "Incorrect username or password.")

// claim is a parsed PASSWORD_CLAIM answer whose SECRET_BLOCK opened.
type claim struct {
	st        srpState
	block     []byte
	canonical string // TIMESTAMP as it enters the signature
	signature string
	A         *big.Int
}

// openClaim checks the shape of a PASSWORD_VERIFIER-style answer and opens
// its SECRET_BLOCK.
func (a *Auth) openClaim(pool *Pool, client *Client, r map[string]string) (claim, error) {
	for _, k := range []string{"PASSWORD_CLAIM_SECRET_BLOCK", "PASSWORD_CLAIM_SIGNATURE", "TIMESTAMP", "USERNAME"} {
		if r[k] == "" {
			return claim{}, missing(k)
		}
	}
	_, canonical, err := srp.ParseTimestamp(r["TIMESTAMP"])
	if err != nil {
		return claim{}, Errorf(InvalidParameter, "%s", err.Error())
	}
	block, err := base64.StdEncoding.DecodeString(r["PASSWORD_CLAIM_SECRET_BLOCK"])
	if err != nil {
		return claim{}, errIncorrect
	}
	plain, err := a.Sealer.Open(block, srpLabel)
	if err != nil {
		return claim{}, errIncorrect
	}
	var st srpState
	if json.Unmarshal(plain, &st) != nil || st.Client != client.ID || st.Pool != pool.ID {
		return claim{}, errIncorrect
	}
	if a.Now().Unix() > st.Expires {
		return claim{}, Errorf(NotAuthorized, "Invalid session for the user, session is expired.")
	}
	A, err := srp.ParseA(st.A)
	if err != nil {
		return claim{}, errIncorrect
	}
	return claim{st: st, block: block, canonical: canonical, signature: r["PASSWORD_CLAIM_SIGNATURE"], A: A}, nil
}

// verify checks the claim against a verifier of realm/user.
func (a *Auth) verify(c claim, realm, user string, verifier []byte) error {
	ch, err := srp.NewChallengeWithSecret(verifier, new(big.Int).SetBytes(c.st.B))
	if err != nil {
		return errIncorrect
	}
	want, err := ch.ExpectedSignature(realm, user, c.A, verifier, c.block, c.canonical)
	if err != nil || !srp.VerifySignature(want, c.signature) {
		return errIncorrect
	}
	return nil
}

// spend uses up the claim's block: one SECRET_BLOCK, one sign-in, so a
// captured answer cannot be replayed.
func (a *Auth) spend(ctx context.Context, c claim) error {
	if err := a.Store.ConsumeNonce(ctx, "srp:"+c.st.Nonce, time.Unix(c.st.Expires, 0)); errors.Is(err, ErrAlreadyExists) {
		return Errorf(NotAuthorized, "Invalid session for the user.")
	} else if err != nil {
		return err
	}
	return nil
}

func (a *Auth) srpRespond(ctx context.Context, pool *Pool, client *Client, in RespondInput) (AuthResult, error) {
	user, err := a.srpProof(ctx, pool, client, in.ChallengeResponses, false)
	if err != nil {
		return AuthResult{}, err
	}
	return a.afterPassword(ctx, pool, client, &user, in.ChallengeResponses["DEVICE_KEY"], true)
}

// srpProof checks a PASSWORD_VERIFIER answer r and spends its block: the
// user whose password it proves, or errIncorrect (a counted failure).
// custom says which flow the answer belongs to: a CUSTOM_AUTH block cannot
// skip the custom challenges through USER_SRP_AUTH's answer, nor the reverse.
func (a *Auth) srpProof(ctx context.Context, pool *Pool, client *Client, r map[string]string, custom bool) (User, error) {
	c, err := a.openClaim(pool, client, r)
	if err != nil {
		return User{}, err
	}
	if c.st.Custom != custom {
		return User{}, errIncorrect
	}
	if c.st.Username == "" { // the simulated challenge of an unknown user
		if c.st.Unknown == "" {
			return User{}, errIncorrect
		}
		if err := checkSecretHash(client, r["SECRET_HASH"], r["USERNAME"], c.st.Unknown); err != nil {
			return User{}, err
		}
		// The proof is checked against the simulated verifier: it fails,
		// after the work a user's proof takes.
		return User{}, a.failUnknown(ctx, pool, client, c.st.Unknown, func() {
			_, verifier := a.simulatedVerifier(pool.ID, c.st.Unknown)
			a.verify(c, srpRealm(pool.ID), c.st.Unknown, verifier)
		})
	}
	user, key, err := FindUser(ctx, a.Store, pool, c.st.Username)
	if err != nil {
		return User{}, errIncorrect
	}
	if err := checkSecretHash(client, r["SECRET_HASH"], r["USERNAME"], user.Username); err != nil {
		return User{}, err
	}
	if err := a.lockedOut(&user); err != nil {
		return User{}, err
	}
	if err := a.refuseResetRequired(ctx, pool, client, &user); err != nil {
		return User{}, err
	}
	var verr error
	user, ok, err := a.signInAttempt(ctx, pool, client, key, user, func(u *User) bool {
		var verifier []byte
		if _, verifier, verr = a.Credentials.Verifier(u.Password, pool.ID, u.Username); verr == nil {
			verr = a.verify(c, srpRealm(pool.ID), u.Username, verifier)
		}
		return verr == nil
	})
	if err != nil {
		return User{}, err
	}
	if !ok {
		return User{}, verr
	}
	if user.Status == StatusUnconfirmed {
		return User{}, errNotConfirmed
	}
	deviceKey := r["DEVICE_KEY"]
	if deviceKey != "" && tracksDevices(pool) {
		// An unknown device is reported before the block is spent: clients
		// (amazon-cognito-identity-js) then retry the same answer without it.
		if _, err := userDevice(ctx, a.Store, pool.ID, user.Sub, deviceKey); err != nil {
			return User{}, err
		}
	}
	if err := a.spend(ctx, c); err != nil {
		return User{}, err
	}
	return user, nil
}

// deviceSRPRespond answers DEVICE_SRP_AUTH: the remembered device starts
// its own SRP exchange, with its verifier.
func (a *Auth) deviceSRPRespond(ctx context.Context, pool *Pool, client *Client, in RespondInput) (AuthResult, error) {
	r := in.ChallengeResponses
	st, err := a.openSession(in.Session, client, "DEVICE_SRP_AUTH")
	if err != nil {
		return AuthResult{}, err
	}
	for _, k := range []string{"USERNAME", "DEVICE_KEY", "SRP_A"} {
		if r[k] == "" {
			return AuthResult{}, missing(k)
		}
	}
	if r["DEVICE_KEY"] != st.Device {
		return AuthResult{}, errNoDevice()
	}
	user, _, err := FindUser(ctx, a.Store, pool, st.Username)
	if err != nil {
		return AuthResult{}, err
	}
	if err := checkSecretHash(client, r["SECRET_HASH"], r["USERNAME"], user.Username); err != nil {
		return AuthResult{}, err
	}
	d, err := userDevice(ctx, a.Store, pool.ID, user.Sub, st.Device)
	if err != nil {
		return AuthResult{}, err
	}
	A, err := srp.ParseA(r["SRP_A"])
	if err != nil {
		return AuthResult{}, Errorf(InvalidParameter, "SRP_A is invalid: %s", err.Error())
	}
	ch, err := srp.NewChallenge(d.Verifier)
	if err != nil {
		return AuthResult{}, err
	}
	expires := a.Now().Add(srpWindow).Unix()
	block := a.sealBlock(srpState{Pool: pool.ID, Client: client.ID, Username: user.Username, A: A.Text(16), B: ch.Secret(),
		Device: d.Key, Expires: expires, Nonce: uuid.NewString()})
	session := a.sealSession(challengeState{Pool: pool.ID, Client: client.ID, Username: user.Username,
		Challenge: "DEVICE_PASSWORD_VERIFIER", Device: d.Key, Expires: expires, Nonce: uuid.NewString()})
	return AuthResult{
		ChallengeName: "DEVICE_PASSWORD_VERIFIER",
		ChallengeParameters: map[string]string{
			"SALT": srp.SaltHex(d.Salt), "SRP_B": ch.BHex(), "SECRET_BLOCK": block,
			"USERNAME": user.Username, "DEVICE_KEY": d.Key,
		},
		Session: session,
	}, nil
}

// deviceVerifierRespond answers DEVICE_PASSWORD_VERIFIER and signs in on
// the remembered device.
func (a *Auth) deviceVerifierRespond(ctx context.Context, pool *Pool, client *Client, in RespondInput) (AuthResult, error) {
	r := in.ChallengeResponses
	if _, err := a.openSession(in.Session, client, "DEVICE_PASSWORD_VERIFIER"); err != nil {
		return AuthResult{}, err
	}
	c, err := a.openClaim(pool, client, r)
	if err != nil {
		return AuthResult{}, err
	}
	if c.st.Device == "" || r["DEVICE_KEY"] != c.st.Device {
		return AuthResult{}, errNoDevice()
	}
	user, _, err := FindUser(ctx, a.Store, pool, c.st.Username)
	if err != nil {
		return AuthResult{}, errIncorrect
	}
	if err := checkSecretHash(client, r["SECRET_HASH"], r["USERNAME"], user.Username); err != nil {
		return AuthResult{}, err
	}
	d, err := userDevice(ctx, a.Store, pool.ID, user.Sub, c.st.Device)
	if err != nil {
		return AuthResult{}, err
	}
	if err := a.verify(c, d.GroupKey, d.Key, d.Verifier); err != nil {
		return AuthResult{}, err
	}
	if err := a.spend(ctx, c); err != nil {
		return AuthResult{}, err
	}
	if !user.Enabled {
		return AuthResult{}, Errorf(NotAuthorized, "User is disabled.")
	}
	now := a.Now()
	if _, err := a.Store.UpdateDevice(ctx, pool.ID, d.Key, func(d Device) (Device, error) {
		d.LastAuthAt = now
		return d, nil
	}); err != nil {
		return AuthResult{}, err
	}
	tokens, err := a.signIn(ctx, pool, client, &user, now, d.Key)
	if err != nil {
		return AuthResult{}, err
	}
	return AuthResult{Tokens: &tokens}, nil
}
