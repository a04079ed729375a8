package userpool

import (
	"context"
	"errors"
	"time"
)

// Sentinel errors every Store implementation returns; the domain turns them
// into Cognito errors with the right message.
var (
	ErrNotFound      = errors.New("not found")
	ErrAlreadyExists = errors.New("already exists")
	// ErrRefreshReused: a rotation presented a refresh token that is
	// neither its family's current one nor a retired one in its grace period.
	ErrRefreshReused = errors.New("refresh token reused")
	// ErrSignInNameTaken: a write would give a user a sign-in name that
	// another user of the pool holds. Stores return it as a *NameTakenError.
	ErrSignInNameTaken = errors.New("sign-in name taken")
)

// NameTakenError is ErrSignInNameTaken naming the name.
type NameTakenError struct{ Name string }

func (e *NameTakenError) Error() string        { return "sign-in name taken: " + e.Name }
func (e *NameTakenError) Is(target error) bool { return target == ErrSignInNameTaken }

// Store is the persistence the domain needs. Every method is atomic; a write
// is durable when the method returns. Update methods run fn inside one
// transaction on the current row (compare-and-swap): fn may be called more
// than once and must not have side effects; returning an error aborts.
type Store interface {
	PoolStore
	KeyStore
	ClientStore
	UserStore
	FamilyStore
	NonceStore
	DeviceStore
	WebStore
	GroupStore
	CodeStore
	MetaStore
	AttemptStore
	PasskeyStore
	ImportJobStore
	AddAuthEvent(ctx context.Context, e AuthEvent) error
	// ListAuthEvents returns the user's events newest first, skipping the
	// first offset ones.
	ListAuthEvents(ctx context.Context, poolID, sub string, offset, limit int) ([]AuthEvent, error)
	Close() error
}

// CodeStore persists one-time codes and the outbox.
type CodeStore interface {
	// PutCode replaces the user's code for the purpose.
	PutCode(ctx context.Context, c Code) error
	GetCode(ctx context.Context, poolID, sub, purpose string) (Code, error)
	// ClaimCodeAttempt counts one attempt at the user's code for the
	// purpose, in one conditional write, when fewer than max were counted,
	// and returns the code as it was claimed (with the new count).
	// ErrNotFound when there is no such code or max attempts were counted.
	ClaimCodeAttempt(ctx context.Context, poolID, sub, purpose string, max int) (Code, error)
	DeleteCode(ctx context.Context, poolID, sub, purpose string) error
	AddMessage(ctx context.Context, m Message) (int64, error)
	// ListMessages returns messages of the pool (of one user when username
	// is not ""), oldest first, with id > after.
	ListMessages(ctx context.Context, poolID, username string, after int64, limit int) ([]Message, error)
	// DeleteMessagesBefore removes the messages (of every pool) created
	// before t and reports how many.
	DeleteMessagesBefore(ctx context.Context, t time.Time) (int, error)
}

// ImportJobStore persists user import jobs (user_import_job.go);
// DeletePool removes the pool's jobs.
type ImportJobStore interface {
	CreateImportJob(ctx context.Context, j UserImportJob) error // ErrAlreadyExists
	// GetImportJob returns the job without its File. ErrNotFound.
	GetImportJob(ctx context.Context, poolID, id string) (UserImportJob, error)
	// ListImportJobs returns up to limit jobs of the pool with ID > after,
	// ordered by ID, without their files.
	ListImportJobs(ctx context.Context, poolID, after string, limit int) ([]UserImportJob, error)
	// UpdateImportJob runs fn on the current job (without its File;
	// compare-and-swap, as the other Update methods) and stores what it
	// returns, the File too when fn returns one. ErrNotFound.
	UpdateImportJob(ctx context.Context, poolID, id string, fn func(UserImportJob) (UserImportJob, error)) (UserImportJob, error)
	// ImportJobFile returns the job's uploaded file (nil when none was).
	ImportJobFile(ctx context.Context, poolID, id string) ([]byte, error)
	// ImportJobsToRun returns up to limit jobs of every pool in one of the
	// statuses whose lease ended before now, oldest first.
	ImportJobsToRun(ctx context.Context, statuses []string, now time.Time, limit int) ([]UserImportJob, error)
}

// AttemptStore counts attempts per user and kind in fixed windows, across
// replicas: the limits on issuing and entering codes and on MFA answers.
type AttemptStore interface {
	// ClaimAttempt counts one attempt of the kind in one conditional write:
	// a window that ended by now starts again at one, ending at until; an
	// open window counts up to max. It reports false (and counts nothing)
	// when the open window already holds max. Windows that ended may be
	// forgotten.
	ClaimAttempt(ctx context.Context, poolID, sub, kind string, max int, now, until time.Time) (bool, error)
	// ClearAttempts forgets the user's window of the kind.
	ClearAttempts(ctx context.Context, poolID, sub, kind string) error
	// UpdateAttempts runs fn on the window of the kind (count 0 and a zero
	// end when there is none or it ended by now) inside one transaction and
	// stores what fn returns (compare-and-swap, like UpdateUser: fn may run
	// more than once); returning an error aborts and stores nothing. It
	// returns what was stored.
	UpdateAttempts(ctx context.Context, poolID, sub, kind string, now time.Time, fn func(AttemptWindow) (AttemptWindow, error)) (AttemptWindow, error)
}

// AttemptWindow is a count of attempts and when its window ends.
type AttemptWindow struct {
	Count int
	Ends  time.Time
}

// GroupStore persists groups and memberships. DeleteUser, DeleteGroup and
// DeletePool remove the memberships they orphan.
type GroupStore interface {
	CreateGroup(ctx context.Context, g Group) error // ErrAlreadyExists
	GetGroup(ctx context.Context, poolID, name string) (Group, error)
	// ListGroups returns up to limit groups with name > after, ordered by name.
	ListGroups(ctx context.Context, poolID, after string, limit int) ([]Group, error)
	// UpdateGroup runs fn on the current group (compare-and-swap, as the
	// other Update methods) and stores what it returns. ErrNotFound.
	UpdateGroup(ctx context.Context, poolID, name string, fn func(Group) (Group, error)) (Group, error)
	DeleteGroup(ctx context.Context, poolID, name string) error
	// AddUserToGroup is idempotent.
	AddUserToGroup(ctx context.Context, poolID, name, sub string) error
	RemoveUserFromGroup(ctx context.Context, poolID, name, sub string) error
	// GroupsOfUser returns the user's groups by precedence (unset last), then name.
	GroupsOfUser(ctx context.Context, poolID, sub string) ([]Group, error)
	// UsersInGroup returns up to limit members with username key > after, ordered by key.
	UsersInGroup(ctx context.Context, poolID, name, after string, limit int) ([]KeyedUser, error)
}

// WebStore persists what the hosted UI needs: sessions behind cookies,
// domains and resource servers. Sessions are keyed by WebSession.Key (a
// hash of the cookie value; the value itself is never given to a store).
type WebStore interface {
	CreateWebSession(ctx context.Context, s WebSession) error
	GetWebSession(ctx context.Context, key string) (WebSession, error)
	// EndWebSession marks the session ended (idempotent); ErrNotFound if absent.
	EndWebSession(ctx context.Context, key string, at time.Time) error
	// EndWebSessionsOfUser ends every live session of the user.
	EndWebSessionsOfUser(ctx context.Context, poolID, sub string, at time.Time) (int, error)

	CreateDomain(ctx context.Context, d Domain) error // ErrAlreadyExists if the domain is taken
	GetDomain(ctx context.Context, domain string) (Domain, error)
	DeleteDomain(ctx context.Context, domain string) error
	// SetDomainLoginVersion sets a domain's ManagedLoginVersion; ErrNotFound.
	SetDomainLoginVersion(ctx context.Context, domain string, version int) error

	CreateResourceServer(ctx context.Context, rs ResourceServer) error // ErrAlreadyExists
	GetResourceServer(ctx context.Context, poolID, identifier string) (ResourceServer, error)
	ListResourceServers(ctx context.Context, poolID string) ([]ResourceServer, error)
	UpdateResourceServer(ctx context.Context, rs ResourceServer) error // ErrNotFound
	DeleteResourceServer(ctx context.Context, poolID, identifier string) error
}

// DeviceStore persists tracked devices. DeleteUser and DeletePool remove
// their devices too.
type DeviceStore interface {
	CreateDevice(ctx context.Context, d Device) error // ErrAlreadyExists
	GetDevice(ctx context.Context, poolID, key string) (Device, error)
	// ListDevices returns up to limit devices of the user with key > after, ordered by key.
	ListDevices(ctx context.Context, poolID, sub, after string, limit int) ([]Device, error)
	UpdateDevice(ctx context.Context, poolID, key string, fn func(Device) (Device, error)) (Device, error)
	DeleteDevice(ctx context.Context, poolID, key string) error
}

// NonceStore makes one-time values single-use across replicas.
type NonceStore interface {
	// ConsumeNonce records nonce as used until expires; ErrAlreadyExists
	// when it was used before. Expired nonces may be forgotten.
	ConsumeNonce(ctx context.Context, nonce string, expires time.Time) error
}

// PoolStore persists user pools.
type PoolStore interface {
	CreatePool(ctx context.Context, p Pool) error // ErrAlreadyExists
	GetPool(ctx context.Context, id string) (Pool, error)
	// ListPools returns up to limit pools with ID > after, ordered by ID.
	ListPools(ctx context.Context, after string, limit int) ([]Pool, error)
	UpdatePool(ctx context.Context, id string, fn func(Pool) (Pool, error)) (Pool, error)
	// DeletePool removes the pool with its keys, clients, users and families.
	DeletePool(ctx context.Context, id string) error
	CountUsers(ctx context.Context, poolID string) (int, error)
}

// KeyStore persists pools' token-signing keys.
type KeyStore interface {
	CreateSigningKeys(ctx context.Context, keys []SigningKey) error
	// ListSigningKeys returns the pool's keys, oldest first.
	ListSigningKeys(ctx context.Context, poolID string) ([]SigningKey, error)
}

// ClientStore persists app clients.
type ClientStore interface {
	CreateClient(ctx context.Context, c Client) error // ErrAlreadyExists
	GetClient(ctx context.Context, id string) (Client, error)
	// ListClients returns up to limit clients of the pool with ID > after, ordered by ID.
	ListClients(ctx context.Context, poolID, after string, limit int) ([]Client, error)
	UpdateClient(ctx context.Context, id string, fn func(Client) (Client, error)) (Client, error)
	// DeleteClient removes the client with its token families (its
	// sessions end; the users' live-session counts are not adjusted).
	DeleteClient(ctx context.Context, id string) error
}

// UserStore persists users. A user is addressed by its username key (the
// username, lower-cased in case-insensitive pools), unique within the pool;
// the domain computes the key. Subs are unique within the pool too.
type UserStore interface {
	// CreateUser stores a new user with its SignInNames: ErrAlreadyExists
	// when the key or sub is taken, a *NameTakenError (and nothing stored)
	// when another user of the pool holds one of the names.
	CreateUser(ctx context.Context, key string, u User) error
	GetUser(ctx context.Context, poolID, key string) (User, error)
	GetUserBySub(ctx context.Context, poolID, sub string) (User, error)
	// GetUserBySignInName returns the one user of the pool that holds the
	// sign-in name (unique in the pool); ErrNotFound when none does.
	GetUserBySignInName(ctx context.Context, poolID, name string) (User, error)
	// ListUsers returns up to limit users with key > after, ordered by key,
	// each with its key.
	ListUsers(ctx context.Context, poolID, after string, limit int) ([]KeyedUser, error)
	// UpdateUser also replaces the user's sign-in names with those fn
	// returns (nil keeps them), failing with a *NameTakenError, and writing
	// nothing, when another user of the pool holds one.
	UpdateUser(ctx context.Context, poolID, key string, fn func(User) (User, error)) (User, error)
	// DeleteUser removes the user, its sign-in names and all of its families.
	DeleteUser(ctx context.Context, poolID, key string) error
}

// KeyedUser is a user with its username key.
type KeyedUser struct {
	Key  string
	User User
}

// UserLookup says which unique field of a user a value is.
type UserLookup int

const (
	BySub UserLookup = iota
	ByUsernameKey
)

// SignedOut is what a sign-out changed.
type SignedOut struct {
	PoolID, Sub, Username string
	Epoch                 int64 // the user's new SignOutEpoch
	Families              int   // live families it ended
}

// FamilyStore persists token families (sign-in sessions).
type FamilyStore interface {
	// CreateFamily stores a new session durably. The caller signs the tokens
	// meanwhile; when ctx carries WithPatience (other sign-ins are under
	// way) a store may hold the write briefly to share one fsync with theirs.
	CreateFamily(ctx context.Context, f Family) error
	GetFamilyByRefreshHash(ctx context.Context, hash []byte) (Family, error)
	// RevokeFamily marks the family revoked at t; revoking twice keeps the
	// first time. ErrNotFound when there is no such family.
	RevokeFamily(ctx context.Context, id string, at time.Time) error
	// SignOutUser increments the SignOutEpoch of the user found by lookup
	// (by sub, or by username key so that an admin sign-out costs no
	// separate read), which kills every family created before, and reports
	// the new epoch with the number of families it ended (those created
	// since the last sign-out, less the revoked ones; expired ones not yet
	// collected are included). One row is written whatever the number of
	// sessions. ErrNotFound when there is no such user.
	// It also records at as the user's SignedOutAt.
	SignOutUser(ctx context.Context, poolID string, lookup UserLookup, value string, at time.Time) (SignedOut, error)
	// GetSession is the one revocation check: the user (by sub) and the
	// family in a single indexed lookup. ErrNotFound when either is missing.
	GetSession(ctx context.Context, poolID, sub, familyID string) (User, Family, error)
	// GetSessionByRefreshHash is the refresh flow's one read: the family
	// whose refresh token hashes to hash, with its user. ErrNotFound when
	// either is missing.
	GetSessionByRefreshHash(ctx context.Context, hash []byte) (User, Family, error)
	// RotateRefreshToken replaces the family's refresh token in one durable
	// write when r.From is its current token, or a retired token of the
	// family whose grace period has not ended at r.Now; the token replaced
	// is retired until r.GraceUntil. ErrRefreshReused otherwise, ErrNotFound
	// when there is no such family. Revocation and the family's expiry are
	// untouched: the chain stays one session.
	RotateRefreshToken(ctx context.Context, r Rotation) error
	// GetRetiredRefresh finds a refresh token that rotation replaced.
	// ErrNotFound when hash is no retired token.
	GetRetiredRefresh(ctx context.Context, hash []byte) (RetiredRefresh, error)
	// DeleteExpiredFamilies removes families that expired before now, with
	// their retired refresh tokens.
	DeleteExpiredFamilies(ctx context.Context, now time.Time) (int, error)
}

// MetaStore keeps a few facts about the deployment itself (the issuer base
// URL its tokens name, a canary sealed with its master key), so that a
// process can tell at start-up whether it agrees with the data.
type MetaStore interface {
	// GetMeta returns the value stored under key; ErrNotFound if none.
	GetMeta(ctx context.Context, key string) (string, error)
	// PutMetaIfAbsent stores value under key unless a value is there already,
	// atomically, and returns the value stored now: concurrent callers
	// (replicas starting at once) all get the same winner.
	PutMetaIfAbsent(ctx context.Context, key, value string) (string, error)
	// ReplaceMeta stores value under key whatever was there.
	ReplaceMeta(ctx context.Context, key, value string) error
}
